// Checks the body of a `rate(...)` expression: its value, its unit, and the usual mistakes with each.
import type { ParsedSchedule, RateUnit, ScheduleProblem } from './schedule-types';

/** Every way to write a rate unit, singular and plural, and the unit it means. */
export const RATE_UNIT_NAMES: Readonly<Record<string, RateUnit>> = {
  minute: 'minute',
  minutes: 'minute',
  hour: 'hour',
  hours: 'hour',
  day: 'day',
  days: 'day',
};

export function checkRate(body: string, problems: ScheduleProblem[]): ParsedSchedule | undefined {
  const trimmed = body.trim();
  let tokens = trimmed === '' ? [] : trimmed.split(/\s+/);
  const shown = `rate(${tokens.join(' ')})`;
  const add = (field: string, message: string, fix: string) => problems.push({ field, message, fix });
  const before = problems.length;

  if (tokens.length === 0) {
    add('expression', '"rate()" has no value or unit', 'write rate(<value> <unit>), e.g. rate(5 minutes)');
    return undefined;
  }
  if (tokens.length > 2) {
    add('expression', `"${shown}" has ${tokens.length} parts; a rate is a value and a unit`, 'write rate(<value> <unit>), e.g. rate(5 minutes)');
    return undefined;
  }
  if (tokens.length === 1) {
    const glued = /^([-+]?[\d.]+)([A-Za-z]+)$/.exec(tokens[0]);
    if (glued) {
      const guess = RATE_UNIT_NAMES[glued[2].toLowerCase()] ?? unitAbbreviation(glued[2].toLowerCase());
      const fixed = guess && /^\d+$/.test(glued[1]) ? fmtRate(Number(glued[1]), guess) : `rate(${glued[1]} ${glued[2]})`;
      add('expression', `"${shown}" needs a space between the value and the unit`, `write ${fixed}`);
      tokens = [glued[1], glued[2]];
    } else if (/^[-+]?[\d.]+$/.test(tokens[0])) {
      add('rate unit', `"${shown}" has no unit`, `add minute(s), hour(s) or day(s), e.g. rate(${tokens[0]} minutes)`);
      tokens = [tokens[0]];
    } else {
      add('rate value', `"${shown}" has no value`, `write a whole number before the unit, e.g. rate(5 ${tokens[0]})`);
      tokens = ['', tokens[0]];
    }
  }

  const [valueText, unitText] = tokens;
  const value = checkRateValue(valueText, unitText, add);
  const unit = unitText === undefined ? undefined : checkRateUnit(unitText, value, add);

  if (value !== undefined && unit !== undefined) {
    const plural = unitText.toLowerCase().endsWith('s');
    if (value === 1 && plural) {
      add('rate unit', `"${shown}" uses the plural "${unitText}" with 1`, `use the singular for a value of 1: rate(1 ${unit})`);
    } else if (value > 1 && !plural) {
      add('rate unit', `"${shown}" uses the singular "${unitText}" with ${value}`, `use the plural for values above 1: rate(${value} ${unit}s)`);
    }
  }

  if (problems.length > before || value === undefined || unit === undefined) return undefined;
  return { kind: 'rate', expression: `rate(${value} ${unitText})`, value, unit };
}

function checkRateValue(
  text: string,
  unitText: string | undefined,
  add: (field: string, message: string, fix: string) => void,
): number | undefined {
  if (text === '') return undefined; // already reported as "no value"
  const unit = RATE_UNIT_NAMES[(unitText ?? 'minutes').toLowerCase()] ?? 'minute';
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n === 0) {
      add('rate value', `rate value "${text}" must be at least 1`, `use a positive whole number, e.g. rate(1 ${unit})`);
      return undefined;
    }
    if (!Number.isSafeInteger(n)) {
      add('rate value', `rate value "${text}" is too large`, 'use a smaller whole number, or a cron expression for rare runs');
      return undefined;
    }
    return n;
  }
  const num = Number(text);
  if (Number.isNaN(num) || text.trim() === '') {
    add('rate value', `rate value "${text}" is not a number`, `write a positive whole number, e.g. rate(5 ${unit}s)`);
  } else if (num <= 0) {
    add('rate value', `rate value "${text}" must be a positive whole number`, `write a value of 1 or more, e.g. rate(${Math.max(1, Math.round(Math.abs(num)))} ${unit}${Math.abs(num) > 1 ? 's' : ''})`);
  } else {
    add('rate value', `rate value "${text}" is not a whole number`, `write a whole number: ${decimalRateFix(num, unit)}`);
  }
  return undefined;
}

/** Re-expresses a fractional rate in a smaller unit when it divides evenly (1.5 hours = 90 minutes). */
function decimalRateFix(value: number, unit: RateUnit): string {
  const minutes = value * (unit === 'day' ? 1440 : unit === 'hour' ? 60 : 1);
  if (unit === 'day' && Number.isInteger(value * 24)) return fmtRate(value * 24, 'hour');
  if (Number.isInteger(minutes)) return fmtRate(minutes, 'minute');
  return `${fmtRate(Math.max(1, Math.round(minutes)), 'minute')} (the smallest unit is one minute)`;
}

function fmtRate(value: number, unit: RateUnit): string {
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

/** The unit a common abbreviation (m, min, h, hr, d) stands for. */
function unitAbbreviation(lower: string): RateUnit | undefined {
  if (/^(m|mins?)$/.test(lower)) return 'minute';
  if (/^(h|hrs?)$/.test(lower)) return 'hour';
  if (/^d$/.test(lower)) return 'day';
  return undefined;
}

function checkRateUnit(
  text: string,
  value: number | undefined,
  add: (field: string, message: string, fix: string) => void,
): RateUnit | undefined {
  const lower = text.toLowerCase();
  const n = value ?? 5;
  const known = RATE_UNIT_NAMES[lower];
  if (known) {
    if (text !== lower) {
      add('rate unit', `rate unit "${text}" must be lowercase`, `write ${fmtRate(n, known)}`);
      return undefined;
    }
    return known;
  }
  if (/^(s|secs?|seconds?)$/.test(lower)) {
    add('rate unit', `rate unit "${text}" is not supported: the minimum rate is one minute`, 'use rate(1 minute); for sub-minute work, loop inside one invocation');
  } else if (/^(w|wks?|weeks?)$/.test(lower)) {
    add('rate unit', `rate unit "${text}" is not supported; AWS rates use minutes, hours or days`, `write ${fmtRate(n * 7, 'day')}, or a cron on a weekday, e.g. cron(0 0 ? * MON *)`);
  } else if (/^(mo|mons?|months?|y|yrs?|years?)$/.test(lower)) {
    add('rate unit', `rate unit "${text}" is not supported; AWS rates use minutes, hours or days`, 'use a cron expression, e.g. cron(0 0 1 * ? *) for the 1st of every month');
  } else {
    const guess = unitAbbreviation(lower);
    add(
      'rate unit',
      `rate unit "${text}" is not one of minute(s), hour(s), day(s)`,
      guess ? `write ${fmtRate(n, guess)}` : `write e.g. ${fmtRate(n, 'minute')}`,
    );
  }
  return undefined;
}
