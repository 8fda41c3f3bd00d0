// projen glue: one `bootstrap:<stage>` task per stage, which runs the CLI's bootstrap command (no logic in the task's shell).
import type { Project } from 'projen';
import { addCliTask } from './cli-task';
import type { Stage } from '../validate/model';

/**
 * Adds `bootstrap:<stage>` for each stage: `batchform bootstrap --stage <stage>`, which checks the
 * credentials' account, finds the account's GitHub OIDC provider, deploys the bootstrap stack
 * through a change set and prints the stage options. Arguments are passed on, e.g.
 * `npx projen bootstrap:prod --preview` or `npx projen bootstrap:prod GitHubOwnerId=123 GitHubRepositoryId=456`.
 */
export function addBootstrapTasks(project: Project, stages: readonly Stage[], options: { readonly cli: string; readonly manifestPath: string; readonly templatePath: string }): void {
  for (const stage of stages) {
    addCliTask(project, `bootstrap:${stage.name}`, {
      description: `Deploy the one-time bootstrap stack of stage ${stage.name} (OIDC trust, artifact bucket, roles) to account ${stage.account} with administrator credentials; --preview only shows the change set; more Name=value parameters may follow`,
      exec: `${options.cli} bootstrap --stage ${stage.name} --manifest ${options.manifestPath} --template ${options.templatePath}`,
      receiveArgs: true,
    });
  }
}
