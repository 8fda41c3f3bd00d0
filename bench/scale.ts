// Scale: how regenerate time and peak memory grow with the number of batches, and where the time
// goes (in-process phase timings, and a CPU profile of the largest .projenrc.ts run).
//
// Run as a script (`tsx bench/scale.ts --phases <count> <projectDir>`) it is the child process that
// times batchform's phases in process and prints them as JSON.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  benchEnv, formatStats, markdownTable, progress, ROOT, SectionResult, stats, Stats, statsByField, StatsOf, tempDir, timeCommand,
} from './lib';
import { generatedBatch, generatedBatchOptions, STAGE } from './projects';
import type { SizeResult } from './regenerate';

/** In-process timings of one child run, in milliseconds (heap in MiB). */
interface Phases {
  readonly validate: number;
  readonly templates: number;
  readonly manifest: number;
  readonly serialize: number;
  readonly heapMiB: number;
}

/**
 * The child: loads batchform, warms up with a one-batch synthesis (module loading and JIT are not
 * what grows with N), then times each phase of what `npx projen` does for `count` batches.
 */
async function childPhases(count: number, projectDir: string): Promise<Phases> {
  // Imported here so the parent process never loads aws-cdk-lib for this file.
  const { validateDeclarations } = await import('../src/validate');
  const { batchTemplates, buildManifest } = await import('../src/template');
  const decl = (n: number): Parameters<typeof validateDeclarations>[0] => ({
    batches: Array.from({ length: n }, (_, i) => generatedBatchOptions(generatedBatch(i))) as never,
    stages: [STAGE],
  });
  batchTemplates(validateDeclarations(decl(1), { projectDir }).batches);
  const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
  let t = process.hrtime.bigint();
  const validated = validateDeclarations(decl(count), { projectDir });
  const validate = ms(t);
  t = process.hrtime.bigint();
  const templates = batchTemplates(validated.batches);
  const templatesMs = ms(t);
  t = process.hrtime.bigint();
  const manifest = buildManifest(validated, 'cfn-out');
  const manifestMs = ms(t);
  t = process.hrtime.bigint();
  // projen renders each JsonFile with 2-space indentation; this is that cost, without the writes.
  const bytes = Object.values(templates).reduce((n, tpl) => n + JSON.stringify(tpl, null, 2).length, 0) + JSON.stringify(manifest, null, 2).length;
  const serialize = ms(t);
  if (bytes === 0) throw new Error('scale: nothing serialized');
  return { validate, templates: templatesMs, manifest: manifestMs, serialize, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
}

/** Runs the child once and parses its JSON. */
function phasesOnce(count: number, projectDir: string): Phases {
  const r = spawnSync('tsx', [path.join(__dirname, 'scale.ts'), '--phases', String(count), projectDir], { cwd: ROOT, env: benchEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scale: phase run for ${count} batches failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Phases;
}

type PhaseStats = StatsOf<Phases>;

/** The parts of the V8 CPU profile format read here. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}
interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

/** A part of the run, found by the frames it runs under. */
interface Part {
  readonly key: string;
  readonly label: string;
  /** Nesting depth in the breakdown table. */
  readonly depth: number;
  readonly matches: (f: CallFrame) => boolean;
  /** Counted only inside this other part (e.g. module loading within batchform's work). */
  readonly within?: string;
}

const fn = (name: string, file: string) => (f: CallFrame): boolean => f.functionName === name && f.url.includes(file);
/** A function of batchform's own code, run from this repository's src/ or from the installed package's lib/. */
const own = (name: string, dir: string) => (f: CallFrame): boolean =>
  f.functionName === name && (f.url.includes(`/src/${dir}/`) || f.url.includes(`/node_modules/batchform/lib/${dir}/`));

/** The breakdown shown for the largest run: each part's inclusive time (nested parts are included in their parent). */
const PARTS: readonly Part[] = [
  { key: 'projenSynth', label: 'projen `project.synth()`', depth: 0, matches: fn('synth', 'projen/lib/project.js') },
  { key: 'preSynthesize', label: 'batchform `preSynthesize` (validate, templates, manifest, tasks)', depth: 1, matches: own('preSynthesize', 'projen') },
  { key: 'validate', label: 'validate the declarations', depth: 2, matches: own('validateDeclarations', 'validate') },
  { key: 'load', label: 'load aws-cdk-lib and the template builders (on first use)', depth: 2, matches: fn('require', 'node:internal/modules/'), within: 'preSynthesize' },
  { key: 'construct', label: 'build each batch stack\'s L1 constructs (`addBatchResources`)', depth: 2, matches: own('addBatchResources', 'template') },
  { key: 'alarms', label: 'of which the alarms and their notification target', depth: 3, matches: own('addAlarms', 'template') },
  { key: 'appSynth', label: 'aws-cdk-lib `App.synth()`', depth: 2, matches: (f) => f.functionName === 'synthesize' && f.url.includes('aws-cdk-lib/core/lib/private/synthesis.js') },
  { key: 'prepare', label: 'resolve cross-references over every construct (`prepareApp`)', depth: 3, matches: fn('prepareApp', 'aws-cdk-lib/core/lib/private/prepare-app.js') },
  { key: 'stackSynth', label: 'render each template and write it, with its metadata, to a temporary cloud assembly', depth: 3, matches: fn('synthesizeTree', 'aws-cdk-lib/core/lib/private/synthesis.js') },
  { key: 'writeFiles', label: 'projen writes the files', depth: 1, matches: fn('synthesize', 'projen/lib/file.js') },
];

/** Self time of a profile by package, its top functions, and the inclusive time of each of {@link PARTS}. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly byPackage: Array<[string, number]>;
  readonly byFunction: Array<[string, number]>;
  readonly parts: Record<string, number>;
}

/** Summarizes a V8 CPU profile (idle time left out). */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i] / 1000));
  const where = (url: string): string => {
    if (!url) return 'V8 / native (GC, file writes, JSON, regexp)';
    if (url.includes(`${ROOT}/src/`) || url.includes('/node_modules/batchform/')) return 'batchform';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    if (url.startsWith('node:')) return 'Node.js internals (module loader, source maps, fs)';
    return 'other';
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const parts: Record<string, number> = Object.fromEntries(PARTS.map((p) => [p.key, 0]));
  let totalMs = 0;
  for (const [id, ms] of self) {
    const f = nodes.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    totalMs += ms;
    const pkg = where(f.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const file = f.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(`${ROOT}/`, '');
    const name = `${f.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const hit = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      for (const p of PARTS) if (p.matches(nodes.get(cur)!.callFrame)) hit.add(p.key);
    }
    for (const p of PARTS) if (hit.has(p.key) && (!p.within || hit.has(p.within))) parts[p.key] += ms;
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, byPackage: sorted(byPackage), byFunction: sorted(byFunction), parts };
}

/** CPU-profiles one `.projenrc.ts` run (the process `npx projen` spawns) in `dir`. */
function profileRegenerate(dir: string): ProfileSummary {
  const out = tempDir('cpuprof');
  timeCommand('node', ['--cpu-prof', `--cpu-prof-dir=${out}`, '--import', 'tsx', '.projenrc.ts'], { cwd: dir, env: benchEnv({ PROJEN_DISABLE_POST: 'true' }) });
  // tsx's loader runs in a worker thread with its own (small) profile; the main thread's is the largest.
  const files = fs.readdirSync(out).map((f) => path.join(out, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(files[0], 'utf8')) as CpuProfile);
  progress(`scale: CPU profile kept at ${files[0]} (open it in Chrome DevTools)`);
  return summary;
}

/** Marginal cost per batch between consecutive sizes. */
export function perAdded(sizes: readonly number[], values: readonly number[]): Array<number | undefined> {
  return sizes.map((n, i) => (i === 0 ? undefined : (values[i] - values[i - 1]) / (n - sizes[i - 1])));
}

/** Raw numbers of the scale section (read by the analysis). */
export interface ScaleRaw {
  readonly growth: {
    readonly sizes: number[];
    /** batchform's median time above the empty project's, ms. */
    readonly ownMs: number[];
    readonly cdkMs: number[];
    readonly batchformRssMiB: number[];
    readonly emptyRssMiB: number[];
    readonly cdkRssMiB: number[];
  };
  readonly phases: Array<{ size: number } & PhaseStats>;
  readonly profiledSize: number;
  readonly profile: ProfileSummary;
}

/** Options of {@link runScale}. */
export interface ScaleOptions {
  /** Repetitions of each in-process phase run. */
  readonly repetitions: number;
}

/** Renders growth from the regenerate results and adds phase timings and a CPU profile. */
export function runScale(regenerate: readonly SizeResult[], options: ScaleOptions): SectionResult {
  const ns = regenerate.map((s) => s.size);
  const largest = regenerate[regenerate.length - 1];
  const median = (s: Stats | undefined): number => s?.median ?? NaN;
  const growth = {
    sizes: ns,
    ownMs: regenerate.map((s) => (s.batchform.median - s.empty.median) * 1000),
    cdkMs: regenerate.map((s) => s.cdk.median * 1000),
    batchformRssMiB: regenerate.map((s) => median(s.rss.batchform)),
    emptyRssMiB: regenerate.map((s) => median(s.rss.empty)),
    cdkRssMiB: regenerate.map((s) => median(s.rss.cdk)),
  };
  const f1 = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(1));
  const bfMs = perAdded(ns, growth.ownMs);
  const cdkMs = perAdded(ns, growth.cdkMs);
  const bfMiB = perAdded(ns, growth.batchformRssMiB);
  const cdkMiB = perAdded(ns, growth.cdkRssMiB);
  const growthTable = markdownTable(
    ['Batches', 'batchform time above empty', 'ms / added batch', 'batchform peak RSS', 'MiB / added batch', '`cdk synth` time', 'ms / added stack', '`cdk synth` peak RSS', 'MiB / added stack'],
    regenerate.map((s, i) => [
      String(s.size), `${(growth.ownMs[i] / 1000).toFixed(2)} s`, f1(bfMs[i]),
      `${growth.batchformRssMiB[i].toFixed(0)} MiB (empty: ${growth.emptyRssMiB[i].toFixed(0)})`, f1(bfMiB[i]),
      `${(growth.cdkMs[i] / 1000).toFixed(2)} s`, f1(cdkMs[i]), `${growth.cdkRssMiB[i].toFixed(0)} MiB`, f1(cdkMiB[i]),
    ]),
  );

  const phases = ns.filter((n) => n >= 10).map((n) => {
    const dir = regenerate.find((s) => s.size === n)!.dirs.batchform;
    const runs = Array.from({ length: options.repetitions }, () => phasesOnce(n, dir));
    progress(`scale: phases of ${n} batches: templates ${stats(runs.map((r) => r.templates)).median.toFixed(0)} ms`);
    return { size: n, ...statsByField(runs) };
  });
  const phaseTable = markdownTable(
    ['Batches', 'validate', 'templates (aws-cdk-lib build + synth)', 'ms / batch', 'manifest', 'JSON render', 'heap after'],
    phases.map((p) => [
      String(p.size), formatStats(p.validate, 'ms', 0), formatStats(p.templates, 'ms', 0), (p.templates.median / p.size).toFixed(1),
      formatStats(p.manifest, 'ms', 0), formatStats(p.serialize, 'ms', 0), `${p.heapMiB.median.toFixed(0)} MiB`,
    ]),
  );

  progress(`scale: CPU profile of the ${largest.size}-batch .projenrc.ts run`);
  const profile = profileRegenerate(largest.dirs.batchform);
  const pct = (ms: number): string => `${((100 * ms) / profile.totalMs).toFixed(0)} %`;
  const before = profile.totalMs - profile.parts.projenSynth;
  const breakdown = markdownTable(['Part of the run (inclusive CPU time)', 'ms', 'per batch', 'share'], [
    ['whole `.projenrc.ts` run (idle left out)', profile.totalMs.toFixed(0), '', '100 %'],
    ['before `project.synth()`: start-up, loading and compiling projen, aws-cdk-lib and batchform, declaring the project', before.toFixed(0), '', pct(before)],
    ...PARTS.map((p) => [`${'↳ '.repeat(p.depth)}${p.label}`, profile.parts[p.key].toFixed(0), (profile.parts[p.key] / largest.size).toFixed(2), pct(profile.parts[p.key])]),
  ]);
  const byPackage = markdownTable(['Where (self time)', 'ms', 'share'], profile.byPackage.slice(0, 7).map(([k, v]) => [k, v.toFixed(0), pct(v)]));
  const topFunctions = markdownTable(['Top functions (self time)', 'ms', 'share'], profile.byFunction.slice(0, 10).map(([k, v]) => [`\`${k}\``, v.toFixed(0), pct(v)]));

  const bfRss = growth.batchformRssMiB[growth.batchformRssMiB.length - 1];
  const cdkRss = growth.cdkRssMiB[growth.cdkRssMiB.length - 1];
  const summary = [
    [`Regenerate ${largest.size} batches: peak RSS`, `${bfRss.toFixed(0)} MiB`, `${cdkRss.toFixed(0)} MiB`, `${(bfRss / cdkRss).toFixed(2)}×`, 'smaller'],
  ];
  const details = `Growth, from the regenerate runs above (medians; "added" = between this row's batch count and the previous row's):

${growthTable}

batchform's phases timed in process (${options.repetitions} runs per size, each a fresh \`tsx\` process that
first synthesizes one batch to load the modules and warm the JIT, so these are the costs that grow
with the number of batches):

${phaseTable}

CPU profile (V8 \`--cpu-prof\`, which slows the run down somewhat) of the ${largest.size}-batch
\`.projenrc.ts\` run, the process \`npx projen\` spawns. Inclusive time of each part (nested
parts are included in their parent; "per batch" divides by ${largest.size}):

${breakdown}

Self time by package, and the functions with the most self time:

${byPackage}

${topFunctions}
`;
  const raw: ScaleRaw = { growth, phases, profiledSize: largest.size, profile: { ...profile, byFunction: profile.byFunction.slice(0, 40) } };
  return { title: 'Scale', summary, details, raw };
}

if (require.main === module && process.argv[2] === '--phases') {
  childPhases(Number(process.argv[3]), process.argv[4]).then(
    (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
