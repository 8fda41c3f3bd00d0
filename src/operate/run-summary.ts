// A batch's recent history in one stage, summed up from its run ledger for `batchform status`: the
// last run, failures in a row, the p50/p95 duration, missed and skipped counts, and its pause.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readPause } from './pause';
import { readRuns, RunRow, runRows } from './runs';
import { RunRecord } from '../model/ledger';

/** Days of ledger records `status` sums up (missed, skipped, p50/p95). */
export const STATUS_LEDGER_DAYS = 30;
/** Most records `status` reads per batch (newest first, two Query pages): a batch running every minute is summed up over its last 200 scheduled times. */
export const STATUS_LEDGER_RECORDS = 200;

/** What a batch's records in the window count, by status (`skippedDuplicate`: duplicate deliveries counted on their runs' records). */
export interface RunCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly running: number;
  readonly missed: number;
  readonly skippedOverlap: number;
  readonly skippedPaused: number;
  readonly skippedDuplicate: number;
}

/** A batch's recent history from the ledger, as `status` shows it (and `status --json` prints it as `ledger`). */
export interface RunSummary {
  /** The stage's ledger table. */
  readonly table: string;
  /**
   * The scheduled times the counts and durations cover: [from, to), at most {@link STATUS_LEDGER_DAYS}
   * days; `capped` when the newest {@link STATUS_LEDGER_RECORDS} records reach back less far (`from` is then the oldest one read).
   */
  readonly window: { readonly days: number; readonly from: string; readonly to: string; readonly records: number; readonly capped: boolean };
  /** The newest run that started (running, succeeded or failed), whatever its age among the records read; `null` when none. */
  readonly lastRun: RunRow | null;
  /** Failed runs since the last succeeded one, newest first (skipped and missed times do not count, nor break the row). */
  readonly consecutiveFailures: number;
  /** Over the ended (succeeded or failed) runs of the window that carry a duration; `null` when there are none. */
  readonly duration: { readonly runs: number; readonly p50Ms: number; readonly p95Ms: number } | null;
  readonly counts: RunCounts;
  /** Set while the batch is paused (`batchform pause`): its note, who paused it and since when. */
  readonly paused: { readonly note?: string; readonly by?: string; readonly since?: string } | null;
}

/** The `q` quantile (0-1) of `values` by nearest rank: a duration some run really took. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Sums up `records` (newest first, as {@link readRuns} returns them) for the window ending at `now`. */
export function summarizeRuns(
  records: readonly RunRecord[],
  options: { readonly table: string; readonly timezone: string; readonly now: Date; readonly capped: boolean },
): Omit<RunSummary, 'paused'> {
  const start = new Date(options.now.getTime() - STATUS_LEDGER_DAYS * 86_400_000).toISOString();
  const inWindow = records.filter((r) => r.run >= start);
  // Capped only when the records read stop short of the window's start.
  const oldest = records[records.length - 1]?.run;
  const capped = options.capped && oldest !== undefined && oldest > start;
  const from = capped ? oldest : start;
  const count = (status: RunRecord['status']) => inWindow.filter((r) => r.status === status).length;
  const last = records.find((r) => r.status === 'running' || r.status === 'succeeded' || r.status === 'failed');
  const ended = records.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const firstSuccess = ended.findIndex((r) => r.status === 'succeeded');
  const durations = inWindow.filter((r) => (r.status === 'succeeded' || r.status === 'failed') && typeof r.durationMs === 'number').map((r) => r.durationMs!);
  return {
    table: options.table,
    window: { days: STATUS_LEDGER_DAYS, from, to: options.now.toISOString(), records: inWindow.length, capped },
    lastRun: last ? runRows([last], options.timezone)[0] : null,
    consecutiveFailures: firstSuccess === -1 ? ended.length : firstSuccess,
    duration: durations.length ? { runs: durations.length, p50Ms: percentile(durations, 0.5), p95Ms: percentile(durations, 0.95) } : null,
    counts: {
      succeeded: count('succeeded'),
      failed: count('failed'),
      running: count('running'),
      missed: count('missed'),
      skippedOverlap: count('skipped-overlap'),
      skippedPaused: count('skipped-paused'),
      skippedDuplicate: inWindow.reduce((n, r) => n + (r.duplicates ?? 0), 0),
    },
  };
}

/**
 * A batch's recent history from the stage's ledger: one Query of its partition, newest first (at
 * most {@link STATUS_LEDGER_RECORDS} records), and one of its pause record.
 *
 * @throws BatchformError (from {@link readRuns}) when the ledger cannot be read: status shows "could not read", never zeros.
 */
export async function readRunSummary(
  client: DynamoDBClient,
  query: { readonly tableName: string; readonly batch: string; readonly timezone: string; readonly now: Date },
): Promise<RunSummary> {
  const [records, pause] = await Promise.all([
    readRuns(client, { tableName: query.tableName, batch: query.batch, limit: STATUS_LEDGER_RECORDS }),
    readPause(client, { tableName: query.tableName, batch: query.batch }),
  ]);
  const capped = records.length >= STATUS_LEDGER_RECORDS;
  const summary = summarizeRuns(records, { table: query.tableName, timezone: query.timezone, now: query.now, capped });
  return {
    ...summary,
    paused: pause?.paused ? { note: pause.note, by: pause.by, since: pause.pausedAt } : null,
  };
}
