// The IAM policy of the preview role: change sets created, never executed, and drift detection's reads.
import { Fn } from 'aws-cdk-lib';
import {
  arn, artifactObjects, CHANGE_SET_READS, createChangeSetsAsExecutionRole, LEDGER_TABLE_READS, ledgerTableArn, listArtifacts, listStacks,
  parameterTypeChecks, passExecutionRole, PolicyScope, previewAreaObjects, readLambdaAccountSettings, stackArns, Statement,
} from './policy-parts';
import { BOOTSTRAP_PARAMETERS, STAGE_TAG } from '../model/bootstrap-names';

/** Condition that is true when previews of the stage detect drift (the preview role reads the stage's resources). */
export const DETECTS_DRIFT = 'DetectsDrift';

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
 * What CloudFormation's drift detection reads of each resource type a batch stack or the stage stack holds, as the
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
      // EventBridge rules and Scheduler schedules in one statement: each action is authorized only
      // on its own service's ARNs, so this allows what two statements would, and keeps the count of
      // conditional statements (each an Fn::If) within what template linters explore.
      Sid: 'DriftReadSchedules',
      Effect: 'Allow',
      Action: [
        'events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource',
        'scheduler:GetSchedule', 'scheduler:GetScheduleGroup', 'scheduler:ListTagsForResource',
      ],
      Resource: [arn('events', `rule/${prefix}-*`), arn('scheduler', `schedule/${prefix}-*/${prefix}-*`), arn('scheduler', `schedule-group/${prefix}-*`)],
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
    {
      // The stage stack's run ledger: the table's settings, never an item (NeverReadTheLedger).
      Sid: 'DriftReadLedgerTable',
      Effect: 'Allow',
      Action: LEDGER_TABLE_READS,
      Resource: ledgerTableArn(),
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
 * Drift detection on or off, it reads the recent run durations of batches whose timeout or schedule
 * changes from CloudWatch metric statistics (`cloudwatch:GetMetricStatistics`), never the run ledger.
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
      // The recent p95 run duration of a batch whose timeout or schedule changes (the ledger's
      // RunDuration metric, or Lambda's Duration): metric statistics, which IAM authorizes only on "*";
      // never the ledger's records.
      Sid: 'ReadRunDurations',
      Effect: 'Allow',
      Action: 'cloudwatch:GetMetricStatistics',
      Resource: '*',
    },
    {
      Sid: 'NeverChangeAnything',
      Effect: 'Deny',
      Action: PREVIEW_DENIED_ACTIONS,
      Resource: '*',
    },
    {
      // The run ledger's records (run history, errors) are not the preview's to read, whatever
      // else is ever attached to the role; only the table's own settings stay readable (drift).
      Sid: 'NeverReadTheLedger',
      Effect: 'Deny',
      NotAction: LEDGER_TABLE_READS,
      Resource: [ledgerTableArn(), ledgerTableArn('/*')],
    },
    {
      Sid: 'NeverWriteOutsideThePreviewArea',
      Effect: 'Deny',
      Action: PREVIEW_DENIED_S3_WRITES,
      NotResource: previewAreaObjects(scope.bucketArn),
    },
  ];
}

