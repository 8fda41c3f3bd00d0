// Which live stacks belong to a project's stage but are no longer declared: the stacks of removed (or renamed) batches.
import { CloudFormationClient, paginateListStacks, Stack, StackStatus } from '@aws-sdk/client-cloudformation';
import { reaching } from './faults';
import { mapWithConcurrency } from './pool';
import { describeStack, stackTag } from './stack-state';
import type { ManifestStage } from '../manifest/manifest';
import { BATCH_TAG, PROJECT_TAG, STAGE_TAG } from '../model/bootstrap-names';
import { stackPrefixOf } from '../model/names';

/** Whose stacks to look for: one project's stage. */
export interface StageIdentity {
  /** The project's identity (the manifest's `project`): the `batchform:project` tag. */
  readonly project: string;
  /** The stage's name: the `batchform:stage` tag. */
  readonly stage: string;
  /** The stage's stack prefix: every batch stack is named `<stackPrefix>-<batch>`. */
  readonly stackPrefix: string;
  /** The stack names the manifest declares for the stage. */
  readonly declared: ReadonlySet<string>;
}

/** The identity of `project`'s stage `stage`, with every stack the manifest declares for it (the stage stack too). */
export function stageIdentity(stage: ManifestStage, project: string): StageIdentity {
  return {
    project,
    stage: stage.name,
    stackPrefix: stackPrefixOf(stage),
    declared: new Set([...stage.stacks.map((s) => s.stackName), ...(stage.stageStack ? [stage.stageStack.stackName] : [])]),
  };
}

/** How a deploy of `stage` is allowed to delete the stacks of removed batches, for messages. */
export function removalAllowance(stage: string): string {
  return 'the pull request that removed the batch carries the label batchform:allow-removal (allowRemovalLabel) when merged, ' +
    `or "npx projen deploy --stage ${stage} --allow-removal" is run (docs/guides/remove-rename-rollback.md)`;
}

/**
 * Whether a live stack is a batch stack of this project and stage that the manifest no longer
 * declares. All of these must hold, so a stack of another project or stage, one made by hand with
 * the same prefix, or one deployed before stacks carried the project tag is never taken:
 * its name starts with `<stackPrefix>-`; its `batchform:project` and `batchform:stage` tags are
 * this project's and stage's; it has a `batchform:batch` tag; it is not declared; it is neither
 * deleted nor `REVIEW_IN_PROGRESS`. The last is the empty stack a preview leaves for a batch a pull
 * request adds: it holds no resource and runs nothing, and a pull request still open (or one
 * that renamed the batch before merging) must not make the next deploy ask to delete it.
 */
function isUndeclared(stack: Stack, id: StageIdentity): boolean {
  const name = stack.StackName ?? '';
  return name.startsWith(`${id.stackPrefix}-`)
    && !id.declared.has(name)
    && stack.StackStatus !== 'DELETE_COMPLETE'
    && stack.StackStatus !== 'REVIEW_IN_PROGRESS'
    && stackTag(stack, PROJECT_TAG) === id.project
    && stackTag(stack, STAGE_TAG) === id.stage
    && stackTag(stack, BATCH_TAG) !== undefined;
}

/** The undeclared stacks of this project and stage among stacks already read (a whole-region DescribeStacks), by name. */
export function undeclaredStacks(live: Iterable<Stack>, id: StageIdentity): Stack[] {
  return [...live].filter((s) => isUndeclared(s, id)).sort((a, b) => (a.StackName ?? '').localeCompare(b.StackName ?? ''));
}

/** The batch an undeclared stack ran (its `batchform:batch` tag). */
export function batchOfStack(stack: Stack): string {
  return stackTag(stack, BATCH_TAG) ?? stack.StackName ?? '?';
}

/** Every status but DELETE_COMPLETE and REVIEW_IN_PROGRESS: what ListStacks should return. */
const LIVE_STATUSES = Object.values(StackStatus).filter((s) => s !== 'DELETE_COMPLETE' && s !== 'REVIEW_IN_PROGRESS');

/**
 * The undeclared stacks of this project and stage, for a role that may not read every stack of the
 * region: ListStacks (names and statuses, IAM authorizes it only on "*") finds the stack names with
 * the stage's prefix that are not declared, and DescribeStacks reads the tags of those only.
 */
export async function findUndeclaredStacks(cfn: CloudFormationClient, id: StageIdentity): Promise<Stack[]> {
  const names = new Set<string>();
  await reaching(cfn, 'cloudformation', 'listing the stacks (ListStacks)', async () => {
    for await (const page of paginateListStacks({ client: cfn }, { StackStatusFilter: LIVE_STATUSES })) {
      for (const s of page.StackSummaries ?? []) {
        const name = s.StackName ?? '';
        if (name.startsWith(`${id.stackPrefix}-`) && !id.declared.has(name)) names.add(name);
      }
    }
  });
  const stacks = await mapWithConcurrency([...names], 4, (name) => describeStack(cfn, name));
  return undeclaredStacks(stacks.filter((s): s is Stack => s !== undefined), id);
}
