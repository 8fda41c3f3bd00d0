// Shared bench helpers: running and timing commands, median and spread, side-by-side ratios,
// Markdown tables. No measurement lives here; each measurement has its own file in bench/.
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (bench/ sits directly under it). */
export const ROOT = path.resolve(__dirname, '..');

/** GNU time, when installed: it reports the peak resident set size of a command. */
export const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One run of a command. */
export interface Sample {
  /** Wall-clock seconds. */
  readonly seconds: number;
  /**
   * Peak resident set size in MiB of the largest single process of the run (GNU time's
   * "Maximum resident set size"), when GNU time is installed.
   */
  readonly maxRssMiB?: number;
}

/** Options of {@link timeCommand}. */
export interface TimeOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command after this many seconds. @default 600 */
  readonly timeoutSeconds?: number;
}

/**
 * Runs `command args...` once and returns its wall time and peak RSS. Throws with the command's
 * output when it fails, so a broken bench never reports a fast failure as a result.
 */
export function timeCommand(command: string, args: readonly string[], options: TimeOptions): Sample {
  const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Date.now()}.txt`);
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: (options.timeoutSeconds ?? 600) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  };
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, spawnOptions);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let maxRssMiB: number | undefined;
  if (GNU_TIME && fs.existsSync(rssFile)) {
    const kb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    fs.rmSync(rssFile, { force: true });
    if (Number.isFinite(kb)) maxRssMiB = kb / 1024;
  }
  if (r.error || r.status !== 0) {
    throw new Error(`bench: "${command} ${args.join(' ')}" in ${options.cwd} failed (${r.error?.message ?? `exit ${r.status}`}):\n${String(r.stdout).slice(-2000)}\n${String(r.stderr).slice(-4000)}`);
  }
  return { seconds, maxRssMiB };
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Smallest and largest value: the spread reported next to each median. */
export function spread(values: readonly number[]): { min: number; max: number } {
  if (values.length === 0) throw new RangeError('spread of an empty list');
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Summary of repeated samples of one quantity. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Median, min and max of `values`. */
export function stats(values: readonly number[]): Stats {
  return { median: median(values), ...spread(values), n: values.length };
}

/** The same numbers measured in several runs, summarized per field: each field's median, min and max. */
export type StatsOf<T> = { [K in keyof T]: Stats };

/** {@link stats} of each numeric field across `runs` (at least one run). */
export function statsByField<T extends { [K in keyof T]: number }>(runs: readonly T[]): StatsOf<T> {
  const keys = Object.keys(runs[0]) as Array<keyof T>;
  return Object.fromEntries(keys.map((k) => [k, stats(runs.map((r) => r[k]))])) as StatsOf<T>;
}

/**
 * Ratios of paired samples (`a[i] / b[i]`, taken in the same repetition, side by side), so a
 * machine that slows down mid-run moves both sides of each pair together.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/**
 * Runs every named contender once per repetition, in a rotating order (so no contender always
 * goes first, or always right after another), after `warmup` unrecorded runs of each.
 * Returns the recorded samples per contender, in repetition order.
 */
export function interleave<T>(
  contenders: Record<string, () => T>,
  options: { repetitions: number; warmup?: number; onSample?: (name: string, rep: number, sample: T) => void },
): Record<string, T[]> {
  const names = Object.keys(contenders);
  for (let w = 0; w < (options.warmup ?? 1); w++) for (const n of names) contenders[n]();
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < options.repetitions; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const n of order) {
      const sample = contenders[n]();
      out[n].push(sample);
      options.onSample?.(n, rep, sample);
    }
  }
  return out;
}

/** `1.23 s (1.20–1.31)`: median with min–max. */
export function formatStats(s: Stats, unit: string, digits = 2): string {
  const f = (v: number): string => v.toFixed(digits);
  return s.n > 1 ? `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)})` : `${f(s.median)} ${unit}`;
}

/** A ratio with two decimals, or two significant digits when it is below 0.1 (0.00026×). */
export function ratioNumber(v: number): string {
  return v >= 0.1 || v === 0 ? v.toFixed(2) : v.toPrecision(2);
}

/** `0.42× (0.40–0.45)`: a ratio's median with min–max. */
export function formatRatio(s: Stats): string {
  const f = ratioNumber;
  return s.n > 1 ? `${f(s.median)}× (${f(s.min)}–${f(s.max)})` : `${f(s.median)}×`;
}

/** Bytes as KiB with one decimal. */
export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A GitHub-flavoured Markdown table; `|` inside cells is escaped. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(' | ')} |`;
  for (const r of rows) {
    if (r.length !== headers.length) throw new RangeError(`table row has ${r.length} cells, headers have ${headers.length}: ${r.join(', ')}`);
  }
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fresh temporary directory whose name says what it is for. */
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `batchform-bench-${label}-`));
}

/** Writes files (path relative to `dir` → content), creating directories as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/**
 * Links `dir/node_modules` to this repository's, so a throwaway project resolves projen, tsx,
 * aws-cdk-lib and the CDK CLI without installing anything.
 */
export function linkNodeModules(dir: string): void {
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/** An environment with this repository's `node_modules/.bin` first on PATH and no npm chatter. */
export function benchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'error',
    // Measure full synthesis (a fresh clone, or every declaration changed), not the template cache.
    BATCHFORM_TEMPLATE_CACHE: 'off',
    ...extra,
  };
}

/** One section of RESULTS.md: headline rows for the summary table, plus its own details. */
export interface SectionResult {
  readonly title: string;
  /** Rows of the summary table: [measure, batchform, alternative, ratio, note]. */
  readonly summary: string[][];
  /** Markdown: detail tables and notes. */
  readonly details: string;
  /** Raw numbers: the analysis reads them, and `--json <file>` writes them. */
  readonly raw: unknown;
}

/** Headers of the summary table every section contributes rows to. */
export const SUMMARY_HEADERS = ['Measure', 'batchform', 'Alternative', 'Ratio (batchform / alternative)', 'Lower is'];

/** Prints progress to stderr (stdout carries the final table). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
