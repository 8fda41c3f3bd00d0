import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleBatch, esbuildTarget } from '../../src/bundle/esbuild';
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
  const file = await packageBatches(BATCHES, { projectDir: ROOT, outdir: out });
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
    expect(bundle.inputs).toEqual(expect.arrayContaining(['handlers/daily-stats.ts', 'src/runtime/batch.ts']));
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
    expect(zip.readUInt16LE(12)).toBe(((2000 - 1980) << 9) | (1 << 5) | 1); // 2000-01-01
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100644);
    expect(zip.includes(Buffer.from([0x55, 0x54]))).toBe(false); // no "UT" extended timestamp field
  });
});
