// Regenerate: `npx projen` of N batches declared with batchform, side by side with an empty projen
// project's `npx projen` and the AWS CDK CLI's `cdk synth` of the same N stacks written with L2s.
import * as fs from 'fs';
import {
  benchEnv, formatRatio, formatStats, interleave, markdownTable, pairedRatios, progress, Sample,
  SectionResult, stats, Stats, timeCommand,
} from './lib';
import { createBatchformProject, createCdkApp, createEmptyProject } from './projects';

/** Options of {@link runRegenerate}. */
export interface RegenerateOptions {
  /** Batch counts to measure. */
  readonly sizes: readonly number[];
  /** Recorded repetitions per size (the first, setup run of each project is not recorded). */
  readonly repetitions: (size: number) => number;
  /** Keep the throwaway projects (for profiling or inspection). */
  readonly keep?: boolean;
}

/**
 * `npx projen --no-post`: the regeneration a user runs, minus projen's post-synthesis step, which
 * would `npm install` when package.json changed (it does not change between these runs; skipping
 * it guarantees nothing is ever installed into the shared, symlinked node_modules). The projen CLI
 * sets PROJEN_DISABLE_POST from its --post flag, so the environment variable alone is not enough.
 */
export const PROJEN = ['projen', '--no-post'];

/** `cdk synth` without version reporting / telemetry, path and asset metadata, or notices (offline). */
export const CDK_SYNTH = ['cdk', 'synth', '--no-version-reporting', '--no-path-metadata', '--no-asset-metadata', '--no-notices', '--quiet'];

/** First synthesis of a fresh projen project: writes .projen/tasks.json, which `npx projen` needs. */
export function setupProjen(dir: string): void {
  timeCommand('tsx', ['.projenrc.ts'], { cwd: dir, env: benchEnv({ PROJEN_DISABLE_POST: 'true' }) });
}

/** Raw numbers of one size. */
export interface SizeResult {
  readonly size: number;
  readonly samples: Record<'empty' | 'batchform' | 'cdk', Sample[]>;
  readonly batchform: Stats;
  readonly empty: Stats;
  readonly cdk: Stats;
  /** batchform / empty, paired per repetition. */
  readonly vsEmpty: Stats;
  /** batchform / cdk synth, paired per repetition. */
  readonly vsCdk: Stats;
  readonly rss: Record<'empty' | 'batchform' | 'cdk', Stats | undefined>;
  readonly dirs: Record<'empty' | 'batchform' | 'cdk', string>;
}

function rssStats(samples: readonly Sample[]): Stats | undefined {
  const v = samples.map((s) => s.maxRssMiB).filter((x): x is number => x !== undefined);
  return v.length ? stats(v) : undefined;
}

/** Measures one size: the three contenders interleaved, one repetition at a time. */
export function measureSize(size: number, repetitions: number, emptyDir: string): SizeResult {
  progress(`regenerate: generating projects with ${size} batch(es)`);
  const dirs = { empty: emptyDir, batchform: createBatchformProject(size), cdk: createCdkApp(size) };
  setupProjen(dirs.batchform);
  const env = benchEnv();
  const contenders = {
    empty: () => timeCommand('npx', PROJEN, { cwd: dirs.empty, env }),
    batchform: () => timeCommand('npx', PROJEN, { cwd: dirs.batchform, env }),
    cdk: () => timeCommand('npx', CDK_SYNTH, { cwd: dirs.cdk, env }),
  };
  // The warm-up run of each contender writes cdk.out / the cfn-out files and fills tsx's cache,
  // so every recorded run regenerates over existing output, as a user's second run does.
  const samples = interleave(contenders, {
    repetitions,
    warmup: 1,
    onSample: (name, rep, s) => progress(`regenerate ${size}: ${name} #${rep + 1} ${s.seconds.toFixed(2)} s`),
  });
  const secs = (k: keyof typeof samples): number[] => samples[k].map((s) => s.seconds);
  const templates = fs.readdirSync(`${dirs.batchform}/cfn-out`).filter((f) => /^job-\d+\.template\.json$/.test(f)).length;
  if (templates !== size) throw new Error(`regenerate: expected ${size} templates in ${dirs.batchform}/cfn-out, found ${templates}`);
  const stacks = fs.readdirSync(`${dirs.cdk}/cdk.out`).filter((f) => f.endsWith('.template.json')).length;
  if (stacks !== size) throw new Error(`regenerate: expected ${size} templates in ${dirs.cdk}/cdk.out, found ${stacks}`);
  return {
    size,
    samples,
    dirs,
    batchform: stats(secs('batchform')),
    empty: stats(secs('empty')),
    cdk: stats(secs('cdk')),
    vsEmpty: stats(pairedRatios(secs('batchform'), secs('empty'))),
    vsCdk: stats(pairedRatios(secs('batchform'), secs('cdk'))),
    rss: { empty: rssStats(samples.empty), batchform: rssStats(samples.batchform), cdk: rssStats(samples.cdk) },
  };
}

/** Runs every size and renders the section. */
export function runRegenerate(options: RegenerateOptions): { section: SectionResult; sizes: SizeResult[] } {
  const emptyDir = createEmptyProject();
  setupProjen(emptyDir);
  const sizes = options.sizes.map((n) => measureSize(n, options.repetitions(n), emptyDir));
  if (!options.keep) {
    for (const s of sizes) for (const k of ['batchform', 'cdk'] as const) fs.rmSync(s.dirs[k], { recursive: true, force: true });
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }

  const summary = sizes.flatMap((s) => [
    [`Regenerate ${s.size} batch${s.size === 1 ? '' : 'es'} vs empty projen project`, formatStats(s.batchform, 's'), formatStats(s.empty, 's'), formatRatio(s.vsEmpty), 'faster'],
    [`Regenerate ${s.size} batch${s.size === 1 ? '' : 'es'} vs \`cdk synth\``, formatStats(s.batchform, 's'), formatStats(s.cdk, 's'), formatRatio(s.vsCdk), 'faster'],
  ]);
  const table = markdownTable(
    ['Batches', 'Runs', 'empty `npx projen`', 'batchform `npx projen`', '`cdk synth`', 'batchform / empty', 'batchform / cdk synth', 'Peak RSS batchform / cdk (MiB)'],
    sizes.map((s) => [
      String(s.size), String(s.batchform.n),
      formatStats(s.empty, 's'), formatStats(s.batchform, 's'), formatStats(s.cdk, 's'),
      formatRatio(s.vsEmpty), formatRatio(s.vsCdk),
      s.rss.batchform && s.rss.cdk ? `${s.rss.batchform.median.toFixed(0)} / ${s.rss.cdk.median.toFixed(0)}` : 'n/a',
    ]),
  );
  const details = `${table}

Each cell is the median wall time with the min–max of the recorded runs; ratios are taken per
repetition (the three commands run back to back, in rotating order) and summarised the same way.
Every project had one unrecorded warm-up run first (it writes the output and fills tsx's cache),
so every recorded run regenerates over existing output, like a user's next \`npx projen\`.

- **empty**: \`npx projen --no-post\` in a projen \`TypeScriptProject\` with the same options as the
  batchform project (tsx runner, no GitHub, no ESLint) and no batchform component.
- **batchform**: the same project plus \`new Batchform(...)\` with N generated batches (every third
  in a VPC, varied cron schedules, timeouts and memory; one stage; alarms on, as by default),
  imported from batchform's npm package: the library packed with \`npm pack\` (\`lib/\` compiled first)
  and unpacked into the project's \`node_modules/batchform\`, as \`npm install\` leaves it, so one copy of
  projen serves \`.projenrc.ts\` and batchform and its tasks run the compiled \`batchform\` command.
- **cdk synth**: \`npx cdk synth --no-version-reporting --no-path-metadata --no-asset-metadata
  --no-notices --quiet\` of a CDK app (\`"app": "npx tsx app.ts"\`, the same TypeScript runner) with
  N stacks, each an L2 \`lambda.Function\` (code from \`lambda.Code.fromAsset\` of a tiny
  per-batch directory, so synth stages one asset per stack), its \`logs.LogGroup\`, an
  \`events.Rule\` with a \`targets.LambdaFunction\` target, and the same operations resources
  batchform generates (SQS dead-letter queue, async retry config, four CloudWatch alarms); VPC
  batches use \`Vpc.fromVpcAttributes\` (no lookups). Default synthesizer, no feature flags set.
- Both sides start the same way: \`npx projen\` and \`npx cdk\` each go through npx, and each then
  starts its TypeScript through one more npx (projen's task PATH is \`$(npx -c ...)\`; the CDK app
  command is \`npx tsx app.ts\`).
- \`--no-post\` skips projen's post-synthesis step, which runs \`npm install\` only when
  package.json changed or node_modules is missing; neither happens between these runs, so the
  flag only guarantees nothing is ever installed into the symlinked node_modules.
- Peak RSS is GNU time's "Maximum resident set size": the largest single process of the run
  (the \`tsx .projenrc.ts\` / \`tsx app.ts\` process), not the sum over npx, the CLI and the app.`;
  return {
    section: { title: 'Regenerate', summary, details, raw: sizes.map(({ dirs: _dirs, ...rest }) => rest) },
    sizes,
  };
}
