// Each batch of a stage at a glance: deployed at this commit's fingerprint or not, its recent runs from the stage's run ledger
// (last run, failures in a row, p50/p95 duration, missed and skipped, paused), next run, alarm states, dead letters waiting.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describeExecution, ENDED_STATUSES, executionLine, ExecutionStep, executionSteps, ExecutionSummary, listExecutions } from './durable-executions';
import { readRunSummary, RunSummary, STATUS_LEDGER_DAYS } from './run-summary';
import { formatDuration, ledgerClient } from './runs';
import { nextRun, scheduleFor } from './stage-schedule';
import { targetOf, TargetError } from './target';
import { describeError, reaching } from '../aws/faults';
import { mapWithConcurrency } from '../aws/pool';
import { OperateClients } from '../aws/sdk-clients';
import { describeStack, stackTag } from '../aws/stack-state';
import { batchOfStack, findUndeclaredStacks, removalAllowance, stageIdentity } from '../aws/undeclared';
import { FINGERPRINT_TAG } from '../deploy/fingerprint';
import type { ManifestBatch, ManifestStage } from '../manifest/manifest';
import { ledgerTableName } from '../model/ledger';
import { stackPrefixOf } from '../model/names';
import { batchForStage } from '../model/stage-overrides';
import { ALARM_NAMES } from '../template/parameters';

/** Days of finished durable executions status lists. */
export const STATUS_DAYS = 7;
/** The alarms a batch stack creates, by name suffix after the stack name. */
export const ALARM_SUFFIXES = [
  ALARM_NAMES.failedRun, ALARM_NAMES.missedRun, ALARM_NAMES.deliveryFailed, ALARM_NAMES.deadLetters, ALARM_NAMES.longRun,
] as const;
/** A durable batch's alarms: its failed-run alarm watches executions, and three more watch long runs and the starter. */
export const DURABLE_ALARM_SUFFIXES = [
  ALARM_NAMES.failedRun, ALARM_NAMES.timedOutRun, ALARM_NAMES.stillRunning, ALARM_NAMES.startFailed,
  ALARM_NAMES.missedRun, ALARM_NAMES.deliveryFailed, ALARM_NAMES.deadLetters, ALARM_NAMES.longRun,
] as const;
/** Most running executions status lists per batch. */
export const STATUS_RUNNING_EXECUTIONS = 20;
/** Finished executions status lists per batch (newest first, of the last {@link STATUS_DAYS} days). */
export const STATUS_RECENT_EXECUTIONS = 5;

/** An execution as status shows it: with its steps when asked for (`status --steps`). */
export interface StatusExecution extends ExecutionSummary {
  readonly steps?: readonly ExecutionStep[];
}

/** A durable batch's executions, as status shows them. */
export interface BatchExecutions {
  /** Every execution still running (at most {@link STATUS_RUNNING_EXECUTIONS}), newest first. */
  readonly running: readonly StatusExecution[];
  /** The last finished ones with their outcome (error included), newest first. */
  readonly recent: readonly StatusExecution[];
}

/** Whether the live stack is what this commit would deploy. */
export type Deployed =
  /** Its fingerprint tag equals the fingerprint of this commit's template, parameters, code and tags. */
  | 'current'
  /** It carries another fingerprint: a deploy would change it. */
  | 'stale'
  /** No such stack. */
  | 'missing'
  /** This commit's fingerprint is unknown (no packaged zips) or the stack carries none. */
  | 'unknown';

/** One batch's status in one stage. */
export interface BatchStatus {
  readonly batch: string;
  readonly stackName: string;
  readonly stackStatus?: string;
  readonly deployed: Deployed;
  /** The live stack's `batchform:fingerprint` tag. */
  readonly liveFingerprint?: string;
  /** The fingerprint of this commit, when known. */
  readonly expectedFingerprint?: string;
  /**
   * Its recent runs from the stage's run ledger (last run, failures in a row, p50/p95 duration,
   * missed and skipped counts, pause); `null` when the ledger could not be read (never zeros: "no
   * runs" and "could not read" differ); absent when there is no stack to read it for.
   */
  readonly ledger?: RunSummary | null;
  /** The next scheduled run (UTC ISO); absent when disabled or ended. */
  readonly nextRun?: string;
  readonly enabled: boolean;
  /** Alarm name and state (`OK`, `ALARM`, `INSUFFICIENT_DATA`); `null` when they could not be read. */
  readonly alarms: ReadonlyArray<{ readonly name: string; readonly state: string }> | null;
  /** `ApproximateNumberOfMessages` of the dead-letter queue; `null` when it could not be read (never 0); absent when not applicable (no stack). */
  readonly deadLetters?: number | null;
  /** A durable batch: its running and recently finished executions (ListDurableExecutionsByFunction). */
  readonly executions?: BatchExecutions;
  /** What could not be read, one line each. */
  readonly problems: readonly string[];
}

/** Options of {@link stageStatus}. */
export interface StageStatusOptions {
  readonly clients: OperateClients;
  readonly batches: readonly ManifestBatch[];
  readonly stage: ManifestStage;
  /** This commit's fingerprint per stack name; a stack not in it is `unknown`. */
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly now: Date;
  /** Stacks read at once. @default 4 */
  readonly concurrency?: number;
  /** Durable batches: read each listed execution's steps from its history. @default false */
  readonly steps?: boolean;
}

async function alarmStates(cw: CloudWatchClient, stackName: string, durable: boolean): Promise<Array<{ name: string; state: string }>> {
  const names = (durable ? DURABLE_ALARM_SUFFIXES : ALARM_SUFFIXES).map((s) => `${stackName}-${s}`);
  const out = await reaching(cw, 'monitoring', `reading the alarms of ${stackName} (DescribeAlarms)`, () => cw.send(new DescribeAlarmsCommand({ AlarmNames: names })));
  return (out.MetricAlarms ?? []).map((a) => ({ name: a.AlarmName ?? '?', state: a.StateValue ?? '?' }))
    .sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
}

async function batchExecutions(clients: OperateClients, functionArn: string, now: Date, steps: boolean): Promise<BatchExecutions> {
  const lambda = clients.lambda;
  const [running, finished] = await Promise.all([
    listExecutions(lambda, functionArn, { statuses: ['RUNNING'], max: STATUS_RUNNING_EXECUTIONS }),
    listExecutions(lambda, functionArn, {
      statuses: ENDED_STATUSES, startedAfter: new Date(now.getTime() - STATUS_DAYS * 86_400_000), max: STATUS_RECENT_EXECUTIONS,
    }),
  ]);
  // The list carries no error: read it for the ones that did not succeed.
  const recent = await Promise.all(finished.map((e) => (e.status === 'SUCCEEDED' ? e : describeExecution(lambda, e.arn))));
  if (!steps) return { running, recent };
  const withSteps = (list: ExecutionSummary[]) =>
    Promise.all(list.map(async (e): Promise<StatusExecution> => ({ ...e, steps: await executionSteps(lambda, e.arn) })));
  const [r, f] = await Promise.all([withSteps(running), withSteps(recent)]);
  return { running: r, recent: f };
}

async function deadLetterCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await reaching(sqs, 'sqs', `counting dead letters in ${queueUrl} (GetQueueAttributes)`, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })));
  const count = out.Attributes?.ApproximateNumberOfMessages;
  // No count in the answer is not an empty queue.
  if (count === undefined || !/^\d+$/.test(count)) throw new Error(`SQS gave no ApproximateNumberOfMessages for ${queueUrl}`);
  return Number(count);
}

/** The status of every batch of `stage`: the stack (DescribeStacks), metrics, alarms and queue of each, read independently so one failure does not hide the others. */
export async function stageStatus(options: StageStatusOptions): Promise<BatchStatus[]> {
  const { clients, stage, now } = options;
  const tableName = ledgerTableName({ stackPrefix: stackPrefixOf(stage) });
  const dynamodb = ledgerClient(clients, stage.region);
  return mapWithConcurrency(stage.stacks, options.concurrency ?? 4, async (s): Promise<BatchStatus> => {
    const declared = options.batches.find((b) => b.name === s.batch);
    const batch = declared && batchForStage(declared, stage.name);
    const schedule = batch ? scheduleFor(batch) : undefined;
    const next = schedule ? nextRun(schedule, now) : undefined;
    const problems: string[] = [];
    const base = {
      batch: s.batch,
      stackName: s.stackName,
      expectedFingerprint: options.fingerprints[s.stackName],
      nextRun: next?.toISOString(),
      enabled: schedule?.enabled ?? false,
      // Unknown until read: a status never shows what it did not read as zero.
      alarms: null as Array<{ name: string; state: string }> | null,
      problems,
    };
    let live;
    try {
      live = await describeStack(clients.cloudFormation, s.stackName);
    } catch (e) {
      return { ...base, deployed: 'unknown', problems: [`stack: ${describeError(e)}`] };
    }
    if (!live || !batch) return { ...base, deployed: 'missing' };
    const liveFingerprint = stackTag(live, FINGERPRINT_TAG);
    const expected = base.expectedFingerprint;
    const deployed: Deployed = !expected || !liveFingerprint ? 'unknown' : liveFingerprint === expected ? 'current' : 'stale';
    let target;
    try {
      target = targetOf(batch, stage, s.stackName, live);
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      return { ...base, deployed, liveFingerprint, stackStatus: live.StackStatus, problems: [e.message] };
    }
    const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (e) {
        problems.push(`${what}: ${describeError(e)}`);
        return undefined;
      }
    };
    const [ledger, alarms, deadLetters, executions] = await Promise.all([
      attempt('ledger', () => readRunSummary(dynamodb, { tableName, batch: s.batch, timezone: batch.timezone, now })),
      batch.alarms ? attempt('alarms', () => alarmStates(clients.cloudWatch, s.stackName, target.durable)) : Promise.resolve([]),
      attempt('dead letters', () => deadLetterCount(clients.sqs, target.deadLetterQueueUrl)),
      target.durable ? attempt('executions', () => batchExecutions(clients, target.functionArn, now, options.steps ?? false)) : Promise.resolve(undefined),
    ]);
    return {
      ...base,
      deployed,
      liveFingerprint,
      stackStatus: live.StackStatus,
      ledger: ledger ?? null,
      alarms: alarms ?? null,
      deadLetters: deadLetters ?? null,
      ...(executions ? { executions } : {}),
    };
  });
}

/** A stack of this project and stage that the manifest no longer declares, still live. */
export interface UndeclaredStack {
  readonly stackName: string;
  /** Its `batchform:batch` tag. */
  readonly batch: string;
  readonly stackStatus?: string;
}

/**
 * The stacks of batches removed from (or renamed in) the declarations that still run in `stage`:
 * ListStacks for the names with the stage's prefix, DescribeStacks for their tags; only stacks
 * tagged with `project` and the stage count (see `isUndeclared`).
 */
export async function undeclaredStatus(cfn: CloudFormationClient, stage: ManifestStage, project: string): Promise<UndeclaredStack[]> {
  const stacks = await findUndeclaredStacks(cfn, stageIdentity(stage, project));
  return stacks.map((s) => ({ stackName: s.StackName ?? '?', batch: batchOfStack(s), stackStatus: s.StackStatus }));
}

/** Lines for the status table: each undeclared stack, and how to delete it. */
export function renderUndeclared(stage: string, undeclared: readonly UndeclaredStack[]): string[] {
  if (!undeclared.length) return [];
  return [
    `not declared, still in stage ${stage} (its schedule keeps running it):`,
    ...undeclared.map((u) => `  ${u.stackName} (batch ${u.batch}, ${u.stackStatus ?? 'status unknown'})`),
    `  delete: ${removalAllowance(stage)}; keep: declare the batch again.`,
  ];
}

const DEPLOYED_WORDS: Record<Deployed, string> = {
  current: 'at this commit',
  stale: 'STALE: a deploy would change it',
  missing: 'NOT DEPLOYED',
  unknown: 'fingerprint unknown',
};

/** What a status cell says for a value it could not read (the problems below the table say why). */
export const UNREAD = 'could not read';

function executionsCell(s: BatchStatus): string {
  if (!s.executions) return '-';
  const last = s.executions.recent[0];
  return `${s.executions.running.length} running${last ? `, last ${last.status}` : ''}`;
}

/** "2026-11-24 07:30 UTC failed": the last run's scheduled time (UTC) and status. */
function lastRunCell(l: RunSummary): string {
  return l.lastRun ? `${l.lastRun.scheduled.slice(0, 16).replace('T', ' ')} UTC ${l.lastRun.status}` : 'none';
}

/** "12 ok, 1 failed, 2 missed, 3 skipped": the window's records (skipped: overlap, paused and duplicate deliveries). */
function windowCell(l: RunSummary): string {
  const c = l.counts;
  const skipped = c.skippedOverlap + c.skippedPaused + c.skippedDuplicate;
  const parts = [`${c.succeeded} ok`, `${c.failed} failed`, ...(c.running ? [`${c.running} running`] : []), `${c.missed} missed`, ...(skipped ? [`${skipped} skipped`] : [])];
  return parts.join(', ');
}

/**
 * The lines below the table for a batch's ledger: its last run in its zone and UTC, with when it
 * ended (and why it failed), how the counts were taken when fewer records than the window were read,
 * and its pause.
 */
function ledgerLines(s: BatchStatus): string[] {
  const l = s.ledger;
  if (!l) return [];
  const out: string[] = [];
  const r = l.lastRun;
  if (r) {
    const when = r.scheduledLocal ? `${r.scheduledLocal} = ${r.scheduled.slice(11, 16)} UTC` : `${r.scheduled.slice(0, 16).replace('T', ' ')} UTC`;
    const ended = r.endedAt ? `, ended ${r.endedAt}` : r.status === 'running' ? `, running since ${r.startedAt ?? '?'}` : '';
    out.push(`${s.batch}: last run ${when}: ${r.status}${ended}${r.durationMs !== undefined ? ` after ${formatDuration(r.durationMs)}` : ''}` +
      `${r.status === 'failed' && r.error ? `: ${r.error}` : ''}`);
  }
  if (l.window.capped) out.push(`${s.batch}: counts and durations over the newest ${l.window.records} records only (since ${l.window.from}).`);
  if (l.paused) {
    out.push(`${s.batch}: PAUSED${l.paused.since ? ` since ${l.paused.since}` : ''}${l.paused.by ? ` by ${l.paused.by}` : ''}` +
      `${l.paused.note ? `: "${l.paused.note}"` : ''}; its scheduled times are skipped until it is resumed.`);
  }
  return out;
}

/** The status as a table for people: one row per batch, then the problems. */
export function renderStatusTable(stage: string, statuses: readonly BatchStatus[]): string {
  // The executions column only when the stage has a durable batch.
  const durable = statuses.some((s) => s.executions);
  const rows = statuses.map((s) => {
    // Not read: "could not read" when reading was tried (the stack exists), "-" when there was nothing to read.
    const unread = s.deployed === 'missing' && s.problems.length === 0 ? '-' : UNREAD;
    const alarming = s.alarms?.filter((a) => a.state !== 'OK') ?? [];
    // The ledger's cells: "-" without a stack, "could not read" when reading failed.
    const ledger = (cell: (l: RunSummary) => string) => (s.ledger === undefined ? unread : s.ledger === null ? UNREAD : cell(s.ledger));
    return [
      s.batch,
      DEPLOYED_WORDS[s.deployed],
      ledger(lastRunCell),
      ledger((l) => String(l.consecutiveFailures)),
      ledger((l) => (l.duration ? `${formatDuration(l.duration.p50Ms)} / ${formatDuration(l.duration.p95Ms)} (${l.duration.runs})` : '-')),
      ledger(windowCell),
      s.ledger?.paused ? 'PAUSED' : s.enabled ? (s.nextRun ? `${s.nextRun.slice(0, 19)}Z` : 'no more runs') : 'disabled',
      s.alarms === null ? unread : s.alarms.length === 0 ? '-' : alarming.length === 0 ? 'all OK' : alarming.map((a) => `${a.name.slice(s.stackName.length + 1)}=${a.state}`).join(' '),
      s.deadLetters === null || s.deadLetters === undefined ? unread : String(s.deadLetters),
      ...(durable ? [executionsCell(s)] : []),
    ];
  });
  const head = ['batch', 'deployed', 'last run', 'failed in a row', 'p50 / p95 (runs)', `${STATUS_LEDGER_DAYS} days`, 'next run', 'alarms', 'dead letters', ...(durable ? ['executions'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`stage ${stage}`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const s of statuses) out.push(...ledgerLines(s));
  for (const s of statuses) {
    const lines = (what: string, e: StatusExecution) => {
      out.push(`${s.batch}: ${what} ${executionLine(e)}`);
      for (const step of e.steps ?? []) out.push(`  ${step.kind} ${step.name}: ${step.status}${step.started ? ` ${step.started}` : ''}${step.ended ? ` - ${step.ended}` : ''}${step.error ? `: ${step.error}` : ''}`);
    };
    for (const e of s.executions?.running ?? []) lines('running', e);
    for (const e of s.executions?.recent ?? []) lines('ended', e);
  }
  for (const s of statuses) for (const p of s.problems) out.push(`${s.batch}: ${p}`);
  return out.join('\n');
}
