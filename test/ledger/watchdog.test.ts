// The missed-run watchdog on a virtual clock (the test sets each pass's `now`, every 15 minutes as
// deployed) against a real DynamoDB-compatible server (dynalite, started by this test): a monthly
// run that never came is reported once its grace ends and not before, DST-skipped local times are
// never expected, paused batches are not reported, each stage checks its own schedule, a run that
// happened is not missed, and passes never count a time twice.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite, LocalDynamo } from './dynalite';
import { PAUSE_SORT_KEY, RunRecord } from '../../src/model/ledger';
import {
  DEFAULT_MISSED_RUN_GRACE_MINUTES, missedRunGraceMinutes, watchdogConfig, watchdogConfigJson, WatchedBatch, WATCHDOG_LOOK_BACK_MS,
} from '../../src/model/watchdog';
import { RunLedger } from '../../src/runtime/ledger';
import { BatchCheck, checkMissedRuns, watchdogHandler } from '../../src/runtime/watchdog';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
beforeAll(async () => {
  dynamo = await startDynalite();
  doc = DynamoDBDocumentClient.from(dynamo.client);
});
afterAll(async () => { await dynamo.stop(); });

const MINUTE = 60_000;
const PASS_EVERY = 15 * MINUTE;

function watched(overrides: Partial<WatchedBatch> = {}): WatchedBatch {
  return {
    batch: 'monthly-report',
    stack: 'acme-prod-monthly-report',
    schedule: 'cron(0 6 1 * ? *)',
    timezone: 'UTC',
    enabled: true,
    graceMinutes: DEFAULT_MISSED_RUN_GRACE_MINUTES,
    keyedBy: 'scheduled-time',
    ...overrides,
  };
}

/** One watchdog pass at `now` (after a pass at `since`), with the metric lines it printed. */
async function pass(tableName: string, batches: readonly WatchedBatch[], now: number, since?: number) {
  const lines: string[] = [];
  const checks = await checkMissedRuns({
    stage: 'prod',
    tableName,
    retentionDays: 90,
    batches,
    client: dynamo.client,
    now: () => now,
    since: since === undefined ? undefined : new Date(since),
    log: (l) => lines.push(l),
  });
  return { checks, metrics: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/**
 * The deployed watchdog on a virtual clock: a pass every 15 minutes from `start` to `end`, each
 * after the previous one. Returns every pass's time and what it found.
 */
async function everyQuarterHour(tableName: string, batches: readonly WatchedBatch[], start: string, end: string) {
  const passes: Array<{ at: string; checks: BatchCheck[]; metrics: Array<Record<string, unknown>> }> = [];
  let previous: number | undefined;
  for (let now = Date.parse(start); now <= Date.parse(end); now += PASS_EVERY) {
    const found = await pass(tableName, batches, now, previous);
    passes.push({ at: new Date(now).toISOString(), ...found });
    previous = now;
  }
  return passes;
}

async function record(tableName: string, batch: string, run: string): Promise<RunRecord | undefined> {
  return (await doc.send(new GetCommand({ TableName: tableName, Key: { batch, run } }))).Item as RunRecord | undefined;
}

async function seed(tableName: string, item: Record<string, unknown>): Promise<void> {
  await doc.send(new PutCommand({ TableName: tableName, Item: item }));
}

const succeeded = (batch: string, run: string) => ({ batch, run, status: 'succeeded', attempts: 1, trigger: 'schedule' });

describe('a monthly batch whose run never came', () => {
  test('raises RunMissed (value 1, its stack as the dimension) at the first pass after the grace, and not before', async () => {
    const table = await dynamo.createLedger();
    const passes = await everyQuarterHour(table, [watched()], '2027-01-31T00:00:00Z', '2027-02-02T00:00:00Z');
    const reporting = passes.filter((p) => p.metrics.length > 0);
    // The run was due 2027-02-01T06:00Z; the grace (15 minutes) ends at 06:15, the pass at 06:15 reports it.
    expect(reporting.map((p) => p.at)).toEqual(['2027-02-01T06:15:00.000Z']);
    expect(reporting[0].metrics).toEqual([expect.objectContaining({
      Stack: 'acme-prod-monthly-report',
      RunMissed: 1,
      missed: ['2027-02-01T06:00:00.000Z'],
      _aws: expect.objectContaining({
        CloudWatchMetrics: [{ Namespace: 'batchform', Dimensions: [['Stack']], Metrics: [{ Name: 'RunMissed', Unit: 'Count' }] }],
      }),
    })]);
    // Before the grace ended nothing was recorded either.
    const before = passes.filter((p) => p.at < '2027-02-01T06:15:00.000Z');
    expect(before.every((p) => p.checks.every((c) => c.missed.length === 0))).toBe(true);
    const missed = await record(table, 'monthly-report', '2027-02-01T06:00:00.000Z');
    expect(missed).toMatchObject({ status: 'missed', attempts: 0, trigger: 'schedule' });
    expect(missed?.error).toContain('within 15 minutes');
  });

  test('a batch with a longer grace is reported only when its own grace ends; a late run then takes the missed record over', async () => {
    const table = await dynamo.createLedger();
    const passes = await everyQuarterHour(table, [watched({ graceMinutes: 120 })], '2027-02-01T05:00:00Z', '2027-02-01T10:00:00Z');
    expect(passes.filter((p) => p.metrics.length > 0).map((p) => p.at)).toEqual(['2027-02-01T08:00:00.000Z']);
    // The run arrives after all (a delivery retry): the runtime claims the missed time as its first attempt.
    const ledger = new RunLedger({ tableName: table, batch: 'monthly-report', client: dynamo.client, now: () => Date.parse('2027-02-01T10:05:00Z') });
    const claim = await ledger.claim({ scheduledTime: new Date('2027-02-01T06:00:00Z'), owner: 'req-late', timeoutMs: 60_000, trigger: 'schedule' });
    expect(claim).toMatchObject({ outcome: 'run', attempt: 1 });
  });

  test('a yearly batch, and a batch past its end date, are covered the same way', async () => {
    const table = await dynamo.createLedger();
    const yearly = watched({ batch: 'yearly-close', stack: 'acme-prod-yearly-close', schedule: 'cron(0 0 1 1 ? *)', timezone: 'Asia/Seoul' });
    const ended = watched({ batch: 'ended', stack: 'acme-prod-ended', schedule: 'cron(0 * * * ? *)', endDate: '2026-12-31T12:00:00.000Z' });
    const { metrics, checks } = await pass(table, [yearly, ended], Date.parse('2026-12-31T16:00:00Z'), Date.parse('2026-12-31T12:00:00Z'));
    // 2027-01-01 00:00 in Seoul is 2026-12-31T15:00Z; the hourly batch ended at noon UTC.
    expect(metrics.map((m) => [m.Stack, m.RunMissed])).toEqual([['acme-prod-yearly-close', 1]]);
    expect(checks.find((c) => c.batch === 'ended')?.expected).toEqual([]);
  });
});

describe('daylight saving', () => {
  test('a spring-forward local time that does not exist (02:30 in New York on 2027-03-14) is not expected, so not reported missed', async () => {
    const table = await dynamo.createLedger();
    const daily = watched({ batch: 'night', stack: 'acme-prod-night', schedule: 'cron(30 2 * * ? *)', timezone: 'America/New_York' });
    // The runs that did happen: the 13th (EST, 07:30Z) and the 15th (EDT, 06:30Z).
    await seed(table, succeeded('night', '2027-03-13T07:30:00.000Z'));
    await seed(table, succeeded('night', '2027-03-15T06:30:00.000Z'));
    const passes = await everyQuarterHour(table, [daily], '2027-03-13T00:00:00Z', '2027-03-16T00:00:00Z');
    expect(passes.flatMap((p) => p.metrics)).toEqual([]);
    const expected = passes.flatMap((p) => p.checks.flatMap((c) => c.expected));
    expect(expected).toEqual(['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
  });

  test('a fall-back local time that happens twice (01:30 in New York on 2027-11-07) is expected once, at the first', async () => {
    const table = await dynamo.createLedger();
    const daily = watched({ batch: 'night', stack: 'acme-prod-night', schedule: 'cron(30 1 * * ? *)', timezone: 'America/New_York' });
    await seed(table, succeeded('night', '2027-11-07T05:30:00.000Z'));
    const passes = await everyQuarterHour(table, [daily], '2027-11-07T00:00:00Z', '2027-11-07T12:00:00Z');
    expect(passes.flatMap((p) => p.checks.flatMap((c) => c.expected))).toEqual(['2027-11-07T05:30:00.000Z']);
    expect(passes.flatMap((p) => p.metrics)).toEqual([]);
  });
});

describe('paused batches', () => {
  test('a time while the batch is paused is not reported missed; after resume the next missing time is', async () => {
    const table = await dynamo.createLedger();
    const daily = watched({ batch: 'daily', stack: 'acme-prod-daily', schedule: 'cron(0 6 * * ? *)' });
    await seed(table, { batch: 'daily', run: PAUSE_SORT_KEY, paused: true, note: 'vendor outage', by: 'arn:aws:iam::111122223333:user/kim', pausedAt: '2027-02-01T00:00:00.000Z' });
    const whilePaused = await pass(table, [daily], Date.parse('2027-02-01T07:00:00Z'), Date.parse('2027-02-01T06:00:00Z'));
    expect(whilePaused.metrics).toEqual([]);
    expect(whilePaused.checks[0]).toMatchObject({ expected: ['2027-02-01T06:00:00.000Z'], missed: [], paused: ['2027-02-01T06:00:00.000Z'] });
    expect(await record(table, 'daily', '2027-02-01T06:00:00.000Z')).toBeUndefined();

    // Resumed on the 2nd at noon: a look-back over both days still leaves the paused time alone.
    await seed(table, {
      batch: 'daily', run: PAUSE_SORT_KEY, paused: false, pausedAt: '2027-02-01T00:00:00.000Z', resumedAt: '2027-02-02T12:00:00.000Z', resumedBy: 'kim',
    });
    const resumed = await pass(table, [daily], Date.parse('2027-02-03T07:00:00Z'), Date.parse('2027-02-01T00:00:00Z'));
    expect(resumed.checks[0]).toMatchObject({
      missed: ['2027-02-03T06:00:00.000Z'],
      paused: ['2027-02-01T06:00:00.000Z', '2027-02-02T06:00:00.000Z'],
    });
    expect(resumed.metrics.map((m) => m.RunMissed)).toEqual([1]);
  });
});

describe('per-stage overrides', () => {
  const STAGING = { ...STAGE, name: 'staging', account: '444455556666' };
  const decl = validateDeclarations({
    stages: [{ ...STAGE, stackPrefix: 'acme-prod' }, STAGING],
    batches: [
      { ...BATCH, schedule: 'cron(0 3 * * ? *)', timezone: 'Etc/UTC', overrides: { prod: { schedule: 'cron(0 5 * * ? *)', timezone: 'Europe/Berlin' }, staging: { enabled: false } } },
      { ...BATCH, name: 'keyed', schedule: 'cron(0 4 * * ? *)', input: { mode: 'full' }, stages: ['prod'], missedRunGraceMinutes: 30 },
    ],
  }, { fileExists });

  test("the stage's configuration holds each batch as that stage runs it", () => {
    const [prod, staging] = decl.stages;
    expect(watchdogConfig(prod, decl.batches)).toEqual({
      stage: 'prod',
      tableName: 'acme-prod-batchform-ledger',
      retentionDays: 90,
      batches: [
        {
          batch: 'daily-stats', stack: 'acme-prod-daily-stats', schedule: 'cron(0 5 * * ? *)', timezone: 'Europe/Berlin', enabled: true, graceMinutes: 15, keyedBy: 'scheduled-time',
        },
        {
          batch: 'keyed', stack: 'acme-prod-keyed', schedule: 'cron(0 4 * * ? *)', timezone: 'UTC', enabled: true, graceMinutes: 30, keyedBy: 'start-time',
        },
      ],
    });
    expect(watchdogConfig(staging, decl.batches).batches).toEqual([expect.objectContaining({ batch: 'daily-stats', schedule: 'cron(0 3 * * ? *)', timezone: 'Etc/UTC', enabled: false })]);
  });

  test("prod checks only prod's times (05:00 Berlin); staging, disabled there, checks none", async () => {
    const table = await dynamo.createLedger();
    const [prod, staging] = decl.stages.map((s) => watchdogConfig(s, decl.batches));
    // Prod ran at 05:00 Berlin (04:00Z); nothing ran at the default's 03:00Z, which prod does not run.
    await seed(table, succeeded('daily-stats', '2027-02-01T04:00:00.000Z'));
    await seed(table, succeeded('keyed', '2027-02-01T04:00:07.000Z'));
    const prodPass = await pass(table, prod.batches, Date.parse('2027-02-02T00:00:00Z'), Date.parse('2027-02-01T00:00:00Z'));
    expect(prodPass.checks.map((c) => [c.batch, c.expected, c.missed])).toEqual([
      ['daily-stats', ['2027-02-01T04:00:00.000Z'], []],
      // A batch with a constant input is keyed by when it started (7 seconds late here): within its grace, it is the run.
      ['keyed', ['2027-02-01T04:00:00.000Z'], []],
    ]);
    expect(prodPass.metrics).toEqual([]);
    const stagingPass = await pass(table, staging.batches, Date.parse('2027-02-02T00:00:00Z'), Date.parse('2027-02-01T00:00:00Z'));
    expect(stagingPass.checks).toEqual([expect.objectContaining({ batch: 'daily-stats', expected: [], missed: [], skipped: 'disabled in this stage' })]);
  });
});

describe('runs that happened, and repeated passes', () => {
  test('a scheduled time with a record (succeeded, failed or running) is not missed; only the one without is', async () => {
    const table = await dynamo.createLedger();
    const hourly = watched({ batch: 'hourly', stack: 'acme-prod-hourly', schedule: 'cron(0 * * * ? *)' });
    await seed(table, succeeded('hourly', '2027-02-01T01:00:00.000Z'));
    await seed(table, { ...succeeded('hourly', '2027-02-01T02:00:00.000Z'), status: 'failed' });
    await seed(table, { ...succeeded('hourly', '2027-02-01T03:00:00.000Z'), status: 'running' });
    // An EventBridge rule's event may carry the seconds it was sent at: still the 04:00 run.
    await seed(table, succeeded('hourly', '2027-02-01T04:00:06.000Z'));
    const { checks, metrics } = await pass(table, [hourly], Date.parse('2027-02-01T05:30:00Z'), Date.parse('2027-02-01T00:30:00Z'));
    expect(checks[0]).toMatchObject({
      expected: ['2027-02-01T01:00:00.000Z', '2027-02-01T02:00:00.000Z', '2027-02-01T03:00:00.000Z', '2027-02-01T04:00:00.000Z', '2027-02-01T05:00:00.000Z'],
      missed: ['2027-02-01T05:00:00.000Z'],
    });
    expect(metrics.map((m) => m.RunMissed)).toEqual([1]);
    expect(await record(table, 'hourly', '2027-02-01T01:00:00.000Z')).toMatchObject({ status: 'succeeded' });
  });

  test('a second pass over the same times, and two watchdogs at once, do not count a missed time twice', async () => {
    const table = await dynamo.createLedger();
    const hourly = watched({ batch: 'hourly', stack: 'acme-prod-hourly', schedule: 'cron(0 * * * ? *)' });
    const now = Date.parse('2027-02-01T03:30:00Z');
    const [a, b] = await Promise.all([pass(table, [hourly], now), pass(table, [hourly], now)]);
    const counted = [...a.metrics, ...b.metrics].reduce((n, m) => n + Number(m.RunMissed), 0);
    // The default look-back (6 hours) covers 22:00 to 03:00: six times, each counted by exactly one watchdog.
    expect(WATCHDOG_LOOK_BACK_MS).toBe(6 * 3_600_000);
    expect(counted).toBe(6);
    expect([...a.checks[0].missed, ...b.checks[0].missed].sort()).toEqual(a.checks[0].expected);
    const again = await pass(table, [hourly], now + PASS_EVERY);
    expect(again.metrics).toEqual([]);
    expect(again.checks[0].missed).toEqual([]);
  });

  test('a rate schedule without a start date is expected every interval after its latest record, and unchecked before its first run', async () => {
    const table = await dynamo.createLedger();
    const rate = watched({ batch: 'poll', stack: 'acme-prod-poll', schedule: 'rate(1 hour)' });
    const first = await pass(table, [rate], Date.parse('2027-02-01T12:00:00Z'));
    expect(first.checks[0].skipped).toMatch(/no fixed phase/);
    await seed(table, succeeded('poll', '2027-02-01T09:17:03.000Z'));
    const { checks, metrics } = await pass(table, [rate], Date.parse('2027-02-01T12:00:00Z'));
    expect(checks[0].missed).toEqual(['2027-02-01T10:17:03.000Z', '2027-02-01T11:17:03.000Z']);
    expect(metrics.map((m) => m.RunMissed)).toEqual([2]);
  });
});

test('the default grace is 15 minutes plus the flexible window', () => {
  expect(missedRunGraceMinutes({})).toBe(15);
  expect(missedRunGraceMinutes({ flexibleWindowMinutes: 30 })).toBe(45);
  expect(missedRunGraceMinutes({ flexibleWindowMinutes: 30, missedRunGraceMinutes: 5 })).toBe(5);
});

describe('the deployed handler', () => {
  const decl = validateDeclarations({
    stages: [{ ...STAGE, stackPrefix: 'acme-prod' }, { ...STAGE, name: 'staging', account: '444455556666' }],
    batches: [{ ...BATCH, schedule: 'cron(0 6 1 * ? *)', overrides: { staging: { enabled: false } } }],
  }, { fileExists });

  test('its configuration file is the same bytes for the same declarations, one entry per stage', () => {
    const json = watchdogConfigJson(decl);
    expect(watchdogConfigJson(decl)).toBe(json);
    expect(Object.keys(JSON.parse(json).stages)).toEqual(['prod', 'staging']);
  });

  test("reads its stage's batches from the file BATCHFORM_WATCHDOG_CONFIG names, and reports what it recorded", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-')), 'watchdog.json');
    const config = JSON.parse(watchdogConfigJson(decl));
    const tableName = await dynamo.createLedger();
    config.stages.prod.tableName = tableName;
    fs.writeFileSync(file, JSON.stringify(config));
    const lines: string[] = [];
    const handler = watchdogHandler({
      env: { BATCHFORM_STAGE: 'prod', BATCHFORM_WATCHDOG_CONFIG: file }, client: dynamo.client, now: () => Date.parse('2027-02-01T06:30:00Z'), log: (l) => lines.push(l),
    });
    expect(await handler({})).toEqual({ stage: 'prod', batches: 1, missed: { 'daily-stats': ['2027-02-01T06:00:00.000Z'] } });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ Stack: 'acme-prod-daily-stats', RunMissed: 1 }),
      expect.objectContaining({ message: 'watchdog pass', stage: 'prod' }),
    ]);
  });

  test('a stage its configuration does not hold fails the invocation, naming the fix', async () => {
    const handler = watchdogHandler({ config: JSON.parse(watchdogConfigJson(decl)), env: { BATCHFORM_STAGE: 'qa' }, client: dynamo.client });
    await expect(handler({})).rejects.toThrow(/has no stage "qa" \(it has prod, staging\); set BATCHFORM_STAGE/);
  });
});
