// Checks the one-line English descriptions of schedules, including AWS day numbering and L/W/#/year.

import { describeSchedule, parseSchedule, ScheduleError } from '../../src/schedule';

describe('describeSchedule', () => {
  test.each([
    ['cron(0 3 * * ? *)', 'At 03:00, every day (UTC)'],
    ['cron(30 6 * * ? *)', 'At 06:30, every day (UTC)'],
    ['cron(0 3 ? * MON-FRI *)', 'At 03:00, Monday through Friday (UTC)'],
    ['cron(0 0 ? * mon-fri *)', 'At 00:00, Monday through Friday (UTC)'],
    ['cron(0/15 * * * ? *)', 'Every 15 minutes, every hour, every day (UTC)'],
    ['cron(*/5 9-17 ? * MON-FRI *)', 'Every 5 minutes, between 09:00 and 17:59, Monday through Friday (UTC)'],
    ['cron(0 12 1,15 * ? *)', 'At 12:00, on day 1 and 15 of the month (UTC)'],
    ['cron(0 0 L * ? *)', 'At 00:00, on the last day of the month (UTC)'],
    ['cron(0 0 LW * ? *)', 'At 00:00, on the last weekday of the month (UTC)'],
    ['cron(0 9 15W * ? *)', 'At 09:00, on the weekday nearest day 15 of the month (UTC)'],
    ['cron(0 10 ? * 6L *)', 'At 10:00, on the last Friday of the month (UTC)'],
    ['cron(0 12 ? * 3#2 *)', 'At 12:00, on the second Tuesday of the month (UTC)'],
    // AWS numbering: 1 = Sunday, 7 = Saturday, and L alone = Saturday.
    ['cron(0 12 ? * 1 *)', 'At 12:00, only on Sunday (UTC)'],
    ['cron(0 12 ? * 7 *)', 'At 12:00, only on Saturday (UTC)'],
    ['cron(0 0 ? * L *)', 'At 00:00, only on Saturday (UTC)'],
    ['cron(0 8 ? * 2,4,6 *)', 'At 08:00, only on Monday, Wednesday, and Friday (UTC)'],
    ['cron(0 0 1 JAN ? 2027)', 'At 00:00, on day 1 of the month, only in January, only in 2027 (UTC)'],
    ['cron(15 10 ? * 6L 2026-2028)', 'At 10:15, on the last Friday of the month, 2026 through 2028 (UTC)'],
    ['cron(0 0 1 */3 ? *)', 'At 00:00, on day 1 of the month, every 3 months (UTC)'],
    ['cron(0 0 1 1 ? 2026/2)', 'At 00:00, on day 1 of the month, only in January, every 2 years, 2026 through 2199 (UTC)'],
    ['cron(0 0 ? * 1#5 2030)', 'At 00:00, on the fifth Sunday of the month, only in 2030 (UTC)'],
    ['rate(1 minute)', 'Every minute'],
    ['rate(5 minutes)', 'Every 5 minutes'],
    ['rate(1 hour)', 'Every hour'],
    ['rate(12 hours)', 'Every 12 hours'],
    ['rate(1 day)', 'Every day'],
    ['rate(2 days)', 'Every 2 days'],
  ])('%s -> %s', (expression, description) => {
    expect(describeSchedule(expression)).toBe(description);
  });

  test('accepts a parsed schedule', () => {
    expect(describeSchedule(parseSchedule('cron(0 3 * * ? *)'))).toBe('At 03:00, every day (UTC)');
  });

  test('rejects an invalid expression with the validation error', () => {
    expect(() => describeSchedule('cron(0 3 * * *)')).toThrow(ScheduleError);
  });
});
