// The missed-run alarm's window: how long a schedule may go without a run before someone is told.
// No aws-cdk-lib here: the CLI's schedule view shows the same window.
import type { ParsedSchedule } from '../schedule/expression';
import { longestGap } from '../schedule/gaps';

/** CloudWatch's limits on an alarm's evaluation range (period × evaluation periods), in seconds. */
const MAX_RANGE = 7 * 86400;
const MAX_RANGE_SHORT_PERIOD = 86400;

/** How the missed-run alarm watches a schedule, or why it cannot. */
export type MissedRunWindow =
  | {
    readonly supported: true;
    readonly gapSeconds: number;
    readonly windowSeconds: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
  }
  | { readonly supported: false; readonly gapSeconds: number; readonly reason: string };

/** What the missed-run window depends on: the schedule, where it runs and between which dates. */
export interface WatchedSchedule {
  readonly schedule: ParsedSchedule;
  /** @default 'UTC' */
  readonly timezone?: string;
  readonly flexibleWindowMinutes?: number;
  readonly startDate?: string;
  readonly endDate?: string;
}

/**
 * The missed-run window of a batch that gets a missed-run alarm in principle (alarms on, rule
 * enabled), supported or not; undefined for batches that get none by declaration.
 */
export function missedRunAlarmWindow(batch: WatchedSchedule & { readonly alarms: boolean; readonly enabled: boolean }): MissedRunWindow | undefined {
  return batch.alarms && batch.enabled ? missedRunWindow(batch) : undefined;
}

/**
 * The window in which a schedule must fire at least once: its longest gap between runs plus a
 * grace for late starts (10% of the gap, between 5 minutes and 1 hour), cut to CloudWatch's
 * 7-day evaluation limit. Windows up to a day use 1-minute periods; longer ones 1-hour periods.
 * Gaps are measured in the zone the schedule runs in (DST changes lengthen them) and include the
 * Scheduler's flexible window. Schedules whose gap exceeds 7 days (monthly, yearly), that end (a
 * bounded year, a one-time at(), an end date) or that start later (a start date) cannot be watched
 * by a CloudWatch alarm.
 */
export function missedRunWindow(batch: WatchedSchedule): MissedRunWindow {
  if (batch.schedule.kind === 'at') {
    return { supported: false, gapSeconds: 0, reason: 'the schedule runs once (at()), after which every window would be "missed"' };
  }
  if (batch.endDate !== undefined || batch.startDate !== undefined) {
    return { supported: false, gapSeconds: longestGap(batch.schedule, batch.timezone).longestGapSeconds, reason: 'the schedule has a start or end date, outside which every window would be "missed"' };
  }
  const zoned = longestGap(batch.schedule, batch.timezone);
  const gap = { ...zoned, longestGapSeconds: zoned.longestGapSeconds + (batch.flexibleWindowMinutes ?? 0) * 60 };
  if (gap.finite) {
    return { supported: false, gapSeconds: gap.longestGapSeconds, reason: 'the schedule ends (its year field is bounded), after which every window would be "missed"' };
  }
  if (gap.longestGapSeconds === 0) {
    // Never a zero-length window: with missing data as breaching it would fire all the time.
    return { supported: false, gapSeconds: 0, reason: 'the schedule has no two consecutive runs to measure a gap between' };
  }
  if (gap.longestGapSeconds > MAX_RANGE) {
    return { supported: false, gapSeconds: gap.longestGapSeconds, reason: `its longest gap between runs (${Math.round(gap.longestGapSeconds / 86400)} days) exceeds the 7 days a CloudWatch alarm can look back` };
  }
  const grace = Math.min(3600, Math.max(300, Math.round(gap.longestGapSeconds * 0.1)));
  const wanted = gap.longestGapSeconds + grace;
  const periodSeconds = wanted <= MAX_RANGE_SHORT_PERIOD ? 60 : 3600;
  const evaluationPeriods = Math.min(Math.ceil(wanted / periodSeconds), (periodSeconds < 3600 ? MAX_RANGE_SHORT_PERIOD : MAX_RANGE) / periodSeconds);
  return { supported: true, gapSeconds: gap.longestGapSeconds, windowSeconds: periodSeconds * evaluationPeriods, periodSeconds, evaluationPeriods };
}

/** A duration in words for alarm descriptions: "25 hours", "10 minutes". */
export function humanDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${Math.round(seconds / 60)} minute${seconds === 60 ? '' : 's'}`;
}
