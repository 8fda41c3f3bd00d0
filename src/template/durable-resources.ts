// The parts only a durable batch's template has: the execution rights of its function role, the
// published version and alias executions run on, and the starter its schedule invokes (which
// names each execution after the run's scheduled time, so one run starts one execution).
import { Aws, CfnCondition, CfnDeletionPolicy, CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnAlias, CfnEventInvokeConfig, CfnFunction, CfnVersion } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { PARAMETERS } from './parameters';
import { STAGE_PARAMETERS } from './stage-parameters';
import { DURABLE_EXECUTION_ACTIONS } from '../model/durable-execution';
import { sha256Hex } from '../model/hash';
import type { Batch } from '../model/validated';
import { STARTER_ENV, STARTER_SOURCE } from '../runtime/starter';

/** Logical ids of a durable batch's own resources. */
export const DURABLE_LOGICAL_IDS = {
  /** Not `Function`: durable execution is set when a function is created, so turning it on or off adds one function and removes the other. */
  function: 'DurableFunction',
  executionPolicy: 'DurableExecutionPolicy',
  version: 'Version',
  alias: 'LiveAlias',
  starter: 'Starter',
  starterRole: 'StarterRole',
  starterLogGroup: 'StarterLogGroup',
  starterInvokeConfig: 'StarterInvokeConfig',
} as const;

/** The alias executions start on; the starter invokes `<function ARN>:live`. */
export const LIVE_ALIAS = 'live';


/** The function's DurableConfig. */
export function durableConfig(batch: Batch): CfnFunction.DurableConfigProperty | undefined {
  return batch.durable && { executionTimeout: batch.durable.executionTimeout, retentionPeriodInDays: batch.durable.retentionDays };
}

/**
 * The role's right to checkpoint and read its own function's executions. A policy of its own, not
 * inline in the role: the function's ARN (a CloudFormation-generated name) exists only after the
 * function, which needs the role. Execution ARNs extend a version's ARN
 * (`function:<name>:<version>/durable-execution/...`), so the resource is `<function ARN>:*`.
 */
export function addDurableExecutionPolicy(stack: Stack, role: CfnRole, fn: CfnFunction): CfnPolicy {
  const policy = new CfnPolicy(stack, DURABLE_LOGICAL_IDS.executionPolicy, {
    policyName: 'durable-execution',
    roles: [role.ref],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'CheckpointOwnExecutions', Effect: 'Allow', Action: DURABLE_EXECUTION_ACTIONS, Resource: Fn.join('', [fn.attrArn, ':*']) }],
    },
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<DurableFunction.Arn>:*]',
    reason: 'Durable execution ARNs extend a function version\'s ARN (function:<name>:<version>/durable-execution/<name>/<id>) and each deploy publishes a new version: "<this function ARN>:*" names this function\'s executions only, as Lambda\'s durable security guide advises.',
  });
  return policy;
}

/**
 * A published version and the `live` alias on it. A version is immutable: its description carries
 * the code's S3 key and version and a digest of the batch's settings, so a change to either
 * publishes a new version (CloudFormation replaces the version resource) and moves the alias.
 * Replaced versions are retained: executions still running on them finish on the code they
 * started with. A removed one is retained too; removing the function deletes its versions.
 *
 * The template is every stage's, so its digest leaves out the per-stage overrides: a stage's
 * values come as parameters, and `stageSettingsDigest` (a digest of them, passed per stage) puts
 * them in the description. A change to one stage's override publishes a version in that stage only.
 */
export function addVersionAndAlias(stack: Stack, batch: Batch, fn: CfnFunction, after: CfnResource[], stageSettingsDigest?: string): CfnAlias {
  const digest = sha256Hex(JSON.stringify({ ...batch, overrides: {} })).slice(0, 16);
  const version = new CfnVersion(stack, DURABLE_LOGICAL_IDS.version, {
    functionName: fn.ref,
    // At most 256 characters: the key is <artifactPrefix>/<batch>/<sha256>.zip, an S3 version id 32.
    description: Fn.sub(`settings ${digest}${stageSettingsDigest ? ` stage \${${STAGE_PARAMETERS.settingsDigest}}` : ''} code \${${PARAMETERS.codeKey}} \${${PARAMETERS.codeVersion}}`),
  });
  // Retained when replaced, and (the policies go together: cfn-lint's W3011) when removed.
  version.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  version.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  for (const r of after) version.addResourceDependency(r);
  return new CfnAlias(stack, DURABLE_LOGICAL_IDS.alias, {
    functionName: fn.ref,
    functionVersion: version.attrVersion,
    name: LIVE_ALIAS,
    description: `The version scheduled runs of batchform batch ${batch.name} start their executions on`,
  });
}

/**
 * The starter: a plain function (inline code, the runtime's AWS SDK) that the rule or Scheduler
 * schedule invokes, and that starts the run's execution on the alias with Invoke's
 * DurableExecutionName. Its role may write its own logs, invoke that alias only, and dead-letter
 * runs it could not start.
 */
export function addStarter(
  stack: Stack, batch: Batch, alias: CfnAlias, deadLetters: CfnQueue, hasBoundary: CfnCondition, boundaryArn: string,
): CfnFunction {
  const logGroup = new CfnLogGroup(stack, DURABLE_LOGICAL_IDS.starterLogGroup, {
    logGroupName: Fn.sub('/aws/lambda/${AWS::StackName}/starter'),
    retentionInDays: batch.logRetentionDays,
  });
  const role = new CfnRole(stack, DURABLE_LOGICAL_IDS.starterRole, {
    permissionsBoundary: Fn.conditionIf(hasBoundary.logicalId, boundaryArn, Aws.NO_VALUE).toString(),
    description: `Starter role of batchform batch ${batch.name}: starts its durable executions only`,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [{
      policyName: 'start',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroup.attrArn },
          { Sid: 'StartExecutionsOnTheAlias', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: alias.ref },
          { Sid: 'DeadLetterUnstartedRuns', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: deadLetters.attrArn },
        ],
      },
    }],
  });
  const starter = new CfnFunction(stack, DURABLE_LOGICAL_IDS.starter, {
    description: `Starts one durable execution of batchform batch ${batch.name} per scheduled run`,
    code: { zipFile: STARTER_SOURCE },
    handler: 'index.handler',
    runtime: batch.runtime,
    architectures: [batch.architecture],
    memorySize: 128,
    timeout: 30,
    role: role.attrArn,
    environment: { variables: { [STARTER_ENV.target]: alias.ref, [STARTER_ENV.namePrefix]: Aws.STACK_NAME } },
    loggingConfig: { logGroup: logGroup.ref, logFormat: 'JSON' },
  });
  new CfnEventInvokeConfig(stack, DURABLE_LOGICAL_IDS.starterInvokeConfig, {
    functionName: starter.ref,
    qualifier: '$LATEST',
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: batch.maxEventAgeSeconds,
    destinationConfig: { onFailure: { destination: deadLetters.attrArn } },
  });
  return starter;
}
