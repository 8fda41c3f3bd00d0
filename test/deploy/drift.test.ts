// Drift detection before a preview: which stacks are asked, how long the preview waits (on a virtual clock), and that no fault of it fails the preview.
import { DescribeStackResourceDriftsCommand, DetectStackDriftCommand } from '@aws-sdk/client-cloudformation';
import { change, engineOptions, fakeAws, FakeAwsOptions, liveStack, makeProject, NOW } from './helpers';
import { deployStage, renderMarkdownReport, renderTextReport } from '../../src/deploy';
import { detectStackDrift, resolveDriftDetection } from '../../src/deploy/drift';
import { secretsOf } from '../../src/deploy/values';

const STACK = 'prod-daily-stats';

/** A clock that only moves when the engine sleeps: bounded waits cost no real time. */
function virtualClock() {
  let seconds = 0;
  const sleeps: number[] = [];
  return {
    now: () => new Date(NOW.getTime() + seconds * 1000),
    sleep: async (s: number) => {
      sleeps.push(s);
      seconds += s;
    },
    sleeps,
    elapsed: () => seconds,
  };
}

/** A preview of one changed, existing stack with `drift` as its drift detection. */
async function preview(drift: FakeAwsOptions['drift'], extra: Parameters<typeof engineOptions>[1] = {}, live = [liveStack(STACK, 'UPDATE_COMPLETE', 'old')]) {
  const project = makeProject();
  const clock = virtualClock();
  const aws = fakeAws({
    live,
    drift,
    changeSet: { pages: [[change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'MemorySize', before: '128', after: '256' }], 'False')]] },
  });
  const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview', now: clock.now, sleep: clock.sleep, ...extra }));
  return { result, aws, clock, ops: aws.sent.map(([op]) => op) };
}

const serviceError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

test('a changed live stack is asked before its change set; the drifted resources are read in pages, filtered to MODIFIED and DELETED', async () => {
  const { result, aws, ops } = await preview({
    [STACK]: {
      statuses: ['DETECTION_IN_PROGRESS', 'DETECTION_IN_PROGRESS', 'DETECTION_COMPLETE'],
      pages: [
        [{ LogicalResourceId: 'Function', ResourceType: 'AWS::Lambda::Function', StackResourceDriftStatus: 'MODIFIED', PropertyDifferences: [{ PropertyPath: '/Timeout', ExpectedValue: '60', ActualValue: '300', DifferenceType: 'NOT_EQUAL' }] }],
        [{ LogicalResourceId: 'Schedule', ResourceType: 'AWS::Events::Rule', StackResourceDriftStatus: 'DELETED', PropertyDifferences: [] }],
      ],
    },
  });
  expect(ops.indexOf('DetectStackDrift')).toBeLessThan(ops.indexOf('CreateChangeSet'));
  expect(ops.filter((o) => o === 'DescribeStackDriftDetectionStatus')).toHaveLength(3);
  const reads = aws.cfn.commandCalls(DescribeStackResourceDriftsCommand).map((c) => c.args[0].input);
  expect(reads).toHaveLength(2);
  for (const input of reads) expect(input.StackResourceDriftStatusFilters).toEqual(['MODIFIED', 'DELETED']);
  expect(result.ok).toBe(true);
  expect(result.stacks[0].drift).toEqual({
    checked: true,
    resources: [
      { logicalId: 'Function', type: 'AWS::Lambda::Function', status: 'MODIFIED', properties: [{ path: 'Timeout', change: 'NOT_EQUAL', expected: '60', actual: '300' }] },
      { logicalId: 'Schedule', type: 'AWS::Events::Rule', status: 'DELETED', properties: [] },
    ],
  });
  const md = renderMarkdownReport(result);
  expect(md).toContain('- ⚠️ **changed by hand**: `Function` (`AWS::Lambda::Function`) in `prod-daily-stats`: this change updates it, so the deploy may overwrite the hand change.\n  - `Timeout`: template `60` → live `300`');
  expect(md).toContain('- ⚠️ **deleted by hand**: `Schedule` (`AWS::Events::Rule`) in `prod-daily-stats`: this change does not touch it; it stays missing until its stack is fixed.');
  expect(md.indexOf('### ⚠️ Changed outside CloudFormation (drift)')).toBeLessThan(md.indexOf('### `prod-daily-stats`'));
  const text = renderTextReport(result);
  expect(text.split('\n')[2]).toBe('⚠️ changed outside CloudFormation: prod-daily-stats Function (changed by hand), prod-daily-stats Schedule (deleted by hand)');
  expect(text).toContain('    Timeout: template 60 -> live 300');
});

test('an in-sync stack reads no resource drifts, and the report says it was checked', async () => {
  const { result, ops } = await preview({});
  expect(ops).toContain('DetectStackDrift');
  expect(ops).not.toContain('DescribeStackResourceDrifts');
  expect(result.stacks[0].drift).toEqual({ checked: true, resources: [] });
  expect(renderMarkdownReport(result)).toContain('### Drift\n\n- 1 stack checked without drift: its live resources match its template.');
  expect(renderMarkdownReport(result)).not.toContain('Changed outside CloudFormation');
});

describe('drift detection is bounded and never fails the preview', () => {
  test('still running after the budget: the preview goes on, the report says why in one line, no real time passes', async () => {
    const { result, clock, ops } = await preview({ [STACK]: { statuses: ['DETECTION_IN_PROGRESS'] } }, { drift: { maxWaitTime: 60, pollInterval: 7 } });
    expect(result.ok).toBe(true);
    expect(result.stacks[0].outcome).toBe('will-update');
    expect(result.stacks[0].changes).toHaveLength(1);
    expect(clock.elapsed()).toBe(60);
    // Seven-second pauses, the last one cut to the budget.
    expect(clock.sleeps).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
    expect(ops.filter((o) => o === 'DescribeStackDriftDetectionStatus')).toHaveLength(10);
    expect(result.stacks[0].drift).toEqual({ checked: false, reason: 'drift detection was still running after 1 min (the preview\'s drift budget)' });
    const md = renderMarkdownReport(result);
    expect(md).toContain('### Drift\n\n- Drift of `prod-daily-stats` could not be checked: drift detection was still running after 1 min (the preview\'s drift budget).\n');
    expect(renderTextReport(result)).toContain('  drift of prod-daily-stats could not be checked: drift detection was still running after 1 min');
  });

  test('the default budget is 60 s, polled every 3 s', async () => {
    const { clock } = await preview({ [STACK]: { statuses: ['DETECTION_IN_PROGRESS'] } });
    expect(clock.elapsed()).toBe(60);
    expect(clock.sleeps).toHaveLength(20);
  });

  test('a clock that runs while the engine sleeps little (slow answers) still ends the wait', async () => {
    const project = makeProject();
    let t = 0;
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], drift: { [STACK]: { statuses: ['DETECTION_IN_PROGRESS'] } } });
    const drift = await detectStackDrift({
      cloudFormation: aws.clients.cloudFormation,
      timing: resolveDriftDetection({ maxWaitTime: 30, pollInterval: 1 }),
      // Each look at the clock finds it 5 s later: slow answers, little sleep (1 s per poll).
      now: () => new Date(NOW.getTime() + (t += 5) * 1000),
      sleep: async () => undefined,
      stageName: 'prod',
    }, STACK, project.inputs().stacks[0].secrets);
    expect(drift).toEqual({ checked: false, reason: expect.stringContaining('still running after 30 s') });
    // Polls at 5, 10, ... 30 s of clock time: the clock ends the wait long before 30 polls of 1 s would.
    expect(aws.sent.filter(([op]) => op === 'DescribeStackDriftDetectionStatus')).toHaveLength(6);
  });

  test.each([
    ['AccessDenied on DetectStackDrift', { [STACK]: serviceError('AccessDenied', 'User is not authorized to perform: cloudformation:DetectStackDrift', 403) },
      /^AWS AccessDenied: User is not authorized to perform: cloudformation:DetectStackDrift\. The preview role may lack the drift rights: run "npx projen bootstrap:prod" again .* or set driftDetection: false on the stage$/],
    ['throttling while polling', { [STACK]: { statuses: ['DETECTION_IN_PROGRESS', serviceError('Throttling', 'Rate exceeded')] } },
      /^AWS Throttling: Rate exceeded \(AWS kept throttling after the SDK's retries\)$/],
    ['a FAILED detection', { [STACK]: { statuses: ['DETECTION_FAILED'], reason: 'Failed to detect drift on resource [Function]: not authorized to perform lambda:GetFunction' } },
      /^CloudFormation's drift detection failed: Failed to detect drift on resource \[Function\]/],
    ['no network', { [STACK]: { statuses: [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })] } },
      /^cannot reach AWS: .* did not answer while reading the drift detection of prod-daily-stats/],
  ] as const)('%s: the preview succeeds and names the reason', async (_what, drift, reason) => {
    const { result } = await preview(drift as FakeAwsOptions['drift']);
    expect(result.ok).toBe(true);
    expect(result.stacks[0]).toMatchObject({ outcome: 'will-update', drift: { checked: false, reason: expect.stringMatching(reason) } });
    const md = renderMarkdownReport(result);
    // One line, in the drift section.
    expect(md.split('\n').filter((l) => l.startsWith('- Drift of `prod-daily-stats` could not be checked:'))).toHaveLength(1);
  });
});

describe('which stacks are asked', () => {
  test('not a new stack, nor an unchanged one, nor on deploy, nor when turned off', async () => {
    const project = makeProject({ batches: ['daily-stats', 'weekly-report', 'monthly-close'] });
    const inputs = project.inputs();
    const weekly = inputs.stacks.find((s) => s.stack.batch === 'weekly-report')!;
    const live = [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old'), liveStack('prod-weekly-report', 'UPDATE_COMPLETE', weekly.fingerprint)];
    const asked = async (extra: Parameters<typeof engineOptions>[1]) => {
      const aws = fakeAws({ live });
      await deployStage(inputs, engineOptions(aws.clients, { sleep: async () => undefined, ...extra }));
      return aws.cfn.commandCalls(DetectStackDriftCommand).map((c) => c.args[0].input.StackName);
    };
    expect(await asked({ mode: 'preview' })).toEqual(['prod-daily-stats']);
    expect(await asked({ mode: 'preview', drift: false })).toEqual([]);
    expect(await asked({ mode: 'deploy' })).toEqual([]);
  });

  test('a stage with driftDetection false in the manifest is not asked', async () => {
    const project = makeProject();
    const inputs = project.inputs();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')] });
    const result = await deployStage({ ...inputs, stage: { ...inputs.stage, driftDetection: false } }, engineOptions(aws.clients, { mode: 'preview' }));
    expect(aws.cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(0);
    expect(result.stacks[0].drift).toBeUndefined();
    expect(renderMarkdownReport(result)).not.toContain('Drift');
  });
});

describe('secrets in drift', () => {
  const template = JSON.stringify({
    Parameters: { DbPassword: { Type: 'String', NoEcho: true } },
    Resources: {
      Function: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { DB_URL: { 'Fn::Sub': 'postgres://app:${DbPassword}@db/app' } } } } },
      Schedule: { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Input: { 'Fn::Sub': ['{"pw":"${P}"}', { P: { Ref: 'DbPassword' } }] } }] } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q', Tags: [{ Key: 'k', Value: 'v' }] } },
    },
  });
  const secrets = secretsOf(template, { DbPassword: 'hunter2-db-pass' });

  test('the template tells which properties a NoEcho parameter feeds', () => {
    expect(secrets.fed).toEqual({ Function: ['Environment.Variables.DB_URL'], Schedule: ['Targets.0.Input'] });
  });

  test.each([
    ['a function environment value', 'Function', '/Environment/Variables/LOG_LEVEL', '"debug"', '"trace"'],
    ['a whole environment', 'Function', '/Environment', '{"Variables":{"A":"x"}}', '{"Variables":{"A":"y"}}'],
    ['a NoEcho-fed property, by its path', 'Schedule', '/Targets/0/Input', '"{\\"pw\\":\\"****\\"}"', '"{\\"pw\\":\\"typed-in-console\\"}"'],
    ['a property holding what the NoEcho parameter was given', 'Queue', '/QueueName', '"q"', '"q-hunter2-db-pass"'],
  ])('%s is shown as changed, without values', async (_what, logicalId, path, expected, actual) => {
    const aws = fakeAws({ drift: { x: { statuses: ['DETECTION_COMPLETE'], pages: [[{ LogicalResourceId: logicalId, ResourceType: 'AWS::X::Y', StackResourceDriftStatus: 'MODIFIED', PropertyDifferences: [{ PropertyPath: path, ExpectedValue: expected, ActualValue: actual, DifferenceType: 'NOT_EQUAL' }] }]] } } });

    const drift = await detectStackDrift({ cloudFormation: aws.clients.cloudFormation, timing: resolveDriftDetection(), now: () => NOW, sleep: async () => undefined, stageName: 'prod' }, 'x', secrets);
    expect(drift).toEqual({ checked: true, resources: [{ logicalId, type: 'AWS::X::Y', status: 'MODIFIED', properties: [{ path: path.slice(1).split('/').join('.'), change: 'NOT_EQUAL', hidden: true }] }] });
  });

  test('a plain property keeps its values', async () => {
    const aws = fakeAws({ drift: { x: { pages: [[{ LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue', StackResourceDriftStatus: 'MODIFIED', PropertyDifferences: [{ PropertyPath: '/Tags/0/Value', ExpectedValue: '"v"', ActualValue: '"w"', DifferenceType: 'NOT_EQUAL' }] }]] } } });
    const drift = await detectStackDrift({ cloudFormation: aws.clients.cloudFormation, timing: resolveDriftDetection(), now: () => NOW, sleep: async () => undefined, stageName: 'prod' }, 'x', secrets);
    expect(drift).toMatchObject({ resources: [{ properties: [{ path: 'Tags.0.Value', expected: 'v', actual: 'w' }] }] });
  });
});

test('drift timing is checked', () => {
  expect(() => resolveDriftDetection({ maxWaitTime: 0 })).toThrow(/maxWaitTime > 0/);
  expect(resolveDriftDetection({ maxWaitTime: 120 })).toEqual({ maxWaitTime: 120, pollInterval: 3 });
});
