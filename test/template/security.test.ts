import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { bootstrapTemplate } from '../../src/bootstrap/bootstrap-template';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;
const ROOT = path.resolve(__dirname, '../..');

/** Every shape a batch template takes: VPC or not, alarms or not, input, disabled, extra IAM. */
const SHAPES = [
  { ...BATCH, name: 'vpc-job', vpc: true, policyStatements: [{ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-??????'] }] },
  { ...BATCH, name: 'plain-job', input: { report: 'weekly' } },
  { ...BATCH, name: 'quiet-job', alarms: false },
  { ...BATCH, name: 'off-job', enabled: false, schedule: 'cron(0 0 L * ? *)' },
  // EventBridge Scheduler: every option, a one-time run, a VPC batch without alarms.
  { ...BATCH, name: 'local-job', timezone: 'America/New_York', flexibleWindowMinutes: 15, startDate: '2027-01-01T00:00:00-05:00', endDate: '2027-12-31T00:00:00-05:00', deliveryRetryAttempts: 10 },
  { ...BATCH, name: 'once-job', timezone: 'Europe/Berlin', schedule: 'at(2027-06-01T09:00:00)', input: { backfill: true }, enabled: false },
  { ...BATCH, name: 'local-vpc', timezone: 'Australia/Sydney', vpc: true, alarms: false },
  // Per-stage overrides: the stage's values as parameters (rule and Scheduler).
  { ...BATCH, name: 'staged-job', environment: { MODE: 'a' }, overrides: { prod: { schedule: 'rate(1 hour)', enabled: false, memorySize: 1024, timeout: 600, reservedConcurrency: false as const, environment: { MODE: 'b', NEW_ONE: 'c' } } } },
  { ...BATCH, name: 'staged-local', timezone: 'Asia/Seoul', overrides: { prod: { schedule: 'rate(2 hours)', timezone: 'Europe/Berlin' } } },
  // Durable batches, on the rule and on the Scheduler.
  { ...BATCH, name: 'long-job', timeout: 900, durable: { executionTimeout: 6 * 3600 } },
  { ...BATCH, name: 'long-local', timezone: 'Asia/Seoul', vpc: true, durable: { executionTimeout: 86400, retentionDays: 90 } },
];
const decl = validateDeclarations({ batches: SHAPES, stages: [STAGE] }, { fileExists });

function nag(batches = decl.batches): () => void {
  return () => batchTemplates(batches, (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)));
}

describe('cdk-nag AwsSolutions', () => {
  let log: jest.SpyInstance;
  beforeEach(() => { log = jest.spyOn(console, 'error').mockImplementation(() => undefined); });
  afterEach(() => log.mockRestore());

  test('reports no unacknowledged finding on any batch template shape', () => {
    expect(nag()).not.toThrow();
  });

  test('does report a real problem (the check can fail): a wildcard resource in a declared statement', () => {
    const bad = validateDeclarations({ batches: [{ ...BATCH, policyStatements: [{ actions: ['s3:GetObject'], resources: ['*'] }] }], stages: [STAGE] }, { fileExists });
    let message = '';
    try {
      nag(bad.batches)();
    } catch (e) {
      message = (e as Error).message;
    }
    // The report is in the error, or printed before it, depending on the terminal.
    expect(message).not.toBe('');
    expect(`${message}\n${log.mock.calls.flat().join('\n')}`).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  test('reports no unacknowledged finding on the bootstrap template, with or without a repository', () => {
    for (const options of [{ githubRepository: 'batchform/batchform' }, {}]) {
      expect(() => bootstrapTemplate(options, (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))).not.toThrow();
    }
    expect(JSON.stringify(bootstrapTemplate({ githubRepository: 'batchform/batchform' }))).not.toMatch(/cdk_nag|aws:cdk/);
  });

  test('acknowledgements stay out of the generated templates', () => {
    const text = JSON.stringify(batchTemplates(decl.batches));
    expect(text).not.toMatch(/cdk_nag|aws:cdk|acknowledge/i);
  });
});

/** The generated templates of this repository, plus every shape above. */
const templates: Array<[string, Json]> = [
  ...fs.readdirSync(path.join(ROOT, 'cfn-out')).filter((f) => f.endsWith('.template.json'))
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(ROOT, 'cfn-out', f), 'utf8'))] as [string, Json]),
  ...Object.entries(batchTemplates(decl.batches)) as Array<[string, Json]>,
];
const batchOnly = templates.filter(([name]) => !name.startsWith('bootstrap') && name !== 'stage.template.json');
const resources = (t: Json, type: string) =>
  Object.entries(t.Resources as Json).filter(([, r]) => (r as Json).Type === type) as Array<[string, Json]>;
const list = (v: unknown) => (Array.isArray(v) ? v : [v]);

describe.each(batchOnly)('template %s', (_name, t) => {
  test('the function role has no "*" action, and "*" resources only where AWS requires them (VPC network interfaces)', () => {
    for (const [, role] of resources(t, 'AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const st of policy.PolicyDocument.Statement) {
          expect(list(st.Action).some((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toBe(false);
          if (list(st.Resource).includes('*')) {
            expect(st.Sid).toBe('AttachToVpc');
            expect(list(st.Action).every((a) => a.startsWith('ec2:'))).toBe(true);
          }
        }
      }
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('every log group has a retention', () => {
    const groups = resources(t, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  test('every queue and topic is encrypted', () => {
    for (const [, q] of resources(t, 'AWS::SQS::Queue')) expect(q.Properties.SqsManagedSseEnabled === true || !!q.Properties.KmsMasterKeyId).toBe(true);
    for (const [, topic] of resources(t, 'AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });

  test('only its own rule (resource permission with SourceArn and SourceAccount) or its own schedule (a role only that schedule of this account assumes) invokes the function', () => {
    if (resources(t, 'AWS::Scheduler::Schedule').length === 0) {
      const perms = resources(t, 'AWS::Lambda::Permission');
      expect(perms).toHaveLength(1);
      for (const [, p] of perms) {
        expect(p.Properties.Principal).toBe('events.amazonaws.com');
        expect(p.Properties.SourceArn).toEqual({ 'Fn::GetAtt': ['Schedule', 'Arn'] });
        expect(p.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
      }
      return;
    }
    expect(resources(t, 'AWS::Lambda::Permission')).toEqual([]);
    expect(resources(t, 'AWS::Events::Rule')).toEqual([]);
    const [[, role]] = resources(t, 'AWS::IAM::Role').filter(([id]) => id === 'SchedulerRole');
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(trust.Condition.ArnEquals['aws:SourceArn']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${AWS::StackName}/${AWS::StackName}' });
    expect(role.Properties.Policies.map((p: Json) => p.PolicyName)).toEqual(['invoke']);
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      // A durable batch's schedule invokes its starter, which alone invokes the durable function's alias.
      { Sid: 'InvokeTheBatch', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [t.Resources.Starter ? 'Starter' : 'Function', 'Arn'] } },
    ]);
  });
});
