// The batch declaration: what a user writes in .projenrc.ts for one scheduled job.
import type { SecretReference } from './secrets';
import type { Schedule } from '../schedule/builder';

/** A Lambda CPU architecture. */
export type Architecture = 'arm64' | 'x86_64';

/**
 * One extra IAM statement for the batch's function role (least privilege: name the actions and
 * resources the job really needs).
 *
 * @example { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports-bucket/*'] }
 */
export interface PolicyStatementOptions {
  /**
   * Whether the statement allows or denies.
   * @default 'Allow'
   */
  readonly effect?: 'Allow' | 'Deny';
  /**
   * IAM actions, `service:Action` (wildcards allowed in the action part).
   * @example ['secretsmanager:GetSecretValue']
   */
  readonly actions: string[];
  /**
   * Resource ARNs the actions apply to.
   * @example ['arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:prod/db-AbCdEf']
   */
  readonly resources: string[];
  /**
   * IAM condition block, as in a policy document.
   * @default - no condition
   * @example { StringEquals: { 'aws:ResourceTag/team': 'data' } }
   */
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * What one stage changes of its batch: each field, when set, replaces the batch's own value in that
 * stage only (`environment` is merged over the batch's, variable by variable). The template stays
 * one per batch: the values that differ between stages are CloudFormation parameters, and the
 * deploy manifest gives each stage its own.
 *
 * A stage's `timezone` may change the zone, but not what runs the batch: a batch without a time
 * zone runs on an EventBridge rule in every stage, one with a zone on EventBridge Scheduler in every
 * stage (write `'Etc/UTC'` to run a stage of a Scheduler batch in UTC).
 *
 * @example
 * { staging: { schedule: 'cron(0 3 ? * MON *)', enabled: false, environment: { REPORT_BUCKET: 'reports-staging' } } }
 */
export interface StageOverrideOptions {
  /**
   * When the job runs in this stage; the same forms as the batch's `schedule`.
   * @default - the batch's schedule
   * @example 'rate(1 hour)'
   */
  readonly schedule?: Schedule | string;
  /**
   * Whether the rule or schedule is enabled in this stage.
   * @default - the batch's `enabled`
   * @example false
   */
  readonly enabled?: boolean;
  /**
   * IANA time zone of the schedule in this stage; the batch must run on EventBridge Scheduler
   * (have a time zone other than `UTC`) in every stage.
   * @default - the batch's timezone
   * @example 'Europe/Berlin'
   */
  readonly timezone?: string;
  /**
   * Environment variables set or replaced in this stage, merged over the batch's `environment`
   * (same names, size limit and `${AWS::Region}`-style placeholders, filled in per stage). A
   * variable the batch itself does not declare exists only in the stages that set it to a
   * non-empty value.
   * @default {} - the batch's environment
   * @example { REPORT_BUCKET: 'reports-staging' }
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory for the function in this stage, in MB (128-10240).
   * @default - the batch's memorySize
   * @example 1024
   */
  readonly memorySize?: number;
  /**
   * How long one run may take in this stage, in seconds (1-900).
   * @default - the batch's timeout
   * @example 600
   */
  readonly timeout?: number;
  /**
   * Reserved concurrency of the function in this stage (1-1000), or `false` for none (e.g. a stage
   * in an account whose Lambda concurrency quota is below 101).
   * @default - the batch's reservedConcurrency
   * @example 5
   */
  readonly reservedConcurrency?: number | false;
}

/**
 * Runs a batch as a Lambda durable function: an execution of up to a year made of checkpointed
 * steps, each invocation still at most `timeout` seconds. A failed or interrupted invocation
 * resumes from the last checkpoint instead of starting over. The handler uses `durableBatch()`
 * from `batchform/runtime/durable`.
 *
 * @example { executionTimeout: 6 * 3600, retentionDays: 14 }
 */
export interface DurableOptions {
  /**
   * How long one execution (every invocation, wait and retry of one scheduled run) may take, in
   * seconds: 1 to 31,622,400 (366 days), and more than the per-invocation `timeout`.
   * @example 6 * 3600
   */
  readonly executionTimeout: number;
  /**
   * How many days Lambda keeps a finished execution's history (its steps and their results), 1-90.
   * @default 14
   */
  readonly retentionDays?: number;
}

/**
 * A scheduled batch job: one Lambda function, what invokes it on schedule (an EventBridge rule for
 * UTC batches, an EventBridge Scheduler schedule for batches with a time zone) and its log group,
 * deployed as one CloudFormation stack per stage.
 *
 * @example
 * {
 *   name: 'daily-stats',
 *   description: 'Roll up yesterday\'s transactions per user',
 *   handler: 'handlers/daily-stats.ts',
 *   schedule: Schedule.cron({ minute: '10', hour: '0' }), // 00:10 in Seoul, all year
 *   timezone: 'Asia/Seoul',
 *   vpc: true,
 * }
 */
export interface BatchOptions {
  /**
   * The batch's name: lowercase letters, digits and hyphens, starting with a letter. It names the
   * template (`cfn-out/<name>.template.json`), and with the stage's prefix the stack, the function
   * and the rule (`<stackPrefix>-<name>`, at most 64 characters in all).
   * @example 'daily-stats'
   */
  readonly name: string;
  /**
   * What the job does, in one line; shown on the function, the rule and the stack.
   * @default - `batchform batch <name>`
   * @example 'Roll up yesterday\'s transactions per user'
   */
  readonly description?: string;
  /**
   * Path of the handler's TypeScript file, relative to the project root and under `handlers/`.
   * It must export `handler`.
   * @example 'handlers/daily-stats.ts'
   */
  readonly handler: string;
  /**
   * When the job runs: an AWS `cron(...)` / `rate(...)` expression, a one-time
   * `at(yyyy-mm-ddThh:mm:ss)` (only for batches with a time zone, which run on EventBridge
   * Scheduler), or the typed `Schedule` helper. Written in the batch's `timezone`.
   * @example Schedule.cron({ minute: '0', hour: '3' })
   * @example 'rate(15 minutes)'
   * @example Schedule.at('2027-01-04T09:00:00')
   */
  readonly schedule: Schedule | string;
  /**
   * Whether the rule (or schedule: its `State`) is enabled. A disabled batch is still deployed,
   * but never runs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Constant JSON passed to the function as its event instead of the scheduled event
   * (at most 8192 characters once serialized). Leave it out to receive EventBridge's
   * Scheduled Event, whose `time` is the run's logical time.
   * @default - the Scheduled Event
   * @example { report: 'weekly', recipients: ['ops@example.com'] }
   */
  readonly input?: Record<string, unknown>;
  /**
   * The Lambda runtime.
   * @default 'nodejs24.x' (the newest Node.js runtime)
   */
  readonly runtime?: string;
  /**
   * The CPU architecture.
   * @default 'arm64'
   */
  readonly architecture?: Architecture;
  /**
   * Memory for the function, in MB (128-10240).
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long one run may take, in seconds (1-900). For a `durable` batch: how long one invocation
   * of its execution may take (the execution itself may take `durable.executionTimeout`).
   * @default 60
   */
  readonly timeout?: number;
  /**
   * Run the batch as a Lambda durable function, for jobs longer than 15 minutes: checkpointed
   * steps, waits, bounded-concurrency maps, one execution per scheduled run (named after the batch
   * and the run's scheduled time, so a duplicate delivery does not start a second one). Turning it
   * on or off for a deployed batch replaces the batch's function.
   * @default - a plain function: one invocation per run, at most `timeout` seconds
   * @example { executionTimeout: 6 * 3600 }
   */
  readonly durable?: DurableOptions;
  /**
   * Environment variables for the function (names: letters, digits and `_`, not AWS-reserved).
   * @default {}
   * @example { REPORT_BUCKET: 'reports-prod' }
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets the job reads, by reference, never by value: an SSM Parameter Store parameter
   * (SecureString) or a Secrets Manager secret, optionally one field of its JSON value, by the name
   * the handler asks for (same names as `environment`, and not also declared there). The function's
   * role may read exactly these (`ssm:GetParameter(s)` on the parameter, `secretsmanager:GetSecretValue`
   * on the secret); the handler reads a value with `await secret('DB_PASSWORD')` from
   * `batchform/runtime`, fetched once per cold start. Templates, the manifest, the function's
   * environment and previews carry only the references. Locally, `invoke` takes the values from
   * `.env.local` or the shell, never from AWS unless asked (`--secrets-from-aws`).
   * A name without an ARN is in the stage's own account and region.
   * @default {} - no secrets
   * @example { DB_PASSWORD: Secret.secretsManager('prod/db', { field: 'password' }), API_KEY: Secret.ssm('/app/api-key') }
   */
  readonly secrets?: Record<string, SecretReference>;
  /**
   * Whether the function runs inside the stage's VPC (subnets and security groups come from each
   * stage), e.g. to reach an RDS database.
   * @default false
   */
  readonly vpc?: boolean;
  /**
   * How long the function's logs are kept, in days; one of CloudWatch Logs' allowed values
   * (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
   * 3288, 3653).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Extra IAM statements for the function's role, beyond logging (and VPC access for VPC batches).
   * @default []
   */
  readonly policyStatements?: PolicyStatementOptions[];
  /**
   * Reserved concurrency of the function: how many invocations may execute at once, taken from the
   * account's pool (Lambda keeps 100 unreserved, so an account whose concurrency quota is below
   * 101, such as a new account's 10, can reserve none). Not needed to keep runs from overlapping:
   * the run ledger's `overlap` policy does that without throttling.
   * @default false - none reserved
   * @example 5
   */
  readonly reservedConcurrency?: number | false;
  /**
   * What a run does when the batch's previous run is still running at its scheduled time:
   * `skip` records it in the stage's run ledger as `skipped-overlap` (with the run it waited for)
   * and does not run it; `allow` runs it alongside. The previous run's lease lasts at most its
   * `timeout` (a durable batch's `durable.executionTimeout`), so a crashed run never blocks the next.
   * See docs/guides/run-ledger.md.
   * @default 'skip'
   * @example 'allow'
   */
  readonly overlap?: 'skip' | 'allow';
  /**
   * IANA time zone the schedule is written in and runs in, all year, following daylight saving.
   * `UTC` batches run on an EventBridge rule; any other zone runs the batch on an EventBridge
   * Scheduler schedule (`ScheduleExpressionTimezone`), which skips a run whose local time does
   * not exist on a spring-forward day and runs once on a fall-back day. Run times are shown in
   * UTC and in this zone.
   * @default 'UTC'
   * @example 'Asia/Seoul'
   */
  readonly timezone?: string;
  /**
   * Flexible time window of the Scheduler, in minutes (1-1440): each run starts at some moment
   * within this window after its scheduled time, which spreads load. Only for batches with a time
   * zone (EventBridge Scheduler). The stage's watchdog allows for the window before it reports a run missed.
   * @default - off: runs start at their scheduled minute
   * @example 15
   */
  readonly flexibleWindowMinutes?: number;
  /**
   * The first moment the schedule may run (Scheduler `StartDate`), ISO 8601 with a UTC offset or
   * `Z`. A rate schedule's first run is at this moment. Only for batches with a time zone; not for
   * one-time at() schedules.
   * @default - runs from deployment
   * @example '2027-01-01T00:00:00+09:00'
   */
  readonly startDate?: string;
  /**
   * The moment after which the schedule no longer runs (Scheduler `EndDate`), ISO 8601 with a UTC
   * offset or `Z`, after `startDate`. Only for batches with a time zone; not for at() schedules.
   * @default - runs for ever
   * @example '2027-12-31T23:59:59+09:00'
   */
  readonly endDate?: string;
  /**
   * How many times the rule or schedule retries delivering a run to the function before it is
   * sent to the dead-letter queue (0-185; the target's `RetryPolicy.MaximumRetryAttempts`).
   * Delivery retries cover throttling and outages of the invoke itself, not failed runs (see
   * `retryAttempts`).
   * @default 3
   */
  readonly deliveryRetryAttempts?: number;
  /**
   * Minutes after a scheduled time before the stage's watchdog reports the run missed (1-44640,
   * i.e. up to 31 days): it then records the scheduled time as `missed` in the run ledger and
   * publishes `RunMissed` for the batch, which raises its missed-run alarm. A run that starts
   * later still runs (its record becomes the run's). Give a batch whose runs may wait for a
   * delivery retry or a queue more time. See docs/guides/run-ledger.md ("Missed runs").
   * @default - 15 minutes plus the batch's `flexibleWindowMinutes`
   * @example 60
   */
  readonly missedRunGraceMinutes?: number;
  /**
   * Tags for the batch's stack (CloudFormation propagates them to its resources).
   * @default {}
   * @example { team: 'data' }
   */
  readonly tags?: Record<string, string>;
  /**
   * Whether the batch gets its alarms: failed runs (`failureAlarmAfter` scheduled times in a row
   * failed, per the run ledger, or a run failed before the ledger could record it), missed run (the
   * stage's watchdog found a scheduled time without a run), run too long (with `maxDuration`),
   * delivery failed (the rule's `FailedInvocations` > 0, or the Scheduler's `TargetErrorCount` > 0
   * in the batch's schedule group) and dead letters waiting. Notifications go to the batch's
   * `alarmTopicArn`, else the stage's `alarmTopicArn`, else the stage's one alarm topic that
   * e-mails its `alarmEmails`. See docs/guides/run-ledger.md, "Alarms".
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * How many scheduled times in a row must fail before the failed-run alarm goes off (1-100): the
   * run ledger's `ConsecutiveFailures` metric. A failed run's retries count once with it, and a
   * success resets the count. A run that fails before the ledger records it (the ledger is
   * unreachable, the function cannot start, the run times out) sets the alarm off at once,
   * whatever this says.
   * @default 1 - every failed scheduled time
   * @example 3 // a nightly job that may fail once or twice on a flaky upstream
   */
  readonly failureAlarmAfter?: number;
  /**
   * The longest a run should take, in seconds: a run that ends after longer sets off the batch's
   * duration alarm (the run ledger's `RunDuration`, measured from the claim to the end; a durable
   * batch: its whole execution, waits included). Less than `timeout` (a durable batch: its
   * `durable.executionTimeout`), since a run stopped at its timeout never ends to be measured (the
   * failed-run alarm, or a durable batch's timed-out alarm, sees that one).
   * @default - no duration alarm
   * @example 600 // ten minutes, for a job that usually takes three
   */
  readonly maxDuration?: number;
  /**
   * An SNS topic of the batch's own for its alarms, in place of the stage's (`alarmTopicArn`, or
   * the stage stack's topic that e-mails `alarmEmails`): e.g. the owning team's on-call topic.
   * It may use `${AWS::Region}`, `${AWS::AccountId}` and `${AWS::Partition}`, filled in per stage,
   * so one value serves stages in several accounts. The topic must be in the stage's region and
   * allow CloudWatch (`cloudwatch.amazonaws.com`) to publish.
   * @default - the stage's alarm target
   * @example 'arn:aws:sns:${AWS::Region}:${AWS::AccountId}:data-team-oncall'
   */
  readonly alarmTopicArn?: string;
  /**
   * How many times Lambda retries a failed run (0-2). One retry absorbs a transient fault (a
   * database failover, a throttle) and is safe because handlers are idempotent (EventBridge may
   * deliver a run twice anyway); a second retry would triple the cost of a run that times out
   * and can push it past the next scheduled run. Runs that still fail go to the dead-letter queue.
   * @default 1
   */
  readonly retryAttempts?: number;
  /**
   * How long, in seconds, a run may wait (for delivery or for a retry) before it is given up and
   * sent to the dead-letter queue (60-21600): the rule's or schedule's target and Lambda's
   * asynchronous invocation both use it.
   * @default 3600
   */
  readonly maxEventAgeSeconds?: number;
  /**
   * Names of the stages this batch is deployed to.
   * @default - every declared stage
   * @example ['prod']
   */
  readonly stages?: string[];
  /**
   * Per-stage differences, by stage name: a stage's schedule, enabled state, time zone,
   * environment, memory, timeout or reserved concurrency (see `StageOverrideOptions`). Stages
   * not listed run the batch as declared.
   * @default {} - every stage runs the batch as declared
   * @example { staging: { schedule: 'rate(1 day)', enabled: false }, prod: { memorySize: 1024, environment: { REPORT_BUCKET: 'reports-prod' } } }
   */
  readonly overrides?: Record<string, StageOverrideOptions>;
}
