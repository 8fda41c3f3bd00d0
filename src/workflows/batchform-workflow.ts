// The batchform workflows as data: an untrusted build of every pull request and push, a preview of pull requests from trusted code, a deploy of `main`.
import { github } from 'projen';
import { buildJob } from './build-job';
import { deployJob } from './deploy-job';
import { previewJob } from './preview-job';
import { BUILD_JOB, deployJobId, MAIN_WORKFLOW, MAIN_WORKFLOW_FILE, PREVIEW_WORKFLOW, PREVIEW_WORKFLOW_FILE, previewJobId } from './workflow-names';
import { BatchformWorkflowOptions, resolveWorkflowOptions, WorkflowStage } from './workflow-options';
import { DEPLOY_WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE as PREVIEW_WORKFLOW_PATH } from '../bootstrap/trust';

// The workflows' options and names are part of this module's interface: one import for the projen component, the CLI and the tests.
export type { BatchformWorkflowOptions, WorkflowCli, WorkflowStage } from './workflow-options';
export {
  AFTER_PULL_REQUEST_BUILD, BUILD_ARTIFACT, BUILD_FAILED, BUILD_JOB, BUILD_SUCCEEDED, CLI_ENV, deployCondition, deployJobId, deployReport,
  HAS_PULL_REQUEST, MAIN_WORKFLOW, MAIN_WORKFLOW_FILE, PREVIEW_WORKFLOW, PREVIEW_WORKFLOW_FILE, previewJobId, previewReport,
  PROBLEMS_ARTIFACT, PROBLEMS_FILE, PROBLEMS_FILE_ENV,
} from './workflow-names';

type Job = github.workflows.Job;

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
  const o = resolveWorkflowOptions(options);
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
