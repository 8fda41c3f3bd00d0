// The deploy manifest: per stage, every stack with its template, parameters, code location and tags.
import * as fs from 'fs';
import { BATCH_TAG, STAGE_TAG } from '../model/bootstrap-names';
import { ledgerTableName } from '../model/ledger';
import { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE, stackName } from '../model/names';
import { batchForStage } from '../model/stage-overrides';
import { Batch, Stage, StageOverride, ValidatedDeclarations } from '../model/validated';
import { ALARM_PARAMETERS, NO_BOUNDARY, NO_TOPIC, PARAMETERS } from '../template/parameters';
import { stageParameterValues } from '../template/stage-parameters';

/** Version of the manifest format; bumped on incompatible changes. */
export const MANIFEST_VERSION = 1;
/** Default directory of the templates and the manifest, relative to the project root. */
export const DEFAULT_OUTDIR = 'cfn-out';
export { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE };
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
  readonly stacks: readonly ManifestStack[];
}

/** The whole manifest: everything the CLI and the deploy engine read from the declarations. */
export interface Manifest {
  readonly version: number;
  readonly batches: readonly ManifestBatch[];
  readonly stages: readonly ManifestStage[];
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
  if (m.version !== MANIFEST_VERSION || !Array.isArray(m.stages) || !Array.isArray(m.batches)) {
    throw new Error(`manifest ${file} is not a version ${MANIFEST_VERSION} batchform manifest (version ${JSON.stringify(m.version)}); ${fix} with this batchform version.`);
  }
  return m as Manifest;
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

function manifestStack(outdir: string, stage: Stage, batch: Batch): ManifestStack {
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
  if (batch.alarms) {
    parameters[ALARM_PARAMETERS.topicArn] = stage.alarmTopicArn ?? NO_TOPIC;
    if (batch.alarmEmails) parameters[ALARM_PARAMETERS.emails] = stage.alarmEmails.join(',');
  }
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
    tags: { ...stage.tags, ...batch.tags, [BATCH_TAG]: batch.name, [STAGE_TAG]: stage.name },
  };
}

function manifestOverrides(b: Batch): Record<string, ManifestOverride> {
  return Object.fromEntries(Object.entries(b.overrides).map(([stage, { schedule, ...rest }]) => [stage, {
    ...(schedule ? { schedule: schedule.expression } : {}), ...rest,
  }]));
}

/** Builds the manifest from validated declarations; `outdir` is where templates are written. */
export function buildManifest(decl: ValidatedDeclarations, outdir: string): Manifest {
  return {
    version: MANIFEST_VERSION,
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
      stacks: decl.batches.filter((b) => b.stages.includes(s.name)).map((b) => manifestStack(outdir, s, b)),
    })),
  };
}
