// Checks that checkSchedule accepts what AWS accepts and explains, field by field, what AWS would reject.

import { checkSchedule, parseSchedule, ScheduleError } from '../../src/schedule';

describe('checkSchedule: valid expressions', () => {
  test.each([
    'cron(0 3 * * ? *)',
    'cron(0 3 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 9 15W * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 10 ? * 6L *)',
    'cron(0 12 ? * 3#2 *)',
    'cron(0 0 1 JAN ? 2027)',
    'cron(15 10 ? * 6L 2026-2028)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(1/10 * * * ? *)',
    'cron(10-50/20 1,13 * * ? *)',
    'cron(0 0 ? * L *)',
    'cron(0 0 ? * FRIL *)',
    'cron(0 0 ? * SUN#1 *)',
    'cron(0 0 ? * 1,7 *)',
    'cron(0 0 ? * 2-6/2 *)',
    'cron(0 0 1 jan,jul ? 2026-2030/2)',
    'cron(0 0 ? * mon-fri *)',
    'cron(59 23 31 DEC ? 2199)',
    'cron(0 0 1 1 ? 1970)',
    'cron(* * * * ? *)',
    'cron(0 0 ? * * *)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
  ])('%s is valid', (expression) => {
    const result = checkSchedule(expression);
    expect(result.problems).toEqual([]);
    expect(result.schedule?.expression).toBe(expression);
  });

  test('normalizes surrounding and repeated whitespace', () => {
    const result = checkSchedule('  cron( 0   3 * *  ? * )\n');
    expect(result.problems).toEqual([]);
    expect(result.schedule).toEqual({
      kind: 'cron',
      expression: 'cron(0 3 * * ? *)',
      fields: { minutes: '0', hours: '3', dayOfMonth: '*', month: '*', dayOfWeek: '?', year: '*' },
    });
  });

  test('parses a one-time at() schedule into its wall-clock date and time', () => {
    expect(checkSchedule(' at(2027-03-14T02:30:00) ').schedule).toEqual({
      kind: 'at', expression: 'at(2027-03-14T02:30:00)', local: { year: 2027, month: 3, day: 14, hour: 2, minute: 30, second: 0 },
    });
  });

  test('parses a rate into value and singular unit', () => {
    expect(parseSchedule(' rate(5  minutes) ')).toEqual({ kind: 'rate', expression: 'rate(5 minutes)', value: 5, unit: 'minute' });
    expect(parseSchedule('rate(1 day)')).toEqual({ kind: 'rate', expression: 'rate(1 day)', value: 1, unit: 'day' });
  });
});

describe('checkSchedule: invalid expressions', () => {
  test.each([
    // [expression, field, fragment of message, fragment of fix]
    ['cron(0 3 * * *)', 'expression', 'has 5 fields', 'Unix crontab has five. Add a year field and use ? for one day field: cron(0 3 * * ? *)'],
    ['cron(0 9 * * 1-5)', 'expression', 'Unix crontab', 'cron(0 9 ? * MON-FRI *) (weekdays as names: Unix "1-5" is MON-FRI'],
    ['cron(0 9 * * 5-7)', 'expression', 'Unix crontab', 'cron(0 9 ? * FRI-SAT,SUN *)'],
    // A crontab line with a year added: the "?" fix renumbers 1-5 (Unix MON-FRI) and says what 1-5 is in AWS.
    ['cron(0 9 * * 1-5 *)', 'day-of-month', 'both set', 'If "1-5" is Unix numbering (MON-FRI), write cron(0 9 ? * MON-FRI *); AWS numbers days 1 = SUN, so there "1-5" is SUN-THU: cron(0 9 ? * SUN-THU *)'],
    // Every other day from Sunday is the same days in both numberings: nothing to renumber.
    ['cron(0 9 * * */2 *)', 'day-of-month', 'both set', 'use ? in day-of-month: cron(0 9 ? * */2 *)'],
    ['cron(0 0 3 * * ? *)', 'expression', 'AWS cron has no seconds field', 'Drop the seconds field: cron(0 3 * * ? *)'],
    ['cron(0 0 3 ? * MON-FRI)', 'expression', 'Quartz/Spring', 'cron(0 3 ? * MON-FRI *)'],
    ['cron(0 3 * *)', 'expression', 'has 4 fields', 'six fields'],
    ['cron(0 3 * * ? * * *)', 'expression', 'has 8 fields', 'six fields'],
    ['cron(0 3 * * * *)', 'day-of-week', 'day-of-month "*" and day-of-week "*" are both set', 'cron(0 3 * * ? *)'],
    ['cron(0 3 ? * ? *)', 'day-of-month', 'both "?"', 'cron(0 3 * * ? *)'],
    ['cron(0 3 * * MON *)', 'day-of-month', 'both set', 'cron(0 3 ? * MON *)'],
    ['cron(0 3 1 * MON *)', 'day-of-week', 'cannot match "day 1 or MON"', 'second batch'],
    ['cron(0 3 ? * 0 *)', 'day-of-week', 'day-of-week "0" uses Unix crontab numbering', 'write SUN (AWS numbers: 1)'],
    ['cron(0 3 ? * 0-6 *)', 'day-of-week', 'AWS numbers days 1-7 with 1 = SUN', 'write SUN-SAT (AWS numbers: 1-7)'],
    ['cron(0 3 ? * 8 *)', 'day-of-week', 'day-of-week "8" is out of range (1-7)', '1 = SUN, 7 = SAT'],
    ['cron(60 3 * * ? *)', 'minutes', 'minutes "60" is out of range (0-59)', 'from 0 to 59'],
    ['cron(0 24 * * ? *)', 'hours', 'hours "24" is out of range (0-23)', 'midnight is 0'],
    ['cron(0 3 * 13 ? *)', 'month', 'month "13" is out of range (1-12)', 'JAN-DEC'],
    ['cron(0 3 32 * ? *)', 'day-of-month', 'day-of-month "32" is out of range (1-31)', 'L for the last day'],
    ['cron(0 3 0 * ? *)', 'day-of-month', 'day-of-month "0" is out of range', 'from 1 to 31'],
    ['cron(0 3 * * ? 1969)', 'year', 'year "1969" is out of range (1970-2199)', '1970 to 2199'],
    ['cron(0 3 * * ? 2200)', 'year', 'year "2200" is out of range', '1970 to 2199'],
    ['cron(0 5-3 * * ? *)', 'hours', 'range "5-3" runs backwards', 'write 3-5, or 5-23,0-3'],
    ['cron(0 0 ? * FRI-MON *)', 'day-of-week', 'range "FRI-MON" runs backwards', 'FRI-SAT,SUN-MON'],
    ['cron(*/0 * * * ? *)', 'minutes', 'step "0" must be at least 1', 'from 1 to 59'],
    ['cron(0/60 * * * ? *)', 'minutes', 'step "60" is larger than 59', 'from 1 to 59'],
    ['cron(0 0 ? * 2W *)', 'day-of-week', '"W", which is only allowed in day-of-month', '15W'],
    ['cron(0 0 3#2 * ? *)', 'day-of-month', '"#", which is only allowed in day-of-week', 'cron(0 12 ? * 3#2 *)'],
    ['cron(0 0 ? * 3#1,6#3 *)', 'day-of-week', 'has 2 "#" expressions', 'single n#k'],
    ['cron(0 0 ? * 3#1,5 *)', 'day-of-week', 'combines a "#" expression with other values', 'n#k alone'],
    ['cron(0 0 ? * 3#6 *)', 'day-of-week', 'occurrence "6" must be 1-5', '3L'],
    ['cron(0 0 * FOO ? *)', 'month', 'month "FOO" is not a month name', 'JAN'],
    ['cron(0 0 ? * FOO *)', 'day-of-week', 'day-of-week "FOO" is not a day name', 'SUN'],
    ['cron(0 0 ? * MONDAY *)', 'day-of-week', '"MONDAY" is not a day name', 'three-letter name MON'],
    ['cron(x 0 * * ? *)', 'minutes', 'minutes "x" is not a number', '0 to 59'],
    ['cron(0 3 ? * 5,8 *)', 'day-of-week', 'day-of-week "5,8": "8" is out of range', '1-7'],
    ['cron(0,,5 3 * * ? *)', 'minutes', 'minutes "0,,5" has an empty value', 'single commas'],
    ['cron(0 3 % * ? *)', 'day-of-month', 'contains "%"', ', - * ? / L W'],
    ['cron(? 3 * * ? *)', 'minutes', 'minutes "?" is not allowed', 'use *'],
    ['cron(0 L * * ? *)', 'hours', 'hours "L" uses L or W', '0 to 23'],
    ['cron(0 0 5L * ? *)', 'day-of-month', '"5L" is not valid in day-of-month', 'belongs in day-of-week'],
    ['cron(0 0 1-5W * ? *)', 'day-of-month', 'W must follow a single day', '15W'],
    ['cron(0 0 L,15 * ? *)', 'day-of-month', '"L" must be the only value', 'L alone'],
    ['cron(0 0 L-3 * ? *)', 'day-of-month', 'offset form L-n', 'use L'],
    ['', 'expression', 'the schedule is empty ("")', 'cron(0 3 * * ? *)'],
    ['   ', 'expression', 'empty', 'rate(5 minutes)'],
    ['cron()', 'expression', '"cron()" has no fields', 'six fields'],
    ['cron(0 3 * * ? *', 'expression', 'missing the closing ")"', 'cron(0 3 * * ? *)'],
    ['CRON(0 3 * * ? *)', 'expression', '"CRON(" must be lowercase', 'cron('],
    ['cron (0 3 * * ? *)', 'expression', 'space before "("', 'no space'],
    ['0 3 * * ? *', 'expression', 'not wrapped in cron(...)', 'cron(0 3 * * ? *)'],
    ['@daily', 'expression', 'Unix crontab shorthand', 'cron(0 0 * * ? *)'],
    ['at(2026-01-01 00:00)', 'expression', 'not a date and time in the form yyyy-mm-ddThh:mm:ss', 'at(2027-01-01T09:00:00)'],
    ['at(2027-02-29T09:00:00)', 'expression', 'not a real date and time', 'at(2027-01-01T09:00:00)'],
    ['at(2027-01-01T24:00:00)', 'expression', 'not a real date and time', 'yyyy-mm-ddThh:mm:ss'],
    ['hello', 'expression', '"hello" is not a schedule expression', 'cron(0 3 * * ? *)'],
    ['every 5 minutes', 'expression', 'is not a schedule expression', 'rate(5 minutes)'],
    ['schedule(0 3 * * ? *)', 'expression', '"schedule(...)" is not a schedule expression', 'cron('],
    ['rate(1 minutes)', 'rate unit', 'uses the plural "minutes" with 1', 'rate(1 minute)'],
    ['rate(1 hours)', 'rate unit', 'plural', 'rate(1 hour)'],
    ['rate(5 minute)', 'rate unit', 'uses the singular "minute" with 5', 'rate(5 minutes)'],
    ['rate(2 day)', 'rate unit', 'singular', 'rate(2 days)'],
    ['rate(0 minutes)', 'rate value', 'rate value "0" must be at least 1', 'rate(1 minute)'],
    ['rate(-1 minutes)', 'rate value', 'rate value "-1" must be a positive whole number', 'rate(1 minute)'],
    ['rate(1.5 hours)', 'rate value', 'rate value "1.5" is not a whole number', 'rate(90 minutes)'],
    ['rate(1.5 days)', 'rate value', '"1.5" is not a whole number', 'rate(36 hours)'],
    ['rate(abc minutes)', 'rate value', 'rate value "abc" is not a number', 'whole number'],
    ['rate(30 seconds)', 'rate unit', 'the minimum rate is one minute', 'rate(1 minute)'],
    ['rate(5 weeks)', 'rate unit', 'rate unit "weeks" is not supported', 'rate(35 days)'],
    ['rate(1 month)', 'rate unit', 'rate unit "month" is not supported', 'cron(0 0 1 * ? *)'],
    ['rate(5 mins)', 'rate unit', 'rate unit "mins" is not one of minute(s), hour(s), day(s)', 'rate(5 minutes)'],
    ['rate(5 Minutes)', 'rate unit', '"Minutes" must be lowercase', 'rate(5 minutes)'],
    ['rate(5m)', 'expression', 'needs a space between the value and the unit', 'rate(5 minutes)'],
    ['rate(5)', 'rate unit', '"rate(5)" has no unit', 'rate(5 minutes)'],
    ['rate(minutes)', 'rate value', '"rate(minutes)" has no value', 'rate(5 minutes)'],
    ['rate()', 'expression', '"rate()" has no value or unit', 'rate(5 minutes)'],
    ['rate(5 minutes please)', 'expression', 'has 3 parts', 'rate(5 minutes)'],
    [`cron(${'1,'.repeat(130)}1 * * * ? *)`, 'expression', 'AWS allows at most 256', 'ranges'],
  ])('%s -> %s', (expression, field, message, fix) => {
    const result = checkSchedule(expression);
    expect(result.schedule).toBeUndefined();
    const problem = result.problems.find((p) => p.field === field && p.message.includes(message));
    expect(problem).toBeDefined();
    expect(problem?.fix).toContain(fix);
  });

  test('every problem quotes the offending value and says what to write', () => {
    for (const expression of ['cron(60 24 32 13 ? 1969)', 'rate(0 seconds)', 'cron(0 3 ? * 0 2200)']) {
      for (const p of checkSchedule(expression).problems) {
        expect(p.message).toMatch(/"[^"]*"/);
        expect(p.fix.length).toBeGreaterThan(5);
      }
    }
  });

  test('reports every problem of one expression together, in field order', () => {
    const { problems, schedule } = checkSchedule('cron(60 24 32 13 * 1969)');
    expect(schedule).toBeUndefined();
    expect(problems.map((p) => p.field)).toEqual(['minutes', 'hours', 'day-of-month', 'month', 'year', 'day-of-week']);
    expect(problems.map((p) => p.message)).toEqual([
      'minutes "60" is out of range (0-59)',
      'hours "24" is out of range (0-23)',
      'day-of-month "32" is out of range (1-31)',
      'month "13" is out of range (1-12)',
      'year "1969" is out of range (1970-2199)',
      'day-of-month "32" and day-of-week "*" are both set; AWS needs ? in exactly one of them',
    ]);
  });

  test('reports several problems inside one field', () => {
    const fields = checkSchedule('cron(0 0 ? * 3#9,FOO *)').problems.map((p) => p.message);
    expect(fields).toEqual([
      'day-of-week "3#9,FOO": "3#9": occurrence "9" must be 1-5 (a month has at most five of any weekday)',
      'day-of-week "3#9,FOO": "FOO" is not a day name',
      'day-of-week "3#9,FOO" combines a "#" expression with other values; AWS allows only one n#k and nothing else',
    ]);
  });

  test('reports both rate value and rate unit problems together', () => {
    expect(checkSchedule('rate(0 seconds)').problems.map((p) => p.field)).toEqual(['rate value', 'rate unit']);
  });

  test('a bare field list is reported as unwrapped and its fields are still checked', () => {
    const { problems } = checkSchedule('0 3 * * ?');
    expect(problems.map((p) => p.fix)).toEqual([
      'write cron(0 3 * * ?)',
      expect.stringContaining('cron(0 3 * * ? *)'),
    ]);
  });

  test('never throws, even for non-string input from JavaScript callers', () => {
    const result = checkSchedule(undefined as unknown as string);
    expect(result.schedule).toBeUndefined();
    expect(result.problems[0]).toMatchObject({ field: 'expression', message: 'the schedule must be a string, not undefined' });
  });
});

describe('parseSchedule', () => {
  test('returns the parsed schedule', () => {
    expect(parseSchedule('cron(0 12 ? * 3#2 *)')).toEqual({
      kind: 'cron',
      expression: 'cron(0 12 ? * 3#2 *)',
      fields: { minutes: '0', hours: '12', dayOfMonth: '?', month: '*', dayOfWeek: '3#2', year: '*' },
    });
  });

  test('throws a ScheduleError listing every problem', () => {
    let error: unknown;
    try {
      parseSchedule('cron(60 3 * * * *)');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScheduleError);
    expect(error).toBeInstanceOf(Error);
    const e = error as ScheduleError;
    expect(e.problems.map((p) => p.field)).toEqual(['minutes', 'day-of-week']);
    expect(e.message).toBe(
      'Invalid schedule "cron(60 3 * * * *)":\n' +
        '  - minutes: minutes "60" is out of range (0-59). Fix: use a minute from 0 to 59\n' +
        '  - day-of-week: day-of-month "*" and day-of-week "*" are both set; AWS needs ? in exactly one of them. Fix: use ? in day-of-week: cron(60 3 * * ? *)',
    );
  });
});
