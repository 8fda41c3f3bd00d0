// Guards of the operate commands: run --time only at times the schedule fires, a backfill above 100 runs only when its
// count is confirmed, and long waits that print progress lines (so CI logs do not look hung).
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { commandDeps, makeOperateProject, mockOperateClients, payload, sentEvent } from './helpers';
import { runBackfillCommand, runRunCommand } from '../../src/cli/operate-commands';
import type { ManifestBatch } from '../../src/manifest/manifest';
import { firesAt, nearestTimes, scheduleFor } from '../../src/operate/stage-schedule';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };

describe('run --time', () => {
  test('a time the schedule never fires is bad input naming the nearest times it does; nothing is invoked', async () => {
    const { clients, mocks } = mockOperateClients();
    const { deps, err } = commandDeps(dir, clients);
    // utc-job runs at 03:00 UTC daily; 03:07 is none of its runs.
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:07:00Z' }, deps)).toBe(2);
    expect(err.join('\n')).toContain('--time 2026-11-24T03:07:00.000Z is not a time batch "utc-job" runs at in stage prod (cron(0 3 * * ? *)): ' +
      'the nearest times it runs are 2026-11-24T03:00:00.000Z (before) and 2026-11-25T03:00:00.000Z (after)');
    expect(err.join('\n')).toContain('--off-schedule');
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('a zoned batch is checked in its own zone (02:30 New York is 07:30 UTC in November)', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps, err } = commandDeps(dir, clients);
    expect(await runRunCommand('zoned-job', { ...opts, time: '2026-11-24T02:30:00Z' }, deps)).toBe(2);
    expect(err.join('\n')).toContain('(cron(30 2 * * ? *) in America/New_York): the nearest times it runs are 2026-11-23T07:30:00.000Z (before) and 2026-11-24T07:30:00.000Z (after)');
    expect(await runRunCommand('zoned-job', { ...opts, time: '2026-11-24T07:30:00Z' }, deps)).toBe(0);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  test('--off-schedule runs it anyway', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:07:00Z', offSchedule: true }, deps)).toBe(0);
    expect((sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input) as { time: string }).time).toBe('2026-11-24T03:07:00Z');
  });

  test('the checks behind it: a rate without a start date has no fixed phase; nearest times of a yearly schedule', () => {
    const batch = (schedule: string, extra: Partial<ManifestBatch> = {}) => scheduleFor({ name: 'b', schedule, timezone: 'UTC', enabled: true, ...extra } as ManifestBatch);
    expect(firesAt(batch('rate(1 hour)'), new Date('2026-11-24T03:07:13Z'))).toBe(true);
    const phased = batch('rate(1 hour)', { startDate: '2026-11-01T00:30:00Z' });
    expect(firesAt(phased, new Date('2026-11-24T03:30:00Z'))).toBe(true);
    expect(firesAt(phased, new Date('2026-11-24T03:00:00Z'))).toBe(false);
    expect(nearestTimes(batch('cron(0 0 1 1 ? *)'), new Date('2026-07-01T00:00:00Z')))
      .toEqual({ before: new Date('2026-01-01T00:00:00Z'), after: new Date('2027-01-01T00:00:00Z') });
  });
});

describe('backfill size guard', () => {
  // A typo in the year: 2025 instead of 2026 turns a week into a year and a week of daily runs.
  const TYPO = { from: '2025-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' };

  test('more than 100 runs is refused without --confirm <count>, saying how many; nothing runs', async () => {
    const { clients, mocks } = mockOperateClients();
    const { deps, err } = commandDeps(dir, clients);
    expect(await runBackfillCommand('utc-job', { ...opts, ...TYPO }, deps)).toBe(2);
    expect(err.join('\n')).toContain('holds 372 runs of utc-job (cron(0 3 * * ? *)), more than 100; nothing was run. Check the range (a mistyped year?) with --dry-run, then confirm the count: --confirm 372.');
    expect(await runBackfillCommand('utc-job', { ...opts, ...TYPO, confirm: '371' }, deps)).toBe(2);
    expect(err.join('\n')).toContain('--confirm 371 does not match, so nothing was run');
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('--confirm with the count runs them; --dry-run and 100 runs or fewer need no confirmation', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true }) as never });
    const { deps } = commandDeps(dir, clients);
    expect(await runBackfillCommand('utc-job', { ...opts, ...TYPO, dryRun: true }, deps)).toBe(0);
    expect(await runBackfillCommand('utc-job', { ...opts, from: '2026-08-01T00:00:00Z', to: '2026-11-08T00:00:00Z', restart: true }, deps)).toBe(0);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(99);
    expect(await runBackfillCommand('utc-job', { ...opts, ...TYPO, confirm: '372', restart: true }, deps)).toBe(0);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(99 + 372);
  });
});

describe('long waits print progress lines', () => {
  test('run --wait prints a "still running" line while the run goes on', async () => {
    const { clients, mocks } = mockOperateClients();
    let release: () => void = () => undefined;
    const progressed = new Promise<void>((resolve) => { release = resolve; });
    // The run answers only once a progress line was printed: no timing is assumed.
    mocks.lambda.on(InvokeCommand).callsFake(async () => {
      await progressed;
      return { StatusCode: 200, Payload: payload({ ok: true }) };
    });
    const err: string[] = [];
    const { deps } = commandDeps(dir, clients, {
      progressEvery: 0.01,
      err: (t) => {
        err.push(t);
        if (/still running/.test(t)) release();
      },
    });
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:00:00Z', wait: true }, deps)).toBe(0);
    expect(err.some((l) => /^prod-utc-job run 2026-11-24T03:00:00\.000Z is still running \(\d+ ms so far; its timeout is 2 min\)$/.test(l))).toBe(true);
  });
});
