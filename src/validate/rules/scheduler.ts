// Rules for the EventBridge Scheduler options: only where the Scheduler runs the batch, in AWS's ranges.
import { scheduleExpression } from './schedule-rules';
import { BatchRule, isIntIn, show, when } from './types';
import { checkSchedule } from '../../schedule/expression';
import { localToInstants, nextRuns } from '../../schedule/next-runs';
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
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || unrealDateAndTime(value) !== undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Why the date and time of an ISO instant do not exist, or undefined when they do: `Date.parse`
 * rolls `2027-02-30` over to 2 March, and the same date in at() is rejected, so it is here too.
 */
function unrealDateAndTime(value: string): string | undefined {
  const [year, month, day, hour, minute, second] = [0, 5, 8, 11, 14, 17].map((i) => Number(value.slice(i, i + (i === 0 ? 4 : 2)) || 0));
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const monthName = new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
  if (day < 1 || day > days) return `${monthName} ${year} has ${days} days`;
  if (hour > 23) return `hour ${hour} is past 23`;
  if (minute > 59 || second > 59) return 'minutes and seconds run from 00 to 59';
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (offset && (Number(offset[2]) > 14 || Number(offset[3]) > 59)) return `the offset ${offset[0]} is beyond ±14:00`;
  return undefined;
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

/**
 * Start and end dates: real ISO 8601 instants, end after start, at least one run between them,
 * neither with a one-time schedule. (Dates in the past are warnings: see warnings.ts.)
 */
export const scheduleDates: BatchRule = (batch) => {
  const findings = (['startDate', 'endDate'] as const).flatMap((k) => {
    const value = batch[k];
    if (value === undefined || instant(value) !== undefined) return [];
    const unreal = typeof value === 'string' && ISO_INSTANT.test(value) ? unrealDateAndTime(value) : undefined;
    return [{
      field: k,
      message: unreal
        ? `${show(value)} is not a real date and time: ${unreal}.`
        : `${show(value)} is not an ISO 8601 date and time with a UTC offset.`,
      fix: unreal
        ? 'write a date and time that exist (hours 00-23); left as is, it would silently roll over, 30 February into 2 March.'
        : 'write e.g. "2027-01-01T00:00:00+09:00" or "2026-12-31T15:00:00Z" (the offset makes the instant unambiguous).',
    }];
  });
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
  if (start !== undefined && end !== undefined && end > start && parsed?.kind === 'cron' && onScheduler(batch.timezone)) {
    const [first] = nextRuns(parsed, 1, new Date(start - 1), { timeZone: String(batch.timezone) });
    if (first === undefined || first.getTime() > end) {
      findings.push({
        field: 'endDate',
        message: `leaves no run of ${show(expression)} in ${batch.timezone} between startDate ${show(batch.startDate)} and endDate ${show(batch.endDate)}`
          + `${first ? ` (the first run after startDate is ${first.toISOString()})` : ''}, so the schedule would never run.`,
        fix: 'widen the window (an earlier startDate or a later endDate), or change the schedule; `npx projen schedule` lists the next runs.',
      });
    }
  }
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
