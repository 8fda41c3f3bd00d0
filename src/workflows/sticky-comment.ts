// The script that keeps one preview comment per stage on a pull request, updated in place for every build.

/** The hidden marker that identifies a stage's preview comment. */
export function commentMarker(stage: string): string {
  return `<!-- batchform-preview:${stage} -->`;
}

/** GitHub rejects comment bodies longer than this. */
export const MAX_COMMENT_LENGTH = 65_536;

/** The identity comments made with a workflow's `GITHUB_TOKEN` carry. */
export const ACTIONS_BOT = { login: 'github-actions[bot]', type: 'Bot' } as const;

/** Problems of a failed build listed in the comment; the rest are in the build's job summary. */
export const LISTED_PROBLEMS = 20;

/**
 * `actions/github-script` source. Everything it needs comes from environment variables (`REPORT`,
 * `STAGE`, `MARKER`, `OUTCOME`, `BUILD`, `BUILD_URL`, `PROBLEMS`, `NUMBER`, `SHA`), never from
 * `${{ }}` expressions spliced into the code, so nothing a pull request controls can become script.
 *
 * When the build succeeded the comment is the preview's report (or says the preview ended before
 * writing one). When the build failed, the comment says so for that commit, with the number of
 * declaration problems and the first of them (read from the build's problems file, as plain text:
 * the pull request's author controls it), so nobody approves an older commit's preview. It finds
 * the comment this workflow posted earlier (by the marker, authored by github-actions[bot]) and
 * updates it, or creates it the first time.
 */
export const STICKY_COMMENT_SCRIPT = [
  "const fs = require('fs');",
  'const { REPORT, STAGE, MARKER, OUTCOME, BUILD, BUILD_URL, PROBLEMS, NUMBER, SHA } = process.env;',
  'const { owner, repo } = context.repo;',
  'const issue_number = Number(NUMBER);',
  'const run = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;',
  'const short = SHA.slice(0, 7);',
  'const title = `### batchform preview of stage \\`${STAGE}\\``;',
  'let report;',
  'if (BUILD !== "success") {',
  '  let problems = [];',
  '  try {',
  '    const parsed = JSON.parse(fs.readFileSync(PROBLEMS, "utf8"));',
  '    if (Array.isArray(parsed)) problems = parsed;',
  '  } catch (e) {',
  '    problems = [];',
  '  }',
  '  const count = problems.length;',
  '  const what = count ? `: ${count} problem${count === 1 ? "" : "s"} in the batch declarations` : "";',
  '  const plain = (v) => String(v).replace(/[`\\r]/g, "").replace(/\\n/g, " ").slice(0, 600);',
  `  const list = problems.slice(0, ${LISTED_PROBLEMS}).map((p) => \`  \${plain(p && p.text)}\`).join("\\n");`,
  `  const more = count > ${LISTED_PROBLEMS} ? \`\\n  ... and \${count - ${LISTED_PROBLEMS}} more\` : "";`,
  '  report = `${title}\\n\\n**The build of ${short} failed${what}**, so nothing was previewed for it; an earlier preview of this pull request no longer applies. See [the build](${BUILD_URL}) (its annotations and job summary).`;',
  '  if (count) report += `\\n\\n\\`\\`\\`text\\n${list}${more}\\n\\`\\`\\``;',
  '} else {',
  '  report = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, "utf8").trim() : "";',
  '  if (!report) {',
  '    report = `${title}\\n\\nThe preview of ${short} ended (${OUTCOME || "not run"}) before writing a report: see the [workflow run](${run}).`;',
  '  }',
  '}',
  'const footer = `\\n\\n<sub>Updated for ${short} by [this run](${run}).</sub>`;',
  `const room = ${MAX_COMMENT_LENGTH} - MARKER.length - footer.length - 200;`,
  'if (report.length > room) {',
  '  report = report.slice(0, room) + `\\n\\n... (cut: the full report is in the [job summary](${run}))`;',
  '}',
  'const body = `${MARKER}\\n${report}${footer}`;',
  'const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });',
  `const mine = comments.find((c) => c.user && c.user.login === "${ACTIONS_BOT.login}" && c.user.type === "${ACTIONS_BOT.type}" && (c.body || "").startsWith(MARKER));`,
  'if (mine) {',
  '  await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });',
  '  core.info(`Updated the preview comment of stage ${STAGE}: ${mine.html_url}`);',
  '} else {',
  '  const { data } = await github.rest.issues.createComment({ owner, repo, issue_number, body });',
  '  core.info(`Posted the preview comment of stage ${STAGE}: ${data.html_url}`);',
  '}',
].join('\n');
