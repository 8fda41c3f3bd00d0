// Every role the bootstrap creates, and a batch role under the batch permissions boundary,
// evaluated as IAM evaluates them (@cloud-copilot/iam-simulate): a table of requests and the
// decision each must get. The README's security section points here.
import { ALLOW, BOOTSTRAP_ARNS, decide, DEFAULT_KEY_POLICY, deployedBootstrap, DENY, NOT_ALLOWED } from './simulate';

type Json = any;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const arn = (service: string, resource: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const { executionRole: EXECUTION_ROLE, deployRole: DEPLOY_ROLE, previewRole: PREVIEW_ROLE, boundary: BOUNDARY } = BOOTSTRAP_ARNS;
const BATCH_ROLE = role('prod-daily-stats-Role-ABC123');
const ALLOWED_ROLE = role('reporting-reader');
const OTHER_TOOLS_ROLE = role('other-tool-deploy');
const ARTIFACT = 'arn:aws:s3:::acme-artifacts/batchform/daily-stats/6d22696ca60b.zip';
const PREVIEW_AREA_TEMPLATE = 'arn:aws:s3:::acme-artifacts/batchform-preview/660698fe4903.template.json';
const LEDGER = arn('dynamodb', 'table/prod-batchform-ledger');

const stack = deployedBootstrap();
const deployed = (assumable: string[]) => deployedBootstrap({ assumableRoleArns: assumable });

/** [what, action, resource, context, decision] */
type Row = [string, string, string, Record<string, string | string[]>, string];

function table(principal: string, identity: () => Json[], rows: Row[], boundary?: () => Json) {
  test.each(rows)('%s: %s on %s', async (_what, action, resource, context, decision) => {
    // KMS decides with the key policy too: the default one, which defers to IAM.
    const resourcePolicy = action.startsWith('kms:') && resource !== '*' ? DEFAULT_KEY_POLICY : undefined;
    expect(await decide({
      principal, action, resource, account: ACCOUNT, context, identityPolicies: identity(), boundary: boundary?.(), resourcePolicy,
    })).toBe(decision);
  });
}

describe('the deploy role', () => {
  table(DEPLOY_ROLE, () => stack.deploy, [
    ['creates change sets as the execution role', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), { 'cloudformation:RoleArn': EXECUTION_ROLE }, ALLOW],
    ['never as itself', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, NOT_ALLOWED],
    ['never as another role', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), { 'cloudformation:RoleArn': role('admin') }, NOT_ALLOWED],
    ['executes this stage\'s change sets', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, ALLOW],
    ['creates the stage stack\'s change sets as the execution role', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-stage/*'), { 'cloudformation:RoleArn': EXECUTION_ROLE }, ALLOW],
    ['executes them', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-stage/*'), {}, ALLOW],
    ['not another stage\'s stage stack', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/staging-stage/*'), {}, NOT_ALLOWED],
    ['uploads the stage template when it is over the inline limit', 's3:PutObject', 'arn:aws:s3:::acme-artifacts/batchform/stage/660698fe4903.template.json', {}, ALLOW],
    ['not another stage\'s', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/staging-daily-stats/*'), {}, NOT_ALLOWED],
    ['no stack operation outside change sets', 'cloudformation:UpdateStack', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, NOT_ALLOWED],
    // Deleting: failed first creates, empty review stacks, and the stacks of removed batches (allowed deploys).
    ['deletes a stack of this stage (a removed batch\'s)', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-old-batch/*'), { 'aws:ResourceTag/batchform:stage': 'prod' }, ALLOW],
    ['not one with the stage\'s prefix tagged for another stage (stage prod-eu, prefix prod-eu)', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-eu-daily-stats/*'), { 'aws:ResourceTag/batchform:stage': 'prod-eu' }, NOT_ALLOWED],
    ['not one with the stage\'s prefix and no stage tag', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-made-by-hand/*'), {}, NOT_ALLOWED],
    ['not another stage\'s stack', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/staging-daily-stats/*'), { 'aws:ResourceTag/batchform:stage': 'staging' }, NOT_ALLOWED],
    ['not the bootstrap stack', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/batchform-bootstrap-prod/*'), { 'aws:ResourceTag/batchform:stage': 'prod' }, NOT_ALLOWED],
    ['reads every stack\'s tags in one call (IAM authorizes the listing only on *)', 'cloudformation:DescribeStacks', '*', {}, ALLOW],
    ['writes code zips under the prefix', 's3:PutObject', ARTIFACT, {}, ALLOW],
    ['not elsewhere in the bucket', 's3:PutObject', 'arn:aws:s3:::acme-artifacts/elsewhere/x.zip', {}, NOT_ALLOWED],
    ['never deletes them', 's3:DeleteObject', ARTIFACT, {}, NOT_ALLOWED],
    ['never reads what a preview wrote (nothing deploys from the preview area)', 's3:GetObject', PREVIEW_AREA_TEMPLATE, {}, NOT_ALLOWED],
    ['never changes the bucket policy', 's3:PutBucketPolicy', 'arn:aws:s3:::acme-artifacts', {}, NOT_ALLOWED],
    ['passes the execution role to CloudFormation', 'iam:PassRole', EXECUTION_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }, ALLOW],
    ['to nothing else', 'iam:PassRole', EXECUTION_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }, NOT_ALLOWED],
    ['and no other role', 'iam:PassRole', BATCH_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }, NOT_ALLOWED],
    ['creates no resource itself', 'lambda:UpdateFunctionCode', arn('lambda', 'function:prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor the run ledger (the stage stack\'s change sets do, as the execution role)', 'dynamodb:CreateTable', LEDGER, {}, NOT_ALLOWED],
    ['nor changes it', 'dynamodb:UpdateTable', LEDGER, {}, NOT_ALLOWED],
    ['assumes no role', 'sts:AssumeRole', OTHER_TOOLS_ROLE, {}, NOT_ALLOWED],
  ]);
});

describe('the preview role', () => {
  table(PREVIEW_ROLE, () => stack.preview, [
    ['creates change sets as the execution role', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), { 'cloudformation:RoleArn': EXECUTION_ROLE }, ALLOW],
    ['describes and deletes them', 'cloudformation:DeleteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, ALLOW],
    ['never executes them', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['previews the stage stack', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-stage/*'), { 'cloudformation:RoleArn': EXECUTION_ROLE }, ALLOW],
    ['never executes its change sets', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-stage/*'), {}, DENY],
    ['never deletes a stack', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['not even a removed batch\'s stack of its stage', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-old-batch/*'), { 'aws:ResourceTag/batchform:stage': 'prod' }, DENY],
    ['lists the stacks to find those of removed batches (DescribeStacks on *)', 'cloudformation:DescribeStacks', '*', {}, ALLOW],
    ['reads code zips', 's3:GetObject', ARTIFACT, {}, ALLOW],
    ['never writes one', 's3:PutObject', ARTIFACT, {}, DENY],
    ['writes a large template into the preview area', 's3:PutObject', PREVIEW_AREA_TEMPLATE, {}, ALLOW],
    ['and reads it back (CloudFormation fetches it as the caller)', 's3:GetObject', PREVIEW_AREA_TEMPLATE, {}, ALLOW],
    ['never deletes there', 's3:DeleteObject', PREVIEW_AREA_TEMPLATE, {}, NOT_ALLOWED],
    ['never writes elsewhere in the bucket', 's3:PutObject', 'arn:aws:s3:::acme-artifacts/elsewhere/x.zip', {}, DENY],
    ['nor in another bucket', 's3:PutObject', 'arn:aws:s3:::other-bucket/batchform-preview/x.template.json', {}, DENY],
    ['never changes the bucket', 's3:PutBucketPolicy', 'arn:aws:s3:::acme-artifacts', {}, DENY],
    // The recent p95 duration of a batch whose timeout or schedule changes (IAM authorizes it only on "*").
    ['reads run durations from CloudWatch metric statistics', 'cloudwatch:GetMetricStatistics', '*', {}, ALLOW],
    ['but writes no metric', 'cloudwatch:PutMetricData', '*', {}, NOT_ALLOWED],
  ]);
});

/** What drift detection reads of a batch stack's resources, as the preview role (each resource type's read handler). */
const DRIFT_READS: Row[] = [
  ['detects the drift of this stage\'s stacks', 'cloudformation:DetectStackDrift', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, ALLOW],
  ['reads the detection\'s status (by id: IAM authorizes it on *)', 'cloudformation:DescribeStackDriftDetectionStatus', '*', {}, ALLOW],
  ['reads the drifted resources', 'cloudformation:DescribeStackResourceDrifts', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, ALLOW],
  ['reads a batch function (its configuration, environment included)', 'lambda:GetFunction', arn('lambda', 'function:prod-daily-stats'), {}, ALLOW],
  ['its runtime settings', 'lambda:GetRuntimeManagementConfig', arn('lambda', 'function:prod-daily-stats'), {}, ALLOW],
  ['its invoke permission', 'lambda:GetPolicy', arn('lambda', 'function:prod-daily-stats'), {}, ALLOW],
  ['its retry settings', 'lambda:GetFunctionEventInvokeConfig', arn('lambda', 'function:prod-daily-stats'), {}, ALLOW],
  ['its role', 'iam:GetRole', role('prod-daily-stats-Role-ABC123'), {}, ALLOW],
  ['the role\'s inline policy', 'iam:GetRolePolicy', role('prod-daily-stats-Role-ABC123'), {}, ALLOW],
  ['its log group (IAM authorizes the listing only on *)', 'logs:DescribeLogGroups', '*', {}, ALLOW],
  ['the log group\'s tags', 'logs:ListTagsForResource', arn('logs', 'log-group:/aws/lambda/prod-daily-stats'), {}, ALLOW],
  ['its schedule rule', 'events:DescribeRule', arn('events', 'rule/prod-daily-stats'), {}, ALLOW],
  ['and the rule\'s targets', 'events:ListTargetsByRule', arn('events', 'rule/prod-daily-stats'), {}, ALLOW],
  ['its Scheduler schedule', 'scheduler:GetSchedule', arn('scheduler', 'schedule/prod-daily-stats/prod-daily-stats'), {}, ALLOW],
  ['its schedule group', 'scheduler:GetScheduleGroup', arn('scheduler', 'schedule-group/prod-daily-stats'), {}, ALLOW],
  ['its dead-letter queue\'s attributes', 'sqs:GetQueueAttributes', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), {}, ALLOW],
  ['its alarm topic', 'sns:GetTopicAttributes', arn('sns', 'prod-daily-stats-AlarmTopic-ABC'), {}, ALLOW],
  ['the topic\'s subscriptions', 'sns:ListSubscriptionsByTopic', arn('sns', 'prod-daily-stats-AlarmTopic-ABC'), {}, ALLOW],
  ['a subscription (IAM authorizes it only on *)', 'sns:GetSubscriptionAttributes', '*', {}, ALLOW],
  ['its alarms', 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:prod-daily-stats-missed-run'), {}, ALLOW],
  ['its alarm topic\'s key (tagged with the stage)', 'kms:DescribeKey', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod' }, ALLOW],
  // The stage stack's run ledger table: its settings, as the table's read handler reads them.
  ['the stage stack\'s run ledger table', 'dynamodb:DescribeTable', LEDGER, {}, ALLOW],
  ['its TTL', 'dynamodb:DescribeTimeToLive', LEDGER, {}, ALLOW],
  ['its point-in-time recovery', 'dynamodb:DescribeContinuousBackups', LEDGER, {}, ALLOW],
  ['its contributor insights', 'dynamodb:DescribeContributorInsights', LEDGER, {}, ALLOW],
  ['its Kinesis destinations', 'dynamodb:DescribeKinesisStreamingDestination', LEDGER, {}, ALLOW],
  ['its tags', 'dynamodb:ListTagsOfResource', LEDGER, {}, ALLOW],
  ['its resource policy', 'dynamodb:GetResourcePolicy', LEDGER, {}, ALLOW],
];

describe('the preview role with drift detection on (the default)', () => {
  table(PREVIEW_ROLE, () => stack.preview, [
    ...DRIFT_READS,
    // Reads only this stage's resources.
    ['not another stage\'s stacks', 'cloudformation:DetectStackDrift', arn('cloudformation', 'stack/staging-daily-stats/*'), {}, NOT_ALLOWED],
    ['not the bootstrap stack', 'cloudformation:DetectStackDrift', arn('cloudformation', 'stack/batchform-bootstrap-prod/*'), {}, NOT_ALLOWED],
    ['not another stage\'s function', 'lambda:GetFunction', arn('lambda', 'function:staging-daily-stats'), {}, NOT_ALLOWED],
    ['not another function of the account', 'lambda:GetFunction', arn('lambda', 'function:billing-api'), {}, NOT_ALLOWED],
    ['not a batch function in another region', 'lambda:GetFunction', arn('lambda', 'function:prod-daily-stats', 'eu-west-1'), {}, NOT_ALLOWED],
    ['not the bootstrap roles', 'iam:GetRolePolicy', DEPLOY_ROLE, {}, NOT_ALLOWED],
    ['not another role', 'iam:GetRole', role('admin'), {}, NOT_ALLOWED],
    ['not another stage\'s key', 'kms:DescribeKey', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'staging' }, NOT_ALLOWED],
    ['no log events', 'logs:GetLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats:log-stream:2026/11/25/abc'), {}, NOT_ALLOWED],
    ['not another topic\'s subscriptions', 'sns:ListSubscriptionsByTopic', arn('sns', 'billing-alerts'), {}, NOT_ALLOWED],
    ['no list of every subscription', 'sns:ListSubscriptions', '*', {}, NOT_ALLOWED],
    ['no queued messages', 'sqs:ReceiveMessage', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), {}, NOT_ALLOWED],
    ['no decryption with the key', 'kms:Decrypt', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod' }, NOT_ALLOWED],
    ['not another stage\'s ledger table', 'dynamodb:DescribeTable', arn('dynamodb', 'table/staging-batchform-ledger'), {}, NOT_ALLOWED],
    ['not another table of the account', 'dynamodb:DescribeTable', arn('dynamodb', 'table/acme-orders'), {}, NOT_ALLOWED],
    ['no record of the ledger (denied outright)', 'dynamodb:GetItem', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, DENY],
    ['no scan of it', 'dynamodb:Scan', LEDGER, {}, DENY],
    // Still never executes or writes.
    ['still never executes a change set', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['nor updates a stack', 'cloudformation:UpdateStack', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['nor deletes one', 'cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['nor updates a function\'s code', 'lambda:UpdateFunctionCode', arn('lambda', 'function:prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor its configuration', 'lambda:UpdateFunctionConfiguration', arn('lambda', 'function:prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor invokes it', 'lambda:InvokeFunction', arn('lambda', 'function:prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor changes its role', 'iam:PutRolePolicy', role('prod-daily-stats-Role-ABC123'), {}, NOT_ALLOWED],
    ['nor a rule', 'events:PutRule', arn('events', 'rule/prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor a log group', 'logs:DeleteLogGroup', arn('logs', 'log-group:/aws/lambda/prod-daily-stats'), {}, NOT_ALLOWED],
    ['nor a queue', 'sqs:SetQueueAttributes', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), {}, NOT_ALLOWED],
    ['nor the ledger table', 'dynamodb:UpdateTable', LEDGER, {}, DENY],
    ['nor writes outside its preview area', 's3:PutObject', 'arn:aws:s3:::acme-artifacts/elsewhere/x.zip', {}, DENY],
  ]);
});

describe('the preview role of a stage with driftDetection: false', () => {
  const off = deployedBootstrap({ driftDetection: false });
  const denied = (rows: Row[]): Row[] => rows.map(([what, action, resource, context]) => [`no longer ${what}`, action, resource, context, NOT_ALLOWED]);
  table(PREVIEW_ROLE, () => off.preview, [
    ...denied(DRIFT_READS),
    ['still creates change sets as the execution role', 'cloudformation:CreateChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), { 'cloudformation:RoleArn': EXECUTION_ROLE }, ALLOW],
    ['still never executes them', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
  ]);
});

describe('the execution role', () => {
  const fnRole = role('prod-daily-stats-Role-ABC123');
  table(EXECUTION_ROLE, () => stack.execution, [
    ['creates this stage\'s functions', 'lambda:CreateFunction', arn('lambda', 'function:prod-daily-stats'), {}, ALLOW],
    ['not another stage\'s', 'lambda:UpdateFunctionCode', arn('lambda', 'function:staging-daily-stats'), {}, NOT_ALLOWED],
    ['creates function roles with the boundary', 'iam:CreateRole', fnRole, { 'iam:PermissionsBoundary': BOUNDARY }, ALLOW],
    ['never without it', 'iam:CreateRole', fnRole, {}, NOT_ALLOWED],
    ['never with another boundary', 'iam:PutRolePolicy', fnRole, { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/admin` }, NOT_ALLOWED],
    ['never removes it', 'iam:DeleteRolePermissionsBoundary', fnRole, {}, DENY],
    ['never touches the bootstrap roles', 'iam:PutRolePolicy', DEPLOY_ROLE, { 'iam:PermissionsBoundary': BOUNDARY }, NOT_ALLOWED],
    ['never attaches managed policies', 'iam:AttachRolePolicy', fnRole, { 'iam:PermissionsBoundary': BOUNDARY }, NOT_ALLOWED],
    ['passes function roles to Lambda', 'iam:PassRole', fnRole, { 'iam:PassedToService': 'lambda.amazonaws.com' }, ALLOW],
    ['not to EC2', 'iam:PassRole', fnRole, { 'iam:PassedToService': 'ec2.amazonaws.com' }, NOT_ALLOWED],
    ['reads code zips', 's3:GetObject', ARTIFACT, {}, ALLOW],
    ['reads its log groups back (IAM authorizes the listing only on *)', 'logs:DescribeLogGroups', '*', {}, ALLOW],
    ['never reads log events', 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats'), {}, NOT_ALLOWED],
    ['never what a preview wrote', 's3:GetObject', PREVIEW_AREA_TEMPLATE, {}, NOT_ALLOWED],
    ['changes this stage\'s rules', 'events:PutTargets', arn('events', 'rule/prod-daily-stats'), {}, ALLOW],
    ['not another stage\'s', 'events:PutTargets', arn('events', 'rule/staging-daily-stats'), {}, NOT_ALLOWED],
    ['creates the stage\'s alarm topic', 'sns:CreateTopic', arn('sns', 'prod-alarms'), {}, ALLOW],
    ['subscribes its e-mail addresses', 'sns:Subscribe', arn('sns', 'prod-alarms'), {}, ALLOW],
    ['not another stage\'s topic', 'sns:SetTopicAttributes', arn('sns', 'staging-alarms'), {}, NOT_ALLOWED],
    ['creates alarm keys tagged with its stage', 'kms:CreateKey', '*', { 'aws:RequestTag/batchform:stage': 'prod' }, ALLOW],
    ['schedules the deletion of a batch stack\'s old alarm key (the move to the stage topic)', 'kms:ScheduleKeyDeletion', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod', 'aws:ResourceTag/batchform:batch': 'daily-stats' }, ALLOW],
    ['not tagged with another stage', 'kms:CreateKey', '*', { 'aws:RequestTag/batchform:stage': 'staging' }, NOT_ALLOWED],
    ['manages its stage\'s keys', 'kms:PutKeyPolicy', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod' }, ALLOW],
    ['not another stage\'s', 'kms:PutKeyPolicy', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'staging' }, NOT_ALLOWED],
    ['nor re-tags another stage\'s key as its own', 'kms:TagResource', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'staging', 'aws:RequestTag/batchform:stage': 'prod' }, NOT_ALLOWED],
    // The stage stack's run ledger table: what CloudFormation calls to create, update and read it back.
    ['creates the stage\'s run ledger table', 'dynamodb:CreateTable', LEDGER, {}, ALLOW],
    ['turns on its TTL', 'dynamodb:UpdateTimeToLive', LEDGER, {}, ALLOW],
    ['turns on its point-in-time recovery', 'dynamodb:UpdateContinuousBackups', LEDGER, {}, ALLOW],
    ['tags it with the stack\'s tags', 'dynamodb:TagResource', LEDGER, {}, ALLOW],
    ['and removes a tag the stack no longer has', 'dynamodb:UntagResource', LEDGER, {}, ALLOW],
    ['changes its settings (deletion protection, billing)', 'dynamodb:UpdateTable', LEDGER, {}, ALLOW],
    ['reads it back', 'dynamodb:DescribeTable', LEDGER, {}, ALLOW],
    ['and its TTL, backups, contributor insights, Kinesis destinations, tags, resource policy', 'dynamodb:DescribeContributorInsights', LEDGER, {}, ALLOW],
    ['(the resource policy, read back)', 'dynamodb:GetResourcePolicy', LEDGER, {}, ALLOW],
    ['not another stage\'s ledger table', 'dynamodb:CreateTable', arn('dynamodb', 'table/staging-batchform-ledger'), {}, NOT_ALLOWED],
    ['not a stage whose prefix extends this one\'s (prod-eu)', 'dynamodb:UpdateTable', arn('dynamodb', 'table/prod-eu-batchform-ledger'), {}, NOT_ALLOWED],
    ['no other table named with the stage\'s prefix', 'dynamodb:CreateTable', arn('dynamodb', 'table/prod-orders'), {}, NOT_ALLOWED],
    ['never deletes the ledger (it is kept when removed from the stack)', 'dynamodb:DeleteTable', LEDGER, {}, NOT_ALLOWED],
    ['never reads its records', 'dynamodb:GetItem', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, NOT_ALLOWED],
    ['nor scans them', 'dynamodb:Scan', LEDGER, {}, NOT_ALLOWED],
    ['nor writes one', 'dynamodb:PutItem', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, NOT_ALLOWED],
    ['nor exports the table', 'dynamodb:ExportTableToPointInTime', LEDGER, {}, NOT_ALLOWED],
    ['nor gives it a resource policy', 'dynamodb:PutResourcePolicy', LEDGER, {}, NOT_ALLOWED],
  ]);
});

describe('a batch role under the boundary, whatever its statements allow ("*" on "*")', () => {
  const everything = () => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
  const tagged = { 'aws:ResourceTag/batchform:batch': 'other-batch' };
  table(BATCH_ROLE, everything, [
    // What a batch legitimately does stays possible.
    ['reads its data', 's3:GetObject', 'arn:aws:s3:::acme-data/2026/11/25.csv', {}, ALLOW],
    ['writes its data', 's3:PutObject', 'arn:aws:s3:::acme-data/reports/week.csv', {}, ALLOW],
    ['reads its secret', 'secretsmanager:GetSecretValue', arn('secretsmanager', 'secret:prod/db-AbCdEf'), {}, ALLOW],
    ['uses its queue', 'sqs:SendMessage', arn('sqs', 'acme-orders'), {}, ALLOW],
    ['decrypts with its own key', 'kms:Decrypt', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), {}, ALLOW],
    ['writes its logs', 'logs:PutLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats:log-stream:2026/11/25/abc'), {}, ALLOW],
    ['sends its dead letters', 'sqs:SendMessage', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), {}, ALLOW],
    ['attaches its VPC network interfaces', 'ec2:CreateNetworkInterface', arn('ec2', 'network-interface/*'), {}, ALLOW],
    ['invokes another function (a batch too)', 'lambda:InvokeFunction', arn('lambda', 'function:prod-weekly-report'), {}, ALLOW],
    // No administration, no other principal's powers.
    ['no IAM', 'iam:CreateRole', role('backdoor'), {}, DENY],
    ['no role passing', 'iam:PassRole', BATCH_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }, DENY],
    ['no policy on itself', 'iam:PutRolePolicy', BATCH_ROLE, {}, DENY],
    ['assumes no role that trusts the account', 'sts:AssumeRole', OTHER_TOOLS_ROLE, {}, DENY],
    ['not even one the stage allows elsewhere', 'sts:AssumeRole', ALLOWED_ROLE, {}, DENY],
    ['no organization change', 'organizations:LeaveOrganization', '*', {}, DENY],
    // Never batchform's deployment machinery.
    ['no CloudFormation', 'cloudformation:CreateStack', arn('cloudformation', 'stack/prod-backdoor/*'), {}, DENY],
    ['no change sets', 'cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/*'), {}, DENY],
    ['no code zip writes', 's3:PutObject', ARTIFACT, {}, DENY],
    ['no code zip reads', 's3:GetObject', ARTIFACT, {}, DENY],
    ['no bucket deletion', 's3:DeleteBucket', 'arn:aws:s3:::acme-artifacts', {}, DENY],
    ['no bucket policy', 's3:PutBucketPolicy', 'arn:aws:s3:::acme-artifacts', {}, DENY],
    ['no code change of another batch', 'lambda:UpdateFunctionCode', arn('lambda', 'function:prod-weekly-report'), {}, DENY],
    ['nor of itself', 'lambda:UpdateFunctionCode', arn('lambda', 'function:prod-daily-stats'), {}, DENY],
    ['no reading another batch\'s configuration (its environment)', 'lambda:GetFunctionConfiguration', arn('lambda', 'function:prod-weekly-report'), {}, DENY],
    ['no code change of another stage\'s batch', 'lambda:UpdateFunctionCode', arn('lambda', 'function:staging-daily-stats'), tagged, DENY],
    ['nor of a batch in another region', 'lambda:UpdateFunctionConfiguration', arn('lambda', 'function:eu-daily-stats', 'eu-west-1'), tagged, DENY],
    ['no schedule rule change', 'events:PutTargets', arn('events', 'rule/prod-weekly-report'), {}, DENY],
    ['no Scheduler schedule change', 'scheduler:UpdateSchedule', arn('scheduler', 'schedule/prod-weekly-report/prod-weekly-report'), {}, DENY],
    ['no alarm deletion', 'cloudwatch:DeleteAlarms', arn('cloudwatch', 'alarm:prod-daily-stats-missed-run'), {}, DENY],
    ['no alarm topic change', 'sns:SetTopicAttributes', arn('sns', 'prod-daily-stats-AlarmTopic-ABC'), {}, DENY],
    ['no alarm key use', 'kms:ScheduleKeyDeletion', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), tagged, DENY],
    ['no change to the stage\'s alarm topic', 'sns:SetTopicAttributes', arn('sns', 'prod-alarms'), {}, DENY],
    ['no unsubscribing from it', 'sns:Unsubscribe', arn('sns', 'prod-alarms'), {}, DENY],
    ['no use of the stage\'s alarm key (stage tag only)', 'kms:ScheduleKeyDeletion', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod' }, DENY],
    ['nor decryption with it', 'kms:Decrypt', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { 'aws:ResourceTag/batchform:stage': 'prod' }, DENY],
    ['no dead-letter purge', 'sqs:PurgeQueue', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), {}, DENY],
    ['no dead-letter reads', 'sqs:ReceiveMessage', arn('sqs', 'prod-weekly-report-DeadLetterQueue-XYZ'), {}, DENY],
    ['no log group deletion', 'logs:DeleteLogGroup', arn('logs', 'log-group:/aws/lambda/prod-weekly-report'), {}, DENY],
  ], () => stack.boundary);
});

/**
 * Another stage's batch resources: `staging` in this region, `eu` in eu-west-1, same account.
 * Each carries the stack tags of its batch stack (`batchform:batch`, `batchform:stage`); a
 * Scheduler schedule carries its schedule group's.
 */
const OTHER_STAGES = [
  { where: 'stage staging, same region', prefix: 'staging', region: REGION },
  { where: 'stage eu, another region', prefix: 'eu', region: 'eu-west-1' },
];
/** [what, action, resource of stack `<prefix>-daily-stats`] */
const OTHER_STAGE_ACTIONS: [string, string, (p: string) => string][] = [
  ['disables its schedule rule', 'events:DisableRule', (p) => `rule/${p}-daily-stats`],
  ['deletes its schedule rule', 'events:DeleteRule', (p) => `rule/${p}-daily-stats`],
  ['retargets its schedule rule', 'events:PutTargets', (p) => `rule/${p}-daily-stats`],
  ['removes its rule\'s targets', 'events:RemoveTargets', (p) => `rule/${p}-daily-stats`],
  ['disables its Scheduler schedule', 'scheduler:UpdateSchedule', (p) => `schedule/${p}-daily-stats/${p}-daily-stats`],
  ['deletes its Scheduler schedule', 'scheduler:DeleteSchedule', (p) => `schedule/${p}-daily-stats/${p}-daily-stats`],
  ['deletes its schedule group', 'scheduler:DeleteScheduleGroup', (p) => `schedule-group/${p}-daily-stats`],
  ['disables its alarms', 'cloudwatch:DisableAlarmActions', (p) => `alarm:${p}-daily-stats-missed-run`],
  ['deletes its alarms', 'cloudwatch:DeleteAlarms', (p) => `alarm:${p}-daily-stats-failed-run`],
  ['silences an alarm', 'cloudwatch:SetAlarmState', (p) => `alarm:${p}-daily-stats-dead-letters`],
  ['deletes its alarm topic', 'sns:DeleteTopic', (p) => `${p}-daily-stats-AlarmTopic-ABC`],
  ['unsubscribes or redirects its alarm topic', 'sns:SetTopicAttributes', (p) => `${p}-daily-stats-AlarmTopic-ABC`],
  ['receives its dead letters', 'sqs:ReceiveMessage', (p) => `${p}-daily-stats-DeadLetterQueue-XYZ`],
  ['deletes its dead letters', 'sqs:DeleteMessage', (p) => `${p}-daily-stats-DeadLetterQueue-XYZ`],
  ['purges its dead letters', 'sqs:PurgeQueue', (p) => `${p}-daily-stats-DeadLetterQueue-XYZ`],
  ['deletes its dead-letter queue', 'sqs:DeleteQueue', (p) => `${p}-daily-stats-DeadLetterQueue-XYZ`],
  ['deletes its log group', 'logs:DeleteLogGroup', (p) => `log-group:/aws/lambda/${p}-daily-stats`],
  ['shortens its log retention', 'logs:PutRetentionPolicy', (p) => `log-group:/aws/lambda/${p}-daily-stats`],
  ['deletes its log streams', 'logs:DeleteLogStream', (p) => `log-group:/aws/lambda/${p}-daily-stats:log-stream:2026/11/25/abc`],
  ['changes its function', 'lambda:UpdateFunctionConfiguration', (p) => `function:${p}-daily-stats`],
  ['schedules its alarm key\'s deletion', 'kms:ScheduleKeyDeletion', () => 'key/1234abcd-12ab-34cd-56ef-1234567890ab'],
];
const SERVICE_OF = (action: string) => action.split(':')[0];

describe('a batch role of stage prod under the boundary ("*" on "*"), on every other stage\'s batch resources', () => {
  const everything = () => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
  for (const { where, prefix, region } of OTHER_STAGES) {
    const tags = { 'aws:ResourceTag/batchform:batch': 'daily-stats', 'aws:ResourceTag/batchform:stage': prefix };
    describe(where, () => {
      table(BATCH_ROLE, everything, OTHER_STAGE_ACTIONS.map(([what, action, resource]): Row =>
        [`never ${what}`, action, arn(SERVICE_OF(action), resource(prefix), region), tags, DENY]), () => stack.boundary);
    });
  }
  describe('what stays possible on them', () => {
    const tags = { 'aws:ResourceTag/batchform:batch': 'daily-stats', 'aws:ResourceTag/batchform:stage': 'staging' };
    table(BATCH_ROLE, everything, [
      ['invokes another stage\'s batch', 'lambda:InvokeFunction', arn('lambda', 'function:staging-daily-stats'), tags, ALLOW],
      ['sends to another stage\'s dead-letter queue', 'sqs:SendMessage', arn('sqs', 'staging-daily-stats-DeadLetterQueue-XYZ'), tags, ALLOW],
      ['writes to another stage\'s log group', 'logs:PutLogEvents', arn('logs', 'log-group:/aws/lambda/staging-daily-stats:log-stream:2026/11/25/abc'), tags, ALLOW],
      ['changes an untagged rule of the account (not batchform\'s)', 'events:DisableRule', arn('events', 'rule/billing-nightly', 'eu-west-1'), {}, ALLOW],
      ['deletes an untagged queue\'s messages', 'sqs:DeleteMessage', arn('sqs', 'staging-orders'), { 'aws:ResourceTag/team': 'orders' }, ALLOW],
    ], () => stack.boundary);
  });
  test('without the boundary each of those actions would be allowed (the rows above test the boundary)', async () => {
    for (const [, action, resource] of OTHER_STAGE_ACTIONS) {
      expect(await decide({
        principal: BATCH_ROLE,
        action,
        resource: arn(SERVICE_OF(action), resource('staging')),
        account: ACCOUNT,
        context: { 'aws:ResourceTag/batchform:batch': 'daily-stats' },
        identityPolicies: everything(),
        resourcePolicy: action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined,
      })).toBe(ALLOW);
    }
  });
});

describe('a batch role of stage prod on its own stage\'s resources, tagged as they are deployed', () => {
  const everything = () => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
  const own = { 'aws:ResourceTag/batchform:batch': 'daily-stats', 'aws:ResourceTag/batchform:stage': 'prod' };
  table(BATCH_ROLE, everything, [
    ['still writes its logs', 'logs:PutLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats:log-stream:2026/11/25/abc'), own, ALLOW],
    ['still reads its logs back', 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats'), own, ALLOW],
    ['still sends its dead letters', 'sqs:SendMessage', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), own, ALLOW],
    ['still invokes a batch of its stage', 'lambda:InvokeFunction', arn('lambda', 'function:prod-weekly-report'), own, ALLOW],
    ['still never purges its dead letters', 'sqs:PurgeQueue', arn('sqs', 'prod-daily-stats-DeadLetterQueue-XYZ'), own, DENY],
    ['still never deletes its alarms', 'cloudwatch:DeleteAlarms', arn('cloudwatch', 'alarm:prod-daily-stats-missed-run'), own, DENY],
  ], () => stack.boundary);
});

describe('a batch role in a stage that allows one role', () => {
  const allowed = deployed([ALLOWED_ROLE]);
  const assume = () => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }];
  table(BATCH_ROLE, assume, [
    ['assumes that role', 'sts:AssumeRole', ALLOWED_ROLE, {}, ALLOW],
    ['and no other', 'sts:AssumeRole', OTHER_TOOLS_ROLE, {}, DENY],
  ], () => allowed.boundary);
});

describe('boundary and identity together', () => {
  test('the boundary grants nothing by itself: a batch role without statements gets nothing', async () => {
    expect(await decide({ principal: BATCH_ROLE, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-data/x', account: ACCOUNT, identityPolicies: [], boundary: stack.boundary })).toBe(NOT_ALLOWED);
  });
  test('without the boundary the same statements would reach the machinery (the tables above test the boundary, not the statements)', async () => {
    const everything = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    expect(await decide({ principal: BATCH_ROLE, action: 's3:PutObject', resource: ARTIFACT, account: ACCOUNT, identityPolicies: everything })).toBe(ALLOW);
  });
});
