// Computes when a schedule will next fire, in UTC or in a batch's zone as EventBridge Scheduler does,
// following AWS (Quartz) semantics for L, W and #.
//
// aws-cron-parser was evaluated for this and is not used: version 1.1.12 returns dates that do not
// match (cron(0 0 30 * ? *) "runs" on 2 March, cron(0 0 29 2 ? *) on 1 March in non-leap years),
// throws on LW and on L alone in day-of-week, reads weekdays in the process's local time zone
// (1L skips a month whose last Sunday is a DST change), and cannot parse repeated spaces. The
// search below is small, matches the fields against a UTC (or zone's wall) clock, and reuses the validator's field grammar.

import { CronItem, FIELD_SPECS, FieldSpec, parseField } from './cron-fields';
import { CronFields, LocalDateTime, ParsedSchedule, parseSchedule, RateUnit } from './expression';
import { utcOffsetMinutes, wallClock } from './timezone';

const MINUTE_MS = 60_000;

/** Length of one rate unit in milliseconds. */
const UNIT_MS: Record<RateUnit, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };

/** Where and between which dates a schedule runs. */
export interface RunOptions {
  /**
   * IANA zone the expression is written in and runs in (EventBridge Scheduler). `UTC` is the
   * EventBridge rule's behaviour.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /** No run before this instant (Scheduler `StartDate`); a rate's first run is at it. */
  readonly startDate?: Date;
  /** No run at or after this instant (Scheduler `EndDate`). */
  readonly endDate?: Date;
}

/**
 * One entry of a schedule's future: a run, or a run the Scheduler skips because its local time
 * does not exist (clocks spring forward over it).
 */
export type RunEvent =
  | {
    readonly kind: 'run';
    /** The instant the run fires (UTC). */
    readonly at: Date;
    /** True when the run's local time happens twice (clocks fall back): the Scheduler runs it once, at the first. */
    readonly repeatedLocalTime: boolean;
  }
  | {
    readonly kind: 'skipped';
    /** The local time that does not exist in the zone. */
    readonly local: LocalDateTime;
  };

/**
 * Next `count` run times strictly after `after` (UTC Date objects).
 *
 * - cron: exact, at second 0 of each matching minute of the zone's wall clock (UTC by default).
 *   As EventBridge Scheduler documents it, a local time that does not exist (spring forward) is
 *   skipped and a local time that happens twice (fall back) runs once, at its first occurrence.
 *   Fewer than `count` dates are returned when the schedule ends (a bounded year field, AWS stops
 *   at 2199, or `endDate`).
 * - rate: fixed intervals of elapsed time, unaffected by daylight saving. From `startDate` when
 *   given (the Scheduler's first run); otherwise AWS starts the clock when the rule or schedule is
 *   created, so this returns `after + k * interval` for k = 1..count.
 * - at(): the one local date and time in the zone, if it is still ahead.
 *
 * @param schedule a parsed schedule or an expression string (parsed with {@link parseSchedule}, so
 *   an invalid string throws a `ScheduleError`).
 * @param count how many runs to return; a non-negative integer.
 * @param after exclusive lower bound; defaults to now.
 * @example
 * nextRuns('cron(0 3 * * ? *)', 2, new Date('2026-11-26T12:00:00Z'))
 * // [2026-11-27T03:00:00.000Z, 2026-11-28T03:00:00.000Z]
 * nextRuns('cron(10 0 * * ? *)', 1, new Date('2026-11-26T12:00:00Z'), { timeZone: 'Asia/Seoul' })
 * // [2026-11-26T15:10:00.000Z]
 */
export function nextRuns(schedule: ParsedSchedule | string, count: number, after: Date = new Date(), options: RunOptions = {}): Date[] {
  return runEvents(schedule, count, after, options).flatMap((e) => (e.kind === 'run' ? [e.at] : []));
}

/**
 * Like {@link nextRuns}, with the runs the Scheduler skips on a spring-forward day listed where
 * they would have been, and fall-back runs flagged: what a view shows around a DST change.
 * `count` counts runs only.
 */
export function runEvents(schedule: ParsedSchedule | string, count: number, after: Date = new Date(), options: RunOptions = {}): RunEvent[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!(after instanceof Date) || Number.isNaN(after.getTime())) throw new RangeError('after must be a valid Date');
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  const zone = options.timeZone ?? 'UTC';
  const start = options.startDate?.getTime() ?? -Infinity;
  const end = options.endDate?.getTime() ?? Infinity;
  const run = (at: number, repeatedLocalTime = false): RunEvent => ({ kind: 'run', at: new Date(at), repeatedLocalTime });
  if (count === 0) return [];

  if (parsed.kind === 'rate') {
    const interval = parsed.value * UNIT_MS[parsed.unit];
    // With a start date the runs have a fixed phase: start, start + interval, ...
    const first = options.startDate
      ? start + Math.max(0, Math.floor((after.getTime() - start) / interval) + 1) * interval
      : after.getTime() + interval;
    const out: RunEvent[] = [];
    for (let t = first; out.length < count && t < end; t += interval) out.push(run(t));
    return out;
  }
  if (parsed.kind === 'at') {
    const instants = localToInstants(parsed.local, zone);
    if (instants.length === 0) return after.getTime() < localAsUtc(parsed.local) ? [{ kind: 'skipped', local: parsed.local }] : [];
    const t = instants[0];
    return t > after.getTime() && t >= start && t < end ? [run(t, instants.length > 1)] : [];
  }
  const lower = Math.max(after.getTime(), start - 1);
  if (zone === 'UTC') {
    return cronRuns(parsed.fields, count, new Date(lower)).filter((d) => d.getTime() < end).map((d) => run(d.getTime()));
  }
  return zonedCronRuns(parsed.fields, count, lower, zone, end);
}

/**
 * Cron runs in a zone: the expression matched against the zone's wall clock (computed as if it
 * were UTC), each local time mapped to its instant; nonexistent local times become skipped entries.
 */
function zonedCronRuns(fields: CronFields, count: number, after: number, zone: string, end: number): RunEvent[] {
  const out: RunEvent[] = [];
  let runs = 0;
  const afterLocal = localAsUtc(wallClock(new Date(after), zone));
  // Start a few hours back on the local clock: around a fall-back the wall clock repeats an hour,
  // and a local time already passed on the first occurrence must not run again.
  let cursor = afterLocal - 3 * 3600_000;
  const CHUNK = 64;
  for (;;) {
    const locals = cronRuns(fields, CHUNK, new Date(cursor));
    for (const l of locals) {
      const local = toLocal(l);
      const instants = localToInstants(local, zone);
      if (instants.length === 0) {
        if (l.getTime() > afterLocal) out.push({ kind: 'skipped', local });
        continue;
      }
      const t = instants[0];
      if (t >= end) return out;
      if (t <= after) continue;
      out.push({ kind: 'run', at: new Date(t), repeatedLocalTime: instants.length > 1 });
      if (++runs === count) return out;
    }
    if (locals.length < CHUNK) return out;
    cursor = locals[locals.length - 1].getTime();
  }
}

function toLocal(d: Date): LocalDateTime {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** A wall-clock reading as if it were UTC, in milliseconds. */
function localAsUtc(w: LocalDateTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/**
 * The instants at which a clock in `zone` shows `local`: none (skipped by a spring-forward), one,
 * or two (a fall-back repeats it), ascending.
 */
export function localToInstants(local: LocalDateTime, zone: string): number[] {
  const asUtc = localAsUtc(local);
  if (zone === 'UTC') return [asUtc];
  // Offsets in force a day either side cover any single transition near the local time.
  const offsets = new Set([-86400_000, 0, 86400_000].map((d) => utcOffsetMinutes(new Date(asUtc + d), zone)));
  const found = new Set<number>();
  for (const offset of offsets) {
    const t = asUtc - offset * 60_000;
    if (localAsUtc(wallClock(new Date(t), zone)) === asUtc) found.add(t);
  }
  return [...found].sort((a, b) => a - b);
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
