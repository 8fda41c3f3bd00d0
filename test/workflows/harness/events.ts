// Builds the events a scenario runs workflows for, with the payloads, GITHUB_SHA and GITHUB_REF GitHub would use:
// push, pull_request (from the GitHub fake's pull request), workflow_dispatch, and workflow_run chained from a
// finished run.
import type { GitHubFake } from './github-fake';
import type { ResolvedEvent, WorkflowRunResult } from './types';

const SENDER = { login: 'octocat', id: 583231, type: 'User' };

/** A push of `sha` to `ref` (default: the default branch). */
export function pushEvent(fake: GitHubFake, o: { sha: string; ref?: string; before?: string; changedFiles?: string[] }): ResolvedEvent {
  const ref = o.ref ?? `refs/heads/${fake.repository.defaultBranch}`;
  return {
    name: 'push',
    sha: o.sha,
    ref,
    payload: {
      ref,
      before: o.before ?? '0000000000000000000000000000000000000000',
      after: o.sha,
      created: false,
      deleted: false,
      forced: false,
      head_commit: { id: o.sha, message: 'commit', timestamp: new Date().toISOString() },
      commits: [],
      repository: fake.repositoryJson(),
      pusher: { name: SENDER.login },
      sender: SENDER,
    },
    ...(o.changedFiles ? { changedFiles: o.changedFiles } : {}),
  };
}

/**
 * A pull_request event for a pull request of the fake: GITHUB_REF `refs/pull/N/merge`, GITHUB_SHA its test merge
 * commit (`mergeCommitSha`, which must exist in the scenario's git repository; see createPullRequestRefs).
 */
export function pullRequestEvent(fake: GitHubFake, number: number, o: { action?: string; changedFiles?: string[] } = {}): ResolvedEvent {
  const pr = fake.pullRequestJson(number) as Record<string, any>;
  if (!pr.merge_commit_sha) throw new Error(`Pull request #${number} needs mergeCommitSha: GitHub runs pull_request workflows on refs/pull/${number}/merge (createPullRequestRefs makes it)`);
  return {
    name: 'pull_request',
    sha: pr.merge_commit_sha,
    ref: `refs/pull/${number}/merge`,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    payload: { action: o.action ?? 'synchronize', number, pull_request: pr, repository: fake.repositoryJson(), sender: SENDER },
    ...(o.changedFiles ? { changedFiles: o.changedFiles } : {}),
  };
}

/** A workflow_dispatch on `ref` (default: the default branch) at `sha`. */
export function workflowDispatchEvent(
  fake: GitHubFake, o: { sha: string; ref?: string; workflow: string; inputs?: Record<string, string> },
): ResolvedEvent {
  const ref = o.ref ?? `refs/heads/${fake.repository.defaultBranch}`;
  return { name: 'workflow_dispatch', sha: o.sha, ref, payload: { ref, inputs: o.inputs ?? {}, workflow: o.workflow, repository: fake.repositoryJson(), sender: SENDER } };
}

/**
 * The `workflow_run` (completed) event GitHub sends when `run` ends, for the workflows that listen to it: they run on
 * the default branch (GITHUB_SHA its head, `defaultBranchSha`), and the payload describes the finished run. Its
 * `pull_requests` lists the pull request a same-repository pull_request run was for, and is empty for a fork's.
 */
export function workflowRunEvent(
  fake: GitHubFake, run: WorkflowRunResult, triggering: ResolvedEvent, o: { defaultBranchSha: string },
): ResolvedEvent {
  const repo = fake.repositoryJson() as Record<string, any>;
  const pr = triggering.payload.pull_request as Record<string, any> | undefined;
  const headRepoName: string = pr?.head?.repo?.full_name ?? fake.repository.fullName;
  const headRepo = fake.repositoryJson(headRepoName) as Record<string, any>;
  const fork = headRepoName.toLowerCase() !== fake.repository.fullName.toLowerCase();
  const headSha: string = pr ? pr.head.sha : run.headSha;
  const minimalRepo = (r: Record<string, any>) => ({ id: r.id, url: r.url, name: r.name });
  const pullRequests = pr && !fork ? [{
    id: pr.id,
    number: pr.number,
    url: pr.url,
    head: { ref: pr.head.ref, sha: pr.head.sha, repo: minimalRepo(headRepo) },
    base: { ref: pr.base.ref, sha: pr.base.sha, repo: minimalRepo(repo) },
  }] : [];
  const now = new Date().toISOString();
  const ref = `refs/heads/${fake.repository.defaultBranch}`;
  return {
    name: 'workflow_run',
    sha: o.defaultBranchSha,
    ref,
    payload: {
      action: 'completed',
      workflow_run: {
        id: run.runId,
        name: run.workflow.name,
        node_id: `WFR_${run.runId}`,
        head_branch: pr ? pr.head.ref : run.headBranch,
        head_sha: headSha,
        path: run.workflow.path,
        display_title: pr ? pr.title : run.workflow.name,
        run_number: run.runNumber,
        event: run.event,
        status: 'completed',
        conclusion: run.conclusion,
        workflow_id: 161335,
        url: `${fake.url}/repos/${fake.repository.fullName}/actions/runs/${run.runId}`,
        html_url: `${fake.serverUrl}/${fake.repository.fullName}/actions/runs/${run.runId}`,
        pull_requests: pullRequests,
        created_at: now,
        updated_at: now,
        run_attempt: 1,
        run_started_at: now,
        actor: SENDER,
        triggering_actor: SENDER,
        head_commit: { id: headSha, tree_id: headSha, message: 'commit', timestamp: now },
        repository: repo,
        head_repository: headRepo,
      },
      workflow: { id: 161335, name: run.workflow.name, path: run.workflow.path, state: 'active' },
      repository: repo,
      sender: SENDER,
    },
  };
}
