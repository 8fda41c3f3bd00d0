// Checks AWS EventBridge schedule expressions (cron(...) / rate(...)) and explains every problem AWS would reject them for.

import { FIELD_SPECS, parseField } from './cron-fields';
import { checkRate } from './rate-expression';
import type { ParsedSchedule, ScheduleCheck, ScheduleProblem } from './schedule-types';
import { awsWeekdayNames, numericWeekdays, sameDays, unixWeekdayNames } from './weekdays';
import { BatchformError } from '../errors/batchform-error';

export { RATE_UNIT_NAMES } from './rate-expression';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit, ScheduleCheck, ScheduleProblem } from './schedule-types';

/** Thrown by {@link parseSchedule}; carries every problem so callers can re-word or re-attribute them. */
export class ScheduleError extends BatchformError {
  /** The expression as given. */
  readonly expression: string;
  /** Every problem found, in field order. */
  readonly problems: ScheduleProblem[];

  constructor(expression: string, problems: ScheduleProblem[]) {
    super(
      'bad-input',
      `Invalid schedule "${expression}":\n` +
        problems.map((p) => `  - ${p.field}: ${p.message}. Fix: ${p.fix}`).join('\n'),
    );
    this.name = 'ScheduleError';
    this.expression = expression;
    this.problems = problems;
  }
}

/** CloudFormation's limit on `AWS::Events::Rule.ScheduleExpression`. */
const MAX_LENGTH = 256;

const SHAPE_FIX =
  'write cron(minutes hours day-of-month month day-of-week year) or rate(value unit), e.g. cron(0 3 * * ? *) or rate(5 minutes)';
const SIX_FIELDS = 'AWS cron has six fields (minutes hours day-of-month month day-of-week year)';

/** Unix/Vixie cron shorthands and their AWS equivalents. */
const MACROS: Record<string, string> = {
  '@yearly': 'cron(0 0 1 1 ? *)',
  '@annually': 'cron(0 0 1 1 ? *)',
  '@monthly': 'cron(0 0 1 * ? *)',
  '@weekly': 'cron(0 0 ? * SUN *)',
  '@daily': 'cron(0 0 * * ? *)',
  '@midnight': 'cron(0 0 * * ? *)',
  '@hourly': 'cron(0 * * * ? *)',
};

/**
 * Checks an EventBridge schedule expression against the rules AWS enforces for scheduled rules
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html)
 * and reports every problem at once. Never throws.
 *
 * @param expression `cron(...)` or `rate(...)`; surrounding whitespace is ignored.
 * @returns the parsed schedule when valid, otherwise every problem found.
 * @example
 * checkSchedule('cron(0 3 * * *)').problems[0].fix
 * // "AWS cron has six fields (...); Unix crontab has five. Add a year field and use ? for one day field: cron(0 3 * * ? *)"
 */
export function checkSchedule(expression: string): ScheduleCheck {
  const problems: ScheduleProblem[] = [];
  const schedule = check(expression, problems);
  return problems.length === 0 && schedule ? { schedule, problems } : { problems };
}

/**
 * Parses an EventBridge schedule expression.
 *
 * @throws {ScheduleError} listing every problem when AWS would reject the expression.
 * @example
 * parseSchedule('rate(5 minutes)') // { kind: 'rate', expression: 'rate(5 minutes)', value: 5, unit: 'minute' }
 */
export function parseSchedule(expression: string): ParsedSchedule {
  const result = checkSchedule(expression);
  if (!result.schedule) throw new ScheduleError(String(expression), result.problems);
  return result.schedule;
}

function check(expression: unknown, problems: ScheduleProblem[]): ParsedSchedule | undefined {
  const shape = (message: string, fix: string = SHAPE_FIX) => problems.push({ field: 'expression', message, fix });

  if (typeof expression !== 'string') {
    shape(`the schedule must be a string, not ${expression === null ? 'null' : typeof expression}`);
    return undefined;
  }
  const text = expression.trim();
  if (text === '') {
    shape('the schedule is empty ("")');
    return undefined;
  }
  if (text.length > MAX_LENGTH) {
    shape(`the schedule is ${text.length} characters long; AWS allows at most ${MAX_LENGTH}`, 'shorten it, e.g. with ranges (1-5) or steps (*/5) instead of long lists');
    return undefined;
  }

  const call = /^([A-Za-z]+)(\s*)\(([\s\S]*)$/.exec(text);
  if (call) {
    const [, keyword, gap, rest] = call;
    let body = rest;
    if (rest.endsWith(')')) {
      body = rest.slice(0, -1);
    } else {
      shape(`"${text}" is missing the closing ")"`, `end it with ")": ${text})`);
    }
    const kind = keyword.toLowerCase();
    if (kind === 'cron' || kind === 'rate') {
      if (keyword !== kind) shape(`"${keyword}(" must be lowercase`, `write ${kind}(...)`);
      if (gap !== '') shape(`"${keyword}${gap}(" has a space before "("`, `write ${kind}( with no space`);
      return kind === 'cron' ? checkCron(body, problems) : checkRate(body, problems);
    }
    if (kind === 'at') {
      if (keyword !== kind) shape(`"${keyword}(" must be lowercase`, 'write at(...)');
      if (gap !== '') shape(`"${keyword}${gap}(" has a space before "("`, 'write at( with no space');
      return checkAt(body, problems);
    }
    shape(`"${keyword}(...)" is not a schedule expression`);
    return undefined;
  }

  const macro = MACROS[text.toLowerCase()];
  if (macro) {
    shape(`"${text}" is a Unix crontab shorthand, which AWS does not accept`, `write ${macro}`);
    return undefined;
  }

  // A bare field list or "5 minutes": say what wrapper is missing, then still check the inside
  // so every problem is reported in one go.
  const tokens = text.split(/\s+/);
  if (tokens.length >= 5 && tokens.length <= 7 && tokens.every((t) => /^[0-9A-Za-z*?,/#-]+$/.test(t)) && tokens.some((t) => /[\d*?]/.test(t))) {
    shape(`"${text}" is not wrapped in cron(...)`, `write cron(${tokens.join(' ')})`);
    checkCron(text, problems);
    return undefined;
  }
  if (tokens.length === 2 && /^[-+.\d]+$/.test(tokens[0]) && /^[A-Za-z]+$/.test(tokens[1])) {
    shape(`"${text}" is not wrapped in rate(...)`, `write rate(${tokens.join(' ')})`);
    checkRate(text, problems);
    return undefined;
  }

  shape(`"${text}" is not a schedule expression`);
  return undefined;
}

const AT_FIX = 'write at(yyyy-mm-ddThh:mm:ss) in the batch\'s time zone, e.g. at(2027-01-01T09:00:00)';

/** `at(yyyy-mm-ddThh:mm:ss)`: EventBridge Scheduler's one-time schedule, a real calendar date and time. */
function checkAt(body: string, problems: ScheduleProblem[]): ParsedSchedule | undefined {
  const text = body.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) {
    problems.push({ field: 'expression', message: `"at(${text})" is not a date and time in the form yyyy-mm-ddThh:mm:ss (no zone, no fraction)`, fix: AT_FIX });
    return undefined;
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    problems.push({ field: 'expression', message: `"at(${text})" is not a real date and time`, fix: AT_FIX });
    return undefined;
  }
  return { kind: 'at', expression: `at(${text})`, local: { year, month, day, hour, minute, second } };
}

function checkCron(body: string, problems: ScheduleProblem[]): ParsedSchedule | undefined {
  const trimmed = body.trim();
  const fields = trimmed === '' ? [] : trimmed.split(/\s+/);
  const shown = `cron(${fields.join(' ')})`;
  const shape = (message: string, fix: string) => problems.push({ field: 'expression', message, fix });

  if (fields.length === 0) {
    shape('"cron()" has no fields', `${SIX_FIELDS}, e.g. cron(0 3 * * ? *) for 03:00 UTC every day`);
    return undefined;
  }
  if (fields.length === 5) {
    shape(`"${shown}" has 5 fields, like a Unix crontab line`, `${SIX_FIELDS}; Unix crontab has five. ${unixToAws(fields)}`);
    return undefined;
  }
  if (fields.length === 7) {
    const aws = `cron(${fields.slice(1).join(' ')})`;
    shape(
      `"${shown}" has 7 fields; AWS cron has no seconds field (the first field, "${fields[0]}", looks like Quartz/Spring seconds)`,
      `${SIX_FIELDS} and always runs at second 0. Drop the seconds field: ${aws}`,
    );
    return undefined;
  }
  if (fields.length !== 6) {
    shape(`"${shown}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; AWS cron needs exactly six`, `${SIX_FIELDS}, e.g. cron(0 3 * * ? *) for 03:00 UTC every day`);
    return undefined;
  }

  if (looksLikeDayOfWeek(fields[5])) {
    // "0 0 3 * * ?" is Quartz/Spring (seconds first, day-of-week last, no year): read field by
    // field as AWS it would only produce misleading per-field messages.
    problems.push({
      field: 'expression',
      message: `"${shown}" ends with "${fields[5]}" where AWS expects a year; it looks like a Quartz/Spring expression whose first field is seconds`,
      fix: `${SIX_FIELDS}. Drop the seconds field and add a year: cron(${[...fields.slice(1), '*'].join(' ')})`,
    });
    return undefined;
  }

  const before = problems.length;
  FIELD_SPECS.forEach((spec, i) => problems.push(...parseField(spec, fields[i]).problems));

  const [dom, dow] = [fields[2], fields[4]];
  const withDays = (d: string, w: string) => `cron(${fields[0]} ${fields[1]} ${d} ${fields[3]} ${w} ${fields[5]})`;
  if (dom === '?' && dow === '?') {
    problems.push({
      field: 'day-of-month',
      message: 'day-of-month and day-of-week are both "?"; exactly one of them must be ?',
      fix: `put * in day-of-month to run every day: ${withDays('*', '?')}`,
    });
  } else if (dom !== '?' && dow !== '?') {
    const message = `day-of-month "${dom}" and day-of-week "${dow}" are both set; AWS needs ? in exactly one of them`;
    if (dow === '*') {
      problems.push({ field: 'day-of-week', message, fix: `use ? in day-of-week: ${withDays(dom, '?')}` });
    } else if (dom === '*' && numericWeekdays(dow) && !sameDays(dow)) {
      // "* * 1-5" is a Unix crontab line with a year added: 1-5 meant Monday to Friday there.
      const [unix, aws] = [unixWeekdayNames(dow), awsWeekdayNames(dow)];
      problems.push({
        field: 'day-of-month',
        message,
        fix: `use ? in day-of-month. If "${dow}" is Unix numbering (${unix}), write ${withDays('?', unix)}; `
          + `AWS numbers days 1 = SUN, so there "${dow}" is ${aws}: ${withDays('?', aws)}`,
      });
    } else if (dom === '*') {
      problems.push({ field: 'day-of-month', message, fix: `use ? in day-of-month: ${withDays('?', dow)}` });
    } else {
      problems.push({
        field: 'day-of-week',
        message: `${message}, and one rule cannot match "day ${dom} or ${dow}"`,
        fix: `use ? in one of them, e.g. ${withDays(dom, '?')} or ${withDays('?', dow)}, and declare a second batch for the other`,
      });
    }
  }
  if (problems.length > before) return undefined;

  return {
    kind: 'cron',
    expression: shown,
    fields: { minutes: fields[0], hours: fields[1], dayOfMonth: fields[2], month: fields[3], dayOfWeek: fields[4], year: fields[5] },
  };
}

/** Whether a last field is a Quartz/Spring day-of-week rather than a (bad) year. */
function looksLikeDayOfWeek(field: string): boolean {
  return field === '?' || field.includes('#') || /^\d*L$/i.test(field) || /^(SUN|MON|TUE|WED|THU|FRI|SAT)\b/i.test(field);
}

/** Builds the "how to convert" advice for a five-field Unix crontab expression. */
function unixToAws(fields: string[]): string {
  const [m, h, dom, mon, dow] = fields;
  // As names: AWS would read the renumbered digits right, but names mean the same in both crons.
  const awsDow = unixWeekdayNames(dow);
  const aws = (d: string, w: string) => `cron(${m} ${h} ${d} ${mon} ${w} *)`;
  const any = (f: string) => f === '*' || f === '?';
  if (!any(dom) && !any(dow)) {
    return `Unix runs on day ${dom} OR weekday ${dow}; AWS cannot combine them, so declare two batches: ${aws(dom, '?')} and ${aws('?', awsDow)}`;
  }
  const converted = !any(dow) ? aws('?', awsDow) : aws(any(dom) ? '*' : dom, '?');
  const renumbered = !any(dow) && awsDow !== dow ? ` (weekdays as names: Unix "${dow}" is ${awsDow}; AWS numbers 1 = SUN)` : '';
  return `Add a year field and use ? for one day field: ${converted}${renumbered}`;
}

