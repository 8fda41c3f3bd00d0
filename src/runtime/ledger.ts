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
import { emfLine, LedgerMetricValues, MetricSink, stdoutSink } from './metrics';
import { BatchformError } from '../errors/batchform-error';
import {
  DEFAULT_LEDGER_RETENTION_DAYS, HEALTH_SORT_KEY, HealthRecord, LEASE_SORT_KEY, LEDGER_KEYS, LEDGER_METRICS, LeaseRecord, MAX_ERROR_CHARS,
  NO_LEDGER_FIX, OverlapPolicy, PAUSE_SORT_KEY, PauseRecord, RunRecord, RunStatus, RunTrigger,
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
  /**
   * Where the records are kept instead of a DynamoDB table: anything that answers the ledger's
   * `UpdateCommand`s and `GetCommand`s (document-client shapes: condition and update expressions,
   * `ReturnValues: 'ALL_NEW'`, `ConditionalCheckFailedException`) as DynamoDB does. `invoke`'s local
   * ledger file is one, so a local run goes through this very claim and finish.
   * @default - the table, through `client`
   */
  readonly store?: LedgerStore;
  /** The clock, in epoch milliseconds (tests move it). @default Date.now */
  readonly now?: () => number;
  /**
   * The batch's stack name (`<stackPrefix>-<batch>`): the `Stack` dimension of the metrics each
   * run's end and each skip publish (namespace `batchform`, see `LEDGER_METRICS`), which the
   * batch's alarms watch.
   * @default - no metrics
   */
  readonly stack?: string;
  /** Where the metrics' embedded-metric-format lines go. @default standard output */
  readonly metrics?: MetricSink;
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

/**
 * The one thing the ledger needs of its storage: sending its document-client commands. A
 * DynamoDBDocumentClient is one; so is `invoke`'s local ledger file (src/local/local-ledger.ts).
 */
export interface LedgerStore {
  send(command: { readonly input: object }): Promise<{ readonly Attributes?: Record<string, unknown>; readonly Item?: Record<string, unknown> }>;
}

/** What a claim decided; plain JSON (a durable batch checkpoints it). */
export type Claim =
  /** Run the handler: this is attempt `attempt` of the scheduled time. */
  | { readonly outcome: 'run'; readonly run: string; readonly owner: string; readonly attempt: number; readonly startedAt: number }
  /** Another delivery ran it or runs it (status `running`, `succeeded` or a skip): nothing to do; counted on the record. */
  | { readonly outcome: 'duplicate'; readonly run: string; readonly status: RunStatus; readonly duplicates: number }
  /** The previous run (`holder`) still holds the lease until `until`: recorded as `skipped-overlap`. */
  | { readonly outcome: 'skipped-overlap'; readonly run: string; readonly holder: string; readonly until: number }
  /** The batch is paused (`batchform pause`): a scheduled delivery is recorded as `skipped-paused`, with the pause's note and who paused it. */
  | { readonly outcome: 'skipped-paused'; readonly run: string; readonly note?: string; readonly by?: string; readonly pausedAt?: string };

/** How a claimed run ended, as {@link RunLedger.finish} recorded it. */
export interface RunEnd {
  readonly status: 'succeeded' | 'failed';
  /** Milliseconds from the claim to the end. */
  readonly durationMs: number;
  /** The batch's consecutive failed scheduled times after this run; undefined when the ledger could not count them. */
  readonly consecutiveFailures?: number;
}

/** Options of {@link RunLedger.finish}. */
export interface FinishOptions {
  /**
   * The time the run's end metrics carry: `start` (a plain batch) is the time Lambda stamps the
   * invocation's `Errors` with, so the failed-run alarm compares the two in the same period;
   * `end` (a durable batch, whose execution may outlast the 14 days CloudWatch accepts a past
   * metric for) is when it ended, as `DurableExecutionFailed` is.
   * @default 'start'
   */
  readonly metricsAt?: 'start' | 'end';
}

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
   * `BATCHFORM_LEDGER_RETENTION_DAYS`, and `BATCHFORM_STACK` for its metrics, else in Lambda a
   * plain batch's function name, which is its stack name), or undefined when the function has no ledger table (a
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
      // A plain batch's function is named after its stack; only in Lambda itself (a local run
      // names its function `local-<batch>`, and its metrics would go nowhere).
      stack: env[RUNTIME_ENV.stack] || (env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda') ? env.AWS_LAMBDA_FUNCTION_NAME : undefined) || undefined,
    });
  }

  readonly tableName: string;
  readonly batch: string;
  readonly overlap: OverlapPolicy;
  /** The `Stack` dimension of the metrics; undefined: none are published. */
  readonly stack?: string;
  private readonly sink: MetricSink;
  private readonly retentionDays: number;
  private readonly doc: LedgerStore;
  private readonly sdk: ReturnType<typeof dynamoSdk>;
  private readonly now: () => number;

  constructor(options: RunLedgerOptions) {
    this.tableName = options.tableName;
    this.batch = options.batch;
    this.overlap = options.overlap ?? 'skip';
    this.retentionDays = options.retentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS;
    this.sdk = dynamoSdk();
    const client = options.store ? undefined : options.client ?? new this.sdk.Client({});
    const doc = client instanceof this.sdk.DynamoDBDocumentClient
      ? client
      : client && this.sdk.DynamoDBDocumentClient.from(client as DynamoDBClient, { marshallOptions: { removeUndefinedValues: true } });
    this.doc = options.store ?? doc as unknown as LedgerStore;
    this.now = options.now ?? Date.now;
    this.stack = options.stack;
    this.sink = options.metrics ?? stdoutSink;
  }

  /**
   * Claims `request.scheduledTime` for this delivery: runs it (`run`), or says it was already run
   * or is running (`duplicate`, counted on the record), or that the previous run still holds the
   * lease (`skipped-overlap`, recorded with the holder). A record that failed or was missed, or
   * one still `running` past its deadline (its run crashed) or owned by this very request (Lambda's
   * retry of it), is claimed again as the next attempt; so is a skipped one (overlap, paused) when
   * an operator's command sends it (`run`, `backfill`, `redrive`: a catch-up), and an item without
   * a status (no run's record: only the pause fields an operator may write).
   *
   * A delivery of the schedule first reads the batch's pause record (one GetItem on its own
   * partition): while the batch is paused (`batchform pause`) the scheduled time is recorded as
   * `skipped-paused` with the pause's note and the handler is not called. An operator's command
   * runs even while the batch is paused (a pause stops the schedule, not the people).
   *
   * @throws BatchformError (`aws`) when the ledger cannot be written: the run must not go unrecorded.
   */
  async claim(request: ClaimRequest): Promise<Claim> {
    const claim = await this.decide(request);
    if (claim.outcome !== 'run') this.publish({ [LEDGER_METRICS.skipped]: 1 });
    return claim;
  }

  private async decide(request: ClaimRequest): Promise<Claim> {
    const run = request.scheduledTime.toISOString();
    if (request.trigger === 'schedule' && !request.force) {
      const pause = await this.readPause(`claiming ${run}`);
      if (pause?.paused) return this.skipPaused(run, request, pause);
    }
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
    const operator = request.trigger !== 'schedule';
    if (operator) Object.assign(values, { ':overlap': 'skipped-overlap' satisfies RunStatus, ':paused': 'skipped-paused' satisfies RunStatus });
    fields.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
    });
    const conditions = [
      'attribute_not_exists(#run)',
      // Not a run's record: a key-only item, or the pause fields an operator may write on any key.
      'attribute_not_exists(#status)',
      '#status IN (:failed, :missed)',
      ...(operator ? ['#status IN (:overlap, :paused)'] : []),
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
   * Records how a claimed run ended (`error` undefined: succeeded), counts it in the batch's
   * consecutive failures (`#health`), frees the lease, and publishes the run's metrics
   * (`RunSucceeded` or `RunFailed`, `RunDuration`, `ConsecutiveFailures`) even when the ledger
   * could not record it. A run whose record was taken over meanwhile (it passed its deadline)
   * changes nothing on that record. Returns undefined for a claim that did not run.
   *
   * @throws BatchformError (`aws`) when the ledger could not be written (after the other writes were tried).
   */
  async finish(claim: Claim, error?: unknown, options: FinishOptions = {}): Promise<RunEnd | undefined> {
    if (claim.outcome !== 'run') return undefined;
    const now = this.now();
    const status = error === undefined ? 'succeeded' : 'failed';
    const durationMs = Math.max(0, now - claim.startedAt);
    let failure: unknown;
    const attempt = async (write: () => Promise<unknown>) => {
      try {
        await write();
      } catch (e) {
        if (!conditionFailed(e)) failure ??= e;
      }
    };
    await attempt(() => this.send(`recording the end of ${claim.run}`, () => this.doc.send(new this.sdk.UpdateCommand({
      TableName: this.tableName,
      Key: this.key(claim.run),
      UpdateExpression: `SET #status = :status, endedAt = :end, durationMs = :ms${error === undefined ? '' : ', #error = :error'}`,
      ConditionExpression: '#owner = :owner AND #status = :running',
      ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', ...(error === undefined ? {} : { '#error': 'error' }) },
      ExpressionAttributeValues: {
        ':status': status,
        ':end': new Date(now).toISOString(),
        ':ms': durationMs,
        ':owner': claim.owner,
        ':running': 'running',
        ...(error === undefined ? {} : { ':error': shortError(error) }),
      },
    }))));
    let consecutiveFailures: number | undefined;
    await attempt(async () => { consecutiveFailures = await this.countHealth(claim.run, status, now); });
    if (this.overlap === 'skip') await attempt(() => this.releaseLease(claim.owner, now));
    // Both outcomes every time (0 or 1), so both metrics exist from a batch's first run: the
    // failed-run alarm compares Lambda's failures with RunFailed, which must not be absent.
    this.publish({
      [LEDGER_METRICS.succeeded]: status === 'succeeded' ? 1 : 0,
      [LEDGER_METRICS.failed]: status === 'failed' ? 1 : 0,
      [LEDGER_METRICS.duration]: durationMs,
      ...(consecutiveFailures === undefined ? {} : { [LEDGER_METRICS.consecutiveFailures]: consecutiveFailures }),
    }, options.metricsAt === 'end' ? now : claim.startedAt);
    if (failure !== undefined) throw failure;
    return { status, durationMs, consecutiveFailures };
  }

  /** The batch's health item (its consecutive failures), or undefined when no run ever ended. */
  async health(): Promise<HealthRecord | undefined> {
    const out = await this.send('reading the consecutive failures', () => this.doc.send(new this.sdk.GetCommand({
      TableName: this.tableName, Key: this.key(HEALTH_SORT_KEY), ConsistentRead: true,
    })));
    return out.Item as HealthRecord | undefined;
  }

  /**
   * The batch's consecutive failures after a run of `run` ended: a success sets them to 0; the
   * first failure of a scheduled time adds one (one conditional UpdateItem: the role has no Query,
   * so the count lives in one item), and a retry of it that fails again leaves them as they are.
   */
  private async countHealth(run: string, status: 'succeeded' | 'failed', now: number): Promise<number> {
    const base = {
      TableName: this.tableName,
      Key: this.key(HEALTH_SORT_KEY),
    };
    if (status === 'succeeded') {
      await this.send('resetting the consecutive failures', () => this.doc.send(new this.sdk.UpdateCommand({
        ...base,
        UpdateExpression: 'SET consecutiveFailures = :zero, lastSucceeded = :run, #ttl = :ttl REMOVE lastFailed',
        ExpressionAttributeNames: { '#ttl': LEDGER_KEYS.ttl },
        ExpressionAttributeValues: { ':zero': 0, ':run': run, ':ttl': this.ttl(now) },
      })));
      return 0;
    }
    try {
      const out = await this.send('counting the consecutive failures', () => this.doc.send(new this.sdk.UpdateCommand({
        ...base,
        UpdateExpression: 'SET lastFailed = :run, #ttl = :ttl ADD consecutiveFailures :one',
        ConditionExpression: 'attribute_not_exists(lastFailed) OR lastFailed <> :run',
        ExpressionAttributeNames: { '#ttl': LEDGER_KEYS.ttl },
        ExpressionAttributeValues: { ':run': run, ':one': 1, ':ttl': this.ttl(now) },
        ReturnValues: 'UPDATED_NEW',
      })));
      return Number(out.Attributes?.consecutiveFailures ?? 1);
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      // This scheduled time's failure is already counted (an earlier attempt failed too).
      return Number((await this.health())?.consecutiveFailures ?? 1);
    }
  }

  /** Writes one EMF line of `values` (nothing without a stack name); a failing sink never fails a run. */
  private publish(values: LedgerMetricValues, timestamp = this.now()): void {
    if (!this.stack) return;
    try {
      this.sink(emfLine(this.stack, values, timestamp));
    } catch {
      // Metrics are best effort: the run's outcome is in its record and in Lambda's own metrics.
    }
  }

  /** A run's record, or undefined when there is none. */
  async record(scheduledTime: Date | string): Promise<RunRecord | undefined> {
    const run = typeof scheduledTime === 'string' ? scheduledTime : scheduledTime.toISOString();
    const out = await this.send(`reading ${run}`, () => this.doc.send(new this.sdk.GetCommand({ TableName: this.tableName, Key: this.key(run), ConsistentRead: true })));
    return out.Item as RunRecord | undefined;
  }

  /** The batch's pause record (`batchform pause` / `resume`), or undefined when it was never paused. */
  async pause(): Promise<PauseRecord | undefined> {
    return this.readPause('reading the pause record');
  }

  private async readPause(what: string): Promise<PauseRecord | undefined> {
    const get = new this.sdk.GetCommand({ TableName: this.tableName, Key: this.key(PAUSE_SORT_KEY), ConsistentRead: true });
    const out = await this.send(what, () => this.doc.send(get));
    return out.Item as PauseRecord | undefined;
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

  /**
   * Records a scheduled time delivered while the batch is paused as `skipped-paused` (no attempt,
   * the pause's note as the reason). A time that already has a run's record keeps it: the delivery
   * is counted on it as a duplicate.
   */
  private async skipPaused(run: string, request: ClaimRequest, pause: PauseRecord): Promise<Claim> {
    const now = this.now();
    const why = `paused${pause.by ? ` by ${pause.by}` : ''}${pause.pausedAt ? ` at ${pause.pausedAt}` : ''}${pause.note ? `: ${pause.note}` : ''}`;
    try {
      await this.send(`recording ${run} as skipped while paused`, () => this.doc.send(new this.sdk.UpdateCommand({
        TableName: this.tableName,
        Key: this.key(run),
        UpdateExpression: 'SET #status = :paused, #trigger = :trigger, #attempts = if_not_exists(#attempts, :zero), endedAt = :end, durationMs = :zero, '
          + '#error = :why, #owner = :owner, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#run) OR attribute_not_exists(#status)',
        ExpressionAttributeNames: {
          '#run': LEDGER_KEYS.sort, '#status': 'status', '#trigger': 'trigger', '#attempts': 'attempts', '#error': 'error', '#owner': 'owner', '#ttl': LEDGER_KEYS.ttl,
        },
        ExpressionAttributeValues: {
          ':paused': 'skipped-paused' satisfies RunStatus,
          ':trigger': request.trigger,
          ':zero': 0,
          ':end': new Date(now).toISOString(),
          ':why': why.length > MAX_ERROR_CHARS ? `${why.slice(0, MAX_ERROR_CHARS - 1)}…` : why,
          ':owner': request.owner,
          ':ttl': this.ttl(now),
        },
      })));
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return this.countDuplicate(run);
    }
    return { outcome: 'skipped-paused', run, ...(pause.note ? { note: pause.note } : {}), ...(pause.by ? { by: pause.by } : {}), ...(pause.pausedAt ? { pausedAt: pause.pausedAt } : {}) };
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
      // A store's own error already says what and how to fix it (the local ledger file's).
      if (conditionFailed(e) || BatchformError.is(e)) throw e;
      const name = (e as Error)?.name ?? 'Error';
      const fix = name === 'ResourceNotFoundException'
        ? `the stage's ledger table ${this.tableName} does not exist: ${NO_LEDGER_FIX}`
        : name === 'AccessDeniedException'
          ? `the function's role may not write its own records in ${this.tableName}: deploy the batch's current template (its role grants them) and the stage's current bootstrap (its boundary allows them)`
          : 'the run was not started; Lambda retries it';
      throw new BatchformError('aws', `batch "${this.batch}": the run ledger failed ${what} (${name}: ${(e as Error)?.message ?? e}); ${fix}.`, {
        cause: e, where: { batch: this.batch },
      });
    }
  }
}
