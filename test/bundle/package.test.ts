import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build } from 'esbuild';
import { bundleBatch, bundleBuildOptions, esbuildTarget } from '../../src/bundle/esbuild';
import { packageBatches } from '../../src/bundle/package';
import { deterministicZip, sha256Hex } from '../../src/bundle/zip';

const ROOT = path.resolve(__dirname, '../..');
const BATCHES = [
  { name: 'daily-stats', handler: 'handlers/daily-stats.ts', runtime: 'nodejs24.x' },
  { name: 'weekly-report', handler: 'handlers/weekly-report.ts', runtime: 'nodejs24.x' },
];
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-pkg-'));
const originalTz = process.env.TZ;
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  process.env.TZ = originalTz;
});

async function packageIn(tz: string) {
  // Node re-reads TZ when it changes, so local-time getters (used by zip timestamps) follow it.
  process.env.TZ = tz;
  const file = await packageBatches(BATCHES, { projectDir: ROOT, outdir: out, cache: false });
  return Object.fromEntries(file.bundles.map((b) => [b.batch, b.sha256]));
}

describe('package', () => {
  test('gives byte-identical zips across builds and time zones', async () => {
    const first = await packageIn('UTC');
    const second = await packageIn('UTC');
    const seoul = await packageIn('Asia/Seoul');
    const honolulu = await packageIn('Pacific/Honolulu');
    expect(Object.keys(first)).toEqual(['daily-stats', 'weekly-report']);
    expect(first['daily-stats']).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toEqual(first);
    expect(seoul).toEqual(first);
    expect(honolulu).toEqual(first);
  });

  test('a rebuilt bundle directory holds only the new bundle: files left from before are removed', async () => {
    await packageIn('UTC');
    const left = path.join(out, 'weekly-report', 'chunk-old.js');
    fs.writeFileSync(left, 'stale');
    await packageIn('UTC');
    expect(fs.readdirSync(path.join(out, 'weekly-report')).sort()).toEqual(['index.js', 'index.js.map']);
  });

  test('lists zip path, sha256 and size of each batch in bundles.json', async () => {
    await packageIn('UTC');
    const listed = JSON.parse(fs.readFileSync(path.join(out, 'bundles.json'), 'utf8'));
    expect(listed.version).toBe(1);
    for (const b of listed.bundles) {
      const zip = fs.readFileSync(b.zip);
      expect(b.size).toBe(zip.length);
      expect(b.sha256).toBe(sha256Hex(zip));
    }
  });

  test("the bundle's index.js loads in plain Node and exports handler", async () => {
    await packageIn('UTC');
    for (const name of ['daily-stats', 'weekly-report']) {
      const file = path.join(out, name, 'index.js');
      // Lambda's runtime provides only @aws-sdk/* on its module path; a folder holding just that
      // plays the part here, so any other unbundled import would fail to load.
      const runtimeModules = path.join(out, 'runtime', 'node_modules');
      fs.mkdirSync(runtimeModules, { recursive: true });
      if (!fs.existsSync(path.join(runtimeModules, '@aws-sdk'))) fs.symlinkSync(path.join(ROOT, 'node_modules/@aws-sdk'), path.join(runtimeModules, '@aws-sdk'));
      const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(file)}); process.stdout.write(typeof m.handler)`], {
        encoding: 'utf8', cwd: os.tmpdir(), env: { PATH: process.env.PATH, NODE_PATH: runtimeModules },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('function');
    }
  });

  test('leaves @aws-sdk/* out of the bundle and bundles everything else', async () => {
    const bundle = await bundleBatch(BATCHES[0], { projectDir: ROOT, outdir: out });
    expect(bundle.inputs.filter((i) => i.includes('@aws-sdk/'))).toEqual([]);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['handlers/daily-stats.ts', 'src/runtime/batch-handler.ts']));
    expect(bundle.inputs.some((i) => i.includes('node_modules/pg/'))).toBe(true);
    expect(bundle.inputs.some((i) => i.includes('node_modules/@aws-lambda-powertools/logger/'))).toBe(true);
    const code = fs.readFileSync(path.join(out, 'daily-stats', 'index.js'), 'utf8');
    expect(code).toContain('require("@aws-sdk/client-secrets-manager")');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    const map = JSON.parse(fs.readFileSync(path.join(out, 'daily-stats', 'index.js.map'), 'utf8'));
    expect(map.sources.some((s: string) => s.endsWith('handlers/daily-stats.ts'))).toBe(true);
  });

  test('names a missing handler and how to fix it', async () => {
    await expect(bundleBatch({ name: 'ghost', handler: 'handlers/ghost.ts', runtime: 'nodejs24.x' }, { projectDir: ROOT, outdir: out }))
      .rejects.toThrow('batch "ghost": handler handlers/ghost.ts does not exist');
  });

  test('fails packaging, naming the batch, when the handler file does not export handler', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-noexport-'));
    try {
      fs.mkdirSync(path.join(dir, 'handlers'));
      fs.writeFileSync(path.join(dir, 'handlers/job.ts'), 'export const main = async () => 1;\n');
      await expect(packageBatches([{ name: 'job', handler: 'handlers/job.ts', runtime: 'nodejs24.x' }], { projectDir: dir }))
        .rejects.toThrow('bundle: batch "job", field "handler": handlers/job.ts does not export "handler" (it exports "main"), so Lambda would fail every run with Runtime.HandlerNotFound.');
      fs.writeFileSync(path.join(dir, 'handlers/job.ts'), 'export const handler = async () => 1;\n');
      await expect(packageBatches([{ name: 'job', handler: 'handlers/job.ts', runtime: 'nodejs24.x' }], { projectDir: dir })).resolves.toBeDefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('targets the runtime\'s Node.js version', () => {
    expect(esbuildTarget('nodejs24.x')).toBe('node24');
    expect(esbuildTarget('nodejs22.x')).toBe('node22');
    expect(() => esbuildTarget('python3.12')).toThrow('is not a Node.js runtime');
  });
});

describe('one esbuild call for many batches', () => {
  /** Today's per-batch build: esbuild on one entry with an outfile, then the deterministic zip. */
  async function perBatch(b: { name: string; handler: string; runtime: string }, dir: string) {
    const outfile = path.join(dir, b.name, 'index.js');
    await build({ ...bundleBuildOptions(ROOT, esbuildTarget(b.runtime)), entryPoints: [path.join(ROOT, b.handler)], outfile });
    const js = fs.readFileSync(outfile);
    const map = fs.readFileSync(`${outfile}.map`);
    return { js, map, zip: await deterministicZip([{ name: 'index.js', data: js }, { name: 'index.js.map', data: map }]) };
  }

  test('gives each batch the bundle, zip and sha256 of a build of that batch alone', async () => {
    const single = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-single-'));
    const many = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-many-'));
    try {
      const file = await packageBatches(BATCHES, { projectDir: ROOT, outdir: many, cache: false });
      // The two examples share batchform's runtime helper (and Powertools through it).
      const [daily, weekly] = await Promise.all(BATCHES.map((b) => bundleBatch(b, { projectDir: ROOT, outdir: single })));
      expect(daily.inputs.filter((i) => weekly.inputs.includes(i))).toContain('src/runtime/batch-handler.ts');
      for (const b of BATCHES) {
        const alone = await perBatch(b, single);
        const listed = file.bundles.find((x) => x.batch === b.name)!;
        expect(fs.readFileSync(path.join(many, b.name, 'index.js')).equals(alone.js)).toBe(true);
        expect(fs.readFileSync(path.join(many, b.name, 'index.js.map')).equals(alone.map)).toBe(true);
        expect(fs.readFileSync(listed.zip).equals(alone.zip)).toBe(true);
        expect(listed.sha256).toBe(sha256Hex(alone.zip));
      }
    } finally {
      fs.rmSync(single, { recursive: true, force: true });
      fs.rmSync(many, { recursive: true, force: true });
    }
  });
});

describe('incremental packaging', () => {
  let dir: string;
  const batches = [
    { name: 'a', handler: 'handlers/a.ts', runtime: 'nodejs24.x' },
    { name: 'b', handler: 'handlers/b.ts', runtime: 'nodejs24.x' },
    { name: 'c', handler: 'handlers/c.ts', runtime: 'nodejs24.x' },
  ];
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  const zipOf = (name: string) => fs.readFileSync(path.join(dir, 'dist/batches', `${name}.zip`));
  const shaOf = (r: { bundles: readonly { batch: string; sha256: string }[] }) => Object.fromEntries(r.bundles.map((b) => [b.batch, b.sha256]));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-incr-'));
    write('handlers/lib/shared.ts', 'export const greeting = (n: string) => `hello ${n}`;\n');
    write('handlers/lib/other.ts', 'export const greeting = (n: string) => `hi ${n}`;\n');
    write('handlers/a.ts', "import { greeting } from './lib/shared';\nexport const handler = async () => greeting('a');\n");
    write('handlers/b.ts', "import { greeting } from './lib/shared';\nexport const handler = async () => greeting('b');\n");
    write('handlers/c.ts', "import { greeting } from './lib/other';\nexport const handler = async () => greeting('c');\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reuses unchanged zips byte for byte and rebuilds what a changed shared module reaches', async () => {
    const first = await packageBatches(batches, { projectDir: dir });
    expect(first.rebuilt).toEqual(['a', 'b', 'c']);
    const zips = Object.fromEntries(batches.map((b) => [b.name, zipOf(b.name)]));
    const mtime = fs.statSync(path.join(dir, 'dist/batches/c.zip')).mtimeMs;

    const again = await packageBatches(batches, { projectDir: dir });
    expect(again.rebuilt).toEqual([]);
    expect(again.reused).toEqual(['a', 'b', 'c']);
    expect(shaOf(again)).toEqual(shaOf(first));
    for (const b of batches) expect(zipOf(b.name).equals(zips[b.name])).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'dist/batches/bundles.json'), 'utf8')).bundles).toEqual(first.bundles);

    write('handlers/lib/shared.ts', 'export const greeting = (n: string) => `good morning ${n}`;\n');
    const edited = await packageBatches(batches, { projectDir: dir });
    expect(edited.rebuilt).toEqual(['a', 'b']);
    expect(edited.reused).toEqual(['c']);
    expect(shaOf(edited).a).not.toBe(shaOf(first).a);
    expect(shaOf(edited).b).not.toBe(shaOf(first).b);
    expect(zipOf('c').equals(zips.c)).toBe(true);
    expect(fs.statSync(path.join(dir, 'dist/batches/c.zip')).mtimeMs).toBe(mtime);
    expect(fs.readFileSync(path.join(dir, 'dist/batches/a/index.js'), 'utf8')).toContain('good morning');

    // A batch that switches its import to the other module is rebuilt; a later edit of the module
    // it left no longer touches it.
    write('handlers/a.ts', "import { greeting } from './lib/other';\nexport const handler = async () => greeting('a');\n");
    expect((await packageBatches(batches, { projectDir: dir })).rebuilt).toEqual(['a']);
    write('handlers/lib/shared.ts', 'export const greeting = (n: string) => `good night ${n}`;\n');
    expect((await packageBatches(batches, { projectDir: dir })).rebuilt).toEqual(['b']);
    write('handlers/lib/other.ts', 'export const greeting = (n: string) => `hey ${n}`;\n');
    expect((await packageBatches(batches, { projectDir: dir })).rebuilt).toEqual(['a', 'c']);
  });

  test('rebuilds a batch whose zip was deleted or edited, or whose runtime changed', async () => {
    const first = await packageBatches(batches, { projectDir: dir });
    fs.rmSync(path.join(dir, 'dist/batches/a.zip'));
    fs.appendFileSync(path.join(dir, 'dist/batches/b.zip'), 'x');
    const repaired = await packageBatches(batches, { projectDir: dir });
    expect(repaired.rebuilt).toEqual(['a', 'b']);
    expect(shaOf(repaired)).toEqual(shaOf(first));
    expect(sha256Hex(zipOf('b'))).toBe(shaOf(first).b);

    fs.writeFileSync(path.join(dir, 'dist/batches/c/index.js'), 'edited');
    expect((await packageBatches(batches, { projectDir: dir })).rebuilt).toEqual(['c']);

    const node22 = batches.map((b) => (b.name === 'c' ? { ...b, runtime: 'nodejs22.x' } : b));
    expect((await packageBatches(node22, { projectDir: dir })).rebuilt).toEqual(['c']);
    expect((await packageBatches(node22, { projectDir: dir, cache: false })).rebuilt).toEqual(['a', 'b', 'c']);
  });

  test('a new tsconfig.json above the handlers rebuilds every batch', async () => {
    await packageBatches(batches, { projectDir: dir });
    write('tsconfig.json', '{ "compilerOptions": { "target": "ES2022" } }\n');
    expect((await packageBatches(batches, { projectDir: dir })).rebuilt).toEqual(['a', 'b', 'c']);
  });

  test('finds a handler re-exported from a package', async () => {
    write('node_modules/shared-handler/package.json', '{ "name": "shared-handler", "main": "index.js" }\n');
    write('node_modules/shared-handler/index.js', 'export const handler = async () => 1;\n');
    write('handlers/b.ts', "export * from 'shared-handler';\n");
    const result = await packageBatches(batches, { projectDir: dir });
    expect(result.rebuilt).toEqual(['a', 'b', 'c']);
    expect(fs.readFileSync(path.join(dir, 'dist/batches/b/index.js'), 'utf8')).toContain('handler');
  });

  test('names every batch whose handler fails to build or lacks the handler export', async () => {
    write('handlers/b.ts', 'export const main = async () => 1;\n');
    write('handlers/c.ts', 'export const handler = async ( => 1;\n');
    const failure = packageBatches(batches, { projectDir: dir });
    await expect(failure).rejects.toThrow('bundle: batch "c": handlers/c.ts:1:');
    write('handlers/c.ts', "import { greeting } from './lib/other';\nexport const handler = async () => greeting('c');\n");
    await expect(packageBatches(batches, { projectDir: dir })).rejects.toThrow(/^bundle: batch "b", field "handler": handlers\/b\.ts does not export "handler" \(it exports "main"\)/);
    expect(fs.existsSync(path.join(dir, 'dist/batches/bundles.json'))).toBe(false);
  });
});

describe('deterministicZip', () => {
  const a = { name: 'b.txt', data: Buffer.from('bee') };
  const b = { name: 'a.txt', data: Buffer.from('ay') };

  test('sorts entries, so input order does not matter', async () => {
    expect((await deterministicZip([a, b])).equals(await deterministicZip([b, a]))).toBe(true);
  });

  test('writes fixed DOS timestamps and rw-r--r-- modes', async () => {
    const zip = await deterministicZip([b]);
    // Local file header: signature, version, flags, method, then DOS time and date.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(10)).toBe(0); // 00:00:00
    // eslint-disable-next-line no-bitwise -- the zip format's MS-DOS date packs year, month and day into bit fields
    expect(zip.readUInt16LE(12)).toBe(((2000 - 1980) << 9) | (1 << 5) | 1); // 2000-01-01
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    // eslint-disable-next-line no-bitwise -- the Unix mode is the high 16 bits of the external attributes
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100644);
    expect(zip.includes(Buffer.from([0x55, 0x54]))).toBe(false); // no "UT" extended timestamp field
  });
});
