// The layer check (`npx projen check:layers`): src/ passes it, and it fails, naming the rule, on a
// tree with an import cycle or with a lower layer importing a higher one.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** Runs the check as the task does, in `cwd`, with the repository's config. */
function checkLayers(cwd: string): { status: number | null; output: string } {
  const r = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A scratch project holding `files` (path → content) and a tsconfig the config reads. */
function fixture(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-layers-'));
  fs.writeFileSync(path.join(dir, 'tsconfig.dev.json'), JSON.stringify({ compilerOptions: { strict: true }, include: ['src'] }));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const scratch = (files: Record<string, string>): string => {
  const dir = fixture(files);
  dirs.push(dir);
  return dir;
};

test('src/ passes the layer check', () => {
  const r = checkLayers(ROOT);
  expect(r.output).toContain('no dependency violations found');
  expect(r.status).toBe(0);
});

test('a clean fixture passes: a higher layer imports a lower one', () => {
  const r = checkLayers(scratch({
    'src/model/limits.ts': 'export const MAX = 1;\n',
    'src/deploy/run.ts': "import { MAX } from '../model/limits';\nexport const run = (): number => MAX;\n",
  }));
  expect(r.output).toContain('no dependency violations found');
  expect(r.status).toBe(0);
});

test('an import cycle fails the check, named no-circular', () => {
  const r = checkLayers(scratch({
    'src/schedule/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
    'src/schedule/b.ts': "import { a } from './a';\nexport const b = (): number => a() - 1;\n",
  }));
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/no-circular: src\/schedule\/(a|b)\.ts/);
});

test('a lower layer importing a higher one fails the check, named for the layer', () => {
  const r = checkLayers(scratch({
    'src/deploy/run.ts': 'export const run = (): number => 1;\n',
    'src/model/names.ts': "import { run } from '../deploy/run';\nexport const name = (): string => String(run());\n",
  }));
  expect(r.status).not.toBe(0);
  expect(r.output).toContain('layer-model: src/model/names.ts → src/deploy/run.ts');
  expect(r.output).toContain('model-imports-no-folder: src/model/names.ts → src/deploy/run.ts');
});

test('folders of one layer may not import each other', () => {
  const r = checkLayers(scratch({
    'src/operate/logs.ts': 'export const logs = 1;\n',
    'src/local/invoke.ts': "import { logs } from '../operate/logs';\nexport const invoke = logs;\n",
  }));
  expect(r.status).not.toBe(0);
  expect(r.output).toContain('layer-workflows-operate-local-siblings: src/local/invoke.ts → src/operate/logs.ts');
});
