// Deploying the stage's missed-run watchdog, evaluated as IAM evaluates it (@cloud-copilot/iam-simulate):
// the execution role creates its function, role (only with the stage's boundary), rule, invoke
// permission and log group under the stage's `<stackPrefix>-stage` names; the watchdog's role, as
// the generated stage template grants it and under the boundary, writes its own logs and reads and
// records runs in this stage's ledger, and nothing else.
import { stageTemplate } from '../../src/template/stage-stack';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';
import { ALLOW, BOOTSTRAP_ARNS, conditionsOf, decide, deployedBootstrap, DENY, inlinePolicies, NOT_ALLOWED, resolve } from './simulate';

type Json = any;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const { executionRole: EXECUTION_ROLE, boundary: BOUNDARY } = BOOTSTRAP_ARNS;
const stack = deployedBootstrap();

const decl = validateDeclarations({ stages: [STAGE], batches: [BATCH] }, { fileExists });
const template = stageTemplate(decl) as Json;
const LOG_GROUP = arn('logs', 'log-group:/aws/lambda/prod-stage');
const LEDGER = arn('dynamodb', 'table/prod-batchform-ledger');
const values = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::StackName': 'prod-stage',
  'WatchdogLogGroup.Arn': `${LOG_GROUP}:*`,
  'LedgerTableName': 'prod-batchform-ledger',
  'WatchdogPermissionsBoundaryArn': BOUNDARY,
  'WatchdogCodeVersion': 'unpinned',
  'AlarmEmails': [''],
  'WatchdogStage': 'prod',
};
const conditions = conditionsOf(template, values);
const watchdogRole = resolve(template.Resources.WatchdogRole.Properties, values, conditions);
const WATCHDOG = role(watchdogRole.RoleName);

/** [what, action, resource, context, decision] */
type Row = [string, string, string, Record<string, string | string[]>, string];

describe('the execution role deploys the watchdog', () => {
  test('the generated role is <stackPrefix>-stage-Watchdog, with the stage\'s boundary', () => {
    expect(watchdogRole.RoleName).toBe('prod-stage-Watchdog');
    expect(watchdogRole.PermissionsBoundary).toBe(BOUNDARY);
  });

  test.each<Row>([
    ['creates its role with the boundary', 'iam:CreateRole', WATCHDOG, { 'iam:PermissionsBoundary': BOUNDARY }, ALLOW],
    ['never without it', 'iam:CreateRole', WATCHDOG, {}, NOT_ALLOWED],
    ['puts its inline policy with the boundary', 'iam:PutRolePolicy', WATCHDOG, { 'iam:PermissionsBoundary': BOUNDARY }, ALLOW],
    ['passes it to Lambda', 'iam:PassRole', WATCHDOG, { 'iam:PassedToService': 'lambda.amazonaws.com' }, ALLOW],
    ['not another stage\'s watchdog role', 'iam:CreateRole', role('staging-stage-Watchdog'), { 'iam:PermissionsBoundary': BOUNDARY }, NOT_ALLOWED],
    ['creates its function', 'lambda:CreateFunction', arn('lambda', 'function:prod-stage'), {}, ALLOW],
    ['lets its rule invoke it', 'lambda:AddPermission', arn('lambda', 'function:prod-stage'), {}, ALLOW],
    ['updates its code', 'lambda:UpdateFunctionCode', arn('lambda', 'function:prod-stage'), {}, ALLOW],
    ['not another stage\'s watchdog', 'lambda:UpdateFunctionCode', arn('lambda', 'function:staging-stage'), {}, NOT_ALLOWED],
    ['creates its 15-minute rule', 'events:PutRule', arn('events', 'rule/prod-stage'), {}, ALLOW],
    ['and its target', 'events:PutTargets', arn('events', 'rule/prod-stage'), {}, ALLOW],
    ['creates its log group', 'logs:CreateLogGroup', LOG_GROUP, {}, ALLOW],
    ['sets its retention', 'logs:PutRetentionPolicy', LOG_GROUP, {}, ALLOW],
    ['reads the watchdog zip', 's3:GetObject', 'arn:aws:s3:::acme-artifacts/batchform/stage/6d22696ca60b.zip', {}, ALLOW],
  ])('%s: %s on %s', async (_what, action, resource, context, decision) => {
    const identityPolicies = stack.execution;
    expect(await decide({ principal: EXECUTION_ROLE, action, resource, account: ACCOUNT, context, identityPolicies })).toBe(decision);
  });

  test('the deploy role uploads the watchdog zip under the stage stack\'s prefix', async () => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.deployRole, action: 's3:PutObject', resource: 'arn:aws:s3:::acme-artifacts/batchform/stage/6d22696ca60b.zip', account: ACCOUNT, identityPolicies: stack.deploy,
    })).toBe(ALLOW);
  });
});

describe('the watchdog role, as the stage template grants it, under the boundary', () => {
  const policies = inlinePolicies({ Properties: watchdogRole }, values, conditions);
  test.each<Row>([
    ['writes its own logs', 'logs:PutLogEvents', `${LOG_GROUP}:log-stream:2026/12/07/abc`, {}, ALLOW],
    ['not a batch\'s logs', 'logs:PutLogEvents', arn('logs', 'log-group:/aws/lambda/prod-daily-stats:log-stream:x'), {}, NOT_ALLOWED],
    ['queries a batch\'s runs', 'dynamodb:Query', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, ALLOW],
    ['records a missed run', 'dynamodb:UpdateItem', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, ALLOW],
    // Not in its policy, and denied by the boundary as well.
    ['never deletes a record', 'dynamodb:DeleteItem', LEDGER, { 'dynamodb:LeadingKeys': ['daily-stats'] }, DENY],
    ['never scans', 'dynamodb:Scan', LEDGER, {}, DENY],
    ['nothing in another stage\'s ledger', 'dynamodb:UpdateItem', arn('dynamodb', 'table/staging-batchform-ledger'), { 'dynamodb:LeadingKeys': ['daily-stats'] }, NOT_ALLOWED],
    ['invokes no batch', 'lambda:InvokeFunction', arn('lambda', 'function:prod-daily-stats'), {}, NOT_ALLOWED],
    ['never IAM', 'iam:PassRole', role('prod-daily-stats-Role-ABC123'), {}, DENY],
  ])('%s: %s on %s', async (_what, action, resource, context, decision) => {
    expect(await decide({
      principal: WATCHDOG, action, resource, account: ACCOUNT, identityPolicies: policies, boundary: stack.boundary, context: { ...context, 'aws:PrincipalArn': WATCHDOG },
    })).toBe(decision);
  });

  test('the boundary holds on its own: "*" on "*" gets the watchdog no IAM and no other stage\'s ledger', async () => {
    const everything = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    const ask = (action: string, resource: string) => decide({
      principal: WATCHDOG,
      action,
      resource,
      account: ACCOUNT,
      identityPolicies: everything,
      boundary: stack.boundary,
      context: { 'aws:PrincipalArn': WATCHDOG, 'dynamodb:LeadingKeys': ['daily-stats'] },
    });
    expect(await ask('iam:CreateRole', role('anything'))).toBe(DENY);
    expect(await ask('dynamodb:DeleteItem', LEDGER)).toBe(DENY);
  });
});
