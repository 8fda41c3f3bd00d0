// The stage's missed-run watchdog: what it watches (each batch as the stage runs it), its grace and
// how often it looks, shared by the generator that writes its configuration at synth and the
// runtime that reads it (no AWS SDK, no aws-cdk-lib).
import { BATCH_DEFAULTS } from './declaration-defaults';
import { ledgerTableName } from './ledger';
import { stackName } from './names';
import { batchForStage } from './stage-overrides';
import type { Batch, Stage, ValidatedDeclarations } from './validated';

/** Minutes after a scheduled time before the watchdog reports it missed, unless the batch says otherwise (plus its flexible window). */
export const DEFAULT_MISSED_RUN_GRACE_MINUTES = 15;
/** The longest grace a batch may declare, in minutes (31 days: a monthly batch may start late by up to a month). */
export const MAX_MISSED_RUN_GRACE_MINUTES = 44_640;

/** Minutes between two passes of the watchdog. */
export const WATCHDOG_EVERY_MINUTES = 15;
/** The watchdog's own schedule: every 15 minutes (about 2,922 invocations a month). */
export const WATCHDOG_SCHEDULE = `rate(${WATCHDOG_EVERY_MINUTES} minutes)`;
/**
 * How far back each watchdog pass looks (beyond each batch's grace) when it is not told when the
 * previous pass ran, in milliseconds: 6 hours, so a watchdog that fails for less than that still
 * reports every scheduled time once it runs again.
 */
export const WATCHDOG_LOOK_BACK_MS = 6 * 3_600_000;

/** The suffix of the watchdog's role name: `<stackPrefix>-stage-Watchdog` (no batch role can take it: batch names are lower case, and `stage` is reserved). */
export const WATCHDOG_ROLE_SUFFIX = 'stage-Watchdog';

/**
 * The name of a stage's watchdog role, which the stage's batch boundary lets read and record
 * every batch's runs (`aws:PrincipalArn`), where a batch role reaches only its own partition.
 *
 * @example watchdogRoleName({ stackPrefix: 'acme-prod' }) // 'acme-prod-stage-Watchdog'
 */
export function watchdogRoleName(stage: { readonly stackPrefix: string }): string {
  return `${stage.stackPrefix}-${WATCHDOG_ROLE_SUFFIX}`;
}

/**
 * What the watchdog does in its stage's ledger, on every batch's partition: query a batch's
 * scheduled times, read its pause record, and record a time `missed` (a conditional UpdateItem).
 */
export const WATCHDOG_LEDGER_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem'];

/** The watchdog role's policy on the ledger table `tableArn` (and nothing else of it: no scan, delete or table change). */
export function watchdogLedgerPolicy(tableArn: unknown): { readonly Version: string; readonly Statement: readonly Record<string, unknown>[] } {
  return { Version: '2012-10-17', Statement: [{ Sid: 'ReadAndRecordRuns', Effect: 'Allow', Action: WATCHDOG_LEDGER_ACTIONS, Resource: tableArn }] };
}

/** One batch as the watchdog of one stage watches it: its schedule as that stage runs it. */
export interface WatchedBatch {
  /** The batch's name: its partition of the ledger. */
  readonly batch: string;
  /** The batch's stack name in the stage (`<stackPrefix>-<batch>`): the `Stack` dimension of `RunMissed`. */
  readonly stack: string;
  /** The AWS expression the stage runs (the stage's override, else the batch's). */
  readonly schedule: string;
  /** The zone the schedule runs in. */
  readonly timezone: string;
  /** A disabled batch is never expected to run. */
  readonly enabled: boolean;
  /** Scheduler start date, UTC ISO. */
  readonly startDate?: string;
  /** Scheduler end date, UTC ISO. */
  readonly endDate?: string;
  /** Minutes after a scheduled time before it counts as missed. */
  readonly graceMinutes: number;
  /**
   * How the batch's runs are keyed in the ledger: `scheduled-time` (the Scheduled Event's time:
   * its scheduled minute, a rule's event possibly with seconds) or `start-time` (a batch with a constant input gets no time in its event, so its
   * record is keyed by the second it started: any record within the grace after a scheduled
   * time counts as its run).
   */
  readonly keyedBy: 'scheduled-time' | 'start-time';
}

/** The watchdog function's configuration for one stage (a JSON file in its code zip). */
export interface WatchdogConfig {
  readonly stage: string;
  /** The stage's ledger table. */
  readonly tableName: string;
  /** Days a `missed` record is kept (the stage's `ledgerRetentionDays`). */
  readonly retentionDays: number;
  /** The stage's batches, in declaration order. */
  readonly batches: readonly WatchedBatch[];
}

/** The grace of a batch: its `missedRunGraceMinutes`, else 15 minutes plus its flexible window. */
export function missedRunGraceMinutes(batch: { readonly missedRunGraceMinutes?: number; readonly flexibleWindowMinutes?: number }): number {
  return batch.missedRunGraceMinutes ?? DEFAULT_MISSED_RUN_GRACE_MINUTES + (batch.flexibleWindowMinutes ?? 0);
}

/**
 * What one stage's watchdog watches: every batch deployed to the stage, as the stage runs it
 * (`batchForStage`: its schedule, time zone and enabled state).
 *
 * @example watchdogConfig(prodStage, batches).batches[0] // { batch: 'daily-stats', stack: 'acme-prod-daily-stats', schedule: 'cron(10 0 * * ? *)', ... }
 */
export function watchdogConfig(stage: Pick<Stage, 'name' | 'stackPrefix' | 'ledgerRetentionDays'>, batches: readonly Batch[]): WatchdogConfig {
  return {
    stage: stage.name,
    tableName: ledgerTableName(stage),
    retentionDays: stage.ledgerRetentionDays,
    batches: batches.filter((b) => b.stages.includes(stage.name)).map((declared) => {
      const b = batchForStage(declared, stage.name);
      return {
        batch: b.name,
        stack: stackName(stage, b.name),
        schedule: b.schedule.expression,
        timezone: b.timezone,
        enabled: b.enabled,
        ...(b.startDate !== undefined ? { startDate: b.startDate } : {}),
        ...(b.endDate !== undefined ? { endDate: b.endDate } : {}),
        graceMinutes: missedRunGraceMinutes(b),
        keyedBy: b.input === undefined ? 'scheduled-time' : 'start-time',
      };
    }),
  };
}

/** The file in the watchdog's code zip that holds every stage's {@link WatchdogConfig}. */
export const WATCHDOG_CONFIG_FILE = 'watchdog.json';

/** The watchdog function's environment variables. */
export const WATCHDOG_ENV = {
  /** The stage the function watches: the key of its configuration in {@link WATCHDOG_CONFIG_FILE}. */
  stage: 'BATCHFORM_STAGE',
  /** Where the configuration file is. @default `watchdog.json` next to the handler */
  config: 'BATCHFORM_WATCHDOG_CONFIG',
} as const;

/** The content of {@link WATCHDOG_CONFIG_FILE}: every stage's configuration, by stage name. */
export interface WatchdogConfigFile {
  readonly version: 1;
  readonly stages: Readonly<Record<string, WatchdogConfig>>;
}

/**
 * The watchdog's configuration file for every declared stage, as deterministic JSON (declaration
 * order, two-space indent, a final newline): the same declarations give the same bytes, so the
 * code zip's hash changes only when what a watchdog watches does.
 */
export function watchdogConfigJson(decl: ValidatedDeclarations): string {
  const file: WatchdogConfigFile = { version: 1, stages: Object.fromEntries(decl.stages.map((s) => [s.name, watchdogConfig(s, decl.batches)])) };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * The watchdog function as the stage stack deploys it: the Node.js runtime and architecture batches
 * get by default, the smallest memory that runs a pass over many batches quickly, a short timeout (a
 * pass reads one page or two of each batch's runs), its log retention.
 */
export const WATCHDOG_FUNCTION = {
  runtime: BATCH_DEFAULTS.runtime,
  architecture: BATCH_DEFAULTS.architecture,
  /** MB. */
  memorySize: 256,
  /** Seconds. */
  timeout: 60,
  /** Days its log group keeps its logs. */
  logRetentionDays: BATCH_DEFAULTS.logRetentionDays,
} as const;
