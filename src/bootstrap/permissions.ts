// The IAM policies of the bootstrap roles: what CloudFormation, a deploy and a preview may do, as data.
import { Fn } from 'aws-cdk-lib';
import { BATCH_TAG, BOOTSTRAP_PARAMETERS, PREVIEW_AREA_SUFFIX, STAGE_TAG } from '../model/bootstrap-names';
import { DURABLE_EXECUTION_ACTIONS } from '../model/durable-execution';

/** A policy statement as CloudFormation takes it (values may be intrinsic functions). */
export type Statement = Record<string, unknown>;

/** Condition that is true when previews of the stage detect drift (the preview role reads the stage's resources). */
export const DETECTS_DRIFT = 'DetectsDrift';

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
 *   on their dead-letter queues only sending, on their log groups only writing and reading logs.
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
    { Sid: 'OnlySendDeadLetters', Effect: 'Deny', NotAction: QUEUE_ACTIONS_KEPT, Resource: here('sqs', `${prefix}-*`) },
    { Sid: 'OnlyWriteLogs', Effect: 'Deny', NotAction: LOG_ACTIONS_KEPT, Resource: here('logs', `log-group:/aws/lambda/${prefix}-*`) },
  ];
}

/** The ARNs the policies are scoped to, as CloudFormation expressions. */
export interface PolicyScope {
  /** ARN of the artifact bucket. */
  readonly bucketArn: string;
  /** ARN of the CloudFormation execution role. */
  readonly executionRoleArn: string;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in this stack's account and region. */
function arn(service: string, resource: string): string {
  return Fn.sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
}

/** Every stack of this stage: `<stackPrefix>-<batch>`. */
function stackArns(): string {
  return arn('cloudformation', `stack/\${${BOOTSTRAP_PARAMETERS.stackPrefix}}-*/*`);
}

/** The code zips (and templates too large to inline) under the stage's artifact prefix. */
function artifactObjects(bucketArn: string): string {
  return Fn.sub(`\${Bucket}/\${${BOOTSTRAP_PARAMETERS.artifactPrefix}}/*`, { Bucket: bucketArn });
}

/** The preview area's objects, `<artifactPrefix>-preview/*`: not matched by {@link artifactObjects}. */
function previewAreaObjects(bucketArn: string): string {
  return Fn.sub(`\${Bucket}/\${${BOOTSTRAP_PARAMETERS.artifactPrefix}}${PREVIEW_AREA_SUFFIX}/*`, { Bucket: bucketArn });
}

/**
 * What a preview or deploy reads of this stage's stacks: change sets, events (to explain a
 * failure), resources and templates. Shared by the deploy and the preview role.
 */
const CHANGE_SET_READS = [
  'cloudformation:DescribeChangeSet',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary',
  'cloudformation:ListChangeSets',
];

/** The EC2 reads that check a VPC function's subnets and security groups (no resource-level scoping). */
const VPC_DESCRIBE_ACTIONS = ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'];

/**
 * CloudFormation checks AWS-specific parameter types (the batch templates' subnet and security
 * group lists) against the account when a change set is created; these reads cannot be scoped.
 */
function parameterTypeChecks(): Statement {
  return {
    Sid: 'CheckVpcParameters',
    Effect: 'Allow',
    Action: VPC_DESCRIBE_ACTIONS,
    Resource: '*',
  };
}

/**
 * Stack states and tags. The deploy engine reads every stack of the region in one paginated
 * DescribeStacks call (to skip unchanged stacks without a call each), which IAM authorizes only
 * on "*".
 */
function listStacks(): Statement {
  return { Sid: 'ListStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' };
}

/** The account's Lambda concurrency, read before new batches reserve some (IAM authorizes it only on "*"). */
function readLambdaAccountSettings(): Statement {
  return { Sid: 'ReadLambdaAccountSettings', Effect: 'Allow', Action: 'lambda:GetAccountSettings', Resource: '*' };
}

/** Passing the execution role to CloudFormation (and to nothing else). */
function passExecutionRole(scope: PolicyScope): Statement {
  return {
    Sid: 'PassExecutionRole',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: scope.executionRoleArn,
    Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
  };
}

/** Listing the artifact bucket: without it S3 answers 403 instead of 404 for an absent zip. */
function listArtifacts(scope: PolicyScope): Statement {
  return { Sid: 'ListArtifacts', Effect: 'Allow', Action: 's3:ListBucket', Resource: scope.bucketArn };
}

/** Change sets of the stage's stacks, only with the execution role (so never as the caller). */
function createChangeSetsAsExecutionRole(scope: PolicyScope): Statement {
  return {
    Sid: 'CreateChangeSetsAsExecutionRole',
    Effect: 'Allow',
    Action: 'cloudformation:CreateChangeSet',
    Resource: stackArns(),
    Condition: { StringEquals: { 'cloudformation:RoleArn': scope.executionRoleArn } },
  };
}

/**
 * The deploy role (pushes to `main`): manage and execute change sets of this stage's stacks,
 * always with the execution role; write code zips under the artifact prefix; pass only the
 * execution role. It cannot create any batch resource itself: CloudFormation does, as the
 * execution role.
 */
export function deployStatements(scope: PolicyScope): Statement[] {
  return [
    createChangeSetsAsExecutionRole(scope),
    {
      Sid: 'ManageChangeSets',
      Effect: 'Allow',
      Action: [...CHANGE_SET_READS, 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet'],
      Resource: stackArns(),
    },
    {
      // A stack whose first create failed (ROLLBACK_COMPLETE) holds no resources and must be
      // deleted before it can be created again; so must the empty REVIEW_IN_PROGRESS stack a
      // CREATE change set leaves when it turns out to have nothing to do.
      Sid: 'ReplaceFailedCreates',
      Effect: 'Allow',
      Action: 'cloudformation:DeleteStack',
      Resource: stackArns(),
    },
    listStacks(),
    readLambdaAccountSettings(),
    parameterTypeChecks(),
    {
      Sid: 'WriteArtifacts',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: artifactObjects(scope.bucketArn),
    },
    listArtifacts(scope),
    passExecutionRole(scope),
  ];
}

/**
 * Actions the preview role is denied outright, whatever else is ever attached to it: running a
 * change set or any other stack operation that changes resources.
 */
export const PREVIEW_DENIED_ACTIONS = [
  'cloudformation:ExecuteChangeSet',
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:DeleteStack',
  'cloudformation:RollbackStack',
  'cloudformation:ContinueUpdateRollback',
  'cloudformation:CancelUpdateStack',
  'cloudformation:SetStackPolicy',
  'cloudformation:SignalResource',
  'cloudformation:UpdateTerminationProtection',
];

/** S3 writes the preview role is denied everywhere but in its preview area. */
export const PREVIEW_DENIED_S3_WRITES = [
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:ReplicateObject',
  's3:PutBucket*',
  's3:DeleteBucket*',
];

/** Starting a stack's drift detection and reading its results: on the stage's stacks only. */
export const DRIFT_STACK_ACTIONS = [
  'cloudformation:DetectStackDrift',
  'cloudformation:DescribeStackResourceDrifts',
];

/**
 * What CloudFormation's drift detection reads of each resource type a batch stack holds, as the
 * caller (each type's read handler, from its resource schema), each on the stage's names only.
 * Read-only: no action here changes anything. `lambda:GetFunction` returns the function's
 * configuration with its environment variables and a short-lived link to its code.
 */
export function driftReadStatements(): Statement[] {
  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  return [
    {
      Sid: 'DriftReadFunctions',
      Effect: 'Allow',
      Action: [
        'lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionRecursionConfig',
        'lambda:GetRuntimeManagementConfig', 'lambda:GetFunctionScalingConfig',
        // AWS::Lambda::Permission and AWS::Lambda::EventInvokeConfig
        'lambda:GetPolicy', 'lambda:GetFunctionEventInvokeConfig',
      ],
      Resource: arn('lambda', `function:${prefix}-*`),
    },
    {
      // Function roles and the Scheduler role: <stack>-<LogicalId>-<suffix>. The bootstrap's own
      // roles live under /batchform/, so role/<prefix>-* never matches them.
      Sid: 'DriftReadRoles',
      Effect: 'Allow',
      Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      Resource: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-*`),
    },
    {
      Sid: 'DriftReadLogGroups',
      Effect: 'Allow',
      Action: ['logs:ListTagsForResource', 'logs:GetDataProtectionPolicy', 'logs:DescribeIndexPolicies'],
      Resource: arn('logs', `log-group:/aws/lambda/${prefix}-*`),
    },
    {
      // A log group is read back by listing groups (names and settings, no log events); IAM
      // authorizes the action only on "*". So is reading a subscription, which needs its ARN (a
      // random id), and the role lists subscriptions only of the stage's topics.
      Sid: 'DriftFindLogGroupsAndSubscriptions',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups', 'sns:GetSubscriptionAttributes'],
      Resource: '*',
    },
    {
      Sid: 'DriftReadSchedules',
      Effect: 'Allow',
      Action: ['events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
      Resource: arn('events', `rule/${prefix}-*`),
    },
    {
      Sid: 'DriftReadSchedulerSchedules',
      Effect: 'Allow',
      Action: ['scheduler:GetSchedule', 'scheduler:GetScheduleGroup', 'scheduler:ListTagsForResource'],
      Resource: [arn('scheduler', `schedule/${prefix}-*/${prefix}-*`), arn('scheduler', `schedule-group/${prefix}-*`)],
    },
    {
      // Queue attributes, not messages (no sqs:ReceiveMessage).
      Sid: 'DriftReadQueues',
      Effect: 'Allow',
      Action: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
      Resource: arn('sqs', `${prefix}-*`),
    },
    {
      Sid: 'DriftReadTopics',
      Effect: 'Allow',
      Action: ['sns:GetTopicAttributes', 'sns:ListSubscriptionsByTopic', 'sns:ListTagsForResource', 'sns:GetDataProtectionPolicy'],
      Resource: arn('sns', `${prefix}-*`),
    },
    {
      Sid: 'DriftReadAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
      Resource: arn('cloudwatch', `alarm:${prefix}-*`),
    },
    {
      // The alarm topic's key: only keys tagged with this stage (no decrypt, no use).
      Sid: 'DriftReadAlarmTopicKeys',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      Resource: arn('kms', 'key/*'),
      Condition: { StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: Fn.ref(BOOTSTRAP_PARAMETERS.stageName) } },
    },
  ];
}

/** Drift detection in a preview: the stack actions, then the resource reads (see {@link driftReadStatements}). */
function driftStatements(): Statement[] {
  return [
    {
      Sid: 'DetectDrift',
      Effect: 'Allow',
      Action: DRIFT_STACK_ACTIONS,
      Resource: stackArns(),
    },
    {
      // A detection is looked up by its id alone, which IAM authorizes only on "*"; it reveals a status.
      Sid: 'ReadDriftDetectionStatus',
      Effect: 'Allow',
      Action: 'cloudformation:DescribeStackDriftDetectionStatus',
      Resource: '*',
    },
    ...driftReadStatements(),
  ];
}

/**
 * The preview role (pull requests): create, describe and delete change sets of this stage's
 * stacks, read stacks and templates, check that code zips are present. It can neither execute a
 * change set nor change or delete a stack or resource nor write an artifact. Its one write is a
 * template too large to send inline, into the preview area (`<artifactPrefix>-preview/`), which
 * expires within a day and which neither the deploy nor the execution role can read.
 *
 * With drift detection on (the {@link DETECTS_DRIFT} condition), it may also detect the drift of
 * the stage's stacks and read, never change, the stage's resources as drift detection does.
 */
export function previewStatements(scope: PolicyScope): Statement[] {
  const ifDrift = (st: Statement): Statement => Fn.conditionIf(DETECTS_DRIFT, st, Fn.ref('AWS::NoValue')) as unknown as Statement;
  return [
    ...driftStatements().map(ifDrift),
    createChangeSetsAsExecutionRole(scope),
    {
      Sid: 'ReadStacksAndChangeSets',
      Effect: 'Allow',
      Action: [...CHANGE_SET_READS, 'cloudformation:DeleteChangeSet'],
      Resource: stackArns(),
    },
    listStacks(),
    readLambdaAccountSettings(),
    parameterTypeChecks(),
    {
      Sid: 'CheckArtifacts',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: artifactObjects(scope.bucketArn),
    },
    {
      Sid: 'PreviewLargeTemplates',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: previewAreaObjects(scope.bucketArn),
    },
    listArtifacts(scope),
    passExecutionRole(scope),
    {
      Sid: 'NeverChangeAnything',
      Effect: 'Deny',
      Action: PREVIEW_DENIED_ACTIONS,
      Resource: '*',
    },
    {
      Sid: 'NeverWriteOutsideThePreviewArea',
      Effect: 'Deny',
      Action: PREVIEW_DENIED_S3_WRITES,
      NotResource: previewAreaObjects(scope.bucketArn),
    },
  ];
}

/**
 * The CloudFormation execution role: everything the batch stacks create, and nothing outside
 * them. Resources are scoped to the stage's names (`<stackPrefix>-*`): functions, rules, alarms,
 * queues and topics are named after their stack, the log group is `/aws/lambda/<stack>`, and
 * CloudFormation names each function role `<stack>-Role-<suffix>`.
 */
export function executionStatements(bucketArn: string, boundaryArn: string): Statement[] {
  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  const stage = Fn.ref(BOOTSTRAP_PARAMETERS.stageName);
  const functionRoles = Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-*`);
  return [
    {
      Sid: 'Functions',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction*', 'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency',
        'lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig', 'lambda:DeleteFunctionEventInvokeConfig',
        'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy', 'lambda:GetRuntimeManagementConfig',
        'lambda:ListVersionsByFunction', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource',
        // Durable batches: the published version and the alias their starter invokes.
        'lambda:PublishVersion', 'lambda:GetAlias', 'lambda:CreateAlias', 'lambda:UpdateAlias', 'lambda:DeleteAlias',
      ],
      Resource: arn('lambda', `function:${prefix}-*`),
    },
    {
      Sid: 'FunctionCode',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: artifactObjects(bucketArn),
    },
    {
      // Lambda checks the subnets and security groups of a VPC function as the caller.
      Sid: 'FunctionNetwork',
      Effect: 'Allow',
      Action: VPC_DESCRIBE_ACTIONS,
      Resource: '*',
    },
    {
      // Function roles may be created and given policies only with the batch permissions
      // boundary, so a batch's declared statements can never grant more than the boundary allows
      // (in particular no IAM writes: no path from a merged batch to account administration).
      Sid: 'FunctionRolesWithBoundary',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: functionRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    },
    {
      Sid: 'FunctionRoles',
      Effect: 'Allow',
      Action: [
        'iam:DeleteRole', 'iam:GetRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy', 'iam:GetRolePolicy',
        'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole',
        'iam:TagRole', 'iam:UntagRole', 'iam:ListRoleTags',
      ],
      Resource: functionRoles,
    },
    {
      Sid: 'KeepTheBoundary',
      Effect: 'Deny',
      Action: 'iam:DeleteRolePermissionsBoundary',
      Resource: '*',
    },
    {
      // Function roles go to Lambda; the Scheduler execution role of a batch with a time zone to the Scheduler.
      Sid: 'PassFunctionRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: functionRoles,
      Condition: { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'scheduler.amazonaws.com'] } },
    },
    {
      // Batches with a time zone: a schedule group per batch stack, named after it, and its schedule.
      Sid: 'Schedules',
      Effect: 'Allow',
      Action: [
        'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule',
        'scheduler:CreateScheduleGroup', 'scheduler:DeleteScheduleGroup', 'scheduler:GetScheduleGroup',
        'scheduler:TagResource', 'scheduler:UntagResource', 'scheduler:ListTagsForResource',
      ],
      Resource: [arn('scheduler', `schedule/${prefix}-*/${prefix}-*`), arn('scheduler', `schedule-group/${prefix}-*`)],
    },
    {
      Sid: 'ScheduleRules',
      Effect: 'Allow',
      Action: [
        'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:EnableRule', 'events:DisableRule',
        'events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule',
        'events:TagResource', 'events:UntagResource', 'events:ListTagsForResource',
      ],
      Resource: arn('events', `rule/${prefix}-*`),
    },
    {
      Sid: 'LogGroups',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy',
        'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource',
        'logs:TagLogGroup', 'logs:UntagLogGroup', 'logs:ListTagsLogGroup',
      ],
      Resource: arn('logs', `log-group:/aws/lambda/${prefix}-*`),
    },
    {
      // CloudFormation reads a log group back by listing groups (names and settings, no log
      // events); IAM authorizes the listing only on "*", as for the preview role's drift reads.
      Sid: 'FindLogGroups',
      Effect: 'Allow',
      Action: 'logs:DescribeLogGroups',
      Resource: '*',
    },
    {
      Sid: 'DeadLetterQueues',
      Effect: 'Allow',
      Action: [
        'sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:GetQueueUrl',
        'sqs:TagQueue', 'sqs:UntagQueue', 'sqs:ListQueueTags',
      ],
      Resource: arn('sqs', `${prefix}-*`),
    },
    {
      Sid: 'AlarmTopics',
      Effect: 'Allow',
      Action: [
        'sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes',
        'sns:Subscribe', 'sns:Unsubscribe', 'sns:ListSubscriptionsByTopic', 'sns:GetSubscriptionAttributes',
        'sns:TagResource', 'sns:UntagResource', 'sns:ListTagsForResource',
      ],
      Resource: arn('sns', `${prefix}-*`),
    },
    {
      Sid: 'Alarms',
      Effect: 'Allow',
      Action: [
        'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms',
        'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource',
      ],
      Resource: arn('cloudwatch', `alarm:${prefix}-*`),
    },
    {
      // The alarm topic's key. A new key has no ARN to scope to: the request must carry this
      // stage's tag, which every batch stack of the stage applies to its resources (and no other
      // stage's can, so no stage creates, tags or manages another's keys).
      Sid: 'CreateAlarmTopicKeys',
      Effect: 'Allow',
      Action: ['kms:CreateKey', 'kms:TagResource'],
      Resource: '*',
      Condition: {
        StringEquals: { [`aws:RequestTag/${STAGE_TAG}`]: stage },
        Null: { [`aws:ResourceTag/${STAGE_TAG}`]: 'true' },
      },
    },
    {
      Sid: 'ManageAlarmTopicKeys',
      Effect: 'Allow',
      Action: [
        'kms:DescribeKey', 'kms:EnableKeyRotation', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy',
        'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion', 'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource',
      ],
      Resource: arn('kms', 'key/*'),
      Condition: { StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: stage } },
    },
  ];
}

/**
 * What a durable batch's runs are followed with: finding a run's execution by name and listing the
 * running ones (ListDurableExecutionsByFunction, on the function), reading its outcome
 * (GetDurableExecution) and its steps (GetDurableExecutionHistory), both on the execution, whose
 * ARN extends a version's: `function:<name>:<version>/durable-execution/<name>/<id>`.
 */
export const FOLLOW_EXECUTION_ACTIONS = ['lambda:ListDurableExecutionsByFunction', 'lambda:GetDurableExecution'] as const;

/**
 * What each operate command calls, by IAM action: the README's table and the operator role's
 * policy come from this one list. `sts:GetCallerIdentity` (the account check) needs no permission.
 * The `lambda:*Durable*` actions are called for durable batches only.
 */
export const OPERATE_ACTIONS = {
  run: ['cloudformation:DescribeStacks', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS, 'lambda:GetDurableExecutionHistory'],
  backfill: ['cloudformation:DescribeStacks', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS],
  redrive: ['cloudformation:DescribeStacks', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS],
  status: ['cloudformation:DescribeStacks', 'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'sqs:GetQueueAttributes', ...FOLLOW_EXECUTION_ACTIONS, 'lambda:GetDurableExecutionHistory'],
  logs: ['cloudformation:DescribeStacks', 'logs:FilterLogEvents'],
} as const;

/**
 * The operator role (`batchform run`, `backfill`, `redrive`, `status`, `logs`): invoke this stage's
 * batch functions, list and read their durable executions (not stop them), read and delete their dead letters, read their stacks, alarms and logs, each
 * scoped to `<StackPrefix>-*`; run metrics are read with `cloudwatch:GetMetricData`, which IAM
 * authorizes only on "*". It cannot change any stack, function, schedule, queue or alarm, nor
 * read code or write artifacts.
 */
export function operatorStatements(): Statement[] {
  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  return [
    { Sid: 'ReadBatchStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: stackArns() },
    { Sid: 'RunBatches', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn('lambda', `function:${prefix}-*`) },
    {
      // Listing is authorized on the function, reading one execution on its ARN, which extends a
      // version's (function:<name>:<version>/durable-execution/...): the qualified form names it.
      Sid: 'FollowDurableExecutions',
      Effect: 'Allow',
      Action: ['lambda:ListDurableExecutionsByFunction', 'lambda:GetDurableExecution', 'lambda:GetDurableExecutionHistory'],
      Resource: [arn('lambda', `function:${prefix}-*`), arn('lambda', `function:${prefix}-*:*`)],
    },
    {
      Sid: 'RedriveDeadLetters',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: arn('sqs', `${prefix}-*`),
    },
    { Sid: 'ReadAlarms', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: arn('cloudwatch', `alarm:${prefix}-*`) },
    { Sid: 'ReadRunMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
    { Sid: 'ReadLogs', Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: arn('logs', `log-group:/aws/lambda/${prefix}-*`) },
  ];
}
