// Finds a deployed batch: its stack in the stage, and from the stack's outputs the physical names the operate commands act on.
import { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { classifyStatus, describeStack } from '../aws/stack-state';
import { BatchformError } from '../errors/batchform-error';
import type { ManifestBatch, ManifestStack, ManifestStage } from '../manifest/manifest';
import { batchForStage } from '../model/stage-overrides';

/** A batch as deployed in one stage: names read from its stack, never guessed. */
export interface BatchTarget {
  /** The batch as the stage runs it (its overrides applied: timeout, schedule, ...). */
  readonly batch: ManifestBatch;
  readonly stage: ManifestStage;
  readonly stackName: string;
  readonly stackStatus: string;
  /** Output `FunctionArn`. */
  readonly functionArn: string;
  /** The function's name (the last part of its ARN; the stack's name, or a generated one for a durable batch). */
  readonly functionName: string;
  /**
   * What the schedule invokes, and so what the operate commands invoke: the batch function, or a
   * durable batch's starter (output `StarterArn`), which starts one durable execution per run.
   */
  readonly invokeArn: string;
  /** Whether the batch is durable (its stack has a starter): a run is started, not waited for to its end. */
  readonly durable: boolean;
  /** Output `LogGroupName`. */
  readonly logGroupName: string;
  /** Output `DeadLetterQueueUrl`. */
  readonly deadLetterQueueUrl: string;
  /** Output `RuleArn` (UTC batches) or `ScheduleArn` (batches with a time zone). */
  readonly scheduleArn: string;
  /** The stack's tags (the fingerprint among them). */
  readonly tags: Readonly<Record<string, string>>;
}

/** A batch or stack the operate commands cannot act on: not declared, not in the stage, or not deployed. */
export class TargetError extends BatchformError {
  constructor(message: string, readonly badInput: boolean) {
    super(badInput ? 'bad-input' : 'run-failed', message);
    this.name = 'TargetError';
  }
}

/**
 * The batch as `stage` runs it (its overrides applied) and its stack there, from the manifest; a
 * {@link TargetError} (bad input) naming the stage's batches otherwise.
 */
export function findBatch(batches: readonly ManifestBatch[], stage: ManifestStage, name: string): { batch: ManifestBatch; stack: ManifestStack } {
  const stack = stage.stacks.find((s) => s.batch === name);
  const batch = batches.find((b) => b.name === name);
  if (!stack || !batch) {
    const known = stage.stacks.map((s) => s.batch);
    const where = batch ? `is not deployed to stage "${stage.name}" (its stages option leaves it out)` : 'is not declared';
    throw new TargetError(`batch "${name}" ${where}; ${known.length ? `stage "${stage.name}" has: ${known.join(', ')}` : `stage "${stage.name}" has no batches`}.`, true);
  }
  return { batch: batchForStage(batch, stage.name), stack };
}

/**
 * Whether the batch's resources exist in a stack of this status: settled (created, updated, or
 * rolled back to a working state), or an update in progress on top of one.
 */
function usable(status: string): boolean {
  return classifyStatus(status) === 'ready' || /^UPDATE_.*IN_PROGRESS$/.test(status);
}

/** The target from a described stack; a {@link TargetError} when the stack is missing, not usable, or lacks an output. */
export function targetOf(batch: ManifestBatch, stage: ManifestStage, stackName: string, stack: Stack | undefined): BatchTarget {
  const deploy = `deploy it with "batchform deploy --stage ${stage.name}"`;
  if (!stack) throw new TargetError(`stack ${stackName} of batch "${batch.name}" does not exist in ${stage.account}/${stage.region}; ${deploy}.`, false);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!usable(status)) throw new TargetError(`stack ${stackName} of batch "${batch.name}" is ${status}: its function may not exist; ${deploy} first.`, false);
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const need = (key: string): string => {
    if (!outputs[key]) throw new TargetError(`stack ${stackName} has no output ${key} (deployed by an older batchform?); ${deploy} again.`, false);
    return outputs[key];
  };
  const functionArn = need('FunctionArn');
  return {
    batch,
    stage,
    stackName,
    stackStatus: status,
    functionArn,
    functionName: functionArn.split(':').pop() ?? stackName,
    invokeArn: outputs.StarterArn || functionArn,
    durable: Boolean(outputs.StarterArn),
    logGroupName: need('LogGroupName'),
    deadLetterQueueUrl: need('DeadLetterQueueUrl'),
    scheduleArn: outputs.RuleArn || need('ScheduleArn'),
    tags: Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

/** Reads the stack of `name` in `stage` and returns its target. */
export async function resolveTarget(
  cfn: CloudFormationClient, batches: readonly ManifestBatch[], stage: ManifestStage, name: string,
): Promise<BatchTarget> {
  const { batch, stack } = findBatch(batches, stage, name);
  return targetOf(batch, stage, stack.stackName, await describeStack(cfn, stack.stackName));
}
