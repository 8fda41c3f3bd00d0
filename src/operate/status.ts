// Each batch of a stage at a glance: deployed at this commit's fingerprint or not, last runs and their outcome, next run, alarm states, dead letters waiting.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describeExecution, ENDED_STATUSES, executionLine, ExecutionStep, executionSteps, ExecutionSummary, listExecutions } from './durable-executions';
import { nextRun, scheduleFor } from './stage-schedule';
import { targetOf, TargetError } from './target';
import { describeError, reaching } from '../aws/faults';
import { mapWithConcurrency } from '../aws/pool';
import { OperateClients } from '../aws/sdk-clients';
import { describeStack, stackTag } from '../aws/stack-state';
import { batchOfStack, findUndeclaredStacks, removalAllowance, stageIdentity } from '../aws/undeclared';
import { FINGERPRINT_TAG } from '../deploy/fingerprint';
import type { ManifestBatch, ManifestStage } from '../manifest/manifest';
import { batchForStage } from '../model/stage-overrides';
import { ALARM_NAMES } from '../template/parameters';

/** Days of metrics status reads. */
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

/** One hour in which the batch ran, from CloudWatch's `AWS/Lambda` metrics. */
export interface RunHour {
  /** Start of the hour (UTC ISO). */
  readonly hour: string;
  readonly invocations: number;
  readonly errors: number;
}

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
   * Hours with runs in the last {@link STATUS_DAYS} days, newest first (at most 5); `null` when the
   * metrics could not be read (never an empty list: "no runs" and "could not read" differ).
   */
  readonly lastRuns: readonly RunHour[] | null;
  /** Invocations over the last {@link STATUS_DAYS} days; `null` when the metrics could not be read (never 0). */
  readonly invocations: number | null;
  /** Errors over the last {@link STATUS_DAYS} days; `null` when the metrics could not be read (never 0). */
  readonly errors: number | null;
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

function sumsByHour(results: readonly MetricDataResult[], id: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results.filter((x) => x.Id === id)) {
    (r.Timestamps ?? []).forEach((t, i) => {
      const key = new Date(t).toISOString();
      out.set(key, (out.get(key) ?? 0) + (r.Values?.[i] ?? 0));
    });
  }
  return out;
}

async function runHours(cw: CloudWatchClient, functionName: string, now: Date): Promise<RunHour[]> {
  const metric = (id: string, name: string) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: [{ Name: 'FunctionName', Value: functionName }] }, Period: 3600, Stat: 'Sum' },
    ReturnData: true,
  });
  const results: MetricDataResult[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await reaching(cw, 'monitoring', `reading the run metrics of ${functionName} (GetMetricData)`, () => cw.send(new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - STATUS_DAYS * 86_400_000),
      EndTime: now,
      MetricDataQueries: [metric('invocations', 'Invocations'), metric('errors', 'Errors')],
      ScanBy: 'TimestampDescending',
      NextToken: next,
    })));
    results.push(...(page.MetricDataResults ?? []));
    token = page.NextToken;
  } while (token);
  // A query CloudWatch could not answer (Forbidden, InternalError) is unreadable, not zero runs.
  const failed = results.filter((r) => r.StatusCode && r.StatusCode !== 'Complete' && r.StatusCode !== 'PartialData');
  if (failed.length) {
    throw new Error(`CloudWatch answered ${failed.map((r) => `${r.StatusCode} for ${r.Id}`).join(', ')}` +
      `${failed[0].Messages?.[0]?.Value ? ` (${failed[0].Messages[0].Value})` : ''}`);
  }
  const invocations = sumsByHour(results, 'invocations');
  const errors = sumsByHour(results, 'errors');
  const hours = new Set([...invocations.keys(), ...errors.keys()]);
  return [...hours].sort().reverse()
    .map((hour) => ({ hour, invocations: invocations.get(hour) ?? 0, errors: errors.get(hour) ?? 0 }))
    .filter((h) => h.invocations > 0 || h.errors > 0);
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
      lastRuns: null as RunHour[] | null,
      invocations: null as number | null,
      errors: null as number | null,
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
    const [hours, alarms, deadLetters, executions] = await Promise.all([
      attempt('metrics', () => runHours(clients.cloudWatch, target.functionName, now)),
      batch.alarms ? attempt('alarms', () => alarmStates(clients.cloudWatch, s.stackName, target.durable)) : Promise.resolve([]),
      attempt('dead letters', () => deadLetterCount(clients.sqs, target.deadLetterQueueUrl)),
      target.durable ? attempt('executions', () => batchExecutions(clients, target.functionArn, now, options.steps ?? false)) : Promise.resolve(undefined),
    ]);
    return {
      ...base,
      deployed,
      liveFingerprint,
      stackStatus: live.StackStatus,
      lastRuns: hours ? hours.slice(0, 5) : null,
      invocations: hours ? hours.reduce((n, h) => n + h.invocations, 0) : null,
      errors: hours ? hours.reduce((n, h) => n + h.errors, 0) : null,
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

function hourText(iso: string): string {
  return `${iso.slice(0, 13).replace('T', ' ')}:00 UTC`;
}

/** The status as a table for people: one row per batch, then the problems. */
export function renderStatusTable(stage: string, statuses: readonly BatchStatus[]): string {
  // The executions column only when the stage has a durable batch.
  const durable = statuses.some((s) => s.executions);
  const rows = statuses.map((s) => {
    // Not read: "could not read" when reading was tried (the stack exists), "-" when there was nothing to read.
    const unread = s.deployed === 'missing' && s.problems.length === 0 ? '-' : UNREAD;
    const last = s.lastRuns?.[0];
    const alarming = s.alarms?.filter((a) => a.state !== 'OK') ?? [];
    return [
      s.batch,
      DEPLOYED_WORDS[s.deployed],
      s.lastRuns === null ? unread : last ? `${hourText(last.hour)} ${last.errors > 0 ? `FAILED (${last.errors}/${last.invocations})` : `ok (${last.invocations})`}` : 'none in 7 days',
      s.invocations === null || s.errors === null ? unread : `${s.invocations} runs, ${s.errors} failed`,
      s.enabled ? (s.nextRun ? `${s.nextRun.slice(0, 19)}Z` : 'no more runs') : 'disabled',
      s.alarms === null ? unread : s.alarms.length === 0 ? '-' : alarming.length === 0 ? 'all OK' : alarming.map((a) => `${a.name.slice(s.stackName.length + 1)}=${a.state}`).join(' '),
      s.deadLetters === null || s.deadLetters === undefined ? unread : String(s.deadLetters),
      ...(durable ? [executionsCell(s)] : []),
    ];
  });
  const head = ['batch', 'deployed', 'last run (hour)', '7 days', 'next run', 'alarms', 'dead letters', ...(durable ? ['executions'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`stage ${stage}`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
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
