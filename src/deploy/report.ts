// Renders a stage's preview or deploy result: Markdown for the pull-request comment and job summary, plain text for terminals.
import { runRows } from '../schedule';
import type { DeployMode, FailureEvent, ResourceChange, ScheduleChange, StackOutcome, StackResult, StageResult } from './result';

/** Resource tables longer than this fold into a `<details>` block in Markdown. */
const FOLD_ROWS = 10;

const LABEL: Record<StackOutcome, string> = {
  'unchanged': 'unchanged',
  'created': 'created',
  'updated': 'updated',
  'will-create': 'will be created',
  'will-update': 'will be updated',
  'failed': 'failed',
};

/** Headline words, in headline order. */
const COUNT_WORDS: Array<[StackOutcome, string]> = [
  ['failed', 'failed'],
  ['created', 'created'],
  ['updated', 'updated'],
  ['will-create', 'to create'],
  ['will-update', 'to update'],
  ['unchanged', 'unchanged'],
];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "3 stacks: 1 failed, 1 updated, 1 unchanged." */
function headline(result: StageResult): string {
  const counts = COUNT_WORDS
    .map(([outcome, word]) => [result.stacks.filter((s) => s.outcome === outcome).length, word] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`);
  return `${plural(result.stacks.length, 'stack')}${counts.length ? `: ${counts.join(', ')}` : ''}.`;
}

/** "1 added, 2 modified (1 replaced)" for a stack's change table. */
function changeSummary(changes: readonly ResourceChange[] | undefined): string {
  if (!changes || changes.length === 0) return '';
  const count = (f: (c: ResourceChange) => boolean) => changes.filter(f).length;
  const parts: string[] = [];
  const added = count((c) => c.action === 'Add');
  const modified = count((c) => c.action === 'Modify');
  const replaced = count((c) => c.replacement === 'yes');
  const maybe = count((c) => c.replacement === 'conditional');
  const removed = count((c) => c.action === 'Remove');
  const other = changes.length - added - modified - removed;
  if (added) parts.push(`${added} added`);
  if (modified) {
    const notes = [replaced ? `${replaced} replaced` : '', maybe ? `${maybe} maybe replaced` : ''].filter(Boolean);
    parts.push(`${modified} modified${notes.length ? ` (${notes.join(', ')})` : ''}`);
  }
  if (removed) parts.push(`${removed} removed`);
  if (other) parts.push(`${other} other`);
  return parts.join(', ');
}

function resultDetail(s: StackResult): string {
  if (s.outcome === 'unchanged') return s.unchangedBy === 'fingerprint' ? 'fingerprint matches' : 'change set had no changes';
  if (s.outcome === 'failed') return 'see below';
  return changeSummary(s.changes) || (s.changes ? 'no resource changes' : '');
}

function hasSection(s: StackResult): boolean {
  return s.outcome !== 'unchanged' || s.notes.length > 0;
}

function scheduleSentence(sc: ScheduleChange, code: (s: string) => string): string {
  const change = sc.before ? `changes from ${code(sc.before)} to ${code(sc.after)}` : `is ${code(sc.after)}`;
  return `Schedule of ${sc.batch} ${change}: ${sc.description}.`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

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
  if (s.schedule) parts.push(mdSchedule(s.schedule));
  else if (s.runsIn) parts.push(`${s.batch} runs in ${s.runsIn}.`);
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
export function renderMarkdownReport(result: StageResult): string {
  const title = result.mode === 'preview' ? 'preview' : 'deploy';
  const out = [
    `<!-- batchform:${title}:${result.stage} -->`,
    `## batchform ${title}: stage ${code(result.stage)}`,
    '',
    `Account ${result.account}, region ${result.region} · commit ${code(result.revision)}${madeChangeSets(result) ? ` · change set ${code(result.changeSetName)}` : ' · no change set was needed'}`,
    '',
    `**${headline(result)}**${result.mode === 'preview' ? ' Nothing was executed: the change sets were described, then deleted.' : ''}`,
  ];
  if (result.stacks.length) {
    out.push('', mdTable(['Stack', 'Result', 'Details'], result.stacks.map((s) => [code(s.stackName), LABEL[s.outcome], cell(resultDetail(s)) || '–'])));
  }
  for (const s of result.stacks.filter(hasSection)) out.push('', mdStack(s));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Plain text

function textTable(rows: ReadonlyArray<readonly string[]>, indent: string): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

function textStack(s: StackResult): string[] {
  const lines = [`${s.stackName}: ${LABEL[s.outcome]}`];
  if (s.error) lines.push(`  ${s.error}`);
  if (s.events?.length) {
    lines.push('  stack events that explain it:');
    lines.push(...textTable(s.events.map((e) => [e.timestamp.toISOString(), e.logicalId, e.type, e.status, e.reason]), '    '));
  }
  if (s.changes?.length) {
    lines.push(...textTable(s.changes.map((c) => [c.action, c.logicalId, c.type, c.replacement ? `replacement: ${c.replacement}` : '', c.properties.join(', ')]), '  '));
  } else if (s.changes) {
    lines.push('  the change set lists no resource changes');
  }
  const sc = s.schedule;
  if (sc) {
    lines.push(`  ${scheduleSentence(sc, (x) => x)} Runs in ${sc.runsIn}.`);
    if (sc.switchNote) lines.push(`  warning: ${sc.switchNote}`);
    if (!sc.enabled) lines.push(`  the ${sc.timezone === 'UTC' ? 'rule' : 'schedule'} is disabled: no runs.`);
    if (sc.runs.length) lines.push('  next runs:');
    for (const r of runRows(sc.runs, sc.timezone)) {
      lines.push(`    ${r.utc}${r.local ? `  ${r.local}` : ''}${r.dst ? `  <- ${r.dst}` : ''}`);
    }
  } else if (s.runsIn) {
    lines.push(`  ${s.batch} runs in ${s.runsIn}.`);
  }
  for (const n of s.notes) lines.push(`  - ${n}`);
  return lines;
}

/** Whether any stack got a change set: a report names one only then. */
function madeChangeSets(result: StageResult): boolean {
  return result.stacks.some((s) => s.changeSetName !== undefined);
}

/** The plain-text report for terminals: the same content as the Markdown one, aligned columns instead of tables. */
export function renderTextReport(result: StageResult): string {
  const out = [
    `batchform ${result.mode} of stage ${result.stage} (account ${result.account}, ${result.region}), commit ${result.revision}`,
    madeChangeSets(result) ? `change set ${result.changeSetName}` : 'no change set was needed',
    '',
    ...textTable(result.stacks.map((s) => [s.stackName, LABEL[s.outcome], resultDetail(s)]), '  '),
  ];
  for (const s of result.stacks.filter(hasSection)) out.push('', ...textStack(s));
  out.push('', headline(result));
  return `${out.join('\n')}\n`;
}

/** The Markdown report of a run that stopped before any stack was handled (e.g. the stacks could not be listed). */
export function renderFatalMarkdown(mode: DeployMode, stage: string, message: string): string {
  return [
    `<!-- batchform:${mode}:${stage} -->`,
    `## batchform ${mode}: stage ${code(stage)}`,
    '',
    `**Failed before any stack was handled.**`,
    '',
    `> ${cell(message)}`,
    '',
  ].join('\n');
}
