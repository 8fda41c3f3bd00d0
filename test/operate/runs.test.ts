// batchform runs: a batch's history read from the stage's run ledger on a real DynamoDB-compatible
// server (dynalite, started by this test) with seeded records: newest first, the scheduled time in
// the batch's zone and in UTC, status, duration, attempts, trigger, --json, paging, and the lease
// item and other batches left out.
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { commandDeps, makeOperateProject, mockOperateClients } from './helpers';
import { runRunsCommand } from '../../src/cli/operate-commands';
import { RunRecord } from '../../src/model/ledger';
import { formatDuration } from '../../src/operate/runs';
import { LocalDynamo, startDynalite } from '../ledger/dynalite';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  // The stage's table, as ledgerTableName names it for stack prefix "prod".
  await dynamo.createLedger('prod-batchform-ledger');
  const doc = DynamoDBDocumentClient.from(dynamo.client);
  const put = (item: Partial<RunRecord> & Record<string, unknown>) => doc.send(new PutCommand({ TableName: 'prod-batchform-ledger', Item: item }));
  await put({ batch: 'zoned-job', run: '#lease', holder: '2026-11-24T07:30:00.000Z', owner: 'req-3', until: 0 });
  await put({
    batch: 'zoned-job',
    run: '2026-11-22T07:30:00.000Z',
    status: 'succeeded',
    attempts: 1,
    trigger: 'schedule',
    durationMs: 61_500,
    startedAt: '2026-11-22T07:30:01.000Z',
    endedAt: '2026-11-22T07:31:02.500Z',
    requestId: 'req-1',
    logStream: '2026/11/22/[$LATEST]abc',
  });
  await put({
    batch: 'zoned-job',
    run: '2026-11-23T07:30:00.000Z',
    status: 'failed',
    attempts: 2,
    duplicates: 1,
    trigger: 'schedule',
    durationMs: 4_200,
    error: 'Error: connection refused by db.internal:5432',
  });
  await put({ batch: 'zoned-job', run: '2026-11-24T07:30:00.000Z', status: 'succeeded', attempts: 1, trigger: 'backfill', durationMs: 820 });
  await put({
    batch: 'zoned-job',
    run: '2026-11-24T07:35:00.000Z',
    status: 'skipped-overlap',
    attempts: 1,
    trigger: 'schedule',
    durationMs: 0,
    error: 'the run of 2026-11-24T07:30:00.000Z was still running (its lease lasts until 2026-11-24T07:40:00.000Z); overlap: \'skip\'',
  });
  // Another batch's run of the same time: never listed for zoned-job.
  await put({ batch: 'utc-job', run: '2026-11-24T07:30:00.000Z', status: 'succeeded', attempts: 1, trigger: 'schedule', durationMs: 10 });
  // 130 runs of utc-job for paging.
  for (let i = 0; i < 130; i++) {
    await put({ batch: 'utc-job', run: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), status: 'succeeded', attempts: 1, trigger: 'schedule', durationMs: i });
  }
});
afterAll(async () => { await dynamo.stop(); });

function deps() {
  const { clients } = mockOperateClients();
  return commandDeps(dir, { ...clients, dynamodb: dynamo.client });
}

test('prints the history newest first: scheduled time in the batch\'s zone and UTC, status, duration, attempts, trigger, and why a run failed or was skipped', async () => {
  const { deps: d, out } = deps();
  expect(await runRunsCommand('zoned-job', opts, d)).toBe(0);
  expect(out.join('\n')).toBe([
    'runs of zoned-job in stage prod, newest first:',
    'scheduled (America/New_York)  scheduled (UTC)   status           duration   attempts    trigger',
    '2026-11-24 02:35              2026-11-24 07:35  skipped-overlap  0 ms       1           schedule',
    '  the run of 2026-11-24T07:30:00.000Z was still running (its lease lasts until 2026-11-24T07:40:00.000Z); overlap: \'skip\'',
    '2026-11-24 02:30              2026-11-24 07:30  succeeded        820 ms     1           backfill',
    '2026-11-23 02:30              2026-11-23 07:30  failed           4.2 s      2 (+1 dup)  schedule',
    '  Error: connection refused by db.internal:5432',
    '2026-11-22 02:30              2026-11-22 07:30  succeeded        1 min 2 s  1           schedule',
  ].join('\n'));
});

test('--json: every record\'s facts, with the scheduled time in UTC and in the zone', async () => {
  const { deps: d, out } = deps();
  expect(await runRunsCommand('zoned-job', { ...opts, json: true, limit: '2' }, d)).toBe(0);
  const json = JSON.parse(out.join('\n'));
  expect(json).toMatchObject({ stage: 'prod', batch: 'zoned-job', table: 'prod-batchform-ledger', timezone: 'America/New_York' });
  expect(json.runs).toEqual([
    expect.objectContaining({ scheduled: '2026-11-24T07:35:00.000Z', scheduledLocal: '2026-11-24 02:35 (America/New_York, UTC-05:00)', status: 'skipped-overlap', attempts: 1, duplicates: 0 }),
    expect.objectContaining({ scheduled: '2026-11-24T07:30:00.000Z', status: 'succeeded', durationMs: 820, trigger: 'backfill' }),
  ]);
});

test('--from/--to bound the scheduled times; a UTC batch shows one time column', async () => {
  const { deps: d, out } = deps();
  expect(await runRunsCommand('utc-job', { ...opts, from: '2026-01-01T01:00:00Z', to: '2026-01-01T03:00:00Z' }, d)).toBe(0);
  expect(out.join('\n')).toBe([
    'runs of utc-job in stage prod, newest first:',
    'scheduled (UTC)   status     duration  attempts  trigger',
    '2026-01-01 02:00  succeeded  2 ms      1         schedule',
    '2026-01-01 01:00  succeeded  1 ms      1         schedule',
  ].join('\n'));
});

test('follows pages up to --limit (more than one Query page of 100)', async () => {
  const { deps: d, out } = deps();
  expect(await runRunsCommand('utc-job', { ...opts, json: true, limit: '125' }, d)).toBe(0);
  const runs = JSON.parse(out.join('\n')).runs as Array<{ scheduled: string }>;
  expect(runs).toHaveLength(125);
  expect(runs[0].scheduled).toBe('2026-11-24T07:30:00.000Z');
  expect(new Set(runs.map((r) => r.scheduled)).size).toBe(125);
});

test('a batch without runs, an unknown batch, a bad --limit, and a stage without a ledger table', async () => {
  const { deps: d1, out } = deps();
  expect(await runRunsCommand('input-job', opts, d1)).toBe(0);
  expect(out).toEqual(['no runs of input-job in the run ledger of stage prod.']);
  const { deps: d2, err: err2 } = deps();
  expect(await runRunsCommand('utc-job', { ...opts, limit: '0' }, d2)).toBe(2);
  expect(err2.join('\n')).toContain('--limit "0" is not a positive whole number');
  const { deps: d3, err: err3 } = deps();
  expect(await runRunsCommand('nightly', opts, d3)).not.toBe(0);
  expect(err3.join('\n')).toContain('nightly');
  const { clients } = mockOperateClients();
  const empty = commandDeps(dir, { ...clients, dynamodb: dynamo.client });
  // A stage whose bootstrap has not created the ledger yet.
  const { DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
  await dynamo.client.send(new DeleteTableCommand({ TableName: 'prod-batchform-ledger' }));
  expect(await runRunsCommand('utc-job', opts, empty.deps)).not.toBe(0);
  expect(empty.err.join('\n')).toMatch(/could not read the run ledger prod-batchform-ledger: .*The stage has no ledger yet: deploy the stage .*its stage stack <stackPrefix>-stage holds the ledger table/);
});

test('durations read as a person reads them', () => {
  expect([undefined, 0, 999, 1500, 59_949, 61_500, 3_725_000].map(formatDuration)).toEqual(['-', '0 ms', '999 ms', '1.5 s', '59.9 s', '1 min 2 s', '1 h 2 min']);
});
