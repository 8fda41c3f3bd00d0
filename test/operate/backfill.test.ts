// batchform backfill: the scheduled times of [from, to) in order, offline --dry-run, waiting for each run, no overlap, stop on failure, resume.
import * as fs from 'fs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { commandDeps, makeOperateProject, mockOperateClients, payload, sentEvent } from './helpers';
import { runBackfillCommand } from '../../src/cli/operate-commands';
import { backfillStateFile } from '../../src/operate/backfill';

const base = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
const WEEK = { from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' };
const DAILY = ['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-11-${d}T03:00:00.000Z`);

function timeOf(input: { Payload?: unknown }): string {
  return new Date((sentEvent(input) as { time: string }).time).toISOString();
}

describe('--dry-run', () => {
  test('lists exactly the scheduled times of [from, to), with no AWS and no credentials', async () => {
    const dir = makeOperateProject();
    const { deps, out } = commandDeps(dir, {} as never, {
      callerAccount: async () => { throw new Error('no credentials may be read'); },
      createClients: () => { throw new Error('no client may be created'); },
    });
    // 03:00 on the 1st is in the range (from is inclusive); 03:00 on the 8th is not (to is exclusive).
    expect(await runBackfillCommand('utc-job', { ...base, from: '2026-11-01T03:00:00Z', to: '2026-11-08T03:00:00Z', dryRun: true }, deps)).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toBe('utc-job in stage prod: 7 scheduled time(s) in [2026-11-01T03:00:00.000Z, 2026-11-08T03:00:00.000Z) of cron(0 3 * * ? *) (UTC):');
    expect(lines.slice(1).map((l) => l.trim())).toEqual(DAILY);
  });

  test('a zoned batch: its local time all year, so the UTC time moves with daylight saving, and a local time that does not exist is skipped', async () => {
    const dir = makeOperateProject();
    const { deps, out } = commandDeps(dir, {} as never);
    // 02:30 in New York does not exist on 2027-03-14 (clocks spring forward 02:00 -> 03:00).
    expect(await runBackfillCommand('zoned-job', { ...base, from: '2027-03-13T00:00:00Z', to: '2027-03-16T00:00:00Z', dryRun: true }, deps)).toBe(0);
    const times = out.join('\n').split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0]);
    expect(times).toEqual(['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
    expect(out.join('\n')).toContain('(America/New_York)');
  });

  test('refuses a constant-input batch, a range that is not one, and a missing bound', async () => {
    const dir = makeOperateProject();
    const { deps, err } = commandDeps(dir, {} as never);
    expect(await runBackfillCommand('input-job', { ...base, ...WEEK, dryRun: true }, deps)).toBe(2);
    expect(await runBackfillCommand('utc-job', { ...base, from: WEEK.to, to: WEEK.from, dryRun: true }, deps)).toBe(2);
    expect(await runBackfillCommand('utc-job', { ...base, from: WEEK.from, dryRun: true }, deps)).toBe(2);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK, concurrency: '0', dryRun: true }, deps)).toBe(2);
    expect(err).toEqual([
      'batchform backfill: batch "input-job" has a constant input, so its runs carry no scheduled time and a backfill\'s runs could not be told apart. Fix: run it with "batchform run input-job --stage prod", or remove input from the batch to get the Scheduled Event.',
      'batchform backfill: --to 2026-11-01T00:00:00.000Z is not after --from 2026-11-08T00:00:00.000Z; the range is [from, to), so give a later --to.',
      'batchform backfill: --from and --to are required: the range [from, to) of scheduled times to run, e.g. --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z.',
      'batchform backfill: --concurrency "0" is not a positive whole number; use e.g. --concurrency 1.',
    ]);
  });
});

describe('running the times', () => {
  test('one synchronous run per time, in order, each awaited before the next (concurrency 1: never two at once)', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    let running = 0;
    let most = 0;
    mocks.lambda.on(InvokeCommand).callsFake(async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return { StatusCode: 200, Payload: payload({ ok: true }) };
    });
    const { deps, out } = commandDeps(dir, clients);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK }, deps)).toBe(0);
    const calls = mocks.lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.map(timeOf)).toEqual(DAILY);
    expect(calls.every((c) => c.InvocationType === 'RequestResponse')).toBe(true);
    expect(most).toBe(1);
    expect(out.join('\n')).toContain('7 scheduled times; 7 succeeded now, 0 done before, 0 failed, 0 not run.');
    // A finished range leaves no state: the same command later (after a fix) runs it all again.
    expect(fs.existsSync(backfillStateFile(dir, 'prod', 'utc-job', new Date(WEEK.from), new Date(WEEK.to)))).toBe(false);
  });

  test('--concurrency 3 runs up to three at once', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    let running = 0;
    let most = 0;
    mocks.lambda.on(InvokeCommand).callsFake(async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return { StatusCode: 200, Payload: payload(null) };
    });
    const { deps } = commandDeps(dir, clients);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK, concurrency: '3' }, deps)).toBe(0);
    expect(most).toBe(3);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(7);
  });

  test('stops at the first failure, then the same command resumes after the times already done', async () => {
    const dir = makeOperateProject();
    const first = mockOperateClients();
    first.mocks.lambda.on(InvokeCommand).callsFake(async (input) => (timeOf(input) === DAILY[3]
      ? { StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'db down' }) }
      : { StatusCode: 200, Payload: payload(null) }));
    const one = commandDeps(dir, first.clients);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK }, one.deps)).toBe(1);
    expect(first.mocks.lambda.commandCalls(InvokeCommand).map((c) => timeOf(c.args[0].input))).toEqual(DAILY.slice(0, 4));
    const report = one.out.join('\n');
    expect(report).toContain('7 scheduled times; 3 succeeded now, 0 done before, 1 failed, 3 not run.');
    expect(report).toContain(`failed ${DAILY[3]}: Unhandled {"errorMessage":"db down"}`);
    expect(report).toContain('resume with the same command (the 3 done times are skipped): batchform backfill utc-job --stage prod --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z');

    // The dry run shows which times are done.
    const look = commandDeps(dir, {} as never);
    await runBackfillCommand('utc-job', { ...base, ...WEEK, dryRun: true }, look.deps);
    expect(look.out.join('\n').split('\n').filter((l) => l.endsWith('done')).map((l) => l.trim().split(/\s+/)[0])).toEqual(DAILY.slice(0, 3));

    const second = mockOperateClients();
    second.mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(null) as never });
    const two = commandDeps(dir, second.clients);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK }, two.deps)).toBe(0);
    expect(second.mocks.lambda.commandCalls(InvokeCommand).map((c) => timeOf(c.args[0].input))).toEqual(DAILY.slice(3));
    expect(two.err[0]).toContain('3 of 7 times already done');
    expect(two.out.join('\n')).toContain('4 succeeded now, 3 done before, 0 failed, 0 not run.');
  });

  test('--continue-on-failure runs every time and reports each failure; --restart forgets what was done', async () => {
    const dir = makeOperateProject();
    const { clients, mocks } = mockOperateClients();
    const failing = new Set([DAILY[1], DAILY[4]]);
    mocks.lambda.on(InvokeCommand).callsFake(async (input) => (failing.has(timeOf(input))
      ? { StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'boom' }) }
      : { StatusCode: 200, Payload: payload(null) }));
    const { deps, out } = commandDeps(dir, clients);
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK, continueOnFailure: true }, deps)).toBe(1);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(7);
    expect(out.join('\n')).toContain('5 succeeded now, 0 done before, 2 failed, 0 not run.');

    mocks.lambda.resetHistory();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(null) as never });
    expect(await runBackfillCommand('utc-job', { ...base, ...WEEK, restart: true }, deps)).toBe(0);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(7);
  });
});
