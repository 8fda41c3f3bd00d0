// projen glue: one `bootstrap:<stage>` task per stage, which runs the CLI's bootstrap command, and `check-github`, which checks the GitHub settings that trust relies on (no logic in the tasks' shell).
import type { Project } from 'projen';
import { addCliTask } from './cli-task';
import type { Stage } from '../model/validated';

/**
 * Adds `bootstrap:<stage>` for each stage: `batchform bootstrap --stage <stage>`, which checks the
 * credentials' account, finds the account's GitHub OIDC provider, deploys the bootstrap stack
 * through a change set and prints the stage options. Arguments are passed on, e.g.
 * `npx projen bootstrap:prod --preview` or `npx projen bootstrap:prod GitHubOwnerId=123 GitHubRepositoryId=456`.
 * Adds `check-github` too: `batchform check-github`, which reads the repository's GitHub settings
 * with the user's token and compares them with the bootstrap template, e.g.
 * `GH_TOKEN=$(gh auth token) npx projen check-github --stage prod`.
 */
export function addBootstrapTasks(
  project: Project,
  stages: readonly Stage[],
  options: { readonly cli: string; readonly manifestPath: string; readonly templatePath: string },
): void {
  for (const stage of stages) {
    addCliTask(project, `bootstrap:${stage.name}`, {
      description: `Deploy the one-time bootstrap stack of stage ${stage.name} (OIDC trust, artifact bucket, roles) to account ${stage.account} with administrator credentials; --preview only shows the change set; more Name=value parameters may follow`,
      exec: `${options.cli} bootstrap --stage ${stage.name} --manifest ${options.manifestPath} --template ${options.templatePath}`,
      receiveArgs: true,
    });
  }
  addCliTask(project, 'check-github', {
    description: 'Check a stage\'s GitHub settings against what its bootstrap roles trust (default branch, environment and its deployment branches, reviewers, OIDC subject template, Actions): GH_TOKEN=$(gh auth token) npx projen check-github --stage <s>',
    exec: `${options.cli} check-github --manifest ${options.manifestPath} --template ${options.templatePath}`,
    receiveArgs: true,
  });
}
