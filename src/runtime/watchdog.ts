// The stage's missed-run watchdog: for each batch, the scheduled times that passed their grace
// (computed with the schedule code `npx projen schedule` shows, so zones, daylight saving, start
// and end dates and at() agree with it), compared with the run ledger; a time with no record
// and no pause is recorded `missed` and counted in the batch's `RunMissed` metric.
import * as fs from 'fs';
import * as path from 'path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchformError } from '../errors/batchform-error';
import { LEDGER_KEYS, LEDGER_METRICS, NO_LEDGER_FIX, PAUSE_SORT_KEY, PauseRecord, RunStatus } from '../model/ledger';
import { RUNTIME_ENV } from '../model/runtime-env';
import { WATCHDOG_CONFIG_FILE, WATCHDOG_ENV, WATCHDOG_LOOK_BACK_MS, WatchdogConfig, WatchdogConfigFile, WatchedBatch } from '../model/watchdog';
import { parseSchedule, ParsedSchedule } from '../schedule/expression';
import { nextRuns } from '../schedule/next-runs';

const MINUTE_MS = 60_000;
/** Most scheduled times one pass checks for one batch (a minutely schedule over a long look-back): a guard, not a limit anyone should meet. */
const MAX_TIMES_PER_PASS = 20_000;

/** Options of {@link checkMissedRuns}. */
export interface WatchdogOptions extends WatchdogConfig {
  /** The DynamoDB client (a plain or a document client). @default a new client for the function's region */
  readonly client?: DynamoDBClient | DynamoDBDocumentClient;
  /** The clock, in epoch milliseconds (tests move it). @default Date.now */
  readonly now?: () => number;
  /**
   * When the previous pass ran: this pass checks the scheduled times whose grace ended after it.
   * @default - `now` minus {@link WATCHDOG_LOOK_BACK_MS} (6 hours): passes overlap, and a time
   * already recorded is never recorded or counted twice
   */
  readonly since?: Date;
  /** Where the `RunMissed` metric lines go (embedded metric format, one JSON line each). @default console.log */
  readonly log?: (line: string) => void;
}

/** What one pass found for one batch. */
export interface BatchCheck {
  readonly batch: string;
  readonly stack: string;
  /** Scheduled times in the checked range (grace ended), ISO 8601 UTC. */
  readonly expected: readonly string[];
  /** Times this pass recorded `missed` (and counted in `RunMissed`). */
  readonly missed: readonly string[];
  /** Times with no run that fell while the batch was paused: not reported. */
  readonly paused: readonly string[];
  /** Why the batch was not checked (disabled; a rate schedule with no start date and no run yet). */
  readonly skipped?: string;
}

/** The DynamoDB SDK, loaded when the watchdog runs (the Lambda runtime provides it). */
function dynamoSdk() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DynamoDBClient: Client } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const lib = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { Client, ...lib };
}

function conditionFailed(e: unknown): boolean {
  return (e as Error)?.name === 'ConditionalCheckFailedException';
}

/**
 * One watchdog pass over a stage's batches. For each enabled batch, the scheduled times in
 * `(since - grace, now - grace]` (the stage's schedule: `batchForStage` at synth) with no record in
 * the ledger are recorded `missed` with a conditional write (`attribute_not_exists`: a run that
 * started meanwhile, or another pass, keeps its record), except times while the batch was paused
 * (its `#pause` record); the number newly recorded is published as `RunMissed` for the batch's
 * stack. A local time skipped by a spring-forward is never expected (the Scheduler does not run
 * it); a time repeated by a fall-back is expected once.
 *
 * A rate schedule without a start date has no fixed phase (AWS starts it at deployment): its runs
 * are expected every interval after the latest record of the batch, and a batch that never ran is
 * not checked.
 *
 * @throws BatchformError (`aws`) when the ledger cannot be read or written.
 */
export async function checkMissedRuns(options: WatchdogOptions): Promise<BatchCheck[]> {
  const sdk = dynamoSdk();
  const client = options.client ?? new sdk.Client({});
  const doc = client instanceof sdk.DynamoDBDocumentClient
    ? client
    : sdk.DynamoDBDocumentClient.from(client as DynamoDBClient, { marshallOptions: { removeUndefinedValues: true } });
  const now = (options.now ?? Date.now)();
  const since = options.since?.getTime() ?? now - WATCHDOG_LOOK_BACK_MS;
  const log = options.log ?? ((line: string) => console.log(line));
  const out: BatchCheck[] = [];
  for (const watched of options.batches) {
    const check = await checkBatch(watched, { ...options, doc, sdk, now, since });
    if (check.missed.length > 0) log(missedMetricLine(watched, check.missed, now));
    out.push(check);
  }
  return out;
}

interface PassContext {
  readonly tableName: string;
  readonly retentionDays: number;
  readonly doc: DynamoDBDocumentClient;
  readonly sdk: ReturnType<typeof dynamoSdk>;
  readonly now: number;
  readonly since: number;
}

async function checkBatch(watched: WatchedBatch, pass: PassContext): Promise<BatchCheck> {
  const base = { batch: watched.batch, stack: watched.stack };
  if (!watched.enabled) return { ...base, expected: [], missed: [], paused: [], skipped: 'disabled in this stage' };
  const graceMs = watched.graceMinutes * MINUTE_MS;
  const from = pass.since - graceMs;
  const to = pass.now - graceMs;
  if (to <= from) return { ...base, expected: [], missed: [], paused: [] };
  const ledger = new BatchLedger(watched.batch, pass);
  const parsed = parseSchedule(watched.schedule);

  let expected: number[];
  if (parsed.kind === 'rate' && watched.startDate === undefined) {
    const latest = await ledger.latestRun();
    if (latest === undefined) return { ...base, expected: [], missed: [], paused: [], skipped: 'a rate schedule without a start date has no fixed phase until its first run' };
    expected = expectedTimes(parsed, watched, Math.max(from, latest), to, latest);
  } else {
    expected = expectedTimes(parsed, watched, from, to);
  }
  if (expected.length === 0) return { ...base, expected: [], missed: [], paused: [] };

  // Records up to now: a batch keyed by its start time may have started up to its grace late.
  const recorded = await ledger.runsBetween(expected[0], pass.now);
  // A Scheduled Event's time is its scheduled minute, but an EventBridge rule's event may carry
  // the seconds it was sent at: any record within that minute is the run (no schedule fires twice
  // in a minute). A batch keyed by its start time may have started up to its grace late.
  const within = watched.keyedBy === 'scheduled-time' ? MINUTE_MS - 1 : graceMs;
  const isRun = (t: number) => recorded.some((r) => r >= t && r <= t + within);
  const absent = expected.filter((t) => !isRun(t));
  const pause = absent.length > 0 ? await ledger.pause() : undefined;
  const paused = absent.filter((t) => isPausedAt(pause, t));
  const missed: string[] = [];
  for (const t of absent.filter((x) => !isPausedAt(pause, x))) {
    if (await ledger.recordMissed(t, watched.graceMinutes)) missed.push(iso(t));
  }
  return { ...base, expected: expected.map(iso), missed, paused: paused.map(iso) };
}

/**
 * The scheduled times in `(from, to]`, as the rule or the Scheduler fires them (`nextRuns`: the
 * zone's wall clock, DST, start and end dates). `phase` fixes a rate schedule's runs to
 * `phase + k * interval` when it has no start date.
 */
function expectedTimes(parsed: ParsedSchedule, watched: WatchedBatch, from: number, to: number, phase?: number): number[] {
  const startDate = watched.startDate !== undefined ? new Date(watched.startDate) : phase !== undefined ? new Date(phase) : undefined;
  const options = { timeZone: watched.timezone, startDate, endDate: watched.endDate !== undefined ? new Date(watched.endDate) : undefined };
  const out: number[] = [];
  let after = new Date(from);
  const CHUNK = 512;
  for (;;) {
    const runs = nextRuns(parsed, CHUNK, after, options);
    for (const r of runs) {
      if (r.getTime() > to) return out;
      out.push(r.getTime());
      if (out.length >= MAX_TIMES_PER_PASS) return out;
    }
    if (runs.length < CHUNK) return out;
    after = runs[runs.length - 1];
  }
}

/** Whether the pause record covers `t`: paused since `pausedAt` (still, or until `resumedAt`). */
function isPausedAt(pause: PauseRecord | undefined, t: number): boolean {
  if (!pause) return false;
  const since = pause.pausedAt !== undefined ? Date.parse(pause.pausedAt) : -Infinity;
  if (pause.paused) return t >= since;
  if (pause.pausedAt === undefined || pause.resumedAt === undefined) return false;
  return t >= since && t < Date.parse(pause.resumedAt);
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/**
 * The `RunMissed` metric as an embedded-metric-format log line (CloudWatch Logs turns it into the
 * metric; no PutMetricData permission): value = the times this pass recorded missed.
 */
export function missedMetricLine(watched: Pick<WatchedBatch, 'batch' | 'stack'>, missed: readonly string[], now: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: LEDGER_METRICS.namespace, Dimensions: [[LEDGER_METRICS.dimension]], Metrics: [{ Name: LEDGER_METRICS.missed, Unit: 'Count' }] }],
    },
    [LEDGER_METRICS.dimension]: watched.stack,
    [LEDGER_METRICS.missed]: missed.length,
    batch: watched.batch,
    missed,
  });
}

/** The watchdog's reads and writes in one batch's partition. */
class BatchLedger {
  constructor(private readonly batch: string, private readonly pass: PassContext) {}

  /** The scheduled times with a record in `[from, to]`, any status, as epoch milliseconds. */
  async runsBetween(from: number, to: number): Promise<number[]> {
    const out: number[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send('reading its runs', () => this.pass.doc.send(new this.pass.sdk.QueryCommand({
        TableName: this.pass.tableName,
        KeyConditionExpression: '#batch = :batch AND #run BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#batch': LEDGER_KEYS.partition, '#run': LEDGER_KEYS.sort },
        ExpressionAttributeValues: { ':batch': this.batch, ':from': iso(from), ':to': iso(to) },
        ProjectionExpression: '#run',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      })));
      for (const item of page.Items ?? []) out.push(Date.parse(String(item[LEDGER_KEYS.sort])));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** The latest scheduled time with a record (any status), or undefined when the batch has none. */
  async latestRun(): Promise<number | undefined> {
    const page = await this.send('reading its latest run', () => this.pass.doc.send(new this.pass.sdk.QueryCommand({
      TableName: this.pass.tableName,
      // Scheduled times start with a digit; '#lease' and '#pause' sort before them.
      KeyConditionExpression: '#batch = :batch AND #run BETWEEN :low AND :high',
      ExpressionAttributeNames: { '#batch': LEDGER_KEYS.partition, '#run': LEDGER_KEYS.sort },
      ExpressionAttributeValues: { ':batch': this.batch, ':low': '0', ':high': '9' },
      ProjectionExpression: '#run',
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    })));
    const run = page.Items?.[0]?.[LEDGER_KEYS.sort];
    return run === undefined ? undefined : Date.parse(String(run));
  }

  async pause(): Promise<PauseRecord | undefined> {
    const out = await this.send('reading its pause record', () => this.pass.doc.send(new this.pass.sdk.GetCommand({
      TableName: this.pass.tableName,
      Key: { [LEDGER_KEYS.partition]: this.batch, [LEDGER_KEYS.sort]: PAUSE_SORT_KEY },
      ConsistentRead: true,
    })));
    return out.Item as PauseRecord | undefined;
  }

  /** Records `t` as missed unless it has a record by now; true when this pass wrote it. */
  async recordMissed(t: number, graceMinutes: number): Promise<boolean> {
    const now = this.pass.now;
    try {
      await this.send(`recording ${iso(t)} as missed`, () => this.pass.doc.send(new this.pass.sdk.UpdateCommand({
        TableName: this.pass.tableName,
        Key: { [LEDGER_KEYS.partition]: this.batch, [LEDGER_KEYS.sort]: iso(t) },
        UpdateExpression: 'SET #status = :missed, attempts = :zero, #trigger = :schedule, endedAt = :now, #error = :why, #ttl = :ttl',
        // A run that started meanwhile, or another watchdog's record, stays as it is.
        ConditionExpression: 'attribute_not_exists(#run)',
        ExpressionAttributeNames: { '#run': LEDGER_KEYS.sort, '#status': 'status', '#trigger': 'trigger', '#error': 'error', '#ttl': LEDGER_KEYS.ttl },
        ExpressionAttributeValues: {
          ':missed': 'missed' satisfies RunStatus,
          ':zero': 0,
          ':schedule': 'schedule',
          ':now': iso(now),
          ':why': `no run started within ${graceMinutes} minutes of its scheduled time (the watchdog checked at ${iso(now)})`,
          ':ttl': Math.floor(now / 1000) + Math.round(this.pass.retentionDays * 86_400),
        },
      })));
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (conditionFailed(e)) throw e;
      const name = (e as Error)?.name ?? 'Error';
      const fix = name === 'ResourceNotFoundException'
        ? `the stage's ledger table ${this.pass.tableName} does not exist: ${NO_LEDGER_FIX}`
        : name === 'AccessDeniedException'
          ? `the watchdog's role may not read and record runs in ${this.pass.tableName}: deploy the stage stack's current template and the stage's current bootstrap (its boundary)`
          : 'the next watchdog pass checks these times again';
      throw new BatchformError('aws', `batch "${this.batch}": the missed-run watchdog failed ${what} (${name}: ${(e as Error)?.message ?? e}); ${fix}.`, {
        cause: e, where: { batch: this.batch },
      });
    }
  }
}

/** Options of {@link watchdogHandler}; the defaults are what the deployed function uses. */
export interface WatchdogHandlerOptions {
  /** The configuration file's content. @default read from `BATCHFORM_WATCHDOG_CONFIG`, else `watchdog.json` next to the handler */
  readonly config?: WatchdogConfigFile;
  /** The environment (`BATCHFORM_STAGE`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly client?: DynamoDBClient | DynamoDBDocumentClient;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** What one watchdog invocation found: the stage, and the times it recorded missed, by batch. */
export interface WatchdogSummary {
  readonly stage: string;
  readonly batches: number;
  readonly missed: Readonly<Record<string, readonly string[]>>;
}

/**
 * The stage watchdog's Lambda handler: one pass ({@link checkMissedRuns}) over the stage's batches
 * (`BATCHFORM_STAGE` in the configuration file; the table `BATCHFORM_LEDGER_TABLE` names, when set), looking back {@link WATCHDOG_LOOK_BACK_MS}, then
 * one summary log line. A failed pass throws, so the function's own errors show it.
 *
 * @example export const handler = watchdogHandler();
 */
export function watchdogHandler(options: WatchdogHandlerOptions = {}): (event?: unknown) => Promise<WatchdogSummary> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  let config: WatchdogConfig | undefined;
  return async () => {
    // The table the stage stack names (its role's policy names the same one) over the file's.
    config ??= withTable(stageConfig(options.config ?? readConfigFile(env), env[WATCHDOG_ENV.stage]), env[RUNTIME_ENV.ledgerTable]);
    const checks = await checkMissedRuns({ ...config, client: options.client, now: options.now, log });
    const missed = Object.fromEntries(checks.filter((c) => c.missed.length > 0).map((c) => [c.batch, c.missed]));
    const summary: WatchdogSummary = { stage: config.stage, batches: checks.length, missed };
    log(JSON.stringify({ level: 'INFO', message: 'watchdog pass', ...summary, paused: Object.fromEntries(checks.filter((c) => c.paused.length > 0).map((c) => [c.batch, c.paused])) }));
    return summary;
  };
}

function readConfigFile(env: Readonly<Record<string, string | undefined>>): WatchdogConfigFile {
  const file = env[WATCHDOG_ENV.config] ?? path.join(__dirname, WATCHDOG_CONFIG_FILE);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as WatchdogConfigFile;
  } catch (e) {
    throw new BatchformError('integrity', `the watchdog cannot read its configuration ${file} (${(e as Error).message}); deploy the stage stack again (its code zip holds ${WATCHDOG_CONFIG_FILE}).`, { cause: e });
  }
}

function withTable(config: WatchdogConfig, table: string | undefined): WatchdogConfig {
  return table ? { ...config, tableName: table } : config;
}

function stageConfig(file: WatchdogConfigFile, stage: string | undefined): WatchdogConfig {
  const config = stage === undefined ? undefined : file.stages?.[stage];
  if (!config) {
    throw new BatchformError('integrity', `the watchdog's configuration has no stage ${JSON.stringify(stage)} (it has ${Object.keys(file.stages ?? {}).join(', ') || 'none'}); ` +
      `set ${WATCHDOG_ENV.stage} to the stage's name, or deploy the stage stack again from the current declarations.`);
  }
  return config;
}
