import { previousLocalWeek } from '../../handlers/weekly-report';
import { localDate, weekday } from '../../src/runtime';

describe('localDate', () => {
  test.each([
    ['2026-11-25T15:10:00Z', 'Asia/Seoul', 0, '2026-11-26'],
    ['2026-11-25T15:10:00Z', 'Asia/Seoul', -1, '2026-11-25'],
    ['2026-11-25T14:59:59Z', 'Asia/Seoul', 0, '2026-11-25'],
    ['2026-11-25T15:10:00Z', 'UTC', 0, '2026-11-25'],
    ['2026-03-01T00:30:00+09:00', 'Asia/Seoul', -1, '2026-02-28'],
    ['2028-03-01T00:30:00+09:00', 'Asia/Seoul', -1, '2028-02-29'],
    ['2027-01-01T03:00:00Z', 'America/Los_Angeles', 0, '2026-12-31'],
    ['2026-11-01T05:30:00Z', 'America/New_York', 0, '2026-11-01'], // 01:30 EDT, the first of the repeated hour
    ['2026-12-31T20:00:00Z', 'Asia/Seoul', 1, '2027-01-02'],
  ])('%s in %s %+d days is %s', (time, tz, add, expected) => {
    expect(localDate(new Date(time), tz, add)).toBe(expected);
  });

  test('weekday numbers Sunday 0 to Saturday 6', () => {
    expect(['2026-11-22', '2026-11-23', '2026-11-28'].map(weekday)).toEqual([0, 1, 6]);
  });
});

describe('weekly-report window', () => {
  test('is the Monday-to-Sunday week before the local week of the run', () => {
    // Monday 2026-11-30 09:00 in Seoul (00:00 UTC): the week of 23-29 November just ended.
    expect(previousLocalWeek(new Date('2026-11-30T00:00:00Z'), 'Asia/Seoul')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    // Sunday 2026-11-29 23:00 UTC is already Monday in Seoul, still Sunday in UTC.
    expect(previousLocalWeek(new Date('2026-11-29T23:00:00Z'), 'Asia/Seoul')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(previousLocalWeek(new Date('2026-11-29T23:00:00Z'), 'UTC')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
  });
});
