// The Scheduler execution role of a batch with a time zone, evaluated as IAM evaluates it: only
// this schedule, in this account, may assume it, and it may only invoke this batch's function (and
// send the batch's dead letters, through the queue's policy).
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';
import { decide, deployedBootstrap, resolve } from './simulate';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const STACK = 'prod-daily-stats';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${STACK}-SchedulerRole-ABC123`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${STACK}`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${STACK}-DeadLetterQueue-XYZ`;
const SCHEDULE_ARN = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${STACK}/${STACK}`;
const VALUES = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::StackName': STACK,
  'Function.Arn': FUNCTION_ARN,
  'DeadLetterQueue.Arn': QUEUE_ARN,
  'SchedulerRole.Arn': ROLE_ARN,
};

const decl = validateDeclarations({ batches: [{ ...BATCH, schedule: 'cron(10 0 * * ? *)', timezone: 'Asia/Seoul' }], stages: [STAGE] }, { fileExists });
const template = batchTemplates(decl.batches)['daily-stats'] as Record<string, any>;
const role = resolve(template.Resources.SchedulerRole.Properties, VALUES, { HasPermissionsBoundary: false });
const trust = role.AssumeRolePolicyDocument;
const identity = role.Policies.map((p: { PolicyDocument: unknown }) => p.PolicyDocument);
const boundary = deployedBootstrap().boundary;
const queuePolicy = resolve(template.Resources.DeadLetterQueuePolicy.Properties.PolicyDocument, VALUES);

const assume = (principal: string, context: Record<string, string>) => decide({
  principal, action: 'sts:AssumeRole', resource: ROLE_ARN, account: ACCOUNT, resourcePolicy: trust, context,
});
const asRole = (action: string, resource: string, resourcePolicy?: unknown) => decide({
  principal: ROLE_ARN, action, resource, account: ACCOUNT, identityPolicies: identity, boundary, resourcePolicy,
});

describe('trust policy of the Scheduler execution role', () => {
  test('the Scheduler may assume it for this batch\'s schedule in this account', async () => {
    expect(await assume('scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': SCHEDULE_ARN })).toBe('Allowed');
  });
  test('not for another batch\'s schedule, another account, or without the source', async () => {
    expect(await assume('scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/prod-other/prod-other` })).toBe('ImplicitlyDenied');
    expect(await assume('scheduler.amazonaws.com', { 'aws:SourceAccount': '444455556666', 'aws:SourceArn': SCHEDULE_ARN })).toBe('ImplicitlyDenied');
    expect(await assume('scheduler.amazonaws.com', {})).toBe('ImplicitlyDenied');
  });
  test('no other service or principal may assume it', async () => {
    expect(await assume('events.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': SCHEDULE_ARN })).toBe('ImplicitlyDenied');
    expect(await assume('lambda.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': SCHEDULE_ARN })).toBe('ImplicitlyDenied');
  });
});

describe('what the Scheduler execution role may do (with the batch permissions boundary)', () => {
  test('invoke its own function', async () => {
    expect(await asRole('lambda:InvokeFunction', FUNCTION_ARN)).toBe('Allowed');
  });
  test('not invoke another batch\'s function, nor change its own', async () => {
    expect(await asRole('lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-other`)).toBe('ImplicitlyDenied');
    // The boundary denies it outright: nothing but invoking on a batch function.
    expect(await asRole('lambda:UpdateFunctionCode', FUNCTION_ARN)).toBe('ExplicitlyDenied');
    expect(await asRole('lambda:InvokeFunction', `${FUNCTION_ARN}:1`)).toBe('ImplicitlyDenied');
  });
  test('send dead letters to the batch queue only through the queue policy, which admits it', async () => {
    expect(await asRole('sqs:SendMessage', QUEUE_ARN)).toBe('ImplicitlyDenied');
    expect(await asRole('sqs:SendMessage', QUEUE_ARN, queuePolicy)).toBe('Allowed');
    expect(await asRole('sqs:DeleteMessage', QUEUE_ARN, queuePolicy)).toBe('ExplicitlyDenied');
  });
});
