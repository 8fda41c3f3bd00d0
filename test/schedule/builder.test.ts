// Checks that the Schedule helpers write the same expressions aws-cdk-lib's Schedule would.

import { checkSchedule, Schedule } from '../../src/schedule';

describe('Schedule.cron', () => {
  test.each([
    [{}, 'cron(* * * * ? *)'],
    [{ minute: '0', hour: '3' }, 'cron(0 3 * * ? *)'],
    [{ minute: '0', hour: '9', weekDay: 'MON-FRI' }, 'cron(0 9 ? * MON-FRI *)'],
    [{ minute: '0', hour: '0', day: 'L' }, 'cron(0 0 L * ? *)'],
    [{ minute: '0', hour: '12', weekDay: '3#2' }, 'cron(0 12 ? * 3#2 *)'],
    [{ minute: '0', hour: '0', day: '1', month: 'JAN', year: '2027' }, 'cron(0 0 1 JAN ? 2027)'],
  ])('%p -> %s', (options, expected) => {
    const schedule = Schedule.cron(options);
    expect(schedule.expressionString).toBe(expected);
    expect(String(schedule)).toBe(expected);
    expect(checkSchedule(schedule.expressionString).problems).toEqual([]);
  });

  test('both day and weekDay is a programming error', () => {
    expect(() => Schedule.cron({ day: '1', weekDay: 'MON' })).toThrow('cannot supply both day ("1") and weekDay ("MON")');
  });

  test('does not validate field values itself: checkSchedule reports them all later', () => {
    const schedule = Schedule.cron({ minute: '60', hour: '24' });
    expect(schedule.expressionString).toBe('cron(60 24 * * ? *)');
    expect(checkSchedule(schedule.expressionString).problems.map((p) => p.field)).toEqual(['minutes', 'hours']);
  });
});

describe('Schedule.rate', () => {
  test.each([
    [1, 'minute', 'rate(1 minute)'],
    [1, 'minutes', 'rate(1 minute)'],
    [5, 'minute', 'rate(5 minutes)'],
    [5, 'minutes', 'rate(5 minutes)'],
    [1, 'hours', 'rate(1 hour)'],
    [2, 'hour', 'rate(2 hours)'],
    [1, 'days', 'rate(1 day)'],
    [7, 'day', 'rate(7 days)'],
  ] as const)('%p %s -> %s', (value, unit, expected) => {
    const schedule = Schedule.rate(value, unit);
    expect(schedule.expressionString).toBe(expected);
    expect(checkSchedule(schedule.expressionString).problems).toEqual([]);
  });

  test.each([0, -1, 1.5, NaN, Infinity])('value %p is a programming error', (value) => {
    expect(() => Schedule.rate(value, 'minutes')).toThrow(RangeError);
  });

  test('an unknown unit from a JavaScript caller is a programming error', () => {
    expect(() => Schedule.rate(5, 'weeks' as 'days')).toThrow('unit must be minute(s), hour(s) or day(s), got "weeks"');
  });
});

describe('Schedule.expression', () => {
  test('passes the string through unchanged, even when invalid', () => {
    expect(Schedule.expression('cron(0 12 ? * 3#2 *)').expressionString).toBe('cron(0 12 ? * 3#2 *)');
    expect(Schedule.expression('cron(0 3 * * *)').expressionString).toBe('cron(0 3 * * *)');
  });
});

describe('Schedule.at', () => {
  test('writes a one-time at() expression that checkSchedule accepts', () => {
    const s = Schedule.at('2027-01-04T09:00:00');
    expect(s.expressionString).toBe('at(2027-01-04T09:00:00)');
    expect(checkSchedule(s.expressionString).problems).toEqual([]);
  });
});
