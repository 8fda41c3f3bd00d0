// The run ledger's shape: the per-stage table's name, its keys and the record of one run, shared
// by the runtime helper that writes it, the template that creates and grants it, and the commands
// that read it (no AWS SDK, no aws-cdk-lib).

/**
 * What a batch's function role does in the ledger, on its own partition only (the template's
 * grant and the boundary's cap both hold it to `dynamodb:LeadingKeys` = the batch's name): the
 * claim, the lease and the end are conditional UpdateItems, the skip reason reads the lease.
 */
export const LEDGER_BATCH_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

/**
 * A run's status in the ledger.
 * - `running`: claimed, the handler is (or was, until its deadline) running;
 * - `succeeded` / `failed`: the handler returned or threw (a failed run's retry is a new attempt);
 * - `skipped-duplicate`: never written as a record's status: a duplicate delivery only counts
 *   itself on the run's record (`duplicates`); listed for `runs` and `status`, which report them;
 * - `skipped-overlap`: the batch's previous run still held the lease (`overlap: 'skip'`);
 * - `skipped-paused`: the batch was paused;
 * - `missed`: the watchdog found no run for the scheduled time within the grace.
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped-duplicate' | 'skipped-overlap' | 'skipped-paused' | 'missed';

/** Every {@link RunStatus}, in the order `runs` explains them. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'skipped-duplicate', 'skipped-overlap', 'skipped-paused', 'missed'];

/**
 * What started a run: its schedule, `batchform run` (or an event without a scheduled time),
 * `batchform backfill`, or `batchform redrive`.
 */
export type RunTrigger = 'schedule' | 'run' | 'backfill' | 'redrive';

/**
 * The event field `batchform run`, `backfill` and `redrive` set to say what started a run; a
 * schedule never sends it (its runs are `schedule`).
 */
export const TRIGGER_FIELD = 'batchformTrigger';

/** What a batch does when its previous run still runs at the next scheduled time. */
export type OverlapPolicy = 'skip' | 'allow';

/**
 * What to do when a stage's ledger table does not exist: the stage stack holds it, so deploying
 * the stage creates it (before any batch stack).
 */
export const NO_LEDGER_FIX = 'deploy the stage (the deploy workflow, or npx batchform deploy --stage <stage>): '
  + 'its stage stack <stackPrefix>-stage holds the ledger table and is deployed before the batch stacks';

/** Attribute names of the ledger table. */
export const LEDGER_KEYS = {
  /** Partition key: the batch's name, so `dynamodb:LeadingKeys` confines a batch to its own records. */
  partition: 'batch',
  /** Sort key: the scheduled time (ISO 8601 UTC, `2027-02-01T00:10:00.000Z`), or {@link LEASE_SORT_KEY}. */
  sort: 'run',
  /** TTL attribute: epoch seconds after which DynamoDB deletes the record (the stage's retention). */
  ttl: 'expiresAt',
} as const;

/**
 * Sort key of a batch's overlap lease (one per batch, in the batch's own partition). `#` sorts
 * before every digit, so a query of scheduled times (`run >= "2…"`) never returns it.
 */
export const LEASE_SORT_KEY = '#lease';

/** Days a run's record is kept unless the stage says otherwise (`ledgerRetentionDays`). */
export const DEFAULT_LEDGER_RETENTION_DAYS = 90;
/** The longest retention a stage may declare, in days (about 10 years). */
export const MAX_LEDGER_RETENTION_DAYS = 3653;

/** Most characters of a failed run's error kept in its record. */
export const MAX_ERROR_CHARS = 300;

/** The suffix of a stage's ledger table name: `<stackPrefix>-batchform-ledger`. */
export const LEDGER_TABLE_SUFFIX = 'batchform-ledger';

/**
 * The name of a stage's ledger table: `<stackPrefix>-batchform-ledger` (stack prefixes never
 * overlap between stages, so neither do the tables; `batchform-` keeps it apart from a team's own
 * `<prefix>-ledger` table).
 *
 * @example ledgerTableName({ stackPrefix: 'acme-prod' }) // 'acme-prod-batchform-ledger'
 */
export function ledgerTableName(stage: { readonly stackPrefix: string }): string {
  return `${stage.stackPrefix}-${LEDGER_TABLE_SUFFIX}`;
}

/** One run of a batch at one scheduled time, as the ledger keeps it. */
export interface RunRecord {
  /** The batch's name (the partition key). */
  readonly batch: string;
  /** The scheduled time, ISO 8601 UTC (the sort key). */
  readonly run: string;
  readonly status: RunStatus;
  /** How many times a run of this scheduled time was started (a failed run's retry is the next attempt). */
  readonly attempts: number;
  /** Deliveries of this scheduled time that found it running or done and did nothing. */
  readonly duplicates?: number;
  /** When the latest attempt started (ISO 8601 UTC). */
  readonly startedAt?: string;
  /** When the latest attempt ended (ISO 8601 UTC). */
  readonly endedAt?: string;
  /** How long the latest attempt took, in milliseconds. */
  readonly durationMs?: number;
  readonly trigger: RunTrigger;
  /** Lambda request id of the latest attempt (plain batches) or the durable execution's ARN (durable ones). */
  readonly requestId?: string;
  /** CloudWatch log stream of the latest attempt. */
  readonly logStream?: string;
  /** The code that ran: the function version and the code zip's SHA-256 when known. */
  readonly codeVersion?: string;
  /** A durable batch's execution name. */
  readonly executionName?: string;
  /** The first {@link MAX_ERROR_CHARS} characters of a failed run's error; why a run was skipped. */
  readonly error?: string;
  /** Who holds the record: the latest attempt's request id or execution ARN. */
  readonly owner?: string;
  /** Epoch milliseconds after which a `running` record counts as crashed (its attempt's deadline). */
  readonly deadline?: number;
  /** Epoch seconds: DynamoDB's TTL deletes the record after this. */
  readonly expiresAt?: number;
}

/** A batch's overlap lease: which run holds it, until when. */
export interface LeaseRecord {
  readonly batch: string;
  /** Always {@link LEASE_SORT_KEY} (`#lease`). */
  readonly run: string;
  /** The scheduled time whose run holds the lease. */
  readonly holder: string;
  /** The holder's request id or execution ARN. */
  readonly owner: string;
  /** Epoch milliseconds after which the lease is free again (the holder's deadline, or its release). */
  readonly until: number;
  readonly expiresAt?: number;
}

/** Runs `batchform runs` lists unless told otherwise. */
export const DEFAULT_RUNS_LIMIT = 20;
/** The largest `--limit` of `batchform runs`. */
export const MAX_RUNS_LIMIT = 1000;

/**
 * Sort key of a batch's pause record (one per batch, in the batch's own partition; `#` keeps it
 * out of every query of scheduled times). `batchform pause` writes it, `resume` clears it; the
 * runtime helper reads it before each claim and the watchdog before reporting a run missed.
 */
export const PAUSE_SORT_KEY = '#pause';

/** A batch's pause state in one stage, as `batchform pause` / `resume` keep it (no template change, so no drift). */
export interface PauseRecord {
  readonly batch: string;
  /** Always {@link PAUSE_SORT_KEY} (`#pause`). */
  readonly run: string;
  /** Whether the batch is paused now. */
  readonly paused: boolean;
  /** Why, as the operator wrote it (`--note`). */
  readonly note?: string;
  /** Who paused it: the caller's identity ARN (STS GetCallerIdentity). */
  readonly by?: string;
  /** When it was paused (ISO 8601 UTC). */
  readonly pausedAt?: string;
  /** When it was last resumed (ISO 8601 UTC). */
  readonly resumedAt?: string;
  /** Who last resumed it: the caller's identity ARN. */
  readonly resumedBy?: string;
}

/**
 * The attributes `batchform pause` and `resume` write, keys included (as IAM's
 * `dynamodb:Attributes` counts them): the operator role may update the ledger with these names
 * only, so it can never write a run's status, attempts, owner or lease. (IAM has no condition on a
 * sort key's value, so it cannot say "only the `#pause` item"; an item holding only these fields
 * is no run's record, and the runtime claims it like a missing one.)
 */
export const PAUSE_ATTRIBUTES = [LEDGER_KEYS.partition, LEDGER_KEYS.sort, 'paused', 'note', 'by', 'pausedAt', 'resumedAt', 'resumedBy'] as const;

/**
 * Sort key of a batch's health item (one per batch, in the batch's own partition; `#` keeps it out
 * of every query of scheduled times): the count of consecutive failed runs the failure alarm
 * watches. The runtime helper adds one when a scheduled time fails for the first time (a retry of
 * the same time that fails again does not count twice) and sets it to 0 when a run succeeds.
 */
export const HEALTH_SORT_KEY = '#health';

/** A batch's health item: how many scheduled times in a row failed. */
export interface HealthRecord {
  readonly batch: string;
  /** Always {@link HEALTH_SORT_KEY} (`#health`). */
  readonly run: string;
  /** Consecutive scheduled times whose latest attempt failed; 0 after a success. */
  readonly consecutiveFailures: number;
  /** The scheduled time of the latest failure counted (a retry of it is not counted again). */
  readonly lastFailed?: string;
  /** The scheduled time of the latest success. */
  readonly lastSucceeded?: string;
  readonly expiresAt?: number;
}

/**
 * The CloudWatch metrics the ledger publishes (embedded metric format from the runtime helper, and
 * from the stage's watchdog): one namespace, one dimension naming the batch's stack
 * (`<stackPrefix>-<batch>`, unique per stage, so one stage's runs never count in another's alarms).
 */
export const LEDGER_METRICS = {
  namespace: 'batchform',
  /** Dimension: the batch's stack name (its function name for plain batches). */
  dimension: 'Stack',
  /** A run ended `succeeded` (value 1). */
  succeeded: 'RunSucceeded',
  /** A run ended `failed` (value 1). */
  failed: 'RunFailed',
  /** The batch's consecutive failed runs, published at the end of every run (0 after a success). */
  consecutiveFailures: 'ConsecutiveFailures',
  /** How long a run took, in milliseconds. */
  duration: 'RunDuration',
  /** A scheduled time was skipped (duplicate, overlap, paused): value 1. */
  skipped: 'RunSkipped',
  /** The watchdog found a scheduled time with no run within the grace: value = how many. */
  missed: 'RunMissed',
} as const;
