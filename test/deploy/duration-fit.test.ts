// The preview of a batch whose timeout or schedule changes: its recent p95 run duration from CloudWatch
// (the ledger's RunDuration, else Lambda's Duration for a plain batch; never the ledger itself) against
// the new timeout and the new shortest gap, in the result and in the text and Markdown reports.
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { change, engineOptions, fakeAws, liveStack, makeProject, NOW } from './helpers';
import { deployStage, renderMarkdownReport, renderTextReport } from '../../src/deploy';
import { durationFit, timeoutChanges } from '../../src/deploy/duration-fit';
import { durationFitSentence, shortDuration } from '../../src/deploy/report-facts';
import type { ManifestBatch } from '../../src/manifest/manifest';
import { shortestGap } from '../../src/schedule/gaps';

const STACK = 'prod-daily-stats';
const TIMEOUT_CHANGE = change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'Timeout', before: '30', after: '60' }], 'False');
const CODE_CHANGE = change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'Code/S3Key', before: '"a.zip"', after: '"b.zip"' }], 'False');
const SCHEDULE_CHANGE = change('Modify', 'Schedule', 'AWS::Events::Rule', [{ path: 'ScheduleExpression', before: 'cron(0 15 * * ? *)', after: 'cron(0 16 * * ? *)' }], 'False');

/** CloudWatch answering `p95` (ms) of `runs` samples for the ledger's metric, and of Lambda's Duration when `lambda` is given. */
function cloudWatch(ledger?: { p95: number; runs: number }, lambda?: { p95: number; runs: number }) {
  const client = new CloudWatchClient({ region: 'ap-northeast-2' });
  const mock = mockClient(client);
  const point = (x?: { p95: number; runs: number }) => ({ Datapoints: x ? [{ SampleCount: x.runs, ExtendedStatistics: { p95: x.p95 } }] : [] });
  mock.on(GetMetricStatisticsCommand, { Namespace: 'batchform' }).resolves(point(ledger));
  mock.on(GetMetricStatisticsCommand, { Namespace: 'AWS/Lambda' }).resolves(point(lambda));
  return { client, mock };
}

async function preview(changes: ReturnType<typeof change>[], cw: CloudWatchClient, mode: 'preview' | 'deploy' = 'preview') {
  const project = makeProject();
  const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], changeSet: { pages: [changes] } });
  return deployStage(project.inputs(), engineOptions({ ...aws.clients, cloudWatch: cw }, { mode }));
}

describe('a preview whose timeout changes', () => {
  test('reads the ledger\'s p95 of 14 days for the batch\'s stack and sets it against the new timeout and gap, with a warning above 80%', async () => {
    const { client, mock } = cloudWatch({ p95: 52_000, runs: 38 });
    const result = await preview([TIMEOUT_CHANGE], client);

    expect(result.stacks[0].durationFit).toEqual({
      batch: 'daily-stats',
      days: 14,
      source: 'ledger',
      p95Ms: 52_000,
      runs: 38,
      timeoutSeconds: 60,
      timeoutChanged: true,
      gapSeconds: 86_400,
      scheduleChanged: false,
      warnings: ['p95 is over 80% of the new timeout: slower runs would time out'],
    });
    const calls = mock.commandCalls(GetMetricStatisticsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([expect.objectContaining({
      Namespace: 'batchform',
      MetricName: 'RunDuration',
      Dimensions: [{ Name: 'Stack', Value: STACK }],
      StartTime: new Date(NOW.getTime() - 14 * 86_400_000),
      EndTime: NOW,
      Period: 14 * 86_400,
      ExtendedStatistics: ['p95'],
      Statistics: ['SampleCount'],
    })]);

    const line = 'Recent duration of daily-stats: p95 52s over the last 14 days (38 runs) — new timeout 1m: 87% of it; shortest gap 1d.';
    const text = renderTextReport(result).split('\n');
    expect(text).toContain(`  ${line}`);
    expect(text).toContain('  warning: p95 is over 80% of the new timeout: slower runs would time out.');
    const md = renderMarkdownReport(result);
    expect(md).toContain(`${line}\n\n> **⚠️ p95 is over 80% of the new timeout: slower runs would time out.**`);
  });

  test('falls back to Lambda\'s Duration for a plain batch without the ledger metric yet, and says so', async () => {
    const { client, mock } = cloudWatch(undefined, { p95: 4_000, runs: 12 });
    const result = await preview([TIMEOUT_CHANGE], client);
    expect(result.stacks[0].durationFit).toMatchObject({ source: 'lambda', p95Ms: 4_000, runs: 12, warnings: [] });
    expect(mock.commandCalls(GetMetricStatisticsCommand)[1].args[0].input).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: STACK }] });
    expect(renderTextReport(result)).toContain('p95 4s over the last 14 days (12 runs, Lambda Duration: no ledger metric yet) — new timeout 1m: 7% of it; shortest gap 1d.');
  });

  test('without runs it says so in one phrase; a read that fails says why and the preview goes on', async () => {
    const none = await preview([TIMEOUT_CHANGE], cloudWatch().client);
    expect(none.stacks[0].durationFit).toMatchObject({ source: 'none', warnings: [] });
    expect(none.stacks[0].durationFit).not.toHaveProperty('p95Ms');
    expect(renderTextReport(none)).toContain('  Recent duration of daily-stats: no runs recorded in the last 14 days.');

    const denied = new CloudWatchClient({ region: 'ap-northeast-2' });
    mockClient(denied).on(GetMetricStatisticsCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricStatistics'), {
      name: 'AccessDenied', $metadata: { httpStatusCode: 403 },
    }));
    const result = await preview([TIMEOUT_CHANGE], denied);
    expect(result.ok).toBe(true);
    expect(result.stacks[0].outcome).toBe('will-update');
    expect(renderMarkdownReport(result)).toContain('Recent duration of daily-stats: could not be read (AWS AccessDenied: not authorized to perform: cloudwatch:GetMetricStatistics).');
  });
});

test('a schedule change is set against the new shortest gap: a p95 longer than it is a warning', async () => {
  const { client } = cloudWatch({ p95: 90_000_000, runs: 5 });
  const result = await preview([SCHEDULE_CHANGE], client);
  expect(result.stacks[0].durationFit).toMatchObject({ timeoutChanged: false, scheduleChanged: true, gapSeconds: 86_400 });
  expect(result.stacks[0].durationFit?.warnings).toEqual([
    'p95 is over 80% of the new timeout: slower runs would time out',
    'p95 is longer than the new shortest gap: runs would overlap (with overlap \'skip\' the next one is skipped)',
  ]);
  expect(renderTextReport(result)).toContain('p95 1d1h over the last 14 days (5 runs) — timeout 1m: 150000% of it; new shortest gap 1d.');
});

test('nothing is read when neither the timeout nor the schedule changes, nor in a deploy', async () => {
  const code = cloudWatch({ p95: 1_000, runs: 1 });
  const result = await preview([CODE_CHANGE], code.client);
  expect(result.stacks[0].durationFit).toBeUndefined();
  expect(code.mock.commandCalls(GetMetricStatisticsCommand)).toHaveLength(0);
  expect(renderTextReport(result)).not.toContain('Recent duration');

  const deploy = cloudWatch({ p95: 1_000, runs: 1 });
  const project = makeProject();
  const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], changeSet: { pages: [[TIMEOUT_CHANGE]] } });
  await deployStage(project.inputs(), engineOptions({ ...aws.clients, cloudWatch: deploy.client }, { mode: 'deploy' }));
  expect(deploy.mock.commandCalls(GetMetricStatisticsCommand)).toHaveLength(0);
});

test('a durable batch is read from the ledger metric only (its Lambda durations are of single invocations), against its execution timeout', async () => {
  const { client, mock } = cloudWatch(undefined, { p95: 4_000, runs: 12 });
  const batch = { name: 'monthly', schedule: 'cron(0 0 1 * ? *)', timezone: 'UTC', enabled: true, timeout: 900, durable: { executionTimeout: 86_400, retentionDays: 14 } } as ManifestBatch;
  const fit = await durationFit(client, { stackName: 'prod-monthly', batch, timeoutChanged: true, scheduleChanged: false, now: NOW });
  expect(fit).toMatchObject({ source: 'none', timeoutSeconds: 86_400, gapSeconds: 28 * 86_400 });
  expect(mock.commandCalls(GetMetricStatisticsCommand).map((c) => c.args[0].input.Namespace)).toEqual(['batchform']);
  expect(durationFitSentence(fit)).toBe('Recent duration of monthly: no runs recorded in the last 14 days.');
});

test('timeout changes, short durations and the shortest gap', () => {
  expect(timeoutChanges([{ action: 'Modify', logicalId: 'Function', type: 'AWS::Lambda::Function', properties: ['Timeout'] }])).toBe(true);
  expect(timeoutChanges([{ action: 'Modify', logicalId: 'Function', type: 'AWS::Lambda::Function', properties: ['DurableConfig.ExecutionTimeout'] }])).toBe(true);
  expect(timeoutChanges([{ action: 'Modify', logicalId: 'Function', type: 'AWS::Lambda::Function', properties: ['MemorySize'] }])).toBe(false);
  expect([850, 42_000, 252_000, 300_000, 7_500_000, 93_600_000].map(shortDuration)).toEqual(['850ms', '42s', '4m12s', '5m', '2h05m', '1d2h']);
  expect(shortestGap('cron(0 9,17 ? * MON-FRI *)', 'UTC', new Date('2027-01-04T00:00:00Z'))).toBe(8 * 3600);
  expect(shortestGap('rate(10 minutes)', 'UTC', NOW)).toBe(600);
  // Daily in New York across the spring-forward night (2027-03-14): 03:00 comes 23 hours after the
  // day before's; 02:30 does not exist that night and is skipped, which lengthens a gap, never shortens one.
  expect(shortestGap('cron(0 3 * * ? *)', 'America/New_York', new Date('2027-03-01T00:00:00Z'), 30)).toBe(23 * 3600);
  expect(shortestGap('cron(30 2 * * ? *)', 'America/New_York', new Date('2027-03-01T00:00:00Z'), 30)).toBe(24 * 3600);
  expect(shortestGap('at(2027-01-01T00:00:00)', 'UTC', NOW)).toBeUndefined();
});
