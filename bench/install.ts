// Install time of the credentialed jobs: a full `npm ci` of a fresh user project that depends on
// batchform (what the preview and deploy jobs install today), against installing only the CLI: the
// packed batchform tarball copied, its sha512 checked against an integrity string, extracted with
// tar, and its single-file CLI bundle (`lib/batchform-cli.cjs`) run.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { benchEnv, formatRatio, formatStats, markdownTable, median, progress, SectionResult, stats, Stats, tempDir, timeCommand } from './lib';
import { createBatchformProject, packedLibrary } from './projects';
import { setupProjen } from './regenerate';

/** Where the credentialed jobs' CLI bundle sits in the package, once the package ships it. */
export const CLI_BUNDLE = 'lib/batchform-cli.cjs';

/** The package's CLI entry point as `npm install` links it (needs the package's dependencies). */
const CLI_ENTRY = 'lib/cli/main.js';

/** Options of {@link runInstall}. */
export interface InstallOptions {
  /** Warm-cache `npm ci` runs, and CLI-only installs. */
  readonly repetitions: number;
}

/** The raw numbers of the section (seconds). */
export interface InstallRaw {
  readonly npmCiCold: number;
  readonly npmCiWarm: number[];
  readonly packages: number;
  readonly nodeModulesMiB: number;
  readonly tarballKiB: number;
  readonly cliOnly: Array<{ copy: number; verify: number; extract: number; run?: number }>;
  /** Whether the package holds {@link CLI_BUNDLE}. */
  readonly bundle: boolean;
  /** What running {@link CLI_ENTRY} from the bare tarball said, when it could not run. */
  readonly entryWithoutDependencies?: string;
}

/** `sha512-<base64>`: the integrity string npm records in a lockfile for a tarball. */
export function integrityOf(file: string): string {
  return `sha512-${crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Megabytes of a directory tree, as `du` counts them. */
function mebibytes(dir: string): number {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return Number((r.stdout ?? '').split('\t')[0]) / 1024;
}

/**
 * A fresh user project ready for `npm ci`: the package.json projen generates for a project
 * declaring one batch with batchform, batchform taken from the packed tarball, and a lockfile
 * resolved from the npm registry (as the user's committed one would be).
 */
function userProject(tarball: string, lockCache: string): string {
  const projen = createBatchformProject(1);
  try {
    setupProjen(projen);
    const pkg = JSON.parse(fs.readFileSync(path.join(projen, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
    const dir = tempDir('install-user');
    fs.copyFileSync(tarball, path.join(dir, 'batchform.tgz'));
    pkg.devDependencies = { ...pkg.devDependencies, batchform: 'file:batchform.tgz' };
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    progress('install: resolving the user project\'s lockfile from the npm registry');
    timeCommand('npm', ['install', '--package-lock-only', '--ignore-scripts', '--cache', lockCache], { cwd: dir, env: benchEnv(), timeoutSeconds: 900 });
    return dir;
  } finally {
    fs.rmSync(projen, { recursive: true, force: true });
  }
}

/** One CLI-only install into a fresh directory: copy, verify, extract, run the bundle when there is one. */
function cliOnly(tarball: string, integrity: string): InstallRaw['cliOnly'][number] {
  const dir = tempDir('install-cli');
  try {
    const file = path.join(dir, 'batchform.tgz');
    let t = process.hrtime.bigint();
    // Stands in for the download (an artifact or the registry): the bytes land on disk.
    fs.copyFileSync(tarball, file);
    const copy = seconds(t);
    t = process.hrtime.bigint();
    const actual = integrityOf(file);
    if (actual !== integrity) throw new Error(`bench: ${file} has integrity ${actual}, expected ${integrity}`);
    const verify = seconds(t);
    const extract = timeCommand('tar', ['xzf', file, '-C', dir], { cwd: dir }).seconds;
    const bundle = path.join(dir, 'package', CLI_BUNDLE);
    const run = fs.existsSync(bundle) ? timeCommand('node', [bundle, '--help'], { cwd: dir }).seconds : undefined;
    return { copy, verify, extract, run };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `node package/lib/cli/main.js --help` does in a bare extracted tarball: undefined when it runs. */
function entryWithoutDependencies(tarball: string): string | undefined {
  const dir = tempDir('install-entry');
  try {
    timeCommand('tar', ['xzf', tarball, '-C', dir], { cwd: dir });
    const r = spawnSync('node', [path.join(dir, 'package', CLI_ENTRY), '--help'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    if (r.status === 0) return undefined;
    return (r.stderr.split('\n').find((l) => /Error|Cannot find/.test(l)) ?? `exit ${r.status}`).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures both installs and renders the section. */
export function runInstall(options: InstallOptions): SectionResult {
  const tarball = packedLibrary();
  const integrity = integrityOf(tarball);
  const caches = tempDir('install-caches');
  const lockCache = path.join(caches, 'lock');
  const ciCache = path.join(caches, 'ci');
  const project = userProject(tarball, lockCache);
  try {
    const npmCi = (): number => {
      fs.rmSync(path.join(project, 'node_modules'), { recursive: true, force: true });
      return timeCommand('npm', ['ci', '--cache', ciCache], { cwd: project, env: benchEnv(), timeoutSeconds: 1200 }).seconds;
    };
    progress('install: npm ci with an empty npm cache (every package downloaded)');
    const npmCiCold = npmCi();
    const npmCiWarm: number[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      progress(`install: npm ci with a warm npm cache (${i + 1}/${options.repetitions})`);
      npmCiWarm.push(npmCi());
    }
    const lock = JSON.parse(fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const packages = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/')).length;
    const nodeModulesMiB = mebibytes(path.join(project, 'node_modules'));

    const cli: InstallRaw['cliOnly'] = [];
    for (let i = 0; i < options.repetitions; i++) cli.push(cliOnly(tarball, integrity));
    const bundle = cli.every((c) => c.run !== undefined);
    const entry = entryWithoutDependencies(tarball);
    const raw: InstallRaw = {
      npmCiCold, npmCiWarm, packages, nodeModulesMiB, tarballKiB: fs.statSync(tarball).size / 1024, cliOnly: cli, bundle,
      ...(entry ? { entryWithoutDependencies: entry } : {}),
    };
    return render(raw, options.repetitions);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(caches, { recursive: true, force: true });
  }
}

function render(raw: InstallRaw, repetitions: number): SectionResult {
  const s = (xs: number[]): Stats => stats(xs);
  const total = raw.cliOnly.map((c) => c.copy + c.verify + c.extract + (c.run ?? 0));
  const warm = s(raw.npmCiWarm);
  const cliTotal = s(total);
  const saved = (against: number): string => `${(against - cliTotal.median).toFixed(1)} s`;
  // The CLI-only steps take milliseconds.
  const ms = (f: (c: InstallRaw['cliOnly'][number]) => number): string => formatStats(s(raw.cliOnly.map((c) => f(c) * 1000)), 'ms', 1);
  const runCell = raw.bundle ? ms((c) => c.run!) : `not measured: the package has no ${CLI_BUNDLE} yet`;
  const table = markdownTable(
    ['Install for a credentialed job', 'time', 'notes'],
    [
      ['full `npm ci`, empty npm cache', `${raw.npmCiCold.toFixed(1)} s`, `${raw.packages} packages, node_modules ${raw.nodeModulesMiB.toFixed(0)} MiB, every tarball downloaded from the npm registry`],
      ['full `npm ci`, warm npm cache', formatStats(warm, 's'), 'the cache actions/setup-node restores (`cache: npm`)'],
      [`CLI only: copy the tarball (${raw.tarballKiB.toFixed(0)} KiB)`, ms((c) => c.copy), 'stands in for its download'],
      ['CLI only: check its sha512 against the integrity string', ms((c) => c.verify), '`sha512-…` as npm records it'],
      ['CLI only: extract (`tar xzf`)', ms((c) => c.extract), ''],
      [`CLI only: \`node package/${CLI_BUNDLE} --help\``, runCell, ''],
      ['CLI only: total', ms((c) => c.copy + c.verify + c.extract + (c.run ?? 0)), raw.bundle ? '' : `without running the bundle (${CLI_BUNDLE} is not in the package yet)`],
      ['saved per credentialed job', `${saved(warm.median)} (warm) / ${saved(raw.npmCiCold)} (cold)`, 'full `npm ci` less the CLI-only install'],
    ],
  );
  const details = `${table}

- **Full \`npm ci\`**: the package.json projen generates for a fresh user project declaring one batch
  with batchform (projen's TypeScript project: projen, TypeScript, jest, ts-jest...), batchform
  taken from this commit's packed tarball, and a lockfile resolved from the npm registry;
  \`node_modules\` is removed before each run. The empty-cache run is one run; the warm-cache
  runs (${repetitions}) reuse the npm cache it filled, as a job does after setup-node restores it.
- **CLI only**: a fresh directory per run; the tarball is copied (in a job it would be downloaded),
  its sha512 compared with the integrity string computed once beforehand (the one a lockfile would
  carry), extracted with \`tar\`, and the single-file CLI bundle run with \`--help\` when the package
  has one.${raw.bundle ? '' : ` **This package has no \`${CLI_BUNDLE}\` yet**, so the CLI-only total excludes the
  bundle's run, and the saving is an upper bound until it is measured.`}
- ${raw.entryWithoutDependencies
    ? `\`node package/${CLI_ENTRY} --help\` in the bare extracted tarball does not run (\`${raw.entryWithoutDependencies}\`): the
  package's entry point needs its dependencies installed, which is what the bundle removes.`
    : `\`node package/${CLI_ENTRY} --help\` runs in the bare extracted tarball.`}`;
  const summary = [[
    'Credentialed job install: CLI only (copy + sha512 check + extract' + (raw.bundle ? ' + run' : '') + ') vs full `npm ci` (warm cache)',
    formatStats(cliTotal, 's', 2), formatStats(warm, 's'), formatRatio(s(total.map((t) => t / median(raw.npmCiWarm)))), 'faster',
  ]];
  return { title: 'Install time of the credentialed jobs', summary, details, raw };
}
