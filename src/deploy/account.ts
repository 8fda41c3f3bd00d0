// Checks the stage's account can take the change before any change set: the artifact bucket is there, and Lambda can reserve the batches' concurrency.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { PreparedStack } from './inputs';
import { describeError, endpointOf, isMissingCredentials, reaching, UnreachableError } from '../aws/faults';
import { boundCalls, callDeadlineOf, clientConfig } from '../aws/sdk-clients';
import { classifyStatus } from '../aws/stack-state';
import { BatchformError, errorKindOf } from '../errors/batchform-error';
import type { ManifestStage } from '../manifest/manifest';

/** Lambda keeps this much of an account's concurrency unreserved; only the rest can be reserved. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

interface S3Fault {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string> };
}

/** The command that creates a stage's bucket and roles. */
function bootstrapHint(stage: ManifestStage): string {
  return `run the bootstrap once with administrator credentials for account ${stage.account}: npx projen bootstrap:${stage.name} (or batchform bootstrap --stage ${stage.name})`;
}

/**
 * HeadBucket on the stage's artifact bucket: a missing bucket, one the role may not read, or one
 * in another region fails here, naming the bucket and the fix, instead of deep inside a deploy.
 *
 * @throws Error naming the bucket, what is wrong and what to do.
 */
export async function checkArtifactBucket(s3: S3Client, stage: ManifestStage): Promise<void> {
  const bucket = stage.artifactBucket;
  try {
    const out = await reaching(s3, 's3', `checking the artifact bucket ${bucket} (HeadBucket)`, () => s3.send(new HeadBucketCommand({ Bucket: bucket })));
    if (out.BucketRegion && out.BucketRegion !== stage.region) {
      throw new BatchformError('aws', `the artifact bucket ${bucket} is in region ${out.BucketRegion}, but stage "${stage.name}" deploys to ${stage.region}; ` +
        `CloudFormation reads code only from a bucket in the stack's region. Set the stage's artifactBucket to its bucket in ${stage.region} (${bootstrapHint(stage)} creates one).`, { where: { stage: stage.name } });
    }
  } catch (e) {
    if (e instanceof UnreachableError || !(e as S3Fault).$metadata) throw e;
    const err = e as S3Fault;
    const status = err.$metadata?.httpStatusCode;
    const region = err.$response?.headers?.['x-amz-bucket-region'];
    if (status === 404 || err.name === 'NotFound' || err.name === 'NoSuchBucket') {
      throw new BatchformError('aws', `the artifact bucket ${bucket} of stage "${stage.name}" does not exist in account ${stage.account}; ${bootstrapHint(stage)}, ` +
        'or set the stage\'s artifactBucket to the bucket its bootstrap printed.', { cause: e, where: { stage: stage.name } });
    }
    if (status === 301 || (region && region !== stage.region)) {
      throw new BatchformError('aws', `the artifact bucket ${bucket} is in region ${region ?? 'another region'}, but stage "${stage.name}" deploys to ${stage.region}; ` +
        `set the stage's artifactBucket to its bucket in ${stage.region} (${bootstrapHint(stage)} creates one).`, { cause: e, where: { stage: stage.name } });
    }
    if (status === 403) {
      throw new BatchformError('aws', `access denied to the artifact bucket ${bucket} of stage "${stage.name}": the credentials may not s3:ListBucket it, or it belongs to another account. ` +
        `Use the stage's role (previewRoleArn / deployRoleArn), or, if the bucket is not this stage's, ${bootstrapHint(stage)}.`, { cause: e, where: { stage: stage.name } });
    }
    throw new BatchformError('aws', `could not check the artifact bucket ${bucket} of stage "${stage.name}": ${describeError(e)}`, { cause: e, where: { stage: stage.name } });
  }
}

/**
 * The reserved concurrency a template's functions ask for, summed: a number in the template, or a
 * stage's parameter (`{ Ref }`, or `Fn::If` on a condition whose "none" branch is `AWS::NoValue`)
 * resolved with the values this deploy passes.
 */
export function reservedConcurrency(templateBody: string, parameters: Readonly<Record<string, string>> = {}): number {
  type Resource = { Type?: string; Properties?: { ReservedConcurrentExecutions?: unknown } };
  const template = JSON.parse(templateBody) as { Resources?: Record<string, Resource> };
  const resolve = (v: unknown): number => {
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object') {
      const ref = (v as { Ref?: unknown }).Ref;
      if (typeof ref === 'string') return Number(parameters[ref] ?? 0) || 0;
      const branches = (v as { 'Fn::If'?: unknown[] })['Fn::If'];
      // Fn::If [condition, reserved, none]: the parameter is 0 exactly when none is reserved.
      if (Array.isArray(branches)) return resolve(branches[1]);
    }
    return 0;
  };
  let sum = 0;
  for (const r of Object.values(template.Resources ?? {})) {
    if (r.Type === 'AWS::Lambda::Function') sum += resolve(r.Properties?.ReservedConcurrentExecutions);
  }
  return sum;
}

/** How to go on without the concurrency check. */
const SKIP_HINT = 'To deploy without this check, pass --no-concurrency-check (concurrencyCheck: false): CloudFormation then fails a create that cannot reserve its concurrency.';

/**
 * What a failed GetAccountSettings means, by what came back: access denied is the role's missing
 * permission; a 404 is not Lambda answering (an endpoint or proxy that is not Lambda's); a 5xx is
 * AWS's own fault; anything else is named as it is.
 */
export function concurrencyReadAdvice(e: unknown, endpoint: string): string {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = err?.$metadata?.httpStatusCode;
  if (status === 403 || /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(err?.name ?? '')) {
    return 'The credentials may not call lambda:GetAccountSettings: the stage\'s preview and deploy roles have it from the bootstrap ' +
      '(run the bootstrap again if the stage\'s roles are older); other credentials need it added.';
  }
  if (status === 404) {
    return `${endpoint} answered 404 (not found): that is not Lambda answering, but an endpoint or proxy that does not serve Lambda's API ` +
      '(check AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA and any proxy); no permission is missing.';
  }
  if (typeof status === 'number' && status >= 500) {
    return `Lambda answered ${status}, a fault on AWS's side that lasted through the SDK's retries; no permission is missing. Run again later.`;
  }
  if (typeof status === 'number') return `Lambda answered ${status}; see AWS's message.`;
  return 'No answer from Lambda came back (see the error).';
}

/**
 * Lambda GetAccountSettings, then: can the stacks about to be created reserve their functions'
 * concurrency? A new account's concurrency quota is often 10, and Lambda keeps 100 unreserved,
 * so no function there can reserve any; CloudFormation would fail deep inside the first create.
 * Stacks that exist already hold their reservation and are not counted again.
 *
 * @throws Error listing the batches, the numbers and the fixes.
 */
export async function checkAccountConcurrency(
  lambda: LambdaClient,
  stage: ManifestStage,
  stacks: readonly PreparedStack[],
  live: ReadonlyMap<string, Stack>,
): Promise<void> {
  const asking = stacks
    .filter((p) => ['absent', 'review', 'failed-create'].includes(classifyStatus(live.get(p.stack.stackName)?.StackStatus)))
    .map((p) => ({ batch: p.stack.batch, reserved: reservedConcurrency(p.templateBody, p.parameters) }))
    .filter((a) => a.reserved > 0);
  if (asking.length === 0) return;
  let settings;
  try {
    settings = await reaching(lambda, 'lambda', 'reading the account\'s Lambda concurrency (GetAccountSettings)', () => lambda.send(new GetAccountSettingsCommand({})));
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new BatchformError('aws', `could not read the Lambda concurrency of account ${stage.account} (lambda:GetAccountSettings): ${describeError(e)}. ` +
      `${concurrencyReadAdvice(e, await endpointOf(lambda, 'lambda'))} ${SKIP_HINT}`, { cause: e, where: { stage: stage.name } });
  }
  const quota = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? quota;
  const available = Math.max(0, unreserved - LAMBDA_UNRESERVED_MINIMUM);
  const needed = asking.reduce((n, a) => n + a.reserved, 0);
  if (needed <= available) return;
  throw new BatchformError(
    'aws',
    `account ${stage.account} (${stage.region}) cannot reserve the Lambda concurrency the new batches ask for; nothing was sent to CloudFormation. ` +
      `Its concurrency quota is ${quota}, ${unreserved} of it unreserved, and Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved, so ${available} can be reserved; ` +
      `${asking.map((a) => `batch "${a.batch}" reserves ${a.reserved}`).join(', ')} (${needed} in all). ` +
      `Fix: request a higher "Concurrent executions" quota for Lambda in ${stage.region} (Service Quotas console; new accounts start at 10, the usual default is 1,000), ` +
      `or set reservedConcurrency: false for those batches in .projenrc.ts (for this stage only: overrides: { ${stage.name}: { reservedConcurrency: false } }; runs may then overlap; then run "npx projen").`,
    { where: { stage: stage.name } },
  );
}

/**
 * The account of the current credentials (STS GetCallerIdentity in `region`, SDK default chain).
 *
 * @throws Error saying which call and endpoint failed: no credentials found, AWS unreachable, or AWS's answer.
 */
export async function callerAccount(region: string, config: Record<string, unknown> = {}): Promise<string> {
  return (await callerIdentity(region, config)).account;
}

/**
 * The account and ARN of the current credentials (STS GetCallerIdentity in `region`, SDK default
 * chain): `batchform pause` records the ARN as who paused the batch.
 *
 * @throws Error saying which call and endpoint failed: no credentials found, AWS unreachable, or AWS's answer.
 */
export async function callerIdentity(region: string, config: Record<string, unknown> = {}): Promise<{ account: string; arn: string }> {
  // Few attempts: this is the first call, and a missing network or credentials should show at once.
  const timeouts = { connectionTimeout: 3_000, requestTimeout: 10_000 };
  const sts = boundCalls(new STSClient(clientConfig(region, { maxAttempts: 3, timeouts, config })), callDeadlineOf());
  const endpoint = await endpointOf(sts, 'sts');
  const call = `the account check (sts:GetCallerIdentity at ${endpoint})`;
  try {
    const identity = await reaching(sts, 'sts', 'checking which account the credentials are for (sts:GetCallerIdentity)', () => sts.send(new GetCallerIdentityCommand({})));
    return { account: identity.Account ?? '', arn: identity.Arn ?? '' };
  } catch (e) {
    if (isMissingCredentials(e)) {
      throw new BatchformError('aws', `${call} found no AWS credentials (${describeError(e)}). Sign in first: set AWS_PROFILE (aws sso login --profile <p>), ` +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, aws-actions/configure-aws-credentials with the stage\'s role.', { cause: e });
    }
    if (e instanceof UnreachableError) throw e;
    throw new BatchformError(errorKindOf(e) ?? 'aws', `${call} failed: ${describeError(e)}. Check the credentials (expired session? run aws sso login again) and the region.`, { cause: e });
  } finally {
    sts.destroy();
  }
}

/** Why the credentials are the wrong ones, or undefined when `actual` is the stage's account. */
export function wrongAccount(actual: string, stage: ManifestStage, role: string, nothingDone = 'nothing was sent to CloudFormation'): string | undefined {
  if (actual === stage.account) return undefined;
  return `the AWS credentials are for account ${actual}, but stage "${stage.name}" is account ${stage.account}; ` +
    `${nothingDone}. Use credentials for ${stage.account} (${role}, or the right AWS_PROFILE).`;
}
