// What the workflow-run tests share: a stage's bootstrap trust for configure-aws-credentials, and reading a scenario's
// result (find a job, assert its result with the job's story as the message).
import { GITHUB_ACTIONS_BOT } from './harness';
import type { EventResult, GitHubFake, JobResult, TrustSpec } from './harness';
import { BOOTSTRAP_PARAMETERS } from '../../src/model/bootstrap-names';

/**
 * The trust of stage `stage`'s bootstrap roles as `template` declares them, with the parameters the README's bootstrap
 * passes (stack prefix = stage name, the default artifact bucket name).
 */
export function stageTrust(template: object, o: { repository: string; stage: string; account: string; region: string }): TrustSpec {
  return {
    bootstrapTemplate: template,
    parameters: {
      [BOOTSTRAP_PARAMETERS.repository]: o.repository,
      [BOOTSTRAP_PARAMETERS.environment]: o.stage,
      [BOOTSTRAP_PARAMETERS.stageName]: o.stage,
      [BOOTSTRAP_PARAMETERS.stackPrefix]: o.stage,
      [BOOTSTRAP_PARAMETERS.bucketName]: `batchform-artifacts-${o.account}-${o.region}`,
    },
    account: o.account,
    region: o.region,
  };
}

/** The job `id` of workflow `workflow` (its `name:`); throws, listing what ran, when there is none. */
export const job = (result: EventResult, workflow: string, id: string): JobResult => {
  const found = result.runs.find((r) => r.workflow.name === workflow)?.jobs[id];
  if (!found) throw new Error(`no job ${id} in workflow ${workflow}: ${JSON.stringify(result.runs.map((r) => [r.workflow.name, Object.keys(r.jobs)]))}`);
  return found;
};

/** A job's story: its result, and each step's conclusion with a failed step's output. */
export const story = (j: JobResult): string => `${j.id}: ${j.result}${j.setupError ? ` (${j.setupError})` : ''}\n${j.steps.map((s) => `  ${s.conclusion} ${s.name}${s.conclusion === 'failure' ? `\n${(s.stdout + s.stderr).slice(-2500)}` : ''}`).join('\n')}`;

/** Expects the job's result, failing with its story (so a failed step's output is in the test's message). */
export const expectResult = (j: JobResult, result: JobResult['result']): void => expect(story(j)).toMatch(new RegExp(`^${j.id}: ${result}\\b`));

/** The comments the workflows' `github-actions[bot]` left on issue or pull request `issue` of the fake. */
export const botComments = (github: GitHubFake, issue: number) =>
  github.comments.filter((c) => c.issue === issue && c.user.login === GITHUB_ACTIONS_BOT.login);
