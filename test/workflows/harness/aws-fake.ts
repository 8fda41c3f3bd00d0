// A stateful loopback AWS (STS, CloudFormation, S3, Lambda) on one 127.0.0.1 port, for running the real batchform CLI's preview and deploy against it through the SDK's AWS_ENDPOINT_URL.
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import { CloudFormationFakeOptions, FakeChangeSetView, FakeCloudFormation, FakeStackView, Timers } from './fake-cloudformation';
import { FakeS3 } from './fake-s3';
import { TemplateError } from './fake-template';
import { AwsFault, decodeQuery, jsonAnswer, NAMESPACES, queryAnswer, queryError, s3Error, WireAnswer } from './fake-wire';

export type { FakeChangeSetView, FakeStackView } from './fake-cloudformation';
export type { FakeChangeDetail, FakeResourceChange } from './fake-template';
export { NO_CHANGES_REASON } from './fake-cloudformation';

/** Options of {@link startAwsFake}. */
export interface AwsFakeOptions {
  /**
   * The account STS says the credentials belong to (the CLI compares it with the stage's).
   * @default "111122223333"
   */
  readonly account?: string;
  /**
   * The one region the fake serves: ARNs name it and the buckets are in it. CloudFormation and
   * Lambda requests signed for another region are refused with `FakeRegionMismatch`; S3 answers
   * them with a 301 naming the bucket's region, as S3 does.
   * @default "ap-northeast-2"
   */
  readonly region?: string;
  /**
   * Buckets that exist from the start (the stage's artifact bucket, as its bootstrap would leave it).
   * @default [`batchform-artifacts-<account>-<region>`], the bootstrap's naming
   */
  readonly buckets?: readonly string[];
  /**
   * Whether the buckets keep versions (PutObject and HeadObject answer `x-amz-version-id`), as the bootstrap's does.
   * @default true
   */
  readonly versionedBuckets?: boolean;
  /**
   * Milliseconds a change set takes from CREATE_PENDING (through CREATE_IN_PROGRESS, at half
   * that) to CREATE_COMPLETE or FAILED. 0 settles it before CreateChangeSet answers, so the
   * SDK waiter's first poll succeeds and the CLI never sleeps its 2 s `minDelay`.
   * @default 50
   */
  readonly changeSetCompute?: number;
  /**
   * Milliseconds an executed change set (or a DeleteStack) runs before the stack is *_COMPLETE.
   * 0: finished before ExecuteChangeSet answers (no 5 s `minDelay` sleep in the CLI).
   * @default 100
   */
  readonly stackOperation?: number;
  /**
   * Milliseconds a drift detection runs before DETECTION_COMPLETE (always IN_SYNC).
   * @default 0
   */
  readonly driftDetection?: number;
  /**
   * Items per page of DescribeStacks, DescribeChangeSet's changes, DescribeStackEvents and
   * ListChangeSets (small values exercise the CLI's pagination).
   * @default 100
   */
  readonly pageSize?: number;
  /**
   * The account's Lambda concurrency (GetAccountSettings).
   * @default { limit: 1000, unreserved: 1000 }
   */
  readonly lambdaConcurrency?: { readonly limit: number; readonly unreserved: number };
  /**
   * Decides whether an execution fails: a reason fails the change set's first added or modified
   * resource with it and rolls the stack back (ROLLBACK_COMPLETE after a create,
   * UPDATE_ROLLBACK_COMPLETE after an update).
   * @default every execution succeeds
   * @example (stack) => (stack === 'prod-daily-stats' ? 'Resource handler returned message: "boom"' : undefined)
   */
  readonly executionFailure?: (stackName: string, changeSetName: string) => string | undefined;
}

/** One request the fake answered. */
export interface AwsFakeCall {
  /** `sts`, `cloudformation`, `s3`, `lambda`, or what the request's signature named. */
  readonly service: string;
  /** The API operation (`CreateChangeSet`, `PutObject`, …); for an unknown request, its method and path. */
  readonly operation: string;
  /** The HTTP status answered. */
  readonly status: number;
  /** The stack (CloudFormation), `<bucket>/<key>` (S3), when the request names one. */
  readonly target?: string;
}

/** A running fake. */
export interface AwsFake {
  /** `http://127.0.0.1:<port>`: every service's endpoint. */
  readonly endpoint: string;
  /** The region and account it serves. */
  readonly region: string;
  readonly account: string;
  /**
   * What a child process needs to reach the fake: AWS_ENDPOINT_URL, static credentials
   * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), AWS_REGION and
   * AWS_DEFAULT_REGION, AWS_EC2_METADATA_DISABLED (no IMDS lookups), and AWS_CONFIG_FILE /
   * AWS_SHARED_CREDENTIALS_FILE pointed at an empty file so no local profile's settings apply.
   */
  readonly env: Readonly<Record<string, string>>;
  /** `base` (default `process.env`) without any `AWS_*` variable, plus {@link env}: a child's whole environment. */
  childEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Every request so far, in order of arrival. */
  calls(): AwsFakeCall[];
  /** Stacks that are not deleted, by name (a snapshot). */
  stacks(): Map<string, FakeStackView>;
  /** Change sets of those stacks (a snapshot). */
  changeSets(): FakeChangeSetView[];
  /** The current version of every object, keyed `<bucket>/<key>`. */
  objects(): Map<string, Buffer>;
  /** Stops the server, its connections and pending state changes. */
  close(): Promise<void>;
}

/** The fake's static credentials; any other access key is refused as AWS refuses an unknown one. */
const ACCESS_KEY_ID = 'ASIAAWSFAKE000000001';
const SECRET_ACCESS_KEY = 'aws-fake-secret-access-key';
const SESSION_TOKEN = 'aws-fake-session-token';

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` of a SigV4 Authorization header. */
function credentialScope(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : undefined;
}

/**
 * Starts the fake on 127.0.0.1 (a free port). It answers from this process's event loop, so run
 * the CLI as an asynchronous child (`spawn`, `execFile`): `spawnSync` / `execSync` would block the
 * loop and the child would wait for answers forever.
 *
 * @example
 * const fake = await startAwsFake({ region: 'ap-northeast-2', buckets: ['batchform-artifacts-111122223333-ap-northeast-2'] });
 * await promisify(execFile)('node_modules/.bin/tsx', ['src/cli/main.ts', 'deploy', '--stage', 'prod'], { env: fake.childEnv() });
 * fake.stacks().get('prod-daily-stats')?.status; // 'CREATE_COMPLETE'
 * await fake.close();
 */
export async function startAwsFake(options: AwsFakeOptions = {}): Promise<AwsFake> {
  const account = options.account ?? '111122223333';
  const region = options.region ?? 'ap-northeast-2';
  const pageSize = options.pageSize ?? 100;
  if (!/^\d{12}$/.test(account)) throw new RangeError(`startAwsFake: account "${account}" is not 12 digits`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`startAwsFake: pageSize ${pageSize} is not a positive whole number`);
  const latencies = { changeSetCompute: options.changeSetCompute, stackOperation: options.stackOperation, driftDetection: options.driftDetection };
  for (const [name, ms] of Object.entries(latencies)) {
    if (ms !== undefined && !(ms >= 0)) throw new RangeError(`startAwsFake: ${name} ${ms} is not a number of milliseconds >= 0`);
  }
  const timers = new Timers();
  const s3 = new FakeS3(region);
  for (const bucket of options.buckets ?? [`batchform-artifacts-${account}-${region}`]) s3.createBucket(bucket, options.versionedBuckets ?? true);
  const cfnOptions: CloudFormationFakeOptions = {
    account,
    region,
    pageSize,
    changeSetCompute: options.changeSetCompute ?? 50,
    stackOperation: options.stackOperation ?? 100,
    driftDetection: options.driftDetection ?? 0,
    timers,
    readTemplateUrl: (url) => templateFromUrl(s3, url),
    executionFailure: options.executionFailure,
  };
  const cloudFormation = new FakeCloudFormation(cfnOptions);
  const concurrency = options.lambdaConcurrency ?? { limit: 1000, unreserved: 1000 };
  const log: AwsFakeCall[] = [];

  const answer = (req: http.IncomingMessage, body: Buffer): { call: Omit<AwsFakeCall, 'status'>; reply: WireAnswer } => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scope = credentialScope(req.headers.authorization);
    const form = req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString('utf8')) : undefined;
    const service = scope?.service ?? 'unsigned';
    const operation = form?.get('Action') ?? `${req.method} ${url.pathname}`;
    if (!scope) {
      return { call: { service, operation }, reply: queryError(403, 'MissingAuthenticationToken', 'the AWS fake got a request without a SigV4 Authorization header', requestId) };
    }
    const token = req.headers['x-amz-security-token'];
    if (scope.accessKeyId !== ACCESS_KEY_ID || token !== SESSION_TOKEN) {
      const message = `the AWS fake expects access key ${ACCESS_KEY_ID} with its session token, got ${scope.accessKeyId}${token === SESSION_TOKEN ? '' : ' and another session token'}: the process is not using the fake's environment`;
      if (service === 's3') return { call: { service, operation }, reply: s3Error(403, 'InvalidAccessKeyId', message, requestId) };
      if (service === 'lambda') return { call: { service, operation }, reply: jsonAnswer(403, { message }, requestId, 'UnrecognizedClientException') };
      return { call: { service, operation }, reply: queryError(403, 'InvalidClientTokenId', message, requestId) };
    }

    if (service === 'sts' || service === 'cloudformation') {
      const namespace = service === 'sts' ? NAMESPACES.sts : NAMESPACES.cloudformation;
      if (!form) {
        return { call: { service, operation }, reply: queryError(400, 'InvalidAction', `the AWS fake serves ${service} over the query protocol only (a form POST), got ${operation}`, requestId, namespace) };
      }
      const params = decodeQuery(form);
      const call = { service, operation, target: typeof params.StackName === 'string' ? params.StackName : undefined };
      try {
        if (service === 'sts') {
          if (operation !== 'GetCallerIdentity') throw new AwsFault('InvalidAction', `the AWS fake does not implement sts:${operation}; add it to test/workflows/harness/aws-fake.ts`);
          return { call, reply: queryAnswer(operation, namespace, { UserId: 'AROAAWSFAKE:aws-fake', Account: account, Arn: `arn:aws:sts::${account}:assumed-role/aws-fake/aws-fake` }, requestId) };
        }
        if (scope.region !== region) throw new AwsFault('FakeRegionMismatch', `the AWS fake serves region ${region}; this request was signed for ${scope.region}. Start the fake with region: '${scope.region}'`);
        return { call, reply: queryAnswer(operation, namespace, cloudFormation.handle(operation, params), requestId) };
      } catch (e) {
        if (e instanceof AwsFault) return { call, reply: queryError(e.status, e.code, e.message, requestId, namespace) };
        throw e;
      }
    }

    if (service === 's3') {
      const s3Request = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, requestId, signedRegion: scope.region };
      const s3Operation = FakeS3.operation(s3Request);
      const target = decodeURIComponent(url.pathname.slice(1)).replace(/\/$/, '');
      if (!s3Operation) {
        return { call: { service, operation, target }, reply: s3Error(400, 'NotImplemented', `the AWS fake does not implement S3 ${req.method} ${url.pathname}${url.search} (path-style); add it to test/workflows/harness/fake-s3.ts`, requestId) };
      }
      return { call: { service, operation: s3Operation, target }, reply: s3.handle(s3Operation, s3Request) };
    }

    if (service === 'lambda') {
      if (req.method === 'GET' && /^\/2016-08-19\/account-settings\/?$/.test(url.pathname)) {
        if (scope.region !== region) {
          return { call: { service, operation: 'GetAccountSettings' }, reply: jsonAnswer(400, { message: `the AWS fake serves region ${region}; this request was signed for ${scope.region}` }, requestId, 'FakeRegionMismatch') };
        }
        return {
          call: { service, operation: 'GetAccountSettings' },
          reply: jsonAnswer(200, {
            AccountLimit: {
              TotalCodeSize: 80_530_636_800,
              CodeSizeUnzipped: 262_144_000,
              CodeSizeZipped: 52_428_800,
              ConcurrentExecutions: concurrency.limit,
              UnreservedConcurrentExecutions: concurrency.unreserved,
            },
            AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
          }, requestId),
        };
      }
      return { call: { service, operation }, reply: jsonAnswer(400, { message: `the AWS fake does not implement lambda ${operation}; add it to test/workflows/harness/aws-fake.ts` }, requestId, 'UnknownOperationException') };
    }

    return { call: { service, operation }, reply: queryError(400, 'InvalidAction', `the AWS fake does not serve the service "${service}" (${operation})`, requestId) };
  };

  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let result: ReturnType<typeof answer>;
      try {
        result = answer(req, Buffer.concat(chunks));
      } catch (e) {
        // A bug in the fake, not an AWS answer: a 500 the SDK reports, with the cause.
        result = { call: { service: 'aws-fake', operation: `${req.method} ${req.url}` }, reply: queryError(500, 'AwsFakeInternalError', `the AWS fake failed: ${(e as Error).stack ?? e}`, 'internal') };
      }
      log.push({ ...result.call, status: result.reply.status });
      const { status, headers, body } = result.reply;
      const payload = req.method === 'HEAD' ? undefined : body;
      res.writeHead(status, { ...headers, ...(req.method === 'HEAD' || headers['content-length'] ? {} : { 'content-length': String(Buffer.byteLength(body)) }) });
      res.end(payload);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
  };
  return {
    endpoint,
    region,
    account,
    env,
    childEnv: (base = process.env) => ({ ...Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('AWS_'))), ...env }),
    calls: () => [...log],
    stacks: () => cloudFormation.stacks(),
    changeSets: () => cloudFormation.changeSets(),
    objects: () => s3.objects(),
    close: async () => {
      timers.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The body of a template CreateChangeSet names by URL, read from the fake's S3: virtual-hosted
 * (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) or path-style URLs, with `?versionId=`.
 */
function templateFromUrl(s3: FakeS3, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TemplateError('TemplateURL must be a supported URL.');
  }
  const hosted = /^(.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(u.hostname);
  const [bucket, key] = hosted
    ? [hosted[1], decodeURIComponent(u.pathname.slice(1))]
    : (() => {
      const [, b, ...rest] = u.pathname.split('/');
      return [b, decodeURIComponent(rest.join('/'))];
    })();
  const object = s3.get(bucket, key, u.searchParams.get('versionId') ?? undefined);
  if (!object) throw new TemplateError(`S3 error: The specified key does not exist. (s3://${bucket}/${key}${u.search})`);
  return object.body.toString('utf8');
}
