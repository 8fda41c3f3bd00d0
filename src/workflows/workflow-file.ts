// projen glue: writes the batchform workflows into .github/workflows/ of a project with GitHub enabled.
import { github, javascript, JsonPatch, Project } from 'projen';
import { ACTIONLINT_IMAGE, ACTIONS, PinnedAction } from './actions';
import { batchformWorkflows, BatchformWorkflowOptions, WorkflowSpec, WorkflowStage } from './batchform-workflow';
import { DEPLOY_WORKFLOW_FILE } from '../bootstrap/trust';

/** The build-and-deploy workflow's name (shown in the Actions tab) and file. */
export const WORKFLOW_NAME = 'batchform';
export const WORKFLOW_FILE = DEPLOY_WORKFLOW_FILE;

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
 * Writes each pinned `uses:` line with its release beside it (`uses: actions/checkout@<sha> # v7.0.1`),
 * as Dependabot reads and updates such pins; a YAML comment changes nothing GitHub reads.
 */
export function withVersionComments(yaml: string, pins: readonly PinnedAction[] = [...Object.values(ACTIONS), ACTIONLINT_IMAGE]): string {
  const byUses = new Map(pins.map((p) => [p.uses, p.version]));
  return yaml.replace(/^(\s*(?:- )?uses: )(\S+)$/gm, (line, prefix: string, uses: string) => {
    const version = byUses.get(uses);
    return version ? `${prefix}${uses} # ${version}` : line;
  });
}

function addWorkflow(gh: github.GitHub, spec: WorkflowSpec): github.GithubWorkflow {
  const workflow = new github.GithubWorkflow(gh, spec.name, { fileName: spec.fileName });
  workflow.on(spec.triggers);
  workflow.addJobs(spec.jobs);
  const file = workflow.file!;
  // Every job states its own permissions; the token of anything else gets none.
  // (a patch: projen's overrides drop an empty object).
  file.patch(JsonPatch.add('/permissions', {}));
  // projen's concurrency option takes a boolean; cancelling only pull-request runs needs an expression.
  file.addOverride('concurrency', spec.concurrency);
  // projen's YAML model has no comments: the version comments are added to the rendered text.
  const rendered = file as unknown as { synthesizeContent(resolver: unknown): string | undefined };
  const synthesizeContent = rendered.synthesizeContent.bind(file);
  rendered.synthesizeContent = (resolver) => {
    const text = synthesizeContent(resolver);
    return text === undefined ? undefined : withVersionComments(text);
  };
  return workflow;
}

/**
 * Adds `.github/workflows/batchform.yml` (build, deploy) and, when a stage has a preview role,
 * `.github/workflows/batchform-preview.yml` to `project`, or does nothing when the project has no
 * GitHub component or its workflows are disabled. Returns the workflows added.
 */
export function addBatchformWorkflow(project: Project, stages: readonly WorkflowStage[], options: WorkflowFileOptions): github.GithubWorkflow[] {
  const gh = github.GitHub.of(project.root);
  if (!gh || !gh.workflowsEnabled) return [];
  const node = project instanceof javascript.NodeProject ? project : undefined;
  if (node?.buildWorkflow) {
    project.logger.warn('batchform: projen\'s build workflow runs next to batchform\'s, which builds too; set buildWorkflow: false in .projenrc.ts.');
  }
  const specs = batchformWorkflows(stages, {
    ...options,
    projenCommand: project.projenCommand,
    installCommand: node?.package.installCommand,
    packageManager: node ? cacheOf(node.package.packageManager) : undefined,
  });
  return [specs.main, ...(specs.preview ? [specs.preview] : [])].map((spec) => addWorkflow(gh, spec));
}
