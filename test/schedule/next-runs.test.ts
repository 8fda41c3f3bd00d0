// Checks computed run times against dates worked out by hand from a calendar (all UTC).
//
// Calendar facts used below: 2026-01-01 is a Thursday; 2026-08-01 and 2026-08-15 are Saturdays;
// 2026-11-01 and 2026-11-15 are Sundays; 2026-05-31 is a Sunday; 2028 is a leap year, 2027 is not;
// 2026-10-25 is the last Sunday of October (the day Central Europe leaves summer time).

import { nextRuns, parseSchedule, ScheduleError } from '../../src/schedule';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (s: string) => new Date(s);

describe('nextRuns for cron schedules', () => {
  test.each([
    [
      'daily at 03:00',
      'cron(0 3 * * ? *)',
      '2026-11-26T12:00:00Z',
      ['2026-11-27T03:00:00.000Z', '2026-11-28T03:00:00.000Z', '2026-11-29T03:00:00.000Z'],
    ],
    [
      'daily, across a year end',
      'cron(30 23 * * ? *)',
      '2026-12-30T23:30:00Z',
      ['2026-12-31T23:30:00.000Z', '2027-01-01T23:30:00.000Z', '2027-01-02T23:30:00.000Z'],
    ],
    [
      'every 15 minutes across an hour boundary',
      'cron(0/15 * * * ? *)',
      '2026-03-10T09:40:00Z',
      ['2026-03-10T09:45:00.000Z', '2026-03-10T10:00:00.000Z', '2026-03-10T10:15:00.000Z', '2026-03-10T10:30:00.000Z'],
    ],
    [
      '1/10 = minutes 1, 11, 21... (AWS documentation example)',
      'cron(1/10 * * * ? *)',
      '2026-03-10T09:55:00Z',
      ['2026-03-10T10:01:00.000Z', '2026-03-10T10:11:00.000Z', '2026-03-10T10:21:00.000Z'],
    ],
    [
      'weekdays only, from a Friday afternoon across the weekend',
      'cron(0 9 ? * MON-FRI *)',
      '2026-01-02T10:00:00Z',
      ['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z', '2026-01-07T09:00:00.000Z'],
    ],
    [
      'L in a leap-year February (2028)',
      'cron(0 0 L * ? *)',
      '2028-01-31T00:00:00Z',
      ['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z', '2028-04-30T00:00:00.000Z'],
    ],
    [
      'L in a non-leap-year February (2027)',
      'cron(0 0 L * ? *)',
      '2027-01-31T00:00:00Z',
      ['2027-02-28T00:00:00.000Z', '2027-03-31T00:00:00.000Z', '2027-04-30T00:00:00.000Z'],
    ],
    [
      '15W: Saturday 15 Aug -> Friday 14th; Sunday 15 Nov -> Monday 16th',
      'cron(0 9 15W * ? *)',
      '2026-08-01T00:00:00Z',
      ['2026-08-14T09:00:00.000Z', '2026-09-15T09:00:00.000Z', '2026-10-15T09:00:00.000Z', '2026-11-16T09:00:00.000Z'],
    ],
    [
      '1W: Saturday 1 Aug -> Monday 3rd, never the previous month; Sunday 1 Nov -> Monday 2nd',
      'cron(0 9 1W * ? *)',
      '2026-07-15T00:00:00Z',
      ['2026-08-03T09:00:00.000Z', '2026-09-01T09:00:00.000Z', '2026-10-01T09:00:00.000Z', '2026-11-02T09:00:00.000Z'],
    ],
    [
      'LW: last day Sunday 31 May -> Friday 29th',
      'cron(0 0 LW * ? *)',
      '2026-05-01T00:00:00Z',
      ['2026-05-29T00:00:00.000Z', '2026-06-30T00:00:00.000Z', '2026-07-31T00:00:00.000Z'],
    ],
    [
      '31W: skips 30-day months; Sunday 31 May (last day) -> Friday 29th',
      'cron(0 0 31W * ? *)',
      '2026-04-01T00:00:00Z',
      ['2026-05-29T00:00:00.000Z', '2026-07-31T00:00:00.000Z', '2026-08-31T00:00:00.000Z'],
    ],
    [
      '6L: last Friday, including one on the 31st',
      'cron(0 10 ? * 6L *)',
      '2026-06-27T00:00:00Z',
      ['2026-07-31T10:00:00.000Z', '2026-08-28T10:00:00.000Z', '2026-09-25T10:00:00.000Z'],
    ],
    [
      '3#2: second Tuesday, strictly after one',
      'cron(0 12 ? * 3#2 *)',
      '2026-01-13T12:00:00Z',
      ['2026-02-10T12:00:00.000Z', '2026-03-10T12:00:00.000Z', '2026-04-14T12:00:00.000Z'],
    ],
    [
      '6#5: fifth Friday, skipping months that have only four',
      'cron(0 0 ? * 6#5 *)',
      '2026-01-31T00:00:00Z',
      ['2026-05-29T00:00:00.000Z', '2026-07-31T00:00:00.000Z', '2026-10-30T00:00:00.000Z'],
    ],
    [
      'L alone in day-of-week: every Saturday',
      'cron(0 0 ? * L *)',
      '2026-01-01T00:00:00Z',
      ['2026-01-03T00:00:00.000Z', '2026-01-10T00:00:00.000Z', '2026-01-17T00:00:00.000Z'],
    ],
    [
      'day 30 skips February instead of rolling into March',
      'cron(0 0 30 * ? *)',
      '2027-01-31T00:00:00Z',
      ['2027-03-30T00:00:00.000Z', '2027-04-30T00:00:00.000Z'],
    ],
    ['29 February only in leap years', 'cron(0 0 29 2 ? *)', '2025-01-01T00:00:00Z', ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']],
    [
      'month names and a list of hours',
      'cron(0 6,18 1 jan,jul ? *)',
      '2026-06-01T00:00:00Z',
      ['2026-07-01T06:00:00.000Z', '2026-07-01T18:00:00.000Z', '2027-01-01T06:00:00.000Z'],
    ],
  ])('%s', (_name, expression, after, expected) => {
    expect(iso(nextRuns(expression, expected.length, at(after)))).toEqual(expected);
  });

  test('a year-bounded schedule stops producing runs', () => {
    // Last Fridays of Oct, Nov, Dec 2026 are the 30th, 27th and 25th; 2027 is outside the year field.
    expect(iso(nextRuns('cron(0 12 ? * 6L 2026)', 5, at('2026-10-01T00:00:00Z')))).toEqual([
      '2026-10-30T12:00:00.000Z',
      '2026-11-27T12:00:00.000Z',
      '2026-12-25T12:00:00.000Z',
    ]);
    expect(iso(nextRuns('cron(0 0 1 JAN ? 2027)', 3, at('2026-06-01T00:00:00Z')))).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(nextRuns('cron(0 0 1 JAN ? 2027)', 3, at('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  test('"after" is exclusive, to the minute', () => {
    expect(iso(nextRuns('cron(0 3 * * ? *)', 1, at('2026-11-27T03:00:00Z')))).toEqual(['2026-11-28T03:00:00.000Z']);
    expect(iso(nextRuns('cron(0 3 * * ? *)', 1, at('2026-11-27T02:59:59.999Z')))).toEqual(['2026-11-27T03:00:00.000Z']);
  });

  test('does not depend on the process time zone (last Sunday that is also a DST change day)', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      expect(iso(nextRuns('cron(0 0 ? * 1L *)', 2, at('2026-10-01T00:00:00Z')))).toEqual([
        '2026-10-25T00:00:00.000Z',
        '2026-11-29T00:00:00.000Z',
      ]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test('accepts a parsed schedule as well as a string', () => {
    const parsed = parseSchedule('cron(0 3 * * ? *)');
    expect(iso(nextRuns(parsed, 1, at('2026-11-26T12:00:00Z')))).toEqual(['2026-11-27T03:00:00.000Z']);
  });

  test('defaults "after" to now', () => {
    const before = Date.now();
    const [run] = nextRuns('cron(* * * * ? *)', 1);
    expect(run.getTime()).toBeGreaterThan(before);
    expect(run.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(run.getUTCSeconds()).toBe(0);
  });
});

describe('nextRuns for rate schedules', () => {
  test('counts whole intervals from "after" (AWS starts the clock at rule creation)', () => {
    expect(iso(nextRuns('rate(5 minutes)', 3, at('2026-01-01T00:00:30Z')))).toEqual([
      '2026-01-01T00:05:30.000Z',
      '2026-01-01T00:10:30.000Z',
      '2026-01-01T00:15:30.000Z',
    ]);
    expect(iso(nextRuns('rate(1 day)', 2, at('2026-02-28T06:00:00Z')))).toEqual(['2026-03-01T06:00:00.000Z', '2026-03-02T06:00:00.000Z']);
    expect(iso(nextRuns('rate(2 hours)', 2, at('2026-01-01T23:00:00Z')))).toEqual(['2026-01-02T01:00:00.000Z', '2026-01-02T03:00:00.000Z']);
  });
});

describe('nextRuns input checks', () => {
  test('count 0 gives no runs', () => {
    expect(nextRuns('cron(0 3 * * ? *)', 0, at('2026-01-01T00:00:00Z'))).toEqual([]);
    expect(nextRuns('rate(1 hour)', 0, at('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  test.each([-1, 1.5, NaN])('count %p is rejected', (count) => {
    expect(() => nextRuns('cron(0 3 * * ? *)', count, at('2026-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  test('an invalid Date is rejected', () => {
    expect(() => nextRuns('cron(0 3 * * ? *)', 1, new Date('nope'))).toThrow('after must be a valid Date');
  });

  test('an invalid expression throws the validation error', () => {
    expect(() => nextRuns('cron(0 3 * * *)', 1)).toThrow(ScheduleError);
  });

  test('a hand-built ParsedSchedule that skipped validation fails loudly', () => {
    const bogus = {
      kind: 'cron' as const,
      expression: 'cron(61 3 * * ? *)',
      fields: { minutes: '61', hours: '3', dayOfMonth: '*', month: '*', dayOfWeek: '?', year: '*' },
    };
    expect(() => nextRuns(bogus, 1)).toThrow('minutes "61" is out of range');
  });
});
