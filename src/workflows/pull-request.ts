// The script that tells the preview workflow which pull request the completed build was for, skipping forks with a notice.

/**
 * `actions/github-script` source, run before anything else in a preview job (no AWS credentials
 * exist yet). From the `workflow_run` event: a build of a fork's branch gets a notice and an empty
 * `number` output (every later step is skipped: a fork's data is not previewed with this
 * repository's role); otherwise `number` is the open pull request whose head is the built commit.
 * The pull request comes from the event and GitHub's API, never from the build's artifact, which
 * the pull request's author controls.
 */
export const PULL_REQUEST_SCRIPT = [
  'const { STAGE } = process.env;',
  'const build = context.payload.workflow_run;',
  'const { owner, repo } = context.repo;',
  'const head = build.head_repository ? build.head_repository.full_name : "";',
  'if (head !== `${owner}/${repo}`) {',
  '  const why = `Pull requests from forks (${head || "unknown"}) are not previewed: the preview of stage ${STAGE} assumes this repository\'s AWS role. A maintainer can push the branch to this repository to get a change-set preview.`;',
  '  core.notice(why, { title: `Preview of stage ${STAGE} skipped` });',
  '  await core.summary.addRaw(why).write();',
  '  core.setOutput("number", "");',
  '  return;',
  '}',
  'let pull = (build.pull_requests || []).find((p) => p.head && p.head.sha === build.head_sha);',
  'if (!pull) {',
  '  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: build.head_sha });',
  '  pull = data.find((p) => p.state === "open" && p.head.sha === build.head_sha && p.head.repo && p.head.repo.full_name === `${owner}/${repo}`);',
  '}',
  'if (!pull) {',
  '  core.notice(`No open pull request has ${build.head_sha} as its head any more (a newer push or a closed pull request): nothing to preview.`, { title: `Preview of stage ${STAGE} skipped` });',
  '  core.setOutput("number", "");',
  '  return;',
  '}',
  'core.info(`Previewing stage ${STAGE} for pull request #${pull.number} at ${build.head_sha} (build ${build.conclusion}).`);',
  'core.setOutput("number", String(pull.number));',
].join('\n');
