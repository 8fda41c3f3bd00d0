// projen glue: the component that turns declarations into cfn-out/ files and batchform tasks.
import * as path from 'path';
import { Component, github, javascript, JsonFile, Project, typescript } from 'projen';
import { reportProblemsToGitHub } from './annotations';
import { addBootstrapTasks } from './bootstrap-tasks';
import { addBatchBundleTasks, addBundleTasks } from './bundle-tasks';
import { addCliTask } from './cli-task';
import { addOperateTasks } from './operate-tasks';
import { RenderedFile } from './rendered-file';
import type { BootstrapTemplateOptions } from '../bootstrap/bootstrap-template';
import { checkSubjectClaimKeys } from '../bootstrap/trust';
import { DEFAULT_BUNDLES_PATH, DEFAULT_PACKAGE_DIR } from '../bundle/paths';
import { LOCAL_ENV_FILE, LOCAL_LEDGER_FILE } from '../local/local-env';
import { BOOTSTRAP_TEMPLATE_FILE, buildManifest, DEFAULT_OUTDIR, MANIFEST_FILE, stageTemplatePath, templatePath, watchdogConfigPath } from '../manifest/manifest';
import type { BatchOptions } from '../model/batch-options';
import { BOOTSTRAP_STACK_ID, PROJECT_ID_PATTERN, REPOSITORY_PATTERN } from '../model/bootstrap-names';
import { STAGE_STACK_SUFFIX } from '../model/names';
import type { StageOptions } from '../model/stage-options';
import type { Batch, ValidatedDeclarations } from '../model/validated';
import { watchdogConfigJson } from '../model/watchdog';
import { cachedTemplates, TEMPLATE_HASHES_FILE } from '../template/cache';
import { stageTemplateInputs } from '../template/stage-stack-values';
import { BatchformValidationError } from '../validate/problem';
import { cfnResourceTypes, describeResourceTypeProblem, resourceTypeProblems } from '../validate/resource-types';
import { closestName } from '../validate/rules/known-keys';
import { validateDeclarations } from '../validate/validate';
import { declarationWarnings } from '../validate/warnings';
import type { WorkflowCli } from '../workflows/batchform-workflow';
import { addBatchformWorkflow } from '../workflows/workflow-file';

/** Options of the batchform component. */
export interface BatchformOptions {
  /**
   * The scheduled batches. More can be added with `addBatch()`.
   * @default []
   */
  readonly batches?: BatchOptions[];
  /**
   * The deployment targets. More can be added with `addStage()`.
   * @default []
   */
  readonly stages?: StageOptions[];
  /**
   * Directory, relative to the project root, for the templates and the manifest.
   * @default 'cfn-out'
   */
  readonly outdir?: string;
  /**
   * The command that runs the batchform CLI in tasks.
   * @default 'batchform' (the installed package's bin)
   * @example 'tsx src/cli/main.ts' (this repository, which runs its own source)
   */
  readonly cliCommand?: string;
  /**
   * The GitHub repository (`OWNER/REPO`, exact capitalization) whose workflows the bootstrap
   * roles trust; the default of the bootstrap template's `GitHubRepository` parameter.
   * @default - none: pass `GitHubRepository=OWNER/REPO` to `npx projen bootstrap:<stage>`
   * @example 'batchform/batchform'
   */
  readonly githubRepository?: string;
  /**
   * The branch whose pushes deploy; pull requests against any branch are previewed.
   * @default 'main'
   */
  readonly deployBranch?: string;
  /**
   * The repository's OIDC subject template (GitHub's `include_claim_keys`), which the bootstrap
   * roles' trust must match; the default of the bootstrap template's `GitHubSubjectClaimKeys`.
   * One of `[]` (GitHub's default subject: the deploy role trusts any job in the stage's
   * environment, so only the environment's deployment-branch rule keeps other branches out),
   * `['repo', 'context', 'ref']` (the deploy role trusts the environment AND `deployBranch`), or
   * `['repo', 'context', 'ref', 'job_workflow_ref']` (also each role's workflow file). Any other
   * list fails `npx projen`.
   *
   * Set the same keys in GitHub (a repository administrator; it changes the subject of every OIDC
   * token the repository's workflows request, so other roles that trust this repository must
   * follow), then re-run `npx projen bootstrap:<stage>`:
   * `gh api --method PUT repos/OWNER/REPO/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref'`.
   * `batchform check-github --stage <stage>` compares the two.
   * @default [] (GitHub's default subject)
   * @example ['repo', 'context', 'ref']
   */
  readonly githubSubjectClaimKeys?: string[];
  /**
   * Whether to write `.github/workflows/batchform.yml` (build, preview, deploy). Needs projen's
   * GitHub support (`github: true`); replaces projen's build workflow (set `buildWorkflow: false`).
   * @default true
   */
  readonly workflows?: boolean;
  /**
   * How the workflow jobs that hold AWS credentials (preview, deploy) get the batchform CLI. They
   * never install the project: by default they take only the `batchform` package locked in the
   * trusted checkout's package-lock.json, its tarball checked against the lock's integrity.
   * @default { kind: 'package' }
   * @example { kind: 'source', install: ['npm ci', 'npx projen bundle:ci'], script: 'lib/batchform-ci.cjs' } // batchform's own repository
   */
  readonly workflowCli?: WorkflowCli;
  /**
   * Node.js version of the workflow jobs.
   * @default '24'
   */
  readonly workflowNodeVersion?: string;
  /**
   * Resource types the deploy jobs never replace: a stack whose change set would replace (or
   * possibly replace) one fails before execution, unless a pull request merged into the deployed
   * commit carries `allowReplacementLabel`. Types as CloudFormation names them; an AWS type the
   * installed aws-cdk-lib does not know (a typo such as `AWS::Logs::Loggroup`) stops `npx projen`
   * with the closest real type.
   * @default [] (replacements are allowed)
   * @example ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] // keep log history and queued runs
   */
  readonly refuseReplacement?: string[];
  /**
   * The pull-request label that allows the deploy of its merge to replace the refused types.
   * @default 'batchform:allow-replacement'
   */
  readonly allowReplacementLabel?: string;
  /**
   * The pull-request label that allows the deploy of its merge to delete the stacks of batches
   * removed from the declarations (or renamed). Without it (or `deploy --allow-removal`), a deploy
   * that would delete a stack deploys nothing and exits 2.
   * @default 'batchform:allow-removal'
   */
  readonly allowRemovalLabel?: string;
  /**
   * The project's identity: every stack carries it in its `batchform:project` tag, and a live
   * stack of a stage with this tag, the stage's tag and the stage's stack prefix that the
   * declarations no longer list is a removed batch (previewed as a deletion, deleted by an allowed
   * deploy). A stack without it, or with another project's, is never touched. Keep it when the
   * package is renamed (set it to the old name), or stacks of removed batches are no longer found.
   * A CloudFormation tag value: 1-256 letters, digits, spaces and `_ . : / = + - @`.
   * @default the package name (package.json `name`), else the projen project's name
   * @example '@acme/batches'
   */
  readonly projectId?: string;
}


/**
 * Adds batchform to a projen project: validates the declared batches and stages on every
 * `npx projen`, writes one CloudFormation template per batch plus the deploy manifest and the
 * one-time bootstrap template, the GitHub workflow that builds, previews and deploys (when the
 * project has GitHub support), and adds the `lint:cfn`, `schedule`, `bundle`, `package:batches`,
 * `invoke`, `preview`, `deploy` and `bootstrap:<stage>` tasks.
 *
 * Validation runs before projen touches any file, so an invalid declaration makes `npx projen`
 * fail with every problem listed and leaves the working tree as it was.
 *
 * @example
 * new Batchform(project, {
 *   stages: [{ name: 'prod', account: '111122223333', region: 'ap-northeast-2', artifactBucket: 'my-artifacts' }],
 *   batches: [{ name: 'daily-stats', handler: 'handlers/daily-stats.ts', schedule: 'cron(10 15 * * ? *)' }],
 * });
 */
export class Batchform extends Component {
  /** The output directory, relative to the project root. */
  public readonly outdir: string;
  private readonly batches: BatchOptions[];
  private readonly stages: StageOptions[];
  private readonly cli: string;
  /** The manifest's path relative to the project root. */
  private readonly manifestPath: string;
  private readonly options: BatchformOptions;
  /** See {@link BatchformOptions.projectId}. */
  private readonly projectId: string;

  constructor(project: Project, options: BatchformOptions = {}) {
    super(project, 'batchform');
    checkOptionKeys(options);
    if (options.githubRepository !== undefined && !new RegExp(REPOSITORY_PATTERN).test(options.githubRepository)) {
      throw new Error(`batchform: githubRepository "${options.githubRepository}" is not OWNER/REPO. Fix: write it as GitHub shows it, e.g. "batchform/batchform".`);
    }
    if (options.deployBranch !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(options.deployBranch)) {
      throw new Error(`batchform: deployBranch "${options.deployBranch}" is not a branch name batchform can use. Fix: use letters, digits, ".", "_", "-" and "/", e.g. "main".`);
    }
    const [badType] = options.refuseReplacement === undefined ? [] : resourceTypeProblems(options.refuseReplacement, cfnResourceTypes());
    if (badType !== undefined) {
      const example = Array.isArray(options.refuseReplacement) ? '["AWS::Logs::LogGroup"]' : JSON.stringify([options.refuseReplacement]);
      throw new Error(`batchform: refuseReplacement ${describeResourceTypeProblem(badType)}. Fix: `
        + (Array.isArray(options.refuseReplacement) ? 'name types as CloudFormation does, e.g. "AWS::Logs::LogGroup".' : `write a list, e.g. ${example}.`));
    }
    if (options.allowReplacementLabel !== undefined && !/^[^'"`$\\\n]{1,50}$/.test(options.allowReplacementLabel)) {
      throw new Error(`batchform: allowReplacementLabel ${JSON.stringify(options.allowReplacementLabel)} is not a usable label. Fix: use 1 to 50 characters without quotes, "$" or backslashes, e.g. "batchform:allow-replacement".`);
    }
    if (options.allowRemovalLabel !== undefined && !/^[^'"`$\\\n]{1,50}$/.test(options.allowRemovalLabel)) {
      throw new Error(`batchform: allowRemovalLabel ${JSON.stringify(options.allowRemovalLabel)} is not a usable label. Fix: use 1 to 50 characters without quotes, "$" or backslashes, e.g. "batchform:allow-removal".`);
    }
    this.projectId = options.projectId ?? (project instanceof javascript.NodeProject ? project.package.packageName : project.name);
    if (!PROJECT_ID_PATTERN.test(this.projectId)) {
      throw new Error(`batchform: projectId ${JSON.stringify(this.projectId)} is not a usable tag value${options.projectId === undefined ? ' (it is the package name; set projectId)' : ''}. ` +
        'Fix: use 1 to 256 letters, digits, spaces and _ . : / = + - @, e.g. projectId: "acme-batches".');
    }
    this.options = options;
    this.outdir = options.outdir ?? DEFAULT_OUTDIR;
    this.manifestPath = `${this.outdir}/${MANIFEST_FILE}`;
    this.batches = [...(options.batches ?? [])];
    this.stages = [...(options.stages ?? [])];
    const cli = options.cliCommand ?? 'batchform';
    this.cli = cli;

    const lint = addCliTask(project, 'lint:cfn', {
      description: 'Lint every generated CloudFormation template (cfn-lint when on PATH, else the offline validator); fails on errors and warnings',
      exec: `${cli} lint-cfn ${this.outdir}`,
      receiveArgs: true,
    });
    // Templates are part of what the tests check: a template cfn-lint rejects fails the build.
    project.testTask.spawn(lint);
    typeCheckHandlers(project);
    warnIfNotDeclared(project);
    // invoke's local values (a local database URL, secrets' local values) never reach git.
    project.gitignore.exclude(`/${LOCAL_ENV_FILE}`);
    // invoke's local run ledger (with its lock and temporary files): this machine's runs only.
    project.gitignore.exclude(`/${LOCAL_LEDGER_FILE}*`);

    addCliTask(project, 'schedule', {
      description: 'Show every batch, the zone it runs in, its schedule in words and its next run times in UTC and its zone (DST changes marked; --batch, --stage, -n, --from ISO)',
      exec: `${cli} schedule --manifest ${this.manifestPath}`,
      receiveArgs: true,
    });
    addBundleTasks(project, cli, this.manifestPath);
    addCliTask(project, 'preview', {
      description: 'Create, describe and delete the change sets of one stage, never executing them: npx projen preview --stage <s>',
      exec: `${cli} preview --manifest ${this.manifestPath}`,
      receiveArgs: true,
    });
    addCliTask(project, 'deploy', {
      description: 'Upload the code and execute the change sets of the stacks that changed in one stage: npx projen deploy --stage <s>',
      exec: `${cli} deploy --manifest ${this.manifestPath}`,
      receiveArgs: true,
    });
    addOperateTasks(project, cli, this.manifestPath);
  }

  /**
   * Validates the declarations. An invalid one throws; when nothing catches it (a `.projenrc.ts`
   * run), the process prints only the problem list and exits 1, instead of Node's source excerpt,
   * stack trace and dump of the error's fields.
   */
  private validate(): ValidatedDeclarations {
    try {
      return validateDeclarations({ batches: this.batches, stages: this.stages }, { projectDir: this.project.outdir });
    } catch (e) {
      if (e instanceof BatchformValidationError) exitCleanlyIfUncaught(e, this.project.outdir);
      throw e;
    }
  }

  /** Warnings for declarations that are valid but quietly do less than a reader would expect. */
  private warnAboutSilences(validated: ValidatedDeclarations): void {
    for (const stage of validated.stages) {
      if (stage.alarmEmails.length > 0 || stage.alarmTopicArn) continue;
      // A batch with a topic of its own notifies it.
      const alarmed = validated.batches.filter((b) => b.alarms && b.alarmTopicArn === undefined && b.stages.includes(stage.name)).map((b) => `"${b.name}"`);
      if (alarmed.length === 0) continue;
      this.project.logger.warn(`batchform: stage "${stage.name}" has neither alarmEmails nor alarmTopicArn, so the alarms of batch${alarmed.length === 1 ? '' : 'es'} ${alarmed.join(', ')} notify nobody (they only show in CloudWatch). Fix: set alarmEmails: ['oncall@example.com'] or alarmTopicArn on the stage, or alarms: false on the batch.`);
    }
    const gh = github.GitHub.of(this.project.root);
    if ((this.options.workflows ?? true) && (!gh || !gh.workflowsEnabled)) {
      this.project.logger.warn('batchform: this project has no GitHub workflows (github: false), so .github/workflows/batchform.yml is not written and nothing previews or deploys the batches. Fix: set github: true in .projenrc.ts, or workflows: false on Batchform if you deploy another way.');
    }
  }

  /** Declares one more batch. */
  public addBatch(batch: BatchOptions): void {
    this.batches.push(batch);
  }

  /** Declares one more stage. */
  public addStage(stage: StageOptions): void {
    this.stages.push(stage);
  }

  /** Validates everything, then registers the generated files (before projen writes or deletes any). */
  public preSynthesize(): void {
    this.generate();
  }

  private generate(): void {
    const validated = this.validate();
    this.warnAboutSilences(validated);
    addBatchBundleTasks(this.project, this.cli, this.manifestPath, validated.batches.map((b) => b.name));
    for (const warning of declarationWarnings(validated)) this.project.logger.warn(`batchform: ${warning}`);
    const bootstrap = `${this.outdir}/${BOOTSTRAP_TEMPLATE_FILE}`;
    const bootstrapOptions = {
      githubRepository: this.options.githubRepository,
      branch: this.options.deployBranch,
      subjectClaimKeys: checkSubjectClaimKeys(this.options.githubSubjectClaimKeys),
    };
    const byName = new Map(validated.batches.map((b) => [b.name, b]));
    // Only templates whose inputs (or batchform itself) changed are synthesized, all in one App;
    // the bootstrap stack's id cannot clash with a batch name (it is reserved).
    const hashesFile = `${this.outdir}/${TEMPLATE_HASHES_FILE}`;
    // The stage stack's id is its reserved name too (`stage`).
    const { contents, hashes } = cachedTemplates(this.project.outdir, hashesFile, [
      ...validated.batches.map((b) => ({ name: b.name, file: templatePath(this.outdir, b.name), inputs: b })),
      { name: BOOTSTRAP_STACK_ID, file: bootstrap, inputs: bootstrapOptions },
      { name: STAGE_STACK_SUFFIX, file: stageTemplatePath(this.outdir), inputs: stageTemplateInputs(validated) },
    ], (names) => synthesize(
      names.filter((n) => byName.has(n)).map((n) => byName.get(n)!),
      names.includes(BOOTSTRAP_STACK_ID) ? bootstrapOptions : undefined,
      names.includes(STAGE_STACK_SUFFIX) ? validated : undefined,
    ));
    for (const b of validated.batches) new RenderedFile(this.project, templatePath(this.outdir, b.name), contents[b.name]);
    new RenderedFile(this.project, stageTemplatePath(this.outdir), contents[STAGE_STACK_SUFFIX]);
    // Every stage's watchdog configuration: packaging zips it with the watchdog's handler.
    new RenderedFile(this.project, watchdogConfigPath(this.outdir), watchdogConfigJson(validated));
    new JsonFile(this.project, this.manifestPath, {
      obj: buildManifest(validated, this.outdir, this.projectId), marker: false, readonly: true,
    });
    new RenderedFile(this.project, bootstrap, contents[BOOTSTRAP_STACK_ID]);
    new JsonFile(this.project, hashesFile, { obj: hashes, marker: false, readonly: true });
    addBootstrapTasks(this.project, validated.stages, { cli: this.cli, manifestPath: this.manifestPath, templatePath: bootstrap });
    if (this.options.workflows ?? true) {
      const stages = validated.stages.map((stage) => ({
        ...stage,
        // The batch stacks and the stage stack, deployed first.
        stackCount: validated.batches.filter((b) => b.stages.includes(stage.name)).length + 1,
      }));
      addBatchformWorkflow(this.project, stages, {
        cli: this.options.workflowCli,
        artifactPaths: [`${this.outdir}/`, `${DEFAULT_PACKAGE_DIR}/*.zip`, DEFAULT_BUNDLES_PATH],
        branch: this.options.deployBranch,
        nodeVersion: this.options.workflowNodeVersion,
        refuseReplacement: this.options.refuseReplacement,
        allowReplacementLabel: this.options.allowReplacementLabel,
        allowRemovalLabel: this.options.allowRemovalLabel,
      });
    }
  }
}

/**
 * Synthesizes the given batch templates (and the bootstrap template when its options are given)
 * in one App. aws-cdk-lib and the template builders are loaded here, on first use, so a
 * regeneration that reuses every template never loads them.
 */
function synthesize(
  batches: readonly Batch[], bootstrapOptions: BootstrapTemplateOptions | undefined, stageDecl: ValidatedDeclarations | undefined,
): Record<string, unknown> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { synthesizeStacks } = require('../template/synth') as typeof import('../template/synth');
  const { batchStackBuilders } = require('../template/batch-template') as typeof import('../template/batch-template');
  const { stageStackBuilder } = require('../template/stage-stack') as typeof import('../template/stage-stack');
  const { addBootstrapResources } = require('../bootstrap/bootstrap-template') as typeof import('../bootstrap/bootstrap-template');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return synthesizeStacks({
    ...batchStackBuilders(batches),
    ...(bootstrapOptions ? { [BOOTSTRAP_STACK_ID]: (stack) => addBootstrapResources(stack, bootstrapOptions) } : {}),
    ...(stageDecl ? stageStackBuilder(stageDecl) : {}),
  });
}

/** The handlers directory every batch's handler lives in (the handler rule enforces it). */
const HANDLERS_GLOB = 'handlers/**/*.ts';

/** Every key of {@link BatchformOptions} (the compiler keeps the two equal). @internal */
export const BATCHFORM_OPTION_KEYS = {
  batches: true,
  stages: true,
  outdir: true,
  cliCommand: true,
  githubRepository: true,
  deployBranch: true,
  githubSubjectClaimKeys: true,
  workflows: true,
  workflowCli: true,
  workflowNodeVersion: true,
  refuseReplacement: true,
  allowReplacementLabel: true,
  allowRemovalLabel: true,
  projectId: true,
} as const satisfies Record<keyof BatchformOptions, true>;

/**
 * Rejects an option `Batchform` does not know: `.projenrc.ts` may run untyped (tsx), and a
 * misspelled `stage:` would otherwise declare nothing, silently.
 */
function checkOptionKeys(options: BatchformOptions): void {
  const known = Object.keys(BATCHFORM_OPTION_KEYS);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const fixes = unknown.map((k) => {
    const near = closestName(k, known);
    return `"${k}"${near ? ` (did you mean "${near}"?)` : ''}`;
  });
  throw new Error(`batchform: unknown Batchform option${unknown.length === 1 ? '' : 's'} ${fixes.join(', ')}. Fix: use the options batchform knows: ${known.join(', ')}.`);
}

/**
 * Puts `handlers/` under a TypeScript project's type-check: its dev tsconfig includes them and the
 * test task type-checks that tsconfig first, so a typo in a handler fails `npx projen build`
 * (jest only type-checks the files its tests import).
 */
function typeCheckHandlers(project: Project): void {
  if (!(project instanceof typescript.TypeScriptProject)) return;
  // Includes are relative to the tsconfig's own directory (projen's default is test/tsconfig.json).
  const fromConfig = path.posix.relative(path.posix.dirname(project.tsconfigDev.fileName), '.');
  project.tsconfigDev.addInclude(fromConfig ? `${fromConfig}/${HANDLERS_GLOB}` : HANDLERS_GLOB);
  const command = `tsc --noEmit -p ${project.tsconfigDev.fileName}`;
  if (!project.testTask.steps.some((s) => s.exec === command)) project.testTask.prependExec(command);
  for (const config of [project.tsconfig, project.tsconfigDev]) {
    if (config) raiseLibTo2022(config);
  }
}

/**
 * The durable execution SDK's typings (`batchform/runtime/durable`) name ES2022 types
 * (`ErrorOptions`): a project whose tsconfig `lib` is older (projen's default is `es2020`) gets
 * `es2022` instead, so durable batches type-check under projen's defaults. Newer libs stay.
 */
function raiseLibTo2022(config: javascript.TypescriptConfig): void {
  const lib = config.compilerOptions?.lib;
  if (!lib) return;
  const year = (l: string): number | undefined => {
    const m = /^es(\d{4})$/i.exec(l);
    return m ? Number(m[1]) : undefined;
  };
  const raised = lib.map((l) => (year(l) !== undefined && year(l)! < 2022 ? 'es2022' : l));
  if (raised.some((l, i) => l !== lib[i])) config.file.addOverride('compilerOptions.lib', [...new Set(raised)]);
}

/**
 * Warns when the project uses batchform without declaring it: a package installed with a bare
 * `npm i batchform` is removed by the next `npx projen`, and `.projenrc.ts` then fails with TS2307.
 */
function warnIfNotDeclared(project: Project): void {
  if (!(project instanceof javascript.NodeProject) || project.package.packageName === 'batchform') return;
  if (project.deps.all.some((d) => d.name === 'batchform')) return;
  project.logger.warn("batchform: batchform is not declared in this project's dependencies, so npx projen will remove it (\"Removing unmanaged dependencies\") and .projenrc.ts will then fail with TS2307. Fix: add devDeps: ['batchform'] to the project in .projenrc.ts and run npx projen.");
}

let uncaughtListener: ((error: unknown) => void) | undefined;

/**
 * Arranges that `error`, if nothing catches it, prints only its message (the problem list) and
 * exits 1. A caller that catches it (tests, a program synthesizing projects) sees a normal throw;
 * any other uncaught error keeps Node's default handling.
 */
function exitCleanlyIfUncaught(error: BatchformValidationError, projectDir: string): void {
  if (uncaughtListener) process.removeListener('uncaughtException', uncaughtListener);
  const listener = (e: unknown): void => {
    process.removeListener('uncaughtException', listener);
    uncaughtListener = undefined;
    if (e === error) {
      // In a GitHub Actions job: annotations on .projenrc.ts, the job summary and the problems file.
      reportProblemsToGitHub(error.problems, projectDir);
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    // Not ours: give it back to Node's default handler (or the other listeners) unchanged.
    if (process.listenerCount('uncaughtException') === 0) process.nextTick(() => { throw e; });
  };
  uncaughtListener = listener;
  process.on('uncaughtException', listener);
}
