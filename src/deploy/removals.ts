// The stacks of removed (or renamed) batches: previewed as deletions with what is lost, refused by a deploy unless allowed, deleted and waited for.
import { CloudFormationClient, DescribeStackResourcesCommand, Stack } from '@aws-sdk/client-cloudformation';
import { lifecycleToken } from './change-set-lifecycle';
import type { StackResult } from './result';
import { describeError, reaching } from '../aws/faults';
import { classifyStatus, deleteStackAndWait, waitUntilSettled } from '../aws/stack-state';
import { batchOfStack, removalAllowance } from '../aws/undeclared';
import type { ResolvedWaits } from '../aws/waits';
import { BatchformError, errorKindOf } from '../errors/batchform-error';

/**
 * What deleting a batch stack loses, by resource type (and the function by logical id: a durable
 * batch's function holds its execution history).
 *
 * The log group is deleted with its stack, history and all: it is not `DeletionPolicy: Retain`. A
 * kept log group keeps its fixed name `/aws/lambda/<stack>`, so declaring the batch again, or
 * rolling the removal back, would fail to create the stack ("already exists") until someone
 * deleted the group by hand; and kept groups pile up outside any stack. Instead the preview says
 * what goes, and docs/guides/remove-rename-rollback.md shows how to export the history first.
 */
function losesOf(type: string, logicalId: string, physicalId: string | undefined): string | undefined {
  switch (type) {
    case 'AWS::Logs::LogGroup': return `its log history (every event in log group ${physicalId ?? logicalId})`;
    case 'AWS::SQS::Queue': return 'its queued dead letters (runs that failed every retry and were not redriven)';
    case 'AWS::Lambda::Function':
      if (logicalId === 'DurableFunction') return 'its durable execution history (and executions still running stop)';
      return logicalId === 'Function' ? 'a run in flight (it stops)' : undefined;
    case 'AWS::SNS::Topic': return "its alarm topic's e-mail subscriptions";
    default: return undefined;
  }
}

/** What is said when the stack's resources cannot be read: what every batch stack holds. */
function genericLosses(stackName: string): string[] {
  return [
    `its log history (every event in log group /aws/lambda/${stackName})`,
    'its queued dead letters (runs that failed every retry and were not redriven)',
    'for a durable batch, its durable execution history',
  ];
}

/** What deleting `stack` loses, from its resources (DescribeStackResources); what every batch stack holds when they cannot be read. */
async function removalLosses(cfn: CloudFormationClient, stack: Stack): Promise<{ loses: string[]; note?: string }> {
  const name = stack.StackName ?? '?';
  try {
    const out = await reaching(cfn, 'cloudformation', `reading the resources of ${name} (DescribeStackResources)`,
      () => cfn.send(new DescribeStackResourcesCommand({ StackName: stack.StackId ?? name })));
    const resources = out?.StackResources;
    if (!resources) return { loses: genericLosses(name) };
    const loses = resources
      .filter((r) => r.ResourceStatus !== 'DELETE_COMPLETE')
      .map((r) => losesOf(r.ResourceType ?? '', r.LogicalResourceId ?? '', r.PhysicalResourceId))
      .filter((x): x is string => x !== undefined);
    return { loses: [...new Set(loses)] };
  } catch (e) {
    return { loses: genericLosses(name), note: `Could not read its resources (${describeError(e)}); listed what every batch stack holds.` };
  }
}

/** A preview's (or a held-back deploy's) result for a stack the manifest no longer declares. */
export async function pendingRemoval(cfn: CloudFormationClient, stack: Stack, notes: string[]): Promise<StackResult> {
  const { loses, note } = await removalLosses(cfn, stack);
  return {
    stackName: stack.StackName ?? '?',
    batch: batchOfStack(stack),
    outcome: 'will-delete',
    removal: { loses },
    notes: [
      `The manifest no longer declares batch "${batchOfStack(stack)}", but its stack is ${stack.StackStatus ?? 'live'}${classifyStatus(stack.StackStatus) === 'ready' ? ' and its schedule still runs it' : ''}.`,
      ...notes,
      ...(note ? [note] : []),
    ],
  };
}

/** What deleting one removed batch's stack needs. */
export interface RemovalContext {
  readonly cloudFormation: CloudFormationClient;
  readonly waits: ResolvedWaits;
  /** The run's change-set name: with the stack name, it makes the DeleteStack client token. */
  readonly changeSetName: string;
  readonly log: (message: string) => void;
}

/**
 * Deletes the stack of a removed batch and waits until it is gone, with the bounds and fault
 * handling of an update: an operation in progress is waited for first; a wait past
 * `waits.stack.maxWaitTime`, a DELETE_FAILED, or AWS out of reach becomes a `failed` result saying
 * what to do. Never throws.
 */
export async function deleteRemoved(ctx: RemovalContext, stack: Stack): Promise<StackResult> {
  const stackName = stack.StackName ?? '?';
  const { loses, note } = await removalLosses(ctx.cloudFormation, stack);
  const base = { stackName, batch: batchOfStack(stack), removal: { loses } };
  const notes = note ? [note] : [];
  try {
    let current: Stack | undefined = stack;
    if (classifyStatus(stack.StackStatus) === 'busy') current = await waitUntilSettled(ctx.cloudFormation, stack, ctx.waits, ctx.log);
    if (current) {
      ctx.log(`${stackName}: deleting (batch "${base.batch}" is no longer declared)`);
      await deleteStackAndWait(ctx.cloudFormation, current, ctx.waits, lifecycleToken({ stackName, changeSetName: ctx.changeSetName }, 'delete'));
    } else {
      notes.push('It was already gone when the deploy came to delete it.');
    }
    ctx.log(`${stackName}: deleted`);
    return { ...base, outcome: 'deleted', notes };
  } catch (e) {
    const error = describeError(e);
    ctx.log(`${stackName}: failed: ${error}`);
    return { ...base, outcome: 'failed', error: `deleting the stack of removed batch "${base.batch}": ${error}`, errorKind: errorKindOf(e), notes };
  }
}

/** The error a deploy stops with when it would delete stacks without being allowed: nothing is deployed. */
export function refusedRemoval(stage: string, stacks: readonly Stack[]): BatchformError {
  const list = stacks.map((s) => `${s.StackName} (batch "${batchOfStack(s)}")`).join(', ');
  const one = stacks.length === 1;
  return new BatchformError('bad-input',
    `stage "${stage}": refusing to delete ${one ? 'the stack' : `${stacks.length} stacks`} of ${one ? 'a batch' : 'batches'} no longer declared: ${list}. ` +
      `Deleting loses ${one ? 'its' : 'their'} log history, queued dead letters and, for a durable batch, ${one ? 'its' : 'their'} execution history. ` +
      'Nothing was deployed (deploying the rest alone would leave a renamed batch running under both names). ' +
      `To delete: ${removalAllowance(stage)}. To keep ${one ? 'it' : 'them'}: declare the batch again in .projenrc.ts and run "npx projen".`,
    { where: { stage } });
}
