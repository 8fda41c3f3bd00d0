// Reads live stacks and sorts their status into what a deploy can do next (create, update, wait, recover, stop).
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  paginateDescribeStacks,
  Stack,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackImportComplete,
  waitUntilStackRollbackComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { reaching, UnreachableError } from './faults';
import { formatSeconds, isWaiterTimeout, ResolvedWaits, runWaiter } from './waits';
import { BatchformError } from '../errors/batchform-error';

/**
 * What a stack's status allows:
 * - `absent`: no stack; create it;
 * - `review`: `REVIEW_IN_PROGRESS`, a stack that only holds change sets; create it;
 * - `ready`: settled and updatable;
 * - `failed-create`: `ROLLBACK_COMPLETE`, a failed first create; delete it, then create;
 * - `busy`: an operation is running (`*_IN_PROGRESS`); wait for it;
 * - `stuck`: needs a person (see {@link stuckAdvice}).
 */
export type StackCondition = 'absent' | 'review' | 'ready' | 'failed-create' | 'busy' | 'stuck';

const READY = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/** Sorts a stack status (undefined: no stack). */
export function classifyStatus(status: string | undefined): StackCondition {
  if (status === undefined || status === 'DELETE_COMPLETE') return 'absent';
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (status === 'ROLLBACK_COMPLETE') return 'failed-create';
  if (READY.has(status)) return 'ready';
  if (status.endsWith('_IN_PROGRESS')) return 'busy';
  return 'stuck';
}

/** What a person has to do about a stack in a status the deploy does not repair itself. */
export function stuckAdvice(stackName: string, status: string): string {
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return `an update failed and its rollback failed too. Continue the rollback: aws cloudformation continue-update-rollback --stack-name ${stackName} ` +
        '(add --resources-to-skip for resources that cannot roll back), wait for UPDATE_ROLLBACK_COMPLETE, then run the deploy again.';
    case 'ROLLBACK_FAILED':
      return `the first create failed and its rollback failed too. Delete the stack (aws cloudformation delete-stack --stack-name ${stackName}, ` +
        'with --retain-resources for resources that cannot be deleted), then run the deploy again.';
    case 'DELETE_FAILED':
      return `a delete failed. Finish it by hand (aws cloudformation delete-stack --stack-name ${stackName}, with --retain-resources for ` +
        'resources that cannot be deleted), then run the deploy again.';
    case 'CREATE_FAILED':
    case 'UPDATE_FAILED':
    case 'IMPORT_ROLLBACK_FAILED':
      return `the last operation failed and was not rolled back. Roll it back (aws cloudformation rollback-stack --stack-name ${stackName}) ` +
        'or fix it in the CloudFormation console, then run the deploy again.';
    default:
      return 'batchform does not know how to continue from this status; look at the stack in the CloudFormation console, bring it to a *_COMPLETE status, then run the deploy again.';
  }
}

/** Every stack in the client's region, by name: one paginated DescribeStacks for all stacks. */
export async function describeAllStacks(cfn: CloudFormationClient): Promise<Map<string, Stack>> {
  const stacks = new Map<string, Stack>();
  await reaching(cfn, 'cloudformation', 'listing the stacks (DescribeStacks)', async () => {
    for await (const page of paginateDescribeStacks({ client: cfn }, {})) {
      for (const s of page.Stacks ?? []) if (s.StackName) stacks.set(s.StackName, s);
    }
  });
  return stacks;
}

/** One stack by name or id, or undefined when it does not exist (or is deleted). */
export async function describeStack(cfn: CloudFormationClient, nameOrId: string): Promise<Stack | undefined> {
  try {
    const out = await reaching(cfn, 'cloudformation', `reading stack ${nameOrId} (DescribeStacks)`, () => cfn.send(new DescribeStacksCommand({ StackName: nameOrId })));
    const stack = out.Stacks?.[0];
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    if (err.name === 'ValidationError' && /does not exist/.test(err.message ?? '')) return undefined;
    throw e;
  }
}

/** The live value of a stack tag. */
export function stackTag(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Tags?.find((t) => t.Key === key)?.Value;
}

type StackWaiter = typeof waitUntilStackUpdateComplete;

/** The SDK waiter that polls until an operation in `status` ends, whichever way it ends. */
function waiterFor(status: string): StackWaiter {
  if (status === 'CREATE_IN_PROGRESS' || status === 'ROLLBACK_IN_PROGRESS') return waitUntilStackCreateComplete;
  if (status.startsWith('UPDATE_ROLLBACK_')) return waitUntilStackRollbackComplete;
  if (status.startsWith('DELETE_')) return waitUntilStackDeleteComplete;
  if (status.startsWith('IMPORT_')) return waitUntilStackImportComplete;
  return waitUntilStackUpdateComplete;
}

/**
 * Waits, with the SDK waiters' bounded backoff, until the stack is no longer `*_IN_PROGRESS`
 * (an interrupted or concurrent run), then returns it as it now is (undefined once deleted).
 * A waiter ending in a failure state is fine here: the caller decides from the new status.
 *
 * @throws Error naming the stack and status when it is still in progress after `timing.maxWaitTime`.
 */
export async function waitUntilSettled(
  cfn: CloudFormationClient,
  stack: Stack,
  waits: ResolvedWaits,
  log: (message: string) => void,
): Promise<Stack | undefined> {
  const timing = waits.stack;
  let current: Stack | undefined = stack;
  const name = stack.StackName ?? '?';
  // An operation can hand over to another (an update to its rollback); follow a few of them.
  for (let round = 0; round < 3 && current && classifyStatus(current.StackStatus) === 'busy'; round++) {
    const status = current.StackStatus ?? '';
    log(`${name} is ${status} (an earlier or concurrent run); waiting up to ${formatSeconds(timing.maxWaitTime)} for it to finish`);
    try {
      await runWaiter(waiterFor(status), cfn, timing, { ...waits, log }, `waiting for stack ${name} (${status}) to settle`, { StackName: current.StackId ?? name });
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      if (isWaiterTimeout(e)) {
        throw new BatchformError('run-failed',
          `${name} is still ${status} after waiting ${formatSeconds(timing.maxWaitTime)}: another deploy may be running, or CloudFormation ` +
            'is slow (deleting a VPC function\'s network interfaces can take over 20 minutes). Run the deploy again once the stack has settled; ' +
            'its events in the CloudFormation console show what it is doing.',
        );
      }
      // Failure states end the wait too; the fresh status below says what to do.
    }
    current = await describeStack(cfn, current.StackId ?? name);
  }
  if (current && classifyStatus(current.StackStatus) === 'busy') {
    throw new BatchformError('run-failed', `${name} kept changing status (now ${current.StackStatus}); run the deploy again once it has settled.`);
  }
  return current;
}

/** Deletes a stack and waits until it is gone; used to clear a failed first create. */
export async function deleteStackAndWait(
  cfn: CloudFormationClient, stack: Stack, waits: ResolvedWaits, clientRequestToken: string, log?: (message: string) => void,
): Promise<void> {
  const id = stack.StackId ?? stack.StackName ?? '';
  const timing = waits.stack;
  await reaching(cfn, 'cloudformation', `deleting stack ${stack.StackName} (DeleteStack)`, () => cfn.send(new DeleteStackCommand({ StackName: id, ClientRequestToken: clientRequestToken })));
  try {
    await runWaiter(waitUntilStackDeleteComplete, cfn, timing, { ...waits, log }, `waiting for stack ${stack.StackName} to be deleted`, { StackName: id });
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const after = await describeStack(cfn, id);
    const why = isWaiterTimeout(e) ? `is still ${after?.StackStatus ?? 'deleting'} after ${formatSeconds(timing.maxWaitTime)}` : `could not be deleted (${after?.StackStatus ?? 'unknown status'}${after?.StackStatusReason ? `: ${after.StackStatusReason}` : ''})`;
    throw new BatchformError('run-failed', `${stack.StackName} ${why}; ${stuckAdvice(stack.StackName ?? id, 'DELETE_FAILED')}`);
  }
}
