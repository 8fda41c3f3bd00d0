// The IAM policy of the CloudFormation execution role: everything the batch stacks create, scoped to the stage's names.
import { Fn } from 'aws-cdk-lib';
import { arn, artifactObjects, LEDGER_TABLE_READS, ledgerTableArn, Statement, VPC_DESCRIBE_ACTIONS } from './policy-parts';
import { BOOTSTRAP_PARAMETERS, STAGE_TAG } from '../model/bootstrap-names';

/**
 * What CloudFormation calls to create, update and read back the stage stack's run ledger table
 * (AWS::DynamoDB::Table with the properties batchform gives it: on-demand, SSE, point-in-time
 * recovery, TTL, deletion protection, the stack's tags). No `DeleteTable` (the table is kept when
 * removed from the stack), no item, backup, export, import or resource-policy writes.
 */
export const LEDGER_TABLE_ACTIONS = [
  'dynamodb:CreateTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateTimeToLive', 'dynamodb:UpdateContinuousBackups',
  'dynamodb:TagResource', 'dynamodb:UntagResource',
  ...LEDGER_TABLE_READS,
];

/**
 * The CloudFormation execution role: everything the batch stacks and the stage stack create, and
 * nothing outside them. Resources are scoped to the stage's names (`<stackPrefix>-*`): functions,
 * rules, alarms, queues and topics are named after their stack, the log group is
 * `/aws/lambda/<stack>`, CloudFormation names each function role `<stack>-Role-<suffix>`, and the
 * stage's run ledger is exactly `<stackPrefix>-batchform-ledger`.
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
      // The stage stack's run ledger: this one table, never deleted (DeletionPolicy Retain) and
      // never read or written item by item (the batches and the operator do that).
      Sid: 'RunLedgerTable',
      Effect: 'Allow',
      Action: LEDGER_TABLE_ACTIONS,
      Resource: ledgerTableArn(),
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
