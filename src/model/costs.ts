// The cost model: what a batch and a stage cost each month before a single run (alarms, keys, log
// storage), and what one run costs. Prices come from prices.ts; no AWS call, no aws-cdk-lib.
import { stageCreatesAlarmTopic } from './alarm-target';
import { DEFAULT_LEDGER_RETENTION_DAYS } from './ledger';
import { PRICES_CHECKED, priceIn } from './prices';
import { batchForStage, enabledInSomeStage } from './stage-overrides';
import type { Batch, Stage, ValidatedDeclarations } from './validated';
import { WATCHDOG_EVERY_MINUTES, WATCHDOG_FUNCTION } from './watchdog';
import { nextRuns } from '../schedule/next-runs';

/** One line of a cost: how many of what, and its USD per month. */
export interface CostLine {
  readonly what: string;
  readonly count: number;
  readonly usdPerMonth: number;
}

/** A monthly cost: its lines and their sum. */
export interface MonthlyCost {
  readonly lines: readonly CostLine[];
  readonly usdPerMonth: number;
  /** The region whose prices were used, and their date. */
  readonly region: string;
  readonly pricesChecked: string;
}

/** What the model assumes of a run's logs when nothing better is known: Lambda's START/END/REPORT lines and a few of the handler's. */
export const DEFAULT_LOG_KB_PER_RUN = 4;

/** Days in the average month the model uses (365.25 / 12). */
export const DAYS_PER_MONTH = 30.4375;

/** How many alarms a batch's stack has in a stage (0 with `alarms: false`). */
export function batchAlarmCount(batch: Batch, stage?: string): number {
  const b = stage ? batchForStage(batch, stage) : batch;
  if (!b.alarms) return 0;
  // Durable: failed, timed out, still running, start failed; plain: failed. Both: delivery failed, dead letters.
  const runAlarms = b.durable ? 4 : 1;
  // The missed-run alarm watches the watchdog's RunMissed, at any cadence, in every stage's stack
  // of a batch that runs in some stage; the duration alarm exists with maxDuration.
  const missed = enabledInSomeStage(batch) ? 1 : 0;
  const long = b.maxDuration === undefined ? 0 : 1;
  return runAlarms + missed + long + 2;
}

/**
 * How many metrics a batch's alarms watch in a stage, which is what CloudWatch bills: one per
 * alarm, but the failed-run alarm's expression watches three (consecutive failures, recorded
 * failures and Lambda's failure count).
 */
export function batchAlarmMetricCount(batch: Batch, stage?: string): number {
  const alarms = batchAlarmCount(batch, stage);
  return alarms === 0 ? 0 : alarms + 2;
}

/** Runs of a batch in an average month of a stage, from its schedule (the 365 days after `from`, divided by 12). */
export function runsPerMonth(batch: Batch, stage?: string, from = new Date('2027-01-01T00:00:00Z')): number {
  const b = stage ? batchForStage(batch, stage) : batch;
  if (!b.enabled) return 0;
  const year = 365 * 86400_000;
  const end = new Date(from.getTime() + year);
  if (b.schedule.kind === 'rate' && !b.startDate && !b.endDate) {
    const unit = { minute: 60, hour: 3600, day: 86400 }[b.schedule.unit];
    return (year / 1000 / (b.schedule.value * unit)) / 12;
  }
  // Listing a year of a busy cron costs seconds: past 2,000 runs, the rate so far is extrapolated.
  const cap = 2000;
  const runs = nextRuns(b.schedule, cap, from, {
    timeZone: b.timezone, startDate: b.startDate ? new Date(b.startDate) : undefined, endDate: b.endDate ? new Date(b.endDate) : undefined,
  }).filter((d) => d < end);
  if (runs.length < cap) return runs.length / 12;
  return (cap * (year / (runs[cap - 1].getTime() - from.getTime()))) / 12;
}

function monthly(lines: CostLine[], region: string): MonthlyCost {
  const kept = lines.filter((l) => l.count !== 0);
  return { lines: kept, usdPerMonth: round(kept.reduce((n, l) => n + l.usdPerMonth, 0)), region, pricesChecked: PRICES_CHECKED };
}

/** USD rounded to a hundredth of a cent (sums stay exact enough to show to the cent). */
function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/**
 * A batch's fixed monthly cost in a stage: its alarms, and its log storage at steady state (a
 * month of runs kept for `logRetentionDays`, at `logKbPerRun`). Its queue, rule, schedule group,
 * roles and function cost nothing while no run happens.
 *
 * @example
 * batchFixedCost(batch, stage).usdPerMonth // 0.6 for a daily batch with 4 alarms (6 alarm metrics)
 */
export function batchFixedCost(batch: Batch, stage: Stage, options: { readonly logKbPerRun?: number } = {}): MonthlyCost {
  const region = stage.region;
  const alarms = batchAlarmMetricCount(batch, stage.name);
  const runs = runsPerMonth(batch, stage.name);
  // Steady state: what a month writes, times how many months it is kept (retention is at least a day).
  const storedGb = (runs * (options.logKbPerRun ?? DEFAULT_LOG_KB_PER_RUN)) / 1_048_576 * (batch.logRetentionDays / DAYS_PER_MONTH);
  return monthly([
    { what: 'CloudWatch alarm metrics', count: alarms, usdPerMonth: alarms * priceIn('alarmMonth', region) },
    { what: `GB of logs kept ${batch.logRetentionDays} days`, count: round(storedGb), usdPerMonth: storedGb * priceIn('logsStorageGbMonth', region) },
  ], region);
}

/**
 * A stage's own fixed monthly cost (its stage stack): the alarm topic's KMS key when the stage
 * e-mails its alarms. The topic and its subscriptions cost nothing until an alarm fires.
 */
export function stageFixedCost(stage: Stage, decl: ValidatedDeclarations): MonthlyCost {
  const createsAlarmTopic = stageCreatesAlarmTopic(stage, decl);
  return monthly([{ what: 'KMS key (alarm topic)', count: createsAlarmTopic ? 1 : 0, usdPerMonth: createsAlarmTopic ? priceIn('kmsKeyMonth', stage.region) : 0 }], stage.region);
}

/** What one run is made of, for {@link perRunCost}. */
export interface RunShape {
  readonly memoryMb: number;
  readonly durationSeconds: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** Whether the batch runs on EventBridge Scheduler (a time zone other than UTC). */
  readonly scheduler: boolean;
  /** KB of logs the run writes. */
  readonly logKb?: number;
  /** Lambda invocations per run: 1, or more for a durable batch (the starter, and each replay). */
  readonly invocations?: number;
}

/**
 * The cost of one run, before free tiers: Lambda requests and GB-seconds, the Scheduler's
 * invocation (rules cost nothing), and log ingestion.
 *
 *   per run = invocations × request + memory(GB) × duration(s) × GB-second
 *           + (Scheduler ? invocation : 0) + logKB / 1,048,576 × ingestion per GB
 *
 * @example
 * perRunCost({ memoryMb: 512, durationSeconds: 30, architecture: 'arm64', scheduler: true }, 'us-east-1') // ≈ 0.000203
 */
export function perRunCost(run: RunShape, region: string): number {
  const gbSecond = run.architecture === 'arm64' ? priceIn('lambdaGbSecondArm', region) : priceIn('lambdaGbSecondX86', region);
  return (run.invocations ?? 1) * priceIn('lambdaRequest', region)
    + (run.memoryMb / 1024) * run.durationSeconds * gbSecond
    + (run.scheduler ? priceIn('schedulerInvocation', region) : 0)
    + ((run.logKb ?? DEFAULT_LOG_KB_PER_RUN) / 1_048_576) * priceIn('logsIngestionGb', region);
}

/**
 * What the run ledger asks of DynamoDB for one run of a batch with `overlap: 'skip'` (the
 * default): 5 writes (the claim, taking the lease, the finish, the consecutive-failure count,
 * freeing the lease) and 1 strongly consistent read (the batch's pause record). `overlap: 'allow'`
 * takes no lease: 3 writes. A
 * duplicate delivery costs 2 writes (the failed conditional claim is billed, then the count).
 */
export const LEDGER_REQUESTS_PER_RUN = { writes: 5, reads: 1 } as const;

/**
 * KB one run's record takes in the table: its attributes (keys, status, times, request id, log
 * stream, code version, up to 300 characters of error) and DynamoDB's 100 bytes per item. Under
 * 1 KB, so each write is one write request unit.
 */
export const LEDGER_RECORD_KB = 0.5;

/** The cost of the ledger's requests for one run, before free tiers: writes × write unit + reads × read unit. */
export function ledgerPerRunCost(region: string, requests: { readonly writes: number; readonly reads: number } = LEDGER_REQUESTS_PER_RUN): number {
  return requests.writes * priceIn('dynamodbWriteRequest', region) + requests.reads * priceIn('dynamodbReadRequest', region);
}

/**
 * A batch's monthly cost in its stage's ledger table: its runs' requests, and at steady state the
 * records kept `retentionDays` (storage, and the point-in-time-recovery backup of the same bytes).
 *
 * @example
 * ledgerMonthlyCost(730.5, 'us-east-1').usdPerMonth // an hourly batch: ≈ 0.0022
 */
export function ledgerMonthlyCost(runs: number, region: string, retentionDays = DEFAULT_LEDGER_RETENTION_DAYS): MonthlyCost {
  const storedGb = (runs * (retentionDays / DAYS_PER_MONTH) * LEDGER_RECORD_KB) / 1_048_576;
  const { writes, reads } = LEDGER_REQUESTS_PER_RUN;
  return monthly([
    { what: 'ledger write request units', count: round(runs * writes), usdPerMonth: runs * writes * priceIn('dynamodbWriteRequest', region) },
    { what: 'ledger read request units', count: round(runs * reads), usdPerMonth: runs * reads * priceIn('dynamodbReadRequest', region) },
    { what: `GB of run records kept ${retentionDays} days`, count: round(storedGb), usdPerMonth: storedGb * priceIn('dynamodbStorageGbMonth', region) },
    { what: 'GB of point-in-time-recovery backup', count: round(storedGb), usdPerMonth: storedGb * priceIn('dynamodbPitrGbMonth', region) },
  ], region);
}

/** What the cost model assumes of a stage's watchdog until it is measured: how often, how big, how long. */
export const WATCHDOG_ASSUMPTION = {
  /** Minutes between two passes. */
  everyMinutes: WATCHDOG_EVERY_MINUTES,
  memoryMb: WATCHDOG_FUNCTION.memorySize,
  durationSeconds: 1,
  architecture: WATCHDOG_FUNCTION.architecture,
  /** KB of logs a pass writes. */
  logKb: DEFAULT_LOG_KB_PER_RUN,
} as const;

/**
 * A stage's watchdog per month, before free tiers: a small function on a rule (rules cost
 * nothing) every {@link WATCHDOG_ASSUMPTION}.everyMinutes, and one ledger Query per batch per pass
 * (one read request unit: a batch's recent records fit in 4 KB). Writes of missed runs are rare
 * and not counted.
 *
 * @example
 * watchdogMonthlyCost(10, 'us-east-1').usdPerMonth // ≈ 0.015
 */
export function watchdogMonthlyCost(batches: number, region: string, shape: typeof WATCHDOG_ASSUMPTION = WATCHDOG_ASSUMPTION): MonthlyCost {
  const passes = (DAYS_PER_MONTH * 24 * 60) / shape.everyMinutes;
  const { memoryMb, durationSeconds, architecture, logKb } = shape;
  const pass = perRunCost({ memoryMb, durationSeconds, architecture, scheduler: false, logKb }, region);
  return monthly([
    { what: `watchdog passes (every ${shape.everyMinutes} min, ${shape.memoryMb} MB, ${shape.durationSeconds} s)`, count: round(passes), usdPerMonth: passes * pass },
    { what: 'ledger read request units (one Query per batch per pass)', count: round(passes * batches), usdPerMonth: passes * batches * priceIn('dynamodbReadRequest', region) },
  ], region);
}

/** "0.20", "-3.00", "0.0004": USD with two decimals, more when under a cent. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  if (abs === 0 || abs >= 0.01) return usd.toFixed(2);
  // Two significant digits under a cent, trailing zeros dropped: 0.0004, 0.00021.
  return usd.toFixed(Math.min(10, 1 - Math.floor(Math.log10(abs)))).replace(/0+$/, '');
}
