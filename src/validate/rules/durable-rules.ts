// Rules for durable batches: the execution's timeout and history retention, and what a durable
// batch cannot combine with.
import { BatchRule, isIntIn, show, when } from './types';
import { BATCH_DEFAULTS } from '../../model/declaration-defaults';

/** Lambda's longest durable execution, in seconds (366 days: DurableConfig.ExecutionTimeout). */
export const MAX_EXECUTION_TIMEOUT = 31_622_400;
/** Lambda's range for a finished execution's history, in days (DurableConfig.RetentionPeriodInDays). */
export const RETENTION_RANGE = [1, 90] as const;

export const durableShape: BatchRule = (batch) => {
  const d = batch.durable as unknown;
  if (d === undefined) return [];
  if (d === null || typeof d !== 'object' || Array.isArray(d)) {
    return [{ field: 'durable', message: `${show(d)} is not an object.`, fix: 'write durable: { executionTimeout: <seconds> }, or leave durable out for a plain batch.' }];
  }
  const { executionTimeout, retentionDays } = d as { executionTimeout?: unknown; retentionDays?: unknown };
  const timeout = batch.timeout ?? BATCH_DEFAULTS.timeout;
  return [
    ...when(!isIntIn(executionTimeout, 1, MAX_EXECUTION_TIMEOUT), {
      field: 'durable.executionTimeout',
      message: executionTimeout === undefined
        ? 'is missing; a durable batch needs the longest time one execution may take.'
        : `${show(executionTimeout)} seconds is outside Lambda's range for a durable execution (1 s to ${MAX_EXECUTION_TIMEOUT} s, 366 days).`,
      fix: 'use a whole number of seconds, e.g. 6 * 3600 for six hours.',
    }),
    ...when(isIntIn(executionTimeout, 1, MAX_EXECUTION_TIMEOUT) && typeof timeout === 'number' && (executionTimeout as number) <= timeout, {
      field: 'durable.executionTimeout',
      message: `${show(executionTimeout)} seconds is not more than the batch's per-invocation timeout (${timeout} s): the execution would end before its first invocation may.`,
      fix: `make it longer than timeout, e.g. ${Math.max(timeout * 4, 3600)}; timeout bounds one invocation, executionTimeout the whole execution.`,
    }),
    ...when(retentionDays !== undefined && !isIntIn(retentionDays, RETENTION_RANGE[0], RETENTION_RANGE[1]), {
      field: 'durable.retentionDays',
      message: `${show(retentionDays)} is outside Lambda's range for execution history (${RETENTION_RANGE[0]}-${RETENTION_RANGE[1]} days).`,
      fix: `use a whole number of days from ${RETENTION_RANGE[0]} to ${RETENTION_RANGE[1]}, or leave it out for ${BATCH_DEFAULTS.durableRetentionDays}.`,
    }),
  ];
};

/**
 * A durable execution is started by batchform's starter from the Scheduled Event (its scheduled
 * time names the execution), so a durable batch takes no constant input.
 */
export const durableInput: BatchRule = (batch) =>
  when(batch.durable !== undefined && batch.input !== undefined, {
    field: 'input',
    message: 'is set on a durable batch; a durable batch receives the Scheduled Event, whose scheduled time names its execution (one execution per run).',
    fix: 'drop input and pass constants as environment variables, or make the batch a plain one.',
  });

/**
 * A stage's own `timeout` of a durable batch must stay below the execution timeout, as the batch's
 * must (checked on the batch as a stage runs it; the base check is in `durableShape`).
 */
export const timeoutBelowExecution: BatchRule = (batch) => {
  const executionTimeout = (batch.durable as { executionTimeout?: unknown } | undefined)?.executionTimeout;
  const timeout = batch.timeout ?? BATCH_DEFAULTS.timeout;
  return when(isIntIn(executionTimeout, 1, MAX_EXECUTION_TIMEOUT) && typeof timeout === 'number' && timeout >= (executionTimeout as number), {
    field: 'timeout',
    message: `${show(timeout)} seconds is not less than the durable execution timeout (${show(executionTimeout)} s): the execution would end before one invocation may.`,
    fix: 'keep this stage\'s timeout below durable.executionTimeout, or raise durable.executionTimeout.',
  });
};
