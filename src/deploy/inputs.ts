// Loads and checks what a deploy reads (manifest, templates, packaged zips) before any AWS call.
import * as fs from 'fs';
import * as path from 'path';
import { FINGERPRINT_TAG, stackFingerprint } from './fingerprint';
import { Secrets, secretsOfParameters, TemplateResources } from './values';
import type { BundlesFile } from '../bundle/package';
import { BUNDLES_VERSION, DEFAULT_BUNDLES_PATH } from '../bundle/paths';
import { BatchformError, BatchformErrorOptions } from '../errors/batchform-error';
import { DEFAULT_MANIFEST_PATH, Manifest, ManifestBatch, ManifestCode, ManifestStack, ManifestStage, ManifestStageStack, readManifest } from '../manifest/manifest';
import { sha256Hex } from '../model/hash';
import { STAGE_STACK_SUFFIX } from '../model/names';
import { batchForStage } from '../model/stage-overrides';
import { TEMPLATE_HASHES_FILE } from '../template/cache';
import { PARAMETERS } from '../template/parameters';
import { WATCHDOG_PARAMETERS } from '../template/stage-stack-values';


/** Templates up to this many bytes are sent inline; larger ones go through S3 (CloudFormation's limit). */
export const MAX_INLINE_TEMPLATE_BYTES = 51_200;
/** CloudFormation rejects templates passed by URL above this size. */
export const MAX_TEMPLATE_URL_BYTES = 1_048_576;

/** A stack as the manifest lists it: a batch stack, or the stage stack (no batch; its code is the watchdog's, in current manifests). */
export type DeployableStack = ManifestStack | (ManifestStageStack & { readonly batch?: undefined });

/** What every stack ready to deploy has: its template, every parameter value and its fingerprint. */
export interface PreparedStackBase {
  /** The stack as the manifest lists it. */
  readonly stack: DeployableStack;
  /** Where a template over CloudFormation's inline limit is uploaded (`<keyPrefix>/<sha256>.template.json`). */
  readonly templateArtifacts: { readonly bucket: string; readonly keyPrefix: string };
  /** The stack's batch from the manifest's `batches[]` (schedule, time zone) as this stage runs it (its overrides applied), when listed. */
  readonly batch?: ManifestBatch;
  /** The template exactly as read from `cfn-out/`. */
  readonly templateBody: string;
  /** Hex SHA-256 of {@link templateBody}; names the template's S3 key when it is too large to inline. */
  readonly templateSha256: string;

  /** Every parameter value: the manifest's plus the code key. */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * The template's parameter taking the S3 version of the code zip, when it declares one; the
   * engine fills it with the version it checked or uploaded (not part of the fingerprint: it
   * follows from the code's hash).
   */
  readonly codeVersionParameter?: string;
  /** What this stage changes of the batch, in words (see {@link stageValuesSentence}); absent when nothing. */
  readonly stageValues?: string;
  /** The template's NoEcho parameters and their values: never printed in a report. */
  readonly secrets: Secrets;
  /** Stack tags to apply: the manifest's plus {@link FINGERPRINT_TAG}. */
  readonly tags: Readonly<Record<string, string>>;
  /** See {@link stackFingerprint}. */
  readonly fingerprint: string;
}

/** A batch stack ready to deploy, with its code zip. */
export interface PreparedBatchStack extends PreparedStackBase {
  readonly kind: 'batch';
  readonly stack: ManifestStack;
  /** The packaged zip of the stack's batch. */
  readonly code: PreparedCode;
}

/** The stage stack ready to deploy, before the batch stacks: its code is the watchdog's zip (none in older manifests). */
export interface PreparedStageStack extends PreparedStackBase {
  readonly kind: 'stage';
  readonly stack: ManifestStageStack & { readonly batch?: undefined };
  /** The packaged watchdog zip; absent when the manifest gives the stage stack no code (older manifests). */
  readonly code?: PreparedCode;
}

/** One stack ready to deploy: a batch stack or the stage stack. */
export type PreparedStack = PreparedBatchStack | PreparedStageStack;

/** A stack's code zip, where it lives locally and where it goes in S3. */
export interface PreparedCode {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Hex SHA-256 of the zip, checked against the file. */
  readonly sha256: string;
  readonly bucket: string;
  /** `<keyPrefix>/<sha256>.zip` */
  readonly key: string;
}

/** Everything a stage's deploy needs, checked. */
export interface DeployInputs {
  readonly stage: ManifestStage;
  /** The stage stack, previewed and deployed before the batch stacks; absent in older manifests. */
  readonly stageStack?: PreparedStageStack;
  /** The batch stacks. */
  readonly stacks: readonly PreparedBatchStack[];
  /** The manifest's project identity (see `Manifest.project`); undefined: the stacks of removed batches are not looked for. */
  readonly project?: string;
}

/** Options of {@link loadDeployInputs}. */
export interface LoadDeployInputsOptions {
  /** The stage to deploy, by name. */
  readonly stage: string;
  /**
   * The generated manifest, relative to `projectDir`.
   * @default "cfn-out/manifest.json"
   */
  readonly manifestFile?: string;
  /**
   * The packaged bundles list, relative to `projectDir`.
   * @default "dist/batches/bundles.json"
   */
  readonly bundlesFile?: string;
  /**
   * Project root; the manifest's and bundles file's paths are relative to it.
   * @default process.cwd()
   */
  readonly projectDir?: string;
}

/** Bad deploy input: every problem found, each saying what, where and how to fix it. */
export class DeployInputError extends BatchformError {
  constructor(readonly problems: readonly string[], options: BatchformErrorOptions = {}) {
    super('bad-input', problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'DeployInputError';
  }
}

function readJson(file: string, label: string, fix: string): unknown {
  if (!fs.existsSync(file)) throw new DeployInputError([`${label} ${file} not found; ${fix}.`]);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DeployInputError([`${label} ${file} is not valid JSON (${(e as Error).message}); ${fix}.`]);
  }
}

/** Reads the manifest, checking its version; throws {@link DeployInputError}. */
export function readDeployManifest(file: string): Manifest {
  try {
    return readManifest(file);
  } catch (e) {
    throw new DeployInputError([(e as Error).message], { cause: e });
  }
}

/** The named stage, or an error listing the stages the manifest has. */
export function findStage(manifest: Manifest, name: string, manifestFile = 'the manifest'): ManifestStage {
  const stage = manifest.stages.find((s) => s.name === name);
  if (!stage) {
    const known = manifest.stages.map((s) => s.name);
    throw new DeployInputError([
      `stage "${name}" is not in ${manifestFile}; ` +
        (known.length ? `its stages are: ${known.join(', ')}. Pass one of them with --stage.` : 'it declares no stages; add one in .projenrc.ts and run "npx projen".'),
    ]);
  }
  return stage;
}

/**
 * What stage `stage` changes of a batch, in words, for reports: "In stage staging: schedule
 * cron(0 3 ? * MON *), disabled, memory 1024 MB, environment REPORT_BUCKET (values hidden)."
 * Environment values are never shown (they may be secrets); undefined when the stage changes nothing.
 */
export function stageValuesSentence(batch: ManifestBatch | undefined, stage: string): string | undefined {
  const o = batch?.overrides?.[stage];
  if (!o) return undefined;
  const parts = [
    o.schedule !== undefined && `schedule ${o.schedule}`,
    o.timezone !== undefined && `time zone ${o.timezone}`,
    o.enabled !== undefined && (o.enabled ? 'enabled' : 'disabled'),
    o.memorySize !== undefined && `memory ${o.memorySize} MB`,
    o.timeout !== undefined && `timeout ${o.timeout} s`,
    o.reservedConcurrency !== undefined && (o.reservedConcurrency === false ? 'no reserved concurrency' : `reserved concurrency ${o.reservedConcurrency}`),
    o.environment && Object.keys(o.environment).length > 0 && `environment ${Object.keys(o.environment).join(', ')} (values hidden)`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length ? `In stage ${stage}: ${parts.join(', ')}.` : undefined;
}

function batchOfStage(batch: ManifestBatch | undefined, stage: string): ManifestBatch | undefined {
  return batch && batchForStage(batch, stage);
}

function readBundles(file: string): BundlesFile {
  const fix = 'run "npx projen package:batches" (or "batchform package") to build the zips';
  const b = readJson(file, 'bundles file', fix) as Partial<BundlesFile>;
  if (b.version !== BUNDLES_VERSION) {
    throw new DeployInputError([`bundles file ${file} is ${b.version === undefined ? 'missing its "version"' : `version ${JSON.stringify(b.version)}`}, but this batchform reads version ${BUNDLES_VERSION}; ${fix}.`]);
  }
  if (!Array.isArray(b.bundles) || b.bundles.some((x) => !x || typeof x.batch !== 'string' || typeof x.zip !== 'string' || typeof x.sha256 !== 'string')) {
    throw new DeployInputError([`bundles file ${file} is version ${BUNDLES_VERSION} but not shaped as batchform writes it ` +
      '("bundles" must list { batch, zip, sha256 } entries); it was edited by hand or written by another tool; ' + `${fix}.`]);
  }
  return b as BundlesFile;
}

function fileSha256(file: string): string {
  return sha256Hex(fs.readFileSync(file));
}

interface TemplateShape {
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly NoEcho?: unknown }>;
  readonly Resources?: TemplateResources;
}

/** What `template-hashes.json` records per template (see `cachedTemplates`): here only each file's SHA-256 matters. */
interface RecordedHashes {
  readonly templates: Readonly<Record<string, { readonly sha256?: unknown } | undefined>>;
}

/**
 * The record of the templates' SHA-256 next to the manifest (`cfn-out/template-hashes.json`), or
 * a problem saying why it cannot be read. Its path is `hashesFile` as shown in messages.
 */
function readTemplateHashes(file: string, shown: string): RecordedHashes | string {
  const fix = 'run "npx projen" to generate the templates and their record again';
  if (!fs.existsSync(file)) return `${shown} not found, so the templates cannot be checked against what "npx projen" generated; ${fix}.`;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RecordedHashes>;
    if (parsed && typeof parsed.templates === 'object' && parsed.templates !== null) return parsed as RecordedHashes;
    return `${shown} has no "templates" record; ${fix}.`;
  } catch (e) {
    return `${shown} is not valid JSON (${(e as Error).message}); ${fix}.`;
  }
}

/** The recorded template hashes next to `file` (the manifest, or a template), or why they cannot be read, and their path as messages show it. */
export function templateCheck(projectDir: string, file: string): TemplateCheck {
  const shown = path.posix.join(path.posix.dirname(file.split(path.sep).join('/')), TEMPLATE_HASHES_FILE);
  return { hashes: readTemplateHashes(path.resolve(projectDir, path.dirname(file), TEMPLATE_HASHES_FILE), shown), shown };
}

/**
 * Checks a template against the SHA-256 `npx projen` recorded for it: a template edited by hand
 * after generation, or one with no record, is refused before any AWS call.
 *
 * @param name the template's name in the record (the batch's name, or `bootstrap`).
 * @returns the problem, or undefined when the template is the generated one.
 */
export function templateHashProblem(
  hashes: RecordedHashes, shownHashes: string, name: string, templateFile: string, sha256: string,
): string | undefined {
  const recorded = hashes.templates[name]?.sha256;
  if (typeof recorded !== 'string') {
    return `template ${templateFile} has no entry "${name}" in ${shownHashes}, so it cannot be checked against what "npx projen" generated; ` +
      'run "npx projen" to regenerate the templates and their record (and commit both).';
  }
  if (recorded !== sha256) {
    return `template ${templateFile} is not the file "npx projen" generated: its SHA-256 is not the one recorded in ${shownHashes} ` +
      '(edited by hand, or changed after generation). Nothing was sent to AWS. Make changes in .projenrc.ts, then run "npx projen" ' +
      'to regenerate the template (and commit it with its record).';
  }
  return undefined;
}

/**
 * A packaged zip checked against its entry in the bundles file (listed, a SHA-256, inside the
 * project, present, unchanged since packaging), or undefined with the problem added to `problems`.
 */
function checkedZip(
  projectDir: string, bundle: { readonly zip: string; readonly sha256: string } | undefined, what: string,
  target: ManifestCode, where: string, bundlesFile: string, problems: string[],
): PreparedCode | undefined {
  if (!bundle) {
    problems.push(`${where}: ${what} has no zip in ${bundlesFile}; run "npx projen package:batches" after "npx projen".`);
    return undefined;
  }
  if (!/^[0-9a-f]{64}$/.test(bundle.sha256)) {
    problems.push(`${where}: ${bundlesFile} gives ${what} the sha256 "${bundle.sha256}", not 64 lower-case hex digits; run "npx projen package:batches" again.`);
    return undefined;
  }
  const zipPath = path.resolve(projectDir, bundle.zip);
  if (!inside(projectDir, zipPath)) {
    problems.push(`${where}: zip ${bundle.zip} (listed in ${bundlesFile}) is outside the project directory; run "npx projen package:batches" again.`);
  } else if (!fs.existsSync(zipPath)) {
    problems.push(`${where}: zip ${bundle.zip} (listed in ${bundlesFile}) not found; run "npx projen package:batches".`);
  } else if (fileSha256(zipPath) !== bundle.sha256) {
    problems.push(`${where}: zip ${bundle.zip} does not match the sha256 recorded in ${bundlesFile} (changed since packaging); run "npx projen package:batches" again.`);
  } else {
    return { zipPath, sha256: bundle.sha256, bucket: target.bucket, key: `${target.keyPrefix}/${bundle.sha256}.zip` };
  }
  return undefined;
}

/** What the stage stack's zip is checked against: the bundles file and the watchdog configuration the manifest names. */
interface ZipsContext {
  readonly projectDir: string;
  readonly bundles: BundlesFile;
  readonly bundlesFile: string;
  readonly watchdogConfig?: string;
}

/**
 * The watchdog's zip, checked like a batch's, and made from the current `watchdog.json`: a zip
 * packaged before the declarations changed would watch the old schedules.
 */
function checkedWatchdogZip(zips: ZipsContext, target: ManifestCode, where: string, problems: string[]): PreparedCode | undefined {
  const w = zips.bundles.watchdog;
  const code = checkedZip(zips.projectDir, w, 'the stage watchdog', target, where, zips.bundlesFile, problems);
  if (!code || !w || zips.watchdogConfig === undefined) return code;
  const configPath = path.resolve(zips.projectDir, zips.watchdogConfig);
  if (!inside(zips.projectDir, configPath) || !fs.existsSync(configPath)) {
    problems.push(`${where}: the watchdog's configuration ${zips.watchdogConfig} not found; run "npx projen" to generate it, then "npx projen package:batches".`);
    return undefined;
  }
  if (fileSha256(configPath) !== w.configSha256) {
    problems.push(`${where}: zip ${w.zip} was packaged from another ${zips.watchdogConfig} than the one "npx projen" generated last (the declarations changed since packaging); ` +
      'run "npx projen package:batches" again.');
    return undefined;
  }
  return code;
}

/** Whether `file` (absolute) is inside `dir` (absolute), symbolic links aside. */
function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Loads the manifest, picks the stage, and checks every stack's template, parameters and zip.
 * Reads files only; makes no AWS call.
 *
 * @throws DeployInputError listing every problem at once (unknown stage, missing or stale files,
 *   a zip whose content no longer matches its recorded hash, parameters the template does not take).
 * @example
 * const inputs = loadDeployInputs({ stage: 'prod' });
 * inputs.stacks.map((s) => s.code.key); // ['batchform/daily-stats/7dc9...1b4a.zip', ...]
 */
export function loadDeployInputs(options: LoadDeployInputsOptions): DeployInputs {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const manifestFile = options.manifestFile ?? DEFAULT_MANIFEST_PATH;
  const bundlesFile = options.bundlesFile ?? DEFAULT_BUNDLES_PATH;
  const manifest = readDeployManifest(path.resolve(projectDir, manifestFile));
  const stage = findStage(manifest, options.stage, manifestFile);
  const project = manifest.project;
  // Templates are checked against the record "npx projen" wrote next to them, before any AWS call.
  const verify = templateCheck(projectDir, manifestFile);
  // A stage with no batch stack and no watchdog needs no zips.
  const needsZips = stage.stacks.length > 0 || stage.stageStack?.code !== undefined;
  const bundles: BundlesFile = needsZips ? readBundles(path.resolve(projectDir, bundlesFile)) : { version: BUNDLES_VERSION, bundles: [] };
  const roleArn = stage.executionRoleArn;

  const problems: string[] = [];
  const stacks: PreparedBatchStack[] = [];
  if (typeof verify.hashes === 'string' && (stage.stacks.length || stage.stageStack)) problems.push(`stage "${stage.name}": ${verify.hashes}`);
  for (const stack of stage.stacks) {
    const where = `stage "${stage.name}", stack ${stack.stackName}`;
    const before = problems.length;
    const { templateBody, templateSha256, template } = readTemplate(projectDir, stack.template, where, problems, verify, stack.batch);

    const bundle = bundles.bundles.find((b) => b.batch === stack.batch);
    const code = checkedZip(projectDir, bundle, `batch "${stack.batch}"`, stack.code, where, bundlesFile, problems);

    const parameters: Record<string, string> = { ...stack.parameters };
    if (code) parameters[stack.code.keyParameter] = code.key;
    const declared = checkParameters(template, stack, parameters, where, problems, stack.code.keyParameter);
    if (problems.length > before || !code) continue;

    const fingerprint = stackFingerprint({ templateBody, parameters, codeSha256: code.sha256, tags: stack.tags, roleArn });
    stacks.push({
      kind: 'batch',
      stack,
      templateArtifacts: { bucket: stack.code.bucket, keyPrefix: stack.code.keyPrefix },
      batch: batchOfStage(manifest.batches.find((b) => b.name === stack.batch), stage.name),
      templateBody,
      templateSha256,
      code,
      parameters,
      codeVersionParameter: PARAMETERS.codeVersion in declared ? PARAMETERS.codeVersion : undefined,
      stageValues: stageValuesSentence(manifest.batches.find((b) => b.name === stack.batch), stage.name),
      secrets: secretsOfParameters(declared, parameters, template?.Resources),
      tags: { ...stack.tags, [FINGERPRINT_TAG]: fingerprint },
      fingerprint,
    });
  }
  const zips: ZipsContext = { projectDir, bundles, bundlesFile, watchdogConfig: manifest.watchdogConfig };
  const stageStack = stage.stageStack && prepareStageStack(projectDir, stage, stage.stageStack, problems, verify, zips);
  if (problems.length) throw new DeployInputError(problems);
  return { stage, ...(stageStack ? { stageStack } : {}), stacks, project };
}

/** The recorded template hashes (or why they cannot be read) and the file's name as shown in messages. */
export interface TemplateCheck {
  readonly hashes: RecordedHashes | string;
  readonly shown: string;
}

/** Reads a stack's template (inside the project, valid JSON, within CloudFormation's size limit), adding what is wrong to `problems`. */
function readTemplate(
  projectDir: string, file: string, where: string, problems: string[], verify: TemplateCheck, recordName: string,
): { templateBody: string; templateSha256: string; template?: TemplateShape } {
  const templateFile = path.resolve(projectDir, file);
  let templateBody = '';
  let templateSha256 = sha256Hex('');
  let template: TemplateShape | undefined;
  if (!inside(projectDir, templateFile)) {
    // The manifest may come from a pull request's build (the preview): it names files of that build only.
    problems.push(`${where}: template ${file} is outside the project directory; run "npx projen" to regenerate the manifest.`);
  } else if (!fs.existsSync(templateFile)) {
    problems.push(`${where}: template ${file} not found; run "npx projen" to generate it.`);
  } else {
    templateBody = fs.readFileSync(templateFile, 'utf8');
    templateSha256 = sha256Hex(templateBody);
    try {
      template = JSON.parse(templateBody) as TemplateShape;
    } catch (e) {
      problems.push(`${where}: template ${file} is not valid JSON (${(e as Error).message}); run "npx projen" to regenerate it.`);
    }
    const tampered = typeof verify.hashes === 'string' ? undefined : templateHashProblem(verify.hashes, verify.shown, recordName, file, templateSha256);
    if (tampered) problems.push(`${where}: ${tampered}`);
    const bytes = Buffer.byteLength(templateBody);
    if (bytes > MAX_TEMPLATE_URL_BYTES) {
      problems.push(`${where}: template ${file} is ${bytes} bytes, over CloudFormation's ${MAX_TEMPLATE_URL_BYTES}-byte limit; split the batch's resources or shrink its policies.`);
    }
  }
  return { templateBody, templateSha256, template };
}

/** Checks the manifest's parameters against the template's and the reserved fingerprint tag; returns the template's parameters. */
function checkParameters(
  template: TemplateShape | undefined, stack: { readonly template: string; readonly tags: Readonly<Record<string, string>> },
  parameters: Readonly<Record<string, string>>, where: string, problems: string[], filledLater?: string,
): NonNullable<TemplateShape['Parameters']> {
  const declared = template?.Parameters ?? {};
  for (const name of Object.keys(parameters)) {
    if (template && !(name in declared)) {
      problems.push(`${where}: the manifest passes parameter ${name}, which template ${stack.template} does not declare; run "npx projen" so both are regenerated together.`);
    }
  }
  for (const [name, def] of Object.entries(declared)) {
    if (!(name in parameters) && def?.Default === undefined && name !== filledLater) {
      problems.push(`${where}: template ${stack.template} needs parameter ${name}, which the manifest does not give; run "npx projen" so both are regenerated together.`);
    }
  }
  if (FINGERPRINT_TAG in stack.tags) {
    problems.push(`${where}: the tag ${FINGERPRINT_TAG} is reserved for batchform's fingerprint; remove it from the stage's or batch's tags in .projenrc.ts.`);
  }
  return declared;
}

/** The stage stack, checked like a batch stack: its template, parameters and (current manifests) the watchdog's zip. */
function prepareStageStack(
  projectDir: string, stage: ManifestStage, stack: ManifestStageStack, problems: string[], verify: TemplateCheck, zips: ZipsContext,
): PreparedStageStack | undefined {
  const where = `stage "${stage.name}", stage stack ${stack.stackName}`;
  const before = problems.length;
  const { templateBody, templateSha256, template } = readTemplate(projectDir, stack.template, where, problems, verify, STAGE_STACK_SUFFIX);
  const code = stack.code && checkedWatchdogZip(zips, stack.code, where, problems);
  const parameters: Record<string, string> = { ...stack.parameters };
  if (code && stack.code) parameters[stack.code.keyParameter] = code.key;
  const declared = checkParameters(template, stack, parameters, where, problems, stack.code?.keyParameter);
  if (problems.length > before) return undefined;
  const fingerprint = stackFingerprint({ templateBody, parameters, codeSha256: code?.sha256 ?? '', tags: stack.tags, roleArn: stage.executionRoleArn });
  return {
    kind: 'stage',
    stack,
    templateArtifacts: stack.artifacts,
    templateBody,
    templateSha256,
    ...(code ? { code } : {}),
    codeVersionParameter: WATCHDOG_PARAMETERS.codeVersion in declared ? WATCHDOG_PARAMETERS.codeVersion : undefined,
    parameters,
    secrets: secretsOfParameters(declared, parameters, template?.Resources),
    tags: { ...stack.tags, [FINGERPRINT_TAG]: fingerprint },
    fingerprint,
  };
}
