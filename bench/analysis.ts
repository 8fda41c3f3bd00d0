// The prose of RESULTS.md: what each measurement measures, and where batchform is ahead or behind
// and why, written from the numbers of the run so it stays true when the numbers change.
import type { HandlerResult } from './bundle';
import type { ColdSizeResult, UnchangedSizeResult } from './cold';
import type { DeployRaw } from './deploy';
import { formatKiB, ratioNumber } from './lib';
import type { SizeResult } from './regenerate';
import { perAdded, ScaleRaw } from './scale';

/** The raw numbers of whichever measurements ran. */
export interface Findings {
  regenerate?: SizeResult[];
  cold?: ColdSizeResult[];
  unchanged?: UnchangedSizeResult[];
  bundle?: HandlerResult[];
  deploy?: DeployRaw;
  scale?: ScaleRaw;
}

const s = (v: number, digits = 2): string => `${v.toFixed(digits)} s`;
const ms = (v: number, digits = 1): string => `${v.toFixed(digits)} ms`;
const x = (v: number): string => `${ratioNumber(v)}×`;

/** What each section measures, in one paragraph each. */
const MEASURES = `- **Regenerate**: \`npx projen\` of a project declaring N generated batches with batchform,
  against the same projen project without batchform (the floor) and against the AWS CDK CLI's
  \`cdk synth\` of the same N stacks written with L2 constructs, all run by tsx; every template
  synthesized (template reuse off). batchform is installed from its packed npm package in every
  generated project, as \`npm install batchform\` leaves it.
- **Cold regenerate + package**: \`npx projen\` + \`npx projen package:batches\` of N batches with
  their own handlers (pg + the runtime helper), nothing cached (and, as a fresh clone, with only the
  committed templates), against \`cdk synth\` of the same stacks written with \`NodejsFunction\`
  (one esbuild bundle per function).
- **Regenerate, nothing changed**: \`npx projen\` again with no declaration changed (the everyday
  run, and a fresh clone's), against the same project without batchform.
- **Bundle**: the zip and the cold \`require\` time of the bundles of the two example handlers, built
  by batchform (\`npx projen package:batches\`) and by the CDK's \`NodejsFunction\` with its defaults.
- **Deploy**: AWS calls and simulated time of deploying 50 stacks (nothing changed, 5 changed, all
  changed) with batchform's engine and with the flow of aws-actions/aws-cloudformation-github-deploy
  run once per stack, against the same mocked AWS.
- **Scale**: how regenerate time and peak memory grow up to the largest N, and where the time goes
  (phases timed in process, and a CPU profile).`;

function regenerateFindings(sizes: readonly SizeResult[], scale: ScaleRaw | undefined): { ahead: string[]; behind: string[] } {
  const ahead: string[] = [];
  const behind: string[] = [];
  const largest = sizes[sizes.length - 1];
  const vsCdk = sizes.map((r) => `${r.size}: ${x(r.vsCdk.median)}`).join(', ');
  const cdkFloor = sizes[0];
  const prevSize = sizes[sizes.length - 2];
  const marginal = prevSize
    ? `Each stack added between ${prevSize.size} and ${largest.size} costs \`cdk synth\` ${ms(((largest.cdk.median - prevSize.cdk.median) * 1000) / (largest.size - prevSize.size))} ` +
      `and batchform ${ms(((largest.batchform.median - prevSize.batchform.median) * 1000) / (largest.size - prevSize.size))}. `
    : '';
  if (sizes.every((r) => r.vsCdk.median < 1)) {
    ahead.push(`**Regenerate vs \`cdk synth\`**: batchform is faster at every size (batchform / cdk synth by batch count: ${vsCdk}). ` +
      `Much of the lead is fixed cost: \`cdk synth\` of ${cdkFloor.size} stack already takes ${s(cdkFloor.cdk.median)} (the CDK CLI's own process, ` +
      'the L2 layer, staging one code asset per stack, asset and bootstrap metadata), where batchform adds ' +
      `${s(cdkFloor.batchform.median - cdkFloor.empty.median)} to projen's own regeneration. ` +
      marginal +
      `At ${largest.size} batches batchform also peaks at less memory: ${largest.rss.batchform?.median.toFixed(0) ?? '?'} MiB against ${largest.rss.cdk?.median.toFixed(0) ?? '?'} MiB.`);
  } else {
    behind.push(`**Regenerate vs \`cdk synth\`**: batchform is not faster at every size (batchform / cdk synth by batch count: ${vsCdk}).`);
  }

  const hundred = sizes.find((r) => r.size === 100) ?? largest;
  const extra = hundred.batchform.median - hundred.empty.median;
  // The target of issue 17: at most 1.3× the project without batchform when every template is synthesized.
  const target = hundred.vsEmpty.median <= 1.3;
  const lines = [
    `**Regenerate vs an empty project**: with ${hundred.size} batches \`npx projen\` takes ${s(hundred.batchform.median)} against ${s(hundred.empty.median)} ` +
      `for the same project without batchform (${x(hundred.vsEmpty.median)}${largest === hundred ? '' : `; ${x(largest.vsEmpty.median)} at ${largest.size}`}). ` +
      (target ? 'That is within the 1.3× target, with every template synthesized.' :
        `The target is 1.3× with every template synthesized; ${s(extra)} more is ${(100 * (hundred.vsEmpty.median / 1.3 - 1)).toFixed(0)} % above it. ` +
        'This is the path of a changed batchform or aws-cdk-lib version, or of every declaration changed at once; an unchanged declaration is not synthesized (see "nothing changed").'),
  ];
  if (scale) {
    const n = scale.profiledSize;
    const p = scale.profile.parts;
    const per = (k: string): string => ms(p[k] / n);
    lines.push(`The cost is nearly all inside aws-cdk-lib: in the profile of the ${n}-batch run, batchform's work is ` +
      `${per('preSynthesize')} per batch, of which loading aws-cdk-lib and the template builders on first use is ${ms(p.load, 0)} in all, building the batch's L1 constructs ${per('construct')} ` +
      `and aws-cdk-lib's \`App.synth()\` ${per('appSynth')} (aws-cdk-lib loads some modules during the first construction, so the two overlap); validation is ${per('validate')} and projen's file writes ${per('writeFiles')}. ` +
      `Within construction, the four alarms and their notification target take ${per('alarms')} (the generated stage declares no alarm e-mails, so no ` +
      'topic, key or subscriptions are built). Within synthesis, resolving references across every ' +
      `construct takes ${per('prepare')} and rendering each template and writing it with its metadata to a temporary cloud assembly (in shared memory, \`/dev/shm\`, ` +
      `when the machine has it; batchform reads it back and deletes it) ${per('stackSynth')}.`);
    lines.push('What is left is aws-cdk-lib\'s own token resolution and rendering, which visits every property of every construct twice (once to find references between ' +
      'stacks, once to render), and the loading of its modules through the TypeScript runner\'s resolver: rendering a template without App.synth() needs aws-cdk-lib ' +
      'internals (`Stack._toCloudFormation`), which batchform does not use. Synthesizing in a worker thread beside the main one was measured and is slower on this ' +
      '2-core machine (each thread loads aws-cdk-lib again and the threads compete for the cores). Creation stack traces are off (`aws:cdk:disable-creation-stack-traces`), ' +
      'which halved L1 construction. A batch whose declaration, batchform and aws-cdk-lib did not change is not synthesized at all: its committed template is reused ' +
      'once its SHA-256 matches cfn-out/template-hashes.json.');
  }
  (target ? ahead : behind).push(lines.join(' '));
  return { ahead, behind };
}

function coldFindings(sizes: readonly ColdSizeResult[]): { ahead: string[]; behind: string[] } {
  const ahead: string[] = [];
  const behind: string[] = [];
  const hundred = sizes.find((r) => r.size === 100) ?? sizes[sizes.length - 1];
  const all = sizes.map((r) => `${r.size}: ${x(r.ratio.median)} (${x(r.ratio.min)}–${x(r.ratio.max)})`).join(', ');
  const clone = sizes.map((r) => `${r.size}: ${x(r.cloneRatio.median)}`).join(', ');
  const line = `**Cold regenerate + package vs \`cdk synth\` with NodejsFunction**: with ${hundred.size} batches of their own handlers, batchform takes ` +
    `${s(hundred.batchform.median)} (\`npx projen\` ${s(hundred.regenerate.median)}, \`package:batches\` ${s(hundred.package.median)}) against ${s(hundred.cdk.median)}; ` +
    `batchform / cdk synth by batch count: ${all}. A fresh clone, which reuses its committed templates, takes ${s(hundred.clone.median)} ` +
    `(\`npx projen\` ${s(hundred.cloneRegenerate.median)}; by batch count: ${clone}). NodejsFunction runs one esbuild process per function during synth, ` +
    'each parsing `pg` and Powertools again; batchform bundles every entry point in one esbuild call and zips in parallel.';
  const p = hundred.packagePhases;
  const runner = hundred.package.median - p.direct.median;
  const rest = p.direct.median - p.esbuild.median - p.zips.median;
  const where = `Of \`package:batches\` (${s(hundred.package.median)}), npx, projen's CLI and its task runner take ${s(runner)} (the command run directly takes ` +
    `${s(p.direct.median)}); esbuild's one call for all ${hundred.size} entry points takes ${s(p.esbuild.median)} and the zips ${s(p.zips.median)}, ` +
    `leaving ${s(Math.max(rest, 0))} for starting Node.js, loading batchform, hashing the inputs and writing the files. Of esbuild's part, the linked ` +
    'source maps (which make stack traces point at TypeScript) are about half; of the zips\', deflate at zlib\'s default level ' +
    `(${s(p.deflateDefault.median)} alone on both cores) is nearly all: level 4 would take ${s(p.deflateLevel4.median)} for zips ` +
    `${(100 * (p.level4Size.median - 1)).toFixed(0)} % larger, which batchform does not trade, since it would change every batch's code hash (and so redeploy every function) ` +
    'for a fraction of a second. Both commands also pay their own npx, projen and Node.js start-up, as a user running the two tasks does.';
  if (hundred.ratio.median <= 0.1) ahead.push(`${line} That meets the 0.10× target. ${where}`);
  else {
    behind.push(`${line} The target is 0.10×, so this is ${(hundred.ratio.median / 0.1).toFixed(1)} times the target (a fresh clone: ` +
      `${(hundred.cloneRatio.median / 0.1).toFixed(1)} times). Of batchform's time, \`npx projen\` (every template synthesized) is ` +
      `${(100 * hundred.regenerate.median / hundred.batchform.median).toFixed(0)} %. ${where}`);
  }
  return { ahead, behind };
}

function unchangedFindings(sizes: readonly UnchangedSizeResult[]): { ahead: string[]; behind: string[] } {
  const hundred = sizes.find((r) => r.size === 100) ?? sizes[sizes.length - 1];
  const all = sizes.map((r) => `${r.size}: ${x(r.ratio.median)} (${x(r.ratio.min)}–${x(r.ratio.max)})`).join(', ');
  const line = `**Regenerate with nothing changed**: with ${hundred.size} batches \`npx projen\` takes ${s(hundred.batchform.median)} against ${s(hundred.empty.median)} ` +
    `without batchform (by batch count: ${all}). No template is synthesized and aws-cdk-lib is not loaded; what remains is loading and running batchform's ` +
    'validation and warnings, reading each template and checking its SHA-256, and projen comparing every generated file with the one on disk.';
  return hundred.ratio.median <= 1.05 ? { ahead: [`${line} That meets the 1.05× target.`], behind: [] }
    : { ahead: [], behind: [`${line} The target is 1.05×; this is ${(100 * (hundred.ratio.median / 1.05 - 1)).toFixed(0)} % above it.`] };
}

function scaleFindings(scale: ScaleRaw): string {
  const g = scale.growth;
  const perMs = perAdded(g.sizes, g.ownMs).filter((v): v is number => v !== undefined);
  const n = g.sizes[g.sizes.length - 1];
  const gc = scale.profile.byFunction.find(([k]) => k === '(garbage collector)')?.[1];
  const perBatch = scale.phases.map((p) => p.templates.median / p.size);
  const phases = scale.phases.map((p, i) => `${perBatch[i].toFixed(1)} ms at ${p.size}`).join(', ');
  const [prev, last] = perBatch.slice(-2);
  const growsFaster = prev !== undefined && last > 1.2 * prev;
  const wall = `The wall-clock cost per added batch, ${perMs.map((v) => ms(v)).join(', then ')} between successive sizes, is noisier: it is the difference of two medians of a few runs each.`;
  const head = growsFaster
    ? `**Scale**: template generation grows faster than linearly: in process it costs ${phases} per batch. ${wall} ` +
      `Garbage collection takes ${gc === undefined ? '?' : ms(gc, 0)} of the ${n}-batch profile: a larger heap costs more per collection.`
    : `**Scale**: regenerate time grows linearly, not faster: in process, template generation costs ${phases} per batch. ${wall} ` +
      'Every batch is its own stack, and aws-cdk-lib\'s passes (reference resolution, rendering, writing) walk each stack\'s constructs once, so no ' +
      `step grows with the square of the batch count; garbage collection, ${gc === undefined ? '?' : ms(gc, 0)} of the ${n}-batch profile, grows with the heap.`;
  const from = g.sizes.findIndex((v) => v >= 10);
  const end = g.sizes.length - 1;
  const mibPerBatch = (g.batchformRssMiB[end] - g.batchformRssMiB[from]) / (g.sizes[end] - g.sizes[from]);
  const mem = `Peak memory grows from ${g.batchformRssMiB[from].toFixed(0)} MiB at ${g.sizes[from]} batches to ${g.batchformRssMiB[end].toFixed(0)} MiB at ${n} ` +
    `(about ${mibPerBatch.toFixed(2)} MiB per batch; the empty project peaks at ${g.emptyRssMiB[end].toFixed(0)} MiB): ` +
    'all stacks live in one CDK App until synthesis ends, and every template is then held again as a projen file until written.';
  return `${head} ${mem}`;
}

function bundleFindings(results: readonly HandlerResult[]): { ahead: string[]; behind: string[] } {
  const ahead: string[] = [];
  const behind: string[] = [];
  for (const r of results) {
    const name = `\`${r.handler}\``;
    const jsOnly = r.batchform.zipBytesWithoutMap ?? r.batchform.zipBytes;
    const mapBytes = r.batchform.zipBytes - jsOnly;
    if (r.zipRatio > 1) {
      behind.push(`**Zip size, ${name}**: batchform's zip is ${formatKiB(r.batchform.zipBytes)} against NodejsFunction's ${formatKiB(r.cdk.zipBytes)} (${x(r.zipRatio)}). ` +
        `Its code alone zips to ${formatKiB(jsOnly)} (${x(jsOnly / r.cdk.zipBytes)}: minified); the rest, ${formatKiB(mapBytes)}, is the source map it ships so ` +
        'stack traces point at the TypeScript (NodejsFunction ships none by default). At tens of KiB this costs upload bytes, not feasibility (Lambda allows 250 MB unzipped).');
    } else {
      ahead.push(`**Zip size, ${name}**: ${formatKiB(r.batchform.zipBytes)} against ${formatKiB(r.cdk.zipBytes)} (${x(r.zipRatio)}), source map included.`);
    }
    const off = r.batchformWithoutMapsLoadMs.median;
    const mapCost = r.batchform.loadMs.median - off;
    const withinSpread = off >= r.cdk.loadMs.min && off <= r.cdk.loadMs.max;
    const mapText = mapCost >= 0.5
      ? `\`--enable-source-maps\` (set by the template so stack traces point at the TypeScript) makes Node read and parse the map at load; without it the same bundle loads in ${ms(off)}, ${ms(mapCost)} less`
      : `without \`--enable-source-maps\` (which the template sets) the same bundle loads in ${ms(off)}, so the map costs nothing measurable here`;
    const rest = `: ${x(off / r.cdk.loadMs.median)} NodejsFunction's${withinSpread ? ', within the spread of its runs' : ''}. Minifying saves bytes, not load time.`;
    const floor = r.externalsLoadMs ? ` Of these times, ${ms(r.externalsLoadMs.median)} is requiring the \`@aws-sdk/*\` client the handler imports, which Lambda provides and no bundler setting changes.` : '';
    if (r.loadRatio.median > 1) {
      behind.push(`**Cold require, ${name}**: ${ms(r.batchform.loadMs.median)} against ${ms(r.cdk.loadMs.median)} (${x(r.loadRatio.median)}). ${mapText}${rest}${floor}`);
    } else {
      ahead.push(`**Cold require, ${name}**: ${ms(r.batchform.loadMs.median)} against ${ms(r.cdk.loadMs.median)} (${x(r.loadRatio.median)}), source maps on.${floor}`);
    }
  }
  return { ahead, behind };
}

function deployFindings(d: DeployRaw): { ahead: string[]; behind: string[] } {
  const ahead: string[] = [];
  const behind: string[] = [];
  const [noop, some, all] = d.rows;
  const n = (v: number, what: string): string => `${Math.round(v)} ${what}${Math.round(v) === 1 ? '' : 's'}`;
  const calls = (r: typeof noop, who: 'batchform' | 'baseline'): string => `${n(r[who].total, 'call')} (${n(r[who].changeSetCalls, 'change-set call')})`;
  const cap = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1);
  if (noop) {
    ahead.push(`**No-op deploy of ${d.stacks} stacks**: batchform makes ${calls(noop, 'batchform')} in ${s(noop.batchform.ms.median, 1)} of simulated time; ` +
      `the per-stack action flow makes ${calls(noop, 'baseline')} and takes ${s(noop.baseline.ms.median, 0)} (${s(noop.baselineV2.ms.median, 0)} with the action's own 30 s polling), ` +
      'creating and deleting an empty change set per stack. One DescribeStacks lists every stack, and each fingerprint tag matches.');
  }
  if (some) {
    const waves = Math.ceil(some.changed / d.concurrency);
    ahead.push(`**${cap(some.label)}**: ${calls(some, 'batchform')} against ${calls(some, 'baseline')}; ${s(some.batchform.ms.median, 0)} against ${s(some.baseline.ms.median, 0)} ` +
      `(${x(some.timeRatio.median)}). Only the changed stacks get a change set` +
      (waves > 1 ? `; with the default concurrency of ${d.concurrency} they run in ${waves} waves, so a concurrency of ${some.changed} would roughly halve the time.` : '.'));
  }
  if (all) {
    const line = `**${cap(all.label)}**: ${s(all.batchform.ms.median, 0)} against ${s(all.baseline.ms.median, 0)} (${x(all.timeRatio.median)}), from running ${d.concurrency} stacks at once. ` +
      `The calls are about even (${calls(all, 'batchform')} against ${calls(all, 'baseline')}): with nothing to skip, batchform also checks each code zip in S3 (HeadObject) ` +
      'and reads each change set once more with property values for its report, and saves only the per-stack DescribeStacks before and after.';
    (all.batchform.total <= all.baseline.total * 1.05 ? ahead : behind).push(line);
  }
  return { ahead, behind };
}

/** The "what this measures / ahead / behind" part of RESULTS.md. */
export function analysis(f: Findings): string {
  const ahead: string[] = [];
  const behind: string[] = [];
  const add = (r: { ahead: string[]; behind: string[] }): void => {
    ahead.push(...r.ahead);
    behind.push(...r.behind);
  };
  if (f.regenerate) add(regenerateFindings(f.regenerate, f.scale));
  if (f.cold) add(coldFindings(f.cold));
  if (f.unchanged) add(unchangedFindings(f.unchanged));
  if (f.bundle) add(bundleFindings(f.bundle));
  if (f.deploy) add(deployFindings(f.deploy));
  const list = (items: readonly string[]): string => (items.length ? items.map((i) => `- ${i}`).join('\n') : '- nothing in this run');
  return `${MEASURES}

### Where batchform is ahead

${list(ahead)}

### Where batchform is behind, and why

${list(behind)}
${f.scale ? `\n### How it scales\n\n${scaleFindings(f.scale)}\n` : ''}
### Caveats

- Timings come from one machine, possibly with other work running; ratios of interleaved runs are
  steadier than seconds. Run \`npx projen bench\` again before quoting a number.
- The CDK app is written to match batchform's templates resource for resource where the L2s allow
  (function, role, log group, rule and target, permission, dead-letter queue, async retry config,
  four alarms); batchform's templates also carry the alarm-topic parameter and condition, the
  queue policy and the invoke permission's scoping, so batchform synthesizes no less per stack.
- Deploy time is simulated (fixed latency and operation durations on a virtual clock), and the
  baseline runs stacks one after another, as one workflow step per stack does; a matrix of parallel
  jobs would shorten its time, not its calls.
`;
}
