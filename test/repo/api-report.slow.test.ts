// The API check (`npx projen api:check`, run after every compile): the committed report of an entry
// point matches its compiled typings, and a new export without an updated report fails the check.
// Runs on a copy of src/ compiled in a scratch folder, with this repository's own extractor config.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const CONFIG = 'api/extractor/batchform-runtime.json';
const bin = (name: string): string => path.join(ROOT, 'node_modules/.bin', name);
let dir: string;

function run(command: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Compiles the scratch copy of src/ into its lib/, as `npx projen compile` does. */
function compile(): void {
  const r = run(bin('tsc'), ['-p', 'tsconfig.json']);
  if (r.status !== 0) throw new Error(`tsc failed:\n${r.output}`);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-api-'));
  for (const entry of ['src', 'api', 'tsconfig.json', 'package.json']) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  compile();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the committed report of batchform/runtime matches its typings', () => {
  const r = run(bin('api-extractor'), ['run', '--config', CONFIG]);
  expect(r.output).toContain('API Extractor completed successfully');
  expect(r.status).toBe(0);
}, 120_000);

test('an export added without updating the report fails the check, naming the report to commit', () => {
  fs.appendFileSync(path.join(dir, 'src/runtime/index.ts'), '/** A new public symbol. */\nexport const addedWithoutReport = 1;\n');
  compile();
  const r = run(bin('api-extractor'), ['run', '--config', CONFIG]);
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/You have changed the API signature for this project/);
  expect(r.output).toContain('batchform-runtime.api.md');
  // --local (what `npx projen api` runs) rewrites the report: the diff a reviewer sees.
  expect(run(bin('api-extractor'), ['run', '--local', '--config', CONFIG]).status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'api/batchform-runtime.api.md'), 'utf8')).toContain('export const addedWithoutReport = 1;');
}, 120_000);
