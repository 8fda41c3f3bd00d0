// The catalogue of rejected declarations: each a classic mistake and the exact error a user sees.
// docs/reference/bad-declarations.md is generated from this file (npx projen docs).
import type { BatchOptions } from '../../src/model/batch-options';
import type { StageOptions } from '../../src/model/stage-options';

/** One bad declaration: a change to the valid fixture, and the exact message it must produce. */
export interface CatalogueCase {
  readonly group: string;
  readonly title: string;
  /**
   * Changes to the valid batch. Keys that are not options are allowed (the unknown-option cases);
   * a misspelled key in any other case fails that case's exact-message check.
   */
  readonly batch?: Partial<Record<keyof BatchOptions, unknown>> & Readonly<Record<string, unknown>>;
  /** Changes to the valid stage (keys that are not options allowed, as for batch). */
  readonly stage?: Partial<Record<keyof StageOptions, unknown>> & Readonly<Record<string, unknown>>;
  /** A second stage, as changes to the valid one (for problems between stages). */
  readonly otherStage?: Partial<Record<keyof StageOptions, unknown>>;
  /** The exact problem line(s) the user sees. */
  readonly expected: string[];
}

/** The valid declarations every case starts from. */
export const BASE_STAGE: StageOptions = {
  name: 'prod',
  account: '111122223333',
  region: 'ap-northeast-2',
  artifactBucket: 'batchform-artifacts-111122223333',
  subnetIds: ['subnet-0a1b2c3d4e5f60718'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};
export const BASE_BATCH: BatchOptions = {
  name: 'daily-stats',
  handler: 'handlers/daily-stats.ts',
  schedule: 'cron(10 15 * * ? *)',
};

export const CASES: CatalogueCase[] = [
  // Schedules
  {
    group: 'Schedules',
    title: 'Unix crontab (5 fields)',
    batch: { schedule: 'cron(0 3 * * *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 * * *)" has 5 fields, like a Unix crontab line. Fix: AWS cron has six fields (minutes hours day-of-month month day-of-week year); Unix crontab has five. Add a year field and use ? for one day field: cron(0 3 * * ? *)',
    ],
  },
  {
    group: 'Schedules',
    title: 'Quartz/Spring seconds field (7 fields)',
    batch: { schedule: 'cron(0 0 3 * * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 0 3 * * ? *)" has 7 fields; AWS cron has no seconds field (the first field, "0", looks like Quartz/Spring seconds). Fix: AWS cron has six fields (minutes hours day-of-month month day-of-week year) and always runs at second 0. Drop the seconds field: cron(0 3 * * ? *)',
    ],
  },
  {
    group: 'Schedules',
    title: '`*` in both day fields',
    batch: { schedule: 'cron(0 3 * * * *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 * * * *)": day-of-month "*" and day-of-week "*" are both set; AWS needs ? in exactly one of them. Fix: use ? in day-of-week: cron(0 3 * * ? *)',
    ],
  },
  {
    group: 'Schedules',
    title: 'Unix weekdays 1-5 with a year added',
    batch: { schedule: 'cron(0 9 * * 1-5 *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 9 * * 1-5 *)": day-of-month "*" and day-of-week "1-5" are both set; AWS needs ? in exactly one of them. Fix: use ? in day-of-month. If "1-5" is Unix numbering (MON-FRI), write cron(0 9 ? * MON-FRI *); AWS numbers days 1 = SUN, so there "1-5" is SUN-THU: cron(0 9 ? * SUN-THU *)',
    ],
  },
  {
    group: 'Schedules',
    title: '`?` in both day fields',
    batch: { schedule: 'cron(0 3 ? * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 ? * ? *)": day-of-month and day-of-week are both "?"; exactly one of them must be ? Fix: put * in day-of-month to run every day: cron(0 3 * * ? *)',
    ],
  },
  {
    group: 'Schedules',
    title: 'day-of-week 0 (Unix Sunday)',
    batch: { schedule: 'cron(0 3 ? * 0 *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 ? * 0 *)": day-of-week "0" uses Unix crontab numbering (0 = Sunday); AWS numbers days 1-7 with 1 = SUN and 7 = SAT. Fix: write SUN (AWS numbers: 1)',
    ],
  },
  {
    group: 'Schedules',
    title: 'day-of-week 0-6 (Unix numbering)',
    batch: { schedule: 'cron(0 3 ? * 0-6 *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 ? * 0-6 *)": day-of-week "0-6" uses Unix crontab numbering (0 = Sunday); AWS numbers days 1-7 with 1 = SUN and 7 = SAT. Fix: write SUN-SAT (AWS numbers: 1-7)',
    ],
  },
  {
    group: 'Schedules',
    title: 'minute 60',
    batch: { schedule: 'cron(60 3 * * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(60 3 * * ? *)": minutes "60" is out of range (0-59). Fix: use a minute from 0 to 59',
    ],
  },
  {
    group: 'Schedules',
    title: 'hour 24',
    batch: { schedule: 'cron(0 24 * * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 24 * * ? *)": hours "24" is out of range (0-23). Fix: use an hour from 0 to 23 (midnight is 0)',
    ],
  },
  {
    group: 'Schedules',
    title: 'month 13',
    batch: { schedule: 'cron(0 3 1 13 ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 1 13 ? *)": month "13" is out of range (1-12). Fix: use 1-12 or JAN-DEC',
    ],
  },
  {
    group: 'Schedules',
    title: 'year before 1970',
    batch: { schedule: 'cron(0 3 1 1 ? 1969)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 1 1 ? 1969)": year "1969" is out of range (1970-2199). Fix: use a year from 1970 to 2199',
    ],
  },
  {
    group: 'Schedules',
    title: 'reversed range',
    batch: { schedule: 'cron(0 17-9 * * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 17-9 * * ? *)": hours "17-9": range "17-9" runs backwards (17 comes after 9); AWS does not wrap ranges around. Fix: write 9-17, or 17-23,0-9 to wrap around',
    ],
  },
  {
    group: 'Schedules',
    title: 'step of zero',
    batch: { schedule: 'cron(*/0 * * * ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(*/0 * * * ? *)": minutes "*/0": step "0" must be at least 1. Fix: use a step from 1 to 59, e.g. */5',
    ],
  },
  {
    group: 'Schedules',
    title: '`W` in day-of-week',
    batch: { schedule: 'cron(0 3 ? * 2W *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 ? * 2W *)": day-of-week "2W" uses "W", which is only allowed in day-of-month. Fix: for the weekday nearest a date write nW in day-of-month (e.g. 15W); for working days write MON-FRI here',
    ],
  },
  {
    group: 'Schedules',
    title: 'two `#` expressions',
    batch: { schedule: 'cron(0 3 ? * 2#1,2#3 *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 3 ? * 2#1,2#3 *)": day-of-week "2#1,2#3" has 2 "#" expressions; AWS allows only one per rule. Fix: keep a single n#k (e.g. 3#2 = second Tuesday) and declare another batch for each other occurrence',
    ],
  },
  {
    group: 'Schedules',
    title: '`rate(1 minutes)` (plural with 1)',
    batch: { schedule: 'rate(1 minutes)' },
    expected: [
      'batch "daily-stats", field "schedule": "rate(1 minutes)" uses the plural "minutes" with 1. Fix: use the singular for a value of 1: rate(1 minute)',
    ],
  },
  {
    group: 'Schedules',
    title: '`rate(5 minute)` (singular with 5)',
    batch: { schedule: 'rate(5 minute)' },
    expected: [
      'batch "daily-stats", field "schedule": "rate(5 minute)" uses the singular "minute" with 5. Fix: use the plural for values above 1: rate(5 minutes)',
    ],
  },
  {
    group: 'Schedules',
    title: '`rate(0 minutes)`',
    batch: { schedule: 'rate(0 minutes)' },
    expected: [
      'batch "daily-stats", field "schedule": "rate(0 minutes)": rate value "0" must be at least 1. Fix: use a positive whole number, e.g. rate(1 minute)',
    ],
  },
  {
    group: 'Schedules',
    title: 'seconds in a rate',
    batch: { schedule: 'rate(30 seconds)' },
    expected: [
      'batch "daily-stats", field "schedule": "rate(30 seconds)": rate unit "seconds" is not supported: the minimum rate is one minute. Fix: use rate(1 minute); for sub-minute work, loop inside one invocation',
    ],
  },
  {
    group: 'Schedules',
    title: 'not an expression',
    batch: { schedule: 'every day at 3' },
    expected: [
      'batch "daily-stats", field "schedule": "every day at 3" is not a schedule expression. Fix: write cron(minutes hours day-of-month month day-of-week year) or rate(value unit), e.g. cron(0 3 * * ? *) or rate(5 minutes)',
    ],
  },
  // Names and files
  {
    group: 'Names and files',
    title: 'upper case name',
    batch: { name: 'DailyStats' },
    expected: [
      'batch "DailyStats", field "name": "DailyStats" is not a valid batch name. Fix: use lowercase letters, digits and single hyphens, starting with a letter, e.g. "daily-stats".',
    ],
  },
  {
    group: 'Names and files',
    title: 'name too long with the stage prefix',
    batch: { name: `daily-${'x'.repeat(56)}` },
    expected: [
      "batch \"daily-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", field \"name\": in stage \"prod\" the function name \"prod-daily-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is 67 characters; Lambda allows 64. Fix: shorten the batch name to 59 characters or fewer, or the stage's stackPrefix.",
    ],
  },
  {
    group: 'Names and files',
    title: 'reserved name',
    batch: { name: 'manifest' },
    expected: [
      "batch \"manifest\", field \"name\": \"manifest\" is reserved: cfn-out/manifest.json is batchform's own file. Fix: choose another name, e.g. \"manifest-job\".",
    ],
  },
  {
    group: 'Names and files',
    title: 'the stage stack\'s reserved name',
    batch: { name: 'stage' },
    expected: [
      'batch "stage", field "name": "stage" is reserved: every stage has a stage stack named <stackPrefix>-stage (its alarm topic; cfn-out/stage.template.json), which a batch stack of that name would collide with. Fix: choose another name, e.g. "stage-job".',
    ],
  },
  {
    group: 'Names and files',
    title: 'handler outside handlers/',
    batch: { handler: 'src/jobs/daily-stats.ts' },
    expected: [
      'batch "daily-stats", field "handler": "src/jobs/daily-stats.ts" is outside handlers/. Fix: move the file under handlers/ and write its path relative to the project root, e.g. "handlers/daily-stats.ts".',
    ],
  },
  {
    group: 'Names and files',
    title: 'handler that does not exist',
    batch: { handler: 'handlers/daily-stat.ts' },
    expected: [
      'batch "daily-stats", field "handler": "handlers/daily-stat.ts" does not exist. Fix: create handlers/daily-stat.ts exporting `handler`, or correct the path.',
    ],
  },
  // Time zones
  {
    group: 'Time zones',
    title: 'misspelled IANA zone',
    batch: { timezone: 'Asia/Seol' },
    expected: [
      'batch "daily-stats", field "timezone": "Asia/Seol" is not an IANA time zone. Fix: did you mean "Asia/Seoul"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".',
    ],
  },
  {
    group: 'Time zones',
    title: 'abbreviation instead of a zone',
    batch: { timezone: 'KST' },
    expected: [
      'batch "daily-stats", field "timezone": "KST" is not an IANA time zone. Fix: use a name from the IANA database such as "Asia/Seoul", "Europe/Berlin" or "UTC".',
    ],
  },
  // Sizes and limits
  {
    group: 'Sizes and limits',
    title: 'timeout over 15 minutes',
    batch: { timeout: 1200 },
    expected: [
      "batch \"daily-stats\", field \"timeout\": 1200 seconds is outside Lambda's range (1-900 s, 15 minutes at most). Fix: use 900 or less. For a longer job make the batch durable (durable: { executionTimeout: 3600 }, with timeout: 900): its run is made of checkpointed steps and may last up to 366 days; or split the job into smaller runs (e.g. a more frequent schedule over smaller windows).",
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'memory below 128 MB',
    batch: { memorySize: 64 },
    expected: [
      "batch \"daily-stats\", field \"memorySize\": 64 MB is outside Lambda's range. Fix: use a whole number of MB from 128 to 10240.",
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'memory above 10240 MB',
    batch: { memorySize: 16384 },
    expected: [
      "batch \"daily-stats\", field \"memorySize\": 16384 MB is outside Lambda's range. Fix: use a whole number of MB from 128 to 10240.",
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'retention CloudWatch does not offer',
    batch: { logRetentionDays: 45 },
    expected: [
      'batch "daily-stats", field "logRetentionDays": 45 is not a retention CloudWatch Logs allows. Fix: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (nearest: 30).',
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'deprecated runtime',
    batch: { runtime: 'nodejs20.x' },
    expected: [
      'batch "daily-stats", field "runtime": "nodejs20.x" is not a supported Node.js Lambda runtime (it is deprecated). Fix: use one of nodejs22.x, nodejs24.x, or leave runtime out for nodejs24.x.',
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'reserved concurrency 0',
    batch: { reservedConcurrency: 0 },
    expected: [
      'batch "daily-stats", field "reservedConcurrency": 0 is not a usable reserved concurrency. Fix: use enabled: false to stop a batch; reserved concurrency 0 would throttle every run.',
    ],
  },
  {
    group: 'Sizes and limits',
    title: 'Lambda-reserved environment variable',
    batch: { environment: { AWS_REGION: 'ap-northeast-2' } },
    expected: [
      'batch "daily-stats", field "environment.AWS_REGION": "AWS_REGION" is reserved by Lambda. Fix: rename the variable; Lambda sets this one itself.',
    ],
  },
  // Inputs
  {
    group: 'Inputs',
    title: 'input over 8192 characters',
    batch: { input: { ids: Array.from({ length: 1500 }, (_, i) => i * 1000) } },
    expected: [
      'batch "daily-stats", field "input": is 10896 characters as JSON; EventBridge allows 8192. Fix: pass a smaller input, e.g. a key the handler uses to load the rest from S3 or SSM.',
    ],
  },
  {
    group: 'Inputs',
    title: 'input that is not an object',
    batch: { input: 'weekly' },
    expected: [
      'batch "daily-stats", field "input": "weekly" is not a JSON object. Fix: pass an object, e.g. { report: "weekly" }, or leave input out.',
    ],
  },
  // Retries and alarms
  {
    group: 'Retries and alarms',
    title: 'three async retries',
    batch: { retryAttempts: 3 },
    expected: [
      "batch \"daily-stats\", field \"retryAttempts\": 3 is outside Lambda's range for asynchronous retries (0-2). Fix: use 0, 1 (the default) or 2.",
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'event age over 6 hours',
    batch: { maxEventAgeSeconds: 86400 },
    expected: [
      'batch "daily-stats", field "maxEventAgeSeconds": 86400 seconds is outside the allowed range (60-21600). Fix: use a whole number of seconds from 60 to 21600 (6 hours); the default is 3600.',
    ],
  },
  {
    group: 'Run ledger',
    title: 'overlap policy that does not exist',
    batch: { overlap: 'queue' },
    expected: [
      'batch "daily-stats", field "overlap": "queue" is not an overlap policy. Fix: write overlap: \'skip\' (the default: a run is skipped while the previous one runs) or overlap: \'allow\' (runs may overlap).',
    ],
  },
  {
    group: 'Run ledger',
    title: 'missed-run grace of zero minutes',
    batch: { missedRunGraceMinutes: 0 },
    expected: [
      'batch "daily-stats", field "missedRunGraceMinutes": 0 is not a number of minutes from 1 to 44640 (31 days). Fix: use a whole number of minutes after the scheduled time, e.g. 60; leave it out for 15 minutes plus the flexible window.',
    ],
  },
  {
    group: 'Run ledger',
    title: 'ledger retention of zero days',
    stage: { ledgerRetentionDays: 0 },
    expected: [
      'stage "prod", field "ledgerRetentionDays": 0 is not a number of days from 1 to 3653. Fix: use a whole number of days, e.g. 400 to keep a year of history; leave it out for 90.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'failure alarm after zero failed runs',
    batch: { failureAlarmAfter: 0 },
    expected: [
      'batch "daily-stats", field "failureAlarmAfter": 0 is not a number of failed runs from 1 to 100. Fix: use a whole number, e.g. 3 to be told after the third scheduled time in a row fails; leave it out for 1 (every failure).',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'maximum duration not below the timeout',
    batch: { maxDuration: 60 },
    expected: [
      'batch "daily-stats", field "maxDuration": 60 seconds is not less than the batch\'s timeout (60 seconds): a run is stopped at its timeout before it could take longer, so the duration alarm could never go off. Fix: use fewer seconds than 60 (a run stopped at its timeout already sets off an alarm), or leave maxDuration out.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'maximum duration of a durable batch past its execution timeout',
    batch: { maxDuration: 7200, timeout: 900, durable: { executionTimeout: 3600 } },
    expected: [
      'batch "daily-stats", field "maxDuration": 7200 seconds is not less than the batch\'s durable.executionTimeout (3600 seconds): a run is stopped at its durable.executionTimeout before it could take longer, so the duration alarm could never go off. Fix: use fewer seconds than 3600 (a run stopped at its durable.executionTimeout already sets off an alarm), or leave maxDuration out.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'maximum duration without alarms',
    batch: { maxDuration: 30, alarms: false },
    expected: [
      'batch "daily-stats", field "maxDuration": is set, but alarms: false gives the batch no alarms to apply it to. Fix: remove maxDuration, or alarms: false.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'alarm topic that is not an ARN',
    stage: { alarmTopicArn: 'oncall' },
    expected: [
      'stage "prod", field "alarmTopicArn": "oncall" is not an SNS topic ARN. Fix: use an ARN like "arn:aws:sns:ap-northeast-2:111122223333:oncall".',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'both alarm topic and e-mails',
    stage: { alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:oncall', alarmEmails: ['ops@example.com'] },
    expected: [
      'stage "prod", field "alarmEmails": is set together with alarmTopicArn; alarms go to one or the other. Fix: subscribe the addresses to the topic instead, or remove alarmTopicArn.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'malformed alarm e-mail',
    stage: { alarmEmails: ['ops at example.com'] },
    expected: [
      'stage "prod", field "alarmEmails": "ops at example.com" is not an e-mail address. Fix: write addresses like "oncall@example.com".',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'batch alarm topic that is not an ARN',
    batch: { alarmTopicArn: 'data-oncall' },
    expected: [
      'batch "daily-stats", field "alarmTopicArn": "data-oncall" is not an SNS topic ARN. Fix: use an ARN like "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:data-team-oncall".',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'batch alarm topic in another region than the stage',
    batch: { alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:data-oncall' },
    expected: [
      'batch "daily-stats", field "alarmTopicArn": in stage "prod" names a topic in us-east-1, but the stage\'s alarms are in ap-northeast-2; CloudWatch only notifies topics of its own region. Fix: write ${AWS::Region} in place of the region, or use a topic in the stage\'s region.',
    ],
  },
  {
    group: 'Retries and alarms',
    title: 'batch alarm topic with alarms off',
    batch: { alarms: false, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:data-oncall' },
    expected: [
      'batch "daily-stats", field "alarmTopicArn": is set, but alarms: false gives the batch no alarms to send there. Fix: remove alarmTopicArn, or alarms: false.',
    ],
  },
  // Stages and VPC
  {
    group: 'Stages and VPC',
    title: 'unknown stage',
    batch: { stages: ['production'] },
    expected: [
      'batch "daily-stats", field "stages": refers to stage "production", which is not declared. Fix: use one of "prod", or declare stage "production".',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'VPC batch in a stage without subnets',
    batch: { vpc: true },
    stage: { subnetIds: [] },
    expected: [
      'batch "daily-stats", field "vpc": is on, but stage "prod" has no subnetIds. Fix: add subnetIds to stage "prod" (private subnets that reach the database), or set vpc: false.',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'malformed subnet id',
    stage: { subnetIds: ['subnet-123'] },
    expected: [
      'stage "prod", field "subnetIds": "subnet-123" is not a subnet id. Fix: use ids like "subnet-0123456789abcdef0" (from the VPC console or `aws ec2 describe-subnets`).',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'drift detection as a string',
    stage: { driftDetection: 'off' },
    expected: [
      'stage "prod", field "driftDetection": "off" is not true or false. Fix: write driftDetection: false to turn drift detection off (and its read rights), or leave it out.',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'account id as a number',
    stage: { account: 11112222333 },
    expected: [
      'stage "prod", field "account": 11112222333 is not a 12-digit AWS account id. Fix: write the account id as a 12-digit string, e.g. "111122223333" (quote it to keep leading zeros).',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'bootstrap execution role without its permissions boundary',
    stage: { executionRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-cfn-exec' },
    expected: [
      "stage \"prod\", field \"permissionsBoundaryArn\": is missing, but executionRoleArn is a bootstrap execution role, which creates function roles only with the batch permissions boundary. Fix: add the bootstrap's PermissionsBoundaryArn output, e.g. \"arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'region name instead of code',
    stage: { region: 'Seoul' },
    expected: [
      'stage "prod", field "region": "Seoul" is not an AWS region. Fix: use a region code such as "ap-northeast-2" or "us-east-1".',
    ],
  },
  // IAM
  {
    group: 'IAM',
    title: 'action without a service prefix',
    batch: { policyStatements: [{ actions: ['GetSecretValue'], resources: ['*'] }] },
    expected: [
      'batch "daily-stats", field "policyStatements[0].actions": "GetSecretValue" is not an IAM action. Fix: write actions as service:Action, e.g. "s3:GetObject".',
    ],
  },
  {
    group: 'IAM',
    title: 'unknown placeholder in a resource',
    batch: { policyStatements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::${Bucket}/*'] }] },
    expected: [
      'batch "daily-stats", field "policyStatements[0].resources": "arn:aws:s3:::${Bucket}/*" is not an ARN. Fix: write full ARNs such as "arn:aws:s3:::my-bucket/*"; the only placeholders allowed are ${AWS::Partition}, ${AWS::Region}, ${AWS::AccountId}, ${AWS::StackName}, ${AWS::URLSuffix}.',
    ],
  },
  // EventBridge Scheduler (batches with a time zone)
  {
    group: 'EventBridge Scheduler',
    title: 'one-time at() on a UTC batch',
    batch: { schedule: 'at(2027-01-04T09:00:00)' },
    expected: [
      'batch "daily-stats", field "schedule": "at(2027-01-04T09:00:00)" is a one-time schedule, which only EventBridge Scheduler runs; this batch runs in UTC on an EventBridge rule. Fix: give the batch its time zone (e.g. timezone: "Europe/Berlin"), which runs it on the Scheduler, or write a cron with a fixed date such as cron(0 9 4 JAN ? 2027).',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'Scheduler option on a UTC batch',
    batch: { flexibleWindowMinutes: 15 },
    expected: [
      'batch "daily-stats", field "flexibleWindowMinutes": is an EventBridge Scheduler option, but this batch runs in UTC on an EventBridge rule. Fix: give the batch its time zone (e.g. timezone: "Europe/Berlin"), which runs it on the Scheduler, or remove the option.',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'flexible window over the Scheduler limit',
    batch: { timezone: 'Asia/Seoul', flexibleWindowMinutes: 1500 },
    expected: [
      "batch \"daily-stats\", field \"flexibleWindowMinutes\": 1500 is outside the Scheduler's flexible window range (1-1440 minutes). Fix: use a whole number of minutes from 1 to 1440 (24 hours), or leave it out for runs at their exact minute.",
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'end date before start date',
    batch: { timezone: 'Asia/Seoul', startDate: '2027-06-01T00:00:00+09:00', endDate: '2027-01-01T00:00:00+09:00' },
    expected: [
      'batch "daily-stats", field "endDate": "2027-01-01T00:00:00+09:00" is not after startDate "2027-06-01T00:00:00+09:00", so the schedule would never run. Fix: set endDate later than startDate, or leave one of them out.',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'start date without a UTC offset',
    batch: { timezone: 'Asia/Seoul', startDate: '2027-01-01 00:00' },
    expected: [
      'batch "daily-stats", field "startDate": "2027-01-01 00:00" is not an ISO 8601 date and time with a UTC offset. Fix: write e.g. "2027-01-01T00:00:00+09:00" or "2026-12-31T15:00:00Z" (the offset makes the instant unambiguous).',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'end date on a one-time schedule',
    batch: { timezone: 'Europe/Berlin', schedule: 'at(2027-06-01T09:00:00)', endDate: '2027-07-01T00:00:00Z' },
    expected: [
      'batch "daily-stats", field "endDate": is set, but "at(2027-06-01T09:00:00)" runs once; start and end dates bound recurring schedules only. Fix: remove startDate and endDate, or use a cron or rate schedule.',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'one-time run in the hour a spring-forward skips',
    batch: { timezone: 'America/New_York', schedule: 'at(2027-03-14T02:30:00)' },
    expected: [
      'batch "daily-stats", field "schedule": "at(2027-03-14T02:30:00)" does not exist in America/New_York: the clocks spring forward over it, so the Scheduler would never run it. Fix: pick a time outside the skipped hour, e.g. one hour later.',
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'one-time run on a date that does not exist',
    batch: { timezone: 'Asia/Seoul', schedule: 'at(2027-02-30T09:00:00)' },
    expected: [
      "batch \"daily-stats\", field \"schedule\": \"at(2027-02-30T09:00:00)\" is not a real date and time. Fix: write at(yyyy-mm-ddThh:mm:ss) in the batch's time zone, e.g. at(2027-01-01T09:00:00)",
    ],
  },
  {
    group: 'EventBridge Scheduler',
    title: 'delivery retries over the target limit',
    batch: { deliveryRetryAttempts: 200 },
    expected: [
      'batch "daily-stats", field "deliveryRetryAttempts": 200 is outside the target retry range (0-185). Fix: use a whole number from 0 to 185; the default is 3.',
    ],
  },
  // Hardening (issue 12)
  {
    group: 'Stages and VPC',
    title: 'nesting stack prefixes in one account',
    otherStage: { name: 'prod-eu', stackPrefix: 'prod-eu', region: 'eu-west-1' },
    expected: [
      "stage \"prod-eu\", field \"stackPrefix\": \"prod-eu\" and the stack prefix \"prod\" of stage \"prod\" (same account) nest: \"prod\" starts \"prod-eu\", so one stage's names (prod-*) could reach the other's stacks, functions and roles. Fix: use stack prefixes of which neither is the start of the other, e.g. \"prod\" and \"staging\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'same stack prefix in two regions of one account',
    otherStage: { name: 'prod-eu', stackPrefix: 'prod', region: 'eu-west-1' },
    expected: [
      "stage \"prod-eu\", field \"stackPrefix\": \"prod\" is also the stack prefix of stage \"prod\" in ap-northeast-2, in the same account; IAM names are account-wide, so their bootstrap roles would collide and each stage's roles could change the other's. Fix: give this stage its own stackPrefix, e.g. \"euwest1-prod\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'duplicate subnet id',
    stage: { subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60718'] },
    expected: [
      'stage "prod", field "subnetIds": lists "subnet-0a1b2c3d4e5f60718" more than once; Lambda rejects a VPC configuration with duplicate subnets. Fix: list each subnet once.',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'duplicate security group id',
    stage: { securityGroupIds: ['sg-0123456789abcdef0', 'sg-0123456789abcdef0'] },
    expected: [
      'stage "prod", field "securityGroupIds": lists "sg-0123456789abcdef0" more than once; Lambda rejects a VPC configuration with duplicate security groups. Fix: list each security group once.',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'region that does not exist',
    stage: { region: 'eu-east-1' },
    expected: [
      'stage "prod", field "region": "eu-east-1" is not an AWS region. Fix: use a region code such as "ap-northeast-2" or "us-east-1".',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'operator principal with a wildcard',
    stage: { operatorPrincipals: ['arn:aws:iam::111122223333:role/*'] },
    expected: [
      'stage "prod", field "operatorPrincipals": "arn:aws:iam::111122223333:role/*" is not an IAM principal ARN the operator role can trust. Fix: name an account root, a role or a user by its full ARN, without wildcards or commas, e.g. "arn:aws:iam::111122223333:root" or "arn:aws:iam::111122223333:role/oncall".',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'assumable role that is not one role ARN',
    stage: { assumableRoleArns: ['arn:aws:iam::444455556666:role/*'] },
    expected: [
      'stage "prod", field "assumableRoleArns": "arn:aws:iam::444455556666:role/*" is not one IAM role ARN. Fix: name each role by its full ARN, without wildcards or commas, e.g. "arn:aws:iam::444455556666:role/reporting-reader".',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'a stage named batchform',
    stage: { name: 'batchform' },
    expected: [
      "stage \"batchform\", field \"name\": \"batchform\" (also its stack prefix) is reserved: batchform's own names start with \"batchform\" (its bootstrap stacks are batchform-bootstrap-<stage>), and a stage's deploy role reaches every stack named <stackPrefix>-*, so this stage could change or delete every stage's bootstrap stack. Fix: name the stage for where it deploys, e.g. \"prod\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'a stack prefix that starts the bootstrap stacks\' names',
    stage: { stackPrefix: 'batchform-bootstrap' },
    expected: [
      "stage \"prod\", field \"stackPrefix\": \"batchform-bootstrap\" is reserved: batchform's own names start with \"batchform\" (its bootstrap stacks are batchform-bootstrap-<stage>), and a stage's deploy role reaches every stack named <stackPrefix>-*, so this stage could change or delete every stage's bootstrap stack. Fix: use a prefix that does not start with \"batchform\", e.g. \"prod\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'a stage name that starts with batchform-',
    stage: { name: 'batchform-prod' },
    expected: [
      "stage \"batchform-prod\", field \"name\": \"batchform-prod\" (also its stack prefix) is reserved: batchform's own names start with \"batchform\" (its bootstrap stacks are batchform-bootstrap-<stage>), and a stage's deploy role reaches every stack named <stackPrefix>-*, so this stage could change or delete every stage's bootstrap stack. Fix: name the stage for where it deploys, e.g. \"prod\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'a stage named batchform with a stack prefix of its own',
    stage: { name: 'batchform', stackPrefix: 'acme' },
    expected: [
      "stage \"batchform\", field \"name\": \"batchform\" is reserved: batchform's own names start with \"batchform\" (its bootstrap stacks are batchform-bootstrap-<stage>), and a stage named so is easily given the same stack prefix. Fix: name the stage for where it deploys, e.g. \"prod\".",
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'operator principals as one string (untyped .projenrc.ts)',
    stage: { operatorPrincipals: 'arn:aws:iam::111122223333:role/oncall' },
    expected: [
      'stage "prod", field "operatorPrincipals": "arn:aws:iam::111122223333:role/oncall" is not a list. Fix: write a list, even of one value, e.g. ["arn:aws:iam::111122223333:role/oncall"].',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'assumable roles as one string (untyped .projenrc.ts)',
    stage: { assumableRoleArns: 'arn:aws:iam::444455556666:role/reporting-reader' },
    expected: [
      'stage "prod", field "assumableRoleArns": "arn:aws:iam::444455556666:role/reporting-reader" is not a list. Fix: write a list, even of one value, e.g. ["arn:aws:iam::444455556666:role/reporting-reader"].',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'subnet ids as one string (untyped .projenrc.ts)',
    stage: { subnetIds: 'subnet-0a1b2c3d4e5f60718' },
    expected: [
      'stage "prod", field "subnetIds": "subnet-0a1b2c3d4e5f60718" is not a list. Fix: write a list, even of one value, e.g. ["subnet-0a1b2c3d4e5f60718"].',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'a batch\'s stages as one string (untyped .projenrc.ts)',
    batch: { stages: 'prod' },
    expected: [
      'batch "daily-stats", field "stages": "prod" is not a list. Fix: write a list of stage names, even of one, e.g. ["prod"].',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'an assumable role in the China partition for a stage in the aws partition',
    stage: { assumableRoleArns: ['arn:aws-cn:iam::444455556666:role/reporting-reader'] },
    expected: [
      'stage "prod", field "assumableRoleArns": "arn:aws-cn:iam::444455556666:role/reporting-reader" is in partition "aws-cn", but stage "prod" is in ap-northeast-2 (partition "aws"); IAM cannot name a role or principal of another partition. Fix: use an ARN of partition "aws": "arn:aws:iam::444455556666:role/reporting-reader", or move the stage to a region of partition "aws-cn".',
    ],
  },
  {
    group: 'Stages and VPC',
    title: 'an operator principal in the GovCloud partition for a stage in the aws partition',
    stage: { operatorPrincipals: ['arn:aws-us-gov:iam::111122223333:role/oncall'] },
    expected: [
      'stage "prod", field "operatorPrincipals": "arn:aws-us-gov:iam::111122223333:role/oncall" is in partition "aws-us-gov", but stage "prod" is in ap-northeast-2 (partition "aws"); IAM cannot name a role or principal of another partition. Fix: use an ARN of partition "aws": "arn:aws:iam::111122223333:role/oncall", or move the stage to a region of partition "aws-us-gov".',
    ],
  },
  {
    group: 'Schedules',
    title: 'a time zone in the wrong case',
    batch: { timezone: 'America/NEW_YORK' },
    expected: [
      'batch "daily-stats", field "timezone": "America/NEW_YORK" is not an IANA time zone. Fix: did you mean "America/New_York"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".',
    ],
  },
  {
    group: 'Schedules',
    title: 'a stage\'s time zone in the wrong case',
    batch: { timezone: 'Europe/London', overrides: { prod: { timezone: 'Europe/LONDON' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.timezone": "Europe/LONDON" is not an IANA time zone. Fix: did you mean "Europe/London"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".',
    ],
  },
  {
    group: 'Schedules',
    title: 'a start date that is not on the calendar (30 February)',
    batch: { timezone: 'Asia/Seoul', startDate: '2027-02-30T00:00:00+09:00' },
    expected: [
      'batch "daily-stats", field "startDate": "2027-02-30T00:00:00+09:00" is not a real date and time: February 2027 has 28 days. Fix: write a date and time that exist (hours 00-23); left as is, it would silently roll over, 30 February into 2 March.',
    ],
  },
  {
    group: 'Schedules',
    title: 'an end date at hour 24',
    batch: { timezone: 'Asia/Seoul', endDate: '2027-12-31T24:00:00+09:00' },
    expected: [
      'batch "daily-stats", field "endDate": "2027-12-31T24:00:00+09:00" is not a real date and time: hour 24 is past 23. Fix: write a date and time that exist (hours 00-23); left as is, it would silently roll over, 30 February into 2 March.',
    ],
  },
  {
    group: 'Schedules',
    title: 'a start/end window with no run in it',
    batch: { timezone: 'Asia/Seoul', schedule: 'cron(0 9 1 JAN ? *)', startDate: '2027-02-01T00:00:00+09:00', endDate: '2027-12-01T00:00:00+09:00' },
    expected: [
      'batch "daily-stats", field "endDate": leaves no run of "cron(0 9 1 JAN ? *)" in Asia/Seoul between startDate "2027-02-01T00:00:00+09:00" and endDate "2027-12-01T00:00:00+09:00" (the first run after startDate is 2028-01-01T00:00:00.000Z), so the schedule would never run. Fix: widen the window (an earlier startDate or a later endDate), or change the schedule; `npx projen schedule` lists the next runs.',
    ],
  },
  {
    group: 'Function',
    title: 'environment over 4 KB with batchform\'s own variables',
    batch: { environment: { BIG: 'x'.repeat(4040) } },
    expected: [
      "batch \"daily-stats\", field \"environment\": is 4358 bytes with the 315 of batchform's own variables (BATCHFORM_BATCH, BATCHFORM_TIMEZONE, NODE_OPTIONS, BATCHFORM_LEDGER_TABLE, BATCHFORM_LEDGER_RETENTION_DAYS, BATCHFORM_OVERLAP, BATCHFORM_STACK, BATCHFORM_CODE_KEY) and placeholders filled in; Lambda allows 4096 in all. Fix: move large values to SSM Parameter Store or Secrets Manager and pass their names.",
    ],
  },
  {
    group: 'Function',
    title: 'one-character environment variable name',
    batch: { environment: { X: '1' } },
    expected: [
      'batch "daily-stats", field "environment.X": "X" is not a valid environment variable name; Lambda takes names of at least two characters: a letter, then letters, digits and underscores. Fix: use a name such as "REPORT_BUCKET".',
    ],
  },
  {
    group: 'Function',
    title: 'placeholder CloudFormation does not substitute in an environment value',
    batch: { environment: { BUCKET: 'data-${Stage}' } },
    expected: [
      'batch "daily-stats", field "environment.BUCKET": "data-${Stage}" holds the placeholder ${Stage}, which CloudFormation does not substitute in a batch template. Fix: use only ${AWS::Partition}, ${AWS::Region}, ${AWS::AccountId}, ${AWS::StackName}, ${AWS::URLSuffix}, or write the value out.',
    ],
  },
  {
    group: 'IAM',
    title: '"*" as an action',
    batch: { policyStatements: [{ actions: ['*'], resources: ['arn:aws:s3:::acme-data/*'] }] },
    expected: [
      'batch "daily-stats", field "policyStatements[0].actions": "*" allows every action of every AWS service ("Action": "*", as an administrator has); batchform grants a batch only the actions it names. Fix: list the actions the job needs, e.g. ["s3:GetObject"]; the batch permissions boundary denies IAM in any case.',
    ],
  },
  {
    group: 'IAM',
    title: 'iam:* in a statement',
    batch: { policyStatements: [{ actions: ['iam:*'], resources: ['*'] }] },
    expected: [
      'batch "daily-stats", field "policyStatements[0].actions": "iam:*" allows IAM actions such as iam:CreateRole and iam:PassRole, with which a role makes itself an administrator of the account. Fix: list the actions the job needs, e.g. ["s3:GetObject"]; the batch permissions boundary denies IAM in any case.',
    ],
  },
  {
    group: 'IAM',
    title: 'sts:AssumeRole on "*"',
    batch: { policyStatements: [{ actions: ['sts:AssumeRole'], resources: ['*'] }] },
    expected: [
      "batch \"daily-stats\", field \"policyStatements[0].actions\": \"sts:AssumeRole\" on \"*\" allows assuming any role that trusts this account, taking on that role's powers. Fix: name the role ARNs in resources, and list them in the stage's assumableRoleArns (the permissions boundary allows only those).",
    ],
  },
  {
    group: 'Schedules',
    title: 'a date that never comes (30 February)',
    batch: { schedule: 'cron(0 9 30 2 ? *)' },
    expected: [
      'batch "daily-stats", field "schedule": "cron(0 9 30 2 ? *)" can never fire: no date matches all its fields (such as 30 February, 31 April, or a weekday that day never falls on in the years given). Fix: check the day-of-month, month, day-of-week and year fields against a calendar; `npx projen schedule` shows the next runs of a valid schedule.',
    ],
  },
  // Per-stage overrides: each value checked by the batch's own rules, in that stage.
  {
    group: 'Per-stage overrides',
    title: 'override for a stage that is not declared',
    batch: { overrides: { stagin: { enabled: false } } },
    expected: [
      'batch "daily-stats", field "overrides.stagin": refers to stage "stagin", which is not declared. Fix: use one of "prod", or declare stage "stagin".',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override for a stage the batch does not deploy to',
    batch: { stages: ['prod'], overrides: { dev: { enabled: false } } },
    otherStage: { name: 'dev', stackPrefix: 'dev' },
    expected: [
      "batch \"daily-stats\", field \"overrides.dev\": overrides stage \"dev\", but the batch does not deploy there (its stages are \"prod\"). Fix: add \"dev\" to the batch's stages, or remove its overrides.",
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override of a field stages cannot override',
    batch: { overrides: { prod: { handler: 'handlers/other.ts' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.handler": "handler" is not a field a stage can override. Fix: a stage can override schedule, enabled, timezone, environment, memorySize, timeout, reservedConcurrency; set handler on the batch itself, or declare another batch for this stage.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a Unix crontab schedule',
    batch: { overrides: { prod: { schedule: 'cron(0 3 * * *)' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.schedule": "cron(0 3 * * *)" has 5 fields, like a Unix crontab line. Fix: AWS cron has six fields (minutes hours day-of-month month day-of-week year); Unix crontab has five. Add a year field and use ? for one day field: cron(0 3 * * ? *)',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a schedule that never fires',
    batch: { overrides: { prod: { schedule: 'cron(0 3 30 2 ? *)' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.schedule": "cron(0 3 30 2 ? *)" can never fire: no date matches all its fields (such as 30 February, 31 April, or a weekday that day never falls on in the years given). Fix: check the day-of-month, month, day-of-week and year fields against a calendar; `npx projen schedule` shows the next runs of a valid schedule.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a misspelled time zone',
    batch: { overrides: { prod: { timezone: 'Asia/Seol' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.timezone": "Asia/Seol" is not an IANA time zone. Fix: did you mean "Asia/Seoul"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override moving a UTC batch to the Scheduler',
    batch: { overrides: { prod: { timezone: 'Europe/Berlin' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.timezone": "Europe/Berlin" would run the batch on EventBridge Scheduler in stage "prod", but it runs in UTC on an EventBridge rule elsewhere; one template cannot hold both. Fix: give the batch itself a time zone (timezone: "Etc/UTC" keeps UTC times on the Scheduler), then override the zone per stage.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override moving a Scheduler batch to a UTC rule',
    batch: { timezone: 'Asia/Seoul', overrides: { prod: { timezone: 'UTC' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.timezone": "UTC" would run the batch on an EventBridge rule in stage "prod", but it runs on EventBridge Scheduler (in Asia/Seoul) elsewhere; one template cannot hold both. Fix: write "Etc/UTC", which runs the stage in UTC on the Scheduler.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with memory out of range',
    batch: { overrides: { prod: { memorySize: 64 } } },
    expected: [
      "batch \"daily-stats\", field \"overrides.prod.memorySize\": 64 MB is outside Lambda's range. Fix: use a whole number of MB from 128 to 10240.",
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a timeout over 15 minutes',
    batch: { overrides: { prod: { timeout: 1200 } } },
    expected: [
      "batch \"daily-stats\", field \"overrides.prod.timeout\": 1200 seconds is outside Lambda's range (1-900 s, 15 minutes at most). Fix: use 900 or less. For a longer job make the batch durable (durable: { executionTimeout: 3600 }, with timeout: 900): its run is made of checkpointed steps and may last up to 366 days; or split the job into smaller runs (e.g. a more frequent schedule over smaller windows).",
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with reserved concurrency 0',
    batch: { overrides: { prod: { reservedConcurrency: 0 } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.reservedConcurrency": 0 is not a usable reserved concurrency. Fix: use enabled: false to stop a batch; reserved concurrency 0 would throttle every run.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override setting a reserved environment variable',
    batch: { overrides: { prod: { environment: { AWS_REGION: 'x' } } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.environment.AWS_REGION": "AWS_REGION" is reserved by Lambda. Fix: rename the variable; Lambda sets this one itself.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a placeholder CloudFormation does not fill',
    batch: { overrides: { prod: { environment: { URL: 'https://${Stage}.example.com' } } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.environment.URL": "https://${Stage}.example.com" holds the placeholder ${Stage}, which CloudFormation does not substitute in a batch template. Fix: use only ${AWS::Partition}, ${AWS::Region}, ${AWS::AccountId}, ${AWS::StackName}, ${AWS::URLSuffix}, or write the value out.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a non-boolean enabled',
    batch: { overrides: { prod: { enabled: 'no' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.enabled": "no" is not true or false. Fix: write enabled: false to stop the batch in this stage, or leave it out.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a one-time schedule on a UTC batch',
    batch: { overrides: { prod: { schedule: 'at(2027-01-01T09:00:00)' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.schedule": "at(2027-01-01T09:00:00)" is a one-time schedule, which only EventBridge Scheduler runs; this batch runs in UTC on an EventBridge rule. Fix: give the batch its time zone (e.g. timezone: "Europe/Berlin"), which runs it on the Scheduler, or write a cron with a fixed date such as cron(0 9 4 JAN ? 2027).',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a one-time run in the skipped DST hour',
    batch: { timezone: 'America/New_York', overrides: { prod: { schedule: 'at(2027-03-14T02:30:00)' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.schedule": "at(2027-03-14T02:30:00)" does not exist in America/New_York: the clocks spring forward over it, so the Scheduler would never run it. Fix: pick a time outside the skipped hour, e.g. one hour later.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override with a one-time schedule on a batch with a start date',
    batch: { timezone: 'Asia/Seoul', startDate: '2027-01-01T00:00:00+09:00', overrides: { prod: { schedule: 'at(2027-06-01T09:00:00)' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.schedule": is set, but "at(2027-06-01T09:00:00)" runs once; start and end dates bound recurring schedules only. Fix: remove startDate and endDate, or use a cron or rate schedule.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: "override environment over Lambda's 4 KB",
    batch: { environment: { BIG: 'x'.repeat(3000) }, overrides: { prod: { environment: { MORE: 'y'.repeat(1200) } } } },
    expected: [
      "batch \"daily-stats\", field \"overrides.prod.environment\": is 4522 bytes with the 315 of batchform's own variables (BATCHFORM_BATCH, BATCHFORM_TIMEZONE, NODE_OPTIONS, BATCHFORM_LEDGER_TABLE, BATCHFORM_LEDGER_RETENTION_DAYS, BATCHFORM_OVERLAP, BATCHFORM_STACK, BATCHFORM_CODE_KEY) and placeholders filled in; Lambda allows 4096 in all. Fix: move large values to SSM Parameter Store or Secrets Manager and pass their names.",
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'overrides as a list',
    batch: { overrides: ['prod'] },
    expected: [
      'batch "daily-stats", field "overrides": ["prod"] is not an object of stage names. Fix: write overrides: { <stage>: { schedule, enabled, timezone, environment, memorySize, timeout, reservedConcurrency } }, or leave it out.',
    ],
  },
  {
    group: 'Per-stage overrides',
    title: 'override that is not an object',
    batch: { overrides: { prod: 'disabled' } },
    expected: [
      'batch "daily-stats", field "overrides.prod": "disabled" is not an object of fields. Fix: write e.g. { schedule: "rate(1 day)", enabled: false }.',
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable execution timeout over a year',
    batch: { durable: { executionTimeout: 400 * 86400 } },
    expected: [
      "batch \"daily-stats\", field \"durable.executionTimeout\": 34560000 seconds is outside Lambda's range for a durable execution (1 s to 31622400 s, 366 days). Fix: use a whole number of seconds, e.g. 6 * 3600 for six hours.",
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable execution timeout missing',
    batch: { durable: {} },
    expected: [
      'batch "daily-stats", field "durable.executionTimeout": is missing; a durable batch needs the longest time one execution may take. Fix: use a whole number of seconds, e.g. 6 * 3600 for six hours.',
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable execution timeout not above the invocation timeout',
    batch: { timeout: 900, durable: { executionTimeout: 600 } },
    expected: [
      "batch \"daily-stats\", field \"durable.executionTimeout\": 600 seconds is not more than the batch's per-invocation timeout (900 s): the execution would end before its first invocation may. Fix: make it longer than timeout, e.g. 3600; timeout bounds one invocation, executionTimeout the whole execution.",
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable history retention over 90 days',
    batch: { durable: { executionTimeout: 3600, retentionDays: 365 } },
    expected: [
      "batch \"daily-stats\", field \"durable.retentionDays\": 365 is outside Lambda's range for execution history (1-90 days). Fix: use a whole number of days from 1 to 90, or leave it out for 14.",
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable option that does not exist',
    batch: { durable: { executionTimeout: 3600, retention: 30 } },
    expected: [
      'batch "daily-stats", field "durable.retention": unknown option. Fix: did you mean "retentionDays"?',
    ],
  },
  {
    group: 'Durable batches',
    title: 'durable batch with a constant input',
    batch: { durable: { executionTimeout: 3600 }, input: { report: 'monthly' } },
    expected: [
      'batch "daily-stats", field "input": is set on a durable batch; a durable batch receives the Scheduled Event, whose scheduled time names its execution (one execution per run). Fix: drop input and pass constants as environment variables, or make the batch a plain one.',
    ],
  },
  {
    group: 'Durable batches',
    title: 'stage override of a durable batch\'s timeout past its execution timeout',
    batch: { timeout: 300, durable: { executionTimeout: 600 }, overrides: { prod: { timeout: 900 } } },
    expected: [
      "batch \"daily-stats\", field \"overrides.prod.timeout\": 900 seconds is not less than the durable execution timeout (600 s): the execution would end before one invocation may. Fix: keep this stage's timeout below durable.executionTimeout, or raise durable.executionTimeout.",
    ],
  },
  // Unknown options: .projenrc.ts may run untyped (tsx), where a misspelled option would be ignored.
  {
    group: 'Unknown options',
    title: 'misspelled batch option (timeZone)',
    batch: { timeZone: 'Asia/Seoul' },
    expected: [
      'batch "daily-stats", field "timeZone": unknown option. Fix: did you mean "timezone"?',
    ],
  },
  {
    group: 'Unknown options',
    title: 'batch option that does not exist',
    batch: { owner: 'data-team' },
    expected: [
      'batch "daily-stats", field "owner": unknown option. Fix: remove it; batch options are name, description, handler, schedule, enabled, input, runtime, architecture, memorySize, timeout, durable, environment, secrets, vpc, logRetentionDays, policyStatements, reservedConcurrency, overlap, timezone, flexibleWindowMinutes, startDate, endDate, deliveryRetryAttempts, missedRunGraceMinutes, tags, alarms, alarmTopicArn, failureAlarmAfter, maxDuration, retryAttempts, maxEventAgeSeconds, stages, overrides.',
    ],
  },
  {
    group: 'Unknown options',
    title: 'misspelled stage option (subnetIDs)',
    stage: { subnetIDs: ['subnet-0a1b2c3d4e5f60718'] },
    expected: [
      'stage "prod", field "subnetIDs": unknown option. Fix: did you mean "subnetIds"?',
    ],
  },
  {
    group: 'Unknown options',
    title: 'misspelled key of a policy statement (condition)',
    batch: { policyStatements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'], condition: { Bool: { 'aws:SecureTransport': 'true' } } }] },
    expected: [
      'batch "daily-stats", field "policyStatements[0].condition": unknown option. Fix: did you mean "conditions"?',
    ],
  },
  {
    group: 'Unknown options',
    title: 'misspelled field of a stage override (timeZone)',
    batch: { overrides: { prod: { timeZone: 'Asia/Seoul' } } },
    expected: [
      'batch "daily-stats", field "overrides.prod.timeZone": unknown option. Fix: did you mean "timezone"?',
    ],
  },
  // Secrets: references, never values.
  {
    group: 'Secrets',
    title: "a secret's value written in secrets",
    batch: { secrets: { DB_PASSWORD: 'hunter2' } },
    expected: [
      'batch "daily-stats", field "secrets.DB_PASSWORD": is a string, but secrets name where a secret lives, never its value (a value here would be written into the template and the manifest). Fix: store the value in SSM Parameter Store (SecureString) or Secrets Manager and write its reference, e.g. Secret.ssm("/app/api-key") or Secret.secretsManager("prod/db", { field: "password" }).',
    ],
  },
  {
    group: 'Secrets',
    title: 'a secret that is also an environment variable',
    batch: { environment: { DB_PASSWORD: '' }, secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'prod/db', field: 'password' } } },
    expected: [
      'batch "daily-stats", field "secrets.DB_PASSWORD": "DB_PASSWORD" is declared in environment too. Fix: remove DB_PASSWORD from environment: the handler reads the secret with secret("DB_PASSWORD"), and locally invoke takes its value from .env.local.',
    ],
  },
  {
    group: 'Secrets',
    title: 'an SSM parameter path without its leading slash',
    batch: { secrets: { API_KEY: { source: 'ssm', name: 'app/api-key' } } },
    expected: [
      "batch \"daily-stats\", field \"secrets.API_KEY.name\": \"app/api-key\" is a parameter path without its leading \"/\"; SSM names a parameter in a hierarchy by its full path. Fix: write the parameter's name as SSM shows it, e.g. \"/app/api-key\", or its full ARN.",
    ],
  },
  {
    group: 'Secrets',
    title: 'a secret in an unknown store',
    batch: { secrets: { API_KEY: { source: 'vault', name: 'app/api-key' } } },
    expected: [
      'batch "daily-stats", field "secrets.API_KEY.source": "vault" is not a secret store. Fix: use "ssm" or "secretsManager" (Secret.ssm(...) or Secret.secretsManager(...) write it for you).',
    ],
  },
  {
    group: 'Secrets',
    title: 'a Secrets Manager name with a character it does not allow',
    batch: { secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'prod db' } } },
    expected: [
      "batch \"daily-stats\", field \"secrets.DB_PASSWORD.name\": \"prod db\" is not a Secrets Manager secret name: letters, digits and \"/_+=.@-\" only, at most 512 characters. Fix: write the secret's name as Secrets Manager shows it, e.g. \"prod/db\" (without the 6-character suffix of its ARN), or its full ARN.",
    ],
  },
  {
    group: 'Secrets',
    title: "a Secrets Manager secret read through SSM's /aws/reference path",
    batch: { secrets: { DB_PASSWORD: { source: 'ssm', name: '/aws/reference/secretsmanager/prod-db' } } },
    expected: [
      'batch "daily-stats", field "secrets.DB_PASSWORD.name": "/aws/reference/secretsmanager/prod-db" reads a Secrets Manager secret through SSM, which needs rights on the secret, not on a parameter. Fix: declare the secret itself: Secret.secretsManager("prod-db").',
    ],
  },
  {
    group: 'Secrets',
    title: 'a KMS key alias instead of a key ARN',
    batch: { secrets: { API_KEY: { source: 'ssm', name: '/app/api-key', kmsKeyArn: 'alias/app' } } },
    expected: [
      "batch \"daily-stats\", field \"secrets.API_KEY.kmsKeyArn\": \"alias/app\" is not a KMS key ARN. Fix: write the key's ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias), or leave it out for the store's AWS managed key.",
    ],
  },
  {
    group: 'Secrets',
    title: 'an empty field name',
    batch: { secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'prod/db', field: '' } } },
    expected: [
      "batch \"daily-stats\", field \"secrets.DB_PASSWORD.field\": \"\" is not a field name. Fix: name a field of the value's JSON, e.g. \"password\", or leave field out for the whole value.",
    ],
  },
  {
    group: 'Secrets',
    title: 'a stage overriding secrets',
    batch: { secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'prod/db' } }, overrides: { prod: { secrets: { DB_PASSWORD: { source: 'secretsManager', name: 'staging/db' } } } } },
    expected: [
      "batch \"daily-stats\", field \"overrides.prod.secrets\": \"secrets\" is not a field a stage can override. Fix: set secrets on the batch itself: a name is read in each stage's own account and region, so stages in different accounts already read their own secret. Stages sharing an account and region read the same one: declare another batch for this stage, with its own secrets.",
    ],
  },
];
