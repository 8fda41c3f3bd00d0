// The script that decides, in a deploy job, whether the merged pull request's label allows replacing the refused resource types.

/** The pull-request label that lets a merge replace resources of the refused types. */
export const DEFAULT_ALLOW_REPLACEMENT_LABEL = 'batchform:allow-replacement';

/**
 * `actions/github-script` source. Reads `LABEL` and `TYPES` (comma-separated resource types) from
 * the environment, never from `${{ }}` spliced into the code. It looks up the pull requests merged
 * into the deployed commit; when one carries the label, the output `refuse` is empty (the deploy
 * may replace anything), else it is `TYPES`. A failed lookup fails the step, so the deploy never
 * runs without the refusal by mistake.
 */
export const ALLOW_REPLACEMENT_SCRIPT = [
  'const { LABEL, TYPES } = process.env;',
  'const { owner, repo } = context.repo;',
  'const { data: pulls } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: context.sha });',
  'const allowing = pulls.filter((p) => p.merged_at && p.labels.some((l) => l.name === LABEL));',
  'if (allowing.length) {',
  '  core.notice(`Replacements of ${TYPES} allowed by the label "${LABEL}" on #${allowing.map((p) => p.number).join(", #")}`);',
  '  core.setOutput("refuse", "");',
  '} else {',
  '  core.info(`No merged pull request of ${context.sha} carries "${LABEL}": the deploy refuses to replace ${TYPES}.`);',
  '  core.setOutput("refuse", TYPES);',
  '}',
].join('\n');
