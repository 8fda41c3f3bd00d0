// Builds the AWS SDK clients deploy and operate use: the default credential chain, the stage's region, adaptive retries, bounded connection and answer times.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { recordEndpoints } from './faults';
import { NO_ANSWER_SECONDS, noAnswerError } from './waits';

/** The clients the deploy engine calls; inject mocks in tests. */
export interface DeployClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  /** Reads the account's Lambda concurrency before new batches reserve some. */
  readonly lambda: LambdaClient;
  /**
   * A preview reads the recent p95 run duration of a batch whose timeout or schedule changes
   * (`cloudwatch:GetMetricStatistics`). @default none: the preview report leaves that line out
   */
  readonly cloudWatch?: CloudWatchClient;
}

/** Options of {@link createDeployClients}. */
export interface CreateDeployClientsOptions {
  /**
   * Attempts per request, first one included, before a throttled or transient failure is final.
   * Throttling is retried by the SDK's adaptive strategy (client-side rate limiting + backoff).
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Milliseconds to wait for a TCP connection, and for an answer once connected, before an
   * attempt counts as failed (and is retried). Without them a dropped connection hangs.
   * @default { connectionTimeout: 5000, requestTimeout: 60000 }
   */
  readonly timeouts?: {
    readonly connectionTimeout?: number;
    readonly requestTimeout?: number;
    /**
     * Milliseconds of wall clock one call may take in all, the SDK's attempts and the pauses between
     * them included, before it is aborted and ends with "cannot reach AWS" (the SDK's `maxAttempts`
     * multiplies `requestTimeout`: 10 attempts of 60 s would be 10 minutes). Uploads (S3
     * PutObject) get at least 15 minutes; a synchronous invoke at least {@link INVOKE_REQUEST_TIMEOUT_MS} and a minute.
     * @default 180000 (3 minutes, NO_ANSWER_SECONDS)
     * @example { callDeadline: 30_000 }
     */
    readonly callDeadline?: number;
  };
  /**
   * Extra client configuration merged in (e.g. a `requestHandler` in tests, `credentials`).
   * Credentials otherwise come from the SDK's default chain: environment, `AWS_PROFILE`,
   * web identity (GitHub OIDC), SSO, instance / container roles; `AWS_ENDPOINT_URL` is honoured.
   * @default {}
   */
  readonly config?: Record<string, unknown>;
}

/**
 * CloudFormation and S3 clients for `region` (the stage's, from the manifest, never the
 * environment's), with `retryMode: 'adaptive'` so throttling is retried by the SDK.
 *
 * @example
 * const clients = createDeployClients('ap-northeast-2');
 */
export function createDeployClients(region: string, options: CreateDeployClientsOptions = {}): DeployClients {
  const config = clientConfig(region, options);
  const deadline = callDeadlineOf(options);
  return {
    cloudFormation: boundCalls(new CloudFormationClient(config), deadline),
    s3: boundCalls(new S3Client(config), deadline),
    lambda: boundCalls(new LambdaClient(config), deadline),
    cloudWatch: boundCalls(new CloudWatchClient(config), deadline),
  };
}

/** Milliseconds an upload may take, the SDK's attempts included: a zip of Lambda's 250 MB on a slow line. */
const UPLOAD_DEADLINE_MS = 15 * 60_000;

/** The call deadline of `options` (see `timeouts.callDeadline`). */
export function callDeadlineOf(options: CreateDeployClientsOptions = {}): number {
  const ms = options.timeouts?.callDeadline ?? NO_ANSWER_SECONDS * 1000;
  if (!(ms > 0)) throw new RangeError(`timeouts.callDeadline must be a positive number of milliseconds, got ${ms}`);
  return ms;
}

/** What {@link boundCalls} needs of a client. */
interface BoundableClient {
  readonly middlewareStack: { add: (...args: never[]) => unknown };
  send(command: unknown, options?: unknown, cb?: unknown): Promise<unknown>;
}

/**
 * Bounds every call of `client` in wall-clock time, the SDK's retries included: after `deadlineMs`
 * (more for uploads and synchronous invokes) the request in flight is aborted and the call fails with
 * a network error (see `isNetworkError`) that `reaching` words as "cannot reach AWS"; and makes the
 * client remember the endpoint it actually sends to, for that message (`recordEndpoints`).
 * Returns the same client.
 */
export function boundCalls<C extends BoundableClient>(client: C, deadlineMs: number): C {
  recordEndpoints(client);
  const send = client.send.bind(client);
  (client as BoundableClient).send = (command: unknown, options?: unknown, cb?: unknown): Promise<unknown> => {
    // Callback style (unused by batchform) is left as it is.
    if (typeof options === 'function' || typeof cb === 'function') return send(command, options, cb);
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? '';
    const ms = name === 'PutObjectCommand' ? Math.max(deadlineMs, UPLOAD_DEADLINE_MS)
      : name === 'InvokeCommand' ? Math.max(deadlineMs, INVOKE_REQUEST_TIMEOUT_MS + 60_000) : deadlineMs;
    const abort = new AbortController();
    const outer = (options as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    if (outer?.aborted) abort.abort();
    outer?.addEventListener?.('abort', () => abort.abort(), { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(noAnswerError(ms / 1000));
      }, ms);
    });
    const sent = send(command, { ...(options as object | undefined), abortSignal: abort.signal });
    return Promise.race([sent, deadline]).finally(() => clearTimeout(timer));
  };
  return client;
}

/** The configuration every batchform client shares: region, adaptive retries, bounded connection and answer times. */
export function clientConfig(region: string, options: CreateDeployClientsOptions = {}): Record<string, unknown> {
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 10,
    requestHandler: {
      connectionTimeout: options.timeouts?.connectionTimeout ?? 5_000,
      requestTimeout: options.timeouts?.requestTimeout ?? 60_000,
      throwOnRequestTimeout: true,
    },
    ...options.config,
  };
}

/** The clients of the operate commands; inject mocks in tests. */
export interface OperateClients {
  /** Reads the batch stack: its outputs (physical names) and tags (fingerprint). */
  readonly cloudFormation: CloudFormationClient;
  /** Invokes the batch function. */
  readonly lambda: LambdaClient;
  /** Reads and deletes dead letters, counts them. */
  readonly sqs: SQSClient;
  /** Run metrics and alarm states. */
  readonly cloudWatch: CloudWatchClient;
  /** The batch's log events. */
  readonly logs: CloudWatchLogsClient;
  /** The stage's run ledger (`batchform runs`). @default a client `batchform runs` creates for the stage's region */
  readonly dynamodb?: DynamoDBClient;
}

/**
 * Milliseconds a synchronous invoke may take before the SDK gives up on the answer: Lambda's
 * longest timeout (15 minutes) and a minute more. The deploy clients' 60 s would cut a long run off
 * (and the SDK would then retry it, running the batch twice).
 */
export const INVOKE_REQUEST_TIMEOUT_MS = 16 * 60_000;

/**
 * The SDK's adaptive retry strategy, but an invoke is retried only when Lambda throttled it (the
 * run did not start: 429 TooManyRequests, e.g. a batch whose one reserved run is busy). After a
 * dropped connection, a timeout or a 5xx the run may have started, and running a batch twice is
 * worse than saying so: the error is reported and the operator decides.
 */
export function throttlingOnlyRetries(maxAttempts: number): AdaptiveRetryStrategy {
  const strategy = new AdaptiveRetryStrategy(async () => maxAttempts);
  const refresh = strategy.refreshRetryTokenForRetry.bind(strategy);
  strategy.refreshRetryTokenForRetry = async (token, errorInfo) => {
    if (errorInfo.errorType !== 'THROTTLING') throw new Error('batchform: only throttled invokes are retried');
    return refresh(token, errorInfo);
  };
  return strategy;
}

/**
 * Clients for `region` (the stage's): the SDK default credential chain, adaptive retries and
 * bounded connection times as in {@link clientConfig}; the Lambda client waits up to
 * {@link INVOKE_REQUEST_TIMEOUT_MS} for a synchronous run's answer and retries only throttled
 * invokes ({@link throttlingOnlyRetries}).
 *
 * @example
 * const clients = createOperateClients('ap-northeast-2');
 */
export function createOperateClients(region: string, options: CreateDeployClientsOptions = {}): OperateClients {
  const config = clientConfig(region, options);
  const invoke = {
    ...clientConfig(region, {
      ...options,
      timeouts: { ...options.timeouts, requestTimeout: options.timeouts?.requestTimeout ?? INVOKE_REQUEST_TIMEOUT_MS },
    }),
    retryStrategy: throttlingOnlyRetries(options.maxAttempts ?? 10),
  };
  const deadline = callDeadlineOf(options);
  return {
    cloudFormation: boundCalls(new CloudFormationClient(config), deadline),
    lambda: boundCalls(new LambdaClient(invoke), deadline),
    sqs: boundCalls(new SQSClient(config), deadline),
    cloudWatch: boundCalls(new CloudWatchClient(config), deadline),
    logs: boundCalls(new CloudWatchLogsClient(config), deadline),
  };
}
