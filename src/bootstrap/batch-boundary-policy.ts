// The permissions boundary of every batch role: whatever a batch declares, minus batchform's own machinery.
import { Fn } from 'aws-cdk-lib';
import { Statement } from './policy-parts';
import { BATCH_TAG, BOOTSTRAP_PARAMETERS, STAGE_TAG } from '../model/bootstrap-names';
import { DURABLE_EXECUTION_ACTIONS } from '../model/durable-execution';
import { LEDGER_BATCH_ACTIONS, LEDGER_TABLE_SUFFIX } from '../model/ledger';
import { WATCHDOG_LEDGER_ACTIONS, WATCHDOG_ROLE_SUFFIX } from '../model/watchdog';

/** Condition that is true when the stage allows its batches to assume named roles. */
export const HAS_ASSUMABLE_ROLES = 'HasAssumableRoles';

/**
 * Actions a batch role keeps on this stage's queues: Lambda sends a run that failed every retry to
 * the batch's dead-letter queue as the function role (the Scheduler role, through the queue policy).
 */
const QUEUE_ACTIONS_KEPT = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
/** Actions a batch role keeps on this stage's log groups: writing (its own) run logs, reading them back. */
const LOG_ACTIONS_KEPT = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents'];
/** Running a batch's function: what the Scheduler role of a batch with a time zone does, and a batch may declare. */
const INVOKE_ACTIONS = ['lambda:InvokeFunction'];

/**
 * The permissions boundary of every batch role (function roles, Scheduler roles): whatever the
 * batch declares, except batchform's own deployment machinery and other principals' powers.
 *
 * - no IAM, organization or account changes, and no role passing (`iam:*`), so no path to
 *   administration nor to compute that runs as another role;
 * - no AWS STS at all (no `sts:AssumeRole`), except on the role ARNs the stage names in
 *   `assumableRoleArns` (the `AssumableRoleArns` parameter);
 * - no CloudFormation at all (no stacks, change sets or stack sets driven as the batch);
 * - nothing on the artifact bucket (its objects, versions and policy);
 * - on this stage's batches (`<StackPrefix>-*`) and on any function tagged `batchform:batch` (other
 *   stages' batches, other projects'): nothing but invoking (and, for a durable batch's role,
 *   checkpointing executions: each role's policy names its own function only), so no code, configuration (its
 *   environment), permission or concurrency change and no read of its code or configuration;
 *   nothing on their schedule rules, Scheduler schedules, alarms, alarm topics and alarm keys;
 *   on their dead-letter queues only sending, on their log groups only writing and reading logs;
 *   the same on every resource tagged `batchform:batch`, whatever its stage, region or name
 *   ({@link anyBatchStatements}): names reach only this stage's resources in this region.
 * - on the stage's run ledger (`<StackPrefix>-batchform-ledger`): only reading and conditionally
 *   updating items whose partition key is the role's own `batchform:batch` tag
 *   (`dynamodb:LeadingKeys`), so a batch can write only its own runs; a role without that tag
 *   (a Scheduler role) gets nothing there. The one exception is the stage's missed-run watchdog
 *   (`<StackPrefix>-stage-Watchdog`, by `aws:PrincipalArn`), which may query, read and update
 *   every batch's partition (still no scan, put, delete or table change).
 *
 * Everything else a batch declares stays possible: its data (S3, DynamoDB, RDS), secrets,
 * parameters, queues, topics, logs and the VPC network interfaces Lambda creates for it.
 */
export function batchBoundaryStatements(): Statement[] {
  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  const here = (service: string, resource: string) => Fn.sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
  const anywhere = (service: string, resource: string) => Fn.sub(`arn:\${AWS::Partition}:${service}:*:\${AWS::AccountId}:${resource}`);
  const bucket = Fn.sub(`arn:\${AWS::Partition}:s3:::\${${BOOTSTRAP_PARAMETERS.bucketName}}`);
  return [
    { Sid: 'WhatBatchesDeclare', Effect: 'Allow', Action: '*', Resource: '*' },
    { Sid: 'NeverAdministration', Effect: 'Deny', Action: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    Fn.conditionIf(
      HAS_ASSUMABLE_ROLES,
      { Sid: 'AssumeOnlyTheAllowedRoles', Effect: 'Deny', Action: 'sts:*', NotResource: Fn.ref(BOOTSTRAP_PARAMETERS.assumableRoles) },
      { Sid: 'AssumeNoRole', Effect: 'Deny', Action: 'sts:*', Resource: '*' },
    ) as unknown as Statement,
    { Sid: 'NeverCloudFormation', Effect: 'Deny', Action: 'cloudformation:*', Resource: '*' },
    { Sid: 'NeverTheArtifactBucket', Effect: 'Deny', Action: 's3:*', Resource: [bucket, Fn.join('', [bucket, '/*'])] },
    {
      Sid: 'OnlyInvokeTheStageBatches',
      Effect: 'Deny',
      NotAction: [...INVOKE_ACTIONS, ...DURABLE_EXECUTION_ACTIONS],
      Resource: anywhere('lambda', `function:${prefix}-*`),
    },
    {
      Sid: 'OnlyInvokeAnyBatch',
      Effect: 'Deny',
      NotAction: [...INVOKE_ACTIONS, ...DURABLE_EXECUTION_ACTIONS],
      Resource: Fn.sub('arn:${AWS::Partition}:lambda:*:*:function:*'),
      Condition: { Null: { [`aws:ResourceTag/${BATCH_TAG}`]: 'false' } },
    },
    {
      Sid: 'NeverTheStageSchedules',
      Effect: 'Deny',
      Action: ['events:*', 'scheduler:*', 'cloudwatch:*', 'sns:*'],
      Resource: [
        here('events', `rule/${prefix}-*`),
        here('scheduler', `schedule/${prefix}-*`),
        here('scheduler', `schedule-group/${prefix}-*`),
        here('cloudwatch', `alarm:${prefix}-*`),
        here('sns', `${prefix}-*`),
      ],
    },
    {
      Sid: 'NeverBatchKeys',
      Effect: 'Deny',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Null: { [`aws:ResourceTag/${BATCH_TAG}`]: 'false' } },
    },
    {
      // The stage stack's keys (the stage's alarm topic key) carry the stage tag, not a batch's.
      Sid: 'NeverStageKeys',
      Effect: 'Deny',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Null: { [`aws:ResourceTag/${STAGE_TAG}`]: 'false' } },
    },
    { Sid: 'OnlySendDeadLetters', Effect: 'Deny', NotAction: QUEUE_ACTIONS_KEPT, Resource: here('sqs', `${prefix}-*`) },
    { Sid: 'OnlyWriteLogs', Effect: 'Deny', NotAction: LOG_ACTIONS_KEPT, Resource: here('logs', `log-group:/aws/lambda/${prefix}-*`) },
    ...anyBatchStatements(),
    ...ledgerBoundaryStatements(
      here('dynamodb', `table/${prefix}-${LEDGER_TABLE_SUFFIX}`),
      Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-${WATCHDOG_ROLE_SUFFIX}`),
    ),
  ];
}

/** A resource ARN of `service` in any region and account: the tag, not the name, says it is a batch's. */
const anyArn = (service: string, resource = '*') => Fn.sub(`arn:\${AWS::Partition}:${service}:*:*:${resource}`);
/** True when the resource carries the tag every batch stack puts on its resources (any stage, any project). */
const TAGGED_AS_BATCH = { Null: { [`aws:ResourceTag/${BATCH_TAG}`]: 'false' } };

/**
 * The same limits on every batch resource of every stage, in any region: keyed on the
 * `batchform:batch` tag (a stack tag: CloudFormation puts it on every taggable resource of a batch
 * stack), not on this stage's names, which another stage's resources do not match.
 *
 * Each action denied here takes `aws:ResourceTag/<key>` in IAM's Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
 * on the resource type for EventBridge rules (list_amazoneventbridge.html), CloudWatch alarms
 * (list_amazoncloudwatch.html), SNS topics (list_amazonsns.html), SQS queues (list_amazonsqs.html),
 * CloudWatch Logs log groups and streams (list_amazoncloudwatchlogs.html); for EventBridge Scheduler
 * (list_amazoneventbridgescheduler.html) on the schedule actions themselves and on the schedule-group
 * resource type. A schedule carries no tags of its own ("You can only assign tags to schedule
 * groups", Scheduler API TagResource): a batch's schedule sits in its own schedule group, which
 * carries the stack tags. The tests in test/iam/bootstrap-roles.test.ts evaluate each action with
 * @cloud-copilot/iam-simulate, whose service data comes from that reference: a condition key an
 * action does not take would be dropped there and the row would fail.
 */
function anyBatchStatements(): Statement[] {
  return [
    {
      Sid: 'NeverAnyBatchSchedules',
      Effect: 'Deny',
      Action: ['events:*', 'scheduler:*', 'cloudwatch:*', 'sns:*'],
      Resource: [anyArn('events', 'rule/*'), anyArn('scheduler', 'schedule/*'), anyArn('scheduler', 'schedule-group/*'), anyArn('cloudwatch', 'alarm:*'), anyArn('sns')],
      Condition: TAGGED_AS_BATCH,
    },
    { Sid: 'OnlySendAnyBatchDeadLetters', Effect: 'Deny', NotAction: QUEUE_ACTIONS_KEPT, Resource: anyArn('sqs'), Condition: TAGGED_AS_BATCH },
    { Sid: 'OnlyWriteAnyBatchLogs', Effect: 'Deny', NotAction: LOG_ACTIONS_KEPT, Resource: anyArn('logs', 'log-group:*'), Condition: TAGGED_AS_BATCH },
  ];
}

/**
 * The boundary's cap on the run ledger (`table`, its indexes and streams): item reads and updates
 * only (and queries, for the watchdog), only in the partition of the role's own `batchform:batch`
 * tag, never without that tag; the stage's watchdog role (`watchdogRole`, by `aws:PrincipalArn`:
 * its name cannot be a batch role's) reads and records every batch's runs. Four statements, since
 * IAM ANDs the conditions within one.
 */
export function ledgerBoundaryStatements(table: string, watchdogRole: string): Statement[] {
  const resources = [table, Fn.join('', [table, '/*'])];
  const notTheWatchdog = { ArnNotEquals: { 'aws:PrincipalArn': watchdogRole } };
  return [
    { Sid: 'OnlyItemWritesInTheLedger', Effect: 'Deny', NotAction: [...new Set([...LEDGER_BATCH_ACTIONS, ...WATCHDOG_LEDGER_ACTIONS])], Resource: resources },
    { Sid: 'OnlyTheWatchdogQueriesTheLedger', Effect: 'Deny', Action: 'dynamodb:Query', Resource: resources, Condition: notTheWatchdog },
    {
      Sid: 'OnlyOwnLedgerPartition',
      Effect: 'Deny',
      Action: LEDGER_BATCH_ACTIONS,
      Resource: resources,
      Condition: { 'ForAnyValue:StringNotEquals': { 'dynamodb:LeadingKeys': `\${aws:PrincipalTag/${BATCH_TAG}}` }, ...notTheWatchdog },
    },
    {
      Sid: 'NoLedgerWithoutBatchTag',
      Effect: 'Deny',
      Action: LEDGER_BATCH_ACTIONS,
      Resource: resources,
      Condition: { Null: { [`aws:PrincipalTag/${BATCH_TAG}`]: 'true' }, ...notTheWatchdog },
    },
  ];
}
