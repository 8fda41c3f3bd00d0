// Next runs in a batch's zone, as EventBridge Scheduler documents them: a local time that does not
// exist on a spring-forward day is skipped, one that happens twice on a fall-back day runs once,
// and rates are fixed intervals of elapsed time.
import { nextRuns } from '../../src/schedule';
import { longestGap } from '../../src/schedule/gaps';
import { runEvents } from '../../src/schedule/next-runs';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const runs = (expr: string, zone: string, after: string, count: number) => iso(nextRuns(expr, count, at(after), { timeZone: zone }));
/** Events as short strings: the run's instant, "=" when its local time repeats, or "skip <local>". */
const events = (expr: string, zone: string, after: string, count: number) =>
  runEvents(expr, count, at(after), { timeZone: zone }).map((e) => (e.kind === 'run'
    ? `${e.at.toISOString().slice(0, 16)}${e.repeatedLocalTime ? ' =' : ''}`
    : `skip ${e.local.year}-${String(e.local.month).padStart(2, '0')}-${String(e.local.day).padStart(2, '0')} ${String(e.local.hour).padStart(2, '0')}:${String(e.local.minute).padStart(2, '0')}`));

describe('cron in America/New_York (DST from 14 March to 7 November 2027)', () => {
  test('a run at 02:30 is skipped on the spring-forward day, and the others move from UTC-5 to UTC-4', () => {
    expect(events('cron(30 2 * * ? *)', 'America/New_York', '2027-03-12T12:00:00Z', 3)).toEqual([
      '2027-03-13T07:30', 'skip 2027-03-14 02:30', '2027-03-15T06:30', '2027-03-16T06:30',
    ]);
  });

  test('a run at 01:30 runs once on the fall-back day, at the first 01:30 (still UTC-4)', () => {
    expect(events('cron(30 1 * * ? *)', 'America/New_York', '2027-11-06T00:00:00Z', 3)).toEqual([
      '2027-11-06T05:30', '2027-11-07T05:30 =', '2027-11-08T06:30',
    ]);
  });

  test('every 15 minutes through the repeated hour: each local time once, then a gap until 02:00 EST', () => {
    expect(runs('cron(0/15 * * * ? *)', 'America/New_York', '2027-11-07T04:50:00Z', 6)).toEqual([
      '2027-11-07T05:00:00.000Z', '2027-11-07T05:15:00.000Z', '2027-11-07T05:30:00.000Z', '2027-11-07T05:45:00.000Z',
      '2027-11-07T07:00:00.000Z', '2027-11-07T07:15:00.000Z',
    ]);
  });

  test('09:00 on weekdays stays 09:00 local across the change', () => {
    expect(runs('cron(0 9 ? * MON-FRI *)', 'America/New_York', '2027-03-12T00:00:00Z', 2)).toEqual([
      '2027-03-12T14:00:00.000Z', '2027-03-15T13:00:00.000Z',
    ]);
  });

  test('asking from inside the repeated hour does not run an already-run local time again', () => {
    // 06:10Z is 01:10 EST, the second 01:10: the 01:30 run already happened at 05:30Z.
    expect(runs('cron(30 1 * * ? *)', 'America/New_York', '2027-11-07T06:10:00Z', 1)).toEqual(['2027-11-08T06:30:00.000Z']);
  });
});

describe('cron in Europe/Berlin (DST from 28 March to 31 October 2027)', () => {
  test('02:30 is skipped on the spring-forward day', () => {
    expect(events('cron(30 2 * * ? *)', 'Europe/Berlin', '2027-03-27T00:00:00Z', 2)).toEqual([
      '2027-03-27T01:30', 'skip 2027-03-28 02:30', '2027-03-29T00:30',
    ]);
  });

  test('02:30 runs once on the fall-back day', () => {
    expect(events('cron(30 2 * * ? *)', 'Europe/Berlin', '2027-10-30T00:00:00Z', 3)).toEqual([
      '2027-10-30T00:30', '2027-10-31T00:30 =', '2027-11-01T01:30',
    ]);
  });
});

describe('cron in Australia/Sydney (southern hemisphere: DST ends 4 April, starts 3 October 2027)', () => {
  test('02:30 runs once when the clocks fall back in April', () => {
    expect(events('cron(30 2 * * ? *)', 'Australia/Sydney', '2027-04-02T00:00:00Z', 3)).toEqual([
      '2027-04-02T15:30', '2027-04-03T15:30 =', '2027-04-04T16:30',
    ]);
  });

  test('02:30 is skipped when the clocks spring forward in October', () => {
    expect(events('cron(30 2 * * ? *)', 'Australia/Sydney', '2027-10-01T00:00:00Z', 2)).toEqual([
      '2027-10-01T16:30', 'skip 2027-10-03 02:30', '2027-10-03T15:30',
    ]);
  });
});

describe('rate in a zone', () => {
  test('is a fixed interval of elapsed time from the start date: a daily run moves one local hour across DST', () => {
    // 00:00 EST on 13 March; 24 hours later it is 01:00 EDT.
    expect(iso(nextRuns('rate(1 day)', 3, at('2027-03-12T00:00:00Z'), { timeZone: 'America/New_York', startDate: at('2027-03-13T05:00:00Z') }))).toEqual([
      '2027-03-13T05:00:00.000Z', '2027-03-14T05:00:00.000Z', '2027-03-15T05:00:00.000Z',
    ]);
  });

  test('keeps the start date\'s phase when asked from later on, and stops at the end date', () => {
    expect(iso(nextRuns('rate(6 hours)', 5, at('2027-04-03T13:00:00Z'), { timeZone: 'Australia/Sydney', startDate: at('2027-04-01T00:00:00Z'), endDate: at('2027-04-04T00:00:00Z') }))).toEqual([
      '2027-04-03T18:00:00.000Z',
    ]);
  });

  test('without a start date counts from the moment asked (AWS starts it at creation)', () => {
    expect(iso(nextRuns('rate(90 minutes)', 2, at('2027-11-07T05:00:00Z'), { timeZone: 'America/New_York' }))).toEqual([
      '2027-11-07T06:30:00.000Z', '2027-11-07T08:00:00.000Z',
    ]);
  });
});

describe('one-time at()', () => {
  test('runs once at its local time in the zone', () => {
    expect(runs('at(2027-06-01T09:00:00)', 'Europe/Berlin', '2027-01-01T00:00:00Z', 5)).toEqual(['2027-06-01T07:00:00.000Z']);
  });
  test('has no run once its time has passed', () => {
    expect(runs('at(2027-06-01T09:00:00)', 'Europe/Berlin', '2027-06-01T07:00:00Z', 1)).toEqual([]);
  });
  test('a local time a spring-forward skips never runs; one a fall-back repeats runs at the first', () => {
    expect(events('at(2027-03-14T02:30:00)', 'America/New_York', '2027-01-01T00:00:00Z', 1)).toEqual(['skip 2027-03-14 02:30']);
    expect(events('at(2027-11-07T01:30:00)', 'America/New_York', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-11-07T05:30 =']);
  });
});

describe('start and end dates bound cron runs', () => {
  test('no run before the start date or at and after the end date', () => {
    expect(iso(nextRuns('cron(0 9 * * ? *)', 5, at('2027-01-01T00:00:00Z'), {
      timeZone: 'Asia/Seoul', startDate: at('2027-01-03T00:00:00Z'), endDate: at('2027-01-05T00:00:00Z'),
    }))).toEqual(['2027-01-03T00:00:00.000Z', '2027-01-04T00:00:00.000Z']);
  });
});

describe('longestGap in a zone', () => {
  test('a daily run whose local time the spring-forward skips is 47 hours apart once a year', () => {
    expect(longestGap('cron(30 2 * * ? *)', 'America/New_York').longestGapSeconds).toBe(47 * 3600);
    expect(longestGap('cron(30 2 * * ? *)', 'UTC').longestGapSeconds).toBe(24 * 3600);
  });
  test('a daily run at 09:00 is 25 hours apart across the fall-back', () => {
    expect(longestGap('cron(0 9 * * ? *)', 'Europe/Berlin').longestGapSeconds).toBe(25 * 3600);
  });
  test('Asia/Seoul has no DST: a daily run is exactly a day apart', () => {
    expect(longestGap('cron(10 0 * * ? *)', 'Asia/Seoul').longestGapSeconds).toBe(24 * 3600);
  });
});
