// The EventBridge Scheduler shape of a batch template: what a batch with a time zone becomes.
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;

function templatesFor(...batches: Array<Record<string, unknown>>): Record<string, Json> {
  const decl = validateDeclarations({ batches: batches.map((b) => ({ ...BATCH, ...b })) as never, stages: [STAGE] }, { fileExists });
  return batchTemplates(decl.batches) as Record<string, Json>;
}

const all = templatesFor(
  { name: 'seoul', schedule: 'cron(10 0 * * ? *)', timezone: 'Asia/Seoul' },
  {
    name: 'ny',
    schedule: 'cron(0 9 ? * MON-FRI *)',
    timezone: 'America/New_York',
    flexibleWindowMinutes: 15,
    startDate: '2027-01-01T00:00:00-05:00',
    endDate: '2027-12-31T23:59:59-05:00',
    deliveryRetryAttempts: 10,
    maxEventAgeSeconds: 7200,
  },
  { name: 'once', schedule: 'at(2027-06-01T09:00:00)', timezone: 'Europe/Berlin', enabled: false, input: { backfill: '2027-05' } },
  { name: 'utc' },
);
const seoul = all.seoul;
const ny = all.ny;
const once = all.once;
const types = (t: Json) => Object.fromEntries(Object.entries(t.Resources as Json).map(([id, r]) => [id, (r as Json).Type]));

describe('Scheduler template (a batch with a time zone)', () => {
  test('has a schedule, its group and execution role, and no rule or resource permission (it never fires twice)', () => {
    expect(types(seoul)).toMatchObject({
      LocalTimeSchedule: 'AWS::Scheduler::Schedule',
      ScheduleGroup: 'AWS::Scheduler::ScheduleGroup',
      SchedulerRole: 'AWS::IAM::Role',
    });
    expect(Object.values(types(seoul))).not.toContain('AWS::Events::Rule');
    expect(Object.values(types(seoul))).not.toContain('AWS::Lambda::Permission');
    // A UTC batch keeps the rule and has no Scheduler resources.
    expect(Object.values(types(all.utc))).toEqual(expect.arrayContaining(['AWS::Events::Rule', 'AWS::Lambda::Permission']));
    expect(JSON.stringify(all.utc)).not.toMatch(/AWS::Scheduler/);
  });

  test('expression in the batch zone, window off, enabled, in its own group named after the stack', () => {
    expect(seoul.Resources.LocalTimeSchedule.Properties).toMatchObject({
      Name: { Ref: 'AWS::StackName' },
      GroupName: { Ref: 'ScheduleGroup' },
      ScheduleExpression: 'cron(10 0 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Seoul',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    expect(seoul.Resources.LocalTimeSchedule.Properties.StartDate).toBeUndefined();
    expect(seoul.Resources.ScheduleGroup.Properties).toEqual({ Name: { Ref: 'AWS::StackName' } });
  });

  test('flexible window, start and end dates (as UTC instants), target retries and event age', () => {
    const p = ny.Resources.LocalTimeSchedule.Properties;
    expect(p.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    expect(p.StartDate).toBe('2027-01-01T05:00:00.000Z');
    expect(p.EndDate).toBe('2028-01-01T04:59:59.000Z');
    expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
  });

  test('target: the function, through the execution role, dead letters to the batch queue', () => {
    const target = seoul.Resources.LocalTimeSchedule.Properties.Target;
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': ['Function', 'Arn'] },
      RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
    });
  });

  test('without input the function gets a Scheduled Event whose time is the scheduled time', () => {
    const event = JSON.parse(seoul.Resources.LocalTimeSchedule.Properties.Target.Input['Fn::Sub']);
    expect(event).toEqual({
      'version': '0',
      'id': '<aws.scheduler.execution-id>',
      'detail-type': 'Scheduled Event',
      'source': 'aws.scheduler',
      'account': '${AWS::AccountId}',
      'time': '<aws.scheduler.scheduled-time>',
      'region': '${AWS::Region}',
      'resources': ['<aws.scheduler.schedule-arn>'],
      'detail': {},
    });
    expect(once.Resources.LocalTimeSchedule.Properties.Target.Input).toBe('{"backfill":"2027-05"}');
  });

  test('one-time at() schedule, disabled', () => {
    expect(once.Resources.LocalTimeSchedule.Properties).toMatchObject({
      ScheduleExpression: 'at(2027-06-01T09:00:00)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'DISABLED',
    });
    // Disabled in its only stage: nothing to miss.
    expect(once.Resources.MissedRunAlarm).toBeUndefined();
  });

  test('execution role: trusted by scheduler.amazonaws.com for this schedule and account, invokes only its function, capped by the boundary', () => {
    const role = seoul.Resources.SchedulerRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${AWS::StackName}/${AWS::StackName}' } },
      },
    }]);
    expect(role.Policies).toEqual([{
      PolicyName: 'invoke',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'InvokeTheBatch', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['Function', 'Arn'] } }] },
    }]);
    expect(role.PermissionsBoundary).toEqual({ 'Fn::If': ['HasPermissionsBoundary', { Ref: 'PermissionsBoundaryArn' }, { Ref: 'AWS::NoValue' }] });
  });

  test('the dead-letter queue admits the Scheduler (its execution role) instead of the rule', () => {
    const [admit, tls] = seoul.Resources.DeadLetterQueuePolicy.Properties.PolicyDocument.Statement;
    expect(admit).toEqual({
      Sid: 'SchedulerDeadLetters',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] } },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
    });
    expect(tls.Sid).toBe('TlsOnly');
  });

  test('delivery failures alarm on the Scheduler\'s own metric in the batch\'s schedule group', () => {
    expect(seoul.Resources.DeliveryFailedAlarm.Properties).toMatchObject({
      Namespace: 'AWS/Scheduler',
      MetricName: 'TargetErrorCount',
      Dimensions: [{ Name: 'ScheduleGroup', Value: { Ref: 'ScheduleGroup' } }],
    });
    expect(all.utc.Resources.DeliveryFailedAlarm.Properties).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations' });
  });

  test('missed-run and failed-run alarms keep working: the watchdog\'s RunMissed, with start and end dates too (it knows them)', () => {
    const errors = (seoul.Resources.FailedRunAlarm.Properties.Metrics as Array<Record<string, any>>).find((m) => m.Id === 'errors');
    expect(errors?.MetricStat.Metric.MetricName).toBe('Errors');
    expect(seoul.Resources.MissedRunAlarm.Properties).toMatchObject({ Namespace: 'batchform', MetricName: 'RunMissed' });
    expect(ny.Resources.MissedRunAlarm.Properties).toMatchObject({ Namespace: 'batchform', MetricName: 'RunMissed' });
    expect(JSON.stringify(seoul.Resources.MissedRunAlarm.Properties.AlarmDescription)).toContain('check that its schedule is enabled');
  });

  test('outputs the schedule ARN instead of a rule ARN', () => {
    expect(seoul.Outputs.ScheduleArn).toEqual({ Description: 'ARN of the EventBridge Scheduler schedule', Value: { 'Fn::GetAtt': ['LocalTimeSchedule', 'Arn'] } });
    expect(seoul.Outputs.RuleArn).toBeUndefined();
  });
});
