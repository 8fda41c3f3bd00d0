// Runs a deployed batch once for one scheduled time: asynchronously like its schedule (retries and the dead-letter queue apply), or synchronously with its result and log tail.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { EventKind, eventKind, EventSource, markedEvent, runEvent, runSecond } from './event';
import { renderLogLine } from './log-lines';
import type { StageSchedule } from './stage-schedule';
import type { BatchTarget } from './target';
import { describeError, reaching } from '../aws/faults';
import { formatSeconds } from '../aws/waits';
import type { RunTrigger } from '../model/ledger';

/** How a run is invoked. */
export type RunMode = 'async' | 'wait';

/** What one run came to. */
export interface RunOutcome {
  /** The scheduled time the event carries (to the second). */
  readonly time: Date;
  readonly mode: RunMode;
  /** Which event was sent; a constant input carries no time, so its run's log lines carry the invocation time. */
  readonly kind: EventKind;
  /** Async: Lambda accepted the event (HTTP 202). Wait: the function returned without an error. */
  readonly ok: boolean;
  /** Lambda's `FunctionError` (`Unhandled`, `Handled`) when the run failed. */
  readonly functionError?: string;
  /** The function's result (or error object) as text; wait mode only. */
  readonly result?: string;
  /** The run's last log lines (Lambda's 4 KB tail), rendered; wait mode only. */
  readonly logLines: readonly string[];
  /** When the invoke itself failed (throttled, no permission, unreachable): why. */
  readonly error?: string;
}

/** Options of {@link invokeRun}. */
export interface InvokeRunOptions {
  readonly lambda: LambdaClient;
  readonly mode: RunMode;
  /** @default crypto.randomUUID */
  readonly id?: () => string;
  /** Send this event instead of building the schedule's (a dead letter's own payload). */
  readonly event?: unknown;
  /** `wait` mode: progress lines while the run goes on ("still running (2 min so far)"), so a CI log does not look hung. @default none */
  readonly log?: (line: string) => void;
  /** Seconds between two progress lines. @default 60 */
  readonly progressEvery?: number;
  /** What the run ledger records as having started the run (`batchformTrigger` in the event). @default 'run' */
  readonly trigger?: RunTrigger;
  /**
   * Run the scheduled time again even when the ledger says it succeeded: the re-run's number
   * (`batchformRerun`), e.g. its next attempt's. @default none: a time that ran is a duplicate
   */
  readonly rerun?: number;
}

/**
 * Invokes the batch's function with exactly the event its schedule would send for `time`.
 * `async` uses InvocationType `Event` (the schedule's way: Lambda retries and dead-letters it);
 * `wait` uses `RequestResponse` with `LogType: Tail` and reports the result, a `FunctionError`
 * as a failed run.
 *
 * Never throws for a failed run or a refused invoke: the outcome says so, so a backfill can go on.
 */
export async function invokeRun(target: BatchTarget, schedule: StageSchedule, scheduledAt: Date, options: InvokeRunOptions): Promise<RunOutcome> {
  const time = runSecond(scheduledAt);
  const source: EventSource = { account: target.stage.account, region: target.stage.region, scheduleArn: target.scheduleArn, id: options.id };
  const event = markedEvent(options.event !== undefined ? options.event : runEvent(schedule, time, source), options.trigger ?? 'run', options.rerun);
  const payload = new TextEncoder().encode(JSON.stringify(event));
  const kind: EventKind = options.event !== undefined ? 'input' : eventKind(schedule);
  const base = { time, mode: options.mode, kind, logLines: [] as string[] };
  const started = Date.now();
  const progress = options.mode === 'wait' && options.log
    ? setInterval(() => options.log!(`${target.functionName} run ${time.toISOString()} is still running (${formatSeconds((Date.now() - started) / 1000)} so far; ` +
      `its timeout is ${formatSeconds(target.batch.timeout)})`), (options.progressEvery ?? 60) * 1000)
    : undefined;
  try {
    const out = await reaching(options.lambda, 'lambda', `invoking ${target.functionName} (lambda:InvokeFunction)`, () => options.lambda.send(new InvokeCommand({
      FunctionName: target.invokeArn,
      InvocationType: options.mode === 'async' ? 'Event' : 'RequestResponse',
      LogType: options.mode === 'async' ? undefined : 'Tail',
      Payload: payload,
    })));
    if (options.mode === 'async') return { ...base, ok: out.StatusCode === 202, ...(out.StatusCode === 202 ? {} : { error: `Lambda answered ${out.StatusCode} instead of 202 Accepted` }) };
    const result = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    const tail = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
    const logLines = tail.split('\n').filter((l) => l.trim()).map(renderLogLine);
    return { ...base, ok: !out.FunctionError, functionError: out.FunctionError, result, logLines };
  } catch (e) {
    return { ...base, ok: false, error: describeError(e) };
  } finally {
    clearInterval(progress);
  }
}

/** The outcome in a few lines for people. */
export function renderRunOutcome(target: BatchTarget, o: RunOutcome): string {
  const when = o.time.toISOString();
  if (o.error) return `${target.stackName} run ${when}: not invoked: ${o.error}`;
  if (o.mode === 'async') {
    const follow = o.kind === 'input'
      ? `batchform logs ${target.batch.name} --stage ${target.stage.name} --since 5m --follow`
      : `batchform logs ${target.batch.name} --stage ${target.stage.name} --run ${when} --follow`;
    return `${target.stackName} run ${when}: accepted (asynchronous, like the schedule: Lambda retries a failure and then dead-letters it). Follow it with: ${follow}`;
  }
  const what = target.durable ? (o.ok ? 'execution started (a durable batch: its starter started the run\'s execution; follow it with batchform logs)' : `the starter failed (${o.functionError})`) : (o.ok ? 'succeeded' : `failed (${o.functionError})`);
  const lines = [`${target.stackName} run ${when}: ${what}`];
  if (o.result) lines.push(`result: ${o.result}`);
  if (o.logLines.length) lines.push('log (the last 4 KB):', ...o.logLines.map((l) => `  ${l}`));
  return lines.join('\n');
}
