// Words a stage's report (report-facts.ts) as Markdown for the pull-request comment and the job summary, shortened to fit when asked.
import {
  dangerWhy, Danger, driftConsequence, driftWhat, HIDDEN_VALUE, isLong, LABEL, NONE, plural,
  durationFitSentence, ReportFacts, reportFacts, scheduleSentence, STAGE_STACK_LINE, statementRow, WARN,
} from './report-facts';
import { fitted, MarkdownReportOptions } from './report-fit';
import type { DeployMode, FailureEvent, ResourceChange, ScheduleChange, StackResult, StageResult } from './result';
import { runRows } from '../schedule';

/** Resource tables longer than this fold into a `<details>` block. */
const FOLD_ROWS = 10;

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function mdTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function fold(summary: string, body: string, rows: number): string {
  return rows > FOLD_ROWS ? `<details><summary>${summary}</summary>\n\n${body}\n\n</details>` : body;
}

function mdChanges(changes: readonly ResourceChange[]): string {
  if (changes.length === 0) return 'The change set lists no resource changes.';
  const table = mdTable(
    ['Action', 'Logical ID', 'Type', 'Replacement', 'Changed properties'],
    changes.map((c) => [c.action, code(c.logicalId), code(c.type), c.replacement ?? '–', c.properties.length ? cell(c.properties.join(', ')) : '–']),
  );
  return fold(`${plural(changes.length, 'resource change')}`, table, changes.length);
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fenced(text: string): string {
  return `\`\`\`\n${text.replace(/```/g, "'''")}\n\`\`\``;
}

/** Each changed property's before → after; long values folded; secrets as changed, without values. */
function mdValues(changes: readonly ResourceChange[]): string | undefined {
  const lines: string[] = [];
  const folded: string[] = [];
  for (const c of changes) {
    for (const v of c.values ?? []) {
      const where = `${code(c.logicalId)} ${code(v.path)}`;
      if (v.hidden) {lines.push(`- ${where}: ${HIDDEN_VALUE}`);} else if (isLong(v.before, v.after)) {
        lines.push(`- ${where}: long value, see below`);
        folded.push(`<details><summary><code>${html(c.logicalId)}</code> <code>${html(v.path)}</code>: before → after</summary>\n\n` +
          `Before:\n\n${fenced(v.before ?? NONE)}\n\nAfter:\n\n${fenced(v.after ?? NONE)}\n\n</details>`);
      } else {
        lines.push(`- ${where}: ${v.before === undefined ? NONE : code(v.before)} → ${v.after === undefined ? NONE : code(v.after)}`);
      }
    }
  }
  if (!lines.length) return undefined;
  return [`Values (before → after):\n\n${lines.join('\n')}`, ...folded].join('\n\n');
}

/** Stacks of removed batches first, then the rename warning, then the resources removed or replaced. */
function mdDangers(facts: ReportFacts): string | undefined {
  const rows = facts.removed.map((r) => `- ${WARN} **stack ${r.what}**: ${code(r.stackName)} (batch ${code(r.batch)}, no longer declared)` +
    `${r.loses.length ? `: loses ${r.loses.map(cell).join('; ')}` : ''}.`);
  if (facts.rename) {
    rows.push(`- ${WARN} **rename?** ${facts.rename.removed.map(code).join(', ')} removed and ${facts.rename.created.map(code).join(', ')} created: ${facts.rename.text}`);
  }
  rows.push(...facts.dangers.map((d: Danger) => {
    const why = dangerWhy(d.change, code);
    return `- ${WARN} **${d.what}**: ${code(d.change.logicalId)} (${code(d.change.type)}) in ${code(d.stackName)}${why ? `: ${why}` : ''}.`;
  }));
  return rows.length ? `### ${WARN} Destructive changes\n\n${rows.join('\n')}` : undefined;
}

/** The resources changed outside CloudFormation, template → live values (secrets hidden), and the stacks that could not be checked. */
function mdDrift(facts: ReportFacts): string | undefined {
  const list = facts.drifted;
  const unchecked = facts.uncheckedDrift;
  const synced = facts.inSync;
  if (!list.length && !unchecked.length && !synced) return undefined;
  const lines: string[] = [];
  const folded: string[] = [];
  for (const x of list) {
    const d = x.drift;
    lines.push(`- ${WARN} **${driftWhat(d)}**: ${code(d.logicalId)} (${code(d.type)}) in ${code(x.stackName)}: ${driftConsequence(x)}.`);
    for (const p of d.properties) {
      const where = code(p.path);
      if (p.hidden) {lines.push(`  - ${where}: ${HIDDEN_VALUE}`);} else if (isLong(p.expected, p.actual)) {
        lines.push(`  - ${where}: long value, see below`);
        folded.push(`<details><summary><code>${html(d.logicalId)}</code> <code>${html(p.path)}</code>: template → live</summary>\n\n` +
          `Template:\n\n${fenced(p.expected ?? NONE)}\n\nLive:\n\n${fenced(p.actual ?? NONE)}\n\n</details>`);
      } else {
        lines.push(`  - ${where}: template ${p.expected === undefined ? NONE : code(p.expected)} → live ${p.actual === undefined ? NONE : code(p.actual)}`);
      }
    }
  }
  for (const u of unchecked) lines.push(`- Drift of ${code(u.stackName)} could not be checked: ${cell(u.reason)}.`);
  if (synced) lines.push(`- ${plural(synced, 'stack')} checked without drift: ${synced === 1 ? 'its' : 'their'} live resources match ${synced === 1 ? 'its' : 'their'} template.`);
  const title = list.length ? `### ${WARN} Changed outside CloudFormation (drift)` : '### Drift';
  return [`${title}\n\n${lines.join('\n')}`, ...folded].join('\n\n');
}

function mdPermissions(facts: ReportFacts): string | undefined {
  const blocks: string[] = [];
  for (const { stackName, change: c } of facts.permissions) {
    const p = c.permissions;
    const rows = [
      ...p.added.map((st) => statementRow('added', st)),
      ...p.managedAdded.map((arn) => ['attached', 'Allow', 'managed policy', arn, '–']),
      ...p.removed.map((st) => statementRow('removed', st)),
      ...p.managedRemoved.map((arn) => ['detached', 'Allow', 'managed policy', arn, '–']),
    ];
    blocks.push(`${code(stackName)} ${code(c.logicalId)} (${code(c.type)}):\n\n${mdTable(['Change', 'Effect', 'Actions', 'Resources', 'Policy'], rows.map((r) => r.map(cell)))}`);
  }
  return blocks.length ? `### Permissions\n\n${blocks.join('\n\n')}` : undefined;
}

function mdSchedule(sc: ScheduleChange): string {
  const lines = [`${scheduleSentence(sc, code)} Runs in ${sc.runsIn}.`];
  if (sc.switchNote) lines.push('', `> **Warning:** ${cell(sc.switchNote)}`);
  if (!sc.enabled) {
    lines.push('', `The ${sc.timezone === 'UTC' ? 'rule' : 'schedule'} is disabled: no runs.`);
  } else if (sc.runs.length === 0) {
    lines.push('', 'No more runs: the schedule\'s years have passed.');
  } else {
    const rate = sc.rate ? ' (a rate counts from when the rule is created)' : '';
    lines.push('', `Next runs${rate}:`, '');
    for (const r of runRows(sc.runs, sc.timezone)) {
      lines.push(`- ${r.utc}${r.local ? ` · ${r.local}` : ''}${r.dst ? ` · **${r.dst}**` : ''}`);
    }
  }
  return lines.join('\n');
}

function mdEvents(events: readonly FailureEvent[]): string {
  const table = mdTable(
    ['Time (UTC)', 'Logical ID', 'Type', 'Status', 'Reason'],
    events.map((e) => [e.timestamp.toISOString().replace('T', ' ').slice(0, 19), code(e.logicalId), code(e.type), e.status, cell(e.reason)]),
  );
  return `Stack events that explain it:\n\n${table}`;
}

function mdStack(s: StackResult): string {
  const parts = [`### ${code(s.stackName)}: ${LABEL[s.outcome]}`];
  if (s.error) parts.push(`> ${cell(s.error.charAt(0).toUpperCase() + s.error.slice(1))}`);
  if (s.events?.length) parts.push(mdEvents(s.events));
  if (s.changes) parts.push(mdChanges(s.changes));
  const values = s.changes && mdValues(s.changes);
  if (values) parts.push(values);
  if (s.stageStack) parts.push(STAGE_STACK_LINE);
  if (s.schedule) parts.push(mdSchedule(s.schedule));
  else if (s.runsIn) parts.push(`${s.batch} runs in ${s.runsIn}.`);
  if (s.durationFit) {
    parts.push([cell(durationFitSentence(s.durationFit)), ...s.durationFit.warnings.map((w) => `\n> **${WARN} ${cell(w)}.**`)].join('\n'));
  }
  // Schedules and variable names hold * and _, which Markdown would read as emphasis.
  if (s.stageValues) parts.push(cell(s.stageValues).replace(/([*_`])/g, '\\$1'));
  // A paragraph before the notes keeps them from joining a list above (the next runs).
  if (s.notes.length) parts.push(`Notes:\n\n${s.notes.map((n) => `- ${n}`).join('\n')}`);
  return parts.join('\n\n');
}

/**
 * The Markdown report: a hidden marker for finding the comment again, headline counts, one row
 * per stack, then one section per changed or failed stack (resource-change table, folded when
 * long; new or changed schedules with their next runs; failure events; notes).
 *
 * @example
 * fs.writeFileSync('preview.md', renderMarkdownReport(result));
 */
export function renderMarkdownReport(result: StageResult, options: MarkdownReportOptions = {}): string {
  const facts = reportFacts(result);
  const title = result.mode === 'preview' ? 'preview' : 'deploy';
  const out = [
    `<!-- batchform:${title}:${result.stage} -->`,
    `## batchform ${title}: stage ${code(result.stage)}`,
    '',
    `Account ${result.account}, region ${result.region} · commit ${code(result.revision)}${facts.madeChangeSets ? ` · change set ${code(result.changeSetName)}` : ` · ${facts.noChangeSet}`}`,
    '',
    `**${facts.headline}**${result.mode === 'preview' ? ' Nothing was executed: the change sets were described, then deleted.' : ''}`,
  ];
  if (facts.grants.length) {
    out.push('', `**${WARN} Grants new permissions:** ${facts.grants.map((g) => `${code(g.stackName)} ${code(g.change.logicalId)} (${g.count})`).join(', ')}. ` +
      'See Permissions below.');
  }
  const hand = facts.drifted;
  if (hand.length) {
    out.push('', `**${WARN} Changed outside CloudFormation:** ${hand.map((x) => `${code(x.stackName)} ${code(x.drift.logicalId)} (${driftWhat(x.drift)})`).join(', ')}. See Drift below.`);
  }
  if (facts.rows.length) {
    out.push('', mdTable(['Stack', 'Result', 'Details'], facts.rows.map((r) => [code(r.stackName), r.label, cell(r.detail) || '–'])));
  }
  if (facts.costChange) out.push('', facts.costChange);
  const dangerSection = mdDangers(facts);
  if (dangerSection) out.push('', dangerSection);
  const drift = mdDrift(facts);
  if (drift) out.push('', drift);
  const permissions = mdPermissions(facts);
  if (permissions) out.push('', permissions);
  const head = out.join('\n');
  const sections = facts.sections.map((s) => ({ stackName: s.stackName, text: mdStack(s) }));
  return `${fitted(head, sections, { ...options, quote: code })}\n`;
}

/** The Markdown report of a run that stopped before any stack was handled (e.g. the stacks could not be listed). */
export function renderFatalMarkdown(mode: DeployMode, stage: string, message: string): string {
  return [
    `<!-- batchform:${mode}:${stage} -->`,
    `## batchform ${mode}: stage ${code(stage)}`,
    '',
    '**Failed before any stack was handled.**',
    '',
    `> ${cell(message)}`,
    '',
  ].join('\n');
}
