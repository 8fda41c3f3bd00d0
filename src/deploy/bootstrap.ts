// Previews or deploys one stage's bootstrap stack through a change set: finds the account's GitHub OIDC provider, waits, reads the outputs.
import { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { compactTemplate } from './change-set';
import { ChangeSetTarget, readyStack, settleStack, throughChangeSet } from './change-set-lifecycle';
import { ExecutionError } from './change-set-steps';
import { resourceChanges } from './changes';
import { MAX_INLINE_TEMPLATE_BYTES } from './inputs';
import type { ResourceChange } from './result';
import { changeSetName } from './revision';
import { describeError, reaching } from '../aws/faults';
import { describeStack } from '../aws/stack-state';
import { DeployWaits, resolveWaits } from '../aws/waits';
import { BatchformError, errorKindOf } from '../errors/batchform-error';
import type { ManifestStage } from '../manifest/manifest';
import { BOOTSTRAP_OUTPUTS, BOOTSTRAP_PARAMETERS, bootstrapStackName, GITHUB_OIDC_HOST, STAGE_TAG } from '../model/bootstrap-names';

/** The clients a bootstrap uses. */
export interface BootstrapClients {
  readonly cloudFormation: CloudFormationClient;
  /** Lists the account's OIDC providers (an account has at most one per issuer). */
  readonly iam: IAMClient;
}

/** Options of {@link bootstrapStage}. */
export interface BootstrapStageOptions {
  readonly clients: BootstrapClients;
  /** The bootstrap template as generated (`cfn-out/bootstrap.template.json`). */
  readonly templateBody: string;
  /** Only create, describe and delete the change set. */
  readonly preview: boolean;
  /**
   * More parameter values (`GitHubOwnerId`, `GitHubRepositoryId`, `DeployBranch`, ...); they win over the stage's.
   * @default {}
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /** @default DEFAULT_WAITS */
  readonly waits?: DeployWaits;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Makes this run's change-set name unique (see `DeployStageOptions.runId`).
   * @default 6 random hex digits
   */
  readonly runId?: string;
  /** @default no output */
  readonly log?: (message: string) => void;
}

/**
 * A failed bootstrap, saying the step it failed in, AWS's error code (when AWS answered) and what
 * the run cleaned up (or left behind).
 */
export class BootstrapError extends BatchformError {
  constructor(
    readonly stackName: string,
    readonly step: string,
    readonly cleanup: readonly string[],
    readonly leftBehind: readonly string[],
    cause: unknown,
  ) {
    const code = awsErrorCode(cause);
    const done = cleanup.length ? `Cleanup: ${cleanup.join('; ')}.` : 'Cleanup: nothing to clean up (no change set of this run was left).';
    const left = leftBehind.length ? ` ${leftBehind.join(' ')}` : '';
    super(errorKindOf(cause) ?? 'run-failed',
      `bootstrap of ${stackName} failed while ${step}${code ? ` (AWS error code ${code})` : ''}: ${describeError(cause)} ${done}${left}`,
      { cause });
    this.name = 'BootstrapError';
  }
}

/** AWS's error code of an answer (`AccessDenied`, `AlreadyExistsException`), or undefined when AWS did not answer. */
function awsErrorCode(e: unknown): string | undefined {
  if (BatchformError.is(e) && !(e as { cause?: unknown }).cause) return undefined;
  type AwsAnswer = { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const err = (BatchformError.is(e) ? (e as { cause?: unknown }).cause : e) as AwsAnswer | undefined;
  return typeof err?.$metadata?.httpStatusCode === 'number' ? err.Code ?? err.name : undefined;
}

/** What a bootstrap run found and did. */
export interface BootstrapResult {
  readonly stackName: string;
  readonly outcome: 'unchanged' | 'created' | 'updated' | 'will-create' | 'will-update';
  readonly changeSetName: string;
  readonly changes: readonly ResourceChange[];
  /** The stack's outputs after the run (empty for a preview of a new stack). */
  readonly outputs: Readonly<Record<string, string>>;
  /** The existing GitHub OIDC provider passed to the template, when the account has one this stack does not own. */
  readonly existingProviderArn?: string;
  readonly notes: readonly string[];
}


function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries((stack?.Outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey!, o.OutputValue ?? '']));
}

/**
 * The account's GitHub OIDC provider to reuse, or undefined to let the stack create (or keep) its own.
 * A stack that created the provider keeps it: passing its ARN back would delete it.
 */
async function existingProvider(iam: IAMClient, live: Stack | undefined): Promise<string | undefined> {
  if (outputsOf(live)[BOOTSTRAP_OUTPUTS.providerArn]) return undefined;
  const out = await reaching(iam, 'iam', 'looking for the account\'s GitHub OIDC provider (iam:ListOpenIDConnectProviders)',
    () => iam.send(new ListOpenIDConnectProvidersCommand({})));
  return (out.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? '').find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
}

/**
 * Previews or deploys the bootstrap stack of `stage` (`batchform-bootstrap-<stage>`): settles an
 * interrupted earlier run, finds an existing GitHub OIDC provider, creates one change set with the
 * stage's values, describes it, then deletes it (preview) or executes it and waits: the same
 * change-set lifecycle as the batch stacks (change-set-lifecycle.ts), client tokens included.
 *
 * @throws Error saying what failed and what to do; {@link ExecutionError} with the stack
 *   events when the execution failed; `UnreachableError` when AWS could not be reached.
 */
export async function bootstrapStage(stage: ManifestStage, options: BootstrapStageOptions): Promise<BootstrapResult> {
  const cfn = options.clients.cloudFormation;
  const waits = resolveWaits(options.waits);
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const stackName = bootstrapStackName(stage);
  const name = changeSetName('bootstrap', now(), options.runId);
  const notes: string[] = [];
  const cleanup: string[] = [];
  let current = 'starting';

  const body = compactTemplate(options.templateBody);
  if (Buffer.byteLength(body) > MAX_INLINE_TEMPLATE_BYTES) {
    throw new Error(`the bootstrap template is ${Buffer.byteLength(body)} bytes, over CloudFormation's ${MAX_INLINE_TEMPLATE_BYTES}-byte inline limit; it cannot be sent before its bucket exists.`);
  }

  const target: ChangeSetTarget = { cloudFormation: cfn, waits, stackName, changeSetName: name, log, onStep: (step) => { current = step; } };
  try {
    return await bootstrapThrough(stage, options, { cfn, stackName, name, notes, cleanup, target, body, now });
  } catch (e) {
    if (e instanceof ExecutionError) throw e;
    throw new BootstrapError(stackName, current, cleanup, notes.filter((n) => /by hand|left/.test(n)), e);
  }
}

interface BootstrapRun {
  readonly cfn: BootstrapClients['cloudFormation'];
  readonly stackName: string;
  readonly name: string;
  readonly notes: string[];
  readonly cleanup: string[];
  readonly target: ChangeSetTarget;
  readonly body: string;
  readonly now: () => Date;
}

async function bootstrapThrough(stage: ManifestStage, options: BootstrapStageOptions, run: BootstrapRun): Promise<BootstrapResult> {
  const { cfn, stackName, name, notes, cleanup, target, body, now } = run;
  target.onStep?.(`reading stack ${stackName} (DescribeStacks)`);
  const settled = await settleStack(target, await describeStack(cfn, stackName));
  const ready = await readyStack(target, settled.stack, { recreate: !options.preview, nameStack: true });
  if (ready.recreated) notes.push(`${stackName} was ROLLBACK_COMPLETE (its first create failed); deleted it and created it again.`);
  const live = ready.stack;

  target.onStep?.('looking for the account\'s GitHub OIDC provider (iam:ListOpenIDConnectProviders)');
  const providerArn = await existingProvider(options.clients.iam, live);
  if (providerArn) notes.push(`The account already has a GitHub OIDC provider (${providerArn}); the stack uses it instead of creating one.`);
  const parameters: Record<string, string> = {
    [BOOTSTRAP_PARAMETERS.stackPrefix]: stage.stackPrefix ?? stage.name,
    [BOOTSTRAP_PARAMETERS.stageName]: stage.name,
    [BOOTSTRAP_PARAMETERS.environment]: stage.githubEnvironment,
    // Always passed, so removing the last role from the stage removes it from the boundary too.
    [BOOTSTRAP_PARAMETERS.assumableRoles]: (stage.assumableRoleArns ?? []).join(','),
    // Always passed too, so emptying the list removes the operator role.
    [BOOTSTRAP_PARAMETERS.operatorPrincipals]: (stage.operatorPrincipals ?? []).join(','),
    [BOOTSTRAP_PARAMETERS.bucketName]: stage.artifactBucket,
    [BOOTSTRAP_PARAMETERS.artifactPrefix]: stage.artifactPrefix,
    [BOOTSTRAP_PARAMETERS.existingProvider]: providerArn ?? '',
    // Always passed, so turning drift detection off removes the preview role's resource reads.
    [BOOTSTRAP_PARAMETERS.driftDetection]: stage.driftDetection === false ? 'false' : 'true',
    ...options.parameters,
  };

  const end = await throughChangeSet(target, {
    ready,
    template: { TemplateBody: body },
    parameters,
    capabilities: ['CAPABILITY_NAMED_IAM'],
    tags: { [STAGE_TAG]: stage.name },
    description: `batchform bootstrap of stage ${stage.name}`,
  }, {
    execute: !options.preview,
    // The administrator running the bootstrap may delete the empty stack a preview made.
    deleteEmptyStack: true,
    notes,
    cleanup,
    failedAdvice: 'Fix what it names (a parameter passed as Name=value, or the bucket name if it is taken), and run again.',
    nameStack: true,
    executionAdvice: {
      stillRunning: 'Run the bootstrap again once it has settled.',
      failed: () => 'its events below say why. Fix the cause and run the bootstrap again.',
    },
    now,
  });
  const result = (outcome: BootstrapResult['outcome'], stack: Stack | undefined): BootstrapResult => ({
    stackName,
    outcome,
    changeSetName: name,
    changes: resourceChanges(end.changes),
    outputs: outputsOf(stack),
    existingProviderArn: providerArn,
    notes,
  });
  if (end.ending === 'unchanged') return result('unchanged', live);
  if (end.ending === 'described') return result(end.type === 'CREATE' ? 'will-create' : 'will-update', live);
  return result(end.type === 'CREATE' ? 'created' : 'updated', await describeStack(cfn, end.stackId));
}

/** The stage options to paste into `.projenrc.ts`, from the bootstrap stack's outputs. */
export function stageOptionsFromOutputs(outputs: Readonly<Record<string, string>>): Record<string, string> {
  const pick: Array<[string, string]> = [
    ['artifactBucket', BOOTSTRAP_OUTPUTS.bucketName],
    ['deployRoleArn', BOOTSTRAP_OUTPUTS.deployRoleArn],
    ['previewRoleArn', BOOTSTRAP_OUTPUTS.previewRoleArn],
    ['executionRoleArn', BOOTSTRAP_OUTPUTS.executionRoleArn],
    ['permissionsBoundaryArn', BOOTSTRAP_OUTPUTS.permissionsBoundaryArn],
  ];
  return Object.fromEntries(pick.filter(([, key]) => outputs[key]).map(([option, key]) => [option, outputs[key]]));
}
