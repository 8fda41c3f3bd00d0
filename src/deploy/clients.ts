// Builds the AWS SDK clients a deploy uses: the default credential chain, the stage's region, adaptive retries.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';

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
