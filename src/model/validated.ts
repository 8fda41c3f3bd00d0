// The validated model: batches and stages with every default resolved, as the generators see them.
import type { Architecture, PolicyStatementOptions } from './batch-options';
import type { OverlapPolicy } from './ledger';
import type { SecretReference } from './secrets';
import type { ParsedSchedule } from '../schedule/expression';

/** A durable batch's execution settings, defaults filled in. */
export interface DurableSettings {
  /** Seconds one execution may take. */
  readonly executionTimeout: number;
  /** Days a finished execution's history is kept. */
  readonly retentionDays: number;
}

/** What one stage changes of a validated batch (see `StageOverrideOptions`); unset fields are the batch's. */
export interface StageOverride {
  readonly schedule?: ParsedSchedule;
  readonly enabled?: boolean;
  readonly timezone?: string;
  /** The variables the stage sets or replaces (merged over the batch's). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: number;
  readonly reservedConcurrency?: number | false;
}

/** A batch whose declaration passed every rule, with defaults filled in. */
export interface Batch {
  readonly name: string;
  readonly description: string;
  /** Handler path relative to the project root, with forward slashes. */
  readonly handler: string;
  readonly schedule: ParsedSchedule;
  readonly enabled: boolean;
  /** The constant input, serialized, or undefined for the Scheduled Event. */
  readonly input?: string;
  readonly runtime: string;
  readonly architecture: Architecture;
  readonly memorySize: number;
  readonly timeout: number;
  /** Set for a batch that runs as a Lambda durable function. */
  readonly durable?: DurableSettings;
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets by reference, by the name the handler reads them with; never values. */
  readonly secrets: Readonly<Record<string, SecretReference>>;
  readonly vpc: boolean;
  readonly logRetentionDays: number;
  readonly policyStatements: readonly PolicyStatementOptions[];
  /** `false`: none reserved. */
  readonly reservedConcurrency: number | false;
  /** What a run does while the previous one still runs. */
  readonly overlap: OverlapPolicy;
  readonly timezone: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly alarms: boolean;
  /** The batch's own alarm topic (placeholders such as `${AWS::Region}` unfilled), in place of the stage's. */
  readonly alarmTopicArn?: string;
  /** Consecutive failed scheduled times that set off the failed-run alarm. */
  readonly failureAlarmAfter: number;
  /** The longest a run should take, in seconds; undefined: no duration alarm. */
  readonly maxDuration?: number;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  /** Delivery retries of the rule's or schedule's target. */
  readonly deliveryRetryAttempts: number;
  /** Scheduler flexible window in minutes; undefined when off. */
  readonly flexibleWindowMinutes?: number;
  /** Minutes after a scheduled time before the stage's watchdog reports it missed; undefined: 15 plus the flexible window. */
  readonly missedRunGraceMinutes?: number;
  /** Scheduler start date, as a UTC ISO string (`2027-01-01T00:00:00.000Z`). */
  readonly startDate?: string;
  /** Scheduler end date, as a UTC ISO string. */
  readonly endDate?: string;
  /** Names of the stages the batch deploys to. */
  readonly stages: readonly string[];
  /**
   * Per-stage differences, by stage name (only stages the batch deploys to); `batchForStage` gives
   * the batch as a stage runs it.
   */
  readonly overrides: Readonly<Record<string, StageOverride>>;
}

/** A stage whose declaration passed every rule, with defaults filled in. */
export interface Stage {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stackPrefix: string;
  readonly artifactBucket: string;
  readonly artifactPrefix: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly deployRoleArn?: string;
  readonly previewRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly permissionsBoundaryArn?: string;
  readonly assumableRoleArns: readonly string[];
  /** Principals trusted by the bootstrap's operator role; empty: no operator role. */
  readonly operatorPrincipals: readonly string[];
  /** Whether previews detect drift (and the preview role may read the stage's resources). */
  readonly driftDetection: boolean;
  readonly githubEnvironment: string;
  readonly alarmTopicArn?: string;
  readonly alarmEmails: readonly string[];
  /** Days the stage's run ledger keeps a run's record. */
  readonly ledgerRetentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Everything the generators need: the validated batches and stages, in declaration order. */
export interface ValidatedDeclarations {
  readonly batches: readonly Batch[];
  readonly stages: readonly Stage[];
}

/**
 * Whether a batch runs on EventBridge Scheduler (any time zone but UTC) rather than on an
 * EventBridge rule (UTC, the seed's shape): the Scheduler is what runs a schedule in local time.
 */
export function usesScheduler(batch: { readonly timezone: string }): boolean {
  return batch.timezone !== 'UTC';
}

/** Whether a batch runs as a Lambda durable function. */
export function isDurable(batch: { readonly durable?: unknown }): boolean {
  return batch.durable !== undefined;
}
