// The longest wait between two runs of a schedule: what a missed-run (dead-man's switch) alarm needs.
import { ParsedSchedule, parseSchedule } from './expression';
import { nextRuns } from './next-runs';

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
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i].getTime() - runs[i - 1].getTime());
  return { longestGapSeconds: Math.round(longest / 1000), finite };
}
