// The durable form of the handler runtime helper: a batch handler over the Lambda durable execution
// SDK, with checkpointed steps, waits and bounded-concurrency maps, and the same logical run time
// and logger as a plain batch. Its own entry point (batchform/runtime/durable), so plain batches'
// bundles do not carry the SDK.
// Published (api/batchform-runtime-durable.api.md): durableBatch, the types of its run, and the SDK
// types those name; what only batchform's local runner uses is marked internal (not in the typings).
import {
  BatchResult, DurableContext, Duration, DurableLambdaHandler, MapConfig, StepConfig, withDurableExecution,
} from '@aws/durable-execution-sdk-js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { BatchformError } from '../../errors/batchform-error';
import { codeVersionOf, RUNTIME_ENV } from '../../model/runtime-env';
import { isRerun, skipMessage, triggerOf } from '../batch-handler';
import { Claim, RunLedger } from '../ledger';

export type { BatchResult, Duration, DurableContext, StepConfig } from '@aws/durable-execution-sdk-js';
// The batch's secrets: read them inside steps or around them, never return them from a step (checkpoints are stored).
export { secret } from '../secrets';
export type { SecretReadOptions } from '../secrets';
export { RunLedger } from '../ledger';
export type { Claim, ClaimRequest, FinishOptions, LedgerEnvironment, LedgerStore, RunEnd, RunLedgerOptions } from '../ledger';
export type { MetricSink } from '../metrics';
export type { HealthRecord, LeaseRecord, OverlapPolicy, PauseRecord, RunRecord, RunStatus, RunTrigger } from '../../model/ledger';

/** The Powertools logger calls a durable run logs with; suppressed while the SDK replays. */
export type RunLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** What a step, a wait or a map item may do: the durable operations of one (child) context. */
export interface DurableSteps {
  /** Logger of this context: JSON lines with the batch and run time, quiet during replay. */
  readonly logger: RunLogger;
  /**
   * Runs `fn` once and checkpoints its result under `name`: a later invocation of the same
   * execution (after a wait, a retry or a crash) returns the checkpointed result without running
   * `fn` again. A step that throws is retried by the SDK's retry strategy (by default a few
   * attempts with backoff), earlier steps being replayed, not re-run. The result must be JSON.
   * Steps run at least once per attempt: make them idempotent.
   *
   * @example const rows = await run.step('load-users', async () => loadUsers());
   */
  step<T>(name: string, fn: () => Promise<T>, config?: StepConfig<T>): Promise<T>;
  /**
   * Suspends the execution for `duration` (no compute is billed while it waits) and resumes it in
   * a new invocation. `name` names the wait in the execution's history.
   *
   * @example await run.wait({ minutes: 10 });
   */
  wait(duration: Duration, name?: string): Promise<void>;
}

/** Options of {@link DurableBatchRun.map}. */
export interface DurableMapOptions<TItem, TResult> extends Omit<MapConfig<TItem, TResult>, 'maxConcurrency'> {
  /** Name of the map in the execution's history. @default 'map' */
  readonly name?: string;
  /** How many items run at once. @default - all at once */
  readonly concurrency?: number;
}

/** What a durable batch handler receives: one scheduled run, which is one durable execution. */
export interface DurableBatchRun extends DurableSteps {
  /** The batch's name (from `BATCHFORM_BATCH`). */
  readonly batch: string;
  /**
   * The run's logical time: the Scheduled Event's `time`, the same in every invocation and replay
   * of the execution (and in every delivery of the run, which the starter turns into one execution).
   */
  readonly time: Date;
  /** Whether `time` came from a Scheduled Event (true) or the execution's first invocation (false). */
  readonly scheduled: boolean;
  /** The zone the batch's schedule runs in (from `BATCHFORM_TIMEZONE`). */
  readonly timezone: string;
  /** The raw event. */
  readonly event: unknown;
  /** ARN of this durable execution. */
  readonly executionArn: string;
  /**
   * The SDK's own context, for what this helper does not wrap (callbacks, parallel, invoke). In a
   * local run (`npx projen invoke`) a callback needs its answer on the command line
   * (`--callback NAME=JSON`); one without fails the run at once, saying so.
   */
  readonly context: DurableContext;
  /**
   * Runs `fn` for each item in its own child context, at most `concurrency` at a time, and
   * checkpoints each item's result: items that finished are not run again after a crash. Returns
   * the SDK's BatchResult (`getResults()`, `throwIfError()`, `failed()`...).
   *
   * @example const done = await run.map(chunks, (chunk, i, item) => item.step(`chunk-${i}`, () => work(chunk)), { concurrency: 4 });
   */
  map<TItem, TResult>(
    items: TItem[],
    fn: (item: TItem, index: number, run: DurableSteps) => Promise<TResult>,
    options?: DurableMapOptions<TItem, TResult>,
  ): Promise<BatchResult<TResult>>;
  /** Milliseconds left before Lambda stops the current invocation (not the execution). */
  remainingMs(): number;
}

/** Options of {@link durableBatch}. */
export interface DurableBatchOptions {
  /**
   * The logger to use.
   * @default a Powertools Logger with serviceName = the batch name
   */
  readonly logger?: Logger;
  /**
   * The run ledger that makes each scheduled time run once (see docs/guides/run-ledger.md);
   * `false` runs without one. The claim and the end are checkpointed steps
   * (`batchform:claim`, `batchform:finish`), so replays do not repeat them.
   * @default - the stage's ledger the template names (`BATCHFORM_LEDGER_TABLE`); none when unset, as in local runs
   */
  readonly ledger?: RunLedger | false;
}

/** Seconds a durable run's lease lasts when the template does not say: the longest execution (366 days). */
const LONGEST_EXECUTION_SECONDS = 366 * 86_400;

/**
 * What `npx projen invoke` watches in a local execution: each step run or replayed, and the step
 * to fail once. Set on `globalThis` by batchform's local runner only.
 * @internal
 */
export interface LocalObserver {
  /** A step that fails its first attempt (a simulated crash), to show the resume. */
  readonly failAt?: string;
  /** Names of the callbacks the local run answers (`--callback NAME=...`); any other callback stops the run with how to answer it. */
  readonly callbacks?: readonly string[];
  /** The batch being run (as `npx projen invoke` names it). */
  readonly batch?: string;
  onStep?(name: string, event: 'ran' | 'replayed' | 'failed', attempt?: number): void;
}

/**
 * The SDK context a local run hands the handler as `run.context`: a callback nobody answers would
 * wait forever (nothing outside this process can send it), so one the local run was not told how
 * to answer fails at once, naming the flag that answers it.
 */
function localContext(ctx: DurableContext, watch: LocalObserver, batchName: string): DurableContext {
  return new Proxy(ctx, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function') return value;
      if (property !== 'waitForCallback' && property !== 'createCallback') return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const name = typeof args[0] === 'string' ? args[0] : undefined;
        if (name === undefined || !(watch.callbacks ?? []).includes(name)) {
          const what = name === undefined ? 'an unnamed callback' : `callback "${name}"`;
          const fix = name === undefined
            ? `name it (context.${property}('approve', ...)) and answer it with --callback approve='<JSON result>'`
            : `answer it with: npx projen invoke ${batchName} --callback ${name}='<JSON result>' (or --callback-error ${name}='<message>')`;
          throw new Error(`${what} waits for an answer from outside the execution, which a local run cannot receive: ${fix}.`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Where the local runner puts its {@link LocalObserver}. @internal */
export const LOCAL_OBSERVER = Symbol.for('batchform.durable.local-observer');

function observer(): LocalObserver | undefined {
  return (globalThis as Record<symbol, LocalObserver | undefined>)[LOCAL_OBSERVER];
}

function isScheduledEvent(event: unknown): event is ScheduledEvent {
  return !!event && typeof event === 'object'
    && (event as ScheduledEvent)['detail-type'] === 'Scheduled Event'
    && typeof (event as ScheduledEvent).time === 'string';
}

/** A simulated crash of a step, thrown only under `npx projen invoke --fail-at`. @internal */
export class SimulatedCrash extends BatchformError {
  constructor(step: string) {
    super('run-failed', `simulated crash in step "${step}" (npx projen invoke --fail-at)`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * The step's config with a simulated crash retried after an hour (longer than any invocation, so
 * the retry is a new invocation that replays the steps before it, as after a real crash).
 */
function crashRetried<T>(config: StepConfig<T> | undefined): StepConfig<T> {
  return {
    ...config,
    retryStrategy: (error, attempt) => (error instanceof SimulatedCrash || (error as Error)?.name === 'SimulatedCrash'
      ? { shouldRetry: true, delay: { hours: 1 } }
      : config?.retryStrategy?.(error, attempt) ?? { shouldRetry: attempt < 3 }),
  };
}

function stepsOf(ctx: DurableContext, logger: RunLogger): DurableSteps {
  return {
    logger,
    async step<T>(name: string, fn: () => Promise<T>, config?: StepConfig<T>): Promise<T> {
      let ran = false;
      const result = await ctx.step(name, async (stepCtx) => {
        ran = true;
        const watch = observer();
        watch?.onStep?.(name, 'ran', stepCtx.attempt);
        if (watch?.failAt === name && stepCtx.attempt === 1) {
          watch.onStep?.(name, 'failed', stepCtx.attempt);
          throw new SimulatedCrash(name);
        }
        return fn();
      }, observer()?.failAt === name ? crashRetried(config) : config);
      if (!ran) observer()?.onStep?.(name, 'replayed');
      return result;
    },
    async wait(duration: Duration, name?: string): Promise<void> {
      await (name === undefined ? ctx.wait(duration) : ctx.wait(name, duration));
    },
  };
}

/**
 * Wraps a durable batch handler (a batch declared with `durable: {...}`) for the durable execution
 * SDK. The handler's result is the execution's result; an error it throws fails the execution
 * (the failed-run alarm watches `DurableExecutionFailed`).
 *
 * @example
 * export const handler = durableBatch(async (run) => {
 *   const ids = await run.step('list-tenants', () => listTenants());
 *   const done = await run.map(ids, (id, _i, item) => item.step(`reindex-${id}`, () => reindex(id)), { concurrency: 4 });
 *   return { tenants: done.successCount };
 * });
 */
export function durableBatch<TResult = unknown>(
  fn: (run: DurableBatchRun) => Promise<TResult>,
  options: DurableBatchOptions = {},
): DurableLambdaHandler {
  const name = process.env[RUNTIME_ENV.batch] ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'batch';
  const powertools = options.logger ?? new Logger({ serviceName: name });
  const ledger = options.ledger === false ? undefined : options.ledger ?? RunLedger.fromEnvironment(name);
  return withDurableExecution(async (event: unknown, ctx: DurableContext) => {
    ctx.configureLogger({ customLogger: powertools, modeAware: true });
    const scheduled = isScheduledEvent(event);
    // Without a Scheduled Event (a run started by hand), the first invocation's clock, checkpointed.
    const time = new Date(scheduled ? (event as ScheduledEvent).time : await ctx.step('batchform:run-time', async () => new Date().toISOString()));
    powertools.appendKeys({ batch: name, runTime: time.toISOString(), executionArn: ctx.executionContext.durableExecutionArn });
    const logger = ctx.logger as RunLogger;
    const root = stepsOf(ctx, logger);
    const executionArn = ctx.executionContext.durableExecutionArn;
    // The execution name (the starter puts it in the event's id) is the run's key: the claim is
    // checkpointed, so every invocation of this execution sees the same decision.
    const executionName = typeof (event as { id?: unknown })?.id === 'string' ? (event as { id: string }).id : undefined;
    const claim: Claim | undefined = ledger && await ctx.step('batchform:claim', async () => {
      const seconds = Number(process.env[RUNTIME_ENV.executionTimeout]) || LONGEST_EXECUTION_SECONDS;
      return ledger.claim({
        scheduledTime: time,
        owner: executionArn,
        timeoutMs: seconds * 1000,
        trigger: triggerOf(event),
        force: isRerun(event) || /-r\d+$/.test(executionName ?? ''),
        requestId: executionArn,
        logStream: ctx.lambdaContext?.logStreamName,
        codeVersion: codeVersionOf(process.env),
        executionName,
      });
    });
    if (claim && claim.outcome !== 'run') {
      logger.info(skipMessage(claim, 'execution'), { ...claim });
      return { skipped: claim.outcome, run: claim.run } as unknown as TResult;
    }
    const started = Date.now();
    logger.info('execution started', { scheduled, ...(claim ? { attempt: claim.attempt } : {}) });
    let result: TResult;
    try {
      result = await fn({
        ...root,
        batch: name,
        time,
        scheduled,
        timezone: process.env[RUNTIME_ENV.timezone] ?? 'UTC',
        event,
        executionArn: ctx.executionContext.durableExecutionArn,
        context: observer() ? localContext(ctx, observer()!, observer()!.batch ?? name) : ctx,
        remainingMs: () => ctx.lambdaContext.getRemainingTimeInMillis(),
        map: (items, itemFn, mapOptions = {}) => {
          const { name: mapName, concurrency, ...config } = mapOptions;
          return ctx.map(mapName ?? 'map', items, (child, item, index) => itemFn(item, index, stepsOf(child, child.logger as RunLogger)), { ...config, maxConcurrency: concurrency });
        },
      });
    } catch (error) {
      logger.error('execution failed', { error: error as Error });
      if (claim) await ctx.step('batchform:finish', async () => { await ledger!.finish(claim, error, { metricsAt: 'end' }); return 'failed'; }).catch((e: unknown) => logger.error('the run ledger could not record the failure', { error: e as Error }));
      throw error;
    }
    logger.info('execution succeeded', { invocationMs: Date.now() - started });
    // The run did succeed: a ledger that cannot record it must not fail the execution.
    if (claim) await ctx.step('batchform:finish', async () => { await ledger!.finish(claim, undefined, { metricsAt: 'end' }); return 'succeeded'; }).catch((e: unknown) => logger.error('the run ledger could not record the success', { error: e as Error }));
    return result;
  });
}
