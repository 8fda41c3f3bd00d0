// The grammar of a single AWS cron field, shared by validation and next-run computation so both read a field the same way.

import type { CronFields, ScheduleProblem } from './schedule-types';
import { awsWeekdayNames } from './weekdays';

/** Name of a cron field as it appears in {@link ScheduleProblem.field}. */
export type CronFieldName = 'minutes' | 'hours' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

/** What one cron field accepts. */
export interface FieldSpec {
  readonly name: CronFieldName;
  readonly key: keyof CronFields;
  readonly min: number;
  readonly max: number;
  /** Three-letter names; `names[i]` stands for `min + i`. */
  readonly names?: readonly string[];
  /** Largest step after `/` (Quartz, whose grammar AWS follows, rejects larger increments). */
  readonly stepMax: number;
  /** How to say what a valid value is, used in fixes. */
  readonly valueHint: string;
}

export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The six AWS cron fields, in order. */
export const FIELD_SPECS: readonly FieldSpec[] = [
  { name: 'minutes', key: 'minutes', min: 0, max: 59, stepMax: 59, valueHint: 'a minute from 0 to 59' },
  { name: 'hours', key: 'hours', min: 0, max: 23, stepMax: 23, valueHint: 'an hour from 0 to 23 (midnight is 0)' },
  {
    name: 'day-of-month',
    key: 'dayOfMonth',
    min: 1,
    max: 31,
    stepMax: 31,
    valueHint: 'a day from 1 to 31, or L for the last day of the month',
  },
  { name: 'month', key: 'month', min: 1, max: 12, names: MONTHS, stepMax: 12, valueHint: '1-12 or JAN-DEC' },
  {
    name: 'day-of-week',
    key: 'dayOfWeek',
    min: 1,
    max: 7,
    names: WEEKDAYS,
    stepMax: 7,
    valueHint: '1-7 or SUN-SAT (1 = SUN, 7 = SAT)',
  },
  { name: 'year', key: 'year', min: 1970, max: 2199, stepMax: 229, valueHint: 'a year from 1970 to 2199' },
];

/** One comma-separated item of a field, with names already turned into numbers. */
export type CronItem =
  /** `?`: no constraint from this field (the other day field decides). */
  | { kind: 'any' }
  /** `*`, `n`, `a-b`, optionally with `/step`; `n/step` runs from n to the field's maximum. */
  | { kind: 'range'; from: number; to: number; step: number }
  /** `L`: last day of the month (day-of-month) or Saturday (day-of-week, Quartz semantics). */
  | { kind: 'last' }
  /** `LW`: last weekday (MON-FRI) of the month. */
  | { kind: 'lastWeekday' }
  /** `nW`: weekday nearest to day n, never leaving the month. */
  | { kind: 'nearestWeekday'; day: number }
  /** `nL` in day-of-week: last such weekday of the month. */
  | { kind: 'lastOfWeekday'; weekday: number }
  /** `d#k`: k-th weekday d of the month. */
  | { kind: 'nth'; weekday: number; nth: number };

/** Result of {@link parseField}: the items, or the problems that stopped them being understood. */
export interface FieldParse {
  items: CronItem[];
  problems: ScheduleProblem[];
}

const WILDCARDS: Record<CronFieldName, string> = {
  'minutes': ', - * /',
  'hours': ', - * /',
  'day-of-month': ', - * ? / L W',
  'month': ', - * /',
  'day-of-week': ', - * ? / L #',
  'year': ', - * /',
};

/** Items that must be the only thing in their field (AWS/Quartz do not combine them with lists). */
const SOLO_KINDS: ReadonlySet<CronItem['kind']> = new Set(['any', 'last', 'lastWeekday', 'nearestWeekday', 'lastOfWeekday', 'nth']);

/**
 * Parses one cron field and reports every problem in it.
 * Cross-field rules (exactly one `?` among the day fields) are the caller's job.
 */
export function parseField(spec: FieldSpec, text: string): FieldParse {
  const problems: ScheduleProblem[] = [];
  const add = (message: string, fix: string) => problems.push({ field: spec.name, message, fix });
  const label = `${spec.name} "${text}"`;

  const bad = /[^0-9A-Za-z,\-*/?#]/.exec(text);
  if (bad) {
    add(
      `${label} contains "${bad[0]}", which AWS cron does not allow`,
      `use ${spec.valueHint}, combined with the wildcards ${WILDCARDS[spec.name]}`,
    );
    return { items: [], problems };
  }

  // Unix crontab numbers Sunday 0; report that once for the whole field rather than per value.
  const ctx: Context = {
    spec,
    add,
    label,
    unixZero: false,
    subject: (part) => (part === text ? label : `${label}: "${part}"`),
  };
  const parts = text.split(',');
  const parsed = parts.map((part) => ({ part, item: parseItem(ctx, part) }));
  const items = parsed.flatMap(({ item }) => (item ? [item] : []));

  if (ctx.unixZero) {
    const converted = text.replace(/(^|[,-])(\d+)/g, (_m, sep: string, n: string) => sep + String((Number(n) % 7) + 1));
    add(
      `${label} uses Unix crontab numbering (0 = Sunday); AWS numbers days 1-7 with 1 = SUN and 7 = SAT`,
      // Names, not the renumbered digits: digits that look like Unix numbering get a warning of their own.
      `write ${awsWeekdayNames(converted)} (AWS numbers: ${converted})`,
    );
  }

  if (parts.length > 1) {
    const hashes = parts.filter((p) => p.includes('#')).length;
    if (hashes > 1) {
      add(
        `${label} has ${hashes} "#" expressions; AWS allows only one per rule`,
        'keep a single n#k (e.g. 3#2 = second Tuesday) and declare another batch for each other occurrence',
      );
    } else if (hashes === 1) {
      add(
        `${label} combines a "#" expression with other values; AWS allows only one n#k and nothing else`,
        'write the n#k alone (e.g. 3#2) and declare another batch for the other days',
      );
    }
    for (const { part, item } of parsed) {
      if (part.includes('#') || !item || !SOLO_KINDS.has(item.kind)) continue;
      add(`${label}: "${part}" must be the only value in the field`, `write ${part} alone and declare another batch for the other days`);
    }
  }

  return { items: problems.length === 0 ? items : [], problems };
}

interface Context {
  readonly spec: FieldSpec;
  readonly add: (message: string, fix: string) => void;
  /** The field and its text, e.g. `minutes "0,,5"`. */
  readonly label: string;
  /** How to name a part of the field in a message: the field alone when the part is all of it. */
  readonly subject: (part: string) => string;
  /** Set when a day-of-week value is 0, i.e. the field was written with Unix numbering. */
  unixZero: boolean;
}

function parseItem(ctx: Context, item: string): CronItem | undefined {
  const { spec, add, subject } = ctx;
  const up = item.toUpperCase();
  const isDom = spec.name === 'day-of-month';
  const isDow = spec.name === 'day-of-week';

  if (item === '') {
    add(`${ctx.label} has an empty value between commas`, 'separate values with single commas, e.g. 1,15');
    return undefined;
  }

  if (item === '?') {
    if (!isDom && !isDow) {
      add(`${subject(item)} is not allowed: ? is only for day-of-month and day-of-week`, 'use * for every value');
      return undefined;
    }
    return { kind: 'any' };
  }

  if (item.includes('#')) {
    if (!isDow) {
      add(
        `${subject(item)} uses "#", which is only allowed in day-of-week`,
        'put n#k in day-of-week and ? in day-of-month, e.g. cron(0 12 ? * 3#2 *) for the second Tuesday',
      );
      return undefined;
    }
    const m = /^([^#]+)#([^#]*)$/.exec(item);
    if (!m) {
      add(`${subject(item)} is not of the form weekday#occurrence`, 'write e.g. 3#2 (second Tuesday)');
      return undefined;
    }
    const weekday = parseValue(ctx, m[1], item);
    const nth = /^\d+$/.test(m[2]) ? Number(m[2]) : NaN;
    if (!(nth >= 1 && nth <= 5)) {
      add(
        `${subject(item)}: occurrence "${m[2]}" must be 1-5 (a month has at most five of any weekday)`,
        `write ${m[1]}#1 to ${m[1]}#5, or ${m[1]}L for the last one in the month`,
      );
      return undefined;
    }
    return weekday === undefined ? undefined : { kind: 'nth', weekday, nth };
  }

  if (isDom) {
    if (up === 'L') return { kind: 'last' };
    if (up === 'LW') return { kind: 'lastWeekday' };
    if (/^L-\d+$/.test(up)) {
      add(`${subject(item)}: the offset form L-n is not documented for AWS cron`, 'use L for the last day of the month, or a fixed day number');
      return undefined;
    }
    const w = /^(\d+)W$/i.exec(item);
    if (w) {
      const day = parseValue(ctx, w[1], item);
      return day === undefined ? undefined : { kind: 'nearestWeekday', day };
    }
    if (up.includes('W')) {
      add(`${subject(item)}: W must follow a single day, as in 15W (or LW)`, 'write e.g. 15W for the weekday nearest the 15th');
      return undefined;
    }
    if (/^\d+L$/.test(up)) {
      add(
        `${subject(item)} is not valid in day-of-month, where L stands alone for the last day`,
        'write L for the last day of the month; nL (e.g. 6L = last Friday) belongs in day-of-week with ? in day-of-month',
      );
      return undefined;
    }
  } else if (isDow) {
    if (up === 'L') return { kind: 'last' };
    if (/W$/.test(up) && !(spec.names ?? []).includes(up)) {
      add(
        `${subject(item)} uses "W", which is only allowed in day-of-month`,
        'for the weekday nearest a date write nW in day-of-month (e.g. 15W); for working days write MON-FRI here',
      );
      return undefined;
    }
    const l = /^(.+)L$/i.exec(item);
    if (l) {
      const weekday = parseValue(ctx, l[1], item);
      return weekday === undefined ? undefined : { kind: 'lastOfWeekday', weekday };
    }
  } else if (/^(\d*L|L|LW|\d*W|L-\d+)$/.test(up)) {
    add(`${subject(item)} uses L or W, which are only allowed in the day fields`, `use ${spec.valueHint}`);
    return undefined;
  }

  const slash = item.split('/');
  if (slash.length > 2) {
    add(`${subject(item)} has more than one "/"`, 'write start/step, e.g. 0/15, or */15');
    return undefined;
  }
  let step = 1;
  if (slash.length === 2) {
    const s = slash[1];
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= 1 && n <= spec.stepMax)) {
      const what = Number.isNaN(n) ? 'is not a whole number' : n < 1 ? 'must be at least 1' : `is larger than ${spec.stepMax}`;
      add(`${subject(item)}: step "${s}" ${what}`, `use a step from 1 to ${spec.stepMax}, e.g. */5`);
      return undefined;
    }
    step = n;
  }

  const base = slash[0];
  if (base === '*') return { kind: 'range', from: spec.min, to: spec.max, step };
  if (base === '') {
    add(`${subject(item)} has no start before "/"`, `write */${slash[1]} or ${spec.min}/${slash[1]}`);
    return undefined;
  }
  const dash = base.split('-');
  if (dash.length > 2 || dash.some((d) => d === '')) {
    add(`${subject(item)} is not a value or a range`, `write a single value or a range like ${rangeExample(spec)}`);
    return undefined;
  }
  const from = parseValue(ctx, dash[0], item);
  const to = dash.length === 2 ? parseValue(ctx, dash[1], item) : slash.length === 2 ? spec.max : from;
  if (from === undefined || to === undefined) return undefined;
  if (from > to) {
    const [a, b] = [dash[0], dash[1]];
    const named = spec.names !== undefined && /^[A-Z]/i.test(a);
    const top = named && spec.names ? spec.names[spec.names.length - 1] : String(spec.max);
    const bottom = named && spec.names ? spec.names[0] : String(spec.min);
    add(
      `${subject(item)}: range "${base}" runs backwards (${a} comes after ${b}); AWS does not wrap ranges around`,
      `write ${b}-${a}, or ${a}-${top},${bottom}-${b} to wrap around`,
    );
    return undefined;
  }
  return { kind: 'range', from, to, step };
}

/** Reads one number or name; `item` is the comma-separated item it came from, for messages. */
function parseValue(ctx: Context, token: string, item: string): number | undefined {
  const { spec, add, subject } = ctx;
  const what = token === item ? subject(item) : `${subject(item)}: "${token}"`;
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (spec.name === 'day-of-week' && n === 0) {
      ctx.unixZero = true;
      return undefined;
    }
    if (n < spec.min || n > spec.max) {
      add(`${what} is out of range (${spec.min}-${spec.max})`, `use ${spec.valueHint}`);
      return undefined;
    }
    return n;
  }
  const up = token.toUpperCase();
  if (spec.names && /^[A-Z]+$/.test(up)) {
    const idx = spec.names.indexOf(up);
    if (idx >= 0) return spec.min + idx;
    const kind = spec.name === 'month' ? 'month' : 'day';
    const short = spec.names.find((n) => up.length > 3 && up.startsWith(n));
    add(
      `${what} is not a ${kind} name`,
      short ? `use the three-letter name ${short}` : `use ${spec.names.join(', ')} or ${spec.min}-${spec.max}`,
    );
    return undefined;
  }
  add(`${what} is not a number`, `use ${spec.valueHint}`);
  return undefined;
}

function rangeExample(spec: FieldSpec): string {
  return spec.names ? `${spec.names[1]}-${spec.names[4]}` : `${spec.min}-${spec.min + 5}`;
}
