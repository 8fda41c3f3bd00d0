// projen glue: writes the batchform workflow into .github/workflows/ of a project with GitHub enabled.
import * as path from 'path';
import { github, javascript, Project } from 'projen';
import { batchformWorkflow, BatchformWorkflowOptions, WorkflowStage } from './batchform-workflow';

/** The workflow's name (shown in the Actions tab) and file. */
export const WORKFLOW_NAME = 'batchform';
export const WORKFLOW_FILE = '.github/workflows/batchform.yml';

/** What the component passes; install command and package manager come from the project when it is a Node project. */
export type WorkflowFileOptions = Omit<BatchformWorkflowOptions, 'installCommand' | 'packageManager' | 'projenCommand'>;

/** The `actions/setup-node` cache of a package manager (it has none for Bun). */
function cacheOf(manager: javascript.NodePackageManager): BatchformWorkflowOptions['packageManager'] {
  switch (manager) {
    case javascript.NodePackageManager.NPM: return 'npm';
    case javascript.NodePackageManager.PNPM: return 'pnpm';
    case javascript.NodePackageManager.BUN: return 'none';
    default: return 'yarn';
  }
}

/**
 * Adds `.github/workflows/batchform.yml` to `project`, or does nothing when the project has no
 * GitHub component or its workflows are disabled. Returns the workflow when one was added.
 */
export function addBatchformWorkflow(project: Project, stages: readonly WorkflowStage[], options: WorkflowFileOptions): github.GithubWorkflow | undefined {
  const gh = github.GitHub.of(project.root);
  if (!gh || !gh.workflowsEnabled) return undefined;
  const node = project instanceof javascript.NodeProject ? project : undefined;
  if (node?.buildWorkflow) {
    project.logger.warn('batchform: projen\'s build workflow runs next to batchform\'s, which builds too; set buildWorkflow: false in .projenrc.ts.');
  }
  const spec = batchformWorkflow(stages, {
    ...options,
    projenCommand: project.projenCommand,
    installCommand: node?.package.installCommand,
    packageManager: node ? cacheOf(node.package.packageManager) : undefined,
  });
  const workflow = new github.GithubWorkflow(gh, WORKFLOW_NAME, { fileName: path.posix.basename(WORKFLOW_FILE) });
  workflow.on(spec.triggers);
  workflow.addJobs(spec.jobs);
  // projen's concurrency option takes a boolean; cancelling only pull-request runs needs an expression.
  workflow.file?.addOverride('concurrency', spec.concurrency);
  return workflow;
}
