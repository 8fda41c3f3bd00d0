// The deploy manifest: per stage, every stack with its template, parameters, code location and tags.
import * as fs from 'fs';
import { BATCH_TAG, PROJECT_TAG, STAGE_TAG } from '../model/bootstrap-names';
import { ledgerTableName } from '../model/ledger';
import { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE, STAGE_STACK_SUFFIX, STAGE_TEMPLATE_FILE, stackName, stageStackName } from '../model/names';
import type { SecretReference } from '../model/secrets';
import { batchForStage } from '../model/stage-overrides';
import { Batch, Stage, StageOverride, ValidatedDeclarations } from '../model/validated';
import { WATCHDOG_CONFIG_FILE } from '../model/watchdog';
import { ALARM_PARAMETERS, NO_BOUNDARY, NO_TOPIC, PARAMETERS } from '../template/parameters';
import { stageParameterValues } from '../template/stage-parameters';
import { alarmTargetOf, stageStackParameters, WATCHDOG_PARAMETERS } from '../template/stage-stack-values';

/** Version of the manifest format; bumped on incompatible changes. */
export const MANIFEST_VERSION = 1;
/** Default directory of the templates and the manifest, relative to the project root. */
export const DEFAULT_OUTDIR = 'cfn-out';
export { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE, STAGE_TEMPLATE_FILE };
/** Where the CLI looks for the manifest unless told otherwise. */
export const DEFAULT_MANIFEST_PATH = `${DEFAULT_OUTDIR}/${MANIFEST_FILE}`;

/** One batch as the CLI shows it (schedule view, local runs). */
export interface ManifestBatch {
  readonly name: string;
  readonly description: string;
  /** Handler entry, relative to the project root. */
  readonly handler: string;
  /** Template path, relative to the project root. */
  readonly template: string;
  readonly schedule: string;
  /** The zone the schedule runs in; any but UTC runs on EventBridge Scheduler. */
  readonly timezone: string;
  /** Scheduler flexible window, in minutes, when set. */
  readonly flexibleWindowMinutes?: number;
  /** Scheduler start date (UTC ISO), when set. */
  readonly startDate?: string;
  /** Scheduler end date (UTC ISO), when set. */
  readonly endDate?: string;
  readonly enabled: boolean;
  readonly vpc: boolean;
  readonly runtime: string;
  readonly architecture: string;
  readonly timeout: number;
  /** Set for a durable batch: its execution timeout (seconds) and history retention (days). */
  readonly durable?: { readonly executionTimeout: number; readonly retentionDays: number };
  readonly memorySize: number;
  /** Whether the batch has alarms. */
  readonly alarms: boolean;
  /** The constant input as JSON, when the batch declares one. */
  readonly input?: string;
  /** Environment variables the template sets (besides batchform's own). */
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets by reference (store, name, field), by the name the handler reads them with; absent when none. Never values. */
  readonly secrets?: Readonly<Record<string, SecretReference>>;
  /**
   * What stages change of the batch, by stage name; absent when no stage does. `batchForStage`
   * (batchform/validate) gives the batch as one stage runs it.
   */
  readonly overrides?: Readonly<Record<string, ManifestOverride>>;
}

/** One stage's overrides of a batch, as declared (the schedule as its expression). */
export type ManifestOverride = Omit<StageOverride, 'schedule'> & { readonly schedule?: string };

/** Where a stack's code zip goes; the key is `<keyPrefix>/<sha256>.zip`, known after packaging. */
export interface ManifestCode {
  readonly bucket: string;
  readonly keyPrefix: string;
  /** The template parameter that receives the bucket. */
  readonly bucketParameter: string;
  /** The template parameter that receives the key. */
  readonly keyParameter: string;
}

/** One batch stack in one stage. */
export interface ManifestStack {
  readonly stackName: string;
  readonly batch: string;
  readonly template: string;
  readonly handler: string;
  /**
   * Parameter values known at generation time (list parameters comma-joined), this stage's
   * overridden values among them.
   */
  readonly parameters: Readonly<Record<string, string>>;
  readonly code: ManifestCode;
  /** Stack tags: the stage's, the batch's and batchform's own. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A stage's stage stack (`<stackPrefix>-stage`): what every batch of the stage shares (its alarm
 * topic, key and e-mail subscriptions; its missed-run watchdog). Deployed through the same change
 * sets as the batch stacks, before them; its code is the watchdog's zip.
 */
export interface ManifestStageStack {
  readonly stackName: string;
  /** Template path, relative to the project root (one template for every stage). */
  readonly template: string;
  /** Parameter values of this stage. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Stack tags: the stage's and batchform's own. */
  readonly tags: Readonly<Record<string, string>>;
  /** Where a template over CloudFormation's inline limit is uploaded: `<keyPrefix>/<sha256>.template.json` in `bucket`. */
  readonly artifacts: { readonly bucket: string; readonly keyPrefix: string };
  /**
   * Where the stage watchdog's code zip goes (`<keyPrefix>/<sha256>.zip`) and the parameters that
   * receive it; absent in manifests of batchform versions before the watchdog (no code).
   */
  readonly code?: ManifestCode;
}

/** One stage: where and as whom to deploy, and its stacks. */
export interface ManifestStage {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly artifactBucket: string;
  readonly artifactPrefix: string;
  /** Prefix of the stage's stack names (the bootstrap scopes its roles to `<stackPrefix>-*`); absent in older manifests: the stage's name. */
  readonly stackPrefix?: string;
  readonly deployRoleArn?: string;
  readonly previewRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly githubEnvironment: string;
  /** Role ARNs the stage's batches may assume (the bootstrap's `AssumableRoleArns`); absent when none. */
  readonly assumableRoleArns?: readonly string[];
  /** Principals the bootstrap's operator role trusts (the bootstrap's `OperatorPrincipals`); absent when none. */
  readonly operatorPrincipals?: readonly string[];
  /** `false` when the stage turned drift detection off (its preview role then has no resource reads); absent: on. */
  readonly driftDetection?: boolean;
  /** The stage stack, deployed before `stacks`; absent in manifests of batchform versions before it. */
  readonly stageStack?: ManifestStageStack;
  /** The batch stacks. */
  readonly stacks: readonly ManifestStack[];
}

/** The whole manifest: everything the CLI and the deploy engine read from the declarations. */
export interface Manifest {
  readonly version: number;
  /**
   * The project's identity (Batchform's `projectId`, by default the package name): every stack
   * carries it in its `batchform:project` tag, and preview, deploy and status treat a live stack
   * with this tag, the stage's tag and the stage's stack prefix that the manifest does not list as
   * a removed batch. Absent in older manifests: nothing is ever found to remove.
   */
  readonly project?: string;
  readonly batches: readonly ManifestBatch[];
  readonly stages: readonly ManifestStage[];
  /**
   * The stage watchdog's configuration file (every stage's), relative to the project root
   * (`cfn-out/watchdog.json`): packaging zips it with the watchdog's handler. Absent in older manifests.
   */
  readonly watchdogConfig?: string;
}

/**
 * Reads a generated manifest and checks its version.
 * @throws Error saying what is wrong and to run `npx projen`.
 */
export function readManifest(file: string): Manifest {
  const fix = 'run "npx projen" to generate it';
  if (!fs.existsSync(file)) throw new Error(`manifest ${file} not found; ${fix}.`);
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Manifest>;
  } catch (e) {
    throw new Error(`manifest ${file} is not valid JSON (${(e as Error).message}); ${fix}.`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) {
    throw new Error(`manifest ${file} is not a batchform manifest (it holds ${Array.isArray(m) ? 'a list' : JSON.stringify(m)}, not an object); ${fix}.`);
  }
  if (m.version !== MANIFEST_VERSION) {
    throw new Error(`manifest ${file} is ${m.version === undefined ? 'missing its "version"' : `version ${JSON.stringify(m.version)}`}, ` +
      `but this batchform reads version ${MANIFEST_VERSION}; ${fix} with this batchform version.`);
  }
  const wrong = manifestShapeProblems(m);
  if (wrong.length) {
    throw new Error(`manifest ${file} is version ${MANIFEST_VERSION} but not shaped as batchform writes it: ${wrong.slice(0, 3).join('; ')}` +
      `${wrong.length > 3 ? ` (and ${wrong.length - 3} more)` : ''}; it was edited by hand or written by another tool. ${fix[0].toUpperCase()}${fix.slice(1)} again.`);
  }
  return m as Manifest;
}

/** What is missing or of the wrong type in a version-1 manifest, each naming where ("stages[0].stacks[1].code"). */
function manifestShapeProblems(m: Partial<Manifest>): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const need = (v: unknown, where: string, type: 'string' | 'object' | 'array'): boolean => {
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObject(v) : typeof v === 'string';
    if (!ok) problems.push(`${where} ${v === undefined ? 'is missing' : `is ${Array.isArray(v) ? 'a list' : typeof v}`}, not ${type === 'array' ? 'a list' : `a${type === 'object' ? 'n' : ''} ${type}`}`);
    return ok;
  };
  if (need(m.batches, 'batches', 'array')) {
    (m.batches as unknown[]).forEach((b, i) => {
      if (need(b, `batches[${i}]`, 'object')) for (const f of ['name', 'schedule', 'timezone', 'template'] as const) need((b as Record<string, unknown>)[f], `batches[${i}].${f}`, 'string');
    });
  }
  if (!need(m.stages, 'stages', 'array')) return problems;
  (m.stages as unknown[]).forEach((st, i) => {
    if (!need(st, `stages[${i}]`, 'object')) return;
    const stage = st as Record<string, unknown>;
    for (const f of ['name', 'account', 'region', 'artifactBucket', 'artifactPrefix'] as const) need(stage[f], `stages[${i}].${f}`, 'string');
    if (!need(stage.stacks, `stages[${i}].stacks`, 'array')) return;
    (stage.stacks as unknown[]).forEach((sk, j) => {
      const where = `stages[${i}].stacks[${j}]`;
      if (!need(sk, where, 'object')) return;
      const stack = sk as Record<string, unknown>;
      for (const f of ['stackName', 'batch', 'template'] as const) need(stack[f], `${where}.${f}`, 'string');
      need(stack.parameters, `${where}.parameters`, 'object');
      need(stack.tags, `${where}.tags`, 'object');
      if (need(stack.code, `${where}.code`, 'object')) {
        for (const f of ['bucket', 'keyPrefix', 'bucketParameter', 'keyParameter'] as const) need((stack.code as Record<string, unknown>)[f], `${where}.code.${f}`, 'string');
      }
    });
    const stageStack = stage.stageStack as Record<string, unknown> | undefined;
    if (stageStack === undefined || !need(stageStack, `stages[${i}].stageStack`, 'object')) return;
    if (stageStack.code !== undefined && need(stageStack.code, `stages[${i}].stageStack.code`, 'object')) {
      for (const f of ['bucket', 'keyPrefix', 'bucketParameter', 'keyParameter'] as const) need((stageStack.code as Record<string, unknown>)[f], `stages[${i}].stageStack.code.${f}`, 'string');
    }
  });
  if (m.watchdogConfig !== undefined) need(m.watchdogConfig, 'watchdogConfig', 'string');
  return problems;
}

/**
 * The batches that deploy to `stage`, each as that stage runs it (its overrides applied).
 * @throws Error naming the stages the manifest has, when `stage` is not one of them.
 */
export function batchesOfStage(manifest: Manifest, stage: string, batches: readonly ManifestBatch[] = manifest.batches): ManifestBatch[] {
  const s = manifest.stages.find((x) => x.name === stage);
  if (!s) {
    throw new Error(`stage "${stage}" is not in the manifest; its stages are: ${manifest.stages.map((x) => x.name).join(', ') || 'none'}. Pass one of them with --stage.`);
  }
  const deployed = new Set(s.stacks.map((st) => st.batch));
  return batches.filter((b) => deployed.has(b.name)).map((b) => batchForStage(b, stage));
}

/** Path of a batch's template relative to the project root. */
export function templatePath(outdir: string, batchName: string): string {
  return `${outdir}/${batchName}.template.json`;
}

/** The `batchform:project` tag, when the project has an identity. */
function projectTag(project: string | undefined): Record<string, string> {
  return project === undefined ? {} : { [PROJECT_TAG]: project };
}

/** Path of the stage watchdog's configuration file relative to the project root. */
export function watchdogConfigPath(outdir: string): string {
  return `${outdir}/${WATCHDOG_CONFIG_FILE}`;
}

/** Path of the stage stack's template relative to the project root. */
export function stageTemplatePath(outdir: string): string {
  return `${outdir}/${STAGE_TEMPLATE_FILE}`;
}

function manifestStageStack(outdir: string, stage: Stage, decl: ValidatedDeclarations, project: string | undefined): ManifestStageStack {
  return {
    stackName: stageStackName(stage),
    template: stageTemplatePath(outdir),
    parameters: stageStackParameters(stage, decl),
    tags: { ...stage.tags, ...projectTag(project), [STAGE_TAG]: stage.name },
    artifacts: { bucket: stage.artifactBucket, keyPrefix: `${stage.artifactPrefix}/${STAGE_STACK_SUFFIX}` },
    code: {
      bucket: stage.artifactBucket,
      keyPrefix: `${stage.artifactPrefix}/${STAGE_STACK_SUFFIX}`,
      bucketParameter: WATCHDOG_PARAMETERS.codeBucket,
      keyParameter: WATCHDOG_PARAMETERS.codeKey,
    },
  };
}

function manifestStack(outdir: string, stage: Stage, batch: Batch, decl: ValidatedDeclarations, project: string | undefined): ManifestStack {
  const parameters: Record<string, string> = {
    [PARAMETERS.codeBucket]: stage.artifactBucket,
    [PARAMETERS.permissionsBoundary]: stage.permissionsBoundaryArn ?? NO_BOUNDARY,
    [PARAMETERS.ledgerTable]: ledgerTableName(stage),
    [PARAMETERS.ledgerRetentionDays]: String(stage.ledgerRetentionDays),
  };
  if (batch.vpc) {
    parameters[PARAMETERS.subnetIds] = stage.subnetIds.join(',');
    parameters[PARAMETERS.securityGroupIds] = stage.securityGroupIds.join(',');
  }
  Object.assign(parameters, stageParameterValues(batch, stage));
  if (batch.alarms) parameters[ALARM_PARAMETERS.topicArn] = alarmTargetOf(batch, stage, decl) ?? NO_TOPIC;
  return {
    stackName: stackName(stage, batch.name),
    batch: batch.name,
    template: templatePath(outdir, batch.name),
    handler: batch.handler,
    parameters,
    code: {
      bucket: stage.artifactBucket,
      keyPrefix: `${stage.artifactPrefix}/${batch.name}`,
      bucketParameter: PARAMETERS.codeBucket,
      keyParameter: PARAMETERS.codeKey,
    },
    tags: { ...stage.tags, ...batch.tags, [BATCH_TAG]: batch.name, [STAGE_TAG]: stage.name, ...projectTag(project) },
  };
}

function manifestOverrides(b: Batch): Record<string, ManifestOverride> {
  return Object.fromEntries(Object.entries(b.overrides).map(([stage, { schedule, ...rest }]) => [stage, {
    ...(schedule ? { schedule: schedule.expression } : {}), ...rest,
  }]));
}

/**
 * Builds the manifest from validated declarations; `outdir` is where templates are written,
 * `project` the project's identity (see {@link Manifest.project}; undefined: none, as before).
 */
export function buildManifest(decl: ValidatedDeclarations, outdir: string, project?: string): Manifest {
  return {
    version: MANIFEST_VERSION,
    ...(project === undefined ? {} : { project }),
    watchdogConfig: watchdogConfigPath(outdir),
    batches: decl.batches.map((b) => ({
      name: b.name,
      description: b.description,
      handler: b.handler,
      template: templatePath(outdir, b.name),
      schedule: b.schedule.expression,
      timezone: b.timezone,
      flexibleWindowMinutes: b.flexibleWindowMinutes,
      startDate: b.startDate,
      endDate: b.endDate,
      enabled: b.enabled,
      vpc: b.vpc,
      runtime: b.runtime,
      architecture: b.architecture,
      timeout: b.timeout,
      ...(b.durable ? { durable: { ...b.durable } } : {}),
      memorySize: b.memorySize,
      alarms: b.alarms,
      input: b.input,
      environment: b.environment,
      ...(Object.keys(b.secrets).length ? { secrets: b.secrets } : {}),
      ...(Object.keys(b.overrides).length ? { overrides: manifestOverrides(b) } : {}),
    })),
    stages: decl.stages.map((s) => ({
      name: s.name,
      account: s.account,
      region: s.region,
      artifactBucket: s.artifactBucket,
      artifactPrefix: s.artifactPrefix,
      stackPrefix: s.stackPrefix,
      deployRoleArn: s.deployRoleArn,
      previewRoleArn: s.previewRoleArn,
      executionRoleArn: s.executionRoleArn,
      githubEnvironment: s.githubEnvironment,
      ...(s.assumableRoleArns.length ? { assumableRoleArns: [...s.assumableRoleArns] } : {}),
      ...(s.operatorPrincipals.length ? { operatorPrincipals: [...s.operatorPrincipals] } : {}),
      ...(s.driftDetection ? {} : { driftDetection: false }),
      stageStack: manifestStageStack(outdir, s, decl, project),
      stacks: decl.batches.filter((b) => b.stages.includes(s.name)).map((b) => manifestStack(outdir, s, b, decl, project)),
    })),
  };
}
