// Content-addressed artifacts in S3: upload a file under its hash, or trust an existing object only if its stored SHA-256 matches.
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { reaching, UnreachableError } from '../aws/faults';
import { BatchformError } from '../errors/batchform-error';

/** One file to place in S3 under a key derived from its content. */
export interface Artifact {
  readonly bucket: string;
  readonly key: string;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  /** The content; read only when an upload is needed. */
  readonly body: () => Buffer;
  readonly contentType: string;
}

/**
 * - `uploaded`: it was absent and is now written (with S3's SHA-256 checksum);
 * - `present`: already there with the same stored SHA-256, so not written again;
 * - `absent`: not there, and writing was not allowed (preview).
 */
export type ArtifactState = 'uploaded' | 'present' | 'absent';

/**
 * Where an artifact stands, and the S3 version that was checked or written: CloudFormation is
 * then pointed at that exact version, so a key rewritten after the check can never become what
 * runs. No version when the object is absent, or the bucket is not versioned.
 */
export interface PlacedArtifact {
  readonly state: ArtifactState;
  readonly versionId?: string;
}

/** An object already under a content-addressed key whose stored checksum is not the content's. */
export class IntegrityError extends BatchformError {
  constructor(message: string) {
    super('integrity', message);
    this.name = 'IntegrityError';
  }
}

/** S3's base64 form of a hex SHA-256 digest. */
export function sha256Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function s3Url(a: Pick<Artifact, 'bucket' | 'key'>): string {
  return `s3://${a.bucket}/${a.key}`;
}

interface AwsError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** S3's VersionId, or undefined for an unversioned bucket (S3 answers "null" there). */
function versionOf(id: string | undefined): string | undefined {
  return id && id !== 'null' ? id : undefined;
}

/** The object's stored SHA-256 (base64, possibly empty) and version, or undefined when there is no object. */
async function storedChecksum(s3: S3Client, a: Artifact): Promise<{ checksum: string; versionId?: string } | undefined> {
  try {
    const head = await reaching(s3, 's3', `checking ${s3Url(a)} (HeadObject)`, () => s3.send(new HeadObjectCommand({ Bucket: a.bucket, Key: a.key, ChecksumMode: 'ENABLED' })));
    // One answer carries both: the version whose checksum was read is the version pinned.
    return { checksum: head.ChecksumSHA256 ?? '', versionId: versionOf(head.VersionId) };
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const err = e as AwsError;
    const status = err.$metadata?.httpStatusCode;
    if (err.name === 'NotFound' || err.name === 'NoSuchKey' || status === 404) return undefined;
    if (status === 403 || err.name === 'Forbidden' || err.name === 'AccessDenied') {
      throw new Error(
        `access denied reading ${s3Url(a)}; the role needs s3:GetObject on the artifact bucket ` +
          '(and s3:ListBucket, without which S3 answers 403 instead of 404 for a missing object).',
      );
    }
    throw new Error(`could not check ${s3Url(a)}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`);
  }
}

/**
 * Makes sure `artifact` is in S3 under its key.
 *
 * An existing object is trusted only when S3's stored SHA-256 checksum (HeadObject with
 * `ChecksumMode: 'ENABLED'`) equals the content's; otherwise this throws {@link IntegrityError}
 * and writes nothing. An absent object is uploaded with `ChecksumAlgorithm: 'SHA256'` and the
 * digest, so S3 rejects a corrupted upload, unless `write` is false (preview, whose role cannot
 * write), which returns `absent`. The result carries the S3 version checked or written (in a
 * versioned bucket), for the template to read exactly that version.
 *
 * @example
 * await ensureArtifact(s3, { bucket, key: 'batchform/daily-stats/7dc9….zip', sha256: '7dc9…',
 *   body: () => fs.readFileSync(zip), contentType: 'application/zip' }, { write: true }); // { state: 'uploaded', versionId: '3HL4kqtJlcpXroDTDmJ…' }
 */
export async function ensureArtifact(s3: S3Client, artifact: Artifact, options: { readonly write: boolean }): Promise<PlacedArtifact> {
  const expected = sha256Base64(artifact.sha256);
  const stored = await storedChecksum(s3, artifact);
  if (stored?.checksum === expected) return { state: 'present', versionId: stored.versionId };
  if (stored !== undefined) {
    throw new IntegrityError(
      `${s3Url(artifact)} already exists but its stored SHA-256 checksum is ${stored.checksum ? `"${stored.checksum}"` : 'missing'} ` +
        `while the local file's is "${expected}"; the key is content-addressed, so that object was not written by batchform ` +
        `from this content. Find out who wrote it, then delete it (aws s3 rm ${s3Url(artifact)}) so the next deploy uploads the right one.`,
    );
  }
  if (!options.write) return { state: 'absent' };
  const put = await reaching(s3, 's3', `uploading ${s3Url(artifact)} (PutObject)`, () => s3.send(new PutObjectCommand({
    Bucket: artifact.bucket,
    Key: artifact.key,
    Body: artifact.body(),
    ContentType: artifact.contentType,
    ChecksumAlgorithm: 'SHA256',
    ChecksumSHA256: expected,
  })));
  return { state: 'uploaded', versionId: versionOf(put.VersionId) };
}
