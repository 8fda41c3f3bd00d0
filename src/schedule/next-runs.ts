// Computes when a schedule will next fire, in UTC, following AWS (Quartz) semantics for L, W and #.
//
// aws-cron-parser was evaluated for this and is not used: version 1.1.12 returns dates that do not
// match (cron(0 0 30 * ? *) "runs" on 2 March, cron(0 0 29 2 ? *) on 1 March in non-leap years),
// throws on LW and on L alone in day-of-week, reads weekdays in the process's local time zone
// (1L skips a month whose last Sunday is a DST change), and cannot parse repeated spaces. The
// search below is small, works in UTC only, and reuses the validator's field grammar.

import { CronItem, FIELD_SPECS, FieldSpec, parseField } from './cron-fields';
import { CronFields, ParsedSchedule, parseSchedule, RateUnit } from './expression';

const MINUTE_MS = 60_000;

/** Length of one rate unit in milliseconds. */
const UNIT_MS: Record<RateUnit, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };

/**
 * Next `count` run times strictly after `after` (UTC Date objects).
 *
 * - cron: exact, at second 0 of each matching minute, in UTC. Fewer than `count` dates are returned
 *   when the schedule ends (a bounded year field; AWS stops at 2199).
 * - rate: approximate. AWS starts a rate rule's clock when the rule is created, so runs have no fixed
 *   phase; this returns `after + k * interval` for k = 1..count.
 *
 * @param schedule a parsed schedule or an expression string (parsed with {@link parseSchedule}, so
 *   an invalid string throws a `ScheduleError`).
 * @param count how many runs to return; a non-negative integer.
 * @param after exclusive lower bound; defaults to now.
 * @example
 * nextRuns('cron(0 3 * * ? *)', 2, new Date('2026-11-26T12:00:00Z'))
 * // [2026-11-27T03:00:00.000Z, 2026-11-28T03:00:00.000Z]
 */
export function nextRuns(schedule: ParsedSchedule | string, count: number, after: Date = new Date()): Date[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!(after instanceof Date) || Number.isNaN(after.getTime())) throw new RangeError('after must be a valid Date');
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  if (parsed.kind === 'rate') {
    const interval = parsed.value * UNIT_MS[parsed.unit];
    return Array.from({ length: count }, (_v, k) => new Date(after.getTime() + (k + 1) * interval));
  }
  return cronRuns(parsed.fields, count, after);
}

interface Expanded {
  minutes: number[];
  hours: number[];
  months: number[];
  years: number[];
  dayOfMonth: CronItem[];
  dayOfWeek: CronItem[];
}

function expand(fields: CronFields): Expanded {
  const items = (spec: FieldSpec): CronItem[] => {
    const { items: parsedItems, problems } = parseField(spec, fields[spec.key]);
    // A ParsedSchedule built by hand could skip validation; fail loudly rather than compute garbage.
    if (problems.length > 0) throw new Error(`${problems[0].message}. Fix: ${problems[0].fix}`);
    return parsedItems;
  };
  const values = (spec: FieldSpec): number[] => {
    const set = new Set<number>();
    for (const item of items(spec)) {
      if (item.kind !== 'range') continue;
      for (let v = item.from; v <= item.to; v += item.step) set.add(v);
    }
    return [...set].sort((a, b) => a - b);
  };
  const [minutes, hours, dom, month, dow, year] = FIELD_SPECS;
  return {
    minutes: values(minutes),
    hours: values(hours),
    months: values(month),
    years: values(year),
    dayOfMonth: items(dom),
    dayOfWeek: items(dow),
  };
}

function cronRuns(fields: CronFields, count: number, after: Date): Date[] {
  const e = expand(fields);
  const runs: Date[] = [];
  if (count === 0) return runs;

  // First candidate: the minute after `after` (runs fire at second 0, and "after" is exclusive).
  const first = new Date((Math.floor(after.getTime() / MINUTE_MS) + 1) * MINUTE_MS);
  const [fy, fm, fd, fh, fmin] = [
    first.getUTCFullYear(),
    first.getUTCMonth() + 1,
    first.getUTCDate(),
    first.getUTCHours(),
    first.getUTCMinutes(),
  ];

  for (const year of e.years) {
    if (year < fy) continue;
    for (const month of e.months) {
      const sameMonth = year === fy && month === fm;
      if (year === fy && month < fm) continue;
      for (const day of matchingDays(e, year, month)) {
        if (sameMonth && day < fd) continue;
        const sameDay = sameMonth && day === fd;
        for (const hour of e.hours) {
          if (sameDay && hour < fh) continue;
          for (const minute of e.minutes) {
            if (sameDay && hour === fh && minute < fmin) continue;
            runs.push(new Date(Date.UTC(year, month - 1, day, hour, minute)));
            if (runs.length === count) return runs;
          }
        }
      }
    }
  }
  return runs;
}

/** Days of `month` (1-12) on which the schedule fires, ascending. */
function matchingDays(e: Expanded, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const days = new Set<number>();
  // Validation guarantees exactly one day field is "?", so the other one alone decides.
  const byMonthDay = !(e.dayOfMonth.length === 1 && e.dayOfMonth[0].kind === 'any');
  const weekday = (d: number) => new Date(Date.UTC(year, month - 1, d)).getUTCDay() + 1; // 1 = SUN

  if (byMonthDay) {
    for (const item of e.dayOfMonth) {
      switch (item.kind) {
        case 'range':
          for (let d = item.from; d <= Math.min(item.to, last); d += item.step) days.add(d);
          break;
        case 'last':
          days.add(last);
          break;
        case 'lastWeekday': {
          const wd = weekday(last);
          days.add(wd === 1 ? last - 2 : wd === 7 ? last - 1 : last);
          break;
        }
        case 'nearestWeekday':
          // Quartz: Saturday moves to Friday and Sunday to Monday, except that the move never
          // leaves the month (1st on a Saturday -> Monday 3rd; last day on a Sunday -> Friday).
          // A day the month does not have (31W in April) matches nothing, like a plain 31.
          if (item.day <= last) days.add(nearestWeekday(item.day, last, weekday(item.day)));
          break;
        default:
          break;
      }
    }
  } else {
    for (const item of e.dayOfWeek) {
      switch (item.kind) {
        case 'range': {
          const wanted = new Set<number>();
          for (let w = item.from; w <= item.to; w += item.step) wanted.add(w);
          for (let d = 1; d <= last; d++) if (wanted.has(weekday(d))) days.add(d);
          break;
        }
        case 'last':
          // L alone in day-of-week is the last day of the week: every Saturday.
          for (let d = 1; d <= last; d++) if (weekday(d) === 7) days.add(d);
          break;
        case 'lastOfWeekday':
          days.add(last - ((weekday(last) - item.weekday + 7) % 7));
          break;
        case 'nth': {
          const firstMatch = 1 + ((item.weekday - weekday(1) + 7) % 7);
          const d = firstMatch + 7 * (item.nth - 1);
          if (d <= last) days.add(d);
          break;
        }
        default:
          break;
      }
    }
  }
  return [...days].sort((a, b) => a - b);
}

function nearestWeekday(day: number, last: number, wd: number): number {
  if (wd === 7) return day === 1 ? 3 : day - 1;
  if (wd === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
