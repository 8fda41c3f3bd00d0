// The building blocks of the change-set lifecycle (change-set-lifecycle.ts): wait for a change set and read it, wait for its execution.
import {
  Change,
  ChangeSetType,
  CloudFormationClient,
  paginateDescribeChangeSet,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { failureEvents } from './events';
import type { FailureEvent } from './result';
import { reaching, UnreachableError } from '../aws/faults';
import { describeStack } from '../aws/stack-state';
import { formatSeconds, isFinalAnswer, isWaiterTimeout, ResolvedWaits, runWaiter } from '../aws/waits';
import { BatchformError } from '../errors/batchform-error';

/** CloudFormation's ways of saying a change set has nothing to do. */
export const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

/** A failed execution, carrying the stack events that explain it. */
export class ExecutionError extends BatchformError {
  constructor(message: string, readonly events: readonly FailureEvent[]) {
    super('run-failed', message);
    this.name = 'ExecutionError';
  }
}

/** Whether `e` is CloudFormation saying the change set is not there (any more). */
export function isChangeSetNotFound(e: unknown): boolean {
  const name = (e as { name?: string } | undefined)?.name;
  return name === 'ChangeSetNotFoundException' || name === 'ChangeSetNotFound';
}

/**
 * A change set deleted under this run: CloudFormation deletes a stack's other change sets when one
 * of them is executed, so another run on the same stack most likely executed its own meanwhile.
 */
export class ChangeSetGoneError extends BatchformError {
  constructor(readonly stackName: string, readonly changeSetName: string, doing: string, cause?: unknown) {
    super('run-failed',
      `change set ${changeSetName} of ${stackName} was deleted while this run was ${doing} (CloudFormation answered ChangeSetNotFound). ` +
        `Most likely another run on ${stackName} (a second deploy, or a preview racing a merge's deploy) executed its own change set meanwhile: ` +
        'CloudFormation then deletes the stack\'s other change sets. Nothing of this run was executed on the stack. ' +
        'Fix: let the other run finish (the stack\'s events in the CloudFormation console show it), then run this one again; ' +
        'keep one deploy per stage at a time.',
      { cause });
    this.name = 'ChangeSetGoneError';
  }
}

/** A computed (or failed) change set: its status, reason and every page of changes with property values. */
export interface ReadChangeSet {
  readonly status: string;
  readonly reason: string;
  readonly changes: Change[];
}

/**
 * Waits for a change set to be computed, then reads all its pages with property values. A
 * FAILED change set is returned (its reason says why, or that it had no changes); a change set
 * still computing after `waits.changeSet.maxWaitTime` throws.
 */
export async function readChangeSet(
  cfn: CloudFormationClient, waits: ResolvedWaits, stackName: string, changeSetName: string, log?: (message: string) => void,
): Promise<ReadChangeSet> {
  const input = { StackName: stackName, ChangeSetName: changeSetName };
  const step = `waiting for change set ${changeSetName} of ${stackName} to be computed`;
  try {
    await runWaiter(waitUntilChangeSetCreateComplete, cfn, waits.changeSet, { ...waits, log }, step, input);
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    // The SDK waiter polls on through ChangeSetNotFound as if the change set were still being computed.
    if (isChangeSetNotFound(e)) throw new ChangeSetGoneError(stackName, changeSetName, 'waiting for it to be computed', e);
    if (isFinalAnswer(e)) throw e;
    if (isWaiterTimeout(e)) {
      throw new Error(`change set ${changeSetName} was still being computed after ${formatSeconds(waits.changeSet.maxWaitTime)} ` +
        '(CloudFormation answered every poll with CREATE_IN_PROGRESS); it may be busy. Run again later.');
    }
    // A FAILED change set ends the wait too; its status and reason are read below.
  }
  let status = '';
  let reason = '';
  const changes: Change[] = [];
  try {
    await reaching(cfn, 'cloudformation', `reading change set ${changeSetName} of ${stackName} (DescribeChangeSet)`, async () => {
      for await (const page of paginateDescribeChangeSet({ client: cfn }, { ...input, IncludePropertyValues: true })) {
        status ||= page.Status ?? '';
        reason ||= page.StatusReason ?? '';
        changes.push(...(page.Changes ?? []));
      }
    });
  } catch (e) {
    if (isChangeSetNotFound(e)) throw new ChangeSetGoneError(stackName, changeSetName, 'reading it', e);
    throw e;
  }
  return { status, reason, changes };
}

/** What to tell people when an execution does not end well. */
export interface ExecutionAdvice {
  /** After "the execution was still <status> after <time>; it goes on in AWS. " */
  readonly stillRunning: string;
  /** After "the execution failed and the stack is now <status>; ", given that status. */
  readonly failed: (status: string) => string;
}

/**
 * Waits for an executed change set's create or update to finish.
 *
 * @throws Error when it is still running after `waits.stack.maxWaitTime`; {@link ExecutionError}
 *   with the execution's first failed events when it failed; `UnreachableError` when AWS could
 *   not be reached.
 */
export async function waitForExecution(
  cfn: CloudFormationClient, waits: ResolvedWaits,
  execution: { readonly stackName: string; readonly stackId: string; readonly type: ChangeSetType; readonly token: string; readonly since: Date },
  advice: ExecutionAdvice,
  log?: (message: string) => void,
): Promise<void> {
  const waiter = execution.type === 'CREATE' ? waitUntilStackCreateComplete : waitUntilStackUpdateComplete;
  const step = `waiting for the ${execution.type === 'CREATE' ? 'create' : 'update'} of stack ${execution.stackName} (it goes on in AWS)`;
  try {
    await runWaiter(waiter, cfn, waits.stack, { ...waits, log }, step, { StackName: execution.stackId });
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const after = await describeStack(cfn, execution.stackId);
    const status = after?.StackStatus ?? 'deleted';
    if (isWaiterTimeout(e)) {
      throw new Error(`the execution was still ${status} after ${formatSeconds(waits.stack.maxWaitTime)}; it goes on in AWS. ${advice.stillRunning}`);
    }
    const events = await failureEvents(cfn, execution.stackId, { clientRequestToken: execution.token, since: execution.since });
    throw new ExecutionError(`the execution failed and the stack is now ${status}; ${advice.failed(status)}`, events);
  }
}
