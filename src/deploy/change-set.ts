// One batch stack's run: the fingerprint shortcut, its artifacts (code zip, template) and its change set through the one lifecycle (change-set-lifecycle.ts).
import * as fs from 'fs';
import { Capability, CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { ChangeSetTarget, readyStack, settleStack, throughChangeSet } from './change-set-lifecycle';
import { ExecutionError } from './change-set-steps';
import { findScheduleChange, resourceChanges, runsIn, scheduleChange } from './changes';
import { DriftContext, detectStackDrift } from './drift';
import { durationFit, timeoutChanges } from './duration-fit';
import { FINGERPRINT_TAG } from './fingerprint';
import { MAX_INLINE_TEMPLATE_BYTES, PreparedCode, PreparedStack } from './inputs';
import type { CodeState, DeployMode, DurationFit, ResourceChange, ScheduleChange, StackDrift, StackOutcome, StackResult } from './result';
import { Artifact, ensureArtifact, PlacedArtifact } from './upload';
import { describeError, endpointOf, isNetworkError, UnreachableError } from '../aws/faults';
import { classifyStatus, stackTag, stuckAdvice } from '../aws/stack-state';
import { ResolvedWaits } from '../aws/waits';
import { BatchformError, errorKindOf } from '../errors/batchform-error';
import type { ManifestStage } from '../manifest/manifest';
import { previewAreaPrefix } from '../model/bootstrap-names';
import { sha256Hex } from '../model/hash';

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
  /** A preview reads the recent run durations of a batch whose timeout or schedule changes; undefined: it does not. */
  readonly cloudWatch?: CloudWatchClient;
}

/** The IAM capabilities every batch stack needs (it creates the function's role). */
const CAPABILITIES: readonly Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

/** What is known about a stack so far; becomes its {@link StackResult}. */
interface Draft {
  notes: string[];
  changeSetName?: string;
  changes?: ResourceChange[];
  schedule?: ScheduleChange;
  durationFit?: DurationFit;
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
    ...(prepared.kind === 'stage' ? { stageStack: true as const } : {}),
    outcome,
    runsIn: prepared.batch && runsIn(prepared.batch),
    stageValues: prepared.stageValues,
    notes: draft.notes,
    changeSetName: draft.changeSetName,
    changes: draft.changes,
    schedule: draft.schedule,
    ...(draft.durationFit ? { durationFit: draft.durationFit } : {}),
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
    return result('failed', { error, events, errorKind: errorKindOf(e) });
  }
}

/** Whether the live stack is settled and carries this fingerprint: nothing to do. */
export function fingerprintMatches(stack: Stack | undefined, prepared: PreparedStack): boolean {
  return classifyStatus(stack?.StackStatus) === 'ready' && stackTag(stack, FINGERPRINT_TAG) === prepared.fingerprint;
}

/** How many next run times a report lists for a new or changed schedule. */
const NEXT_RUN_COUNT = 3;

async function runMachine(ctx: StackRunContext, p: PreparedStack, live: Stack | undefined, draft: Draft): Promise<StackOutcome> {
  const name = p.stack.stackName;
  const target: ChangeSetTarget = {
    cloudFormation: ctx.cloudFormation,
    waits: ctx.waits,
    stackName: name,
    changeSetName: ctx.changeSetName,
    log: ctx.log,
    onStep: (step) => { draft.step = step; },
  };

  const settled = await settleStack(target, live);
  if (settled.waitedFor) {
    draft.notes.push(`Waited for the stack's ${settled.waitedFor} (an earlier or concurrent run) to finish; it is now ${settled.stack?.StackStatus ?? 'gone'}.`);
  }
  if (!ctx.force && fingerprintMatches(settled.stack, p)) {
    draft.unchangedBy = 'fingerprint';
    ctx.log(`${name}: unchanged (fingerprint matches)`);
    return 'unchanged';
  }
  const ready = await readyStack(target, settled.stack, { recreate: ctx.mode === 'deploy' });
  if (ready.condition === 'failed-create' && !ready.recreated) {
    draft.notes.push('The stack is ROLLBACK_COMPLETE (its first create failed), so no change set can be made for it; deploy will delete it and create it again.');
    draft.schedule = p.batch && scheduleChange(p.batch, { now: ctx.startedAt, count: NEXT_RUN_COUNT });
    return 'will-create';
  }
  if (ready.recreated) draft.notes.push('The stack was ROLLBACK_COMPLETE (its first create failed); deleted it and created it again.');
  if (ready.condition === 'review') {
    draft.notes.push('The stack was REVIEW_IN_PROGRESS (a change set of an earlier run was never executed); this run creates it.');
  }

  // Only a settled stack that exists can drift; its detection runs while the change set is made.
  if (ctx.drift && ready.stack && ready.condition === 'ready') {
    ctx.log(`${name}: detecting drift (up to ${ctx.drift.timing.maxWaitTime} s)`);
    draft.drift = detectStackDrift(ctx.drift, name, p.secrets);
  }
  if (p.code) await placeCode(ctx, p, p.code, draft);
  const template = await templateSource(ctx, p, draft);

  const end = await throughChangeSet(target, {
    ready,
    template,
    parameters: withCodeVersion(p, draft),
    capabilities: CAPABILITIES,
    tags: p.tags,
    roleArn: ctx.stage.executionRoleArn,
    description: `batchform ${ctx.mode} of commit ${ctx.revision}, stage ${ctx.stage.name}`,
  }, {
    execute: ctx.mode === 'deploy',
    deleteEmptyStack: ctx.mode === 'deploy',
    notes: draft.notes,
    failedAdvice: 'Fix what it names in .projenrc.ts (then run "npx projen") or in the stage\'s resources, and run again.',
    executionAdvice: {
      stillRunning: 'Follow it in the CloudFormation console; the next deploy waits for it to finish.',
      failed: (status) => executionAdvice(name, status),
    },
    onCreated: () => { draft.changeSetName = ctx.changeSetName; },
    inspect: (changes) => {
      draft.changes = resourceChanges(changes, p.secrets);
      const schedule = findScheduleChange(changes);
      if (schedule.changed && p.batch) {
        draft.schedule = scheduleChange(p.batch, { before: schedule.before, switched: schedule.switched, now: ctx.startedAt, count: NEXT_RUN_COUNT });
      }
      if (ctx.mode === 'deploy') refuseReplacements(ctx, draft.changes);
    },
    now: ctx.now,
  });
  if (end.ending === 'unchanged') {
    draft.unchangedBy = 'change-set';
    return 'unchanged';
  }
  if (end.ending === 'described' && end.type === 'CREATE') return 'will-create';
  if (end.ending === 'described') {
    // A batch that already runs and whose timeout or schedule changes: its recent p95 against the new ones.
    const timeoutChanged = timeoutChanges(draft.changes ?? []);
    if (ctx.cloudWatch && p.batch && (timeoutChanged || draft.schedule)) {
      draft.step = 'reading the recent run durations';
      draft.durationFit = await durationFit(ctx.cloudWatch, {
        stackName: name, batch: p.batch, timeoutChanged, scheduleChanged: draft.schedule !== undefined, now: ctx.startedAt,
      });
    }
    return 'will-update';
  }
  ctx.log(`${name}: ${end.type === 'CREATE' ? 'created' : 'updated'}`);
  return end.type === 'CREATE' ? 'created' : 'updated';
}

/** Fails the stack (before execution) when its change set would replace a resource of a refused type. */
function refuseReplacements(ctx: StackRunContext, changes: readonly ResourceChange[]): void {
  const refused = changes.filter((c) => ctx.refuseReplacement.has(c.type) && (c.replacement === 'yes' || c.replacement === 'conditional'));
  if (!refused.length) return;
  const list = refused.map((c) => `${c.logicalId} (${c.type}${c.replacement === 'conditional' ? ', possibly' : ''}${c.replacedBy?.length ? `, forced by ${c.replacedBy.join(', ')}` : ''})`).join('; ');
  throw new Error(`refusing to replace ${list}: replacing ${refused.length === 1 ? 'it' : 'them'} is refused for ${[...new Set(refused.map((c) => c.type))].join(', ')} ` +
    '(--refuse-replacement). Nothing was executed. Undo the change in .projenrc.ts, or, once replacing is intended, deploy without that type in --refuse-replacement.');
}

/** Uploads the code zip (a batch's, or the stage stack's watchdog) in a deploy, or checks it is there (preview); a mismatched object fails the stack. */
async function placeCode(ctx: StackRunContext, p: PreparedStack, code: PreparedCode, draft: Draft): Promise<void> {
  const url = `s3://${code.bucket}/${code.key}`;
  draft.step = `${ctx.mode === 'deploy' ? 'uploading' : 'checking'} the code zip ${url}`;
  try {
    const placed = await ensureArtifact(ctx.s3, {
      bucket: code.bucket,
      key: code.key,
      sha256: code.sha256,
      body: () => fs.readFileSync(code.zipPath),
      contentType: 'application/zip',
    }, { write: ctx.mode === 'deploy' });
    draft.code = placed.state;
    draft.codeVersion = placed.versionId;
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new BatchformError(errorKindOf(e) ?? 'run-failed', namingBucket('code zip', url, code.bucket, e), { cause: e });
  }
  if (draft.code === 'uploaded') {
    ctx.log(`${p.stack.stackName}: uploaded ${url}`);
    draft.notes.push(`Uploaded the code zip to ${url}.`);
  } else if (draft.code === 'absent') {
    draft.notes.push(`The new code zip (sha256 ${code.sha256.slice(0, 12)}…) is not in S3 yet; deploy uploads it.`);
  }
  if (draft.code !== 'absent' && !draft.codeVersion && p.codeVersionParameter) {
    draft.notes.push(`The artifact bucket ${code.bucket} is not versioned, so the function reads whatever is under ${code.key} when CloudFormation runs; ` +
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
  const bucket = p.templateArtifacts.bucket;
  const template = (key: string): Artifact => ({ bucket, key, sha256, body: () => Buffer.from(body), contentType: 'application/json' });
  let placed = await placeTemplate(ctx, draft, template(`${p.templateArtifacts.keyPrefix}/${sha256}.template.json`), ctx.mode === 'deploy');
  if (placed.state === 'absent') {
    const previewKey = `${previewAreaPrefix(ctx.stage.artifactPrefix)}/${sha256}.template.json`;
    placed = await placeTemplate(ctx, draft, template(previewKey), true);
    draft.notes.push(`The template is ${bytes} bytes compact, over CloudFormation's ${MAX_INLINE_TEMPLATE_BYTES}-byte inline limit: ` +
      `the preview read it from the preview area (s3://${bucket}/${previewKey}, removed within a day; nothing deploys from there).`);
  }
  // The checked version, so the template CloudFormation reads is the one whose checksum matched.
  const version = placed.versionId ? `?versionId=${encodeURIComponent(placed.versionId)}` : '';
  return { TemplateURL: `https://${bucket}.s3.${ctx.stage.region}.amazonaws.com/${placed.key}${version}` };
}

/** {@link ensureArtifact} for a template, with the bucket named in every fault. */
async function placeTemplate(ctx: StackRunContext, draft: Draft, artifact: Artifact, write: boolean): Promise<PlacedArtifact & { key: string }> {
  const url = `s3://${artifact.bucket}/${artifact.key}`;
  draft.step = `${write ? 'uploading' : 'checking'} the template ${url}`;
  try {
    return { ...await ensureArtifact(ctx.s3, artifact, { write }), key: artifact.key };
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    throw new BatchformError(errorKindOf(e) ?? 'run-failed', namingBucket('template', url, artifact.bucket, e), { cause: e });
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

function executionAdvice(name: string, status: string): string {
  if (status === 'UPDATE_ROLLBACK_COMPLETE') return 'CloudFormation rolled it back, so the previous version still runs. Fix the cause and deploy again.';
  if (status === 'ROLLBACK_COMPLETE') return 'its first create rolled back. Fix the cause; the next deploy deletes the failed stack and creates it again.';
  if (classifyStatus(status) === 'stuck') return stuckAdvice(name, status);
  return 'see its events in the CloudFormation console.';
}
