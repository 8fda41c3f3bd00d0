// Words a stage's report (report-facts.ts) as plain text for terminals: the same content as the Markdown one, aligned columns instead of tables.
import {
  dangerWhy, driftConsequence, driftWhat, durationFitSentence, HIDDEN_VALUE, isLong, LABEL, NONE, plural, reportFacts, scheduleSentence,
  STAGE_STACK_LINE, statementRow, WARN,
} from './report-facts';
import type { StackResult, StageResult } from './result';
import { runRows } from '../schedule';

function textTable(rows: ReadonlyArray<readonly string[]>, indent: string): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

function textStack(s: StackResult): string[] {
  const lines = [`${s.stackName}: ${LABEL[s.outcome]}`];
  if (s.error) lines.push(`  ${s.error}`);
  if (s.stageStack) lines.push(`  ${STAGE_STACK_LINE}`);
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
  if (s.durationFit) {
    lines.push(`  ${durationFitSentence(s.durationFit)}`);
    for (const w of s.durationFit.warnings) lines.push(`  warning: ${w}.`);
  }
  if (s.stageValues) lines.push(`  ${s.stageValues}`);
  for (const n of s.notes) lines.push(`  - ${n}`);
  return lines;
}

/** The plain-text report for terminals: the same content as the Markdown one, aligned columns instead of tables. */
export function renderTextReport(result: StageResult): string {
  const facts = reportFacts(result);
  const out = [
    `batchform ${result.mode} of stage ${result.stage} (account ${result.account}, ${result.region}), commit ${result.revision}`,
    facts.madeChangeSets ? `change set ${result.changeSetName}` : facts.noChangeSet,
    '',
    ...textTable(facts.rows.map((r) => [r.stackName, r.label, r.detail]), '  '),
  ];
  const grants = facts.grants;
  if (grants.length) {
    out.splice(2, 0, `${WARN} grants new permissions: ${grants.map((g) => `${g.stackName} ${g.change.logicalId} (${g.count})`).join(', ')}`);
  }
  if (facts.costChange) out.push('', facts.costChange);
  const danger = facts.dangers;
  if (danger.length || facts.removed.length || facts.rename) out.push('', `${WARN} destructive changes:`);
  // Stacks of removed batches first, then the rename warning, then the resources removed or replaced.
  for (const r of facts.removed) {
    out.push(`  ${WARN} stack ${r.what}: ${r.stackName} (batch ${r.batch}, no longer declared)${r.loses.length ? `: loses ${r.loses.join('; ')}` : ''}`);
  }
  if (facts.rename) out.push(`  ${WARN} rename? ${facts.rename.removed.join(', ')} removed and ${facts.rename.created.join(', ')} created: ${facts.rename.text}`);
  for (const d of danger) {
    const why = dangerWhy(d.change, (x) => x);
    out.push(`  ${WARN} ${d.what}: ${d.change.logicalId} (${d.change.type}) in ${d.stackName}${why ? `: ${why}` : ''}`);
  }
  const hand = facts.drifted;
  const unchecked = facts.uncheckedDrift;
  const synced = facts.inSync;
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
  if (facts.permissions.length) out.push('', 'permissions:');
  for (const { stackName, change: c } of facts.permissions) {
    const p = c.permissions;
    out.push(`  ${stackName} ${c.logicalId} (${c.type}):`);
    out.push(...textTable([
      ...p.added.map((st) => statementRow('+ added', st)),
      ...p.managedAdded.map((arn) => ['+ attached', 'Allow', 'managed policy', arn, '']),
      ...p.removed.map((st) => statementRow('- removed', st)),
      ...p.managedRemoved.map((arn) => ['- detached', 'Allow', 'managed policy', arn, '']),
    ], '    '));
  }
  for (const s of facts.sections) out.push('', ...textStack(s));
  out.push('', facts.headline);
  return `${out.join('\n')}\n`;
}

