// batchform status: each batch assembled from its stack's tags, its run ledger (dynalite, started by this test, with seeded
// records), the alarms and the dead-letter queue; a table for people, JSON for scripts.
import * as fs from 'fs';
import * as path from 'path';
import { DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, ListDurableExecutionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { commandDeps, deployDurable, DURABLE_FUNCTION, fakeDurableLambda, fakeLedger, makeOperateProject, mockOperateClients, NOW, outputsOf } from './helpers';
import { runStatusCommand } from '../../src/cli/operate-commands';
import { FINGERPRINT_TAG } from '../../src/deploy/fingerprint';
import { RunRecord } from '../../src/model/ledger';
import { BatchStatus } from '../../src/operate';
import { percentile, summarizeRuns } from '../../src/operate/run-summary';
import { makeProject } from '../deploy/helpers';
import { LocalDynamo, startDynalite } from '../ledger/dynalite';

const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json' };

function stack(name: string, fingerprint?: string) {
  return { Stacks: [{ StackName: `prod-${name}`, StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: NOW, Outputs: outputsOf(name), Tags: fingerprint ? [{ Key: FINGERPRINT_TAG, Value: fingerprint }] : [] }] };
}

let dynamo: LocalDynamo;
const TABLE = 'prod-batchform-ledger';
const PAUSED_BY = 'arn:aws:sts::111122223333:assumed-role/oncall/ana';

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedger(TABLE);
  const doc = DynamoDBDocumentClient.from(dynamo.client);
  const put = (item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: TABLE, Item: item }));
  const run = (batch: string, at: string, status: RunRecord['status'], extra: Partial<RunRecord> = {}) =>
    put({ batch, run: at, status, attempts: 1, trigger: 'schedule', ...extra });
  // utc-job: two failures after a success, a missed and a skipped time, duplicates, and a run older than the window.
  await put({ batch: 'utc-job', run: '#lease', holder: '2026-11-25T03:00:00.000Z', owner: 'req-9', until: 0 });
  await run('utc-job', '2026-11-25T03:00:00.000Z', 'failed', { durationMs: 4_000, endedAt: '2026-11-25T03:00:05.000Z', error: 'Error: boom' });
  await run('utc-job', '2026-11-24T03:00:00.000Z', 'failed', { durationMs: 3_000, attempts: 3 });
  await run('utc-job', '2026-11-23T03:00:00.000Z', 'succeeded', { durationMs: 60_000 });
  await run('utc-job', '2026-11-22T03:00:00.000Z', 'missed');
  await run('utc-job', '2026-11-21T03:00:00.000Z', 'skipped-overlap');
  await run('utc-job', '2026-11-20T03:00:00.000Z', 'succeeded', { durationMs: 120_000, duplicates: 2 });
  await run('utc-job', '2026-10-01T03:00:00.000Z', 'succeeded', { durationMs: 1 });
  // zoned-job: paused after its last run; the next scheduled time was skipped.
  await put({ batch: 'zoned-job', run: '#pause', paused: true, note: 'db migration', by: PAUSED_BY, pausedAt: '2026-11-24T12:00:00.000Z' });
  await run('zoned-job', '2026-11-25T07:30:00.000Z', 'skipped-paused');
  await run('zoned-job', '2026-11-24T07:30:00.000Z', 'succeeded', { durationMs: 61_500, endedAt: '2026-11-24T07:31:02.500Z' });
});
afterAll(async () => { await dynamo.stop(); });

/** Mocked clients reading the seeded ledger. */
function ledgerClients() {
  const { clients, mocks } = mockOperateClients();
  return { clients: { ...clients, dynamodb: dynamo.client }, mocks };
}

test('assembled from the run ledger, alarms, queue and stack; the stage\'s batches each read on their own', async () => {
  const dir = makeOperateProject();
  const { clients, mocks } = ledgerClients();
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-utc-job' }).resolves(stack('utc-job', 'f-live'));
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-input-job' }).rejects(Object.assign(new Error('Stack with id prod-input-job does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
  mocks.cw.on(DescribeAlarmsCommand).callsFake(async (input) => ({
    MetricAlarms: input.AlarmNames.map((name: string) => ({ AlarmName: name, StateValue: name.endsWith('failed-run') && name.startsWith('prod-utc-job') ? 'ALARM' : 'OK' })),
  }));
  mocks.sqs.on(GetQueueAttributesCommand).callsFake(async (input) => ({ Attributes: { ApproximateNumberOfMessages: input.QueueUrl.includes('prod-utc-job') ? '2' : '0' } }));
  const { deps, out } = commandDeps(dir, clients);

  expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
  const json = JSON.parse(out[0]) as { stage: string; batches: BatchStatus[]; note?: string };
  expect(json.stage).toBe('prod');
  const [utc, zoned, input] = json.batches;
  expect(utc).toMatchObject({
    batch: 'utc-job',
    stackStatus: 'UPDATE_COMPLETE',
    deployed: 'unknown',
    liveFingerprint: 'f-live',
    nextRun: '2026-11-26T03:00:00.000Z',
    enabled: true,
    alarms: [
      { name: 'prod-utc-job-failed-run', state: 'ALARM' }, { name: 'prod-utc-job-missed-run', state: 'OK' },
      { name: 'prod-utc-job-delivery-failed', state: 'OK' }, { name: 'prod-utc-job-dead-letters', state: 'OK' },
      { name: 'prod-utc-job-long-run', state: 'OK' },
    ],
    deadLetters: 2,
    problems: [],
  });
  // The window: 30 days back from now; the run of October is older, so it counts only for the last run and the row of failures.
  expect(utc.ledger).toEqual({
    table: TABLE,
    window: { days: 30, from: '2026-10-26T09:43:12.345Z', to: NOW.toISOString(), records: 6, capped: false },
    lastRun: expect.objectContaining({ scheduled: '2026-11-25T03:00:00.000Z', status: 'failed', endedAt: '2026-11-25T03:00:05.000Z', durationMs: 4_000, error: 'Error: boom' }),
    consecutiveFailures: 2,
    // Nearest rank over the 4 ended runs of the window (3 s, 4 s, 60 s, 120 s).
    duration: { runs: 4, p50Ms: 4_000, p95Ms: 120_000 },
    counts: { succeeded: 2, failed: 2, running: 0, missed: 1, skippedOverlap: 1, skippedPaused: 0, skippedDuplicate: 2 },
    paused: null,
  });
  // 02:30 in New York (UTC-5 in November) is 07:30 UTC; its last run is the one before the pause, not the skipped time.
  expect(zoned).toMatchObject({ batch: 'zoned-job', nextRun: '2026-11-26T07:30:00.000Z', deadLetters: 0 });
  expect(zoned.ledger).toMatchObject({
    lastRun: { scheduled: '2026-11-24T07:30:00.000Z', scheduledLocal: '2026-11-24 02:30 (America/New_York, UTC-05:00)', status: 'succeeded' },
    consecutiveFailures: 0,
    counts: { succeeded: 1, skippedPaused: 1, missed: 0 },
    paused: { note: 'db migration', by: PAUSED_BY, since: '2026-11-24T12:00:00.000Z' },
  });
  // No stack: nothing read, nothing claimed.
  expect(input).toMatchObject({ batch: 'input-job', deployed: 'missing' });
  expect(input).not.toHaveProperty('deadLetters');
  expect(input).not.toHaveProperty('ledger');
  // Without packaged zips this commit's fingerprints are unknown, and the JSON says why.
  expect(json.note).toContain('this commit\'s fingerprints are unknown (bundles file');
  // No metric is read to guess runs any more.
  expect(mocks.cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);

  out.length = 0;
  expect(await runStatusCommand(opts, deps)).toBe(0);
  const table = out[0].split('\n');
  expect(table[1].split(/\s{2,}/)).toEqual(['batch', 'deployed', 'last run', 'failed in a row', 'p50 / p95 (runs)', '30 days', 'next run', 'alarms', 'dead letters']);
  expect(table[3].split(/\s{2,}/)).toEqual([
    'utc-job', 'fingerprint unknown', '2026-11-25 03:00 UTC failed', '2', '4.0 s / 2 min 0 s (4)', '2 ok, 2 failed, 1 missed, 3 skipped', '2026-11-26T03:00:00Z', 'failed-run=ALARM', '2',
  ]);
  expect(table[4].split(/\s{2,}/)).toEqual([
    'zoned-job', 'fingerprint unknown', '2026-11-24 07:30 UTC succeeded', '0', '1 min 2 s / 1 min 2 s (1)', '1 ok, 0 failed, 0 missed, 1 skipped', 'PAUSED', 'all OK', '0',
  ]);
  // No stack: nothing to read, so nothing is claimed (neither "none" nor 0).
  expect(table[5].split(/\s{2,}/)).toEqual(['input-job', 'NOT DEPLOYED', '-', '-', '-', '-', '2026-11-25T10:43:12Z', '-', '-']);
  expect(table.slice(6, 9)).toEqual([
    'utc-job: last run 2026-11-25 03:00 UTC: failed, ended 2026-11-25T03:00:05.000Z after 4.0 s: Error: boom',
    'zoned-job: last run 2026-11-24 02:30 (America/New_York, UTC-05:00) = 07:30 UTC: succeeded, ended 2026-11-24T07:31:02.500Z after 1 min 2 s',
    `zoned-job: PAUSED since 2026-11-24T12:00:00.000Z by ${PAUSED_BY}: "db migration"; its scheduled times are skipped until it is resumed.`,
  ]);
});

test('reads each batch\'s own partition with Query, newest first, and the pause record by its key (GetItem)', async () => {
  const dir = makeOperateProject();
  const { clients, mocks } = ledgerClients();
  mocks.cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  const sent: Array<Record<string, unknown>> = [];
  clients.dynamodb.middlewareStack.add((next) => async (args) => {
    sent.push(args.input as Record<string, unknown>);
    return next(args);
  }, { step: 'initialize', name: 'recordLedgerQueries' });
  const { deps } = commandDeps(dir, clients);
  try {
    expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
  } finally {
    clients.dynamodb.middlewareStack.remove('recordLedgerQueries');
  }
  const utc = sent.filter((q) => (q.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':batch'] === 'utc-job'
    || (q.Key as Record<string, unknown> | undefined)?.batch === 'utc-job');
  expect(utc).toEqual([
    expect.objectContaining({ TableName: TABLE, KeyConditionExpression: '#batch = :batch AND #run BETWEEN :from AND :to', ScanIndexForward: false, Limit: 100 }),
    expect.objectContaining({ TableName: TABLE, Key: { batch: 'utc-job', run: '#pause' }, ConsistentRead: true }),
  ]);
});

test('counts and durations say so when the newest records reach back less than the window', () => {
  const now = new Date('2026-11-25T00:00:00Z');
  const records: RunRecord[] = Array.from({ length: 200 }, (_, i) => ({
    batch: 'minutely', run: new Date(now.getTime() - (i + 1) * 60_000).toISOString(), status: 'succeeded', attempts: 1, trigger: 'schedule', durationMs: i + 1,
  }));
  const summary = summarizeRuns(records, { table: TABLE, timezone: 'UTC', now, capped: true });
  expect(summary.window).toEqual({ days: 30, from: '2026-11-24T20:40:00.000Z', to: now.toISOString(), records: 200, capped: true });
  // Nearest rank: the 100th and the 190th of 1..200 ms.
  expect(summary.duration).toEqual({ runs: 200, p50Ms: 100, p95Ms: 190 });
  expect(percentile([7], 0.95)).toBe(7);
});

test('deployed "current" when the stack\'s fingerprint tag is this commit\'s, "stale" when not', async () => {
  const project = makeProject({ batches: ['daily-stats', 'weekly-report'] });
  const expected = Object.fromEntries(project.inputs().stacks.map((s) => [s.stack.stackName, s.fingerprint]));
  const { clients, mocks } = mockOperateClients();
  const outputs = (name: string) => outputsOf('utc-job').map((o) => ({ ...o, OutputValue: o.OutputValue.replace('utc-job', name) }));
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-daily-stats' }).resolves({ Stacks: [{ StackName: 'prod-daily-stats', StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Outputs: outputs('daily-stats'), Tags: [{ Key: FINGERPRINT_TAG, Value: expected['prod-daily-stats'] }] }] });
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-weekly-report' }).resolves({ Stacks: [{ StackName: 'prod-weekly-report', StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Outputs: outputs('weekly-report'), Tags: [{ Key: FINGERPRINT_TAG, Value: 'an-older-one' }] }] });
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  const { deps, out } = commandDeps(project.dir, clients);
  expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
  const json = JSON.parse(out[0]) as { batches: BatchStatus[]; note?: string };
  expect(json.note).toBeUndefined();
  expect(json.batches.map((b) => [b.batch, b.deployed])).toEqual([['daily-stats', 'current'], ['weekly-report', 'stale']]);
  expect(json.batches[1]).toMatchObject({ liveFingerprint: 'an-older-one', expectedFingerprint: expected['prod-weekly-report'] });
});

test('a batch whose ledger cannot be read still shows the rest, lists the problem with its fix, and exits 1', async () => {
  const dir = makeOperateProject();
  const { clients, mocks } = mockOperateClients();
  mocks.cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '4' } });
  // A stage whose ledger table does not exist yet.
  const missing = fakeLedger({ name: 'ResourceNotFoundException', message: 'Requested resource not found' });
  const { deps, out } = commandDeps(dir, { ...clients, dynamodb: missing });
  expect(await runStatusCommand(opts, deps)).toBe(1);
  expect(out[0]).toContain('utc-job: ledger: could not read the run ledger prod-batchform-ledger: AWS ResourceNotFoundException: Requested resource not found. The stage has no ledger yet');
  const row = out[0].split('\n')[3].split(/\s{2,}/);
  expect(row.slice(2, 6)).toEqual(['could not read', 'could not read', 'could not read', 'could not read']);
  expect(row.pop()).toBe('4');
});

describe('what could not be read shows as unknown, never as zero (text and JSON)', () => {
  const denied = (what: string) => Object.assign(new Error(`not authorized to perform: ${what}`), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

  test('ledger, alarms and the dead-letter queue all unreadable', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    const ledger = fakeLedger({ name: 'AccessDeniedException', message: 'User is not authorized to perform: dynamodb:Query' });
    mocks.cw.on(DescribeAlarmsCommand).rejects(denied('cloudwatch:DescribeAlarms'));
    mocks.sqs.on(GetQueueAttributesCommand).rejects(denied('sqs:GetQueueAttributes'));

    const text = commandDeps(dir, { ...clients, dynamodb: ledger });
    expect(await runStatusCommand(opts, text.deps)).toBe(1);
    const row = text.out[0].split('\n')[3].split(/\s{2,}/);
    expect(row[0]).toBe('utc-job');
    expect(row.slice(2, 6)).toEqual(['could not read', 'could not read', 'could not read', 'could not read']);
    expect(row.slice(7)).toEqual(['could not read', 'could not read']);
    expect(text.out[0]).not.toMatch(/\bnone\b|0 ok, 0 failed/);
    expect(text.out[0]).toContain('utc-job: ledger: could not read the run ledger prod-batchform-ledger: AWS AccessDeniedException: User is not authorized to perform: dynamodb:Query. Use the stage\'s operator role');
    expect(text.out[0]).toContain('utc-job: alarms: AWS AccessDenied: not authorized to perform: cloudwatch:DescribeAlarms');
    expect(text.out[0]).toContain('utc-job: dead letters: AWS AccessDenied: not authorized to perform: sqs:GetQueueAttributes');

    const json = commandDeps(dir, { ...clients, dynamodb: ledger });
    expect(await runStatusCommand({ ...opts, json: true }, json.deps)).toBe(1);
    const utc = (JSON.parse(json.out[0]) as { batches: BatchStatus[] }).batches.find((b) => b.batch === 'utc-job')!;
    expect(utc).toMatchObject({ ledger: null, alarms: null, deadLetters: null });
    expect(utc.problems).toHaveLength(3);
  });

  test('an empty ledger is "none", not unread; a queue answer without a count is unread', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    mocks.cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    const { deps, out } = commandDeps(dir, clients);
    expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(1);
    const utc = (JSON.parse(out[0]) as { batches: BatchStatus[] }).batches.find((b) => b.batch === 'utc-job')!;
    expect(utc.ledger).toMatchObject({
      lastRun: null, consecutiveFailures: 0, duration: null, paused: null, counts: { succeeded: 0, failed: 0, missed: 0 },
    });
    expect(utc.deadLetters).toBeNull();
    expect(utc.problems).toEqual([expect.stringContaining('SQS gave no ApproximateNumberOfMessages')]);
  });
});

describe('a durable batch', () => {
  function setup() {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    deployDurable(mocks);
    const fake = fakeDurableLambda(mocks.lambda);
    fake.add('prod-utc-job-20261123T030000Z', {}, { statuses: ['SUCCEEDED'] });
    fake.add('prod-utc-job-20261124T030000Z', {}, { statuses: ['FAILED'], error: { ErrorType: 'StepError', ErrorMessage: 'chunk 7: timeout' } });
    fake.add('prod-utc-job-20261125T030000Z', {}, { statuses: ['RUNNING'] });
    mocks.cw.on(DescribeAlarmsCommand).callsFake(async (input) => ({ MetricAlarms: input.AlarmNames.map((name: string) => ({ AlarmName: name, StateValue: 'OK' })) }));
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    return { dir, clients, mocks };
  }

  test('lists its running executions and the recent finished ones with their outcome, in JSON and in the table', async () => {
    const { dir, clients, mocks } = setup();
    const { deps, out } = commandDeps(dir, clients);
    expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
    const utc = (JSON.parse(out[0]) as { batches: BatchStatus[] }).batches[0];
    expect(utc.executions).toEqual({
      running: [expect.objectContaining({ name: 'prod-utc-job-20261125T030000Z', status: 'RUNNING', started: '2026-11-25T09:43:13.000Z' })],
      recent: [
        expect.objectContaining({ name: 'prod-utc-job-20261124T030000Z', status: 'FAILED', error: 'StepError: chunk 7: timeout', ended: '2026-11-25T10:13:13.000Z' }),
        expect.objectContaining({ name: 'prod-utc-job-20261123T030000Z', status: 'SUCCEEDED' }),
      ],
    });
    // A plain batch has none.
    expect((JSON.parse(out[0]) as { batches: BatchStatus[] }).batches[1]).not.toHaveProperty('executions');
    // Asked of the function (every version): RUNNING, and the ended ones of the last 7 days.
    const lists = mocks.lambda.commandCalls(ListDurableExecutionsByFunctionCommand).map((c) => c.args[0].input);
    expect(lists).toEqual(expect.arrayContaining([
      expect.objectContaining({ FunctionName: DURABLE_FUNCTION, Statuses: ['RUNNING'] }),
      expect.objectContaining({ FunctionName: DURABLE_FUNCTION, Statuses: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'], StartedAfter: new Date(NOW.getTime() - 7 * 86_400_000), MaxItems: 5 }),
    ]));
    // Its alarms are the durable set.
    const alarmNames = mocks.cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames).find((n) => n?.[0].startsWith('prod-utc-job'));
    expect(alarmNames).toEqual(['failed-run', 'timed-out-run', 'still-running', 'start-failed', 'missed-run', 'delivery-failed', 'dead-letters', 'long-run'].map((a) => `prod-utc-job-${a}`));

    out.length = 0;
    expect(await runStatusCommand(opts, deps)).toBe(0);
    const table = out[0].split('\n');
    expect(table[1].split(/\s{2,}/).pop()).toBe('executions');
    expect(table[3].split(/\s{2,}/).pop()).toBe('1 running, last FAILED');
    expect(table[4].split(/\s{2,}/).pop()).toBe('-');
    expect(table).toContain('utc-job: running prod-utc-job-20261125T030000Z RUNNING (since 2026-11-25T09:43:13.000Z)');
    expect(table).toContain('utc-job: ended prod-utc-job-20261124T030000Z FAILED (2026-11-25T09:43:13.000Z - 2026-11-25T10:13:13.000Z): StepError: chunk 7: timeout');
  });

  test('--steps: each listed execution\'s steps from its history, read without starting anything', async () => {
    const { dir, clients, mocks } = setup();
    const { deps } = commandDeps(dir, clients);
    expect(await runStatusCommand({ ...opts, steps: true }, deps)).toBe(0);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    // A running execution with a history: its steps so far.
    const { clients: c2, mocks: m2 } = mockOperateClients();
    deployDurable(m2);
    const fake = fakeDurableLambda(m2.lambda);
    fake.add('prod-utc-job-20261125T030000Z', {}, {
      statuses: ['RUNNING'],
      history: [
        { EventType: 'StepStarted', EventId: 2, Id: 's1', Name: 'chunk-1', EventTimestamp: new Date('2026-11-25T09:43:14Z') },
        { EventType: 'StepSucceeded', EventId: 3, Id: 's1', Name: 'chunk-1', EventTimestamp: new Date('2026-11-25T09:50:00Z') },
        { EventType: 'StepStarted', EventId: 4, Id: 's2', Name: 'chunk-2', EventTimestamp: new Date('2026-11-25T09:50:01Z') },
      ],
    });
    m2.cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    m2.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    const second = commandDeps(dir, c2);
    expect(await runStatusCommand({ ...opts, steps: true, json: true }, second.deps)).toBe(0);
    expect((JSON.parse(second.out[0]) as { batches: BatchStatus[] }).batches[0].executions?.running[0].steps).toEqual([
      { name: 'chunk-1', kind: 'Step', status: 'SUCCEEDED', started: '2026-11-25T09:43:14.000Z', ended: '2026-11-25T09:50:00.000Z' },
      { name: 'chunk-2', kind: 'Step', status: 'STARTED', started: '2026-11-25T09:50:01.000Z' },
    ]);
    second.out.length = 0;
    expect(await runStatusCommand({ ...opts, steps: true }, second.deps)).toBe(0);
    const table = second.out[0].split('\n');
    const at = table.indexOf('utc-job: running prod-utc-job-20261125T030000Z RUNNING (since 2026-11-25T09:43:13.000Z)');
    expect(table.slice(at + 1, at + 3)).toEqual([
      '  Step chunk-1: SUCCEEDED 2026-11-25T09:43:14.000Z - 2026-11-25T09:50:00.000Z',
      '  Step chunk-2: STARTED 2026-11-25T09:50:01.000Z',
    ]);
  });

  test('executions that cannot be listed are a problem of that batch: exit 1, the rest shown', async () => {
    const { dir, clients, mocks } = setup();
    mocks.lambda.on(ListDurableExecutionsByFunctionCommand).rejects(Object.assign(new Error('not authorized to perform: lambda:ListDurableExecutionsByFunction'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const { deps, out } = commandDeps(dir, clients);
    expect(await runStatusCommand(opts, deps)).toBe(1);
    expect(out[0]).toContain('utc-job: executions: AWS AccessDeniedException: not authorized to perform: lambda:ListDurableExecutionsByFunction');
  });
});

describe('stacks of batches no longer declared', () => {
  /** The fixture's manifest with a project identity. */
  function withProject(): string {
    const dir = makeOperateProject();
    const file = path.join(dir, 'cfn-out/manifest.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), project: 'acme-batches' }));
    return dir;
  }
  /** No declared stack is deployed: DescribeStacks of any other name says it does not exist. */
  const noStacks = (mocks: ReturnType<typeof mockOperateClients>['mocks']) => mocks.cfn.on(DescribeStacksCommand)
    .rejects(Object.assign(new Error('Stack with id x does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
  const tags = (project: string, stage: string, batch: string) =>
    [{ Key: 'batchform:project', Value: project }, { Key: 'batchform:stage', Value: stage }, { Key: 'batchform:batch', Value: batch }];

  test('are listed while they still run (only this project\'s and stage\'s), as a table and in --json', async () => {
    const dir = withProject();
    const { clients, mocks } = mockOperateClients();
    noStacks(mocks);
    mocks.cfn.on(ListStacksCommand).resolves({
      StackSummaries: ['prod-utc-job', 'prod-old-job', 'prod-their-job', 'prod-eu-old-job', 'staging-old-job', 'prod-handmade'].map((StackName) => ({
        StackName, StackStatus: 'CREATE_COMPLETE', CreationTime: NOW,
      })),
    });
    const live = (StackName: string, Tags: Array<{ Key: string; Value: string }>) => ({ Stacks: [{ StackName, StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: NOW, Tags }] });
    mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-old-job' }).resolves(live('prod-old-job', tags('acme-batches', 'prod', 'old-job')));
    mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-their-job' }).resolves(live('prod-their-job', tags('someone-else', 'prod', 'their-job')));
    mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-eu-old-job' }).resolves(live('prod-eu-old-job', tags('acme-batches', 'prod-eu', 'old-job')));
    mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-handmade' }).resolves(live('prod-handmade', []));
    const { deps, out } = commandDeps(dir, clients);

    expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
    expect(JSON.parse(out[0]).undeclared).toEqual([{ stackName: 'prod-old-job', batch: 'old-job', stackStatus: 'UPDATE_COMPLETE' }]);
    // Only names with the stage's prefix that the manifest does not declare are read.
    const read = mocks.cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName);
    expect(read).not.toContain('staging-old-job');
    expect(read.filter((n) => n === 'prod-old-job')).toHaveLength(1);

    out.length = 0;
    expect(await runStatusCommand(opts, deps)).toBe(0);
    const lines = out[0].split('\n');
    const at = lines.indexOf('not declared, still in stage prod (its schedule keeps running it):');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  prod-old-job (batch old-job, UPDATE_COMPLETE)');
    expect(lines[at + 2]).toContain('npx projen deploy --stage prod --allow-removal');
    expect(out[0]).not.toMatch(/their-job|prod-eu-old-job|prod-handmade/);
  });

  test('a listing that fails is a problem (exit 1), the batches still shown', async () => {
    const dir = withProject();
    const { clients, mocks } = mockOperateClients();
    noStacks(mocks);
    mocks.cfn.on(ListStacksCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:ListStacks'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { deps, out } = commandDeps(dir, clients);

    expect(await runStatusCommand(opts, deps)).toBe(1);
    expect(out[0]).toContain('utc-job');
    expect(out[0]).toContain('stacks no longer declared could not be listed: AWS AccessDenied');
  });

  test('a manifest without a project identity lists nothing and calls no ListStacks', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    noStacks(mocks);
    const { deps, out } = commandDeps(dir, clients);

    expect(await runStatusCommand({ ...opts, json: true }, deps)).toBe(0);
    expect(JSON.parse(out[0]).undeclared).toEqual([]);
    expect(mocks.cfn.commandCalls(ListStacksCommand)).toHaveLength(0);
  });
});
