import { humanDuration } from '../../src/model/durations';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;

function templateFor(change: Record<string, unknown> = {}, stage: Record<string, unknown> = {}): Json {
  const decl = validateDeclarations({ batches: [{ ...BATCH, ...change }], stages: [{ ...STAGE, ...stage }] }, { fileExists });
  return batchTemplates(decl.batches)[decl.batches[0].name] as Json;
}

const t = templateFor({ timeout: 300 });
const R = t.Resources;

describe('dead letters and retries', () => {
  test('an encrypted dead-letter queue keeps failed runs for 14 days', () => {
    expect(R.DeadLetterQueue).toEqual({
      Type: 'AWS::SQS::Queue',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
    });
  });

  test('the queue policy lets only this rule send, and only over TLS', () => {
    const [allow, deny] = R.DeadLetterQueuePolicy.Properties.PolicyDocument.Statement;
    expect(R.DeadLetterQueuePolicy.Properties.Queues).toEqual([{ Ref: 'DeadLetterQueue' }]);
    expect(allow).toEqual({
      Sid: 'ScheduleRuleDeadLetters',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Schedule', 'Arn'] } } },
    });
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  test('Lambda retries a failed run once by default, then sends it to the queue', () => {
    expect(R.InvokeConfig.Properties).toEqual({
      FunctionName: { Ref: 'Function' },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    });
    const custom = templateFor({ retryAttempts: 0, maxEventAgeSeconds: 600 }).Resources.InvokeConfig.Properties;
    expect([custom.MaximumRetryAttempts, custom.MaximumEventAgeInSeconds]).toEqual([0, 600]);
  });

  test('EventBridge retries delivery and dead-letters what it cannot deliver', () => {
    expect(R.Schedule.Properties.Targets[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
    });
  });
});

describe('alarms', () => {
  const onStack = [{ Name: 'Stack', Value: { Ref: 'AWS::StackName' } }];
  const notify = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
  /** The metric-math queries of an alarm, by id. */
  const queries = (alarm: Json): Record<string, Json> => Object.fromEntries((alarm.Properties.Metrics as Json[]).map((m) => [m.Id, m]));

  test('failed run: the ledger\'s ConsecutiveFailures >= 1 (the default), or Lambda Errors above the failures the ledger recorded', () => {
    const alarm = R.FailedRunAlarm;
    expect(alarm.Properties).toMatchObject({
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmName: { 'Fn::Sub': '${AWS::StackName}-failed-run' },
      AlarmActions: notify,
      OKActions: notify,
    });
    // A metric-math alarm names no metric of its own.
    expect(alarm.Properties).not.toHaveProperty('MetricName');
    expect(alarm.Properties).not.toHaveProperty('Period');
    const q = queries(alarm);
    expect(q.failures).toEqual({
      Id: 'failures',
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'batchform', MetricName: 'ConsecutiveFailures', Dimensions: onStack }, Period: 300, Stat: 'Maximum' },
    });
    expect(q.recorded.MetricStat).toEqual({ Metric: { Namespace: 'batchform', MetricName: 'RunFailed', Dimensions: onStack }, Period: 300, Stat: 'Sum' });
    expect(q.errors.MetricStat).toEqual({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Function' } }] }, Period: 300, Stat: 'Sum' });
    expect(q.failing).toMatchObject({ ReturnData: true, Expression: 'MAX([IF(FILL(failures, 0) >= 1, 1, 0), IF(FILL(errors, 0) > FILL(recorded, 0), 1, 0)])' });
    expect(Object.values(q).filter((m) => m.ReturnData)).toHaveLength(1);
    expect(JSON.stringify(alarm.Properties.AlarmDescription)).toContain('batchform batch daily-stats: a run failed (the run ledger\'s ConsecutiveFailures reached 1), or a run failed before the run ledger recorded it');
    // The period covers one run (the longest timeout), rounded up to whole minutes.
    expect(queries(templateFor({ timeout: 61 }).Resources.FailedRunAlarm).errors.MetricStat.Period).toBe(120);
  });

  test('failureAlarmAfter: 3 goes off at the third failed scheduled time in a row, and the dead-letter alarm waits for 3 runs too', () => {
    const after3 = templateFor({ failureAlarmAfter: 3 }).Resources;
    expect(queries(after3.FailedRunAlarm).failing.Expression).toBe('MAX([IF(FILL(failures, 0) >= 3, 1, 0), IF(FILL(errors, 0) > FILL(recorded, 0), 1, 0)])');
    expect(JSON.stringify(after3.FailedRunAlarm.Properties.AlarmDescription)).toContain('3 scheduled times in a row failed (the run ledger\'s ConsecutiveFailures reached 3)');
    expect(after3.DeadLettersAlarm.Properties).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(after3.DeadLettersAlarm.Properties.AlarmDescription)).toContain('3 or more runs that failed every retry');
  });

  test('maxDuration: the ledger\'s RunDuration Maximum above it, in milliseconds; none without it', () => {
    expect(R.LongRunAlarm).toBeUndefined();
    const long = templateFor({ timeout: 300, maxDuration: 120 }).Resources.LongRunAlarm;
    expect(long.Properties).toMatchObject({
      Namespace: 'batchform',
      MetricName: 'RunDuration',
      Dimensions: onStack,
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 120_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmName: { 'Fn::Sub': '${AWS::StackName}-long-run' },
      AlarmActions: notify,
      OKActions: notify,
    });
    expect(JSON.stringify(long.Properties.AlarmDescription)).toContain('a run took longer than its maxDuration of 2 minutes');
  });

  test('missed run: the watchdog\'s RunMissed > 0 for this stack, at any cadence (monthly, yearly, a bounded year)', () => {
    expect(R.MissedRunAlarm.Properties).toMatchObject({
      Namespace: 'batchform',
      MetricName: 'RunMissed',
      Dimensions: onStack,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmName: { 'Fn::Sub': '${AWS::StackName}-missed-run' },
      AlarmActions: notify,
    });
    expect(JSON.stringify(R.MissedRunAlarm.Properties.AlarmDescription)).toContain('a scheduled time passed without a run');
    for (const shape of [{ schedule: 'cron(0 0 L * ? *)' }, { schedule: 'cron(0 0 1 1 ? *)' }, { schedule: 'cron(0 0 1 1 ? 2027-2028)' }]) {
      expect(templateFor(shape).Resources.MissedRunAlarm.Properties.MetricName).toBe('RunMissed');
    }
  });

  test('the function is told its stack name, the dimension of its metrics', () => {
    expect(R.Function.Properties.Environment.Variables.BATCHFORM_STACK).toEqual({ Ref: 'AWS::StackName' });
  });

  test('delivery failed: the rule\'s FailedInvocations > 0', () => {
    expect(R.DeliveryFailedAlarm.Properties).toMatchObject({
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: 'Schedule' } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('dead letters waiting: the queue\'s visible messages > 0 (failureAlarmAfter 1)', () => {
    expect(R.DeadLettersAlarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('without e-mail stages, alarms notify the stage\'s topic or nobody, and no topic is made', () => {
    const actions = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
    for (const id of ['FailedRunAlarm', 'MissedRunAlarm', 'DeliveryFailedAlarm', 'DeadLettersAlarm']) {
      expect(R[id].Properties.AlarmActions).toEqual(actions);
      expect(R[id].Properties.OKActions).toEqual(actions);
    }
    expect(t.Parameters.AlarmTopicArn).toMatchObject({ Type: 'String', Default: 'none' });
    expect(t.Parameters.AlarmEmails).toBeUndefined();
    expect(Object.values(R).filter((r) => ['AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::SNS::Subscription'].includes((r as Json).Type))).toEqual([]);
  });

  test('with an e-mail stage, the batch stack still creates no topic, key or subscription: it notifies the stage\'s topic', () => {
    const withEmails = templateFor({}, { alarmEmails: ['oncall@example.com'] });
    const E = withEmails.Resources;
    const actions = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
    for (const id of ['FailedRunAlarm', 'MissedRunAlarm', 'DeliveryFailedAlarm', 'DeadLettersAlarm']) {
      expect(E[id].Properties.AlarmActions).toEqual(actions);
      expect(E[id].Properties.OKActions).toEqual(actions);
    }
    expect(withEmails.Parameters.AlarmEmails).toBeUndefined();
    expect(Object.values(E).filter((r) => ['AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::SNS::Subscription'].includes((r as Json).Type))).toEqual([]);
  });

  test('a batch can opt out of alarms', () => {
    const quiet = templateFor({ alarms: false });
    expect(Object.values(quiet.Resources).filter((r) => ['AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::KMS::Key'].includes((r as Json).Type))).toEqual([]);
    expect(quiet.Parameters.AlarmTopicArn).toBeUndefined();
    expect(Object.keys(quiet.Conditions).sort()).toEqual(['HasPermissionsBoundary', 'PinsCodeVersion']);
    expect(quiet.Resources.DeadLetterQueue).toBeDefined();
  });

  test('a disabled batch gets no missed-run alarm (it never runs), but keeps the others', () => {
    const off = templateFor({ enabled: false }).Resources;
    expect(off.MissedRunAlarm).toBeUndefined();
    expect(off.FailedRunAlarm).toBeDefined();
  });
});

test('describes durations in words', () => {
  expect([humanDuration(600), humanDuration(3600), humanDuration(90000), humanDuration(86400 * 7), humanDuration(90)]).toEqual(['10 minutes', '1 hour', '25 hours', '7 days', '90 seconds']);
});

describe('what the alarms tell the person paged to run', () => {
  /** An alarm description as CloudWatch shows it: the template's Fn::Sub with the stack's values. */
  function shown(description: unknown, stack: string): string {
    if (typeof description === 'string') return description;
    const sub = (description as { 'Fn::Sub': string | [string, Record<string, unknown>] })['Fn::Sub'];
    const [text, vars] = typeof sub === 'string' ? [sub, {}] : sub;
    return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name === 'AWS::StackName') return stack;
      if (!(name in vars)) throw new Error(`\${${name}} is not a variable of the Sub`);
      return name === 'LogGroupName' ? `/aws/lambda/${stack}` : `${stack}-DurableFunction-XyZ789ABCDEF`;
    });
  }
  const durable = templateFor({ name: 'monthly-recompute', timeout: 900, durable: { executionTimeout: 21600, retentionDays: 14 } }).Resources;

  test('the batchform operate tasks, batch and stage filled in, instead of raw aws lambda / aws sqs calls', () => {
    const failed = shown(R.FailedRunAlarm.Properties.AlarmDescription, 'prod-daily-stats');
    expect(failed).toContain('npx projen redrive daily-stats --stage <stage of prod-daily-stats>');
    expect(failed).toContain('npx projen run daily-stats --stage <stage of prod-daily-stats> --time <ISO> --wait');
    expect(failed).toContain('npx projen logs daily-stats --stage <stage of prod-daily-stats> --since 1h (log group /aws/lambda/prod-daily-stats)');
    expect(shown(R.DeadLettersAlarm.Properties.AlarmDescription, 'prod-daily-stats')).toContain('npx projen redrive daily-stats --stage <stage of prod-daily-stats> --list');
    const durableFailed = shown(durable.FailedRunAlarm.Properties.AlarmDescription, 'prod-monthly-recompute');
    expect(durableFailed).toContain('npx projen status --stage <stage of prod-monthly-recompute> --steps');
    expect(durableFailed).toContain('npx projen run monthly-recompute --stage <stage of prod-monthly-recompute> --time <its time> --wait');
    expect(shown(durable.StartFailedAlarm.Properties.AlarmDescription, 'prod-monthly-recompute')).toContain('npx projen redrive monthly-recompute --stage <stage of prod-monthly-recompute>');
    for (const r of ([...Object.values(R), ...Object.values(durable)] as Json[]).filter((x) => x.Type === 'AWS::CloudWatch::Alarm')) {
      expect(JSON.stringify(r.Properties.AlarmDescription)).not.toMatch(/aws lambda invoke|aws sqs receive-message|list-durable-executions|get-durable-execution/);
    }
  });

  test('every description stays within CloudWatch\'s 1024 characters with the stack\'s names filled in', () => {
    const long = `${'p'.repeat(64 - 'monthly-recompute'.length - 1)}-monthly-recompute`;
    for (const [resources, name] of [[R, long.replace('monthly-recompute', 'daily-stats')], [durable, long]] as const) {
      for (const r of (Object.values(resources) as Json[]).filter((x) => x.Type === 'AWS::CloudWatch::Alarm')) {
        expect(shown(r.Properties.AlarmDescription, name).length).toBeLessThanOrEqual(1024);
      }
    }
  });
});
