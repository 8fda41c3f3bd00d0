// The run ledger as the handler helper writes it: claim a scheduled time with a conditional write
// before the handler runs (exactly one run per scheduled time), take the batch's overlap lease,
// and record how the run ended.
//
// Why not Powertools' idempotency utility (@aws-lambda-powertools/idempotency, evaluated from its
// documentation and typings): it keys a record on a hash of the payload (or a JMESPath of it) and
// keeps INPROGRESS / COMPLETED / EXPIRED with the handler's response, which covers the duplicate
// delivery. It does not fit the rest of the ledger: a failed run's record is deleted (so there is
// no history, no attempt count and no failed status for `runs`, `status` and the failure alarm),
// there is no lease across different keys (the overlap policy), no record of a run that was
// skipped and why, no trigger, log stream or code version, and its item layout (`id` + a static
// partition value) is not the one `runs` queries by batch and time range. What remains to share is
// one conditional UpdateItem; written here against the ledger's own keys, it also keeps the
// bundles free of another dependency.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchformError } from '../errors/batchform-error';
import {
  DEFAULT_LEDGER_RETENTION_DAYS, LEASE_SORT_KEY, LEDGER_KEYS, LeaseRecord, MAX_ERROR_CHARS, OverlapPolicy, RunRecord, RunStatus, RunTrigger,
} from '../model/ledger';
import { RUNTIME_ENV } from '../model/runtime-env';

/** Options of {@link RunLedger}. */
export interface RunLedgerOptions {
  /** The stage's ledger table (`BATCHFORM_LEDGER_TABLE`). */
  readonly tableName: string;
  /** The batch whose runs are recorded: its partition of the table. */
  readonly batch: string;
  /**
   * What to do when the batch's previous run still holds the lease: `skip` records the run as
   * `skipped-overlap` without running it; `allow` runs it anyway (no lease is taken).
   * @default 'skip'
   */
  readonly overlap?: OverlapPolicy;
  /** Days a record is kept (its TTL). @default 90 */
  readonly retentionDays?: number;
  /** The DynamoDB client (a plain or a document client). @default a new client for the function's region */
  readonly client?: DynamoDBClient | DynamoDBDocumentClient;
  /** The clock, in epoch milliseconds (tests move it). @default Date.now */
  readonly now?: () => number;
}

/** One delivery's request to run a scheduled time. */
export interface ClaimRequest {
  /** The scheduled time (the record's sort key). */
  readonly scheduledTime: Date;
  /**
   * Who runs it: the Lambda request id (a plain batch: Lambda's own retries of a failed run keep
   * it, so a retry after a crash takes its record over at once) or the durable execution's ARN.
   */
  readonly owner: string;
  /**
   * Milliseconds the run may take (a plain batch's remaining time, a durable batch's execution
   * timeout): after them it counts as crashed, and its record and its lease can be taken over.
   */
  readonly timeoutMs: number;
  readonly trigger: RunTrigger;
  /** Run again even if the scheduled time already succeeded (a deliberate re-run). */
  readonly force?: boolean;
  readonly requestId?: string;
  readonly logStream?: string;
  readonly codeVersion?: string;
  readonly executionName?: string;
}

/** What a claim decided; plain JSON (a durable batch checkpoints it). */
export type Claim =
  /** Run the handler: this is attempt `attempt` of the scheduled time. */
  | { readonly outcome: 'run'; readonly run: string; readonly owner: string; readonly attempt: number; readonly startedAt: number }
  /** Another delivery ran it or runs it (status `running`, `succeeded` or a skip): nothing to do; counted on the record. */
  | { readonly outcome: 'duplicate'; readonly run: string; readonly status: RunStatus; readonly duplicates: number }
  /** The previous run (`holder`) still holds the lease until `until`: recorded as `skipped-overlap`. */
  | { readonly outcome: 'skipped-overlap'; readonly run: string; readonly holder: string; readonly until: number };

/** What {@link RunLedger.fromEnvironment} reads. */
export type LedgerEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * The DynamoDB SDK, loaded when a ledger is first used: the bundles leave `@aws-sdk/*` to the
 * Lambda runtime, and a local run (no ledger) must not need it installed.
 */
function dynamoSdk() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DynamoDBClient: Client } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const lib = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { Client, ...lib };
}

/** `ConditionalCheckFailedException`, by name (a bundled copy of the SDK is another class). */
function conditionFailed(e: unknown): boolean {
  return (e as Error)?.name === 'ConditionalCheckFailedException';
}

/** The first {@link MAX_ERROR_CHARS} characters of an error's name and message. */
export function shortError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

/**
 * The ledger of one batch in one stage. Every write is one conditional UpdateItem on the batch's
 * own partition (`dynamodb:LeadingKeys` = the batch's name), so concurrent deliveries of one
 * scheduled time agree through DynamoDB alone.
 */
export class RunLedger {
  /**
   * The ledger the template configured (`BATCHFORM_LEDGER_TABLE`, `BATCHFORM_OVERLAP`,
   * `BATCHFORM_LEDGER_RETENTION_DAYS`), or undefined when the function has no ledger table (a
   * local run, or a template from before the ledger).
   */
  static fromEnvironment(batch: string, env: LedgerEnvironment = process.env): RunLedger | undefined {
    const tableName = env[RUNTIME_ENV.ledgerTable];
    if (!tableName) return undefined;
    const retention = Number(env[RUNTIME_ENV.ledgerRetentionDays]);
    return new RunLedger({
      tableName,
      batch,
      overlap: env[RUNTIME_ENV.overlap] === 'allow' ? 'allow' : 'skip',
      retentionDays: Number.isFinite(retention) && retention > 0 ? retention : undefined,
    });
  }

  readonly tableName: string;
  readonly batch: string;
  readonly overlap: OverlapPolicy;
  private readonly retentionDays: number;
  private readonly doc: DynamoDBDocumentClient;
  private readonly sdk: ReturnType<typeof dynamoSdk>;
  private readonly now: () => number;

  constructor(options: RunLedgerOptions) {
    this.tableName = options.tableName;
    this.batch = options.batch;
    this.overlap = options.overlap ?? 'skip';
    this.retentionDays = options.retentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS;
    this.sdk = dynamoSdk();
    const client = options.client ?? new this.sdk.Client({});
    this.doc = client instanceof this.sdk.DynamoDBDocumentClient
      ? client
      : this.sdk.DynamoDBDocumentClient.from(client as DynamoDBClient, { marshallOptions: { removeUndefinedValues: true } });
    this.now = options.now ?? Date.now;
  }

  /**
   * Claims `request.scheduledTime` for this delivery: runs it (`run`), or says it was already run
   * or is running (`duplicate`, counted on the record), or that the previous run still holds the
   * lease (`skipped-overlap`, recorded with the holder). A record that failed or was missed, or
   * one still `running` past its deadline (its run crashed) or owned by this very request (Lambda's
   * retry of it), is claimed again as the next attempt.
   *
   * @throws BatchformError (`aws`) when the ledger cannot be written: the run must not go unrecorded.
   */
  async claim(request: ClaimRequest): Promise<Claim> {
    const run = request.scheduledTime.toISOString();
    const now = this.now();
    const set: Record<string, unknown> = {
      status: 'running' satisfies RunStatus,
      startedAt: new Date(now).toISOString(),
      trigger: request.trigger,
      owner: request.owner,
      deadline: now + request.timeoutMs,
      requestId: request.requestId,
      logStream: request.logStream,
      codeVersion: request.codeVersion,
      executionName: request.executionName,
      [LEDGER_KEYS.ttl]: this.ttl(now),
    };
    const fields = Object.entries(set).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#run': LEDGER_KEYS.sort, '#status': 'status', '#owner': 'owner', '#deadline': 'deadline', '#attempts': 'attempts' };
    const values: Record<string, unknown> = { ':zero': 0, ':one': 1, ':now': now, ':failed': 'failed', ':missed': 'missed', ':running': 'running', ':owner': request.owner };
    fields.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
    });
    const conditions = [
      'attribute_not_exists(#run)',
      '#status IN (:failed, :missed)',
      '(#status = :running AND (#owner = :owner OR #deadline < :now))',
      ...(request.force ? ['#status <> :running'] : []),
    ];
    try {
      const out = await this.send(`claiming ${run}`, () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(run),
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}, #attempts = if_not_exists(#attempts, :zero) + :one REMOVE endedAt, durationMs, #error`,
        ConditionExpression: conditions.join(' OR '),
        ExpressionAttributeNames: { ...names, '#error': 'error' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      })));
      const attempt = Number(out.Attributes?.attempts ?? 1);
      if (this.overlap === 'allow') return { outcome: 'run', run, owner: request.owner, attempt, startedAt: now };
      return await this.takeLease(run, request.owner, now + request.timeoutMs, attempt, now);
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return this.countDuplicate(run);
    }
  }

  /**
   * Records how a claimed run ended (`error` undefined: succeeded) and frees the lease. A run
   * whose record was taken over meanwhile (it passed its deadline) changes nothing.
   */
  async finish(claim: Claim, error?: unknown): Promise<void> {
    if (claim.outcome !== 'run') return;
    const now = this.now();
    const status: RunStatus = error === undefined ? 'succeeded' : 'failed';
    try {
      await this.send(`recording the end of ${claim.run}`, () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(claim.run),
        UpdateExpression: `SET #status = :status, endedAt = :end, durationMs = :ms${error === undefined ? '' : ', #error = :error'}`,
        ConditionExpression: '#owner = :owner AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', ...(error === undefined ? {} : { '#error': 'error' }) },
        ExpressionAttributeValues: {
          ':status': status,
          ':end': new Date(now).toISOString(),
          ':ms': Math.max(0, now - claim.startedAt),
          ':owner': claim.owner,
          ':running': 'running',
          ...(error === undefined ? {} : { ':error': shortError(error) }),
        },
      })));
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    if (this.overlap === 'skip') await this.releaseLease(claim.owner, now);
  }

  /** A run's record, or undefined when there is none. */
  async record(scheduledTime: Date | string): Promise<RunRecord | undefined> {
    const run = typeof scheduledTime === 'string' ? scheduledTime : scheduledTime.toISOString();
    const out = await this.send(`reading ${run}`, () => this.doc.send(new this.sdk.GetCommand({ TableName: this.tableName, Key: this.key(run), ConsistentRead: true })));
    return out.Item as RunRecord | undefined;
  }

  /** The batch's overlap lease, or undefined when no run ever took it. */
  async lease(): Promise<LeaseRecord | undefined> {
    const out = await this.send('reading the overlap lease', () => this.doc.send(new this.sdk.GetCommand({ TableName: this.tableName, Key: this.key(LEASE_SORT_KEY), ConsistentRead: true })));
    return out.Item as LeaseRecord | undefined;
  }

  private key(run: string): Record<string, string> {
    return { [LEDGER_KEYS.partition]: this.batch, [LEDGER_KEYS.sort]: run };
  }

  private ttl(now: number): number {
    return Math.floor(now / 1000) + Math.round(this.retentionDays * 86_400);
  }

  /**
   * The lease is free when no run took it, its holder's deadline passed (a crashed run never
   * blocks the next), its holder released it, or this run (its owner, or an earlier attempt of
   * the same scheduled time) holds it.
   */
  private async takeLease(run: string, owner: string, deadline: number, attempt: number, now: number): Promise<Claim> {
    try {
      await this.send('taking the overlap lease', () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(LEASE_SORT_KEY),
        UpdateExpression: 'SET holder = :run, #owner = :owner, #until = :deadline, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#run) OR #until <= :now OR #owner = :owner OR holder = :run',
        ExpressionAttributeNames: { '#run': LEDGER_KEYS.sort, '#owner': 'owner', '#until': 'until', '#ttl': LEDGER_KEYS.ttl },
        ExpressionAttributeValues: { ':run': run, ':owner': owner, ':deadline': deadline, ':now': now, ':ttl': this.ttl(now) },
      })));
      return { outcome: 'run', run, owner, attempt, startedAt: now };
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    const lease = await this.lease();
    const holder = lease?.holder ?? '?';
    const until = lease?.until ?? now;
    const why = `the run of ${holder} was still running (its lease lasts until ${new Date(until).toISOString()}); overlap: 'skip'`;
    try {
      await this.send(`recording ${run} as skipped`, () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(run),
        UpdateExpression: 'SET #status = :skipped, endedAt = :end, durationMs = :zero, #error = :why',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#error': 'error' },
        ExpressionAttributeValues: { ':skipped': 'skipped-overlap', ':end': new Date(now).toISOString(), ':zero': 0, ':why': why, ':owner': owner },
      })));
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    return { outcome: 'skipped-overlap', run, holder, until };
  }

  private async releaseLease(owner: string, now: number): Promise<void> {
    try {
      await this.send('freeing the overlap lease', () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(LEASE_SORT_KEY),
        UpdateExpression: 'SET #until = :now',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until' },
        ExpressionAttributeValues: { ':owner': owner, ':now': now },
      })));
    } catch (e) {
      // Another run took the lease after this one's deadline: it is theirs now.
      if (!conditionFailed(e)) throw e;
    }
  }

  /** Counts a duplicate delivery on the record it found, and says what that record was. */
  private async countDuplicate(run: string): Promise<Claim> {
    const out = await this.send(`counting a duplicate delivery of ${run}`, () => this.doc.send(new this.sdk.UpdateCommand({
      TableName: this.tableName,
      Key: this.key(run),
      UpdateExpression: 'ADD duplicates :one',
      ConditionExpression: 'attribute_exists(#run)',
      ExpressionAttributeNames: { '#run': LEDGER_KEYS.sort },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'ALL_NEW',
    })));
    return { outcome: 'duplicate', run, status: out.Attributes?.status as RunStatus, duplicates: Number(out.Attributes?.duplicates ?? 1) };
  }

  /** One DynamoDB call; any failure but a failed condition becomes an error naming the table and the fix. */
  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (conditionFailed(e)) throw e;
      const name = (e as Error)?.name ?? 'Error';
      const fix = name === 'ResourceNotFoundException'
        ? `the stage's ledger table ${this.tableName} does not exist: deploy the stage (the deploy workflow, or npx batchform deploy --stage <stage>), ` +
          'whose stage stack <stackPrefix>-stage holds the table and is deployed before the batch stacks'
        : name === 'AccessDeniedException'
          ? `the function's role may not write its own records in ${this.tableName}: deploy the batch's current template (its role grants them) and the stage's current bootstrap (its boundary allows them)`
          : 'the run was not started; Lambda retries it';
      throw new BatchformError('aws', `batch "${this.batch}": the run ledger failed ${what} (${name}: ${(e as Error)?.message ?? e}); ${fix}.`, {
        cause: e, where: { batch: this.batch },
      });
    }
  }
}
