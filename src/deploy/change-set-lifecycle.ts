// The one change-set lifecycle of every stack, batch or bootstrap: settle the live stack, create a change set with client tokens, read it, then keep it as a preview or execute it, and discard what was not executed.
import {
  Capability,
  Change,
  ChangeSetType,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { ChangeSetGoneError, ExecutionAdvice, isChangeSetNotFound, NO_CHANGES, readChangeSet, waitForExecution } from './change-set-steps';
import { describeError, reaching } from '../aws/faults';
import { classifyStatus, deleteStackAndWait, StackCondition, stuckAdvice, waitUntilSettled } from '../aws/stack-state';
import type { ResolvedWaits } from '../aws/waits';
import { BatchformError } from '../errors/batchform-error';
import { sha256Hex } from '../model/hash';

/** One stack's change set: where it is made, under which name, and where progress is told. */
export interface ChangeSetTarget {
  readonly cloudFormation: CloudFormationClient;
  readonly waits: ResolvedWaits;
  readonly stackName: string;
  readonly changeSetName: string;
  readonly log: (message: string) => void;
  /** Told each step as it starts, for a fault's message ("creating change set X"). @default nothing */
  readonly onStep?: (step: string) => void;
}

/** The requests of the lifecycle that change something, each with its own client token. */
export type LifecycleRequest = 'create' | 'execute' | 'delete' | 'discard';

/**
 * A client token unique to this change set, stack and request, so SDK retries of one request stay
 * one request (CloudFormation ignores a repeated token) and the execution's events can be found.
 */
export function lifecycleToken(target: Pick<ChangeSetTarget, 'stackName' | 'changeSetName'>, request: LifecycleRequest): string {
  return `${request}-${sha256Hex(`${target.changeSetName}/${target.stackName}`).slice(0, 40)}`;
}

function step(target: ChangeSetTarget, what: string): string {
  target.onStep?.(what);
  return what;
}

/** The live stack once no operation runs on it, and the status it waited for, if it did. */
export interface SettledStack {
  readonly stack: Stack | undefined;
  /** The `*_IN_PROGRESS` status an earlier or concurrent run left, when the lifecycle waited for it. */
  readonly waitedFor?: string;
}

/** Settle: waits for an operation in progress on the live stack (an interrupted or concurrent run) to end. */
export async function settleStack(target: ChangeSetTarget, live: Stack | undefined): Promise<SettledStack> {
  if (classifyStatus(live?.StackStatus) !== 'busy') return { stack: live };
  const waitedFor = live!.StackStatus;
  step(target, `waiting for the stack's ${waitedFor} to finish`);
  return { stack: await waitUntilSettled(target.cloudFormation, live!, target.waits, target.log), waitedFor };
}

/** A settled stack made ready for a change set. */
export interface ReadyStack {
  /** The stack a change set applies to (undefined: none, or deleted to be created again). */
  readonly stack: Stack | undefined;
  /** Its condition before anything was done about it. */
  readonly condition: StackCondition;
  /** UPDATE for a settled stack, CREATE otherwise (none, REVIEW_IN_PROGRESS, or a failed first create). */
  readonly type: ChangeSetType;
  /** A ROLLBACK_COMPLETE stack (a failed first create) was deleted to be created again. */
  readonly recreated: boolean;
}

/**
 * Recover: stops on a stack that needs a person, and (when `recreate`) deletes a failed first create
 * (ROLLBACK_COMPLETE) and waits until it is gone, so it can be created again. `nameStack` names the
 * stack in the message where nothing around it does.
 *
 * @throws Error naming the status and what to do when the stack needs a person.
 */
export async function readyStack(
  target: ChangeSetTarget, stack: Stack | undefined, options: { readonly recreate: boolean; readonly nameStack?: boolean },
): Promise<ReadyStack> {
  const condition = classifyStatus(stack?.StackStatus);
  if (condition === 'stuck') {
    throw new BatchformError('run-failed', `${options.nameStack ? target.stackName : 'the stack'} is ${stack!.StackStatus}${stack!.StackStatusReason ? ` (${stack!.StackStatusReason})` : ''}: ${stuckAdvice(target.stackName, stack!.StackStatus!)}`);
  }
  if (condition === 'failed-create' && options.recreate) {
    target.log(`${target.stackName}: ROLLBACK_COMPLETE (a failed first create); deleting it to create it again`);
    step(target, 'deleting the ROLLBACK_COMPLETE stack');
    await deleteStackAndWait(target.cloudFormation, stack!, target.waits, lifecycleToken(target, 'delete'), target.log);
    return { stack: undefined, condition, type: 'CREATE', recreated: true };
  }
  return { stack, condition, type: stack && condition === 'ready' ? 'UPDATE' : 'CREATE', recreated: false };
}

/** What the change set is made of. */
export interface ChangeSetRequest {
  /** From {@link readyStack}. */
  readonly ready: ReadyStack;
  readonly template: { readonly TemplateBody: string } | { readonly TemplateURL: string };
  readonly parameters: Readonly<Record<string, string>>;
  readonly capabilities: readonly Capability[];
  readonly tags: Readonly<Record<string, string>>;
  /** The role CloudFormation acts as. @default the caller's credentials */
  readonly roleArn?: string;
  readonly description: string;
}

/** What to do once the change set is computed. */
export interface ChangeSetPlan {
  /** Execute it and wait (deploy), or only read it (preview). */
  readonly execute: boolean;
  /**
   * Delete the empty REVIEW_IN_PROGRESS stack a CREATE change set made on no stack, when it is not
   * executed. A batch preview keeps it (the preview role may not delete stacks).
   */
  readonly deleteEmptyStack: boolean;
  /** Where notes go on what was left behind or kept. */
  readonly notes: string[];
  /** Where the discard records what it removed ("deleted change set X"), for a failure's message. @default not recorded */
  readonly cleanup?: string[];
  /** After "change set X failed: <reason>. ": what to fix. */
  readonly failedAdvice: string;
  /** Name the stack in that message too ("change set X of Y failed"), where nothing else around it does. @default false */
  readonly nameStack?: boolean;
  /** Told when the execution does not end well. */
  readonly executionAdvice: ExecutionAdvice;
  /**
   * Called with the computed changes before anything is executed; throwing stops the lifecycle
   * (nothing executed, the change set discarded).
   */
  readonly inspect?: (changes: readonly Change[]) => void;
  /** Called once the change set exists (CreateChangeSet answered). @default nothing */
  readonly onCreated?: () => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** How the change set ended. */
export interface ChangeSetEnd {
  /** `unchanged`: it had no changes; `described`: computed and kept as a preview; `executed`: executed and finished. */
  readonly ending: 'unchanged' | 'described' | 'executed';
  readonly type: ChangeSetType;
  /** Every change with property values (empty when unchanged). */
  readonly changes: readonly Change[];
  /** The stack's id, for reading it after the execution. */
  readonly stackId: string;
}

/**
 * Create, read, then execute or keep, and discard: creates the change set (with a client token),
 * waits for it to be computed and reads every change, then executes it and waits (`plan.execute`)
 * or leaves it described; a change set not executed is deleted, with the empty stack it made when
 * `plan.deleteEmptyStack`.
 *
 * @throws Error when the change set failed (with `plan.failedAdvice`), `ExecutionError` with the
 *   stack events when the execution failed, `UnreachableError` when AWS could not be reached.
 */
export async function throughChangeSet(target: ChangeSetTarget, request: ChangeSetRequest, plan: ChangeSetPlan): Promise<ChangeSetEnd> {
  const { cloudFormation: cfn, stackName, changeSetName } = target;
  const { stack, type } = request.ready;
  // A CREATE change set on a missing stack makes a REVIEW_IN_PROGRESS stack, which must go if the change set is not executed.
  const makesStack = !stack;
  target.log(`${stackName}: creating ${type} change set ${changeSetName}`);
  const created = await reaching(cfn, 'cloudformation', step(target, `creating change set ${changeSetName} of ${stackName} (CreateChangeSet)`),
    () => cfn.send(new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      ...request.template,
      Parameters: Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      Capabilities: [...request.capabilities],
      Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
      Description: request.description,
      ClientToken: lifecycleToken(target, 'create'),
    })));
  plan.onCreated?.();
  const stackId = created.StackId ?? stack?.StackId ?? stackName;

  let executed = false;
  try {
    step(target, `waiting for change set ${changeSetName} to be computed`);
    const described = await readChangeSet(cfn, target.waits, stackName, changeSetName, target.log);
    if (described.status === 'FAILED' && NO_CHANGES.test(described.reason)) {
      target.log(`${stackName}: unchanged (the change set has no changes)`);
      return { ending: 'unchanged', type, changes: [], stackId };
    }
    if (described.status !== 'CREATE_COMPLETE') {
      throw new BatchformError('run-failed', `change set ${changeSetName}${plan.nameStack ? ` of ${stackName}` : ''} ${described.status === 'FAILED' ? 'failed' : `ended ${described.status}`}: ` +
        `${described.reason || 'no reason given'}. ${plan.failedAdvice}`);
    }
    plan.inspect?.(described.changes);
    if (!plan.execute) return { ending: 'described', type, changes: described.changes, stackId };

    const token = lifecycleToken(target, 'execute');
    // Events are matched by token; the time (less a minute for clock skew) is the fallback.
    const since = new Date((plan.now ?? (() => new Date()))().getTime() - 60_000);
    try {
      await reaching(cfn, 'cloudformation', step(target, `executing change set ${changeSetName} of ${stackName} (ExecuteChangeSet)`),
        () => cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName, ClientRequestToken: token })));
    } catch (e) {
      if (isChangeSetNotFound(e)) throw new ChangeSetGoneError(stackName, changeSetName, 'about to execute it', e);
      throw e;
    }
    executed = true;
    step(target, `waiting for the ${type === 'CREATE' ? 'create' : 'update'} of the stack (change set ${changeSetName})`);
    target.log(`${stackName}: executing change set ${changeSetName}`);
    await waitForExecution(cfn, target.waits, { stackName, stackId, type, token, since }, plan.executionAdvice, target.log);
    return { ending: 'executed', type, changes: described.changes, stackId };
  } finally {
    if (!executed) await discardChangeSet(target, makesStack && plan.deleteEmptyStack, makesStack, plan.notes, plan.cleanup);
  }
}

/**
 * Discard: deletes the change set, and (`deleteStack`) the REVIEW_IN_PROGRESS stack it made; each
 * step on its own, so a note names exactly what was left behind.
 */
async function discardChangeSet(
  target: ChangeSetTarget, deleteStack: boolean, madeStack: boolean, notes: string[], cleanup: string[] = [],
): Promise<void> {
  const { cloudFormation: cfn, stackName, changeSetName } = target;
  const attempt = async (what: string, how: string, call: () => Promise<unknown>): Promise<boolean | 'not-found'> => {
    try {
      await reaching(cfn, 'cloudformation', `deleting ${what}`, call);
      cleanup.push(`deleted ${what}`);
      return true;
    } catch (e) {
      if (isChangeSetNotFound(e)) return 'not-found';
      notes.push(`Could not delete ${what} (${describeError(e)}); delete it by hand: ${how}.`);
      return false;
    }
  };
  const changeSetGone = await attempt(`change set ${changeSetName} of ${stackName}`,
    `aws cloudformation delete-change-set --stack-name ${stackName} --change-set-name ${changeSetName}`,
    () => cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })));
  if (changeSetGone === 'not-found') {
    // Someone else removed it (another run executed its change set): the stack may now be that run's; leave it be.
    if (madeStack) notes.push(`Change set ${changeSetName} was already gone, so the stack ${stackName} was left as it is (another run may have created it).`);
    return;
  }
  if (deleteStack) {
    // Deleting the REVIEW_IN_PROGRESS stack removes its change sets too.
    await attempt(`the empty REVIEW_IN_PROGRESS stack ${stackName}`, `aws cloudformation delete-stack --stack-name ${stackName}`,
      () => cfn.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: lifecycleToken(target, 'discard') })));
  } else if (madeStack && changeSetGone) {
    notes.push('CloudFormation keeps the new stack as an empty REVIEW_IN_PROGRESS stack (no resources) until the first deploy creates it.');
  }
}
