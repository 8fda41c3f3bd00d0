// The template of a durable batch: DurableConfig, the version and alias its executions run on, the
// starter its rule or Scheduler schedule invokes (one execution per scheduled run), the function
// role's execution rights (evaluated as IAM evaluates them), alarms for long runs, cfn-lint and cdk-nag.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { App, Validations } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks } from 'cdk-nag';
import { hasCfnLint, lintTemplates } from '../../src/lint/cfn-lint';
import { executionName, STARTER_SOURCE, startRequest } from '../../src/runtime/starter';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';
import { decide, deployedBootstrap, resolve } from '../iam/simulate';

type Json = Record<string, any>;
const DURABLE = { executionTimeout: 6 * 3600, retentionDays: 30 };
const decl = validateDeclarations({
  batches: [
    { ...BATCH, name: 'utc-durable', timeout: 900, durable: DURABLE },
    { ...BATCH, name: 'seoul-durable', timezone: 'Asia/Seoul', schedule: 'cron(10 0 1 * ? *)', vpc: true, durable: { executionTimeout: 86400 } },
    { ...BATCH, name: 'quiet-durable', alarms: false, durable: DURABLE },
    { ...BATCH, name: 'plain' },
  ],
  stages: [STAGE],
}, { fileExists });
const templates = batchTemplates(decl.batches) as Record<string, Json>;
const utc = templates['utc-durable'];
const seoul = templates['seoul-durable'];
const types = (t: Json) => Object.fromEntries(Object.entries(t.Resources as Json).map(([id, r]) => [id, (r as Json).Type]));

describe('durable batch template', () => {
  test('the function has DurableConfig, its own logical id and a generated name; its logs stay in /aws/lambda/<stack>', () => {
    const fn = utc.Resources.DurableFunction;
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties.DurableConfig).toEqual({ ExecutionTimeout: 21600, RetentionPeriodInDays: 30 });
    expect(fn.Properties.Timeout).toBe(900);
    expect(fn.Properties.FunctionName).toBeUndefined();
    expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: 'LogGroup' });
    expect(utc.Resources.Function).toBeUndefined();
    // Retention defaults to 14 days; a plain batch has no DurableConfig and keeps its name.
    expect(seoul.Resources.DurableFunction.Properties.DurableConfig).toEqual({ ExecutionTimeout: 86400, RetentionPeriodInDays: 14 });
    expect(templates.plain.Resources.Function.Properties.DurableConfig).toBeUndefined();
    expect(templates.plain.Resources.Function.Properties.FunctionName).toEqual({ Ref: 'AWS::StackName' });
    expect(JSON.stringify(templates.plain)).not.toMatch(/Durable|Starter|LiveAlias/);
  });

  test('a published version behind the live alias; a settings or code change publishes a new one, old ones are retained', () => {
    expect(utc.Resources.Version).toMatchObject({ Type: 'AWS::Lambda::Version', UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain', Properties: { FunctionName: { Ref: 'DurableFunction' } } });
    expect(utc.Resources.Version.DependsOn).toContain('DurableExecutionPolicy');
    expect(utc.Resources.LiveAlias.Properties).toMatchObject({ FunctionName: { Ref: 'DurableFunction' }, FunctionVersion: { 'Fn::GetAtt': ['Version', 'Version'] }, Name: 'live' });
    const description = JSON.stringify(utc.Resources.Version.Properties.Description);
    expect(description).toMatch(/\$\{CodeS3Key\} \$\{CodeS3ObjectVersion\}/);
    const other = batchTemplates(validateDeclarations({ batches: [{ ...BATCH, name: 'utc-durable', timeout: 900, memorySize: 1024, durable: DURABLE }], stages: [STAGE] }, { fileExists }).batches)['utc-durable'] as Json;
    expect(JSON.stringify(other.Resources.Version.Properties.Description)).not.toBe(description);
    // Asynchronous retries and dead letters apply to what the starter invokes: the alias.
    expect(utc.Resources.InvokeConfig.Properties).toMatchObject({ FunctionName: { Ref: 'DurableFunction' }, Qualifier: 'live' });
  });

  test('the EventBridge rule (UTC) and the Scheduler schedule (a time zone) invoke the starter, which invokes the alias', () => {
    expect(utc.Resources.Schedule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['Starter', 'Arn'] });
    expect(utc.Resources.InvokePermission.Properties).toMatchObject({ FunctionName: { Ref: 'Starter' }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['Schedule', 'Arn'] } });
    expect(seoul.Resources.LocalTimeSchedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': ['Starter', 'Arn'] });
    expect(seoul.Resources.SchedulerRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual({ 'Fn::GetAtt': ['Starter', 'Arn'] });
    for (const t of [utc, seoul]) {
      expect(t.Resources.Starter.Properties.Environment.Variables.BATCHFORM_DURABLE_TARGET).toEqual({ Ref: 'LiveAlias' });
      // Execution names start with the stack name: Lambda keeps them unique within an account and
      // region, so two stages of the batch there must not share one.
      expect(t.Resources.Starter.Properties.Environment.Variables.BATCHFORM_EXECUTION_PREFIX).toEqual({ Ref: 'AWS::StackName' });
      expect(t.Resources.Starter.Properties.Code.ZipFile).toBe(STARTER_SOURCE);
      expect(t.Resources.StarterInvokeConfig.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    }
    expect(STARTER_SOURCE.length).toBeLessThanOrEqual(4096);
    expect(types(utc)).toMatchObject({ Starter: 'AWS::Lambda::Function', StarterRole: 'AWS::IAM::Role', StarterLogGroup: 'AWS::Logs::LogGroup', LiveAlias: 'AWS::Lambda::Alias' });
  });

  test('alarms for long runs: failed and timed-out executions, one still running at the next, a run not started; missed run unchanged', () => {
    const metric = (id: string) => [utc.Resources[id].Properties.MetricName, utc.Resources[id].Properties.Dimensions[0].Value];
    // Failed: the ledger's consecutive failures, or executions that failed above those the ledger recorded.
    const failed = Object.fromEntries((utc.Resources.FailedRunAlarm.Properties.Metrics as Array<Record<string, any>>).map((m) => [m.Id, m]));
    expect(failed.errors.MetricStat).toEqual({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'DurableExecutionFailed', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'DurableFunction' } }] }, Period: 300, Stat: 'Sum' });
    expect(failed.failures.MetricStat.Metric).toEqual({ Namespace: 'batchform', MetricName: 'ConsecutiveFailures', Dimensions: [{ Name: 'Stack', Value: { Ref: 'AWS::StackName' } }] });
    expect(failed.recorded.MetricStat.Metric.MetricName).toBe('RunFailed');
    expect(failed.failing.Expression).toBe('MAX([IF(FILL(failures, 0) >= 1, 1, 0), IF(FILL(errors, 0) > FILL(recorded, 0), 1, 0)])');
    expect(metric('TimedOutRunAlarm')).toEqual(['DurableExecutionTimedOut', { Ref: 'DurableFunction' }]);
    expect(metric('OverlappingRunAlarm')).toEqual(['ApproximateRunningDurableExecutions', { Ref: 'DurableFunction' }]);
    expect(utc.Resources.OverlappingRunAlarm.Properties).toMatchObject({ Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
    expect(metric('StartFailedAlarm')).toEqual(['Errors', { Ref: 'Starter' }]);
    expect(metric('MissedRunAlarm')).toEqual(['RunMissed', { Ref: 'AWS::StackName' }]);
    const plainMissed = templates.plain.Resources.MissedRunAlarm.Properties;
    const { AlarmDescription: _b, ...durableRest } = utc.Resources.MissedRunAlarm.Properties;
    const { AlarmDescription: _d, ...plainRest } = plainMissed;
    expect(durableRest).toEqual(plainRest);
    expect(Object.keys(templates['quiet-durable'].Resources).filter((id) => id.endsWith('Alarm'))).toEqual([]);
  });
});

describe('one execution per scheduled run (the starter)', () => {
  const event = (time: string, id: string) => ({ 'version': '0', id, 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': '111122223333', time, 'region': 'ap-northeast-2', 'resources': [], 'detail': {} });
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());
  afterAll(() => lambda.restore());

  /** Runs the template's inline starter code as Lambda would, with the mocked client. */
  function inlineStarter(): (e: unknown) => Promise<Json> {
    const module = { exports: {} as Json };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', 'process', STARTER_SOURCE)(require, module, module.exports, { env: { BATCHFORM_DURABLE_TARGET: 'arn:aws:lambda:ap-northeast-2:111122223333:function:f:live', BATCHFORM_EXECUTION_PREFIX: 'prod-utc-durable' } });
    return module.exports.handler;
  }

  test('names the execution after the batch stack and the scheduled time; a duplicate delivery sends the same name and payload', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, DurableExecutionArn: 'arn:x' });
    const handler = inlineStarter();
    await handler(event('2027-02-01T00:10:00Z', 'delivery-1'));
    await handler(event('2027-02-01T00:10:00Z', 'delivery-2'));
    await handler(event('2027-03-01T00:10:00Z', 'delivery-3'));
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.DurableExecutionName)).toEqual(['prod-utc-durable-20270201T001000Z', 'prod-utc-durable-20270201T001000Z', 'prod-utc-durable-20270301T001000Z']);
    expect(calls.map((c) => c.InvocationType)).toEqual(['Event', 'Event', 'Event']);
    expect(calls[0].FunctionName).toMatch(/:live$/);
    expect(Buffer.from(calls[0].Payload as Uint8Array).toString()).toBe(Buffer.from(calls[1].Payload as Uint8Array).toString());
    expect(JSON.parse(Buffer.from(calls[0].Payload as Uint8Array).toString())).toMatchObject({ id: 'prod-utc-durable-20270201T001000Z', time: '2027-02-01T00:10:00Z' });
  });

  test('a run whose execution exists already succeeds without a second start; other errors fail the starter', async () => {
    const handler = inlineStarter();
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('already started'), { name: 'DurableExecutionAlreadyStartedException' }));
    await expect(handler(event('2027-02-01T00:10:00Z', 'd'))).resolves.toEqual({ executionName: 'prod-utc-durable-20270201T001000Z', alreadyStarted: true });
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(handler(event('2027-02-01T00:10:00Z', 'd'))).rejects.toThrow('slow down');
    await expect(handler({ report: 'x' })).rejects.toThrow(/expected an EventBridge Scheduled Event/);
  });

  test('an operator\'s re-run (batchformRerun) gets a new name, "-r<n>", and the batch the same scheduled time without the field', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, DurableExecutionArn: 'arn:x' });
    const handler = inlineStarter();
    await handler(event('2027-02-01T00:10:00Z', 'delivery-1'));
    await expect(handler({ ...event('2027-02-01T00:10:00Z', 'operator'), batchformRerun: 2 })).resolves.toEqual({ executionName: 'prod-utc-durable-20270201T001000Z-r2', executionArn: 'arn:x' });
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.DurableExecutionName)).toEqual(['prod-utc-durable-20270201T001000Z', 'prod-utc-durable-20270201T001000Z-r2']);
    const sent = JSON.parse(Buffer.from(calls[1].Payload as Uint8Array).toString());
    expect(sent).toMatchObject({ id: 'prod-utc-durable-20270201T001000Z-r2', time: '2027-02-01T00:10:00Z' });
    expect(sent).not.toHaveProperty('batchformRerun');
    await expect(handler({ ...event('2027-02-01T00:10:00Z', 'operator'), batchformRerun: 0 })).rejects.toThrow('batchformRerun must be a whole number 1-999, got 0');
    await expect(handler({ ...event('2027-02-01T00:10:00Z', 'operator'), batchformRerun: '1' })).rejects.toThrow('got "1"');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
  });

  test('the inline code and the library agree on names, also for long batch names (64 characters at most)', () => {
    const long = 'a'.repeat(60);
    expect(executionName(long, '2027-02-01T00:10:00Z')).toHaveLength(64);
    // Lambda's pattern for DurableExecutionName (API Execution): [a-zA-Z0-9-_]+, 1-64 characters.
    for (const n of [executionName(long, '2027-02-01T00:10:00Z'), executionName('daily-stats', '2027-12-31T23:59:59.999Z')]) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(executionName('x', '2027-02-01T00:10:00.000+09:00')).toBe('x-20270131T151000Z');
    // Two stages of one batch in one account and region: never the same name for the same run.
    expect(startRequest(event('2027-02-01T00:10:00Z', 'z'), 'arn:t', 'staging-utc-durable').DurableExecutionName).not.toBe(startRequest(event('2027-02-01T00:10:00Z', 'z'), 'arn:t', 'prod-utc-durable').DurableExecutionName);
    expect(startRequest(event('2027-02-01T00:10:00Z', 'z'), 'arn:t', 'prod-utc-durable').DurableExecutionName).toBe('prod-utc-durable-20270201T001000Z');
    // A re-run's suffix shortens the batch name, never the stamp or the suffix.
    expect(executionName(long, '2027-02-01T00:10:00Z', 999)).toBe(`${'a'.repeat(42)}-20270201T001000Z-r999`);
    expect(executionName(long, '2027-02-01T00:10:00Z', 999)).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    const rerun = startRequest({ ...event('2027-02-01T00:10:00Z', 'z'), batchformRerun: 3 }, 'arn:t', 'prod-utc-durable');
    expect(rerun.DurableExecutionName).toBe('prod-utc-durable-20270201T001000Z-r3');
    expect(JSON.parse(rerun.Payload)).not.toHaveProperty('batchformRerun');
  });
});

describe('the durable function role, as IAM evaluates it', () => {
  const ACCOUNT = '111122223333';
  const STACK = 'prod-utc-durable';
  const FN = `arn:aws:lambda:ap-northeast-2:${ACCOUNT}:function:${STACK}-DurableFunction-AbC123`;
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/${STACK}-Role-XYZ`;
  const values = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'ap-northeast-2', 'AWS::Partition': 'aws', 'AWS::StackName': STACK, 'DurableFunction.Arn': FN };
  const policy = resolve(utc.Resources.DurableExecutionPolicy.Properties.PolicyDocument, values);
  const boundary = deployedBootstrap().boundary;
  const asRole = (action: string, resource: string) =>
    decide({ principal: ROLE, action, resource, account: ACCOUNT, identityPolicies: [policy], boundary });

  test('may checkpoint and read its own executions, on any version, within the batch permissions boundary', async () => {
    for (const action of ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState']) {
      expect(await asRole(action, `${FN}:7/durable-execution/utc-durable-20270201T001000Z/abc`)).toBe('Allowed');
    }
  });

  test('not another function\'s executions, and no other Lambda action on its own function', async () => {
    expect(await asRole('lambda:CheckpointDurableExecution', `arn:aws:lambda:ap-northeast-2:${ACCOUNT}:function:prod-other-DurableFunction-Q:1/durable-execution/n/i`)).not.toBe('Allowed');
    expect(await asRole('lambda:UpdateFunctionCode', FN)).not.toBe('Allowed');
    expect(await asRole('lambda:StopDurableExecution', `${FN}:7/durable-execution/n/i`)).not.toBe('Allowed');
  });
});

describe('durable templates pass the linters', () => {
  test('cdk-nag AwsSolutions reports no unacknowledged finding', () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => batchTemplates(decl.batches, (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))).not.toThrow();
    } finally {
      log.mockRestore();
    }
  });

  (hasCfnLint() ? test : test.skip)('cfn-lint reports no error and no warning on the rule and Scheduler shapes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-durable-lint-'));
    try {
      const files = Object.entries(templates).map(([name, t]) => {
        const file = path.join(dir, `${name}.template.json`);
        fs.writeFileSync(file, JSON.stringify(t, null, 2));
        return file;
      });
      const result = lintTemplates(files, { engine: 'cfn-lint' });
      expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
