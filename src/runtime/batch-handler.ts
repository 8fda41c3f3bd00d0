// The handler runtime helper: a thin wrapper giving a batch run its logical time, logger and clock.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { RUNTIME_ENV } from '../model/runtime-env';

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
    const started = Date.now();
    logger.info('run started', { scheduled });
    try {
      const result = await fn({
        batch: name,
        time,
        scheduled,
        timezone: process.env[RUNTIME_ENV.timezone] ?? 'UTC',
        input: scheduled ? undefined : (event as TInput),
        event,
        logger,
        remainingMs,
      });
      logger.info('run succeeded', { durationMs: Date.now() - started });
      return result;
    } catch (error) {
      logger.error('run failed', { durationMs: Date.now() - started, error: error as Error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
