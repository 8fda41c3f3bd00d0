// The S3 side of the AWS fake: buckets (versioned by default), objects with their stored SHA-256, and the REST-XML operations the deploy engine makes.
import { createHash, randomBytes } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { decodeAwsChunked, escapeXml, s3Error, WireAnswer } from './fake-wire';

/** One stored version of an object. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  /** Base64 SHA-256 S3 keeps when the upload named the algorithm (absent otherwise, as in S3). */
  readonly checksumSha256?: string;
  /** "null" in an unversioned bucket, as S3 says it. */
  readonly versionId: string;
  readonly etag: string;
  readonly lastModified: Date;
}

/** One S3 request as the router hands it over. */
export interface S3Request {
  readonly method: string;
  /** Path-style: `/<bucket>/<key>`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly requestId: string;
  /** The region the request was signed for. */
  readonly signedRegion: string;
}

/** Buckets and objects of one fake account. */
export class FakeS3 {
  /** The operation name a request maps to (for the call log), or undefined when the fake does not serve it. */
  static operation(req: Pick<S3Request, 'method' | 'path' | 'query'>): string | undefined {
    const hasKey = /^\/[^/]+\/.+/.test(req.path);
    const q = req.query;
    if (req.method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
    if (req.method === 'PUT' && hasKey && ![...q.keys()].some((k) => k !== 'x-id')) return 'PutObject';
    if (req.method === 'GET' && hasKey && q.has('attributes')) return 'GetObjectAttributes';
    if (req.method === 'GET' && hasKey && ![...q.keys()].some((k) => k !== 'x-id' && k !== 'versionId')) return 'GetObject';
    if (req.method === 'GET' && !hasKey && q.get('list-type') === '2') return 'ListObjectsV2';
    if (req.method === 'DELETE' && hasKey && ![...q.keys()].some((k) => k !== 'x-id' && k !== 'versionId')) return 'DeleteObject';
    return undefined;
  }

  private readonly buckets = new Map<string, { versioned: boolean; objects: Map<string, StoredObject[]> }>();

  constructor(private readonly region: string) {}

  /** Creates an empty bucket (versioned: every put keeps a new version). */
  createBucket(name: string, versioned: boolean): void {
    if (!this.buckets.has(name)) this.buckets.set(name, { versioned, objects: new Map() });
  }

  /** The current version of an object, or of a given version. */
  get(bucket: string, key: string, versionId?: string): StoredObject | undefined {
    const versions = this.buckets.get(bucket)?.objects.get(key);
    if (!versions?.length) return undefined;
    return versionId ? versions.find((v) => v.versionId === versionId) : versions[versions.length - 1];
  }

  /** Every current object, keyed `<bucket>/<key>`. */
  objects(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const [bucket, b] of this.buckets) {
      for (const [key, versions] of b.objects) out.set(`${bucket}/${key}`, versions[versions.length - 1].body);
    }
    return out;
  }

  /** Answers one request of an operation {@link FakeS3.operation} named. */
  handle(operation: string, req: S3Request): WireAnswer {
    const [, bucketName, ...rest] = req.path.split('/');
    const bucket = decodeURIComponent(bucketName ?? '');
    const key = rest.map(decodeURIComponent).join('/');
    const id = req.requestId;
    const b = this.buckets.get(bucket);
    const head = req.method === 'HEAD';
    if (!b) {
      const answer = s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', id, { BucketName: bucket });
      return head ? { ...answer, body: '' } : answer;
    }
    if (req.signedRegion !== this.region) {
      // S3 sends a request signed for another region to the bucket's, with the header naming it.
      const answer = s3Error(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', id, { Bucket: bucket });
      return { ...answer, headers: { ...answer.headers, 'x-amz-bucket-region': this.region }, body: head ? '' : answer.body };
    }
    switch (operation) {
      case 'HeadBucket':
        return { status: 200, headers: { 'x-amz-bucket-region': this.region, 'x-amz-request-id': id }, body: '' };
      case 'HeadObject':
      case 'GetObject': {
        const o = this.get(bucket, key, req.query.get('versionId') ?? undefined);
        if (!o) {
          const answer = s3Error(404, 'NoSuchKey', 'The specified key does not exist.', id, { Key: key });
          return head ? { ...answer, body: '' } : answer;
        }
        const checksum: Record<string, string> = req.headers['x-amz-checksum-mode'] === 'ENABLED' && o.checksumSha256
          ? { 'x-amz-checksum-sha256': o.checksumSha256, 'x-amz-checksum-type': 'FULL_OBJECT' } : {};
        return {
          status: 200,
          headers: {
            'content-type': o.contentType,
            'content-length': String(o.body.length),
            'etag': o.etag,
            'last-modified': o.lastModified.toUTCString(),
            'x-amz-request-id': id,
            ...(b.versioned ? { 'x-amz-version-id': o.versionId } : {}),
            ...checksum,
          },
          body: head ? '' : o.body,
        };
      }
      case 'GetObjectAttributes': {
        const o = this.get(bucket, key, req.query.get('versionId') ?? undefined);
        if (!o) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', id, { Key: key });
        const wanted = String(req.headers['x-amz-object-attributes'] ?? '').split(',').map((s) => s.trim());
        const parts = [
          wanted.includes('ETag') ? `<ETag>${escapeXml(o.etag.replace(/"/g, ''))}</ETag>` : '',
          wanted.includes('Checksum') && o.checksumSha256 ? `<Checksum><ChecksumSHA256>${o.checksumSha256}</ChecksumSHA256><ChecksumType>FULL_OBJECT</ChecksumType></Checksum>` : '',
          wanted.includes('ObjectSize') ? `<ObjectSize>${o.body.length}</ObjectSize>` : '',
          wanted.includes('StorageClass') ? '<StorageClass>STANDARD</StorageClass>' : '',
        ].join('');
        return {
          status: 200,
          headers: { 'content-type': 'application/xml', 'x-amz-request-id': id, 'last-modified': o.lastModified.toUTCString(), ...(b.versioned ? { 'x-amz-version-id': o.versionId } : {}) },
          body: `<?xml version="1.0" encoding="UTF-8"?><GetObjectAttributesResponse>${parts}</GetObjectAttributesResponse>`,
        };
      }
      case 'PutObject':
        return this.put(key, b, req);
      case 'DeleteObject': {
        b.objects.delete(key);
        return { status: 204, headers: { 'x-amz-request-id': id }, body: '' };
      }
      case 'ListObjectsV2': {
        const prefix = req.query.get('prefix') ?? '';
        const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        const contents = keys.map((k) => {
          const o = this.get(bucket, k)!;
          return `<Contents><Key>${escapeXml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        }).join('');
        return {
          status: 200,
          headers: { 'content-type': 'application/xml', 'x-amz-request-id': id },
          body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
        };
      }
      default:
        return s3Error(400, 'NotImplemented', `the AWS fake routes ${operation} but does not answer it`, id);
    }
  }

  private put(key: string, b: { versioned: boolean; objects: Map<string, StoredObject[]> }, req: S3Request): WireAnswer {
    const id = req.requestId;
    let body = req.body;
    let trailers: Record<string, string> = {};
    if (String(req.headers['content-encoding'] ?? '').split(',').map((s) => s.trim()).includes('aws-chunked')) {
      ({ payload: body, trailers } = decodeAwsChunked(req.body));
    }
    const claimed = String(req.headers['x-amz-checksum-sha256'] ?? trailers['x-amz-checksum-sha256'] ?? '') || undefined;
    const algorithm = String(req.headers['x-amz-sdk-checksum-algorithm'] ?? req.headers['x-amz-checksum-algorithm'] ?? '').toUpperCase();
    const actual = createHash('sha256').update(body).digest('base64');
    if (claimed !== undefined && claimed !== actual) {
      return s3Error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.', id);
    }
    const versions = b.objects.get(key) ?? [];
    const stored: StoredObject = {
      body,
      contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
      // S3 keeps a SHA-256 only when the upload asked for that algorithm.
      checksumSha256: claimed ?? (algorithm === 'SHA256' ? actual : undefined),
      versionId: b.versioned ? randomBytes(16).toString('base64url') : 'null',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(),
    };
    b.objects.set(key, b.versioned ? [...versions, stored] : [stored]);
    return {
      status: 200,
      headers: {
        'etag': stored.etag,
        'x-amz-request-id': id,
        ...(b.versioned ? { 'x-amz-version-id': stored.versionId } : {}),
        ...(stored.checksumSha256 ? { 'x-amz-checksum-sha256': stored.checksumSha256, 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
      },
      body: '',
    };
  }
}
