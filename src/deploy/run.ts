// Previews or deploys every stack of one stage: one DescribeStacks for all, then each stack's state machine in a bounded pool, then the stacks of removed batches.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { checkAccountConcurrency, checkArtifactBucket } from './account';
import { withAlarmMoveNotes } from './alarm-move';
import { fingerprintMatches, runStack, StackRunContext } from './change-set';
import { DEFAULT_CONCURRENCY } from './defaults';
import { DriftDetectionOptions, realSleep, resolveDriftDetection, Sleep } from './drift';
import type { DeployInputs } from './inputs';
import { deleteRemoved, pendingRemoval, refusedRemoval } from './removals';
import type { DeployMode, StackResult, StageResult } from './result';
import { changeSetName } from './revision';
import { describeError, UnreachableError } from '../aws/faults';
import { checkConcurrency, mapWithConcurrency } from '../aws/pool';
import type { DeployClients } from '../aws/sdk-clients';
import { describeAllStacks } from '../aws/stack-state';
import { removalAllowance, stageIdentity, undeclaredStacks } from '../aws/undeclared';
import { DeployWaits, resolveWaits } from '../aws/waits';
import { BatchformError, errorKindOf } from '../errors/batchform-error';

export { DEFAULT_CONCURRENCY } from './defaults';

/** Options of {@link deployStage}. */
export interface DeployStageOptions {
  /** `preview` creates, describes and deletes change sets and writes nothing to S3; `deploy` uploads and executes. */
  readonly mode: DeployMode;
  /** Clients for the stage's region (see `createDeployClients`); mocks in tests. */
  readonly clients: DeployClients;
  /**
   * How many stacks are previewed or deployed at once; one stack's failure does not stop the others.
   * @default 8 (DEFAULT_CONCURRENCY)
   */
  readonly concurrency?: number;
  /**
   * The short commit id change sets are named after (see `shortRevision`).
   * @default "local"
   */
  readonly revision?: string;
  /**
   * Makes this run's change-set names unique, so two runs started in the same second never
   * collide: letters and digits, up to 32 (others are dropped).
   * @default 6 random hex digits (newRunId)
   * @example process.env.GITHUB_RUN_ID
   */
  readonly runId?: string;
  /**
   * The clock: names change sets, dates next run times, bounds the events read after a failure.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /**
   * Polling bounds of the SDK waiters, in seconds.
   * @default see DEFAULT_WAITS
   */
  readonly waits?: DeployWaits;
  /**
   * Progress lines as they happen (the final report is separate).
   * @default no output
   */
  readonly log?: (message: string) => void;
  /**
   * Create a change set even for stacks whose fingerprint matches (e.g. to undo drift from console edits).
   * @default false
   */
  readonly force?: boolean;
  /**
   * Resource types a deploy must not replace (nor possibly replace): a stack whose change set would
   * is failed before execution and its change set deleted; the others go on. Preview only reports
   * replacements. Types as CloudFormation names them.
   * @default [] (replacements are allowed)
   * @example ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] // keep log history and queued runs
   */
  readonly refuseReplacement?: readonly string[];
  /**
   * Let a deploy delete the stacks of this project and stage that the manifest no longer declares
   * (batches removed from, or renamed in, `.projenrc.ts`): after every declared stack succeeded,
   * each is deleted and waited for. Without it, a deploy that finds such a stack deploys nothing
   * and throws a `bad-input` BatchformError naming them. A preview always lists them as
   * `will-delete`. Only stacks whose name starts with the stage's stack prefix and whose
   * `batchform:project` and `batchform:stage` tags are this manifest's project and stage qualify.
   * @default false
   * @example true // the merged pull request carried the batchform:allow-removal label
   */
  readonly allowRemoval?: boolean;
  /**
   * Drift detection before a preview: each changed stack that exists is asked whether its
   * resources were changed outside CloudFormation (which the deploy would overwrite), within a
   * time budget; a timeout or fault is reported, never fails the preview. `false` turns it off.
   * A deploy never detects drift (its role has no read rights on the stage's resources).
   * @default on for a preview, unless the stage turned it off (`driftDetection: false` in the
   *   manifest); { maxWaitTime: 60, pollInterval: 3 }
   * @example { maxWaitTime: 120 } // stacks with many resources
   */
  readonly drift?: DriftDetectionOptions | false;
  /**
   * Check, before any change set, that the stacks about to be created can reserve their functions'
   * Lambda concurrency (one lambda:GetAccountSettings call). `false` skips it: for credentials
   * without that permission, or an endpoint without Lambda's API; CloudFormation then fails a
   * create that cannot reserve its concurrency, deep inside the stack.
   * @default true
   * @example false // CLI: --no-concurrency-check
   */
  readonly concurrencyCheck?: boolean;
  /**
   * How the engine pauses between drift-detection polls, in seconds.
   * @default setTimeout
   */
  readonly sleep?: Sleep;
}

/**
 * Previews or deploys every stack of `inputs.stage`.
 *
 * One paginated DescribeStacks (no stack name) reads every live stack of the region; stacks whose
 * fingerprint tag equals the new fingerprint are `unchanged` with no further call. The others run
 * through `runStack` at most `concurrency` at a time; each stack's fault is its own `failed`
 * result. Throttling is retried inside the SDK clients (adaptive retry mode), not here.
 *
 * @throws Error only when the stacks cannot be listed at all (credentials, permissions, region).
 * @example
 * const inputs = loadDeployInputs({ stage: 'prod' });
 * const result = await deployStage(inputs, { mode: 'preview', clients: createDeployClients(inputs.stage.region) });
 * console.log(renderTextReport(result));
 */
export async function deployStage(inputs: DeployInputs, options: DeployStageOptions): Promise<StageResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  // Before any AWS call, not only when the pool starts.
  checkConcurrency(concurrency);
  const now = options.now ?? (() => new Date());
  const revision = options.revision ?? 'local';
  const stage = inputs.stage;
  const startedAt = now();
  const ctx: StackRunContext = {
    cloudFormation: options.clients.cloudFormation,
    s3: options.clients.s3,
    mode: options.mode,
    stage,
    changeSetName: changeSetName(revision, startedAt, options.runId),
    startedAt,
    revision,
    waits: resolveWaits(options.waits),
    now,
    log: options.log ?? (() => undefined),
    force: options.force ?? false,
    refuseReplacement: new Set(options.refuseReplacement ?? []),
    cloudWatch: options.mode === 'preview' ? options.clients.cloudWatch : undefined,
    drift: options.mode === 'preview' && options.drift !== false && stage.driftDetection !== false
      ? {
        cloudFormation: options.clients.cloudFormation,
        timing: resolveDriftDetection(options.drift),
        sleep: options.sleep ?? realSleep,
        now,
        stageName: stage.name,
      }
      : undefined,
  };

  const identity = inputs.project === undefined ? undefined : stageIdentity(stage, inputs.project);
  let live: Map<string, Stack>;
  try {
    // With a project identity even a stage with no stack is listed: its last batch may have been removed.
    live = inputs.stacks.length || inputs.stageStack || identity ? await describeAllStacks(ctx.cloudFormation) : new Map();
  } catch (e) {
    if (e instanceof UnreachableError) throw new BatchformError('unreachable', `stage "${stage.name}": ${e.message}`, { cause: e, where: { stage: stage.name } });
    const err = e as { name?: string; message?: string };
    const throttled = /Throttl|RateExceeded|TooManyRequests/i.test(err.name ?? '');
    const hint = throttled
      ? 'AWS kept throttling after the SDK\'s retries; run again later, or with a lower --concurrency.'
      : 'Check the AWS credentials (the SDK\'s default chain: environment, profile, GitHub OIDC via aws-actions/configure-aws-credentials) ' +
        'and that the role may call cloudformation:DescribeStacks.';
    throw new BatchformError(
      errorKindOf(e) ?? 'aws',
      `stage "${stage.name}": could not list the CloudFormation stacks of account ${stage.account}, region ${stage.region} ` +
        `(${describeError(e)}). ${hint}`,
      { cause: e, where: { stage: stage.name } },
    );
  }

  const removed = identity ? undeclaredStacks(live.values(), identity) : [];
  // Before any write: deploying the rest alone would leave a renamed batch running under both names.
  if (options.mode === 'deploy' && removed.length && !options.allowRemoval) throw refusedRemoval(stage.name, removed);

  // Only when some stack needs a change set: a no-op deploy stays at one DescribeStacks.
  const changing = inputs.stacks.filter((p) => ctx.force || !fingerprintMatches(live.get(p.stack.stackName), p));
  const stageChanging = inputs.stageStack && (ctx.force || !fingerprintMatches(live.get(inputs.stageStack.stack.stackName), inputs.stageStack));
  if (changing.length || stageChanging) await checkArtifactBucket(ctx.s3, stage);
  if (changing.length) {
    if (options.concurrencyCheck === false) ctx.log('skipping the account\'s Lambda concurrency check (concurrencyCheck: false)');
    else await checkAccountConcurrency(options.clients.lambda, stage, changing, live);
  }

  // The stage stack first, on its own: the batch stacks' alarms notify its topic, so it must
  // exist (and be up to date) before any batch stack is changed to use it.
  const stageStack = inputs.stageStack && await runStack(ctx, inputs.stageStack, live.get(inputs.stageStack.stack.stackName));
  let batchStacks: StackResult[];
  if (stageStack?.outcome === 'failed' && options.mode === 'deploy') {
    batchStacks = inputs.stacks.map((p) => notRunAfterStageStack(p.stack.stackName, p.stack.batch, stageStack.stackName));
  } else {
    batchStacks = await mapWithConcurrency(inputs.stacks, concurrency, (p) => runStack(ctx, p, live.get(p.stack.stackName)));
  }
  batchStacks = withAlarmMoveNotes(batchStacks, inputs.stacks, inputs.stageStack?.stack.stackName, options.mode === 'deploy');
  const declared = stageStack ? [stageStack, ...batchStacks] : batchStacks;
  const failed = declared.filter((s) => s.outcome === 'failed').map((s) => s.stackName);
  const removals = await mapWithConcurrency(removed, concurrency, (stack) => {
    if (options.mode === 'preview') {
      return pendingRemoval(ctx.cloudFormation, stack, [`A deploy deletes it only when allowed: ${removalAllowance(stage.name)}.`]);
    }
    // A failed creation must not leave a renamed batch under neither name: the old stack stays.
    if (failed.length) {
      return pendingRemoval(ctx.cloudFormation, stack, [`Not deleted: ${failed.join(', ')} failed, so this deploy deletes nothing; the next successful deploy deletes it.`]);
    }
    return deleteRemoved(ctx, stack);
  });
  const stacks = [...declared, ...removals];
  return {
    mode: options.mode,
    stage: stage.name,
    account: stage.account,
    region: stage.region,
    revision,
    changeSetName: ctx.changeSetName,
    stacks,
    ok: stacks.every((s) => s.outcome !== 'failed'),
  };
}

/** A batch stack a deploy did not touch because the stage stack, which it depends on, failed. */
function notRunAfterStageStack(stackName: string, batch: string, stageStackName: string): StackResult {
  return {
    stackName,
    batch,
    outcome: 'failed',
    notes: [],
    errorKind: 'run-failed',
    error: `not deployed: the stage stack ${stageStackName}, which this stack's alarms depend on, failed (see it above); nothing was sent to CloudFormation for this stack. Fix the stage stack's failure and deploy again.`,
  };
}
