import { parseSchedule } from '../../src/schedule/expression';
import { batchTemplates } from '../../src/template/batch-template';
import { humanDuration, missedRunWindow } from '../../src/template/operation-resources';
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
  test('failed run: Errors > 0 over one run\'s period; no data is not breaching', () => {
    expect(R.FailedRunAlarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Function' } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmName: { 'Fn::Sub': '${AWS::StackName}-failed-run' },
    });
    expect(JSON.stringify(R.FailedRunAlarm.Properties.AlarmDescription)).toContain('batchform batch daily-stats: a run failed');
    expect(templateFor({ timeout: 61 }).Resources.FailedRunAlarm.Properties.Period).toBe(120);
  });

  test('missed run: Invocations < 1 over the schedule\'s window; no data is breaching', () => {
    expect(R.MissedRunAlarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Period: 3600,
      EvaluationPeriods: 25,
    });
    expect(R.MissedRunAlarm.Properties.AlarmDescription).toBe(
      'batchform batch daily-stats: no run in the last 25 hours, though cron(10 15 * * ? *) fires at least every 1 day. ' +
      "Check that the rule is enabled, that the function exists and is not throttled, and the rule's FailedInvocations.");
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

  test('dead letters waiting: the queue\'s visible messages > 0', () => {
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

describe('missed-run window per schedule shape', () => {
  const shape = (expression: string) => missedRunWindow({ schedule: parseSchedule(expression) });

  test.each([
    // expression, longest gap, window, period, evaluation periods
    ['every 5 minutes', 'cron(0/5 * * * ? *)', 300, 600, 60, 10],
    ['every 5 minutes (rate)', 'rate(5 minutes)', 300, 600, 60, 10],
    ['hourly', 'cron(0 * * * ? *)', 3600, 3960, 60, 66],
    ['daily', 'cron(10 15 * * ? *)', 86400, 90000, 3600, 25],
    ['weekdays (Friday to Monday)', 'cron(0 9 ? * MON-FRI *)', 259200, 262800, 3600, 73],
    ['weekly on a weekday, cut to the 7-day limit', 'cron(0 0 ? * MON *)', 604800, 604800, 3600, 168],
  ])('%s: %s', (_title, expression, gap, window, period, periods) => {
    expect(shape(expression)).toEqual({ supported: true, gapSeconds: gap, windowSeconds: window, periodSeconds: period, evaluationPeriods: periods });
  });

  test('monthly on L: the longest gap is 31 days, beyond what a CloudWatch alarm can watch', () => {
    expect(shape('cron(0 0 L * ? *)')).toEqual({
      supported: false,
      gapSeconds: 31 * 86400,
      reason: 'its longest gap between runs (31 days) exceeds the 7 days a CloudWatch alarm can look back',
    });
    expect(templateFor({ schedule: 'cron(0 0 L * ? *)' }).Resources.MissedRunAlarm).toBeUndefined();
  });

  test('a schedule that ends (bounded year) gets no missed-run alarm', () => {
    expect(shape('cron(0 0 1 1 ? 2027-2028)')).toMatchObject({ supported: false, reason: expect.stringContaining('the schedule ends') });
  });

  test('windows never exceed CloudWatch\'s limits', () => {
    for (const e of ['cron(* * * * ? *)', 'cron(0 */2 * * ? *)', 'rate(3 days)', 'rate(7 days)', 'cron(0 12 ? * SAT,SUN *)']) {
      const w = shape(e);
      if (!w.supported) throw new Error(`${e} should be supported`);
      expect(w.periodSeconds * w.evaluationPeriods).toBeLessThanOrEqual(w.periodSeconds < 3600 ? 86400 : 604800);
      expect(w.windowSeconds).toBeGreaterThanOrEqual(Math.min(w.gapSeconds, 604800));
    }
  });

  test('describes durations in words', () => {
    expect([humanDuration(600), humanDuration(3600), humanDuration(90000), humanDuration(86400 * 7)]).toEqual(['10 minutes', '1 hour', '25 hours', '7 days']);
  });
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
