// The AWS SDK clients the operate commands (run, backfill, redrive, status, logs) call, with the deploy engine's retries and timeouts.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { clientConfig, CreateDeployClientsOptions } from '../deploy/clients';

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
