// A batch's run history, read from the stage's run ledger: newest first, each scheduled time in the
// batch's zone and in UTC, with its status, duration, attempts and what started it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { describeError, reaching, UnreachableError } from '../aws/faults';
import { boundCalls, callDeadlineOf, clientConfig, OperateClients } from '../aws/sdk-clients';
import { BatchformError } from '../errors/batchform-error';
import { DEFAULT_RUNS_LIMIT, LEDGER_KEYS, NO_LEDGER_FIX, RunRecord } from '../model/ledger';
import { runTimes } from '../schedule/timezone';

export { DEFAULT_RUNS_LIMIT, MAX_RUNS_LIMIT } from '../model/ledger';

/** What {@link readRuns} reads. */
export interface RunsQuery {
  /** The stage's ledger table (`ledgerTableName(stage)`). */
  readonly tableName: string;
  readonly batch: string;
  /** Most records, newest first. @default 20 */
  readonly limit?: number;
  /** Only runs scheduled at or after this time. */
  readonly from?: Date;
  /** Only runs scheduled before this time. */
  readonly to?: Date;
}

/**
 * The batch's runs in the ledger, newest scheduled time first: a Query of the batch's partition
 * (never the lease item: `#lease` sorts before every time), following pages up to `limit`.
 *
 * @throws BatchformError naming the table and the fix when the ledger cannot be read.
 */
export async function readRuns(client: DynamoDBClient, query: RunsQuery): Promise<RunRecord[]> {
  const limit = query.limit ?? DEFAULT_RUNS_LIMIT;
  // ISO times start with a digit: "0" is below every one and above "#lease".
  const from = query.from?.toISOString() ?? '0';
  const to = query.to ? new Date(query.to.getTime() - 1).toISOString() : '9';
  const runs: RunRecord[] = [];
  let start: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page = await queryLedger(client, query.tableName, query.batch, `reading the runs of ${query.batch}`, {
      KeyConditionExpression: '#batch = :batch AND #run BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':batch': query.batch, ':from': from, ':to': to },
      ScanIndexForward: false,
      Limit: Math.min(limit - runs.length, 100),
      ExclusiveStartKey: start,
    });
    // An item without a status is no run's record (only pause fields written on a time's key): left out.
    runs.push(...((page.Items ?? []) as RunRecord[]).filter((r) => r.status !== undefined));
    start = page.LastEvaluatedKey;
  } while (start && runs.length < limit);
  return runs;
}

/** One Query of `batch`'s partition (`#batch`, `#run` name the keys); what cannot be read is an error naming the table and the fix. */
async function queryLedger(
  client: DynamoDBClient, tableName: string, batch: string, what: string,
  input: Omit<QueryCommandInput, 'TableName' | 'ExpressionAttributeNames'>,
): Promise<QueryCommandOutput> {
  const doc = DynamoDBDocumentClient.from(client);
  try {
    return await reaching(client, 'dynamodb', `${what} (dynamodb:Query on ${tableName})`, () => doc.send(new QueryCommand({
      TableName: tableName,
      ExpressionAttributeNames: { '#batch': LEDGER_KEYS.partition, '#run': LEDGER_KEYS.sort },
      ...input,
    })));
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const missing = (e as Error).name === 'ResourceNotFoundException';
    throw new BatchformError('aws', `could not read the run ledger ${tableName}: ${describeError(e)}. ` + (missing
      ? `The stage has no ledger yet: ${NO_LEDGER_FIX}.`
      : 'Use the stage\'s operator role (it may query the ledger), or credentials that may dynamodb:Query it.'), { cause: e, where: { batch } });
  }
}

/** The operate clients' ledger client, or one for `region` with the SDK's default credentials and batchform's retries. */
export function ledgerClient(clients: OperateClients, region: string): DynamoDBClient {
  return clients.dynamodb ?? boundCalls(new DynamoDBClient(clientConfig(region)), callDeadlineOf());
}

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`: a duration as a person reads it. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One run as `runs --json` prints it: the record's facts, the scheduled time in UTC and in the zone. */
export interface RunRow {
  readonly scheduled: string;
  readonly scheduledLocal?: string;
  readonly status: string;
  readonly durationMs?: number;
  readonly attempts: number;
  readonly duplicates: number;
  readonly trigger: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly requestId?: string;
  readonly logStream?: string;
  readonly codeVersion?: string;
  readonly executionName?: string;
  readonly error?: string;
}

/** The rows of {@link renderRunsTable} and of `runs --json`. */
export function runRows(runs: readonly RunRecord[], timezone: string): RunRow[] {
  return runs.map((r) => {
    const times = runTimes(new Date(r.run), timezone);
    return {
      scheduled: r.run,
      ...(times.local ? { scheduledLocal: times.local } : {}),
      status: r.status,
      durationMs: r.durationMs,
      attempts: r.attempts,
      duplicates: r.duplicates ?? 0,
      trigger: r.trigger,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      requestId: r.requestId,
      logStream: r.logStream,
      codeVersion: r.codeVersion,
      executionName: r.executionName,
      error: r.error,
    };
  });
}

/** The history as a table: scheduled (zone), scheduled (UTC), status, duration, attempts, trigger, and a failed or skipped run's reason below it. */
export function renderRunsTable(batch: string, stage: string, runs: readonly RunRecord[], timezone: string): string {
  if (runs.length === 0) return `no runs of ${batch} in the run ledger of stage ${stage}.`;
  const header = [...(timezone === 'UTC' ? [] : [`scheduled (${timezone})`]), 'scheduled (UTC)', 'status', 'duration', 'attempts', 'trigger'];
  const rows = runs.map((r) => {
    const times = runTimes(new Date(r.run), timezone);
    const attempts = `${r.attempts}${r.duplicates ? ` (+${r.duplicates} dup)` : ''}`;
    return [...(times.local !== undefined ? [times.local.replace(/ \(.*\)$/, '')] : []), times.utc.replace(/ UTC$/, ''), r.status, formatDuration(r.durationMs), attempts, r.trigger];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`runs of ${batch} in stage ${stage}, newest first:`, line(header)];
  rows.forEach((row, i) => {
    out.push(line(row));
    const error = runs[i].error;
    if (error && runs[i].status !== 'succeeded') out.push(`  ${error}`);
  });
  return out.join('\n');
}
