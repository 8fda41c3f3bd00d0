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
  readonly type: string;
  readonly status: string;
  /** The checkpointed result (JSON), for steps and child contexts that succeeded. */
  readonly checkpoint?: string;
  readonly attempt?: number;
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
  /** Told of each step event as it happens (the CLI prints them). */
  readonly onStep?: (e: StepEvent) => void;
}

function rows(ops: readonly DurableOperation[]): OperationRow[] {
  return ops.flatMap((op) => {
    const details = op.getStepDetails() ?? op.getContextDetails();
    const result = details?.result;
    const row: OperationRow = {
      name: op.getName() ?? op.getId() ?? '?',
      type: String(op.getType() ?? '?'),
      status: String(op.getStatus() ?? '?'),
      ...(result !== undefined ? { checkpoint: JSON.stringify(result) } : {}),
      ...(op.getStepDetails()?.attempt !== undefined ? { attempt: op.getStepDetails()!.attempt } : {}),
    };
    return [row, ...rows(op.getChildOperations() ?? [])];
  });
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
  const { LocalDurableTestRunner } = require('@aws/durable-execution-sdk-js-testing') as typeof import('@aws/durable-execution-sdk-js-testing');
  const steps: StepEvent[] = [];
  let invocation = 0;
  const observer: LocalObserver = {
    failAt: options.failAt,
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
