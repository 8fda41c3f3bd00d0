// The script that keeps one preview comment per stage on a pull request, updated in place on every push.

/** The hidden marker that identifies a stage's preview comment. */
export function commentMarker(stage: string): string {
  return `<!-- batchform-preview:${stage} -->`;
}

/** GitHub rejects comment bodies longer than this. */
export const MAX_COMMENT_LENGTH = 65_536;

/**
 * `actions/github-script` source. Everything it needs comes from environment variables
 * (`REPORT`, `STAGE`, `MARKER`, `OUTCOME`), never from `${{ }}` expressions spliced into the code,
 * so nothing a pull request controls can become script. It finds the comment this workflow posted
 * earlier (by the marker, authored by a bot) and updates it, or creates it the first time.
 */
export const STICKY_COMMENT_SCRIPT = [
  "const fs = require('fs');",
  'const { REPORT, STAGE, MARKER, OUTCOME } = process.env;',
  'const { owner, repo } = context.repo;',
  'const issue_number = context.issue.number;',
  'const run = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;',
  'const sha = context.payload.pull_request.head.sha;',
  'let report = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, "utf8").trim() : "";',
  'if (!report) {',
  '  report = `### batchform preview of stage \\`${STAGE}\\`\\n\\nThe preview ended (${OUTCOME || "not run"}) before writing a report: see the [workflow run](${run}).`;',
  '}',
  'const footer = `\\n\\n<sub>Updated for ${sha.slice(0, 7)} by [this run](${run}).</sub>`;',
  `const room = ${MAX_COMMENT_LENGTH} - MARKER.length - footer.length - 200;`,
  'if (report.length > room) {',
  '  report = report.slice(0, room) + `\\n\\n... (cut: the full report is in the [job summary](${run}))`;',
  '}',
  'const body = `${MARKER}\\n${report}${footer}`;',
  'const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });',
  'const mine = comments.find((c) => c.user && c.user.type === "Bot" && (c.body || "").startsWith(MARKER));',
  'if (mine) {',
  '  await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });',
  '  core.info(`Updated the preview comment of stage ${STAGE}: ${mine.html_url}`);',
  '} else {',
  '  const { data } = await github.rest.issues.createComment({ owner, repo, issue_number, body });',
  '  core.info(`Posted the preview comment of stage ${STAGE}: ${data.html_url}`);',
  '}',
].join('\n');
