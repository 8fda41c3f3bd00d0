// The longest wait between two runs of a schedule: what a missed-run (dead-man's switch) alarm needs.
import { ParsedSchedule, parseSchedule } from './expression';
import { nextRuns } from './next-runs';
import { utcOffsetMinutes } from './timezone';

/** How often a schedule runs, at its sparsest. */
export interface ScheduleGap {
  /** The longest time between two consecutive runs, in seconds. */
  readonly longestGapSeconds: number;
  /**
   * True when the schedule stops running (a year field other than `*`, a one-time at()): after its last run a
   * missed-run alarm would fire for ever, so none is made.
   */
  readonly finite: boolean;
}

/**
 * A fixed starting point, so the gap (and so every template) does not change with the day the
 * project is regenerated. A year from it covers every month length, including a leap February.
 */
const REFERENCE = new Date('2027-01-01T00:00:00Z');
const HORIZON_MS = 2 * 366 * 24 * 3600 * 1000;
/** Enough runs to span a week of an every-minute schedule and two years of sparse ones. */
const MAX_RUNS = 12_000;

/**
 * The longest gap between consecutive runs over the two years after a fixed reference date, in
 * the zone the schedule runs in (a daily run in New York is 23 or 25 hours apart around DST
 * changes; one whose local time a spring-forward skips is 48 hours apart).
 *
 * @example
 * longestGap('cron(0 9 ? * MON-FRI *)').longestGapSeconds // 259200: Friday 09:00 to Monday 09:00
 */
export function longestGap(schedule: ParsedSchedule | string, timeZone = 'UTC'): ScheduleGap {
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  // A pure function of the expression and zone, asked for by the warning, the template and the schedule view.
  const key = `${parsed.expression} ${timeZone}`;
  let gap = gaps.get(key);
  if (gap === undefined) {
    gap = computeGap(parsed, timeZone);
    gaps.set(key, gap);
  }
  return gap;
}

const gaps = new Map<string, ScheduleGap>();

/**
 * Every gap computed (or remembered) so far, by `<expression> <zone>`: what a regeneration saves
 * so the next one need not simulate two years of runs per batch again.
 */
export function knownGaps(): Record<string, ScheduleGap> {
  return Object.fromEntries(gaps);
}

/** Remembers gaps saved by {@link knownGaps} (by the same code: the caller checks that). */
export function rememberGaps(saved: Record<string, ScheduleGap>): void {
  for (const [key, gap] of Object.entries(saved)) {
    if (typeof gap?.longestGapSeconds === 'number' && typeof gap.finite === 'boolean' && !gaps.has(key)) gaps.set(key, gap);
  }
}

function computeGap(parsed: ParsedSchedule, timeZone: string): ScheduleGap {
  if (parsed.kind === 'rate') {
    const unit = { minute: 60, hour: 3600, day: 86400 }[parsed.unit];
    return { longestGapSeconds: parsed.value * unit, finite: false };
  }
  // A one-time schedule runs once: there is no gap to watch.
  if (parsed.kind === 'at') return { longestGapSeconds: 0, finite: true };
  const finite = parsed.fields.year !== '*';
  // In chunks, so a daily schedule stops after two years' worth instead of MAX_RUNS runs.
  const end = REFERENCE.getTime() + HORIZON_MS;
  const runs: Date[] = [];
  let after = REFERENCE;
  while (runs.length < MAX_RUNS) {
    const chunk = nextRuns(parsed, 500, after, { timeZone });
    runs.push(...chunk.filter((d) => d.getTime() <= end));
    if (chunk.length < 500 || chunk[chunk.length - 1].getTime() > end) break;
    after = chunk[chunk.length - 1];
  }
  // Fewer than two runs in the horizon (a leap day): measure the gap between the next two runs.
  if (runs.length < 2 && !finite) runs.splice(0, runs.length, ...nextRuns(parsed, 2, REFERENCE, { timeZone }));
  let longest = longestBetween(runs);
  // MAX_RUNS runs of a sub-hourly schedule span weeks, not the year: the gaps a DST change makes
  // (New York every 5 minutes: 65 minutes when the clocks fall back) are measured around each change.
  for (const change of offsetChanges(timeZone, REFERENCE.getTime(), end)) longest = Math.max(longest, longestGapAround(parsed, timeZone, change));
  return { longestGapSeconds: Math.round(longest / 1000), finite };
}

/** The longest time between consecutive instants of a sorted list, in milliseconds. */
function longestBetween(runs: readonly Date[]): number {
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i].getTime() - runs[i - 1].getTime());
  return longest;
}

const HOUR_MS = 3600_000;

/**
 * The instants (to the minute) in [from, to] at which the zone's UTC offset changes: its DST
 * changes. Daily probes, then a binary search in the day the offset changed in.
 */
export function offsetChanges(timeZone: string, from: number, to: number): number[] {
  if (timeZone === 'UTC') return [];
  const changes: number[] = [];
  const day = 24 * HOUR_MS;
  for (let t = from; t < to; t += day) {
    const before = utcOffsetMinutes(new Date(t), timeZone);
    if (utcOffsetMinutes(new Date(t + day), timeZone) === before) continue;
    let [lo, hi] = [t, t + day];
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (utcOffsetMinutes(new Date(mid), timeZone) === before) lo = mid;
      else hi = mid;
    }
    changes.push(hi);
  }
  return changes;
}

/**
 * The longest gap between consecutive runs from the last run before `change` to the first run at
 * least 3 hours after it (a change shifts or repeats at most an hour or so of local time; later
 * gaps are the schedule's usual ones, measured by the main scan). The last run before the change is
 * found by looking back 1, 2, 4 ... hours, up to the 8 days past which no alarm can watch anyway.
 */
function longestGapAround(parsed: ParsedSchedule, timeZone: string, change: number): number {
  let back = HOUR_MS;
  while (back < 8 * 24 * HOUR_MS && !(nextRuns(parsed, 1, new Date(change - back), { timeZone })[0]?.getTime() < change)) back *= 2;
  const runs: Date[] = [];
  let after = new Date(change - back);
  while (runs.length === 0 || runs[runs.length - 1].getTime() < change + 3 * HOUR_MS) {
    const chunk = nextRuns(parsed, 100, after, { timeZone });
    if (chunk.length === 0) break;
    runs.push(...chunk);
    after = chunk[chunk.length - 1];
    if (chunk.length < 100) break;
  }
  // Only gaps from the last run before the change on: earlier ones are not the change's.
  const lastBefore = runs.filter((r) => r.getTime() < change).pop();
  const from = lastBefore ? runs.indexOf(lastBefore) : 0;
  const until = runs.findIndex((r) => r.getTime() >= change + 3 * HOUR_MS);
  return longestBetween(runs.slice(from, until === -1 ? runs.length : until + 1));
}

/**
 * The shortest time between two consecutive runs among the next `count` runs after `from`, in
 * seconds: the longest a run may take before it overlaps the next. Undefined when the schedule has
 * fewer than two runs left (an `at()`, a last year).
 *
 * @example
 * shortestGap('cron(0 9,17 ? * MON-FRI *)', 'UTC', new Date('2027-01-04T00:00:00Z')) // 28800: 09:00 to 17:00
 */
export function shortestGap(schedule: ParsedSchedule | string, timeZone: string, from: Date, count = 1000): number | undefined {
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  if (parsed.kind === 'rate') return parsed.value * { minute: 60, hour: 3600, day: 86400 }[parsed.unit];
  const runs = nextRuns(parsed, count, from, { timeZone });
  if (runs.length < 2) return undefined;
  let shortest = Infinity;
  for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, runs[i].getTime() - runs[i - 1].getTime());
  return Math.round(shortest / 1000);
}
