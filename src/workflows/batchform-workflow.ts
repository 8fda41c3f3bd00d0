// The batchform workflows as data: an untrusted build of every pull request and push, a preview of pull requests from trusted code, a deploy of `main`.
import { github } from 'projen';
import { ACTIONLINT_IMAGE, ACTIONS, CFN_LINT_VERSION } from './actions';
import { ALLOW_REPLACEMENT_SCRIPT, DEFAULT_ALLOW_REPLACEMENT_LABEL } from './allow-replacement';
import { INSTALL_CLI_SCRIPT } from './install-cli';
import { deployJobTimeoutMinutes, previewJobTimeoutMinutes } from './job-timeouts';
import { PULL_REQUEST_SCRIPT } from './pull-request';
import { commentMarker, STICKY_COMMENT_SCRIPT } from './sticky-comment';
import { DEPLOY_WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE as PREVIEW_WORKFLOW_PATH } from '../bootstrap/trust';
import type { Stage } from '../model/validated';

type Job = github.workflows.Job;
type JobStep = github.workflows.JobStep;
const { JobPermission } = github.workflows;

/** The stage fields the workflows read, and how many stacks the stage deploys (which sizes the job timeouts). */
export type WorkflowStage = Pick<Stage, 'name' | 'region' | 'githubEnvironment' | 'previewRoleArn' | 'deployRoleArn'> & {
  /**
   * Batch stacks of the stage.
   * @default 1
   */
  readonly stackCount?: number;
};

/**
 * How the jobs that hold AWS credentials get the batchform CLI. They never install the project:
 * its install scripts and its code are whatever the commit says, and on a pull request that is
 * the author's.
 */
export type WorkflowCli =
  /** The `batchform` package the trusted checkout's package-lock.json locks, its tarball checked against the lock's integrity. */
  | { readonly kind: 'package' }
  /**
   * Commands run in the trusted checkout that leave the bundled CLI at `script` (this repository,
   * whose CLI is its own source).
   */
  | { readonly kind: 'source'; readonly install: readonly string[]; readonly script: string };

/** Options of {@link batchformWorkflows}. */
export interface BatchformWorkflowOptions {
  /**
   * Paths the build uploads for the preview and deploy jobs: the templates and manifest, and the
   * packaged code zips.
   * @example ['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json']
   */
  readonly artifactPaths: readonly string[];
  /**
   * How the credentialed jobs get the CLI.
   * @default { kind: 'package' }
   */
  readonly cli?: WorkflowCli;
  /**
   * The branch whose pushes deploy; the preview workflow runs from the default branch, which
   * batchform takes to be this one.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * How the workflow runs projen.
   * @default 'npx projen'
   */
  readonly projenCommand?: string;
  /**
   * Installs dependencies exactly as locked (the build job only).
   * @default 'npm ci'
   */
  readonly installCommand?: string;
  /**
   * The package manager whose cache `actions/setup-node` restores in the build (`'none'`: no cache).
   * @default 'npm'
   */
  readonly packageManager?: 'npm' | 'yarn' | 'pnpm' | 'none';
  /**
   * Node.js version on the runners.
   * @default '24'
   */
  readonly nodeVersion?: string;
  /**
   * Resource types the deploy jobs never replace (`deploy --refuse-replacement`), unless a pull
   * request merged into the deployed commit carried {@link allowReplacementLabel} when it was merged.
   * @default [] (replacements are allowed)
   * @example ['AWS::Logs::LogGroup', 'AWS::SQS::Queue']
   */
  readonly refuseReplacement?: readonly string[];
  /**
   * The pull-request label that allows replacing the refused types in the deploy of its merge.
   * @default 'batchform:allow-replacement'
   */
  readonly allowReplacementLabel?: string;
  /**
   * Minutes a stage's deploy job may run, from its stack count.
   * @default deployJobTimeoutMinutes (sized from the stack count at the default concurrency)
   */
  readonly deployTimeoutMinutes?: (stackCount: number) => number;
  /**
   * Minutes a stage's preview job may run, from its stack count.
   * @default previewJobTimeoutMinutes (sized from the stack count at the default concurrency)
   */
  readonly previewTimeoutMinutes?: (stackCount: number) => number;
}

/** Runner labels of every job. */
const RUNS_ON = ['ubuntu-latest'];

/** One workflow: triggers, workflow-level concurrency and jobs (permissions are `{}` at the top of each). */
export interface WorkflowSpec {
  /** The workflow's name: what `workflow_run` triggers refer to. */
  readonly name: string;
  /** Its file under `.github/workflows/`. */
  readonly fileName: string;
  readonly triggers: github.workflows.Triggers;
  readonly concurrency: { readonly 'group': string; readonly 'cancel-in-progress': string | boolean };
  readonly jobs: Record<string, Job>;
}

/** The two workflows of a batchform project. */
export interface BatchformWorkflows {
  /** Build (every pull request and push) and deploy (pushes to the deploy branch). */
  readonly main: WorkflowSpec;
  /** Preview of pull requests, run by GitHub from the default branch after the build completes. */
  readonly preview?: WorkflowSpec;
}

/** Name of the build-and-deploy workflow (the preview workflow's `workflow_run` trigger names it). */
export const MAIN_WORKFLOW = 'batchform';
/** Name of the preview workflow. */
export const PREVIEW_WORKFLOW = 'batchform preview';
/** File names under `.github/workflows/`: the paths the bootstrap roles' trust names (with job_workflow_ref). */
export const MAIN_WORKFLOW_FILE = DEPLOY_WORKFLOW_FILE.split('/').pop()!;
export const PREVIEW_WORKFLOW_FILE = PREVIEW_WORKFLOW_PATH.split('/').pop()!;

/** Id of the build job. */
export const BUILD_JOB = 'build';
/** Name of the artifact the build uploads and the other jobs download. */
export const BUILD_ARTIFACT = 'batchform-build';
/** Name of the artifact a failed build uploads with its declaration problems. */
export const PROBLEMS_ARTIFACT = 'batchform-problems';
/** Environment variable naming the file the component writes declaration problems to (JSON). */
export const PROBLEMS_FILE_ENV = 'BATCHFORM_PROBLEMS_FILE';
/** The problems file's name in the build's temporary directory and in its artifact. */
export const PROBLEMS_FILE = 'batchform-problems.json';
/** Environment variable the CLI installation sets: the bundled CLI's path. */
export const CLI_ENV = 'BATCHFORM_CI';

/** Id of a stage's preview job. */
export function previewJobId(stage: string): string {
  return `preview-${stage}`;
}
/** Id of a stage's deploy job. */
export function deployJobId(stage: string): string {
  return `deploy-${stage}`;
}
/** Markdown report a stage's preview writes (in the runner's temporary directory). */
export function previewReport(stage: string): string {
  return `batchform-preview-${stage}.md`;
}
/** Markdown report a stage's deploy writes (in the runner's temporary directory). */
export function deployReport(stage: string): string {
  return `batchform-deploy-${stage}.md`;
}

/** The build that triggered a preview ran for a pull request. */
export const AFTER_PULL_REQUEST_BUILD = "github.event.workflow_run.event == 'pull_request'";
/** The triggering build succeeded: there is something to preview. */
export const BUILD_SUCCEEDED = "github.event.workflow_run.conclusion == 'success'";
/** The triggering build failed: the comment says so instead. */
export const BUILD_FAILED = "github.event.workflow_run.conclusion == 'failure'";
/** The pull request step found a pull request of this repository (forks are skipped with a notice). */
export const HAS_PULL_REQUEST = "steps.pr.outputs.number != ''";

/** Pushes to (or manual runs on) the deploy branch, never pull requests. */
export function deployCondition(branch: string): string {
  return `github.event_name != 'pull_request' && github.ref == 'refs/heads/${branch}'`;
}

/** Role session names: at most 64 of `[\w+=,.@-]`. */
function sessionName(kind: string, stage: string): string {
  return `batchform-${kind}-${stage}`.slice(0, 64);
}

interface Resolved {
  readonly artifactPaths: readonly string[];
  readonly cli: WorkflowCli;
  readonly branch: string;
  readonly projen: string;
  readonly install: string;
  readonly packageManager: string;
  readonly nodeVersion: string;
  readonly refuseReplacement: readonly string[];
  readonly allowReplacementLabel: string;
  readonly deployTimeout: (stackCount: number) => number;
  readonly previewTimeout: (stackCount: number) => number;
}

function resolve(o: BatchformWorkflowOptions): Resolved {
  return {
    artifactPaths: o.artifactPaths,
    cli: o.cli ?? { kind: 'package' },
    branch: o.branch ?? 'main',
    projen: o.projenCommand ?? 'npx projen',
    install: o.installCommand ?? 'npm ci',
    packageManager: o.packageManager ?? 'npm',
    nodeVersion: o.nodeVersion ?? '24',
    refuseReplacement: o.refuseReplacement ?? [],
    allowReplacementLabel: o.allowReplacementLabel ?? DEFAULT_ALLOW_REPLACEMENT_LABEL,
    deployTimeout: o.deployTimeoutMinutes ?? ((n) => deployJobTimeoutMinutes(n)),
    previewTimeout: o.previewTimeoutMinutes ?? ((n) => previewJobTimeoutMinutes(n)),
  };
}

/** Where the build's artifact is unpacked in the credentialed jobs: outside the checkout, so its files never shadow trusted ones. */
const BUILD_DIR = '${{ runner.temp }}/batchform-build';

function checkout(): JobStep {
  // The token is not left in .git/config: no later step pushes, and none should be able to.
  return { name: 'Check out', uses: ACTIONS.checkout.uses, with: { 'persist-credentials': false } };
}

function setupNode(o: Resolved, cache: boolean): JobStep {
  return {
    name: 'Set up Node.js',
    uses: ACTIONS.setupNode.uses,
    with: { 'node-version': o.nodeVersion, ...(cache && o.packageManager !== 'none' ? { cache: o.packageManager } : {}) },
  };
}

/** The trusted checkout, Node.js and the bundled CLI (its path in `$BATCHFORM_CI`), nothing of the project installed. */
function trustedCli(o: Resolved, when?: string): JobStep[] {
  const at = (s: JobStep): JobStep => (when ? { ...s, if: when } : s);
  if (o.cli.kind === 'source') {
    const script = o.cli.script;
    return [
      checkout(),
      setupNode(o, true),
      ...o.cli.install.map((command) => ({ name: `Build the CLI from the trusted checkout: ${command}`, run: command })),
      { name: 'Use the CLI just built', run: `echo "${CLI_ENV}=$GITHUB_WORKSPACE/${script}" >> "$GITHUB_ENV"` },
    ].map(at);
  }
  return [
    checkout(),
    setupNode(o, false),
    {
      name: 'Install the batchform CLI the checkout locks (only it, integrity checked)',
      uses: ACTIONS.githubScript.uses,
      env: { LOCKFILE: 'package-lock.json', PACKAGE: 'batchform', DEST: '${{ runner.temp }}/batchform-cli' },
      with: { script: INSTALL_CLI_SCRIPT },
    },
  ].map(at);
}

function assumeRole(kind: 'preview' | 'deploy', stage: WorkflowStage, roleArn: string, when?: string): JobStep {
  return {
    name: `Assume the ${kind} role of stage ${stage.name} (OIDC)`,
    ...(when ? { if: when } : {}),
    uses: ACTIONS.configureAwsCredentials.uses,
    with: { 'role-to-assume': roleArn, 'aws-region': stage.region, 'role-session-name': sessionName(kind, stage.name) },
  };
}

const ANTI_TAMPER = [
  'git add --all',
  'if ! git diff --cached --quiet; then',
  '  git diff --cached --stat',
  '  echo "::error title=Generated files are out of date::The build changed files that are committed. Run npx projen, commit the result and push."',
  '  exit 1',
  'fi',
].join('\n');

function buildJob(o: Resolved, lintedFiles: readonly string[]): Job {
  return {
    name: 'Build, test and package',
    runsOn: RUNS_ON,
    // Pull-request code runs here: it gets a read-only token and no OIDC token, so nothing it does reaches AWS.
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 30,
    steps: [
      checkout(),
      // The files batchform writes, not every workflow of the project: projen's own (release,
      // upgrade) are projen's to fix, and a project may have others it does not lint.
      {
        name: 'Lint the batchform workflows (actionlint with shellcheck)',
        uses: ACTIONLINT_IMAGE.uses,
        with: { args: ['-color', ...lintedFiles].join(' ') },
      },
      setupNode(o, true),
      { name: 'Install dependencies', run: o.install },
      { name: 'Install cfn-lint', run: `pipx install cfn-lint==${CFN_LINT_VERSION}` },
      // The real cfn-lint through the lint:cfn wrapper; --engine makes a missing cfn-lint an error.
      { name: 'Lint templates (cfn-lint)', run: `${o.projen} lint:cfn --engine cfn-lint` },
      {
        id: 'build',
        name: 'Build: regenerate, compile, test, package',
        // A declaration problem is annotated on .projenrc.ts, listed in the job summary and written here for the preview's comment.
        env: { [PROBLEMS_FILE_ENV]: `\${{ runner.temp }}/${PROBLEMS_FILE}` },
        run: `${o.projen} build`,
      },
      { name: 'Fail if generated files differ from the commit', run: ANTI_TAMPER },
      {
        name: 'Upload the templates and code zips',
        uses: ACTIONS.uploadArtifact.uses,
        with: {
          'name': BUILD_ARTIFACT,
          'path': o.artifactPaths.join('\n'),
          'if-no-files-found': 'error',
          'retention-days': 7,
          'overwrite': true,
        },
      },
      {
        name: 'Upload the declaration problems (for the pull request\'s comment)',
        if: "failure() && steps.build.outcome == 'failure'",
        uses: ACTIONS.uploadArtifact.uses,
        with: {
          'name': PROBLEMS_ARTIFACT,
          'path': `\${{ runner.temp }}/${PROBLEMS_FILE}`,
          'if-no-files-found': 'ignore',
          'retention-days': 7,
          'overwrite': true,
        },
      },
    ],
  };
}

/** The sticky comment step, for a successful build's report or a failed build's problems. */
function commentStep(stage: WorkflowStage): JobStep {
  return {
    name: 'Comment on the pull request (one comment, updated in place)',
    if: `\${{ !cancelled() && ${HAS_PULL_REQUEST} }}`,
    uses: ACTIONS.githubScript.uses,
    env: {
      REPORT: `\${{ runner.temp }}/${previewReport(stage.name)}`,
      STAGE: stage.name,
      MARKER: commentMarker(stage.name),
      OUTCOME: '${{ steps.preview.outcome }}',
      BUILD: '${{ github.event.workflow_run.conclusion }}',
      BUILD_URL: '${{ github.event.workflow_run.html_url }}',
      PROBLEMS: `\${{ runner.temp }}/batchform-problems/${PROBLEMS_FILE}`,
      NUMBER: '${{ steps.pr.outputs.number }}',
      SHA: '${{ github.event.workflow_run.head_sha }}',
    },
    with: { script: STICKY_COMMENT_SCRIPT },
  };
}

function previewJob(o: Resolved, stage: WorkflowStage, roleArn: string): Job {
  const inPr = HAS_PULL_REQUEST;
  const built = `${HAS_PULL_REQUEST} && ${BUILD_SUCCEEDED}`;
  return {
    name: `Preview ${stage.name} (change sets, never executed)`,
    if: `${AFTER_PULL_REQUEST_BUILD} && github.event.workflow_run.conclusion != 'cancelled' && github.event.workflow_run.conclusion != 'skipped'`,
    runsOn: RUNS_ON,
    // actions: read downloads the build run's artifacts; id-token: write is the preview role's OIDC token.
    permissions: { actions: JobPermission.READ, contents: JobPermission.READ, pullRequests: JobPermission.WRITE, idToken: JobPermission.WRITE },
    timeoutMinutes: o.previewTimeout(stage.stackCount ?? 1),
    steps: [
      {
        id: 'pr',
        name: 'Which pull request was built (forks are skipped)',
        uses: ACTIONS.githubScript.uses,
        env: { STAGE: stage.name },
        with: { script: PULL_REQUEST_SCRIPT },
      },
      // This workflow is the default branch's, and so is this checkout: the pull request's tree is
      // never checked out here, only its build's data (templates, manifest, zips) is downloaded.
      ...trustedCli(o, inPr),
      {
        name: 'Download the templates and code zips the build made',
        if: built,
        uses: ACTIONS.downloadArtifact.uses,
        with: { 'name': BUILD_ARTIFACT, 'path': BUILD_DIR, 'run-id': '${{ github.event.workflow_run.id }}', 'github-token': '${{ github.token }}' },
      },
      {
        name: 'Download the declaration problems of the failed build',
        if: `${HAS_PULL_REQUEST} && ${BUILD_FAILED}`,
        // A build that failed for another reason (a test) uploaded none.
        continueOnError: true,
        uses: ACTIONS.downloadArtifact.uses,
        with: { 'name': PROBLEMS_ARTIFACT, 'path': '${{ runner.temp }}/batchform-problems', 'run-id': '${{ github.event.workflow_run.id }}', 'github-token': '${{ github.token }}' },
      },
      assumeRole('preview', stage, roleArn, built),
      {
        id: 'preview',
        name: 'Preview the change sets',
        if: built,
        workingDirectory: BUILD_DIR,
        // Change sets and the report name the pull request's head, not the default branch this job runs on.
        env: { BATCHFORM_REVISION: '${{ github.event.workflow_run.head_sha }}' },
        // The CLI also appends its report to the job summary.
        run: `node "$${CLI_ENV}" preview --stage ${stage.name} --report "$RUNNER_TEMP/${previewReport(stage.name)}"`,
      },
      commentStep(stage),
    ],
  };
}

function deployJob(o: Resolved, stage: WorkflowStage, roleArn: string, after: string): Job {
  const refused = o.refuseReplacement;
  const deploy = `node "$${CLI_ENV}" deploy --stage ${stage.name} --report "$RUNNER_TEMP/${deployReport(stage.name)}"`;
  return {
    name: `Deploy ${stage.name}`,
    needs: [after],
    if: deployCondition(o.branch),
    runsOn: RUNS_ON,
    // Protection rules and required reviewers of the environment apply before the job starts,
    // and the OIDC token's subject names the environment, which the deploy role trusts.
    environment: stage.githubEnvironment,
    // One deploy per stage at a time, across runs and branches; a running deploy is never cancelled.
    concurrency: { 'group': `batchform-deploy-${stage.name}`, 'cancel-in-progress': false },
    // Reading the merged pull request's labels needs pull-requests: read, only then.
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE, ...(refused.length ? { pullRequests: JobPermission.READ } : {}) },
    timeoutMinutes: o.deployTimeout(stage.stackCount ?? 1),
    steps: [
      // Decided before any AWS credential exists in the job.
      ...(refused.length ? [{
        id: 'replacement',
        name: 'May this deploy replace refused resource types? (label on the pull request when it was merged)',
        uses: ACTIONS.githubScript.uses,
        env: { LABEL: o.allowReplacementLabel, TYPES: refused.join(',') },
        with: { script: ALLOW_REPLACEMENT_SCRIPT },
      }] : []),
      ...trustedCli(o),
      {
        name: 'Download the templates and code zips',
        uses: ACTIONS.downloadArtifact.uses,
        with: { name: BUILD_ARTIFACT, path: BUILD_DIR },
      },
      assumeRole('deploy', stage, roleArn),
      // The CLI appends its report to the job summary itself.
      refused.length ? {
        name: 'Deploy the changed stacks',
        workingDirectory: BUILD_DIR,
        // The types reach the CLI through the environment, quoted.
        env: { REFUSE_REPLACEMENT: '${{ steps.replacement.outputs.refuse }}' },
        run: `${deploy} --refuse-replacement "$REFUSE_REPLACEMENT"`,
      } : { name: 'Deploy the changed stacks', workingDirectory: BUILD_DIR, run: deploy },
    ],
  };
}

/**
 * The workflows of a batchform project.
 *
 * - `batchform` builds every pull request and every push to the deploy branch with no AWS access
 *   (pull-request code runs there), and deploys pushes to the deploy branch (or manual runs on
 *   it) stage after stage, in declaration order, in every stage with a deploy role.
 * - `batchform preview` runs when a pull request's build completes. GitHub runs it from the
 *   default branch, so a pull request cannot change it; it installs the CLI the default branch
 *   locks, takes only the build's data, previews every stage with a preview role, and keeps one
 *   comment per stage on the pull request (or says the build failed, and why).
 */
export function batchformWorkflows(stages: readonly WorkflowStage[], options: BatchformWorkflowOptions): BatchformWorkflows {
  const o = resolve(options);
  const previewed = stages.filter((s) => s.previewRoleArn);
  const linted = [DEPLOY_WORKFLOW_FILE, ...(previewed.length ? [PREVIEW_WORKFLOW_PATH] : [])];
  const jobs: Record<string, Job> = { [BUILD_JOB]: buildJob(o, linted) };
  let previous = BUILD_JOB;
  for (const stage of stages) {
    if (!stage.deployRoleArn) continue;
    jobs[deployJobId(stage.name)] = deployJob(o, stage, stage.deployRoleArn, previous);
    previous = deployJobId(stage.name);
  }
  const main: WorkflowSpec = {
    name: MAIN_WORKFLOW,
    fileName: MAIN_WORKFLOW_FILE,
    triggers: { pullRequest: {}, push: { branches: [o.branch] }, workflowDispatch: {} },
    // A new push to a pull request cancels its superseded run; runs on the deploy branch queue
    // instead, so the latest push is always the one that ends up deployed.
    concurrency: {
      'group': '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    },
    jobs,
  };
  if (!previewed.length) return { main };
  const preview: WorkflowSpec = {
    name: PREVIEW_WORKFLOW,
    fileName: PREVIEW_WORKFLOW_FILE,
    triggers: { workflowRun: { workflows: [MAIN_WORKFLOW], types: ['completed'] } },
    // The newest build of a pull request's branch supersedes an older preview still running.
    concurrency: {
      'group': '${{ github.workflow }}-${{ github.event.workflow_run.head_repository.full_name }}-${{ github.event.workflow_run.head_branch }}',
      'cancel-in-progress': true,
    },
    jobs: Object.fromEntries(previewed.map((s) => [previewJobId(s.name), previewJob(o, s, s.previewRoleArn!)])),
  };
  return { main, preview };
}
