// The names the batchform workflows share with the CLI, the bootstrap roles' trust and the tests: workflows, jobs, artifacts, conditions.
import { DEPLOY_WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE as PREVIEW_WORKFLOW_PATH } from '../bootstrap/trust';

/** Runner labels of every job. */
export const RUNS_ON = ['ubuntu-latest'];

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
