// The batchform workflow as data: build on every pull request and push, preview pull requests, deploy `main`.
import { github } from 'projen';
import type { Stage } from '../validate/model';
import { ACTIONLINT_VERSION, ACTIONS, CFN_LINT_VERSION } from './actions';
import { ALLOW_REPLACEMENT_SCRIPT, DEFAULT_ALLOW_REPLACEMENT_LABEL } from './allow-replacement';
import { commentMarker, STICKY_COMMENT_SCRIPT } from './sticky-comment';

type Job = github.workflows.Job;
type JobStep = github.workflows.JobStep;
const { JobPermission } = github.workflows;

/** The stage fields the workflow reads. */
export type WorkflowStage = Pick<Stage, 'name' | 'region' | 'githubEnvironment' | 'previewRoleArn' | 'deployRoleArn'>;

/** Options of {@link batchformWorkflow}. */
export interface BatchformWorkflowOptions {
  /**
   * The command that runs the batchform CLI (`node_modules/.bin` is on PATH when it runs).
   * @example 'batchform'
   */
  readonly cliCommand: string;
  /**
   * Paths the build uploads for the preview and deploy jobs: the templates and manifest, and the
   * packaged code zips.
   * @example ['cfn-out/', 'dist/batches/']
   */
  readonly artifactPaths: readonly string[];
  /**
   * The branch whose pushes deploy.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * How the workflow runs projen.
   * @default 'npx projen'
   */
  readonly projenCommand?: string;
  /**
   * Installs dependencies exactly as locked.
   * @default 'npm ci'
   */
  readonly installCommand?: string;
  /**
   * The package manager whose cache `actions/setup-node` restores (`'none'`: no cache).
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
   * request merged into the deployed commit carries {@link allowReplacementLabel}.
   * @default [] (replacements are allowed)
   * @example ['AWS::Logs::LogGroup', 'AWS::SQS::Queue']
   */
  readonly refuseReplacement?: readonly string[];
  /**
   * The pull-request label that allows replacing the refused types in the deploy of its merge.
   * @default 'batchform:allow-replacement'
   */
  readonly allowReplacementLabel?: string;
}

/** Runner labels of every job. */
const RUNS_ON = ['ubuntu-latest'];

/** The workflow: triggers, workflow-level concurrency and jobs. */
export interface BatchformWorkflowSpec {
  readonly triggers: github.workflows.Triggers;
  readonly concurrency: { readonly group: string; readonly 'cancel-in-progress': string };
  readonly jobs: Record<string, Job>;
}

/** Id of the build job. */
export const BUILD_JOB = 'build';
/** Name of the artifact the build uploads and the other jobs download. */
export const BUILD_ARTIFACT = 'batchform-build';

/** Id of a stage's preview job. */
export function previewJobId(stage: string): string {
  return `preview-${stage}`;
}
/** Id of a stage's deploy job. */
export function deployJobId(stage: string): string {
  return `deploy-${stage}`;
}
/** Markdown report a stage's preview writes. */
export function previewReport(stage: string): string {
  return `batchform-preview-${stage}.md`;
}
/** Markdown report a stage's deploy writes. */
export function deployReport(stage: string): string {
  return `batchform-deploy-${stage}.md`;
}

/** A pull request from this repository: its jobs get an OIDC token and a writable GITHUB_TOKEN. */
export const FROM_THIS_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';
/** A pull request from a fork: no OIDC token, read-only GITHUB_TOKEN. */
export const FROM_FORK = 'github.event.pull_request.head.repo.full_name != github.repository';

/** Pushes to (or manual runs on) the deploy branch, never pull requests. */
export function deployCondition(branch: string): string {
  return `github.event_name != 'pull_request' && github.ref == 'refs/heads/${branch}'`;
}

/** Role session names: at most 64 of `[\w+=,.@-]`. */
function sessionName(kind: string, stage: string): string {
  return `batchform-${kind}-${stage}`.slice(0, 64);
}

interface Resolved {
  readonly cli: string;
  readonly artifactPaths: readonly string[];
  readonly branch: string;
  readonly projen: string;
  readonly install: string;
  readonly packageManager: string;
  readonly nodeVersion: string;
  readonly refuseReplacement: readonly string[];
  readonly allowReplacementLabel: string;
}

function resolve(o: BatchformWorkflowOptions): Resolved {
  return {
    cli: o.cliCommand,
    artifactPaths: o.artifactPaths,
    branch: o.branch ?? 'main',
    projen: o.projenCommand ?? 'npx projen',
    install: o.installCommand ?? 'npm ci',
    packageManager: o.packageManager ?? 'npm',
    nodeVersion: o.nodeVersion ?? '24',
    refuseReplacement: o.refuseReplacement ?? [],
    allowReplacementLabel: o.allowReplacementLabel ?? DEFAULT_ALLOW_REPLACEMENT_LABEL,
  };
}

function checkout(): JobStep {
  // The token is not left in .git/config: no later step pushes, and none should be able to.
  return { name: 'Check out', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
}

function setupNode(o: Resolved): JobStep[] {
  return [
    {
      name: 'Set up Node.js',
      uses: ACTIONS.setupNode,
      with: { 'node-version': o.nodeVersion, ...(o.packageManager === 'none' ? {} : { cache: o.packageManager }) },
    },
    { name: 'Install dependencies', run: o.install },
  ];
}

/** Checkout, Node.js, dependencies, the build's artifact, and the CLI on PATH. */
function fromBuild(o: Resolved): JobStep[] {
  return [
    checkout(),
    ...setupNode(o),
    { name: 'Download the templates and code zips', uses: ACTIONS.downloadArtifact, with: { name: BUILD_ARTIFACT, path: '.' } },
    // Run the CLI exactly as projen tasks do, with the project's node_modules/.bin on PATH.
    { name: 'Put the project\'s tools on PATH', run: 'echo "$GITHUB_WORKSPACE/node_modules/.bin" >> "$GITHUB_PATH"' },
  ];
}

function assumeRole(kind: 'preview' | 'deploy', stage: WorkflowStage, roleArn: string): JobStep {
  return {
    name: `Assume the ${kind} role of stage ${stage.name} (OIDC)`,
    uses: ACTIONS.configureAwsCredentials,
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

function buildJob(o: Resolved): Job {
  return {
    name: 'Build, test and package',
    runsOn: RUNS_ON,
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 30,
    steps: [
      checkout(),
      { name: 'Lint workflows (actionlint)', uses: `docker://rhysd/actionlint:${ACTIONLINT_VERSION}`, with: { args: '-color' } },
      ...setupNode(o),
      { name: 'Install cfn-lint', run: `pipx install cfn-lint==${CFN_LINT_VERSION}` },
      // The real cfn-lint through the lint:cfn wrapper; --engine makes a missing cfn-lint an error.
      { name: 'Lint templates (cfn-lint)', run: `${o.projen} lint:cfn --engine cfn-lint` },
      { name: 'Build: regenerate, compile, test, package', run: `${o.projen} build` },
      { name: 'Fail if generated files differ from the commit', run: ANTI_TAMPER },
      {
        name: 'Upload the templates and code zips',
        uses: ACTIONS.uploadArtifact,
        with: {
          'name': BUILD_ARTIFACT,
          'path': o.artifactPaths.join('\n'),
          'if-no-files-found': 'error',
          'retention-days': 7,
          'overwrite': true,
        },
      },
    ],
  };
}

function previewJob(o: Resolved, stage: WorkflowStage, roleArn: string): Job {
  const report = previewReport(stage.name);
  const inRepo = (step: JobStep, extra?: string): JobStep => ({
    ...step,
    if: extra ? `\${{ ${extra} && ${FROM_THIS_REPOSITORY} }}` : FROM_THIS_REPOSITORY,
  });
  const notice = `Pull requests from forks get no OIDC token, so this job cannot assume the preview role of stage ${stage.name}. A maintainer can push the branch to this repository to get a change-set preview.`;
  return {
    name: `Preview ${stage.name} (change sets, never executed)`,
    needs: [BUILD_JOB],
    if: "github.event_name == 'pull_request'",
    runsOn: RUNS_ON,
    permissions: { contents: JobPermission.READ, pullRequests: JobPermission.WRITE, idToken: JobPermission.WRITE },
    timeoutMinutes: 30,
    steps: [
      {
        name: 'Skip the preview: pull request from a fork',
        if: FROM_FORK,
        run: [
          `echo "::notice title=Preview of stage ${stage.name} skipped::${notice}"`,
          `echo "${notice}" >> "$GITHUB_STEP_SUMMARY"`,
        ].join('\n'),
      },
      ...fromBuild(o).map((s) => inRepo(s)),
      inRepo(assumeRole('preview', stage, roleArn)),
      // The CLI also appends its report to the job summary.
      inRepo({ id: 'preview', name: 'Preview the change sets', run: `${o.cli} preview --stage ${stage.name} --report ${report}` }),
      inRepo({
        name: 'Comment on the pull request (one comment, updated in place)',
        uses: ACTIONS.githubScript,
        env: { REPORT: report, STAGE: stage.name, MARKER: commentMarker(stage.name), OUTCOME: '${{ steps.preview.outcome }}' },
        with: { script: STICKY_COMMENT_SCRIPT },
      }, '!cancelled()'),
    ],
  };
}

function deployJob(o: Resolved, stage: WorkflowStage, roleArn: string, after: string): Job {
  const refused = o.refuseReplacement;
  const deploy = `${o.cli} deploy --stage ${stage.name} --report ${deployReport(stage.name)}`;
  // The label decides in a script; the types reach the CLI through the environment, quoted.
  const deploySteps: JobStep[] = refused.length ? [
    {
      id: 'replacement',
      name: 'May this deploy replace refused resource types? (label on the merged pull request)',
      uses: ACTIONS.githubScript,
      env: { LABEL: o.allowReplacementLabel, TYPES: refused.join(',') },
      with: { script: ALLOW_REPLACEMENT_SCRIPT },
    },
    {
      name: 'Deploy the changed stacks',
      env: { REFUSE_REPLACEMENT: '${{ steps.replacement.outputs.refuse }}' },
      run: `${deploy} --refuse-replacement "$REFUSE_REPLACEMENT"`,
    },
  ] : [{ name: 'Deploy the changed stacks', run: deploy }];
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
    timeoutMinutes: 60,
    steps: [
      ...fromBuild(o),
      assumeRole('deploy', stage, roleArn),
      // The CLI appends its report to the job summary itself.
      ...deploySteps,
    ],
  };
}

/**
 * The workflow of a batchform project. Builds every pull request and every push to the deploy
 * branch; previews each pull request in every stage with a preview role; deploys pushes to the
 * deploy branch (or manual runs on it) stage after stage, in declaration order, in every stage
 * with a deploy role.
 */
export function batchformWorkflow(stages: readonly WorkflowStage[], options: BatchformWorkflowOptions): BatchformWorkflowSpec {
  const o = resolve(options);
  const jobs: Record<string, Job> = { [BUILD_JOB]: buildJob(o) };
  for (const stage of stages) {
    if (stage.previewRoleArn) jobs[previewJobId(stage.name)] = previewJob(o, stage, stage.previewRoleArn);
  }
  let previous = BUILD_JOB;
  for (const stage of stages) {
    if (!stage.deployRoleArn) continue;
    jobs[deployJobId(stage.name)] = deployJob(o, stage, stage.deployRoleArn, previous);
    previous = deployJobId(stage.name);
  }
  return {
    triggers: { pullRequest: {}, push: { branches: [o.branch] }, workflowDispatch: {} },
    // A new push to a pull request cancels its superseded run; runs on the deploy branch queue
    // instead, so the latest push is always the one that ends up deployed.
    concurrency: {
      'group': '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    },
    jobs,
  };
}
