// `batchform invoke` of a durable batch whose handler uses step, wait and map (issue #26): the
// execution succeeds and invoke exits 0, printing each wait with how long it waited and the map's
// items and their steps under it; --fail-at a step inside a map item resumes it.
import * as fs from 'fs';
import * as path from 'path';
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
  const decl = validateDeclarations({
    stages: [STAGE],
    batches: [BATCH, { name: 'reindex', handler: 'handlers/reindex.ts', schedule: 'cron(0 1 * * ? *)', timeout: 900, durable: { executionTimeout: 3600 } }],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  manifestFile = path.join(dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(buildManifest(decl, 'cfn-out')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function invoke(...args: string[]): Promise<{ text: string; exitCode: number }> {
  const lines: string[] = [];
  const cwd = process.cwd();
  process.exitCode = undefined;
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  const err = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    process.chdir(dir);
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'reindex', '--time', '2026-11-30T01:00:00Z', '--manifest', manifestFile, ...args]);
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
