// batchform backfill on a durable batch: each time's execution waited for to its outcome, stop on a failed execution, and a resume that works on execution outcomes (waits for a running one, counts one that succeeded since, re-runs a failed one).
import * as fs from 'fs';
import * as path from 'path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { commandDeps, deployDurable, fakeDurableLambda, makeOperateProject, mockOperateClients, sentEvent } from './helpers';
import { runBackfillCommand } from '../../src/cli/operate-commands';
import { backfillStateFile, BackfillState } from '../../src/operate/backfill';

const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json', from: '2026-11-01T00:00:00Z', to: '2026-11-04T00:00:00Z' };
const NAMES = ['prod-utc-job-20261101T030000Z', 'prod-utc-job-20261102T030000Z', 'prod-utc-job-20261103T030000Z'];

function setup(outcome?: Parameters<typeof fakeDurableLambda>[1]) {
  const dir = makeOperateProject();
  const { clients, mocks } = mockOperateClients();
  deployDurable(mocks);
  const fake = fakeDurableLambda(mocks.lambda, outcome);
  const { deps, out, err } = commandDeps(dir, clients, { executionSleep: async () => undefined });
  const stateFile = backfillStateFile(dir, 'prod', 'utc-job', new Date(opts.from), new Date(opts.to));
  const started = () => mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input) as { time: string; batchformRerun?: number });
  return { dir, mocks, fake, deps, out, err, stateFile, started };
}

test('each time\'s execution is waited for to SUCCEEDED before the next starts', async () => {
  const s = setup();
  expect(await runBackfillCommand('utc-job', opts, s.deps)).toBe(0);
  expect(s.started().map((e) => e.time)).toEqual(['2026-11-01T03:00:00Z', '2026-11-02T03:00:00Z', '2026-11-03T03:00:00Z']);
  expect([...s.fake.executions.keys()]).toEqual(NAMES);
  // Each was polled to its end (RUNNING, then SUCCEEDED) before the next was started.
  expect([...s.fake.executions.values()].map((e) => e.statuses)).toEqual([['SUCCEEDED'], ['SUCCEEDED'], ['SUCCEEDED']]);
  expect(s.err).toContain('[1/3] 2026-11-01T03:00:00.000Z succeeded (execution prod-utc-job-20261101T030000Z)');
  expect(s.out.join('\n')).toContain('3 scheduled times; 3 succeeded now, 0 done before, 0 failed, 0 not run.');
  expect(fs.existsSync(s.stateFile)).toBe(false);
});

test('stops at a failed execution; the resume re-runs the failed time as -r1 and does not start the done ones again', async () => {
  let failing = true;
  const s = setup((name) => (name === NAMES[1] && failing ? { statuses: ['RUNNING', 'FAILED'], error: { ErrorType: 'StepError', ErrorMessage: 'chunk 4: deadlock' } } : {}));
  expect(await runBackfillCommand('utc-job', opts, s.deps)).toBe(1);
  expect([...s.fake.executions.keys()]).toEqual(NAMES.slice(0, 2));
  const text = s.out.join('\n');
  expect(text).toContain('failed 2026-11-02T03:00:00.000Z: execution prod-utc-job-20261102T030000Z FAILED: StepError: chunk 4: deadlock');
  expect(text).toContain('1 succeeded now, 0 done before, 1 failed, 1 not run.');
  const state = JSON.parse(fs.readFileSync(s.stateFile, 'utf8')) as BackfillState;
  expect(state.done).toEqual(['2026-11-01T03:00:00.000Z']);
  expect(state.started).toEqual({ '2026-11-02T03:00:00.000Z': NAMES[1] });

  failing = false;
  s.out.length = 0;
  expect(await runBackfillCommand('utc-job', opts, s.deps)).toBe(0);
  expect(s.started().slice(2)).toEqual([
    expect.objectContaining({ time: '2026-11-02T03:00:00Z', batchformRerun: 1 }),
    expect.objectContaining({ time: '2026-11-03T03:00:00Z' }),
  ]);
  expect(s.started()[3]).not.toHaveProperty('batchformRerun');
  expect(s.out.join('\n')).toContain('2 succeeded now, 1 done before, 0 failed, 0 not run.');
});

test('a resume after an interrupted backfill waits for the execution still running, and counts one that has succeeded since', async () => {
  const s = setup();
  // An earlier backfill started the 1st and the 2nd, then was interrupted while they ran.
  fs.mkdirSync(path.dirname(s.stateFile), { recursive: true });
  fs.writeFileSync(s.stateFile, JSON.stringify({ version: 1, stage: 'prod', batch: 'utc-job', from: opts.from, to: opts.to, done: [], started: { '2026-11-01T03:00:00.000Z': NAMES[0], '2026-11-02T03:00:00.000Z': NAMES[1] } }));
  s.fake.add(NAMES[0], {}, { statuses: ['SUCCEEDED'] });
  s.fake.add(NAMES[1], {}, { statuses: ['RUNNING', 'RUNNING', 'SUCCEEDED'] });
  expect(await runBackfillCommand('utc-job', opts, s.deps)).toBe(0);
  // Only the 3rd was started now.
  expect(s.started().map((e) => e.time)).toEqual(['2026-11-03T03:00:00Z']);
  expect(s.err).toContain('[1/3] 2026-11-01T03:00:00.000Z succeeded (execution prod-utc-job-20261101T030000Z, done by an earlier backfill)');
  expect(s.err).toContain('[2/3] 2026-11-02T03:00:00.000Z succeeded (execution prod-utc-job-20261102T030000Z)');
});

test('a time the schedule already ran is re-run by the backfill (-r1): a backfill runs every time of its range', async () => {
  const s = setup();
  s.fake.add(NAMES[0], {}, { statuses: ['SUCCEEDED'] });
  expect(await runBackfillCommand('utc-job', opts, s.deps)).toBe(0);
  expect(s.started()[0]).toMatchObject({ time: '2026-11-01T03:00:00Z', batchformRerun: 1 });
  expect(s.fake.executions.has(`${NAMES[0]}-r1`)).toBe(true);
});
