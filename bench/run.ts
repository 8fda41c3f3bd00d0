// Runs every benchmark side by side and writes bench/RESULTS.md: `npx projen bench`.
//
//   npx projen bench                  full run (about 30 minutes on 2 cores); writes bench/RESULTS.md
//   npx projen bench --quick          fewer sizes and runs; the report goes to $TMPDIR, not bench/
//   npx projen bench --only deploy    some of: regenerate, cold, unchanged, adopt, bundle, deploy,
//                                     timeouts, install, ledger, scale (scale needs regenerate); the report
//                                     goes to $TMPDIR, not bench/
//   npx projen bench --json out.json  also writes the raw numbers
//   npx projen bench --note "..."     adds a line about the run (e.g. that the machine was shared)
//
// Not part of `npx projen test` nor of CI's pass/fail: timings depend on the machine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAdopt } from './adopt';
import { runBundle } from './bundle';
import { runCold, runUnchanged } from './cold';
import { runDeploy } from './deploy';
import { runInstall } from './install';
import { runLedger } from './ledger';
import { markdownTable, progress, ROOT, SectionResult, SUMMARY_HEADERS } from './lib';
import { analysis, Findings } from './analysis';
import { runRegenerate, SizeResult } from './regenerate';
import { runScale } from './scale';
import { runTimeouts } from './timeouts';

const MEASUREMENTS = ['regenerate', 'cold', 'unchanged', 'adopt', 'bundle', 'deploy', 'timeouts', 'install', 'ledger', 'scale'] as const;
type Measurement = typeof MEASUREMENTS[number];

interface Args {
  readonly quick: boolean;
  readonly only?: Set<Measurement>;
  readonly json?: string;
  /** A line about the run for RESULTS.md, e.g. that the machine was shared. */
  readonly note?: string;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let only: Set<Measurement> | undefined;
  let json: string | undefined;
  let note: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = names.filter((n) => !MEASUREMENTS.includes(n as Measurement));
      if (bad.length || !names.length) throw new Error(`--only takes a comma-separated list of ${MEASUREMENTS.join(', ')}; got "${argv[i] ?? ''}"`);
      only = new Set(names as Measurement[]);
    } else if (a === '--json') json = argv[++i];
    else if (a === '--note') note = argv[++i];
    else throw new Error(`unknown option ${a}; options: --quick, --only <${MEASUREMENTS.join(',')}>, --json <file>, --note <text>`);
  }
  if (only?.has('scale') && !only.has('regenerate')) throw new Error('--only scale needs regenerate too: --only regenerate,scale');
  return { quick, only, json, note };
}

function version(pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Where and with what the numbers were measured. */
function environment(loadAtStart: number, note: string | undefined): string {
  const git = (args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain']) ? ' plus uncommitted changes' : '';
  const cpu = os.cpus();
  return [
    `- Commit ${commit}${dirty}, measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(1)} / ${os.loadavg()[0].toFixed(1)} on ${cpu.length} cores`,
    ...(note ? [`- ${note}`] : []),
    `- Node.js ${process.version}; projen ${version('projen')}, aws-cdk-lib ${version('aws-cdk-lib')}, CDK CLI (aws-cdk) ${version('aws-cdk')}, tsx ${version('tsx')}, esbuild ${version('esbuild')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const want = (m: Measurement): boolean => !args.only || args.only.has(m);
  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  const sections: SectionResult[] = [];
  const findings: Findings = {};

  let sizes: SizeResult[] | undefined;
  if (want('regenerate')) {
    const { section, sizes: measured } = runRegenerate({
      sizes: args.quick ? [1, 10, 100] : [1, 10, 100, 300],
      repetitions: (n) => (args.quick ? 2 : n >= 300 ? 3 : 5),
      keep: want('scale'),
    });
    sections.push(section);
    sizes = measured;
    findings.regenerate = measured;
  }
  if (want('cold')) {
    const section = runCold({
      sizes: args.quick ? [1, 10, 100] : [1, 10, 100, 300],
      repetitions: (n) => (args.quick ? 1 : n >= 300 ? 1 : 3),
    });
    sections.push(section);
    findings.cold = section.raw as Findings['cold'];
  }
  if (want('unchanged')) {
    const section = runUnchanged({
      sizes: args.quick ? [1, 100] : [1, 10, 100, 300],
      repetitions: () => (args.quick ? 2 : 5),
    });
    sections.push(section);
    findings.unchanged = section.raw as Findings['unchanged'];
  }
  if (want('adopt')) {
    sections.push(runAdopt({ sizes: [2, 100], repetitions: args.quick ? 2 : 5 }));
  }
  if (want('bundle')) {
    const section = await runBundle({ repetitions: args.quick ? 5 : 30 });
    sections.push(section);
    findings.bundle = section.raw as Findings['bundle'];
  }
  if (want('deploy')) {
    const section = await runDeploy({ stacks: 50, repetitions: args.quick ? 2 : 5 });
    sections.push(section);
    findings.deploy = section.raw as Findings['deploy'];
  }
  if (want('timeouts')) {
    // Always every size and concurrency (simulated time costs seconds); fewer runs per cell when quick.
    sections.push(await runTimeouts({ sizes: [1, 10, 50, 100, 200], concurrencies: [1, 4, 8, 16], repetitions: args.quick ? 1 : 3 }));
  }
  if (want('install')) {
    sections.push(runInstall({ repetitions: args.quick ? 1 : 3 }));
  }
  if (want('ledger')) {
    sections.push(await runLedger({ runs: args.quick ? 50 : 200, warmup: 20 }));
  }
  if (want('scale') && sizes) {
    try {
      const section = runScale(sizes, { repetitions: args.quick ? 1 : 3 });
      sections.push(section);
      findings.scale = section.raw as Findings['scale'];
    } finally {
      for (const s of sizes) for (const dir of Object.values(s.dirs)) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const summary = markdownTable(SUMMARY_HEADERS, sections.flatMap((s) => s.summary));
  const doc = `# batchform benchmarks

Written by \`npx projen bench\` (bench/run.ts); do not edit by hand. Each row is a ratio measured
side by side in the same run: the contenders alternate, repetition by repetition, and every cell is
the median with the min–max of the runs. Ratios are batchform / alternative: below 1 means batchform
is faster or smaller. Timings belong to this machine and run; compare ratios, not seconds.

${environment(loadAtStart, args.note)}
- Whole run: ${minutes} min

## Summary

${summary}

## What this measures

${analysis(findings)}

${sections.map((s) => `## ${s.title}\n\n${s.details}`).join('\n\n')}
`;
  process.stdout.write(`\n${summary}\n`);
  if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(Object.fromEntries(sections.map((s) => [s.title, s.raw])), null, 2)}\n`);
  if (args.quick || args.only) {
    const file = path.join(os.tmpdir(), 'batchform-bench-RESULTS.md');
    fs.writeFileSync(file, doc);
    progress(`${args.quick ? 'quick' : 'partial'} run: bench/RESULTS.md left as it was; this run's report is ${file} (${minutes} min)`);
  } else {
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), doc);
    progress(`wrote bench/RESULTS.md (${minutes} min)`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
