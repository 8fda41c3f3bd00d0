// Builds the AWS SDK clients a deploy uses: the default credential chain, the stage's region, adaptive retries.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';

/** The clients the deploy engine calls; inject mocks in tests. */
export interface DeployClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
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
  const config = { region, retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? 10, ...options.config };
  return {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client(config),
  };
}
