// The schedule a batch runs on in a stage, and the scheduled times of a range: what run, backfill and status compute times from.
import { BatchformError } from '../errors/batchform-error';
import type { ManifestBatch } from '../manifest/manifest';
import { parseSchedule, ParsedSchedule } from '../schedule/expression';
import { nextRuns } from '../schedule/next-runs';

/** What decides a batch's run times and its event in one stage. */
export interface StageSchedule {
  /** The AWS expression, e.g. `cron(0 3 * * ? *)`. */
  readonly expression: string;
  readonly parsed: ParsedSchedule;
  /** The zone the expression runs in; anything but UTC runs on EventBridge Scheduler. */
  readonly timezone: string;
  readonly enabled: boolean;
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** The batch's constant input as JSON, when it declares one (then the event carries no time). */
  readonly input?: string;
}

/**
 * The schedule of a batch as a stage runs it (from `findBatch` or `batchForStage`: the
 * stage's schedule, time zone and enabled state). Every operate command that needs a stage's
 * schedule (the event `run` sends, the times `backfill` runs, the next run `status` shows) asks
 * this one function.
 */
export function scheduleFor(batch: ManifestBatch): StageSchedule {
  return {
    expression: batch.schedule,
    parsed: parseSchedule(batch.schedule),
    timezone: batch.timezone,
    enabled: batch.enabled,
    startDate: batch.startDate ? new Date(batch.startDate) : undefined,
    endDate: batch.endDate ? new Date(batch.endDate) : undefined,
    input: batch.input,
  };
}

/** Most runs one backfill computes: a year of a five-minute schedule, a guard against a mistyped range. */
export const MAX_BACKFILL_RUNS = 105_120;

/**
 * The scheduled times in `[from, to)`, in order, as the rule or the Scheduler fires them (the
 * zone's wall clock and daylight-saving rules, start and end dates). A rate schedule without a
 * start date has no fixed phase (AWS starts it when the rule is created), so its times are
 * counted from `from`: `from`, `from + rate`, ...
 *
 * @throws BatchformError (bad input) when `to` is not after `from`, or the range holds more than {@link MAX_BACKFILL_RUNS} runs.
 * @example
 * scheduledTimes(scheduleFor(batch), new Date('2026-11-01T00:00:00Z'), new Date('2026-11-08T00:00:00Z'))
 * // seven dates for a daily schedule
 */
export function scheduledTimes(schedule: StageSchedule, from: Date, to: Date): Date[] {
  if (!(to.getTime() > from.getTime())) {
    throw new BatchformError('bad-input', `--to ${to.toISOString()} is not after --from ${from.toISOString()}; the range is [from, to), so give a later --to.`);
  }
  const startDate = schedule.startDate ?? (schedule.parsed.kind === 'rate' ? from : undefined);
  const options = { timeZone: schedule.timezone, startDate, endDate: schedule.endDate };
  const out: Date[] = [];
  let after = new Date(from.getTime() - 1);
  const CHUNK = 512;
  for (;;) {
    const batch = nextRuns(schedule.parsed, CHUNK, after, options);
    for (const t of batch) {
      if (t.getTime() >= to.getTime()) return out;
      out.push(t);
      if (out.length > MAX_BACKFILL_RUNS) {
        throw new BatchformError('bad-input', `[${from.toISOString()}, ${to.toISOString()}) holds more than ${MAX_BACKFILL_RUNS} runs of ${schedule.expression}; backfill a shorter range at a time.`);
      }
    }
    if (batch.length < CHUNK) return out;
    after = batch[batch.length - 1];
  }
}

/** The next run after `now`, or undefined when the schedule is disabled or has no more runs. */
export function nextRun(schedule: StageSchedule, now: Date): Date | undefined {
  if (!schedule.enabled) return undefined;
  return nextRuns(schedule.parsed, 1, now, { timeZone: schedule.timezone, startDate: schedule.startDate, endDate: schedule.endDate })[0];
}

/** The runs of a backfill above which it asks for `--confirm <runs>`: a typo in a year should not start thousands of runs. */
export const BACKFILL_CONFIRM_RUNS = 100;

/**
 * Whether the schedule fires at `time` (to the second), in its zone, within its start and end
 * dates. A rate schedule without a start date has no fixed phase (AWS starts counting when the
 * rule is created), so any time is one of its times.
 */
export function firesAt(schedule: StageSchedule, time: Date): boolean {
  if (schedule.parsed.kind === 'rate' && !schedule.startDate) return true;
  const t = Math.floor(time.getTime() / 1000) * 1000;
  const options = { timeZone: schedule.timezone, startDate: schedule.startDate, endDate: schedule.endDate };
  const [next] = nextRuns(schedule.parsed, 1, new Date(t - 1), options);
  return next !== undefined && next.getTime() === t;
}

/**
 * The schedule's times nearest `time`: the last one before it and the first one after it, each
 * when there is one within five years (start and end dates apply).
 */
export function nearestTimes(schedule: StageSchedule, time: Date): { readonly before?: Date; readonly after?: Date } {
  const options = { timeZone: schedule.timezone, startDate: schedule.startDate, endDate: schedule.endDate };
  const [after] = nextRuns(schedule.parsed, 1, time, options);
  let before: Date | undefined;
  // Windows that grow, so a five-minute schedule reads an hour of runs and a yearly one a few years.
  for (const hours of [1, 24, 24 * 32, 24 * 367, 24 * 366 * 5]) {
    let cursor = new Date(time.getTime() - hours * 3_600_000);
    for (;;) {
      const chunk = nextRuns(schedule.parsed, 256, cursor, options).filter((t) => t.getTime() < time.getTime());
      if (chunk.length === 0) break;
      before = chunk[chunk.length - 1];
      if (chunk.length < 256) break;
      cursor = before;
    }
    if (before) break;
  }
  return { before, after };
}
