// monthly-recompute: a durable batch. On the 1st of each month it recomputes daily_user_stats for
// every day of the previous month (in the batch's time zone) from the transactions, one
// checkpointed step per chunk of days: a crash mid-way resumes at the chunk it was in, the chunks
// already done are not recomputed. Idempotent end to end: each day is recomputed in one
// transaction that converges on the same rows (daily-stats' rollUpDay), so a chunk retried after
// a crash, or the whole month run again, leaves the same table.
import { Client } from 'pg';
import { connectionConfig, rollUpDay } from './daily-stats';
import { localDate } from '../src/runtime';
import { durableBatch } from '../src/runtime/durable';

/** Days per checkpointed step: small enough that a step stays far below the invocation timeout. */
export const CHUNK_DAYS = 7;

/** What one chunk's step checkpoints. */
export interface ChunkResult {
  readonly from: string;
  readonly to: string;
  /** User-day rows the chunk's days hold after the recompute. */
  readonly userDays: number;
}

/** Every day (YYYY-MM-DD) of the calendar month before `time`'s local month in `timeZone`. */
export function previousLocalMonth(time: Date, timeZone: string): { readonly month: string; readonly days: string[] } {
  const firstOfThis = `${localDate(time, timeZone).slice(0, 8)}01`;
  const days: string[] = [];
  for (let d = new Date(`${firstOfThis}T00:00:00Z`); ;) {
    d = new Date(d.getTime() - 86_400_000);
    days.unshift(d.toISOString().slice(0, 10));
    if (d.getUTCDate() === 1) break;
  }
  return { month: days[0].slice(0, 7), days };
}

/** `items` in consecutive slices of `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Recomputes each day of a chunk (one transaction per day) on a connection of its own. */
export async function recomputeDays(days: readonly string[], timeZone: string): Promise<ChunkResult> {
  const client = new Client({ ...(await connectionConfig()), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    let userDays = 0;
    for (const day of days) userDays += (await rollUpDay(client, day, timeZone)).length;
    return { from: days[0], to: days[days.length - 1], userDays };
  } finally {
    await client.end();
  }
}

export const handler = durableBatch(async (run) => {
  const { month, days } = previousLocalMonth(run.time, run.timezone);
  const chunks = chunked(days, CHUNK_DAYS);
  run.logger.info('recomputing', { month, days: days.length, chunks: chunks.length });
  const done: ChunkResult[] = [];
  for (const [i, chunk] of chunks.entries()) {
    done.push(await run.step(`chunk-${i + 1}`, () => recomputeDays(chunk, run.timezone)));
  }
  const userDays = done.reduce((n, c) => n + c.userDays, 0);
  run.logger.info('recomputed', { month, userDays });
  return { month, timezone: run.timezone, days: days.length, chunks: done.length, userDays };
});
