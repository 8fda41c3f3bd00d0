// The per-stack state machine: settle or recover the live stack, place the artifacts, then create, describe and execute (or discard) one change set.
import * as fs from 'fs';
import {
  ChangeSetType,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '../hash';
import { ExecutionError, NO_CHANGES, readChangeSet, waitForExecution } from './change-set-steps';
import { findScheduleChange, resourceChanges, runsIn, scheduleChange } from './changes';
import { DriftContext, detectStackDrift } from './drift';
import { FINGERPRINT_TAG } from './fingerprint';
import { MAX_INLINE_TEMPLATE_BYTES, PreparedStack } from './inputs';
import type { CodeState, DeployMode, ResourceChange, ScheduleChange, StackDrift, StackOutcome, StackResult } from './result';
import { Artifact, ensureArtifact, PlacedArtifact } from './upload';
import { describeError, isNetworkError, reaching, UnreachableError, endpointOf } from '../aws/faults';
import { classifyStatus, deleteStackAndWait, stackTag, stuckAdvice, waitUntilSettled } from '../aws/stack-state';
import { ResolvedWaits } from '../aws/waits';
import { previewAreaPrefix } from '../bootstrap/naming';
import type { ManifestStage } from '../manifest/manifest';

/** Everything one stack's run needs besides the stack itself. */
export interface StackRunContext {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly mode: DeployMode;
  readonly stage: ManifestStage;
  /** Shared by every stack of the run; names the commit (see `changeSetName`). */
  readonly changeSetName: string;
  readonly revision: string;
  readonly waits: ResolvedWaits;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** Create a change set even when the fingerprint matches. */
  readonly force: boolean;
  /** Resource types a deploy must not replace (see `DeployStageOptions.refuseReplacement`). */
  readonly refuseReplacement: ReadonlySet<string>;
  /** Drift detection of existing stacks before a preview; undefined: off. */
  readonly drift?: DriftContext;
  /** When the run started: names the change sets and dates every listed next run alike. */
  readonly startedAt: Date;
}

/** The IAM capabilities every batch stack needs (it creates the function's role). */
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;

/** What is known about a stack so far; becomes its {@link StackResult}. */
interface Draft {
  notes: string[];
  changeSetName?: string;
  changes?: ResourceChange[];
  schedule?: ScheduleChange;
  code?: CodeState;
  /** The S3 version of the code zip that was checked or uploaded (versioned buckets). */
  codeVersion?: string;
  unchangedBy?: 'fingerprint' | 'change-set';
  /** The stack's drift detection, running beside the change set (it never rejects). */
  drift?: Promise<StackDrift>;
  /** What the run is doing now, for a fault's message ("creating change set X"). */
  step: string;
}

/**
 * Previews or deploys one stack, never throwing: any fault becomes a `failed` result whose
 * `error` says what happened and what to do.
 *
 * @param live the stack as the run's one DescribeStacks saw it (undefined: it does not exist).
 */
export async function runStack(ctx: StackRunContext, prepared: PreparedStack, live: Stack | undefined): Promise<StackResult> {
  const draft: Draft = { notes: [], step: 'starting' };
  const result = async (outcome: StackOutcome, extra: Partial<StackResult> = {}): Promise<StackResult> => ({
    stackName: prepared.stack.stackName,
    batch: prepared.stack.batch,
    outcome,
    runsIn: prepared.batch && runsIn(prepared.batch),
    stageValues: prepared.stageValues,
    notes: draft.notes,
    changeSetName: draft.changeSetName,
    changes: draft.changes,
    schedule: draft.schedule,
    code: draft.code,
    unchangedBy: draft.unchangedBy,
    ...(draft.drift ? { drift: await draft.drift } : {}),
    ...extra,
  });
  try {
    return await result(await runMachine(ctx, prepared, live, draft));
  } catch (e) {
    const events = e instanceof ExecutionError ? e.events : undefined;
    // Only AWS's own answers get "AWS <Code>" in front; a request that never got one says so, with the step.
    const error = isNetworkError(e) && !(e instanceof UnreachableError)
      ? new UnreachableError(await endpointOf(ctx.cloudFormation, 'cloudformation'), draft.step, e).message
      : describeError(e);
    ctx.log(`${prepared.stack.stackName}: failed: ${error}`);
    for (const ev of events ?? []) ctx.log(`  ${ev.timestamp.toISOString()} ${ev.logicalId} (${ev.type}) ${ev.status}: ${ev.reason}`);
    return result('failed', { error, events });
  }
}

/** Whether the live stack is settled and carries this fingerprint: nothing to do. */
export function fingerprintMatches(stack: Stack | undefined, prepared: PreparedStack): boolean {
  return classifyStatus(stack?.StackStatus) === 'ready' && stackTag(stack, FINGERPRINT_TAG) === prepared.fingerprint;
}

/** How many next run times a report lists for a new or changed schedule. */
const NEXT_RUN_COUNT = 3;

/** A client token unique to this run, stack and step, so SDK retries of one request stay one request. */
function clientToken(ctx: StackRunContext, stackName: string, step: string): string {
  return `${step}-${sha256Hex(`${ctx.changeSetName}/${stackName}`).slice(0, 40)}`;
}

async function runMachine(ctx: StackRunContext, p: PreparedStack, live: Stack | undefined, draft: Draft): Promise<StackOutcome> {
  const name = p.stack.stackName;
  const cfn = ctx.cloudFormation;
  let stack = live;

  if (classifyStatus(stack?.StackStatus) === 'busy') {
    const before = stack!.StackStatus;
    draft.step = `waiting for the stack's ${before} to finish`;
    stack = await waitUntilSettled(cfn, stack!, ctx.waits, ctx.log);
    draft.notes.push(`Waited for the stack's ${before} (an earlier or concurrent run) to finish; it is now ${stack?.StackStatus ?? 'gone'}.`);
  }
  if (!ctx.force && fingerprintMatches(stack, p)) {
    draft.unchangedBy = 'fingerprint';
    ctx.log(`${name}: unchanged (fingerprint matches)`);
    return 'unchanged';
  }
  const condition = classifyStatus(stack?.StackStatus);
  if (condition === 'stuck') {
    throw new Error(`the stack is ${stack!.StackStatus}${stack!.StackStatusReason ? ` (${stack!.StackStatusReason})` : ''}: ${stuckAdvice(name, stack!.StackStatus!)}`);
  }
  if (condition === 'failed-create') {
    if (ctx.mode === 'preview') {
      draft.notes.push('The stack is ROLLBACK_COMPLETE (its first create failed), so no change set can be made for it; deploy will delete it and create it again.');
      draft.schedule = p.batch && scheduleChange(p.batch, { now: ctx.startedAt, count: NEXT_RUN_COUNT });
      return 'will-create';
    }
    ctx.log(`${name}: ROLLBACK_COMPLETE (a failed first create); deleting it to create it again`);
    draft.step = 'deleting the ROLLBACK_COMPLETE stack';
    await deleteStackAndWait(cfn, stack!, ctx.waits, clientToken(ctx, name, 'delete'));
    draft.notes.push('The stack was ROLLBACK_COMPLETE (its first create failed); deleted it and created it again.');
    stack = undefined;
  }
  if (condition === 'review') {
    draft.notes.push('The stack was REVIEW_IN_PROGRESS (a change set of an earlier run was never executed); this run creates it.');
  }

  // Only a settled stack that exists can drift; its detection runs while the change set is made.
  if (ctx.drift && stack && condition === 'ready') {
    ctx.log(`${name}: detecting drift (up to ${ctx.drift.timing.maxWaitTime} s)`);
    draft.drift = detectStackDrift(ctx.drift, name, p.secrets);
  }
  await placeCode(ctx, p, draft);
  const template = await templateSource(ctx, p, draft);

  const type: ChangeSetType = stack && condition === 'ready' ? 'UPDATE' : 'CREATE';
  // A CREATE change set on a missing stack makes a REVIEW_IN_PROGRESS stack, which must go if the change set is not executed.
  const makesStack = !stack;
  ctx.log(`${name}: creating ${type} change set ${ctx.changeSetName}`);
  draft.step = `creating change set ${ctx.changeSetName} (CreateChangeSet)`;
  const created = await reaching(cfn, 'cloudformation', draft.step, () => cfn.send(new CreateChangeSetCommand({
    StackName: name,
    ChangeSetName: ctx.changeSetName,
    ChangeSetType: type,
    ...template,
    Parameters: Object.entries(withCodeVersion(p, draft)).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    Capabilities: [...CAPABILITIES],
    Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })),
    RoleARN: ctx.stage.executionRoleArn,
    Description: `batchform ${ctx.mode} of commit ${ctx.revision}, stage ${ctx.stage.name}`,
    ClientToken: clientToken(ctx, name, 'create'),
  })));
  draft.changeSetName = ctx.changeSetName;
  const stackId = created.StackId ?? stack?.StackId ?? name;

  let executed = false;
  try {
    draft.step = `waiting for change set ${ctx.changeSetName} to be computed`;
    const described = await readChangeSet(cfn, ctx.waits, name, ctx.changeSetName);
    if (described.status === 'FAILED' && NO_CHANGES.test(described.reason)) {
      draft.unchangedBy = 'change-set';
      ctx.log(`${name}: unchanged (the change set has no changes)`);
      return 'unchanged';
    }
    if (described.status !== 'CREATE_COMPLETE') {
      throw new Error(`change set ${ctx.changeSetName} ${described.status === 'FAILED' ? 'failed' : `ended ${described.status}`}: ${described.reason || 'no reason given'}. ` +
        'Fix what it names in .projenrc.ts (then run "npx projen") or in the stage\'s resources, and run again.');
    }
    draft.changes = resourceChanges(described.changes, p.secrets);
    const schedule = findScheduleChange(described.changes);
    if (schedule.changed && p.batch) {
      draft.schedule = scheduleChange(p.batch, { before: schedule.before, switched: schedule.switched, now: ctx.startedAt, count: NEXT_RUN_COUNT });
    }
    if (ctx.mode === 'preview') return type === 'CREATE' ? 'will-create' : 'will-update';
    refuseReplacements(ctx, draft.changes);

    const token = clientToken(ctx, name, 'execute');
    // Events are matched by token; the time (less a minute for clock skew) is the fallback.
    const since = new Date(ctx.now().getTime() - 60_000);
    draft.step = `executing change set ${ctx.changeSetName} (ExecuteChangeSet)`;
    await reaching(cfn, 'cloudformation', draft.step, () => cfn.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: ctx.changeSetName, ClientRequestToken: token })));
    executed = true;
    draft.step = `waiting for the ${type === 'CREATE' ? 'create' : 'update'} of the stack (change set ${ctx.changeSetName})`;
    ctx.log(`${name}: executing change set ${ctx.changeSetName}`);
    await waitForExecution(cfn, ctx.waits, { stackName: name, stackId, type, token, since }, {
      stillRunning: 'Follow it in the CloudFormation console; the next deploy waits for it to finish.',
      failed: (status) => executionAdvice(name, status),
    });
    ctx.log(`${name}: ${type === 'CREATE' ? 'created' : 'updated'}`);
    return type === 'CREATE' ? 'created' : 'updated';
  } finally {
    if (!executed) await discardChangeSet(ctx, name, makesStack, draft);
  }
}

/** Fails the stack (before execution) when its change set would replace a resource of a refused type. */
function refuseReplacements(ctx: StackRunContext, changes: readonly ResourceChange[]): void {
  const refused = changes.filter((c) => ctx.refuseReplacement.has(c.type) && (c.replacement === 'yes' || c.replacement === 'conditional'));
  if (!refused.length) return;
  const list = refused.map((c) => `${c.logicalId} (${c.type}${c.replacement === 'conditional' ? ', possibly' : ''}${c.replacedBy?.length ? `, forced by ${c.replacedBy.join(', ')}` : ''})`).join('; ');
  throw new Error(`refusing to replace ${list}: replacing ${refused.length === 1 ? 'it' : 'them'} is refused for ${[...new Set(refused.map((c) => c.type))].join(', ')} ` +
    '(--refuse-replacement). Nothing was executed. Undo the change in .projenrc.ts, or, once replacing is intended, deploy without that type in --refuse-replacement.');
}

/** Uploads the code zip (deploy) or checks it is there (preview); a mismatched object fails the stack. */
async function placeCode(ctx: StackRunContext, p: PreparedStack, draft: Draft): Promise<void> {
  const url = `s3://${p.code.bucket}/${p.code.key}`;
  draft.step = `${ctx.mode === 'deploy' ? 'uploading' : 'checking'} the code zip ${url}`;
  try {
    const placed = await ensureArtifact(ctx.s3, {
      bucket: p.code.bucket,
      key: p.code.key,
      sha256: p.code.sha256,
      body: () => fs.readFileSync(p.code.zipPath),
      contentType: 'application/zip',
    }, { write: ctx.mode === 'deploy' });
    draft.code = placed.state;
    draft.codeVersion = placed.versionId;
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new Error(namingBucket('code zip', url, p.code.bucket, e));
  }
  if (draft.code === 'uploaded') {
    ctx.log(`${p.stack.stackName}: uploaded ${url}`);
    draft.notes.push(`Uploaded the code zip to ${url}.`);
  } else if (draft.code === 'absent') {
    draft.notes.push(`The new code zip (sha256 ${p.code.sha256.slice(0, 12)}…) is not in S3 yet; deploy uploads it.`);
  }
  if (draft.code !== 'absent' && !draft.codeVersion && p.codeVersionParameter) {
    draft.notes.push(`The artifact bucket ${p.code.bucket} is not versioned, so the function reads whatever is under ${p.code.key} when CloudFormation runs; ` +
      'turn on versioning (the bootstrap\'s bucket has it) so the checked version is the one deployed.');
  }
}

/** The stack's parameters plus the code zip's checked S3 version, when the template takes one. */
function withCodeVersion(p: PreparedStack, draft: Draft): Readonly<Record<string, string>> {
  if (!p.codeVersionParameter || !draft.codeVersion) return p.parameters;
  return { ...p.parameters, [p.codeVersionParameter]: draft.codeVersion };
}

/**
 * The template inline, or (over CloudFormation's inline limit) by URL. A deploy uploads it next to
 * the code zips. A preview reads it from there when a deploy already uploaded that exact template,
 * else writes it to the stage's preview area (`<artifactPrefix>-preview/`): the one S3 write the
 * preview role may make, which expires within a day and which no deploy ever reads.
 */
async function templateSource(ctx: StackRunContext, p: PreparedStack, draft: Draft): Promise<{ TemplateBody: string } | { TemplateURL: string }> {
  // Sent without indentation: the same template in far fewer bytes (CloudFormation parses either).
  const body = compactTemplate(p.templateBody);
  const bytes = Buffer.byteLength(body);
  if (bytes <= MAX_INLINE_TEMPLATE_BYTES) return { TemplateBody: body };
  const sha256 = sha256Hex(body);
  const template = (key: string): Artifact => ({ bucket: p.code.bucket, key, sha256, body: () => Buffer.from(body), contentType: 'application/json' });
  let placed = await placeTemplate(ctx, draft, template(`${p.stack.code.keyPrefix}/${sha256}.template.json`), ctx.mode === 'deploy');
  if (placed.state === 'absent') {
    const previewKey = `${previewAreaPrefix(ctx.stage.artifactPrefix)}/${sha256}.template.json`;
    placed = await placeTemplate(ctx, draft, template(previewKey), true);
    draft.notes.push(`The template is ${bytes} bytes compact, over CloudFormation's ${MAX_INLINE_TEMPLATE_BYTES}-byte inline limit: ` +
      `the preview read it from the preview area (s3://${p.code.bucket}/${previewKey}, removed within a day; nothing deploys from there).`);
  }
  // The checked version, so the template CloudFormation reads is the one whose checksum matched.
  const version = placed.versionId ? `?versionId=${encodeURIComponent(placed.versionId)}` : '';
  return { TemplateURL: `https://${p.code.bucket}.s3.${ctx.stage.region}.amazonaws.com/${placed.key}${version}` };
}

/** {@link ensureArtifact} for a template, with the bucket named in every fault. */
async function placeTemplate(ctx: StackRunContext, draft: Draft, artifact: Artifact, write: boolean): Promise<PlacedArtifact & { key: string }> {
  const url = `s3://${artifact.bucket}/${artifact.key}`;
  draft.step = `${write ? 'uploading' : 'checking'} the template ${url}`;
  try {
    return { ...await ensureArtifact(ctx.s3, artifact, { write }), key: artifact.key };
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new Error(namingBucket('template', url, artifact.bucket, e));
  }
}

/** An S3 fault's message that always names the bucket (AWS's own S3 messages often do not). */
function namingBucket(what: string, url: string, bucket: string, e: unknown): string {
  const message = describeError(e);
  return message.includes(bucket) ? `${what}: ${message}` : `${what} ${url}: ${message}`;
}

/** A template as CloudFormation receives it: the same JSON without indentation. */
export function compactTemplate(body: string): string {
  return JSON.stringify(JSON.parse(body));
}

/**
 * Deletes the change set, and on deploy the REVIEW_IN_PROGRESS stack it made. A preview keeps that
 * empty stack: the preview role may not delete stacks (nothing a pull request runs may remove
 * what main deployed), and the first deploy creates the stack from it.
 */
async function discardChangeSet(ctx: StackRunContext, stackName: string, makesStack: boolean, draft: Draft): Promise<void> {
  const cfn = ctx.cloudFormation;
  const deleteStack = makesStack && ctx.mode === 'deploy';
  // Each cleanup step on its own, so a note names exactly what was left behind.
  const attempt = async (what: string, how: string, call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await reaching(cfn, 'cloudformation', `deleting ${what}`, call);
      return true;
    } catch (e) {
      draft.notes.push(`Could not delete ${what} (${describeError(e)}); delete it by hand: ${how}.`);
      return false;
    }
  };
  const changeSetGone = await attempt(`change set ${ctx.changeSetName} of ${stackName}`,
    `aws cloudformation delete-change-set --stack-name ${stackName} --change-set-name ${ctx.changeSetName}`,
    () => cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: ctx.changeSetName })));
  if (deleteStack) {
    // Deleting the REVIEW_IN_PROGRESS stack removes its change sets too.
    await attempt(`the empty REVIEW_IN_PROGRESS stack ${stackName}`, `aws cloudformation delete-stack --stack-name ${stackName}`,
      () => cfn.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: clientToken(ctx, stackName, 'discard') })));
  } else if (makesStack && changeSetGone) {
    draft.notes.push('CloudFormation keeps the new stack as an empty REVIEW_IN_PROGRESS stack (no resources) until the first deploy creates it.');
  }
}

function executionAdvice(name: string, status: string): string {
  if (status === 'UPDATE_ROLLBACK_COMPLETE') return 'CloudFormation rolled it back, so the previous version still runs. Fix the cause and deploy again.';
  if (status === 'ROLLBACK_COMPLETE') return 'its first create rolled back. Fix the cause; the next deploy deletes the failed stack and creates it again.';
  if (classifyStatus(status) === 'stuck') return stuckAdvice(name, status);
  return 'see its events in the CloudFormation console.';
}
