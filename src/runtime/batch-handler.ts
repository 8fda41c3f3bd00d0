// The handler runtime helper: a thin wrapper giving a batch run its logical time, logger and clock.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { Claim, RunLedger } from './ledger';
import { RERUN_FIELD } from './starter';
import { RunTrigger, TRIGGER_FIELD } from '../model/ledger';
import { codeVersionOf, RUNTIME_ENV } from '../model/runtime-env';

/** What a batch handler receives for one run. */
export interface BatchRun<TInput> {
  /** The batch's name (from `BATCHFORM_BATCH`, set by the template). */
  readonly batch: string;
  /**
   * The run's logical time: the Scheduled Event's `time` (the minute the rule fired), so a retried
   * or duplicate delivery of the same run computes the same window. For batches with a constant
   * `input` (no Scheduled Event) it is the invocation time.
   */
  readonly time: Date;
  /** Whether `time` came from a Scheduled Event (true) or the clock (false). */
  readonly scheduled: boolean;
  /** The zone the batch's schedule runs in (from `BATCHFORM_TIMEZONE`). */
  readonly timezone: string;
  /** The constant input declared on the batch, if any. */
  readonly input?: TInput;
  /** The raw event. */
  readonly event: ScheduledEvent | TInput;
  /** Structured JSON logger; every line carries the batch name and run time. */
  readonly logger: Logger;
  /** Milliseconds left before Lambda stops the run. */
  remainingMs(): number;
}

/** Options of {@link batch}. */
export interface BatchHandlerOptions {
  /**
   * Warn once when this many milliseconds or fewer remain before the timeout.
   * @default 10% of the timeout, at least 5000
   */
  readonly warnRemainingMs?: number;
  /**
   * The logger to use.
   * @default a Powertools Logger with serviceName = the batch name
   */
  readonly logger?: Logger;
  /**
   * The run ledger that makes each scheduled time run once (see docs/guides/run-ledger.md);
   * `false` runs without one.
   * @default - the stage's ledger the template names (`BATCHFORM_LEDGER_TABLE`); none when unset, as in local runs
   */
  readonly ledger?: RunLedger | false;
}

/** What started a run, from the event: the field batchform's commands set, else the schedule. */
export function triggerOf(event: unknown): RunTrigger {
  const t = (event as Record<string, unknown> | undefined)?.[TRIGGER_FIELD];
  return t === 'run' || t === 'backfill' || t === 'redrive' ? t : 'schedule';
}

/** Whether the event asks to run a scheduled time again on purpose (an operator's re-run). */
export function isRerun(event: unknown): boolean {
  return (event as Record<string, unknown> | undefined)?.[RERUN_FIELD] !== undefined;
}

/** Why a claim that is not `run` ran nothing, for the log line (`what`: run or execution). */
export function skipMessage(claim: Exclude<Claim, { outcome: 'run' }>, what: 'run' | 'execution'): string {
  switch (claim.outcome) {
    case 'duplicate': return `${what} skipped: this scheduled time already ran or is running`;
    case 'skipped-overlap': return `${what} skipped: the previous run is still running`;
    case 'skipped-paused': return `${what} skipped: the batch is paused (batchform resume <batch> --stage <stage> resumes it)`;
  }
}

/**
 * The event as the schedule sent it: the fields batchform's commands add (what started the run,
 * a re-run number) are the ledger's, not the handler's input.
 */
function withoutBatchformFields<T>(event: T): T {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return event;
  if (!(TRIGGER_FIELD in event) && !(RERUN_FIELD in event)) return event;
  const { [TRIGGER_FIELD]: _trigger, [RERUN_FIELD]: _rerun, ...rest } = event as Record<string, unknown>;
  return rest as T;
}

function isScheduledEvent(event: unknown): event is ScheduledEvent {
  return !!event && typeof event === 'object'
    && (event as ScheduledEvent)['detail-type'] === 'Scheduled Event'
    && typeof (event as ScheduledEvent).time === 'string';
}

/**
 * Wraps a batch handler. Errors are logged and re-thrown, so Lambda counts the run as failed and
 * the failed-run alarm sees it.
 *
 * @example
 * export const handler = batch(async (run) => {
 *   run.logger.info('rolling up', { day: run.time.toISOString().slice(0, 10) });
 *   return { rows: 42 };
 * });
 */
export function batch<TInput = Record<string, unknown>, TResult = unknown>(
  fn: (run: BatchRun<TInput>) => Promise<TResult>,
  options: BatchHandlerOptions = {},
): (event: ScheduledEvent | TInput, context: Context) => Promise<TResult> {
  const name = process.env[RUNTIME_ENV.batch] ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'batch';
  const logger = options.logger ?? new Logger({ serviceName: name });
  const ledger = options.ledger === false ? undefined : options.ledger ?? RunLedger.fromEnvironment(name);
  return async (event, context) => {
    const scheduled = isScheduledEvent(event);
    const time = scheduled ? new Date((event as ScheduledEvent).time) : new Date();
    logger.appendKeys({ batch: name, runTime: time.toISOString() });
    logger.addContext(context);
    const remainingMs = () => context.getRemainingTimeInMillis();
    const total = remainingMs();
    const warnAt = options.warnRemainingMs ?? Math.max(5000, Math.floor(total * 0.1));
    const timer = setTimeout(() => {
      logger.warn('run is close to its timeout', { remainingMs: remainingMs() });
    }, Math.max(0, total - warnAt));
    timer.unref?.();
    let claim: Claim | undefined;
    try {
      claim = ledger && await ledger.claim({
        // A Scheduled Event's time is whole seconds; the clock's is not: the same second for both.
        scheduledTime: scheduled ? time : new Date(Math.floor(time.getTime() / 1000) * 1000),
        owner: context.awsRequestId,
        timeoutMs: total,
        trigger: triggerOf(event),
        force: isRerun(event),
        requestId: context.awsRequestId,
        logStream: context.logStreamName,
        codeVersion: codeVersionOf(process.env),
      });
    } catch (error) {
      clearTimeout(timer);
      logger.error('run not started: the run ledger failed', { error: error as Error });
      throw error;
    }
    if (claim && claim.outcome !== 'run') {
      clearTimeout(timer);
      logger.info(skipMessage(claim, 'run'), { ...claim });
      return undefined as TResult;
    }
    const started = Date.now();
    logger.info('run started', { scheduled, ...(claim ? { attempt: claim.attempt } : {}) });
    let result: TResult;
    try {
      result = await fn({
        batch: name,
        time,
        scheduled,
        timezone: process.env[RUNTIME_ENV.timezone] ?? 'UTC',
        input: scheduled ? undefined : (withoutBatchformFields(event) as TInput),
        event: withoutBatchformFields(event),
        logger,
        remainingMs,
      });
    } catch (error) {
      logger.error('run failed', { durationMs: Date.now() - started, error: error as Error });
      if (claim) await ledger!.finish(claim, error).catch((e: unknown) => logger.error('the run ledger could not record the failure', { error: e as Error }));
      throw error;
    } finally {
      clearTimeout(timer);
    }
    logger.info('run succeeded', { durationMs: Date.now() - started });
    // The run did succeed: a ledger that cannot record it must not fail it (Lambda would run it again).
    if (claim) await ledger!.finish(claim).catch((e: unknown) => logger.error('the run ledger could not record the success', { error: e as Error }));
    return result;
  };
}
