// A durable batch's executions as the operate commands see them: find the execution of one scheduled time (and its re-runs), start a run or a deliberate re-run through the starter, wait for its outcome, read its steps, list the running and recent ones.
import {
  Event,
  Execution,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { EventSource, eventTime, markedEvent, runEvent, runSecond } from './event';
import type { StageSchedule } from './stage-schedule';
import type { BatchTarget } from './target';
import { describeError, reaching } from '../aws/faults';
import { formatSeconds } from '../aws/waits';
import type { RunTrigger } from '../model/ledger';
import { executionName, MAX_RERUN } from '../runtime/starter';

/** Lambda's execution statuses (ListDurableExecutionsByFunction, GetDurableExecution). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED';

/** The statuses of an execution that has ended. */
export const ENDED_STATUSES: readonly ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'];

/** One durable execution, as status and the run commands show it. */
export interface ExecutionSummary {
  /** `<stack>-<yyyymmddThhmmssZ>`, `-r<n>` after it for the n-th re-run. */
  readonly name: string;
  readonly arn: string;
  readonly status: ExecutionStatus;
  /** ISO times. */
  readonly started?: string;
  readonly ended?: string;
  /** `<ErrorType>: <ErrorMessage>` of an execution that failed, timed out or was stopped, when read. */
  readonly error?: string;
  /** The execution's result (JSON text) when it succeeded, when read. */
  readonly result?: string;
}

/** One step (or wait, child context, chained invoke, callback) of an execution, from its history. */
export interface ExecutionStep {
  readonly name: string;
  /** `Step`, `Wait`, `Context`, `ChainedInvoke`, `Callback`. */
  readonly kind: string;
  /** The last thing the history says of it: `STARTED`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `STOPPED`, `CANCELLED`. */
  readonly status: string;
  readonly started?: string;
  readonly ended?: string;
  /** Why it failed, when it did. */
  readonly error?: string;
}

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);

function summary(e: Pick<Execution, 'DurableExecutionName' | 'DurableExecutionArn' | 'Status' | 'StartTimestamp' | 'EndTimestamp'>): ExecutionSummary {
  return {
    name: e.DurableExecutionName ?? '?',
    arn: e.DurableExecutionArn ?? '',
    status: (e.Status ?? 'RUNNING') as ExecutionStatus,
    ...(e.StartTimestamp ? { started: iso(e.StartTimestamp) } : {}),
    ...(e.EndTimestamp ? { ended: iso(e.EndTimestamp) } : {}),
  };
}

function errorText(e: { ErrorType?: string; ErrorMessage?: string } | undefined): string | undefined {
  if (!e || (!e.ErrorType && !e.ErrorMessage)) return undefined;
  return [e.ErrorType, e.ErrorMessage].filter(Boolean).join(': ');
}

/** Options of {@link listExecutions}. */
export interface ListExecutionsOptions {
  readonly statuses?: readonly ExecutionStatus[];
  readonly name?: string;
  readonly startedAfter?: Date;
  /** Most executions returned, newest first. @default 100 */
  readonly max?: number;
}

/** The function's executions (every version), newest first, at most `max` (ListDurableExecutionsByFunction, paged). */
export async function listExecutions(lambda: LambdaClient, functionArn: string, options: ListExecutionsOptions = {}): Promise<ExecutionSummary[]> {
  const max = options.max ?? 100;
  const out: ExecutionSummary[] = [];
  let marker: string | undefined;
  do {
    const next = marker;
    const page = await reaching(lambda, 'lambda', `listing the durable executions of ${functionArn} (lambda:ListDurableExecutionsByFunction)`, () => lambda.send(new ListDurableExecutionsByFunctionCommand({
      FunctionName: functionArn,
      DurableExecutionName: options.name,
      Statuses: options.statuses ? [...options.statuses] : undefined,
      StartedAfter: options.startedAfter,
      MaxItems: Math.min(1000, max - out.length),
      Marker: next,
    })));
    out.push(...(page.DurableExecutions ?? []).map(summary));
    marker = page.NextMarker;
  } while (marker && out.length < max);
  return out.slice(0, max);
}

/** The execution named exactly `name`, or undefined (the name filter is compared exactly here, whatever Lambda matches). */
export async function findExecution(lambda: LambdaClient, functionArn: string, name: string): Promise<ExecutionSummary | undefined> {
  const found = await listExecutions(lambda, functionArn, { name, max: 1000 });
  return found.find((e) => e.name === name);
}

/**
 * The executions of the run scheduled at `time`: the schedule's (`<stack>-<stamp>`) and the
 * deliberate re-runs after it (`-r1`, `-r2`, ...), in that order, up to the first name that has
 * none (an execution kept past its retention is gone, and its number free again).
 */
export async function executionsOfRun(lambda: LambdaClient, target: BatchTarget, time: Date): Promise<ExecutionSummary[]> {
  const out: ExecutionSummary[] = [];
  for (let rerun = 0; rerun <= MAX_RERUN; rerun++) {
    const e = await findExecution(lambda, target.functionArn, executionName(target.stackName, eventTime(time), rerun || undefined));
    if (!e) break;
    out.push(e);
  }
  return out;
}

/** One execution, its result or error included (GetDurableExecution). */
export async function describeExecution(lambda: LambdaClient, arn: string): Promise<ExecutionSummary> {
  const out = await reaching(lambda, 'lambda', `reading durable execution ${arn} (lambda:GetDurableExecution)`, () => lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn })));
  const error = errorText(out.Error);
  return { ...summary(out), ...(error ? { error } : {}), ...(out.Result !== undefined ? { result: out.Result } : {}) };
}

/** Polling bounds of {@link waitForDurableExecution}, in seconds. */
export interface ExecutionWait {
  /** First pause; pauses double up to `maxDelay`. @default 2 */
  readonly minDelay?: number;
  /** @default 30 */
  readonly maxDelay?: number;
  /** Give up after pausing this long in total: the execution timeout and a minute, so a wait never outlives its execution by much. */
  readonly maxWaitTime: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Progress lines of a long wait ("execution X is still RUNNING (2 min so far)"), so a CI log does not look hung. @default none */
  readonly log?: (line: string) => void;
  /** Seconds of waiting between two progress lines. @default 60 */
  readonly progressEvery?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls the execution until it has ended or `maxWaitTime` seconds of pauses have passed; the
 * last summary read is returned either way (status `RUNNING` when the wait gave up).
 */
export async function waitForDurableExecution(lambda: LambdaClient, arn: string, wait: ExecutionWait): Promise<ExecutionSummary> {
  const sleep = wait.sleep ?? realSleep;
  let delay = wait.minDelay ?? 2;
  let waited = 0;
  const every = wait.progressEvery ?? 60;
  let told = 0;
  for (;;) {
    const e = await describeExecution(lambda, arn);
    if (e.status !== 'RUNNING' || waited >= wait.maxWaitTime) return e;
    if (wait.log && waited - told >= every) {
      told = waited;
      wait.log(`execution ${e.name} is still RUNNING (${formatSeconds(waited)} so far, waiting up to ${formatSeconds(wait.maxWaitTime)})`);
    }
    const pause = Math.min(delay, wait.maxWaitTime - waited);
    await sleep(pause * 1000);
    waited += pause;
    delay = Math.min(delay * 2, wait.maxDelay ?? 30);
  }
}

const STEP_EVENT = /^(Step|Wait|Context|ChainedInvoke|Callback)(Started|Succeeded|Failed|TimedOut|Stopped|Cancelled)$/;

function eventError(e: Event): string | undefined {
  const details = [
    e.StepFailedDetails, e.ContextFailedDetails, e.ChainedInvokeFailedDetails, e.ChainedInvokeTimedOutDetails,
    e.ChainedInvokeStoppedDetails, e.CallbackFailedDetails, e.CallbackTimedOutDetails, e.WaitCancelledDetails,
  ];
  for (const d of details) {
    const text = errorText(d?.Error?.Payload);
    if (text) return text;
  }
  return undefined;
}

/** The execution's steps in the order they started, each with its last state (GetDurableExecutionHistory, paged, without payloads). */
export async function executionSteps(lambda: LambdaClient, arn: string): Promise<ExecutionStep[]> {
  const steps = new Map<string, { name: string; kind: string; status: string; started?: string; ended?: string; error?: string }>();
  let marker: string | undefined;
  do {
    const next = marker;
    const page = await reaching(lambda, 'lambda', `reading the history of durable execution ${arn} (lambda:GetDurableExecutionHistory)`, () => lambda.send(new GetDurableExecutionHistoryCommand({
      DurableExecutionArn: arn, IncludeExecutionData: false, MaxItems: 1000, Marker: next,
    })));
    for (const e of page.Events ?? []) {
      const m = STEP_EVENT.exec(e.EventType ?? '');
      if (!m) continue;
      const key = e.Id ?? `${e.Name}-${e.EventId}`;
      const step = steps.get(key) ?? { name: e.Name ?? key, kind: m[1], status: 'STARTED' };
      const at = iso(e.EventTimestamp);
      if (m[2] === 'Started') {
        step.started = step.started ?? at;
      } else {
        step.status = m[2].replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
        step.ended = at;
        const error = eventError(e);
        if (error) step.error = error;
      }
      steps.set(key, step);
    }
    marker = page.NextMarker;
  } while (marker);
  return [...steps.values()];
}

/** Whether a scheduled time that already has an ended execution is run again under a new name. */
export type RerunPolicy =
  /** Yes (`-r<n>`): a deliberate re-run (run --time, backfill, redrive). */
  | 'when-ended'
  /** No: start only when the time has no execution yet (then it is the schedule's own name). */
  | 'never';

/** Options of {@link runDurable}. */
export interface RunDurableOptions {
  readonly lambda: LambdaClient;
  /** Wait for the execution to end. @default false: return once it is started */
  readonly wait?: boolean;
  /** @default 'when-ended' */
  readonly rerun?: RerunPolicy;
  /** Send this event instead of the schedule's (a dead letter's own payload); it must carry the scheduled time. */
  readonly event?: unknown;
  /** An execution name a previous attempt started (a backfill's state file): when it succeeded, it is the outcome and nothing starts. */
  readonly accept?: string;
  /** Read the execution's steps when it has ended. @default false */
  readonly steps?: boolean;
  /** Polling bounds; `maxWaitTime` defaults to the batch's execution timeout and a minute. */
  readonly waits?: Partial<ExecutionWait>;
  /** @default crypto.randomUUID */
  readonly id?: () => string;
  /** Told the execution this run is about once it is known, before the wait (a backfill records it to resume on). */
  readonly onExecution?: (e: ExecutionSummary) => void;
  /** What the run ledger records as having started the run (`batchformTrigger` in the event). @default 'run' */
  readonly trigger?: RunTrigger;
}

/** What a durable run came to. */
export interface DurableRunOutcome {
  /** The scheduled time (to the second). */
  readonly time: Date;
  /** The execution ended SUCCEEDED, or (without wait) it is started or running. */
  readonly ok: boolean;
  /** How this command got its execution. */
  readonly how: 'started' | 'rerun' | 'already-running' | 'accepted';
  /** The execution, as last read. */
  readonly execution?: ExecutionSummary;
  /** The execution's steps, when asked for. */
  readonly steps?: readonly ExecutionStep[];
  /** The earlier executions of this scheduled time (before a re-run). */
  readonly earlier: readonly ExecutionSummary[];
  /** Why nothing was started or the outcome is unknown (the starter failed, AWS refused...). */
  readonly error?: string;
  /** The wait gave up while the execution was still running. */
  readonly waitedOut?: boolean;
}

/**
 * Runs a durable batch for one scheduled time the way its schedule does, through the starter,
 * which names the execution after the time:
 * - no execution of the time yet: the starter starts `<stack>-<stamp>` (a later schedule delivery finds it started);
 * - its latest execution is still running: nothing starts; that one is waited for;
 * - its latest execution has ended: a re-run, `-r<n>` (policy `when-ended`), with the same scheduled time in the event.
 * The starter is invoked synchronously (it only starts the execution) so its answer names the execution.
 * Never throws for a failed run or a refused call: the outcome says so.
 */
export async function runDurable(
  target: BatchTarget, schedule: StageSchedule, scheduledAt: Date, options: RunDurableOptions,
): Promise<DurableRunOutcome> {
  const { lambda } = options;
  const time = runSecond(scheduledAt);
  const finish = async (o: Omit<DurableRunOutcome, 'ok' | 'time'>): Promise<DurableRunOutcome> => {
    let execution = o.execution;
    let waitedOut = false;
    let steps: ExecutionStep[] | undefined;
    if (execution) options.onExecution?.(execution);
    if (execution && options.wait && execution.status === 'RUNNING') {
      const timeout = target.batch.durable?.executionTimeout ?? target.batch.timeout;
      execution = await waitForDurableExecution(lambda, execution.arn, { ...options.waits, maxWaitTime: options.waits?.maxWaitTime ?? timeout + 60 });
      waitedOut = execution.status === 'RUNNING';
    } else if (execution && execution.status !== 'RUNNING' && !('error' in execution) && !('result' in execution)) {
      execution = await describeExecution(lambda, execution.arn);
    }
    if (execution && options.steps) steps = await executionSteps(lambda, execution.arn);
    const ok = !o.error && !!execution && (execution.status === 'SUCCEEDED' || (!options.wait && execution.status === 'RUNNING'));
    return { ...o, time, ok, execution, ...(steps ? { steps } : {}), ...(waitedOut ? { waitedOut } : {}) };
  };
  try {
    const earlier = await executionsOfRun(lambda, target, time);
    const latest = earlier[earlier.length - 1];
    if (latest && options.accept && latest.name === options.accept && latest.status === 'SUCCEEDED') return await finish({ how: 'accepted', execution: latest, earlier: earlier.slice(0, -1) });
    if (latest?.status === 'RUNNING') return await finish({ how: 'already-running', execution: latest, earlier: earlier.slice(0, -1) });
    if (latest && (options.rerun ?? 'when-ended') === 'never') return await finish({ how: 'accepted', execution: latest, earlier: earlier.slice(0, -1) });
    // The ended execution a re-run follows: its error says why it is run again.
    if (latest) earlier[earlier.length - 1] = await describeExecution(lambda, latest.arn);
    const rerun = earlier.length;
    if (rerun > MAX_RERUN) return await finish({ how: 'rerun', earlier, error: `${target.batch.name} ${time.toISOString()} has been re-run ${MAX_RERUN} times; no more names are left for it.` });
    const source: EventSource = { account: target.stage.account, region: target.stage.region, scheduleArn: target.scheduleArn, id: options.id };
    const sent = markedEvent(options.event !== undefined ? options.event : runEvent(schedule, time, source), options.trigger ?? 'run', rerun || undefined);
    const out = await reaching(lambda, 'lambda', `starting a run of ${target.batch.name} through its starter (lambda:InvokeFunction)`, () => lambda.send(new InvokeCommand({
      FunctionName: target.invokeArn,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(sent)),
    })));
    const answer = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    const how = rerun > 0 ? 'rerun' : 'started';
    if (out.FunctionError) return await finish({ how, earlier, error: `the starter failed (${out.FunctionError}): ${answer}` });
    let started: { executionName?: string; executionArn?: string } = {};
    try {
      started = JSON.parse(answer);
    } catch {
      // Reported below: no execution name.
    }
    const name = started.executionName ?? executionName(target.stackName, eventTime(time), rerun || undefined);
    const execution = started.executionArn
      ? { name, arn: started.executionArn, status: 'RUNNING' as const }
      : await findExecution(lambda, target.functionArn, name);
    if (!execution) return await finish({ how, earlier, error: `the starter answered ${answer || 'nothing'}, but no execution ${name} is listed` });
    return await finish({ how, execution, earlier });
  } catch (e) {
    return { time, ok: false, how: 'started', earlier: [], error: describeError(e) };
  }
}

/** Why a durable run did not succeed, in one line; undefined when it did. */
export function durableFailure(o: DurableRunOutcome): string | undefined {
  if (o.ok) return undefined;
  if (o.error) return o.error;
  const e = o.execution!;
  return o.waitedOut ? `execution ${e.name} still running after the wait` : `execution ${e.name} ${e.status}${e.error ? `: ${e.error}` : ''}`;
}

/** One line for an execution: name, status, times and error. */
export function executionLine(e: ExecutionSummary): string {
  const times = e.ended ? `${e.started ?? '?'} - ${e.ended}` : `since ${e.started ?? '?'}`;
  return `${e.name} ${e.status} (${times})${e.error ? `: ${e.error}` : ''}`;
}

/** The outcome of a durable run in a few lines for people. */
export function renderDurableOutcome(target: BatchTarget, o: DurableRunOutcome, waited: boolean): string {
  const when = o.time.toISOString();
  const head = `${target.stackName} run ${when}`;
  const lines: string[] = [];
  for (const e of o.earlier) lines.push(`  earlier: ${executionLine(e)}`);
  if (o.error) return [`${head}: not run: ${o.error}`, ...lines].join('\n');
  const e = o.execution!;
  const how = { 'started': 'started execution', 'rerun': 'its earlier execution had ended: re-run as execution', 'already-running': 'already running as execution', 'accepted': 'done earlier as execution' }[o.how];
  if (!waited && e.status === 'RUNNING') {
    lines.unshift(`${head}: ${how} ${e.name}. Wait for it with --wait, see it with: batchform status --stage ${target.stage.name}; its logs: batchform logs ${target.batch.name} --stage ${target.stage.name} --run ${when} --follow`);
  } else if (o.waitedOut) {
    lines.unshift(`${head}: ${how} ${e.name}, STILL RUNNING after the wait; see it with: batchform status --stage ${target.stage.name}`);
  } else {
    lines.unshift(`${head}: ${how} ${e.name}: ${e.status}${e.error ? `: ${e.error}` : ''}`);
    if (e.result) lines.push(`result: ${e.result}`);
  }
  if (o.steps) {
    lines.push(`steps (${o.steps.length}):`);
    for (const s of o.steps) lines.push(`  ${s.kind} ${s.name}: ${s.status}${s.started ? ` ${s.started}` : ''}${s.ended ? ` - ${s.ended}` : ''}${s.error ? `: ${s.error}` : ''}`);
  }
  return lines.join('\n');
}
