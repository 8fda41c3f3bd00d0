// Converts one Unix crontab schedule (five fields or an @macro, as cron(5) of Vixie cron and cronie reads it)
// into AWS cron expressions that fire at the same minutes, or says why no AWS expression can.

import type { CronOptions } from './builder';
import { MONTHS, WEEKDAYS } from './cron-fields';
import { offsetChanges } from './gaps';
import { nextRuns } from './next-runs';
import { utcOffsetMinutes } from './timezone';

/** One AWS schedule a Unix schedule becomes; two when cron's "either day" rule is split. */
export interface ConvertedSchedule {
  /**
   * `whole`: the Unix line as one schedule. `days-of-month` / `days-of-week`: one half of a line
   * whose day-of-month and day-of-week are both restricted, which cron(5) runs when EITHER matches.
   */
  readonly part: 'whole' | 'days-of-month' | 'days-of-week';
  /** The fields for `Schedule.cron(...)`: only those that are not the default. */
  readonly options: CronOptions;
  /** The same as an AWS expression, `cron(0 3 ? * MON-FRI *)`. */
  readonly expression: string;
  /**
   * For the `days-of-week` half: the days of the month (1-31) the `days-of-month` half already
   * runs on. cron runs a day matching both fields once, so this half must stand down on them.
   */
  readonly skipDaysOfMonth?: readonly number[];
  /** The hours (0-23) it runs in, for the daylight-saving check ({@link daylightSavingHours}). */
  readonly hours: readonly number[];
}

/** The outcome of {@link convertUnixCron}. */
export type UnixCronConversion =
  | { readonly ok: true; readonly unix: string; readonly schedules: readonly ConvertedSchedule[] }
  | { readonly ok: false; readonly reason: string };

/** cron(5)'s shorthands and the five fields each stands for. */
export const UNIX_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAYS = WEEKDAYS;

interface UnixField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for min, min + 1, ... */
  readonly names?: readonly string[];
}

/** The five Unix fields (cron(5)): day-of-week 0-7, with 0 and 7 both Sunday. */
const FIELDS: readonly UnixField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

/** One field read: the values it matches, or why it cannot be read. */
type FieldRead = { readonly values: ReadonlySet<number> } | { readonly error: string };

/**
 * Reads one Unix field: comma-separated items, each `*`, a value, or a range `a-b`, either of the
 * last two with an optional `/step` ("Step values can be used in conjunction with ranges",
 * cron(5)); names (three letters, any case) in month and day-of-week.
 */
function readField(field: UnixField, text: string): FieldRead {
  const values = new Set<number>();
  const value = (token: string): number | string => {
    if (/^\d+$/.test(token)) {
      const n = Number(token);
      return n < field.min || n > field.max ? `${field.name} "${token}" is out of range (${field.min}-${field.max})` : n;
    }
    const idx = field.names?.indexOf(token.toUpperCase()) ?? -1;
    if (idx >= 0) return field.min + idx;
    if (/^(\d*L|LW|\d+W)$/i.test(token)) return `${field.name} "${token}": L and W are Quartz/AWS syntax, not crontab's (cron(5) has no last-day or nearest-weekday)`;
    return field.names
      ? `${field.name} "${token}" is neither a number (${field.min}-${field.max}) nor a three-letter name (${field.names[0]}, ${field.names[1]}, ...)`
      : `${field.name} "${token}" is not a number (${field.min}-${field.max})`;
  };
  for (const item of text.split(',')) {
    if (item === '') return { error: `${field.name} "${text}" has an empty value between commas` };
    const m = /^([^/]*)(?:\/(.*))?$/.exec(item)!;
    const [, base, stepText] = m;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return { error: `${field.name} "${item}": the step "${stepText}" is not a whole number of at least 1` };
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      [from, to] = [field.min, field.max];
    } else {
      const ends = base.split('-');
      if (ends.length > 2 || ends.some((e) => e === '')) return { error: `${field.name} "${item}" is not *, a value or a range a-b` };
      const a = value(ends[0]);
      if (typeof a === 'string') return { error: a };
      if (ends.length === 1) {
        if (stepText !== undefined) {
          return { error: `${field.name} "${item}": cron(5) allows a step only after a range or *; write ${ends[0]}-${field.max}/${stepText} for "from ${ends[0]} on"` };
        }
        [from, to] = [a, a];
      } else {
        const b = value(ends[1]);
        if (typeof b === 'string') return { error: b };
        if (b < a) return { error: `${field.name} "${item}": the range runs backwards; cron does not wrap around, write ${ends[0]}-${field.max},${field.min}-${ends[1]}` };
        [from, to] = [a, b];
      }
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values };
}

/** Whether every value of the field's range is in `values` (day-of-week: Sunday to Saturday). */
function coversAll(field: UnixField, values: ReadonlySet<number>, max = field.max): boolean {
  for (let v = field.min; v <= max; v++) if (!values.has(v)) return false;
  return true;
}

/** The days (0 = SUN ... 6 = SAT) written as AWS names, consecutive days as ranges: `MON-FRI`, `SUN,SAT`. */
function dayNames(days: ReadonlySet<number>): string {
  const sorted = [...days].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${DAYS[sorted[i]]}-${DAYS[sorted[j]]}` : sorted.slice(i, j + 1).map((d) => DAYS[d]).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** A Unix field's text as AWS writes it: the same grammar, month and day names upper-cased. */
const awsText = (text: string) => text.toUpperCase();

/**
 * Converts a Unix crontab schedule to AWS cron.
 *
 * - Fields: minute, hour, day-of-month and month read the same in both; day-of-week is renumbered
 *   (Unix 0 or 7 = Sunday, AWS 1 = SUN) and written as names (`MON-FRI`), which mean the same in both.
 * - Days: cron(5) runs a line whose day-of-month and day-of-week are both restricted when EITHER
 *   matches. Vixie cron and cronie decide "restricted" by the field's first character: a field
 *   starting with `*` (including `*\/2`) is unrestricted, and then both fields must match. AWS has
 *   one day field per rule (the other is `?`): an "either" line becomes two schedules (see
 *   {@link ConvertedSchedule.skipDaysOfMonth}); a line that needs both fields to match when each
 *   leaves out some days is refused.
 * - `@reboot`, unknown macros, malformed fields and schedules that never fire are refused, with the reason.
 *
 * @param schedule the five fields, space-separated, or a macro such as `@daily`.
 * @example
 * convertUnixCron('30 2 * * 1-5') // ok, one schedule: cron(30 2 ? * MON-FRI *)
 * convertUnixCron('0 9 1 * 1')    // ok, two: cron(0 9 1 * ? *) and cron(0 9 ? * MON *), skipping day 1
 */
export function convertUnixCron(schedule: string): UnixCronConversion {
  const text = schedule.trim();
  let unix = text;
  if (text.startsWith('@')) {
    const macro = text.toLowerCase();
    if (macro === '@reboot') {
      return {
        ok: false,
        reason: '@reboot runs the command once when the cron daemon starts (cron(5)); a batch runs on a schedule and there is no machine that boots: '
          + 'run the command from whatever starts the service now (a container entrypoint, a deploy step), or invoke the batch by hand once with npx projen run',
      };
    }
    const fields = UNIX_MACROS[macro];
    if (!fields) return { ok: false, reason: `"${text}" is not one of cron(5)'s shorthands (${[...Object.keys(UNIX_MACROS), '@reboot'].join(', ')})` };
    unix = fields;
  }
  const tokens = unix.split(/\s+/);
  if (tokens.length !== 5) return { ok: false, reason: `"${text}" has ${tokens.length} field${tokens.length === 1 ? '' : 's'}; a crontab schedule has five (minute hour day-of-month month day-of-week)` };
  const reads = FIELDS.map((f, i) => readField(f, tokens[i]));
  const errors = reads.flatMap((r) => ('error' in r ? [r.error] : []));
  if (errors.length > 0) return { ok: false, reason: errors.join('; ') };
  const sets = reads.map((r) => (r as { values: ReadonlySet<number> }).values);
  const [minute, hour, dom, month] = tokens.map(awsText);
  const days = new Set([...sets[4]].map((d) => d % 7));

  const domAll = coversAll(FIELDS[2], sets[2]);
  const dowAll = coversAll(FIELDS[4], days, 6);
  const domStar = tokens[2].startsWith('*');
  const dowStar = tokens[4].startsWith('*');
  const base: CronOptions = { minute, ...(hour === '*' ? {} : { hour }), ...(month === '*' ? {} : { month }) };
  const one = (part: ConvertedSchedule['part'], options: CronOptions, skipDaysOfMonth?: readonly number[]): ConvertedSchedule => {
    const [d, w] = [options.day ?? (options.weekDay ? '?' : '*'), options.weekDay ?? '?'];
    const hours = [...sets[1]].sort((a, b) => a - b);
    return { part, options, expression: `cron(${minute} ${hour} ${d} ${month} ${w} *)`, ...(skipDaysOfMonth ? { skipDaysOfMonth } : {}), hours };
  };

  let schedules: ConvertedSchedule[];
  if (domStar || dowStar) {
    // cron(5) as Vixie cron and cronie implement it: a day field starting with * makes both fields required.
    if (domAll && dowAll) {schedules = [one('whole', base)];} else if (dowAll) {schedules = [one('whole', { ...base, day: dom })];} else if (domAll) {schedules = [one('whole', { ...base, weekDay: dayNames(days) })];} else {
      return {
        ok: false,
        reason: `day-of-month "${tokens[2]}" and day-of-week "${tokens[4]}" must BOTH match (cron(5) reads a day field starting with * as unrestricted, `
          + 'and then runs only on days matching both), and an AWS cron rule restricts only one of the two: write the day-of-month as a list or range '
          + '(then cron runs on either day) and import again, or keep one field and check the other in the handler',
      };
    }
  } else if (domAll || dowAll) {
    // Either field matching every day makes "either" every day.
    schedules = [one('whole', base)];
  } else {
    schedules = [
      one('days-of-month', { ...base, day: dom }),
      one('days-of-week', { ...base, weekDay: dayNames(days) }, [...sets[2]].sort((a, b) => a - b)),
    ];
  }

  // Valid AWS by construction (nextRuns parses it and would throw otherwise). A half that never fires
  // (day 30 in February only) is dropped; a line that never fires at all is refused, as AWS would refuse it.
  const fires = (s: ConvertedSchedule) =>
    nextRuns(s.expression, 1, new Date(Date.UTC(2000, 0, 1)), { endDate: new Date(Date.UTC(2004, 0, 1)) }).length > 0;
  schedules = schedules.filter(fires);
  if (schedules.length === 0) {
    return { ok: false, reason: `"${text}" never runs: no month it names has day ${tokens[2]} (cron accepts it and never runs it)` };
  }
  if (schedules.length === 1 && schedules[0].part !== 'whole') schedules = [one('whole', schedules[0].options)];
  return { ok: true, unix, schedules };
}

/** The local hours a zone's clocks skip (spring forward) and repeat (fall back), as found in one year. */
export interface DaylightSavingHours {
  readonly skipped: readonly number[];
  readonly repeated: readonly number[];
}

const dstCache = new Map<string, DaylightSavingHours>();

/**
 * The local hours in which `zone` changes its clocks in 2027 (the rules
 * of a zone rarely change; an empty result means no daylight saving). Vixie cron runs a job whose
 * time is skipped right after the change and a fixed-time job once in a repeated hour (an hourly
 * one in both passes); EventBridge Scheduler skips the first and runs the second once.
 */
export function daylightSavingHours(zone: string): DaylightSavingHours {
  let found = dstCache.get(zone);
  if (found) return found;
  const skipped = new Set<number>();
  const repeated = new Set<number>();
  // Each change of 2027, to the minute; then the local times it skips or repeats.
  for (const change of offsetChanges(zone, Date.UTC(2027, 0, 1), Date.UTC(2028, 0, 1))) {
    const before = utcOffsetMinutes(new Date(change - 60_000), zone);
    const after = utcOffsetMinutes(new Date(change), zone);
    const localBefore = change + before * 60_000; // the local time the clocks leave
    const shift = Math.abs(after - before) * 60_000;
    // Forward: the local times from the change on are skipped; back: those just before it come again.
    const [from, to] = after > before ? [localBefore, localBefore + shift] : [localBefore - shift, localBefore];
    for (let m = from; m < to; m += 60_000) (after > before ? skipped : repeated).add(new Date(m).getUTCHours());
  }
  found = { skipped: [...skipped].sort((a, b) => a - b), repeated: [...repeated].sort((a, b) => a - b) };
  dstCache.set(zone, found);
  return found;
}
