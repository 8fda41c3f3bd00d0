// Turns a schedule into one line of English for previews, logs and error messages.

import { toString as cronToString } from 'cronstrue';
import { ParsedSchedule, parseSchedule } from './expression';

/**
 * A one-line English description, e.g. "At 03:00, every day (UTC)" or "Every 5 minutes".
 *
 * Cron descriptions come from cronstrue with AWS day numbering (1 = Sunday) and 24-hour times,
 * and end with the zone they run in: " (UTC)" for EventBridge rules, the batch's zone on the
 * Scheduler. One-time at() schedules name their date, time and zone. Rate descriptions have no time
 * zone: a rate rule counts from when it was created.
 *
 * @param schedule a parsed schedule or an expression string (an invalid string throws a `ScheduleError`).
 * @param timeZone the IANA zone the schedule runs in.
 * @example
 * describeSchedule('cron(0 3 * * ? *)') // "At 03:00, every day (UTC)"
 * describeSchedule('cron(0 10 ? * 6L *)') // "At 10:00, on the last Friday of the month (UTC)"
 * describeSchedule('rate(5 minutes)') // "Every 5 minutes"
 */
export function describeSchedule(schedule: ParsedSchedule | string, timeZone = 'UTC'): string {
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  if (parsed.kind === 'rate') {
    return parsed.value === 1 ? `Every ${parsed.unit}` : `Every ${parsed.value} ${parsed.unit}s`;
  }
  if (parsed.kind === 'at') {
    const l = parsed.local;
    const two = (n: number) => String(n).padStart(2, '0');
    return `Once, at ${two(l.hour)}:${two(l.minute)}${l.second ? `:${two(l.second)}` : ''} on ${l.year}-${two(l.month)}-${two(l.day)} (${timeZone})`;
  }
  const f = parsed.fields;
  // A leading seconds field makes the seven-field form unambiguous to cronstrue, which otherwise
  // guesses whether six fields mean "seconds first" or "year last". Upper case because cronstrue
  // only knows upper-case names.
  const quartz = ['0', f.minutes, f.hours, f.dayOfMonth, f.month, f.dayOfWeek, f.year].join(' ').toUpperCase();
  try {
    const text = cronToString(quartz, {
      dayOfWeekStartIndexZero: false,
      use24HourTimeFormat: true,
      verbose: true,
      throwExceptionOnParseError: true,
    });
    // cronstrue ends open year steps ("2026/2") at 9999; AWS years stop at 2199.
    return `${text.replace(/ through 9999\b/, ' through 2199')} (${timeZone})`;
  } catch {
    // cronstrue covers AWS syntax; should it ever not, the expression itself is still an honest description.
    return `${parsed.expression} (${timeZone})`;
  }
}
