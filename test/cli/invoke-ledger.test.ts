// `batchform invoke` with its local run ledger (.batchform/ledger.json): a second invoke of one
// --time says the run already happened (when, its status, the --force command) and does not run
// the handler; a failed run's re-invoke is attempt 2; --force runs a succeeded time again as its
// next attempt; an invoke without --time is recorded and never refused; durable batches follow
// the same rule; --no-ledger checks and records nothing.
import * as fs from 'fs';
import * as path from 'path';
import { buildProgram } from '../../src/cli/main';
import { LOCAL_LEDGER_FILE } from '../../src/local/local-env';
import { buildManifest } from '../../src/manifest/manifest';
import type { RunRecord } from '../../src/model/ledger';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, scratchProject, STAGE } from '../fixtures';

const DURABLE = JSON.stringify(path.resolve(__dirname, '../../src/runtime/durable'));
const T = '2026-11-25T15:10:00Z';
let dir: string;
let manifestFile: string;

beforeEach(() => {
  dir = scratchProject('invoke-ledger');
  // Counts its runs in a file; fails while `fail` exists.
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), `import * as fs from 'fs';
export const handler = async () => {
  fs.appendFileSync('runs.txt', 'x');
  if (fs.existsSync('fail')) throw new Error('connection refused');
  return { ok: true };
};
`);
  fs.writeFileSync(path.join(dir, 'handlers/reindex.ts'), `import * as fs from 'fs';
import { durableBatch } from ${DURABLE};
export const handler = durableBatch(async (run) => {
  await run.step('count', async () => { fs.appendFileSync('durable-runs.txt', 'x'); return 1; });
  return { ok: true };
});
`);
  const decl = validateDeclarations({
    stages: [STAGE],
    batches: [BATCH, { name: 'reindex', handler: 'handlers/reindex.ts', schedule: 'cron(0 1 * * ? *)', timeout: 900, durable: { executionTimeout: 3600 } }],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  manifestFile = path.join(dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(buildManifest(decl, 'cfn-out')));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `batchform invoke <args>` in the project: what it printed (stdout, then stderr) and how it ended. */
async function invoke(...args: string[]): Promise<{ out: string[]; err: string[]; error?: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = process.cwd();
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    process.chdir(dir);
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', ...args, '--manifest', manifestFile]);
    return { out, err };
  } catch (e) {
    return { out, err, error: (e as Error).message };
  } finally {
    process.chdir(cwd);
    process.exitCode = undefined;
    log.mockRestore();
    error.mockRestore();
    stdout.mockRestore();
  }
}

const runs = (file = 'runs.txt') => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), 'utf8').length : 0);
function record(batch: string, time: string): RunRecord {
  const content = JSON.parse(fs.readFileSync(path.join(dir, LOCAL_LEDGER_FILE), 'utf8'));
  return content.items[batch][new Date(time).toISOString()];
}

test('a second invoke --time T says the run already happened and runs nothing; --force runs it as the next attempt', async () => {
  const first = await invoke('daily-stats', '--time', T);
  expect(first.error).toBeUndefined();
  expect(first.err).toContain(`invoke: local ledger: the run of ${T} succeeded (attempt 1; ${LOCAL_LEDGER_FILE}).`);
  const startedAt = record('daily-stats', T).startedAt!;
  const endedAt = record('daily-stats', T).endedAt!.replace('.000Z', 'Z');

  const second = await invoke('daily-stats', '--time', T, '--stage', 'prod');
  expect(runs()).toBe(1);
  expect(second.out).toEqual([
    `daily-stats: the run of ${T} already happened: succeeded at ${endedAt} (1 attempt, local ledger ${LOCAL_LEDGER_FILE}); not run again. `
    + `To repeat it: npx projen invoke daily-stats --time ${T} --stage prod --force`,
  ]);
  expect(record('daily-stats', T)).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1, startedAt });

  await invoke('daily-stats', '--time', T, '--force');
  expect(runs()).toBe(2);
  expect(record('daily-stats', T)).toMatchObject({ batch: 'daily-stats', run: '2026-11-25T15:10:00.000Z', status: 'succeeded', attempts: 2, trigger: 'run' });
}, 60_000);

test('a failed run\'s re-invoke is its attempt 2; the record keeps the error', async () => {
  fs.writeFileSync(path.join(dir, 'fail'), '');
  const failed = await invoke('daily-stats', '--time', T);
  expect(failed.error).toBe('connection refused');
  expect(record('daily-stats', T)).toMatchObject({ status: 'failed', attempts: 1, error: 'Error: connection refused' });
  fs.rmSync(path.join(dir, 'fail'));
  const retried = await invoke('daily-stats', '--time', T);
  expect(retried.error).toBeUndefined();
  expect(runs()).toBe(2);
  expect(retried.err).toContain(`invoke: local ledger: the run of ${T} succeeded (attempt 2; ${LOCAL_LEDGER_FILE}).`);
  expect(record('daily-stats', T).error).toBeUndefined();
}, 60_000);

test('an invoke without --time is recorded under the second it ran and never refused', async () => {
  await invoke('daily-stats');
  await invoke('daily-stats');
  expect(runs()).toBe(2);
  const content = JSON.parse(fs.readFileSync(path.join(dir, LOCAL_LEDGER_FILE), 'utf8'));
  const records = Object.entries(content.items['daily-stats']).filter(([run]) => !run.startsWith('#')).map(([, r]) => r as RunRecord);
  // Two records, or one with two attempts when both ran within one second.
  expect(records.reduce((n, r) => n + r.attempts, 0)).toBe(2);
  for (const r of records) expect(r).toMatchObject({ status: 'succeeded', run: expect.stringMatching(/T\d\d:\d\d:\d\d\.000Z$/) });
}, 60_000);

test('a durable batch runs its execution once per time; --force runs it again', async () => {
  const T2 = '2026-11-30T01:00:00Z';
  await invoke('reindex', '--time', T2);
  const again = await invoke('reindex', '--time', T2);
  expect(runs('durable-runs.txt')).toBe(1);
  expect(again.out).toEqual([expect.stringMatching(new RegExp(`^reindex: the run of ${T2} already happened: succeeded at .*To repeat it: npx projen invoke reindex --time ${T2} --force$`))]);
  expect(record('reindex', T2)).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1, executionName: 'reindex-20261130T010000Z' });
  await invoke('reindex', '--time', T2, '--force');
  expect(runs('durable-runs.txt')).toBe(2);
  expect(record('reindex', T2)).toMatchObject({ status: 'succeeded', attempts: 2 });
}, 120_000);

test('--no-ledger checks and records nothing', async () => {
  await invoke('daily-stats', '--time', T, '--no-ledger');
  await invoke('daily-stats', '--time', T, '--no-ledger');
  expect(runs()).toBe(2);
  expect(fs.existsSync(path.join(dir, LOCAL_LEDGER_FILE))).toBe(false);
}, 60_000);
