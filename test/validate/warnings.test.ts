import { validateDeclarations } from '../../src/validate/validate';
import { declarationWarnings } from '../../src/validate/warnings';
import { BATCH, fileExists, STAGE } from '../fixtures';

const STAGING = { ...STAGE, name: 'staging' };
const warningsOf = (batch: Record<string, unknown>): string[] =>
  declarationWarnings(validateDeclarations({ stages: [STAGE, STAGING], batches: [{ ...BATCH, ...batch }] }, { fileExists }));

describe('declarationWarnings: day-of-week numbers that look like Unix numbering', () => {
  test('"1-5" is SUN-THU in AWS: a warning naming those days and the likely MON-FRI', () => {
    expect(warningsOf({ schedule: 'cron(0 9 ? * 1-5 *)' })).toEqual([
      'batch "daily-stats", field "schedule": day-of-week "1-5" in cron(0 9 ? * 1-5 *) means SUN-THU in AWS cron (1 = SUN, 7 = SAT), '
      + 'not MON-FRI as in Unix crontab. If you meant MON-FRI, write cron(0 9 ? * MON-FRI *); if SUN-THU is right, write cron(0 9 ? * SUN-THU *) to say so.',
    ]);
  });

  test('a single day and a list are warned about too', () => {
    expect(warningsOf({ schedule: 'cron(0 9 ? * 2 *)' })).toEqual([expect.stringContaining('day-of-week "2" in cron(0 9 ? * 2 *) means MON in AWS cron (1 = SUN, 7 = SAT), not TUE')]);
    expect(warningsOf({ schedule: 'cron(0 9 ? * 1,7 *)' })).toEqual([expect.stringContaining('means SUN,SAT in AWS cron (1 = SUN, 7 = SAT), not MON,SUN')]);
  });

  test.each([
    'cron(0 9 ? * MON-FRI *)', // names mean the same in both
    'cron(0 9 ? * 1-7 *)', // every day either way
    'cron(0 9 ? * */2 *)', // SUN, TUE, THU, SAT either way
    'cron(0 9 ? * 3#2 *)', // # exists only in AWS cron: its numbers are AWS numbers
    'cron(0 9 ? * 6L *)',
    'cron(0 9 * * ? *)',
  ])('%s gets no day-of-week warning', (schedule) => {
    // (a monthly one still gets the missed-run alarm warning)
    expect(warningsOf({ schedule }).filter((w) => w.includes('day-of-week'))).toEqual([]);
    expect(warningsOf({ schedule }).filter((w) => !w.includes('missed-run alarm'))).toEqual([]);
  });

  test('a stage override with numbered weekdays gets the warning naming the stage', () => {
    expect(warningsOf({ overrides: { staging: { schedule: 'cron(0 9 ? * 1-5 *)' } } })).toEqual([
      expect.stringMatching(/^batch "daily-stats" in stage "staging", field "schedule": day-of-week "1-5" .* means SUN-THU/),
    ]);
  });
});

describe('declarationWarnings: a stage whose batches may assume its operator role', () => {
  const operator = 'arn:aws:iam::111122223333:role/batchform/prod-operate';
  const warningsFor = (assumableRoleArns: string[]) =>
    declarationWarnings(validateDeclarations({ stages: [{ ...STAGE, account: '111122223333', assumableRoleArns }], batches: [BATCH] }, { fileExists }));

  test('names the stage, the role and what a batch could then do', () => {
    expect(STAGE.name).toBe('prod');
    expect(warningsFor([operator])).toEqual([
      `stage "prod", field "assumableRoleArns": lists the stage's operator role ${operator}, so every batch of the stage may act as its operators `
      + '(invoke any batch, receive and delete their dead letters, read their logs), beyond what the permissions boundary leaves a batch. Remove it unless a batch must drive the others.',
    ]);
  });

  test('another role, or another stage\'s operator role, gets no such warning', () => {
    expect(warningsFor(['arn:aws:iam::111122223333:role/reporting-reader', 'arn:aws:iam::111122223333:role/batchform/staging-operate'])
      .filter((w) => w.includes('operator role'))).toEqual([]);
  });
});

describe('declarationWarnings: start and end dates already past', () => {
  const NOW = new Date('2027-03-01T00:00:00Z');
  // (A batch with start or end dates also gets the no-missed-run-alarm warning, not checked here.)
  const warningsAt = (batch: Record<string, unknown>) =>
    declarationWarnings(validateDeclarations({ stages: [STAGE], batches: [{ ...BATCH, timezone: 'Asia/Seoul', ...batch }] }, { fileExists }), NOW)
      .filter((w) => !w.includes('missed-run alarm'));

  test('a startDate more than 5 minutes past: the Scheduler refuses it on every create and update', () => {
    expect(warningsAt({ startDate: '2027-02-28T23:54:00Z' })).toEqual([
      'batch "daily-stats", field "startDate": 2027-02-28T23:54:00.000Z is in the past; EventBridge Scheduler refuses a StartDate more than 5 minutes ago, '
      + 'so creating this schedule, and every later change to it, fails. Remove startDate (the schedule then runs from deployment) or set a future one.',
    ]);
  });

  test('within the Scheduler\'s 5 minutes, or in the future: no warning', () => {
    expect(warningsAt({ startDate: '2027-02-28T23:56:00Z' })).toEqual([]);
    expect(warningsAt({ startDate: '2027-04-01T00:00:00+09:00' })).toEqual([]);
  });

  test('a past endDate: the schedule never runs again', () => {
    expect(warningsAt({ endDate: '2027-02-01T00:00:00+09:00' })).toEqual([
      'batch "daily-stats", field "endDate": 2027-01-31T15:00:00.000Z is in the past, so the schedule will never run again. Set a later endDate, remove it, or remove the batch.',
    ]);
    expect(warningsAt({ endDate: '2027-04-01T00:00:00+09:00' })).toEqual([]);
  });
});
