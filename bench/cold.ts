// Cold: regenerate + package N batches, each with its own handler (pg + the runtime helper), from
// nothing cached, side by side with `cdk synth` of the same N stacks written with NodejsFunction
// (one esbuild bundle per function, what a CDK user writes); and the regeneration a user runs most,
// `npx projen` with nothing changed, side by side with the same project without batchform.
import * as fs from 'fs';
import * as path from 'path';
import {
  benchEnv, formatRatio, formatStats, interleave, markdownTable, pairedRatios, progress, Sample,
  SectionResult, stats, Stats, timeCommand,
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
  readonly cdk: Stats;
  /** batchform / cdk synth, paired per repetition. */
  readonly ratio: Stats;
}

/** Nothing cached: batchform's template reuse and zip reuse are both off. */
const COLD_ENV = { BATCHFORM_TEMPLATE_CACHE: 'off', BATCHFORM_PACKAGE_CACHE: 'off' };

/** Measures one size: both contenders interleaved, each run starting from no bundles at all. */
function measureCold(size: number, repetitions: number): ColdSizeResult {
  progress(`cold: generating projects with ${size} distinct handler(s)`);
  const dirs = { batchform: createBatchformProject(size, { distinctHandlers: true }), cdk: createCdkApp(size, { distinctHandlers: true }) };
  try {
    setupProjen(dirs.batchform);
    const env = benchEnv(COLD_ENV);
    const parts: Array<{ regenerate: number; package: number }> = [];
    const samples = interleave({
      batchform: (): Sample => {
        // No zips, bundles or bundles.json left from the run before (removal not timed).
        fs.rmSync(path.join(dirs.batchform, 'dist'), { recursive: true, force: true });
        const regenerate = timeCommand('npx', PROJEN, { cwd: dirs.batchform, env });
        const pkg = timeCommand('npx', ['projen', 'package:batches'], { cwd: dirs.batchform, env });
        parts.push({ regenerate: regenerate.seconds, package: pkg.seconds });
        return { seconds: regenerate.seconds + pkg.seconds };
      },
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
    // The warm-up run is the first entry of `parts`; the recorded runs follow.
    const recorded = parts.slice(parts.length - repetitions);
    const secs = (k: keyof typeof samples): number[] => samples[k].map((s) => s.seconds);
    return {
      size,
      batchform: stats(secs('batchform')),
      regenerate: stats(recorded.map((p) => p.regenerate)),
      package: stats(recorded.map((p) => p.package)),
      cdk: stats(secs('cdk')),
      ratio: stats(pairedRatios(secs('batchform'), secs('cdk'))),
    };
  } finally {
    for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });
  }
}

const plural = (n: number, one: string, many = `${one}es`): string => `${n} ${n === 1 ? one : many}`;

/** Runs every size of the cold comparison and renders its section. */
export function runCold(options: ColdOptions): SectionResult {
  const sizes = options.sizes.map((n) => measureCold(n, options.repetitions(n)));
  const summary = sizes.map((s) => [
    `Regenerate + package ${plural(s.size, 'batch')} (own handlers, nothing cached) vs \`cdk synth\` with NodejsFunction`,
    formatStats(s.batchform, 's'), formatStats(s.cdk, 's'), formatRatio(s.ratio), 'faster',
  ]);
  const table = markdownTable(
    ['Batches', 'Runs', 'batchform `npx projen`', 'batchform `package:batches`', 'batchform total', '`cdk synth` (NodejsFunction)', 'batchform / cdk synth'],
    sizes.map((s) => [
      String(s.size), String(s.batchform.n), formatStats(s.regenerate, 's'), formatStats(s.package, 's'),
      formatStats(s.batchform, 's'), formatStats(s.cdk, 's'), formatRatio(s.ratio),
    ]),
  );
  const details = `${table}

Both sides start from nothing cached, every run: batchform with \`BATCHFORM_TEMPLATE_CACHE=off\`
(every template synthesized) and \`BATCHFORM_PACKAGE_CACHE=off\` (every batch bundled and zipped),
its \`dist/\` removed before the run; the CDK app with its \`cdk.out/\` removed before the run (the
removals are not timed). The two contenders alternate, repetition by repetition, after one
unrecorded warm-up run each; ratios are paired per repetition.

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
