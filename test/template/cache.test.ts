import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { longestGap } from '../../src/schedule/gaps';
import { cachedTemplates, GAPS_CACHE_FILE, GENERATOR_SOURCES, generatorKey, renderTemplate, TEMPLATE_HASHES_VERSION, withSavedGaps } from '../../src/template/cache';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-cache-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const HASHES = 'out/template-hashes.json';

const requests = (a: unknown, b: unknown) => [
  { name: 'a', file: 'out/a.json', inputs: a },
  { name: 'b', file: 'out/b.json', inputs: b },
];

/** Builds a template per name and records what it was asked to build. */
function builder() {
  const calls: string[][] = [];
  const build = (names: readonly string[]) => {
    calls.push([...names]);
    return Object.fromEntries(names.map((n) => [n, { Description: `template ${n}`, Resources: {} }]));
  };
  return { calls, build };
}

/** Runs the cache in `root` and writes what projen would: every template and the hashes file. */
function run(root: string, reqs: ReturnType<typeof requests>, build: ReturnType<typeof builder>['build']) {
  const result = cachedTemplates(root, HASHES, reqs, build);
  fs.mkdirSync(path.join(root, 'out'), { recursive: true });
  for (const r of reqs) fs.writeFileSync(path.join(root, r.file), result.contents[r.name]);
  fs.writeFileSync(path.join(root, HASHES), JSON.stringify(result.hashes, null, 2));
  return result;
}

describe('template cache', () => {
  test('builds everything the first time, then nothing while inputs and files are unchanged', () => {
    const b = builder();
    const first = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    const second = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b']]);
    expect(first.built).toEqual(['a', 'b']);
    expect(second.built).toEqual([]);
    expect(second.contents).toEqual(first.contents);
    expect(second.hashes).toEqual(first.hashes);
  });

  test('renders each template as projen\'s JsonFile does: two-space JSON and a final newline', () => {
    const first = run(dir, requests({ x: 1 }, { y: 1 }), builder().build);
    expect(first.contents.a).toBe(`${JSON.stringify({ Description: 'template a', Resources: {} }, null, 2)}\n`);
    expect(renderTemplate({ k: [1] })).toBe('{\n  "k": [\n    1\n  ]\n}\n');
  });

  test('rebuilds only the template whose inputs changed', () => {
    const b = builder();
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    const again = run(dir, requests({ x: 2 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a']]);
    expect(again.built).toEqual(['a']);
  });

  test('a fresh clone with the committed templates and hashes file trusts them and builds nothing', () => {
    const b = builder();
    const first = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    // A clone holds only the committed files: the templates and the hashes file, no tool cache.
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-clone-'));
    try {
      fs.cpSync(path.join(dir, 'out'), path.join(clone, 'out'), { recursive: true });
      const cloned = run(clone, requests({ x: 1 }, { y: 1 }), b.build);
      expect(b.calls).toEqual([['a', 'b']]);
      expect(cloned.contents).toEqual(first.contents);
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  test('regenerates a committed template that was tampered with, edited by hand or deleted', () => {
    const b = builder();
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    fs.writeFileSync(path.join(dir, 'out/a.json'), renderTemplate({ Description: 'template a', Resources: { Backdoor: {} } }));
    fs.rmSync(path.join(dir, 'out/b.json'));
    const again = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
    expect(JSON.parse(again.contents.a)).toEqual({ Description: 'template a', Resources: {} });
  });

  test('a hashes file written by another generator (batchform or aws-cdk-lib version) is not trusted', () => {
    const b = builder();
    const first = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(first.hashes.generator).toBe(generatorKey());
    fs.writeFileSync(path.join(dir, HASHES), JSON.stringify({ ...first.hashes, generator: 'batchform 0.0.1, aws-cdk-lib 2.0.0' }));
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
  });

  test('BATCHFORM_TEMPLATE_CACHE=off builds everything every time', () => {
    const b = builder();
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    process.env.BATCHFORM_TEMPLATE_CACHE = 'off';
    try {
      run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    } finally {
      delete process.env.BATCHFORM_TEMPLATE_CACHE;
    }
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
  });

  test('a corrupt hashes file, or one of another format version, only means everything is built again', () => {
    const b = builder();
    const first = run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    fs.writeFileSync(path.join(dir, HASHES), '{not json');
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    fs.writeFileSync(path.join(dir, HASHES), JSON.stringify({ ...first.hashes, version: TEMPLATE_HASHES_VERSION + 1 }));
    run(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
  });

  test('the generator key covers every batchform module the template builders load', () => {
    // A fresh process (jest's module registry hides require.cache) loads both builders and lists
    // the batchform source files it loaded.
    const src = path.resolve(__dirname, '../../src');
    const script = `require(${JSON.stringify(`${src}/template/batch-template`)});require(${JSON.stringify(`${src}/bootstrap/bootstrap-template`)});`
      + 'process.stdout.write(JSON.stringify(Object.keys(require.cache)))';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
    expect(r.stderr).toBe('');
    const loaded = (JSON.parse(r.stdout) as string[])
      .filter((f) => f.startsWith(`${src}${path.sep}`))
      .map((f) => path.relative(src, f).split(path.sep).join('/'));
    expect(loaded).toContain('template/batch-template.ts');
    expect(loaded.filter((f) => !GENERATOR_SOURCES.some((s) => f.startsWith(s)))).toEqual([]);
  });
});

describe('saved schedule gaps', () => {
  const save = (generator: string, gaps: Record<string, unknown>) => {
    fs.mkdirSync(path.dirname(path.join(dir, GAPS_CACHE_FILE)), { recursive: true });
    fs.writeFileSync(path.join(dir, GAPS_CACHE_FILE), JSON.stringify({ generator, gaps }));
  };

  test('a gap saved by the same generator is used instead of simulating the schedule, and new gaps are saved', () => {
    save(generatorKey(), { 'cron(1 2 * * ? *) UTC': { longestGapSeconds: 7, finite: false } });
    expect(withSavedGaps(dir, () => longestGap('cron(1 2 * * ? *)').longestGapSeconds)).toBe(7);
    withSavedGaps(dir, () => longestGap('cron(5 6 * * ? *)'));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, GAPS_CACHE_FILE), 'utf8'));
    expect(saved.generator).toBe(generatorKey());
    expect(saved.gaps['cron(5 6 * * ? *) UTC']).toEqual({ longestGapSeconds: 86400, finite: false });
  });

  test('gaps saved by another generator are ignored', () => {
    save('batchform 0.0.1, aws-cdk-lib 2.0.0', { 'cron(3 4 * * ? *) UTC': { longestGapSeconds: 7, finite: false } });
    expect(withSavedGaps(dir, () => longestGap('cron(3 4 * * ? *)').longestGapSeconds)).toBe(86400);
  });
});
