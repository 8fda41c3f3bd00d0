// `batchform invoke` of a durable batch whose handler uses step, wait and map (issue #26): the
// execution succeeds and invoke exits 0, printing each wait with how long it waited and the map's
// items and their steps under it; --fail-at a step inside a map item resumes it.
import * as fs from 'fs';
import * as path from 'path';
import { callbackAnswer } from '../../src/cli/bundle-commands';
import { buildProgram } from '../../src/cli/main';
import { buildManifest } from '../../src/manifest/manifest';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, scratchProject, STAGE } from '../fixtures';

const DURABLE = JSON.stringify(path.resolve(__dirname, '../../src/runtime/durable'));
let dir: string;
let manifestFile: string;

beforeAll(() => {
  dir = scratchProject('invoke-durable-ops');
  fs.writeFileSync(path.join(dir, 'handlers/reindex.ts'), `import { durableBatch } from ${DURABLE};
export const handler = durableBatch(async (run) => {
  const ids = await run.step('list', async () => ['a', 'b']);
  await run.wait({ minutes: 30 }, 'cool-down');
  const done = await run.map(ids, (id, _i, item) => item.step(\`reindex-\${id}\`, async () => id.toUpperCase()), { concurrency: 2, name: 'reindex' });
  return { reindexed: done.getResults() };
});
`);
  fs.writeFileSync(path.join(dir, 'handlers/approval.ts'), `import { durableBatch } from ${DURABLE};
export const handler = durableBatch(async (run) => {
  const answer = await run.context.waitForCallback<string>('approve', async (callbackId) => { run.logger.info('asked', { callbackId }); });
  return { answer };
});
`);
  const decl = validateDeclarations({
    stages: [STAGE],
    batches: [BATCH, { name: 'reindex', handler: 'handlers/reindex.ts', schedule: 'cron(0 1 * * ? *)', timeout: 900, durable: { executionTimeout: 3600 } },
      { name: 'approval', handler: 'handlers/approval.ts', schedule: 'cron(0 2 * * ? *)', timeout: 900, durable: { executionTimeout: 3600 } }],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  manifestFile = path.join(dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(buildManifest(decl, 'cfn-out')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function invoke(...args: string[]): Promise<{ text: string; exitCode: number }> {
  return invokeBatch('reindex', ...args);
}

async function invokeBatch(batch: string, ...args: string[]): Promise<{ text: string; exitCode: number }> {
  const lines: string[] = [];
  const cwd = process.cwd();
  process.exitCode = undefined;
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  const err = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    process.chdir(dir);
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', batch, '--time', '2026-11-30T01:00:00Z', '--no-ledger', '--manifest', manifestFile, ...args]);
    return { text: lines.join('\n'), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.chdir(cwd);
    process.exitCode = undefined;
    err.mockRestore();
    log.mockRestore();
    out.mockRestore();
  }
}

test('invoke of a durable batch with step, wait and map succeeds and lists every operation', async () => {
  const { text, exitCode } = await invoke();
  expect(exitCode).toBe(0);
  expect(text).not.toContain('is not STEP');
  expect(text).toContain('reindex: execution reindex-20261130T010000Z SUCCEEDED');
  expect(text).toMatch(/\n {2}cool-down +WAIT {5}SUCCEEDED {2}waited 30m \(skipped locally\)\n/);
  expect(text).toMatch(/\n {2}reindex +CONTEXT {2}SUCCEEDED {2}Map /);
  expect(text).toMatch(/\n {4}map-item-0 +CONTEXT {2}SUCCEEDED {2}MapIteration {2}"A"\n {6}reindex-a +STEP {5}SUCCEEDED {2}"A"\n/);
}, 120_000);

test('invoke --fail-at a step inside a map item resumes it and exits 0', async () => {
  const { text, exitCode } = await invoke('--fail-at', 'reindex-b');
  expect(exitCode).toBe(0);
  expect(text).toMatch(/invocation \d+: step reindex-b: simulated crash \(--fail-at\)/);
  expect(text).toMatch(/invocation \d+: step reindex-b: runs \(attempt 2, resumed after the failure\)/);
  expect(text).toMatch(/\n {6}reindex-b +STEP {5}SUCCEEDED {2}attempts 2 {2}"B"\n/);
  expect(text).not.toContain('warning: no step named');
}, 120_000);

test('invoke --callback answers a waitForCallback: the execution gets the result and exits 0', async () => {
  const { text, exitCode } = await invokeBatch('approval', '--callback', 'approve={"approved":true}');
  expect(exitCode).toBe(0);
  expect(text).toContain('approval: execution approval-20261130T010000Z SUCCEEDED');
  expect(text).toContain('"answer": "{\\"approved\\":true}"');
}, 120_000);

test('invoke without --callback: the callback fails the run at once with the command that answers it (exit 1, no hang)', async () => {
  const { text, exitCode } = await invokeBatch('approval');
  expect(exitCode).toBe(1);
  expect(text).toContain('callback "approve" waits for an answer from outside the execution, which a local run cannot receive: '
    + 'answer it with: npx projen invoke approval --callback approve=\'<JSON result>\'');
}, 120_000);

test('invoke --callback-error fails the callback with the message (exit 1)', async () => {
  const { text, exitCode } = await invokeBatch('approval', '--callback-error', 'approve=rejected by reviewer');
  expect(exitCode).toBe(1);
  expect(text).toContain('rejected by reviewer');
}, 120_000);

test('--callback / --callback-error: NAME=VALUE, repeatable; a result must be JSON', () => {
  const result = callbackAnswer('result');
  expect(result('b=2', result('a={"x":1}'))).toEqual({ a: { result: '{"x":1}' }, b: { result: '2' } });
  expect(callbackAnswer('error')('approve=no = never')).toEqual({ approve: { error: 'no = never' } });
  expect(() => result('approve=yes')).toThrow(/the result of callback "approve" must be JSON/);
  expect(() => result('noequals')).toThrow(/must be NAME=VALUE/);
  expect(() => result('=1')).toThrow(/must be NAME=VALUE/);
});
