// Builds the AWS SDK clients deploy and operate use: the default credential chain, the stage's region, adaptive retries, bounded connection and answer times.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';

/** The clients the deploy engine calls; inject mocks in tests. */
export interface DeployClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  /** Reads the account's Lambda concurrency before new batches reserve some. */
  readonly lambda: LambdaClient;
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
  readonly timeouts?: { readonly connectionTimeout?: number; readonly requestTimeout?: number };
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
  return {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client(config),
    lambda: new LambdaClient(config),
  };
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
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(invoke),
    sqs: new SQSClient(config),
    cloudWatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}
