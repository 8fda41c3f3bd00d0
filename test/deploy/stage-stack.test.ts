// The stage stack in the deploy engine: deployed before the batch stacks, a failed one stops the
// deploy's batch stacks, and the move of existing batch stacks' alarms to the stage topic
// (preview notes and the fixed monthly cost change).
import * as fs from 'fs';
import * as path from 'path';
import { BUCKET, change, engineOptions, fakeAws, liveStack, makeProject, recordTemplateHashes, TestProject } from './helpers';
import { deployStage, loadDeployInputs, renderMarkdownReport, renderTextReport } from '../../src/deploy';
import type { Manifest } from '../../src/manifest/manifest';

const TOPIC = 'arn:aws:sns:ap-northeast-2:111122223333:prod-alarms';

/** A project whose manifest has the stage stack, and whose batch templates take the alarm topic. */
function withStageStack(batches = ['daily-stats', 'weekly-report', 'monthly-recompute']): TestProject {
  const project = makeProject({ batches });
  const dir = project.dir;
  fs.writeFileSync(path.join(dir, 'cfn-out/stage.template.json'), JSON.stringify({
    Parameters: { AlarmEmails: { Type: 'CommaDelimitedList', Default: '' }, AlarmTopicName: { Type: 'String' } },
    Resources: { AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'AlarmTopicName' } } } },
  }, null, 2));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cfn-out/manifest.json'), 'utf8')) as Manifest;
  const stage = manifest.stages[0];
  for (const st of stage.stacks) {
    const file = path.join(dir, st.template);
    const t = JSON.parse(fs.readFileSync(file, 'utf8'));
    t.Parameters.AlarmTopicArn = { Type: 'String', Default: 'none' };
    fs.writeFileSync(file, JSON.stringify(t, null, 2));
    (st.parameters as Record<string, string>).AlarmTopicArn = TOPIC;
  }
  const next: Manifest = {
    ...manifest,
    stages: [{
      ...stage,
      stageStack: {
        stackName: 'prod-stage',
        template: 'cfn-out/stage.template.json',
        parameters: { AlarmEmails: 'oncall@example.com', AlarmTopicName: 'prod-alarms' },
        tags: { 'batchform:stage': 'prod' },
        artifacts: { bucket: BUCKET, keyPrefix: 'batchform/stage' },
      },
    }],
  };
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(next, null, 2));
  // The templates above were changed as "npx projen" would generate them: their record follows.
  recordTemplateHashes(dir, stage.stacks.map((st) => st.batch));
  return { ...project, manifest: next, inputs: () => loadDeployInputs({ stage: 'prod', projectDir: dir }) };
}

/** What an existing batch stack's change set shows when its alarms move to the stage topic. */
const MOVE = [
  change('Modify', 'FailedRunAlarm', 'AWS::CloudWatch::Alarm', [{ path: 'AlarmActions', before: '["arn:aws:sns:ap-northeast-2:111122223333:prod-daily-stats-AlarmTopic-X"]', after: `["${TOPIC}"]`, parameter: 'AlarmTopicArn' }], 'False'),
  change('Remove', 'AlarmEmail1', 'AWS::SNS::Subscription'),
  change('Remove', 'AlarmTopicPolicy', 'AWS::SNS::TopicPolicy'),
  change('Remove', 'AlarmTopic', 'AWS::SNS::Topic'),
  change('Remove', 'AlarmTopicKey', 'AWS::KMS::Key'),
];
/** What the stage stack's first change set shows. */
const CREATE_STAGE = [
  change('Add', 'AlarmTopicKey', 'AWS::KMS::Key'),
  change('Add', 'AlarmTopic', 'AWS::SNS::Topic'),
  change('Add', 'AlarmTopicPolicy', 'AWS::SNS::TopicPolicy'),
  change('Add', 'AlarmEmail1', 'AWS::SNS::Subscription'),
];

describe('the stage stack', () => {
  test('is prepared from the manifest without code, checked like a batch stack', () => {
    const inputs = withStageStack().inputs();
    expect(inputs.stageStack).toMatchObject({ kind: 'stage', stack: { stackName: 'prod-stage' }, parameters: { AlarmTopicName: 'prod-alarms' } });
    expect(inputs.stageStack?.code).toBeUndefined();
    expect(inputs.stageStack?.tags['batchform:fingerprint']).toMatch(/^[0-9a-f]{64}$/);
    expect(inputs.stacks.map((s) => s.stack.stackName)).toEqual(['prod-daily-stats', 'prod-weekly-report', 'prod-monthly-recompute']);
  });

  test('deploys before every batch stack: its change set is executed and settled before any batch stack\'s is created', async () => {
    const names = ['prod-stage', 'prod-daily-stats', 'prod-weekly-report', 'prod-monthly-recompute'];
    const aws = fakeAws({ byName: Object.fromEntries(names.map((n) => [n, [liveStack(n, 'CREATE_COMPLETE')]])) });
    const result = await deployStage(withStageStack().inputs(), engineOptions(aws.clients, { concurrency: 8 }));
    expect(result.ok).toBe(true);
    expect(result.stacks.map((s) => [s.stackName, s.outcome, s.stageStack ?? false])).toEqual([
      ['prod-stage', 'created', true], ['prod-daily-stats', 'created', false], ['prod-weekly-report', 'created', false], ['prod-monthly-recompute', 'created', false],
    ]);
    const order = aws.sent.filter(([op]) => op === 'CreateChangeSet' || op === 'ExecuteChangeSet').map(([op, input]) => `${op} ${input.StackName}`);
    const stageExecuted = order.indexOf('ExecuteChangeSet prod-stage');
    expect(stageExecuted).toBeGreaterThan(order.indexOf('CreateChangeSet prod-stage'));
    for (const n of names.slice(1)) expect(order.indexOf(`CreateChangeSet ${n}`)).toBeGreaterThan(stageExecuted);
  });

  test('a failed stage stack stops the deploy\'s batch stacks: none is sent to CloudFormation', async () => {
    const aws = fakeAws({ changeSets: { 'prod-stage': { status: 'FAILED', reason: 'Template format error' } } });
    const result = await deployStage(withStageStack().inputs(), engineOptions(aws.clients));
    expect(result.ok).toBe(false);
    expect(result.stacks[0]).toMatchObject({ stackName: 'prod-stage', outcome: 'failed' });
    for (const s of result.stacks.slice(1)) {
      expect(s.outcome).toBe('failed');
      expect(s.error).toMatch(/^not deployed: the stage stack prod-stage, which this stack's alarms depend on, failed/);
    }
    expect(aws.sent.filter(([op, input]) => op === 'CreateChangeSet' && input.StackName !== 'prod-stage')).toEqual([]);
  });

  test('an unchanged stage stack costs one DescribeStacks like any other (fingerprint)', async () => {
    const project = withStageStack(['daily-stats']);
    const inputs = project.inputs();
    const aws = fakeAws({ live: [liveStack('prod-stage', 'UPDATE_COMPLETE', inputs.stageStack!.fingerprint), liveStack('prod-daily-stats', 'UPDATE_COMPLETE', inputs.stacks[0].fingerprint)] });
    const result = await deployStage(inputs, engineOptions(aws.clients));
    expect(result.stacks.map((s) => [s.stackName, s.outcome, s.unchangedBy])).toEqual([['prod-stage', 'unchanged', 'fingerprint'], ['prod-daily-stats', 'unchanged', 'fingerprint']]);
    expect(aws.sent.map(([op]) => op)).toEqual(['DescribeStacks']);
  });
});

describe('existing batch stacks move their alarms to the stage topic', () => {
  const live = ['daily-stats', 'weekly-report', 'monthly-recompute'].map((b) => liveStack(`prod-${b}`, 'UPDATE_COMPLETE', 'old'));
  const changeSets = {
    'prod-stage': { pages: [CREATE_STAGE] },
    'prod-daily-stats': { pages: [MOVE] },
    'prod-weekly-report': { pages: [MOVE] },
    'prod-monthly-recompute': { pages: [MOVE] },
  };

  test('the preview creates the stage stack first and says, per batch stack, how the move keeps every alarm', async () => {
    const aws = fakeAws({ live, changeSets });
    const result = await deployStage(withStageStack().inputs(), engineOptions(aws.clients, { mode: 'preview', drift: false }));
    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([
      ['prod-stage', 'will-create'], ['prod-daily-stats', 'will-update'], ['prod-weekly-report', 'will-update'], ['prod-monthly-recompute', 'will-update'],
    ]);
    for (const s of result.stacks.slice(1)) {
      const note = s.notes.find((n) => n.startsWith('Alarms move to'));
      expect(note).toBe(`Alarms move to the alarm topic ${TOPIC}, shared by every batch of the stage. ` +
        'The stage stack prod-stage, which holds the stage\'s one topic, key and e-mail subscriptions, is deployed first. ' +
        'In this stack\'s one change set the alarms are updated in place to notify it (none is deleted or recreated, so no alarm and no alarm state is lost), ' +
        'then its own topic, key and e-mail subscriptions are removed (the key is scheduled for deletion after KMS\'s 30-day waiting period). ' +
        'Each address gets one e-mail per stage to confirm the stage topic\'s subscription: until it is confirmed, notifications reach nobody by e-mail ' +
        '(the alarms still show in CloudWatch and in npx projen status).');
    }
    expect(result.stacks[0].notes.some((n) => n.startsWith('Alarms move'))).toBe(false);
    // 3 keys go, 1 comes: the fixed cost falls by 2 keys.
    const line = 'Fixed monthly cost: −2.00 USD/month (−2 KMS keys: −2.00 USD/month), at ap-northeast-2 list prices of 2026-12-07 before free tiers ' +
      '(see docs/guides/costs.md); runs and log volume not included.';
    const text = renderTextReport(result);
    const markdown = renderMarkdownReport(result);
    for (const report of [text, markdown]) {
      expect(report).toContain(line);
      expect(report).toContain('Alarms move to the alarm topic');
      expect(report).toContain('The stage stack: what every batch of the stage shares');
    }
    // The stage stack's section comes before the batch stacks'.
    expect(text.indexOf('prod-stage: will be created')).toBeLessThan(text.indexOf('prod-daily-stats: will be updated'));
  });

  test('a batch stack whose change set keeps its topic gets no move note', async () => {
    const aws = fakeAws({ live, changeSets: { ...changeSets, 'prod-weekly-report': { pages: [[MOVE[0]]] } } });
    const result = await deployStage(withStageStack().inputs(), engineOptions(aws.clients, { mode: 'preview', drift: false }));
    const weekly = result.stacks.find((s) => s.stackName === 'prod-weekly-report')!;
    expect(weekly.notes.filter((n) => n.startsWith('Alarms move'))).toEqual([]);
  });
});

describe('the fixed monthly cost line of a preview', () => {
  test('+2 alarms: +0.20 USD/month', async () => {
    const aws = fakeAws({
      changeSets: {
        'prod-stage': { pages: [[]] },
        'prod-daily-stats': { pages: [[change('Add', 'MissedRunAlarm', 'AWS::CloudWatch::Alarm'), change('Add', 'DeadLettersAlarm', 'AWS::CloudWatch::Alarm')]] },
      },
    });
    const result = await deployStage(withStageStack(['daily-stats']).inputs(), engineOptions(aws.clients, { mode: 'preview', drift: false }));
    expect(renderTextReport(result)).toContain('Fixed monthly cost: +0.20 USD/month (+2 alarms: +0.20 USD/month), at ap-northeast-2 list prices');
  });

  test('no line when no priced resource changes, and a replaced alarm counts nothing', async () => {
    const aws = fakeAws({
      changeSets: { 'prod-daily-stats': { pages: [[change('Modify', 'FailedRunAlarm', 'AWS::CloudWatch::Alarm', [{ path: 'AlarmName', recreation: 'Always' }], 'True')]] } },
    });
    const result = await deployStage(withStageStack(['daily-stats']).inputs(), engineOptions(aws.clients, { mode: 'preview', drift: false }));
    expect(renderTextReport(result)).not.toContain('Fixed monthly cost');
    expect(renderMarkdownReport(result)).not.toContain('Fixed monthly cost');
  });
});
