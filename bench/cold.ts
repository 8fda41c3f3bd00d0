// Cold: regenerate + package N batches, each with its own handler (pg + the runtime helper), from
// nothing cached, side by side with `cdk synth` of the same N stacks written with NodejsFunction
// (one esbuild bundle per function, what a CDK user writes); and the regeneration a user runs most,
// `npx projen` with nothing changed, side by side with the same project without batchform.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  benchEnv, formatRatio, formatStats, interleave, markdownTable, pairedRatios, progress, Sample, SectionResult, stats, Stats, statsByField, StatsOf, timeCommand,
} from './lib';
import { createBatchformProject, createCdkApp, createEmptyProject } from './projects';
import { CDK_SYNTH, PROJEN, setupProjen } from './regenerate';

/** Options of {@link runCold} and {@link runUnchanged}. */
export interface ColdOptions {
  /** Batch counts to measure. */
  readonly sizes: readonly number[];
  /** Recorded repetitions per size (after one unrecorded warm-up run of each contender). */
  readonly repetitions: (size: number) => number;
}

/** Raw numbers of one size of the cold comparison. */
export interface ColdSizeResult {
  readonly size: number;
  /** `npx projen` + `npx projen package:batches`, summed per run. */
  readonly batchform: Stats;
  /** Of which `npx projen` alone. */
  readonly regenerate: Stats;
  /** Of which `npx projen package:batches` alone. */
  readonly package: Stats;
  /** A fresh clone: `npx projen` reusing the committed templates, then `npx projen package:batches` with no bundles. */
  readonly clone: Stats;
  /** Of which `npx projen` alone. */
  readonly cloneRegenerate: Stats;
  readonly cdk: Stats;
  /** batchform / cdk synth, paired per repetition. */
  readonly ratio: Stats;
  /** fresh clone / cdk synth, paired per repetition. */
  readonly cloneRatio: Stats;
  /** Where `package:batches` spends its time (see {@link PackagePhases}). */
  readonly packagePhases: PackagePhaseStats;
}

/**
 * One breakdown of `package:batches`, in seconds: the same command run directly (without npx and
 * projen's task runner), and in process the esbuild call, the zips, and deflate alone at zlib's
 * default level (the zips') and at level 4 (smaller is faster, larger zips).
 */
interface PackagePhases {
  readonly direct: number;
  readonly esbuild: number;
  readonly zips: number;
  readonly deflateDefault: number;
  readonly deflateLevel4: number;
  /** Zip bytes at level 4 over those at the default level. */
  readonly level4Size: number;
}

type PackagePhaseStats = StatsOf<PackagePhases>;

/** The in-process part of {@link PackagePhases}, run by node in the project with the installed library. */
const PACKAGE_PHASES_SCRIPT = `const zlib = require('zlib');
const lib = './node_modules/batchform/lib/bundle/';
const { buildBundles } = require(lib + 'esbuild.js');
const { deterministicZip } = require(lib + 'zip.js');
const batches = require('./cfn-out/manifest.json').batches;
const secs = (t) => (performance.now() - t) / 1000;
const deflate = (bufs, level) => Promise.all(bufs.map((b) => new Promise((ok, no) => zlib.deflateRaw(b, { level }, (e, r) => (e ? no(e) : ok(r.length))))));
(async () => {
  let t = performance.now();
  const built = await buildBundles(batches);
  const esbuild = secs(t);
  t = performance.now();
  await Promise.all(built.map((b) => deterministicZip(b.files.map((f, i) => ({ name: f.name, data: b.contents[i] })))));
  const zips = secs(t);
  const bufs = built.flatMap((b) => b.contents);
  t = performance.now();
  const atDefault = await deflate(bufs, zlib.constants.Z_DEFAULT_COMPRESSION);
  const deflateDefault = secs(t);
  t = performance.now();
  const at4 = await deflate(bufs, 4);
  const deflateLevel4 = secs(t);
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  console.log(JSON.stringify({ esbuild, zips, deflateDefault, deflateLevel4, level4Size: sum(at4) / sum(atDefault) }));
})();
`;

/** Breaks `package:batches` down, `runs` times, in a project packaged before. */
function measurePackagePhases(dir: string, runs: number, env: NodeJS.ProcessEnv): PackagePhaseStats {
  const script = path.join(dir, 'bench-package-phases.js');
  fs.writeFileSync(script, PACKAGE_PHASES_SCRIPT);
  const samples: PackagePhases[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
      const direct = timeCommand(path.join(dir, 'node_modules', '.bin', 'batchform'), ['package', '--manifest', 'cfn-out/manifest.json'], { cwd: dir, env }).seconds;
      const r = spawnSync('node', [script], { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cold: package phases failed in ${dir}: ${r.stderr}`);
      samples.push({ direct, ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<PackagePhases, 'direct'>) });
    }
  } finally {
    fs.rmSync(script, { force: true });
  }
  return statsByField(samples);
}

/** Nothing cached: batchform's template reuse and zip reuse are both off. */
const COLD_ENV = { BATCHFORM_TEMPLATE_CACHE: 'off', BATCHFORM_PACKAGE_CACHE: 'off' };

/** A fresh clone: the committed templates are reused (as by default), and there are no zips to reuse. */
const CLONE_ENV = { BATCHFORM_TEMPLATE_CACHE: '', BATCHFORM_PACKAGE_CACHE: 'off' };

/** Measures one size: both contenders interleaved, each run starting from no bundles at all. */
function measureCold(size: number, repetitions: number): ColdSizeResult {
  progress(`cold: generating projects with ${size} distinct handler(s)`);
  const dirs = { batchform: createBatchformProject(size, { distinctHandlers: true }), cdk: createCdkApp(size, { distinctHandlers: true }) };
  try {
    setupProjen(dirs.batchform);
    const env = benchEnv(COLD_ENV);
    const cloneEnv = benchEnv(CLONE_ENV);
    // Each contender's runs, split in its two commands; the first entry is the warm-up run.
    const runs: Record<'batchform' | 'clone', Array<{ regenerate: number; package: number }>> = { batchform: [], clone: [] };
    const regenerateAndPackage = (contender: keyof typeof runs, runEnv: NodeJS.ProcessEnv): Sample => {
      // No zips, bundles or bundles.json left from the run before, and no tool caches
      // (node_modules/.cache/batchform), as in a fresh clone (removals not timed).
      fs.rmSync(path.join(dirs.batchform, 'dist'), { recursive: true, force: true });
      fs.rmSync(path.join(dirs.batchform, 'node_modules', '.cache', 'batchform'), { recursive: true, force: true });
      const regenerate = timeCommand('npx', PROJEN, { cwd: dirs.batchform, env: runEnv });
      const pkg = timeCommand('npx', ['projen', 'package:batches'], { cwd: dirs.batchform, env: runEnv });
      runs[contender].push({ regenerate: regenerate.seconds, package: pkg.seconds });
      return { seconds: regenerate.seconds + pkg.seconds };
    };
    const samples = interleave({
      batchform: () => regenerateAndPackage('batchform', env),
      // cfn-out/ and template-hashes.json are what the runs before wrote: the committed files of a clone.
      clone: () => regenerateAndPackage('clone', cloneEnv),
      cdk: (): Sample => {
        // No staged or bundled asset left from the run before (removal not timed).
        fs.rmSync(path.join(dirs.cdk, 'cdk.out'), { recursive: true, force: true });
        return timeCommand('npx', CDK_SYNTH, { cwd: dirs.cdk, env, timeoutSeconds: 1800 });
      },
    }, {
      repetitions,
      warmup: 1,
      onSample: (name, rep, s) => progress(`cold ${size}: ${name} #${rep + 1} ${s.seconds.toFixed(2)} s`),
    });
    const zips = fs.readdirSync(path.join(dirs.batchform, 'dist/batches')).filter((f) => f.endsWith('.zip')).length;
    if (zips !== size) throw new Error(`cold: expected ${size} zips in ${dirs.batchform}/dist/batches, found ${zips}`);
    const assets = fs.readdirSync(path.join(dirs.cdk, 'cdk.out')).filter((f) => f.startsWith('asset.')).length;
    if (assets !== size) throw new Error(`cold: expected ${size} bundled assets in ${dirs.cdk}/cdk.out, found ${assets}`);
    const packagePhases = measurePackagePhases(dirs.batchform, Math.min(repetitions, 3), env);
    const recorded = (k: keyof typeof runs, part: 'regenerate' | 'package'): Stats => stats(runs[k].slice(-repetitions).map((r) => r[part]));
    const secs = (k: keyof typeof samples): number[] => samples[k].map((s) => s.seconds);
    return {
      size,
      batchform: stats(secs('batchform')),
      regenerate: recorded('batchform', 'regenerate'),
      package: recorded('batchform', 'package'),
      clone: stats(secs('clone')),
      cloneRegenerate: recorded('clone', 'regenerate'),
      cdk: stats(secs('cdk')),
      ratio: stats(pairedRatios(secs('batchform'), secs('cdk'))),
      cloneRatio: stats(pairedRatios(secs('clone'), secs('cdk'))),
      packagePhases,
    };
  } finally {
    for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });
  }
}

const plural = (n: number, one: string, many = `${one}es`): string => `${n} ${n === 1 ? one : many}`;

/** Runs every size of the cold comparison and renders its section. */
export function runCold(options: ColdOptions): SectionResult {
  const sizes = options.sizes.map((n) => measureCold(n, options.repetitions(n)));
  const summary = sizes.flatMap((s) => [[
    `Regenerate + package ${plural(s.size, 'batch')} (own handlers, nothing cached) vs \`cdk synth\` with NodejsFunction`,
    formatStats(s.batchform, 's'), formatStats(s.cdk, 's'), formatRatio(s.ratio), 'faster',
  ], [
    `Fresh clone: regenerate (committed templates) + package ${plural(s.size, 'batch')} vs \`cdk synth\` with NodejsFunction`,
    formatStats(s.clone, 's'), formatStats(s.cdk, 's'), formatRatio(s.cloneRatio), 'faster',
  ]]);
  const table = markdownTable(
    ['Batches', 'Runs', 'batchform `npx projen`', 'batchform `package:batches`', 'batchform total', 'fresh clone `npx projen`', 'fresh clone total', '`cdk synth` (NodejsFunction)', 'batchform / cdk synth', 'fresh clone / cdk synth'],
    sizes.map((s) => [
      String(s.size), String(s.batchform.n), formatStats(s.regenerate, 's'), formatStats(s.package, 's'),
      formatStats(s.batchform, 's'), formatStats(s.cloneRegenerate, 's'), formatStats(s.clone, 's'), formatStats(s.cdk, 's'),
      formatRatio(s.ratio), formatRatio(s.cloneRatio),
    ]),
  );
  const phaseTable = markdownTable(
    ['Batches', '`package:batches`', 'the same command run directly', 'of which esbuild (one call)', 'zips in memory (deflate, CRC)', 'deflate alone, zlib default level', 'deflate alone, level 4', 'level-4 zip size'],
    sizes.map((s) => {
      const p = s.packagePhases;
      return [String(s.size), formatStats(s.package, 's'), formatStats(p.direct, 's'), formatStats(p.esbuild, 's'), formatStats(p.zips, 's'),
        formatStats(p.deflateDefault, 's'), formatStats(p.deflateLevel4, 's'), `${(100 * p.level4Size.median).toFixed(0)} %`];
    }),
  );
  const details = `${table}

Where \`package:batches\` spends its time (medians of up to 3 runs after the interleaved ones): the
command is run once more without \`npx projen\` (the difference is npx, projen's CLI and its task
runner), and in a Node.js process of its own the esbuild call and the zips (made in memory, not
written) are timed apart; the
zips' deflate is then timed alone at zlib's default level (what batchform uses) and at level 4.

${phaseTable}

Both sides start from nothing cached, every run: batchform with \`BATCHFORM_TEMPLATE_CACHE=off\`
(every template synthesized) and \`BATCHFORM_PACKAGE_CACHE=off\` (every batch bundled and zipped),
its \`dist/\` removed before the run; the CDK app with its \`cdk.out/\` removed before the run (the
removals are not timed). The contenders alternate, repetition by repetition, after one
unrecorded warm-up run each; ratios are paired per repetition.

- **Fresh clone**: what CI does on every push and a new teammate on the first day: the templates
  and \`cfn-out/template-hashes.json\` are there (committed), nothing else is: no \`dist/\`, no
  \`node_modules/.cache/batchform\`. \`npx projen\` reuses each template once its SHA-256 matches
  (aws-cdk-lib is not loaded); \`package:batches\` bundles and zips every batch.
- **batchform from npm**: each project has batchform installed as \`npm install\` leaves it (the
  packed library in \`node_modules/batchform\`, its \`batchform\` command in \`node_modules/.bin\`),
  so both tasks run the compiled library, as in a user's project.
- **Handlers**: every batch has its own TypeScript handler: it imports \`pg\` and batchform's
  runtime helper (\`batch()\`, which brings Powertools' Logger), and runs its own query, so no two
  bundles are the same. Both sides bundle the very same files.
- **batchform**: \`npx projen --no-post\` (templates and manifest) and then \`npx projen
  package:batches\` (one esbuild call for all entry points, minified with source maps, then
  deterministic zips in parallel), timed as one.
- **cdk synth**: \`npx cdk synth --no-version-reporting --no-path-metadata --no-asset-metadata
  --no-notices --quiet\` of a CDK app (\`npx tsx app.ts\`) with the same stacks as in Regenerate,
  each function a \`NodejsFunction\` (\`entry\` the handler, runtime Node.js 24, arm64, local esbuild,
  \`externalModules: ['@aws-sdk/*', 'pg-native']\` as batchform's bundles): the CDK bundles each
  function with its own esbuild process during synth. \`cdk synth\` stops at the bundled asset
  directories; zipping them happens later, at \`cdk deploy\`, and is not counted.`;
  return { title: 'Cold regenerate + package', summary, details, raw: sizes };
}

/** Raw numbers of one size of the no-change comparison. */
export interface UnchangedSizeResult {
  readonly size: number;
  readonly batchform: Stats;
  readonly empty: Stats;
  readonly ratio: Stats;
}

/** `npx projen` again with nothing changed, against the same project without batchform. */
function measureUnchanged(size: number, repetitions: number, emptyDir: string): UnchangedSizeResult {
  progress(`unchanged: generating a project with ${size} batch(es)`);
  const dir = createBatchformProject(size);
  try {
    setupProjen(dir);
    // Template reuse on, as by default; the warm-up run writes cfn-out/ and template-hashes.json,
    // so every recorded run finds every declaration unchanged (a fresh clone takes the same path).
    const env = benchEnv({ BATCHFORM_TEMPLATE_CACHE: '' });
    const samples = interleave({
      batchform: () => timeCommand('npx', PROJEN, { cwd: dir, env }),
      empty: () => timeCommand('npx', PROJEN, { cwd: emptyDir, env }),
    }, {
      repetitions,
      warmup: 1,
      onSample: (name, rep, s) => progress(`unchanged ${size}: ${name} #${rep + 1} ${s.seconds.toFixed(2)} s`),
    });
    const secs = (k: keyof typeof samples): number[] => samples[k].map((s) => s.seconds);
    return { size, batchform: stats(secs('batchform')), empty: stats(secs('empty')), ratio: stats(pairedRatios(secs('batchform'), secs('empty'))) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every size of the no-change comparison and renders its section. */
export function runUnchanged(options: ColdOptions): SectionResult {
  const emptyDir = createEmptyProject();
  let sizes: UnchangedSizeResult[];
  try {
    setupProjen(emptyDir);
    sizes = options.sizes.map((n) => measureUnchanged(n, options.repetitions(n), emptyDir));
  } finally {
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }
  const summary = sizes.map((s) => [
    `Regenerate ${plural(s.size, 'batch')}, nothing changed, vs empty projen project`,
    formatStats(s.batchform, 's'), formatStats(s.empty, 's'), formatRatio(s.ratio), 'faster',
  ]);
  const table = markdownTable(
    ['Batches', 'Runs', 'empty `npx projen`', 'batchform `npx projen`, nothing changed', 'batchform / empty'],
    sizes.map((s) => [String(s.size), String(s.batchform.n), formatStats(s.empty, 's'), formatStats(s.batchform, 's'), formatRatio(s.ratio)]),
  );
  const details = `${table}

\`npx projen --no-post\` run again in a project whose declarations did not change since the last
run, with template reuse on (the default), against the empty project of Regenerate; interleaved,
ratios paired per repetition. Every template is taken from \`cfn-out/\` after its SHA-256 matched
\`cfn-out/template-hashes.json\` and its declaration's hash did; neither aws-cdk-lib nor
batchform's template and bundle code is loaded (tsx's own esbuild, which compiles \`.projenrc.ts\`,
runs on both sides). A fresh clone of a project with committed \`cfn-out/\` takes the same path.`;
  return { title: 'Regenerate, nothing changed', summary, details, raw: sizes };
}
