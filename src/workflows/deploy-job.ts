// A stage's deploy job: pushes to the deploy branch, after the previous stage, in the stage's GitHub environment.
import { github } from 'projen';
import { ACTIONS } from './actions';
import { ALLOW_REMOVAL_SCRIPT, ALLOW_REPLACEMENT_SCRIPT } from './allow-replacement';
import { BUILD_ARTIFACT, CLI_ENV, deployCondition, deployReport, RUNS_ON } from './workflow-names';
import { Resolved, WorkflowStage } from './workflow-options';
import { assumeRole, BUILD_DIR, trustedCli } from './workflow-steps';

type Job = github.workflows.Job;

/** The deploy step: `batchform deploy` deploys the stage stack, then the changed batch stacks. */
const DEPLOY_STEP = 'Deploy the stage stack, then the changed batch stacks';
const { JobPermission } = github.workflows;

/** The deploy job of a stage with a deploy role, run after the job `after`. */
export function deployJob(o: Resolved, stage: WorkflowStage, roleArn: string, after: string): Job {
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
    // Reading the merged pull request's labels needs pull-requests: read.
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE, pullRequests: JobPermission.READ },
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
      {
        id: 'removal',
        name: 'May this deploy delete the stacks of removed batches? (label on the pull request when it was merged)',
        uses: ACTIONS.githubScript.uses,
        env: { LABEL: o.allowRemovalLabel },
        with: { script: ALLOW_REMOVAL_SCRIPT },
      },
      ...trustedCli(o),
      {
        name: 'Download the templates and code zips',
        uses: ACTIONS.downloadArtifact.uses,
        with: { name: BUILD_ARTIFACT, path: BUILD_DIR },
      },
      assumeRole('deploy', stage, roleArn),
      // The CLI appends its report to the job summary itself. One command: the stage stack first,
      // then the batch stacks (whose alarms notify its topic). The decisions reach it through the
      // environment: the types quoted, the removal allowance ("true" or empty) as a flag or nothing.
      {
        name: DEPLOY_STEP,
        workingDirectory: BUILD_DIR,
        env: {
          ALLOW_REMOVAL: '${{ steps.removal.outputs.allow }}',
          ...(refused.length ? { REFUSE_REPLACEMENT: '${{ steps.replacement.outputs.refuse }}' } : {}),
        },
        run: `${deploy}${refused.length ? ' --refuse-replacement "$REFUSE_REPLACEMENT"' : ''} \${ALLOW_REMOVAL:+--allow-removal}`,
      },
    ],
  };
}
