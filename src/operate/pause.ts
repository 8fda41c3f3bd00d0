// Pause and resume a batch in one stage: its pause record in the stage's run ledger (no template
// change, so no drift), which the runtime helper reads before each scheduled run; and the scheduled
// times a resume catches up (none, the latest not run, or all within a window), from the same
// schedule code as backfill.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readRuns } from './runs';
import { scheduledTimes, StageSchedule } from './stage-schedule';
import { describeError, reaching, UnreachableError } from '../aws/faults';
import { BatchformError } from '../errors/batchform-error';
import { LEDGER_KEYS, NO_LEDGER_FIX, PAUSE_SORT_KEY, PauseRecord, RunRecord, RunStatus } from '../model/ledger';

/** The longest `--note`, in characters. */
export const MAX_PAUSE_NOTE = 500;

/** How `resume` catches up the scheduled times the pause skipped. */
export type CatchUp = 'none' | 'latest' | 'all';

/** The catch-up policies, as `--catch-up` takes them. */
export const CATCH_UP_POLICIES: readonly CatchUp[] = ['none', 'latest', 'all'];

/** Statuses of a scheduled time that did not run, which a catch-up runs: skipped while paused, or reported missed. */
const NOT_RUN: readonly RunStatus[] = ['skipped-paused', 'missed'];

/** What {@link pauseBatch} and {@link resumeBatch} act on. */
export interface PauseTarget {
  /** The stage's ledger table (`ledgerTableName(stage)`). */
  readonly tableName: string;
  readonly batch: string;
}

function doc(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A ledger call; its failure (but a failed condition) becomes an error naming the table and the fix. */
async function call<T>(client: DynamoDBClient, target: PauseTarget, what: string, action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await reaching(client, 'dynamodb', `${what} (dynamodb:${action} on ${target.tableName})`, send);
  } catch (e) {
    if (e instanceof UnreachableError || (e as Error)?.name === 'ConditionalCheckFailedException') throw e;
    const name = (e as Error)?.name;
    const fix = name === 'ResourceNotFoundException'
      ? `The stage has no ledger yet: ${NO_LEDGER_FIX}.`
      : 'Use the stage\'s operator role (it may read the ledger and write the pause fields; a stage bootstrapped before pause existed gets that by running '
        + `npx projen bootstrap:<stage> again), or credentials that may dynamodb:GetItem and dynamodb:UpdateItem ${target.tableName}.`;
    throw new BatchformError('aws', `batch "${target.batch}": ${what} failed: ${describeError(e)}. ${fix}`, { cause: e, where: { batch: target.batch } });
  }
}

/** The batch's pause record, or undefined when it was never paused. */
export async function readPause(client: DynamoDBClient, target: PauseTarget): Promise<PauseRecord | undefined> {
  const out = await call(client, target, `reading the pause record of ${target.batch}`, 'GetItem', () => doc(client).send(new GetCommand({
    TableName: target.tableName,
    Key: { [LEDGER_KEYS.partition]: target.batch, [LEDGER_KEYS.sort]: PAUSE_SORT_KEY },
    ConsistentRead: true,
  })));
  return out.Item as PauseRecord | undefined;
}

/** What {@link pauseBatch} did: the record now, and the pause it replaced when the batch was already paused. */
export interface PauseResult {
  readonly record: PauseRecord;
  /** The batch was already paused: that pause's note, who and when (its note is replaced). */
  readonly already?: Pick<PauseRecord, 'note' | 'by' | 'pausedAt'>;
}

/**
 * Pauses the batch: one UpdateItem of its pause record (`paused`, `note`, `by`, `pausedAt`; the
 * previous resume's fields removed). Pausing a paused batch replaces its note, who and when, and
 * says what it replaced.
 */
export async function pauseBatch(
  client: DynamoDBClient, target: PauseTarget, pause: { readonly note: string; readonly by: string; readonly now: Date },
): Promise<PauseResult> {
  const pausedAt = pause.now.toISOString();
  const out = await call(client, target, `pausing ${target.batch}`, 'UpdateItem', () => doc(client).send(new UpdateCommand({
    TableName: target.tableName,
    Key: { [LEDGER_KEYS.partition]: target.batch, [LEDGER_KEYS.sort]: PAUSE_SORT_KEY },
    UpdateExpression: 'SET #paused = :true, #note = :note, #by = :by, #pausedAt = :at REMOVE #resumedAt, #resumedBy',
    ExpressionAttributeNames: { '#paused': 'paused', '#note': 'note', '#by': 'by', '#pausedAt': 'pausedAt', '#resumedAt': 'resumedAt', '#resumedBy': 'resumedBy' },
    ExpressionAttributeValues: { ':true': true, ':note': pause.note, ':by': pause.by, ':at': pausedAt },
    // Only the fields this update names (the operator role may not read a whole item back through a write).
    ReturnValues: 'UPDATED_OLD',
  })));
  const old = out.Attributes as Partial<PauseRecord> | undefined;
  const record: PauseRecord = { batch: target.batch, run: PAUSE_SORT_KEY, paused: true, note: pause.note, by: pause.by, pausedAt };
  return old?.paused ? { record, already: { note: old.note, by: old.by, pausedAt: old.pausedAt } } : { record };
}

/**
 * Resumes the batch: `paused` false, `resumedAt` and `resumedBy` set; the pause's note, who and
 * when are kept (the record says what the last pause was). Returns the pause it ended, or
 * undefined when the batch was not paused (nothing is written then).
 */
export async function resumeBatch(
  client: DynamoDBClient, target: PauseTarget, resume: { readonly by: string; readonly now: Date },
): Promise<PauseRecord | undefined> {
  const pause = await readPause(client, target);
  if (!pause?.paused) return undefined;
  try {
    await call(client, target, `resuming ${target.batch}`, 'UpdateItem', () => doc(client).send(new UpdateCommand({
      TableName: target.tableName,
      Key: { [LEDGER_KEYS.partition]: target.batch, [LEDGER_KEYS.sort]: PAUSE_SORT_KEY },
      UpdateExpression: 'SET #paused = :false, #resumedAt = :at, #resumedBy = :by',
      ConditionExpression: '#paused = :true',
      ExpressionAttributeNames: { '#paused': 'paused', '#resumedAt': 'resumedAt', '#resumedBy': 'resumedBy' },
      ExpressionAttributeValues: { ':false': false, ':true': true, ':at': resume.now.toISOString(), ':by': resume.by },
    })));
  } catch (e) {
    // Someone else resumed it in between: it is resumed, and that resume is theirs.
    if ((e as Error)?.name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  }
  return pause;
}

/** Parses `--window`: a whole number of minutes, hours or days (`90m`, `24h`, `7d`), in milliseconds; undefined when it is not one. */
export function parseWindow(value: string): number | undefined {
  const m = /^(\d+)\s*(m|h|d)$/.exec(value.trim());
  if (!m || Number(m[1]) < 1) return undefined;
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

/** What a resume would catch up. */
export interface CatchUpPlan {
  /** The range looked at: `[from, to)`. */
  readonly from: Date;
  readonly to: Date;
  /** The scheduled times of the range that did not run (skipped while paused, missed, or with no record), oldest first. */
  readonly notRun: readonly Date[];
  /** The times to run now: none, the latest of `notRun`, or all of them. */
  readonly times: readonly Date[];
}

/**
 * The scheduled times a resume catches up: those of `[from, now)` (from = the pause's start, or
 * `now - window` when a window is given and later) whose ledger record says they did not run
 * (`skipped-paused`, `missed`) or that have no record; a time that ran (succeeded, failed,
 * running, skipped for overlap) is never caught up. `latest` takes the last of them, `all` every one.
 */
export async function planCatchUp(client: DynamoDBClient, target: PauseTarget, schedule: StageSchedule, options: {
  readonly policy: CatchUp;
  readonly pausedAt?: string;
  /** Milliseconds back from `now`. */
  readonly windowMs?: number;
  readonly now: Date;
}): Promise<CatchUpPlan> {
  const to = options.now;
  const starts = [
    options.pausedAt ? new Date(options.pausedAt).getTime() : undefined,
    options.windowMs !== undefined ? to.getTime() - options.windowMs : undefined,
  ].filter((t): t is number => t !== undefined && !Number.isNaN(t));
  // Without the pause's start (a record from before pausedAt was kept), a day back.
  const from = new Date(starts.length ? Math.max(...starts) : to.getTime() - 86_400_000);
  if (options.policy === 'none' || from.getTime() >= to.getTime()) return { from, to, notRun: [], times: [] };
  const times = scheduledTimes(schedule, from, to);
  if (times.length === 0) return { from, to, notRun: [], times: [] };
  const records = await ledgerRecords(client, target, times[0], to);
  const notRun = times.filter((t) => {
    const r = records.get(t.toISOString());
    return !r || !r.status || NOT_RUN.includes(r.status);
  });
  const chosen = options.policy === 'latest' ? notRun.slice(-1) : notRun;
  return { from, to, notRun, times: chosen };
}

/** The batch's ledger records of the scheduled times in `[from, to)`, by ISO time (a Query of its partition). */
export async function ledgerRecords(client: DynamoDBClient, target: PauseTarget, from: Date, to: Date): Promise<Map<string, RunRecord>> {
  const runs = await readRuns(client, { tableName: target.tableName, batch: target.batch, from, to, limit: Number.MAX_SAFE_INTEGER });
  return new Map(runs.map((r) => [r.run, r]));
}

/** The pause in one line: since when, by whom, why. */
export function describePause(p: Pick<PauseRecord, 'note' | 'by' | 'pausedAt'>): string {
  return `paused${p.pausedAt ? ` since ${p.pausedAt}` : ''}${p.by ? ` by ${p.by}` : ''}${p.note ? `: "${p.note}"` : ''}`;
}
