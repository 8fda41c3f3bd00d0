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
    // (nor any other: a monthly one's missed runs are watched too, by the stage's watchdog)
    expect(warningsOf({ schedule })).toEqual([]);
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
  const warningsAt = (batch: Record<string, unknown>) =>
    declarationWarnings(validateDeclarations({ stages: [STAGE], batches: [{ ...BATCH, timezone: 'Asia/Seoul', ...batch }] }, { fileExists }), NOW);

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

describe('declarationWarnings: environment values that look like secrets', () => {
  const FIX = 'Environment values are written into the committed template and manifest and are readable in the function\'s configuration (the preview role can read it).'
    + ' Fix: if it is a secret, store it in SSM Parameter Store (SecureString) or Secrets Manager, remove it from environment and declare secrets:';

  test('a name saying PASSWORD: the warning names the variable and the fix, and never quotes the value', () => {
    const warnings = warningsOf({ environment: { DB_PASSWORD: 'hunter2-prod' } });
    expect(warnings).toEqual([
      `batch "daily-stats", field "environment.DB_PASSWORD": its name says it holds a password. ${FIX} { DB_PASSWORD: Secret.ssm('/<parameter name>') }`
      + ' (or Secret.secretsManager(\'<secret name>\')), read with secret(\'DB_PASSWORD\') from batchform/runtime; locally, put DB_PASSWORD in .env.local (docs/guides/secrets.md).',
    ]);
    expect(warnings.join('\n')).not.toContain('hunter2-prod');
  });

  test.each([
    ['API_TOKEN', 'abc', 'its name says it holds a token'],
    ['STRIPE_SECRET', 'sk_live_x', 'its name says it holds a secret'],
    ['API_KEY', 'k', 'its name says it holds a key'],
    ['DATABASE_URL', 'postgres://app:s3cret@db.internal:5432/app', 'its value is a URL with a user name and password (scheme://user:password@)'],
    ['UPSTREAM', 'ghp_4fQk9ZxT2LmA8rVb7NcW1pYs6HdE3uJo5KgI', 'its value is a 40-character random-looking string (like a key or token)'],
    ['SIGNING', 'f3a9c1e07b5d8e2f4a6c9b1d3e5f7a8c2b4d6e8f0a1c3e5b', 'its value is a 48-character random-looking string (like a key or token)'],
  ])('%s gets a warning: %s', (name, value, reason) => {
    expect(warningsOf({ environment: { [name]: value } })).toEqual([expect.stringContaining(`field "environment.${name}": ${reason}. `)]);
  });

  test.each([
    ['DATABASE_SECRET_ID', 'prod/db'],
    ['KMS_KEY_ARN', 'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['API_KEY_PARAMETER', '/app/api-key'],
    ['DATABASE_URL', 'postgres://db.internal:5432/app'],
    ['DB_HOST', 'prod-db.cluster-c9x2kq7w1abc.ap-northeast-2.rds.amazonaws.com'],
    ['REPORT_BUCKET', 'reports-prod-2026-archive-ap-northeast-2'],
    ['NODE_EXTRA_CA_CERTS', '/var/runtime/ca-cert.pem'],
    ['REQUEST_ID', '6f1c2a7e-0b9d-4e3f-a5c8-1d2e3f4a5b6c'],
    ['TABLE_ARN', 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/stats'],
    ['GREETING', 'Good morning, the report for yesterday is ready'],
  ])('%s (a reference or plain setting) gets none', (name, value) => {
    expect(warningsOf({ environment: { [name]: value } })).toEqual([]);
  });

  test('a stage\'s own secret-looking value is warned about, naming the stage', () => {
    expect(warningsOf({ overrides: { staging: { environment: { API_TOKEN: 'staging-token' } } } })).toEqual([
      expect.stringMatching(/^batch "daily-stats" in stage "staging", field "environment.API_TOKEN": its name says it holds a token\. /),
    ]);
  });

  test('secrets declared by reference get no warning', () => {
    expect(warningsOf({ secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'prod/db', field: 'password' } } })).toEqual([]);
  });
});
