// The scripts that decide, in a deploy job and before it holds AWS credentials, whether the merged pull request's label allows replacing the refused resource types, or deleting the stacks of removed batches.

/** The pull-request label that lets a merge replace resources of the refused types. */
export const DEFAULT_ALLOW_REPLACEMENT_LABEL = 'batchform:allow-replacement';

/** The pull-request label that lets a merge delete the stacks of batches it removed or renamed. */
export const DEFAULT_ALLOW_REMOVAL_LABEL = 'batchform:allow-removal';

/**
 * The lookup both scripts share: the pull requests merged into the deployed commit, and for each the
 * labels it carried at the moment it was merged (its label events up to `merged_at`), into
 * `allowing` (the numbers of those that carried `LABEL`). A label added after the merge, when
 * anyone with triage rights could add it, allows nothing.
 */
const LABELLED_WHEN_MERGED = [
  'const { owner, repo } = context.repo;',
  'const { data: pulls } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: context.sha });',
  'const allowing = [];',
  'for (const pull of pulls.filter((p) => p.merged_at)) {',
  '  const events = await github.paginate(github.rest.issues.listEvents, { owner, repo, issue_number: pull.number, per_page: 100 });',
  '  let labelled = false;',
  '  for (const e of [...events].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))) {',
  '    if (!e.label || e.label.name !== LABEL || Date.parse(e.created_at) > Date.parse(pull.merged_at)) continue;',
  '    if (e.event === "labeled") labelled = true;',
  '    if (e.event === "unlabeled") labelled = false;',
  '  }',
  '  if (labelled) allowing.push(pull.number);',
  '}',
];

/**
 * `actions/github-script` source. Reads `LABEL` and `TYPES` (comma-separated resource types) from
 * the environment, never from `${{ }}` spliced into the code. It looks up the pull requests merged
 * into the deployed commit and, for each, the labels it carried at the moment it was merged (its
 * label events up to `merged_at`): a label added after the merge, when anyone with triage rights
 * could add it, allows nothing. When one carried the label, the output `refuse` is empty (the
 * deploy may replace anything), else it is `TYPES`. A failed lookup fails the step, so the deploy
 * never runs without the refusal by mistake.
 */
export const ALLOW_REPLACEMENT_SCRIPT = [
  'const { LABEL, TYPES } = process.env;',
  ...LABELLED_WHEN_MERGED,
  'if (allowing.length) {',
  '  core.notice(`Replacements of ${TYPES} allowed by the label "${LABEL}" on #${allowing.join(", #")} when it was merged`);',
  '  core.setOutput("refuse", "");',
  '} else {',
  '  core.info(`No pull request merged into ${context.sha} carried "${LABEL}" when it was merged: the deploy refuses to replace ${TYPES}.`);',
  '  core.setOutput("refuse", TYPES);',
  '}',
].join('\n');

/**
 * `actions/github-script` source, the same lookup as {@link ALLOW_REPLACEMENT_SCRIPT}: reads `LABEL`
 * from the environment and sets the output `allow` to `true` when a pull request merged into the
 * deployed commit carried the label when it was merged (a label added later allows nothing), else
 * to the empty string. A failed lookup fails the step.
 */
export const ALLOW_REMOVAL_SCRIPT = [
  'const { LABEL } = process.env;',
  ...LABELLED_WHEN_MERGED,
  'if (allowing.length) {',
  '  core.notice(`Deleting the stacks of removed batches allowed by the label "${LABEL}" on #${allowing.join(", #")} when it was merged`);',
  '  core.setOutput("allow", "true");',
  '} else {',
  '  core.info(`No pull request merged into ${context.sha} carried "${LABEL}" when it was merged: the deploy refuses to delete stacks of removed batches.`);',
  '  core.setOutput("allow", "");',
  '}',
].join('\n');
