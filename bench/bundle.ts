// Bundle: zip size and cold module-load time of batchform's bundles of the example handlers, side
// by side with the AWS CDK `NodejsFunction` default bundling of the same handlers.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { bundleBatch, deterministicZip, zipBundle } from '../src/bundle';
import {
  formatKiB, formatRatio, formatStats, interleave, markdownTable, pairedRatios, progress, ROOT,
  SectionResult, stats, Stats, tempDir,
} from './lib';

/** The example handlers of this repository, with batchform's default runtime. */
const HANDLERS = [
  { name: 'daily-stats', handler: 'handlers/daily-stats.ts', runtime: 'nodejs24.x' },
  { name: 'weekly-report', handler: 'handlers/weekly-report.ts', runtime: 'nodejs24.x' },
];

/** A bundle ready to measure. */
interface Built {
  /** The JavaScript file Lambda loads. */
  readonly file: string;
  readonly zipBytes: number;
  readonly jsBytes: number;
  /** Node flags the function runs with. */
  readonly nodeFlags: readonly string[];
  /** Bytes of the same zip without the source map (batchform only). */
  readonly zipBytesWithoutMap?: number;
}

/** batchform's bundle, exactly as `npx projen package:batches` builds and zips it. */
async function batchformBundle(h: typeof HANDLERS[number], outdir: string): Promise<Built> {
  const bundle = await bundleBatch(h, { projectDir: ROOT, outdir });
  const zip = await zipBundle(bundle, ROOT);
  const file = path.join(outdir, h.name, 'index.js');
  const withoutMap = await deterministicZip([{ name: 'index.js', data: fs.readFileSync(file) }]);
  // The template sets NODE_OPTIONS=--enable-source-maps, so Lambda loads the map with the code.
  return { file, zipBytes: zip.size, jsBytes: zip.bundleSize, nodeFlags: ['--enable-source-maps'], zipBytesWithoutMap: withoutMap.length };
}

/**
 * The CDK `NodejsFunction` default bundle (esbuild run locally, as it is whenever esbuild is
 * installed; no Docker): not minified, no source map, `@aws-sdk/*` external for Node 18+ runtimes.
 * Zipped with the same deterministic zipper as batchform's, so the sizes compare content only.
 */
async function cdkBundle(h: typeof HANDLERS[number], outdir: string): Promise<Built> {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': ['*'] } });
  const stack = new Stack(app, 'Bench');
  new NodejsFunction(stack, h.name, {
    entry: path.join(ROOT, h.handler),
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    projectRoot: ROOT,
    depsLockFilePath: path.join(ROOT, 'package-lock.json'),
  });
  const assembly = app.synth();
  const assetDirs = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
  if (assetDirs.length !== 1) throw new Error(`bundle: expected one asset from NodejsFunction ${h.name}, found ${assetDirs.length} in ${assembly.directory}`);
  const dir = path.join(assembly.directory, assetDirs[0]);
  const files = fs.readdirSync(dir).sort();
  const zip = await deterministicZip(files.map((name) => ({ name, data: fs.readFileSync(path.join(dir, name)) })));
  const file = path.join(dir, 'index.js');
  return { file, zipBytes: zip.length, jsBytes: fs.statSync(file).size, nodeFlags: [] };
}

/** The script a fresh `node` runs: times `require` of the bundle and prints milliseconds. */
const LOAD_SCRIPT = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/**
 * Cold module-load time: a fresh `node` process per sample requires the bundle and reports how
 * long `require` took (process start-up excluded, it is the same for both). `@aws-sdk/*` is left
 * out of both bundles, as Lambda provides it; NODE_PATH points both at this repository's copy.
 */
function loadMs(b: Built): number {
  const r = spawnSync(process.execPath, [...b.nodeFlags, '-e', LOAD_SCRIPT, b.file], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_OPTIONS: '' },
  });
  if (r.status !== 0) throw new Error(`bundle: loading ${b.file} failed: ${r.stderr}`);
  const ms = Number(r.stdout);
  if (!Number.isFinite(ms)) throw new Error(`bundle: loading ${b.file} printed ${JSON.stringify(r.stdout)}`);
  return ms;
}

/**
 * A file that only requires the external modules a bundle requires (`@aws-sdk/*`, which Lambda
 * provides): the floor of the bundle's load time that no bundler setting changes. Undefined when
 * the bundle requires none.
 */
function externalsOnly(bundleFile: string, dir: string): Built | undefined {
  const code = fs.readFileSync(bundleFile, 'utf8');
  const externals = [...new Set([...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]))].sort();
  if (!externals.length) return undefined;
  const file = path.join(dir, 'externals-only.js');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, externals.map((e) => `require(${JSON.stringify(e)});`).join('\n'));
  return { file, zipBytes: 0, jsBytes: 0, nodeFlags: [] };
}

/** Raw numbers of one handler. */
export interface HandlerResult {
  readonly handler: string;
  readonly batchform: Omit<Built, 'file'> & { loadMs: Stats };
  readonly cdk: Omit<Built, 'file'> & { loadMs: Stats };
  /** batchform's bundle loaded without --enable-source-maps: what the map costs at load. */
  readonly batchformWithoutMapsLoadMs: Stats;
  /** Requiring only the bundle's external `@aws-sdk/*` modules, when it has any. */
  readonly externalsLoadMs?: Stats;
  readonly zipRatio: number;
  readonly loadRatio: Stats;
}

/** Builds both bundles of every example handler and measures them. */
export async function runBundle(options: { repetitions: number }): Promise<SectionResult> {
  const work = tempDir('bundle');
  const results: HandlerResult[] = [];
  try {
    for (const h of HANDLERS) {
      progress(`bundle: ${h.name}`);
      const bf = await batchformBundle(h, path.join(work, 'batchform'));
      const cdk = await cdkBundle(h, path.join(work, `cdk-${h.name}`));
      const floor = externalsOnly(cdk.file, path.join(work, `floor-${h.name}`));
      const samples: Record<string, number[]> = interleave({
        batchform: () => loadMs(bf),
        cdk: () => loadMs(cdk),
        batchformWithoutMaps: () => loadMs({ ...bf, nodeFlags: [] }),
        ...(floor ? { externals: () => loadMs(floor) } : {}),
      }, { repetitions: options.repetitions, warmup: 2 });
      const { file: _f1, ...bfRest } = bf;
      const { file: _f2, ...cdkRest } = cdk;
      results.push({
        handler: h.handler,
        batchform: { ...bfRest, loadMs: stats(samples.batchform) },
        cdk: { ...cdkRest, loadMs: stats(samples.cdk) },
        batchformWithoutMapsLoadMs: stats(samples.batchformWithoutMaps),
        externalsLoadMs: samples.externals ? stats(samples.externals) : undefined,
        zipRatio: bf.zipBytes / cdk.zipBytes,
        loadRatio: stats(pairedRatios(samples.batchform, samples.cdk)),
      });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const summary = results.flatMap((r) => [
    [`Zip size, \`${r.handler}\``, formatKiB(r.batchform.zipBytes), formatKiB(r.cdk.zipBytes), `${r.zipRatio.toFixed(2)}×`, 'smaller'],
    [`Cold \`require\`, \`${r.handler}\``, formatStats(r.batchform.loadMs, 'ms', 1), formatStats(r.cdk.loadMs, 'ms', 1), formatRatio(r.loadRatio), 'faster'],
  ]);
  const details = `${markdownTable(
    ['Handler', 'batchform zip (js + map)', 'batchform zip, js only', 'NodejsFunction zip', 'batchform index.js', 'NodejsFunction index.js',
      'batchform require (source maps on)', 'batchform require (source maps off)', 'NodejsFunction require', 'require ratio (maps on)', '`@aws-sdk/*` alone'],
    results.map((r) => [
      `\`${r.handler}\``, formatKiB(r.batchform.zipBytes), formatKiB(r.batchform.zipBytesWithoutMap ?? NaN), formatKiB(r.cdk.zipBytes),
      formatKiB(r.batchform.jsBytes), formatKiB(r.cdk.jsBytes),
      formatStats(r.batchform.loadMs, 'ms', 1), formatStats(r.batchformWithoutMapsLoadMs, 'ms', 1), formatStats(r.cdk.loadMs, 'ms', 1), formatRatio(r.loadRatio),
      r.externalsLoadMs ? formatStats(r.externalsLoadMs, 'ms', 1) : 'none required',
    ]),
  )}

- **batchform**: \`bundleBatch\` + \`zipBundle\` (what \`npx projen package:batches\` runs): esbuild,
  minified, CommonJS, target from the runtime (node24), linked source map without sources
  content, \`@aws-sdk/*\` and \`pg-native\` external; the zip holds \`index.js\` and \`index.js.map\`.
- **NodejsFunction**: \`new NodejsFunction(stack, id, { entry, handler: 'handler', runtime: NODEJS_24_X })\`
  synthesized in process with every default: local esbuild (installed, so no Docker), not
  minified, no source map, \`@aws-sdk/*\` external. Its asset directory is zipped with batchform's
  deterministic zipper, so both zips use the same compressor and differ only in content (the CDK
  CLI zips assets itself at publish time, with its own settings).
- **Cold require**: ${options.repetitions} samples per bundle, alternating; each sample is a fresh
  \`node\` (${process.version}) that times \`require(bundle)\` with \`process.hrtime\` (start-up of
  \`node\` itself excluded). batchform's bundle runs with \`--enable-source-maps\`, as its template
  sets \`NODE_OPTIONS\`, so its time includes reading and parsing the source map (the column
  "source maps off" loads the same file without the flag); the CDK bundle runs without (its
  default has no map). \`@aws-sdk/*\` is external in both and resolved from
  this repository's node_modules through NODE_PATH, standing in for the copy Lambda provides;
  "\`@aws-sdk/*\` alone" requires just those modules: the part of the load no bundler changes.`;
  return { title: 'Bundle', summary, details, raw: results };
}
