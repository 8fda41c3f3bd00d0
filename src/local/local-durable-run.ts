// Local runs of durable batches: the bundled handler run as one whole durable execution in this
// process by the durable execution SDK's local test runner (real checkpoints and replay, waits
// skipped), with every step shown as it runs or is replayed, and an optional simulated crash.
import type { DurableOperation } from '@aws/durable-execution-sdk-js-testing';
import type { ManifestBatch } from '../manifest/manifest';
import { LOCAL_OBSERVER, LocalObserver } from '../runtime/durable';
import { executionName } from '../runtime/starter';

/** One thing that happened to a step during a local execution. */
export interface StepEvent {
  readonly step: string;
  /** `ran`: its function ran (and its result was checkpointed); `replayed`: its checkpoint was returned; `failed`: the simulated crash. */
  readonly event: 'ran' | 'replayed' | 'failed';
  /** The attempt, for `ran` and `failed`. */
  readonly attempt?: number;
  /** The handler invocation (1-based) it happened in. */
  readonly invocation: number;
}

/** One operation of the finished execution, with its checkpointed result. */
export interface OperationRow {
  readonly name: string;
  /** The operation's type: `STEP`, `WAIT`, `CONTEXT` (a map, a map item, a child context), `CALLBACK`, `CHAINED_INVOKE`. */
  readonly type: string;
  /** The SDK's subtype, when it has one (e.g. `Map` and `MapIteration` for a map and its items). */
  readonly subType?: string;
  readonly status: string;
  /** How deep it is nested: 0 at the top of the execution, 1 inside a map or child context, and so on. */
  readonly depth?: number;
  /** The checkpointed result (JSON), for steps and child contexts that succeeded. */
  readonly checkpoint?: string;
  readonly attempt?: number;
  /** A wait: how long it waited, in seconds (locally the runner skips the time instead of sleeping). */
  readonly waitSeconds?: number;
  /** The error it failed with, if it failed. */
  readonly error?: string;
}

/** The outcome of a local durable execution. */
export interface DurableRunResult {
  readonly executionName: string;
  readonly status: string;
  readonly result?: unknown;
  readonly error?: string;
  /** How many times the handler was invoked (each after the first replays the steps before it). */
  readonly invocations: number;
  readonly steps: readonly StepEvent[];
  readonly operations: readonly OperationRow[];
}

/** Options of {@link runDurableExecution}. */
export interface DurableRunOptions {
  /** A step whose first attempt fails (a simulated crash); the SDK retries it in a new invocation. */
  readonly failAt?: string;
  /**
   * Answers to the execution's callbacks (`run.context.waitForCallback` / `createCallback`), by
   * callback name: a JSON result, or an error message. A callback without an answer fails the run
   * with how to give one (nothing outside this process could answer it).
   */
  readonly callbacks?: Readonly<Record<string, CallbackAnswer>>;
  /** Told of each step event as it happens (the CLI prints them). */
  readonly onStep?: (e: StepEvent) => void;
}

/** A local answer to a callback: its result (JSON text, as a callback's sender sends it) or an error message. */
export type CallbackAnswer = { readonly result: string } | { readonly error: string };

/** What a row shows of an operation's details, read with the getter its type allows (the others throw). */
function details(op: DurableOperation): Pick<OperationRow, 'checkpoint' | 'attempt' | 'waitSeconds' | 'error'> {
  const json = (result: unknown) => (result !== undefined ? { checkpoint: JSON.stringify(result) } : {});
  const failure = (error: { errorMessage?: string } | undefined) => (error?.errorMessage !== undefined ? { error: error.errorMessage } : {});
  // By the type's name: the SDK (its enum) is loaded only when a durable batch runs.
  switch (String(op.getType())) {
    case 'STEP': {
      const step = op.getStepDetails();
      return { ...json(step?.result), ...failure(step?.error), ...(step?.attempt !== undefined ? { attempt: step.attempt } : {}) };
    }
    case 'CONTEXT': {
      const context = op.getContextDetails();
      return { ...json(context?.result), ...failure(context?.error) };
    }
    case 'WAIT': {
      const wait = op.getOperationData() ? op.getWaitDetails() : undefined;
      return wait?.waitSeconds !== undefined ? { waitSeconds: wait.waitSeconds } : {};
    }
    case 'CALLBACK': {
      const callback = op.getCallbackDetails();
      return { ...json(callback?.result), ...failure(callback?.error) };
    }
    case 'CHAINED_INVOKE': {
      const invoke = op.getChainedInvokeDetails();
      return { ...json(invoke?.result), ...failure(invoke?.error) };
    }
    default:
      return {};
  }
}

/**
 * The execution's operations as rows, each followed by its children (a map's items, an item's
 * steps). The runner lists every operation, nested or not: the walk starts from those without a
 * parent among them.
 */
function rows(ops: readonly DurableOperation[]): OperationRow[] {
  const ids = new Set(ops.map((op) => op.getId()));
  const walk = (op: DurableOperation, depth: number): OperationRow[] => {
    const subType = op.getSubType();
    const row: OperationRow = {
      // An unnamed operation (e.g. `run.wait({ minutes: 5 })`) by its type: its id is a hash.
      name: op.getName() ?? `(${String(op.getType() ?? 'operation').toLowerCase()})`,
      type: String(op.getType() ?? '?'),
      ...(subType !== undefined ? { subType: String(subType) } : {}),
      status: String(op.getStatus() ?? '?'),
      depth,
      ...details(op),
    };
    return [row, ...(op.getChildOperations() ?? []).flatMap((child) => walk(child, depth + 1))];
  };
  return ops.filter((op) => !ids.has(op.getParentId())).flatMap((op) => walk(op, 0));
}

/**
 * Runs a durable handler as one execution, to completion, with the durable execution SDK's local
 * runner: it checkpoints each step, skips waits and retry delays, and invokes the handler again
 * after each suspension, replaying the steps already checkpointed.
 */
export async function runDurableExecution(
  batch: Pick<ManifestBatch, 'name'>,
  handler: unknown,
  event: { readonly time?: string } & Record<string, unknown>,
  options: DurableRunOptions = {},
): Promise<DurableRunResult> {
  // Loaded here: a plain batch's local run does not need the testing SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LocalDurableTestRunner, WaitingOperationStatus } = require('@aws/durable-execution-sdk-js-testing') as typeof import('@aws/durable-execution-sdk-js-testing');
  const steps: StepEvent[] = [];
  let invocation = 0;
  const observer: LocalObserver = {
    failAt: options.failAt,
    callbacks: Object.keys(options.callbacks ?? {}),
    batch: batch.name,
    onStep: (step, e, attempt) => {
      const se: StepEvent = { step, event: e, ...(attempt !== undefined ? { attempt } : {}), invocation };
      steps.push(se);
      options.onStep?.(se);
    },
  };
  // Counts the runner's invocations of the handler: each one after the first is a replay.
  const counted = (input: unknown, context: unknown) => {
    invocation++;
    return (handler as (i: unknown, c: unknown) => Promise<unknown>)(input, context);
  };
  const name = executionName(batch.name, String(event.time ?? new Date().toISOString()));
  const global = globalThis as Record<symbol, unknown>;
  global[LOCAL_OBSERVER] = observer;
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
  try {
    const runner = new LocalDurableTestRunner({ handlerFunction: counted as never });
    for (const [callback, answer] of Object.entries(options.callbacks ?? {})) {
      // Answered once the callback is ready for it: created, and a waitForCallback's submitter done.
      void runner.getOperation(callback).waitForData(WaitingOperationStatus.STARTED)
        .then((op) => (op.isWaitForCallback() ? op.waitForData(WaitingOperationStatus.SUBMITTED) : op))
        .then((op) => ('result' in answer ? op.sendCallbackSuccess(answer.result) : op.sendCallbackFailure({ ErrorMessage: answer.error, ErrorType: 'LocalCallbackError' })))
        .catch(() => undefined); // a callback the handler never created: nothing to answer
    }
    const execution = await runner.run({ payload: event });
    const status = String(execution.getStatus() ?? 'UNKNOWN');
    const failed = status !== 'SUCCEEDED';
    return {
      executionName: name,
      status,
      ...(failed ? { error: execution.getError().errorMessage } : { result: execution.getResult() }),
      invocations: execution.getInvocations().length,
      steps,
      operations: rows(execution.getOperations()),
    };
  } finally {
    await LocalDurableTestRunner.teardownTestEnvironment();
    delete global[LOCAL_OBSERVER];
  }
}
