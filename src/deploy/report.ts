// Renders a stage's preview or deploy result: Markdown for the pull-request comment and job summary, plain text for terminals.
import { runRows } from '../schedule';
import { grantsMore } from './iam-diff';
import type { DeployMode, FailureEvent, PolicyStatement, ResourceChange, ResourceDrift, ScheduleChange, StackOutcome, StackResult, StageResult } from './result';

/** Resource tables longer than this fold into a `<details>` block in Markdown. */
const FOLD_ROWS = 10;
/** A before or after value longer than this (or on several lines) folds into a `<details>` block in Markdown. */
const FOLD_VALUE_CHARS = 60;
/** How a secret's change reads: that it changed, never what to. */
export const HIDDEN_VALUE = '(changed, value hidden)';
const WARN = '⚠️';

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

/** A replacement, possible replacement or removal: what a reviewer must see first. */
interface Danger {
  readonly stackName: string;
  readonly change: ResourceChange;
  /** "replaced", "may be replaced", "removed". */
  readonly what: string;
}

/** Every destructive change of the stage, removals first, then replacements, then possible replacements. */
function dangers(result: StageResult): Danger[] {
  const found: Array<Danger & { rank: number }> = [];
  for (const s of result.stacks) {
    for (const c of s.changes ?? []) {
      if (c.action === 'Remove') found.push({ stackName: s.stackName, change: c, what: 'removed', rank: 0 });
      else if (c.replacement === 'yes') found.push({ stackName: s.stackName, change: c, what: 'replaced', rank: 1 });
      else if (c.replacement === 'conditional') found.push({ stackName: s.stackName, change: c, what: 'may be replaced', rank: 2 });
    }
  }
  return found.sort((a, b) => a.rank - b.rank);
}

/** Why, and at what cost: "forced by LogGroupName; loses the log group's history". */
function dangerWhy(c: ResourceChange, name: (s: string) => string): string {
  const parts: string[] = [];
  if (c.replacedBy?.length) parts.push(`forced by ${c.replacedBy.map(name).join(', ')}`);
  if (c.retained) parts.push('the old one is kept (DeletionPolicy Retain), not deleted');
  else if (c.loses) parts.push(`loses ${c.loses}`);
  return parts.join('; ');
}

/** Resources whose change grants new permissions, as "`prod-x` `Role`". */
function widened(result: StageResult): Array<{ stackName: string; change: ResourceChange }> {
  return result.stacks.flatMap((s) => (s.changes ?? []).filter((c) => c.permissions && grantsMore(c.permissions)).map((c) => ({ stackName: s.stackName, change: c })));
}

function permissionCount(c: ResourceChange): string {
  const p = c.permissions!;
  const parts = [
    p.added.length ? `${plural(p.added.length, 'statement')} added` : '',
    p.managedAdded.length ? `${p.managedAdded.length} managed ${p.managedAdded.length === 1 ? 'policy' : 'policies'} attached` : '',
    p.removed.length ? `${p.removed.length} removed` : '',
    p.managedRemoved.length ? `${p.managedRemoved.length} managed detached` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/** Whether a pair of values (before / after, or template / live) is folded rather than shown inline. */
function isLong(a: string | undefined, b: string | undefined): boolean {
  return [a, b].some((x) => x !== undefined && (x.length > FOLD_VALUE_CHARS || x.includes('\n')));
}

const NONE = '(none)';

function statementRow(sign: string, st: PolicyStatement): string[] {
  return [sign, st.effect, st.actions.join(', ') || '–', st.resources.join(', ') || '–',
    st.policy + (st.principal ? ` for ${st.principal}` : '') + (st.condition ? ` (if ${st.condition})` : '')];
}

/** A drifted resource of a stack, and whether this change set touches it. */
interface Drifted {
  readonly stackName: string;
  readonly drift: ResourceDrift;
  /** The change set modifies or removes the resource: the deploy may overwrite the hand change. */
  readonly touched: boolean;
}

/** Every drifted resource of the stage, in stack order. */
function drifted(result: StageResult): Drifted[] {
  return result.stacks.flatMap((s) => (s.drift?.checked ? s.drift.resources : []).map((d) => ({
    stackName: s.stackName,
    drift: d,
    touched: (s.changes ?? []).some((c) => c.logicalId === d.logicalId),
  })));
}

/** Stacks whose drift could not be checked, with why. */
function uncheckedDrift(result: StageResult): Array<{ stackName: string; reason: string }> {
  return result.stacks.flatMap((s) => (s.drift && !s.drift.checked ? [{ stackName: s.stackName, reason: s.drift.reason }] : []));
}

/** How many stacks were checked and found in sync. */
function inSync(result: StageResult): number {
  return result.stacks.filter((s) => s.drift?.checked && s.drift.resources.length === 0).length;
}

const DRIFT_WORD: Record<string, string> = { MODIFIED: 'changed by hand', DELETED: 'deleted by hand' };

function driftWhat(d: ResourceDrift): string {
  return DRIFT_WORD[d.status] ?? d.status.toLowerCase();
}

function driftConsequence(x: Drifted): string {
  if (x.touched) return 'this change updates it, so the deploy may overwrite the hand change';
  return x.drift.status === 'DELETED'
    ? 'this change does not touch it; it stays missing until its stack is fixed'
    : 'this change does not touch it; it stays as changed by hand';
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

function mdDangers(list: readonly Danger[]): string {
  const rows = list.map((d) => {
    const why = dangerWhy(d.change, code);
    return `- ${WARN} **${d.what}**: ${code(d.change.logicalId)} (${code(d.change.type)}) in ${code(d.stackName)}${why ? `: ${why}` : ''}.`;
  });
  return `### ${WARN} Destructive changes\n\n${rows.join('\n')}`;
}

/** The resources changed outside CloudFormation, template → live values (secrets hidden), and the stacks that could not be checked. */
function mdDrift(result: StageResult): string | undefined {
  const list = drifted(result);
  const unchecked = uncheckedDrift(result);
  const synced = inSync(result);
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

function mdPermissions(result: StageResult): string | undefined {
  const blocks: string[] = [];
  for (const s of result.stacks) {
    for (const c of s.changes ?? []) {
      const p = c.permissions;
      if (!p) continue;
      const rows = [
        ...p.added.map((st) => statementRow('added', st)),
        ...p.managedAdded.map((arn) => ['attached', 'Allow', 'managed policy', arn, '–']),
        ...p.removed.map((st) => statementRow('removed', st)),
        ...p.managedRemoved.map((arn) => ['detached', 'Allow', 'managed policy', arn, '–']),
      ];
      blocks.push(`${code(s.stackName)} ${code(c.logicalId)} (${code(c.type)}):\n\n${mdTable(['Change', 'Effect', 'Actions', 'Resources', 'Policy'], rows.map((r) => r.map(cell)))}`);
    }
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
  if (s.schedule) parts.push(mdSchedule(s.schedule));
  else if (s.runsIn) parts.push(`${s.batch} runs in ${s.runsIn}.`);
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
  const title = result.mode === 'preview' ? 'preview' : 'deploy';
  const out = [
    `<!-- batchform:${title}:${result.stage} -->`,
    `## batchform ${title}: stage ${code(result.stage)}`,
    '',
    `Account ${result.account}, region ${result.region} · commit ${code(result.revision)}${madeChangeSets(result) ? ` · change set ${code(result.changeSetName)}` : ' · no change set was needed'}`,
    '',
    `**${headline(result)}**${result.mode === 'preview' ? ' Nothing was executed: the change sets were described, then deleted.' : ''}`,
  ];
  const grants = widened(result);
  if (grants.length) {
    out.push('', `**${WARN} Grants new permissions:** ${grants.map((g) => `${code(g.stackName)} ${code(g.change.logicalId)} (${permissionCount(g.change)})`).join(', ')}. See Permissions below.`);
  }
  const hand = drifted(result);
  if (hand.length) {
    out.push('', `**${WARN} Changed outside CloudFormation:** ${hand.map((x) => `${code(x.stackName)} ${code(x.drift.logicalId)} (${driftWhat(x.drift)})`).join(', ')}. See Drift below.`);
  }
  if (result.stacks.length) {
    out.push('', mdTable(['Stack', 'Result', 'Details'], result.stacks.map((s) => [code(s.stackName), LABEL[s.outcome], cell(resultDetail(s)) || '–'])));
  }
  const danger = dangers(result);
  if (danger.length) out.push('', mdDangers(danger));
  const drift = mdDrift(result);
  if (drift) out.push('', drift);
  const permissions = mdPermissions(result);
  if (permissions) out.push('', permissions);
  const head = out.join('\n');
  const sections = result.stacks.filter(hasSection).map((s) => ({ stackName: s.stackName, text: mdStack(s) }));
  return `${fitted(head, sections, options)}\n`;
}

/** Options of {@link renderMarkdownReport}. */
export interface MarkdownReportOptions {
  /**
   * Longest report, in characters. Past it, the summary, the destructive changes, the drift
   * (resources changed outside CloudFormation) and the permissions are always kept; stack sections are kept in order while they fit, and a last line
   * names the ones left out and where the whole report is.
   * @default no limit
   * @example { maxLength: 60_000, fullReport: 'the job summary' } // a GitHub comment holds 65,536
   */
  readonly maxLength?: number;
  /** Where the whole report can be read, for that last line. @default 'the job summary' */
  readonly fullReport?: string;
}

/** The head, then as many stack sections as fit in `maxLength`, then what was left out. */
function fitted(head: string, sections: ReadonlyArray<{ stackName: string; text: string }>, options: MarkdownReportOptions): string {
  const whole = [head, ...sections.map((s) => s.text)].join('\n\n');
  if (options.maxLength === undefined || whole.length <= options.maxLength) return whole;
  const where = options.fullReport ?? 'the job summary';
  const omission = (left: readonly string[]) =>
    `> **Shortened to fit:** the ${plural(left.length, 'section')} of ${left.map(code).join(', ')} ${left.length === 1 ? 'is' : 'are'} left out here; the whole report is in ${where}.`;
  const kept = [head];
  let length = head.length;
  const left: string[] = [];
  // Room for the omission line, sized as if every section were left out.
  const reserve = omission(sections.map((s) => s.stackName)).length + 4;
  for (const s of sections) {
    if (!left.length && length + 2 + s.text.length + reserve <= options.maxLength) {
      kept.push(s.text);
      length += 2 + s.text.length;
    } else {
      left.push(s.stackName);
    }
  }
  return [...kept, omission(left)].join('\n\n');
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
  const values = (s.changes ?? []).flatMap((c) => (c.values ?? []).map((v) => ({ c, v })));
  if (values.length) lines.push('  values (before -> after):');
  for (const { c, v } of values) {
    if (v.hidden) lines.push(`    ${c.logicalId} ${v.path}: ${HIDDEN_VALUE}`);
    else if (isLong(v.before, v.after)) lines.push(`    ${c.logicalId} ${v.path}:`, `      before: ${v.before ?? NONE}`, `      after:  ${v.after ?? NONE}`);
    else lines.push(`    ${c.logicalId} ${v.path}: ${v.before ?? NONE} -> ${v.after ?? NONE}`);
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
  if (s.stageValues) lines.push(`  ${s.stageValues}`);
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
  const grants = widened(result);
  if (grants.length) {
    out.splice(2, 0, `${WARN} grants new permissions: ${grants.map((g) => `${g.stackName} ${g.change.logicalId} (${permissionCount(g.change)})`).join(', ')}`);
  }
  const danger = dangers(result);
  if (danger.length) {
    out.push('', `${WARN} destructive changes:`);
    for (const d of danger) {
      const why = dangerWhy(d.change, (x) => x);
      out.push(`  ${WARN} ${d.what}: ${d.change.logicalId} (${d.change.type}) in ${d.stackName}${why ? `: ${why}` : ''}`);
    }
  }
  const hand = drifted(result);
  const unchecked = uncheckedDrift(result);
  const synced = inSync(result);
  if (hand.length) {
    out.splice(grants.length ? 3 : 2, 0, `${WARN} changed outside CloudFormation: ${hand.map((x) => `${x.stackName} ${x.drift.logicalId} (${driftWhat(x.drift)})`).join(', ')}`);
  }
  if (hand.length || unchecked.length || synced) out.push('', hand.length ? `${WARN} changed outside CloudFormation (drift):` : 'drift:');
  for (const x of hand) {
    const d = x.drift;
    out.push(`  ${WARN} ${driftWhat(d)}: ${d.logicalId} (${d.type}) in ${x.stackName}: ${driftConsequence(x)}`);
    for (const p of d.properties) {
      if (p.hidden) out.push(`    ${p.path}: ${HIDDEN_VALUE}`);
      else if (isLong(p.expected, p.actual)) out.push(`    ${p.path}:`, `      template: ${p.expected ?? NONE}`, `      live:     ${p.actual ?? NONE}`);
      else out.push(`    ${p.path}: template ${p.expected ?? NONE} -> live ${p.actual ?? NONE}`);
    }
  }
  for (const u of unchecked) out.push(`  drift of ${u.stackName} could not be checked: ${u.reason}`);
  if (synced) out.push(`  ${plural(synced, 'stack')} checked without drift`);
  const permissionRows = result.stacks.flatMap((s) => (s.changes ?? []).filter((c) => c.permissions).map((c) => ({ s, c, p: c.permissions! })));
  if (permissionRows.length) out.push('', 'permissions:');
  for (const { s, c, p } of permissionRows) {
    out.push(`  ${s.stackName} ${c.logicalId} (${c.type}):`);
    out.push(...textTable([
      ...p.added.map((st) => statementRow('+ added', st)),
      ...p.managedAdded.map((arn) => ['+ attached', 'Allow', 'managed policy', arn, '']),
      ...p.removed.map((st) => statementRow('- removed', st)),
      ...p.managedRemoved.map((arn) => ['- detached', 'Allow', 'managed policy', arn, '']),
    ], '    '));
  }
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
    '**Failed before any stack was handled.**',
    '',
    `> ${cell(message)}`,
    '',
  ].join('\n');
}
