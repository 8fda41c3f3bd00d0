// Rules for the EventBridge Scheduler options: only where the Scheduler runs the batch, in AWS's ranges.
import { scheduleExpression } from './schedule-rules';
import { BatchRule, isIntIn, show, when } from './types';
import { checkSchedule } from '../../schedule/expression';
import { localToInstants } from '../../schedule/next-runs';
import { isTimeZone } from '../../schedule/timezone';

/** The Scheduler's limit on `FlexibleTimeWindow.MaximumWindowInMinutes`. */
export const MAX_FLEXIBLE_WINDOW_MINUTES = 1440;
/** The limit on a target's `RetryPolicy.MaximumRetryAttempts` (rules and the Scheduler alike). */
export const MAX_DELIVERY_RETRY_ATTEMPTS = 185;

/** ISO 8601 date and time with an explicit offset, so the instant does not depend on the machine's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const SCHEDULER_ONLY = ['flexibleWindowMinutes', 'startDate', 'endDate'] as const;

/** Whether the declaration runs on the Scheduler: a valid time zone other than UTC. */
function onScheduler(timezone: unknown): boolean {
  return typeof timezone === 'string' && timezone !== 'UTC' && isTimeZone(timezone);
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Scheduler options and at() schedules need a batch that runs on the Scheduler. */
export const schedulerOnly: BatchRule = (batch) => {
  // An invalid zone is reported by timezoneValid; do not pile a second error on it.
  if (batch.timezone !== undefined && batch.timezone !== 'UTC' && !isTimeZone(String(batch.timezone))) return [];
  if (onScheduler(batch.timezone)) return [];
  const expression = scheduleExpression(batch.schedule);
  const parsed = expression === undefined ? undefined : checkSchedule(expression).schedule;
  return [
    ...when(parsed?.kind === 'at', {
      field: 'schedule',
      message: `${show(expression)} is a one-time schedule, which only EventBridge Scheduler runs; this batch runs in UTC on an EventBridge rule.`,
      fix: 'give the batch its time zone (e.g. timezone: "Europe/Berlin"), which runs it on the Scheduler, or write a cron with a fixed date such as cron(0 9 4 JAN ? 2027).',
    }),
    ...SCHEDULER_ONLY.filter((k) => batch[k] !== undefined).map((k) => ({
      field: k,
      message: 'is an EventBridge Scheduler option, but this batch runs in UTC on an EventBridge rule.',
      fix: 'give the batch its time zone (e.g. timezone: "Europe/Berlin"), which runs it on the Scheduler, or remove the option.',
    })),
  ];
};

export const flexibleWindowRange: BatchRule = (batch) =>
  when(batch.flexibleWindowMinutes !== undefined && !isIntIn(batch.flexibleWindowMinutes, 1, MAX_FLEXIBLE_WINDOW_MINUTES), {
    field: 'flexibleWindowMinutes',
    message: `${show(batch.flexibleWindowMinutes)} is outside the Scheduler's flexible window range (1-${MAX_FLEXIBLE_WINDOW_MINUTES} minutes).`,
    fix: `use a whole number of minutes from 1 to ${MAX_FLEXIBLE_WINDOW_MINUTES} (24 hours), or leave it out for runs at their exact minute.`,
  });

export const deliveryRetryRange: BatchRule = (batch) =>
  when(batch.deliveryRetryAttempts !== undefined && !isIntIn(batch.deliveryRetryAttempts, 0, MAX_DELIVERY_RETRY_ATTEMPTS), {
    field: 'deliveryRetryAttempts',
    message: `${show(batch.deliveryRetryAttempts)} is outside the target retry range (0-${MAX_DELIVERY_RETRY_ATTEMPTS}).`,
    fix: `use a whole number from 0 to ${MAX_DELIVERY_RETRY_ATTEMPTS}; the default is 3.`,
  });

/** Start and end dates: ISO 8601 instants, end after start, neither with a one-time schedule. */
export const scheduleDates: BatchRule = (batch) => {
  const findings = (['startDate', 'endDate'] as const).flatMap((k) =>
    when(batch[k] !== undefined && instant(batch[k]) === undefined, {
      field: k,
      message: `${show(batch[k])} is not an ISO 8601 date and time with a UTC offset.`,
      fix: 'write e.g. "2027-01-01T00:00:00+09:00" or "2026-12-31T15:00:00Z" (the offset makes the instant unambiguous).',
    }));
  const start = instant(batch.startDate);
  const end = instant(batch.endDate);
  if (start !== undefined && end !== undefined && end <= start) {
    findings.push({
      field: 'endDate',
      message: `${show(batch.endDate)} is not after startDate ${show(batch.startDate)}, so the schedule would never run.`,
      fix: 'set endDate later than startDate, or leave one of them out.',
    });
  }
  const expression = scheduleExpression(batch.schedule);
  const parsed = expression === undefined ? undefined : checkSchedule(expression).schedule;
  if (parsed?.kind === 'at' && (batch.startDate !== undefined || batch.endDate !== undefined)) {
    findings.push({
      field: batch.startDate !== undefined ? 'startDate' : 'endDate',
      message: `is set, but ${show(expression)} runs once; start and end dates bound recurring schedules only.`,
      fix: 'remove startDate and endDate, or use a cron or rate schedule.',
    });
  }
  return findings;
};

/** A one-time run at a local time the zone skips (spring forward) would never happen. */
export const atLocalTimeExists: BatchRule = (batch) => {
  if (!onScheduler(batch.timezone)) return [];
  const expression = scheduleExpression(batch.schedule);
  const parsed = expression === undefined ? undefined : checkSchedule(expression).schedule;
  if (parsed?.kind !== 'at' || localToInstants(parsed.local, String(batch.timezone)).length > 0) return [];
  return [{
    field: 'schedule',
    message: `${show(expression)} does not exist in ${batch.timezone}: the clocks spring forward over it, so the Scheduler would never run it.`,
    fix: 'pick a time outside the skipped hour, e.g. one hour later.',
  }];
};
