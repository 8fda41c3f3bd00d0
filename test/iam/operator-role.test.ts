// The bootstrap's optional operator role, evaluated as IAM evaluates it: every action of batchform
// run, backfill, redrive, status, logs, runs, pause and resume on the stage's batches, nothing outside them, nothing that
// changes a stack; and neither the deploy nor the preview role can run a batch or touch its dead letters.
import * as fs from 'fs';
import * as path from 'path';
import { ALLOW, BOOTSTRAP_ARNS, decide, deployedBootstrap, NOT_ALLOWED } from './simulate';
import { OPERATE_ACTIONS } from '../../src/bootstrap/operator-role-policy';
import { PAUSE_ATTRIBUTES } from '../../src/model/ledger';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const ONCALL = `arn:aws:iam::${ACCOUNT}:role/oncall`;

/** The resource each action of an operate command is authorized on, for batch `daily-stats` of stage prod. */
function resourceOf(action: string, batch = 'prod-daily-stats'): string {
  const service = action.split(':')[0];
  switch (service) {
    // Listing stack names and statuses is authorized only on "*" (status finds the stacks of removed batches).
    case 'cloudformation': return action === 'cloudformation:ListStacks' ? '*' : arn('cloudformation', `stack/${batch}/0d6e1a10-0000-4000-8000-000000000000`);
    // Reading one durable execution is authorized on its ARN, which extends a version's; listing on the function.
    case 'lambda': return /^lambda:GetDurableExecution/.test(action)
      ? arn('lambda', `function:${batch}-DurableFunction-XyZ789:3/durable-execution/daily-stats-20261124T030000Z-r1/0b1c2d3e-0000-4000-8000-000000000000`)
      : arn('lambda', `function:${batch}${action === 'lambda:InvokeFunction' ? '' : '-DurableFunction-XyZ789'}`);
    case 'sqs': return arn('sqs', `${batch}-DeadLetterQueue-AbC123`);
    case 'logs': return arn('logs', `log-group:/aws/lambda/${batch}:*`);
    case 'cloudwatch': return arn('cloudwatch', `alarm:${batch}-failed-run`);
    // The stage's run ledger: <stackPrefix>-batchform-ledger.
    case 'dynamodb': return arn('dynamodb', `table/${batch.split('-')[0]}-batchform-ledger`);
    default: throw new Error(`no resource for ${action}`);
  }
}

/** The request context of an action as batchform sends it: pause and resume update the pause fields only, returning only what they update. */
function contextOf(action: string): Record<string, string | string[]> {
  return action === 'dynamodb:UpdateItem' ? { 'dynamodb:Attributes': [...PAUSE_ATTRIBUTES], 'dynamodb:ReturnValues': 'UPDATED_OLD' } : {};
}

const withOperator = deployedBootstrap({ operatorPrincipals: [ONCALL] });
const rows = Object.entries(OPERATE_ACTIONS).flatMap(([command, actions]) => actions.map((a) => [command, a] as const));

describe('the operator role', () => {
  test('is created only when the stage names operator principals', () => {
    expect(deployedBootstrap().operator).toBeUndefined();
    expect(withOperator.operator).toBeDefined();
  });

  test.each(rows)('batchform %s: %s on the stage\'s batch is allowed', async (_command, action) => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.operatorRole,
      action,
      resource: resourceOf(action),
      account: ACCOUNT,
      identityPolicies: withOperator.operator,
      context: contextOf(action),
    })).toBe(ALLOW);
  });

  test.each(rows.filter(([, a]) => a !== 'cloudformation:ListStacks'))('batchform %s: %s on another stage\'s batch is not', async (_command, action) => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.operatorRole, action, resource: resourceOf(action, 'staging-daily-stats'), account: ACCOUNT, identityPolicies: withOperator.operator, context: contextOf(action),
    })).toBe(NOT_ALLOWED);
  });

  test.each([
    ['lambda:UpdateFunctionCode', arn('lambda', 'function:prod-daily-stats')],
    ['lambda:GetFunctionConfiguration', arn('lambda', 'function:prod-daily-stats')],
    // It follows durable executions, never stops or steers them.
    ['lambda:StopDurableExecution', arn('lambda', 'function:prod-daily-stats-DurableFunction-XyZ789:3/durable-execution/daily-stats-20261124T030000Z/0b1c2d3e')],
    ['lambda:SendDurableExecutionCallbackSuccess', arn('lambda', 'function:prod-daily-stats-DurableFunction-XyZ789:3/durable-execution/daily-stats-20261124T030000Z/0b1c2d3e')],
    ['lambda:CheckpointDurableExecution', arn('lambda', 'function:prod-daily-stats-DurableFunction-XyZ789:3/durable-execution/daily-stats-20261124T030000Z/0b1c2d3e')],
    ['sqs:PurgeQueue', arn('sqs', 'prod-daily-stats-DeadLetterQueue-AbC123')],
    ['sqs:SendMessage', arn('sqs', 'prod-daily-stats-DeadLetterQueue-AbC123')],
    ['cloudformation:ExecuteChangeSet', arn('cloudformation', 'stack/prod-daily-stats/0d6e1a10-0000-4000-8000-000000000000')],
    ['cloudformation:DeleteStack', arn('cloudformation', 'stack/prod-daily-stats/0d6e1a10-0000-4000-8000-000000000000')],
    ['events:DisableRule', arn('events', 'rule/prod-daily-stats')],
    // It reads the run ledger and writes only the pause fields (test/iam/ledger.test.ts): never an update whose attributes are unknown, nor a scan.
    ['dynamodb:UpdateItem', arn('dynamodb', 'table/prod-batchform-ledger')],
    ['dynamodb:PutItem', arn('dynamodb', 'table/prod-batchform-ledger')],
    ['dynamodb:DeleteItem', arn('dynamodb', 'table/prod-batchform-ledger')],
    ['dynamodb:Scan', arn('dynamodb', 'table/prod-batchform-ledger')],
    ['cloudwatch:DeleteAlarms', arn('cloudwatch', 'alarm:prod-daily-stats-failed-run')],
    ['cloudwatch:SetAlarmState', arn('cloudwatch', 'alarm:prod-daily-stats-failed-run')],
    ['logs:DeleteLogGroup', arn('logs', 'log-group:/aws/lambda/prod-daily-stats')],
    ['s3:GetObject', 'arn:aws:s3:::acme-artifacts/batchform/daily-stats/6d22696ca60b.zip'],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/prod-daily-stats-Role-ABC123`],
  ])('changes nothing: %s on %s is not allowed', async (action, resource) => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.operatorRole, action, resource, account: ACCOUNT, identityPolicies: withOperator.operator,
    })).toBe(NOT_ALLOWED);
  });

  test('trusts exactly the principals the stage names', async () => {
    const trust = withOperator.operatorTrust;
    const assume = (principal: string) => decide({ principal, action: 'sts:AssumeRole', resource: BOOTSTRAP_ARNS.operatorRole, account: ACCOUNT, resourcePolicy: trust, identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] });
    expect(await assume(ONCALL)).toBe(ALLOW);
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/someone-else`)).toBe(NOT_ALLOWED);
  });
});

describe('the deploy and preview roles cannot operate batches', () => {
  const stack = deployedBootstrap();
  const principals = { deploy: BOOTSTRAP_ARNS.deployRole, preview: BOOTSTRAP_ARNS.previewRole } as const;
  const allowed = (role: keyof typeof principals, action: string) =>
    decide({
      principal: principals[role], action, resource: resourceOf(action), account: ACCOUNT, identityPolicies: stack[role], context: contextOf(action),
    }).then((d) => d === ALLOW);

  // DescribeStacks both have (a deploy reads every stack); the preview role's drift detection also
  // reads alarms and queue attributes. Nothing else an operate command needs.
  const operating: string[] = [...new Set<string>(Object.values(OPERATE_ACTIONS).flat())];
  const reads: Record<keyof typeof principals, string[]> = {
    deploy: ['cloudformation:DescribeStacks'],
    preview: ['cloudformation:DescribeStacks', 'cloudwatch:DescribeAlarms', 'sqs:GetQueueAttributes'],
  };
  test.each((['deploy', 'preview'] as const).flatMap((role) => operating.filter((a) => !reads[role].includes(a)).map((a) => [role, a] as const)))(
    'the %s role: %s is not allowed', async (role, action) => {
      expect(await allowed(role, action)).toBe(false);
    });

  test.each((['deploy', 'preview'] as const).flatMap((role) => Object.keys(OPERATE_ACTIONS).map((c) => [role, c] as const)))(
    'the %s role cannot run batchform %s: at least one of its actions is not allowed', async (role, command) => {
      const decisions = await Promise.all(OPERATE_ACTIONS[command as keyof typeof OPERATE_ACTIONS].map((a) => allowed(role, a)));
      expect(decisions).toContain(false);
    });
});

describe('the operate guide says what each command needs', () => {
  // The Operate table's last column is written by hand: it must name exactly OPERATE_ACTIONS.
  const readme = fs.readFileSync(path.join(__dirname, '../../docs/guides/operate.md'), 'utf8');
  test.each(Object.keys(OPERATE_ACTIONS))('batchform %s: the table\'s IAM actions are OPERATE_ACTIONS', (command) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${command} `));
    expect(row).toBeDefined();
    const cells = row!.split(' | ');
    const named = [...cells[cells.length - 1].matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...OPERATE_ACTIONS[command as keyof typeof OPERATE_ACTIONS]].sort());
  });
});
