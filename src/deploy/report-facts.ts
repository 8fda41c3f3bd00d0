// What a stage's preview or deploy report says, as data: counts, per-stack rows, destructive changes, new permissions, drift; both renderers (report-markdown.ts, report-text.ts) read it.
import { costChangeSentence, fixedCostChange } from './cost-change';
import { grantsMore } from './iam-diff';
import type { DurationFit, PolicyStatement, ResourceChange, ResourceDrift, ScheduleChange, StackOutcome, StackResult, StageResult } from './result';

/** How a secret's change reads: that it changed, never what to. */
export const HIDDEN_VALUE = '(changed, value hidden)';
/** How a missing before, after, template or live value reads. */
export const NONE = '(none)';
/** What a report says of the stage stack in its section. */
export const STAGE_STACK_LINE = 'The stage stack: what every batch of the stage shares (its run ledger table and missed-run watchdog, and its alarm topic, key and '
  + 'e-mail subscriptions); deployed before the batch stacks.';
/** Marks what a reviewer must see first. */
export const WARN = '⚠️';
/** A before or after value longer than this (or on several lines) is shown apart (folded in Markdown). */
const FOLD_VALUE_CHARS = 60;

/** An outcome as the report words it. */
export const LABEL: Record<StackOutcome, string> = {
  'unchanged': 'unchanged',
  'created': 'created',
  'updated': 'updated',
  'will-create': 'will be created',
  'will-update': 'will be updated',
  'will-delete': 'will be deleted',
  'deleted': 'deleted',
  'failed': 'failed',
};

/** Headline words, in headline order. */
const COUNT_WORDS: Array<[StackOutcome, string]> = [
  ['failed', 'failed'],
  ['deleted', 'deleted'],
  ['created', 'created'],
  ['updated', 'updated'],
  ['will-delete', 'to delete'],
  ['will-create', 'to create'],
  ['will-update', 'to update'],
  ['unchanged', 'unchanged'],
];

/** "1 stack", "2 stacks". */
export function plural(n: number, word: string): string {
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

/** The "Details" of a stack's row in the summary table. */
function resultDetail(s: StackResult): string {
  if (s.removal && s.outcome !== 'failed') return 'batch no longer declared';
  if (s.outcome === 'unchanged') return s.unchangedBy === 'fingerprint' ? 'fingerprint matches' : 'change set had no changes';
  if (s.outcome === 'failed') return 'see below';
  return changeSummary(s.changes) || (s.changes ? 'no resource changes' : '');
}

/** Whether a stack gets a section of its own: it changed, failed or has notes. */
function hasSection(s: StackResult): boolean {
  return s.outcome !== 'unchanged' || s.notes.length > 0;
}

/** "Schedule of daily-stats changes from `A` to `B`: <description>." with `code` quoting the expressions. */
export function scheduleSentence(sc: ScheduleChange, code: (s: string) => string): string {
  const change = sc.before ? `changes from ${code(sc.before)} to ${code(sc.after)}` : `is ${code(sc.after)}`;
  return `Schedule of ${sc.batch} ${change}: ${sc.description}.`;
}

/** `850ms`, `42s`, `4m12s`, `2h05m`, `3d4h`: a duration in a few characters. */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${String(s % 60).padStart(2, '0')}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

/**
 * The report's sentence: "Recent duration of daily-stats: p95 4m12s over the last 14 days (38 runs) —
 * new timeout 5m: 84% of it; new shortest gap 10m." (the renderers add `warnings` after it, marked).
 */
export function durationFitSentence(fit: DurationFit): string {
  const head = `Recent duration of ${fit.batch}:`;
  const timeout = `${fit.timeoutChanged ? 'new ' : ''}timeout ${shortDuration(fit.timeoutSeconds * 1000)}`;
  const gap = fit.gapSeconds === undefined ? '' : `; ${fit.scheduleChanged ? 'new ' : ''}shortest gap ${shortDuration(fit.gapSeconds * 1000)}`;
  if (fit.unread) return `${head} could not be read (${fit.unread}).`;
  if (fit.p95Ms === undefined) return `${head} no runs recorded in the last ${fit.days} days.`;
  const source = fit.source === 'lambda' ? ', Lambda Duration: no ledger metric yet' : '';
  const share = Math.round((fit.p95Ms / (fit.timeoutSeconds * 1000)) * 100);
  return `${head} p95 ${shortDuration(fit.p95Ms)} over the last ${fit.days} days (${fit.runs} runs${source}) — ${timeout}: ${share}% of it${gap}.`;
}

/** A replacement, possible replacement or removal: what a reviewer must see first. */
export interface Danger {
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

/** Why, and at what cost: "forced by LogGroupName; loses the log group's history", with `name` quoting property names. */
export function dangerWhy(c: ResourceChange, name: (s: string) => string): string {
  const parts: string[] = [];
  if (c.replacedBy?.length) parts.push(`forced by ${c.replacedBy.map(name).join(', ')}`);
  if (c.retained) parts.push('the old one is kept (DeletionPolicy Retain), not deleted');
  else if (c.loses) parts.push(`loses ${c.loses}`);
  return parts.join('; ');
}

/** A stack of a batch no longer declared: deleted, or to be deleted, with what goes with it. */
export interface RemovedStack {
  readonly stackName: string;
  readonly batch: string;
  /** "will be deleted", "deleted", "could not be deleted". */
  readonly what: string;
  readonly loses: readonly string[];
}

function removedStacks(result: StageResult): RemovedStack[] {
  return result.stacks.filter((s) => s.removal).map((s) => ({
    stackName: s.stackName,
    batch: s.batch ?? s.stackName,
    what: s.outcome === 'deleted' ? 'deleted' : s.outcome === 'failed' ? 'could not be deleted' : 'will be deleted',
    loses: s.removal!.loses,
  }));
}

/**
 * When a run both removes and creates stacks, a rename shows as exactly that: the warning says the
 * new stack starts empty and the old one's history goes with it. Undefined otherwise.
 */
function renameWarning(result: StageResult): { readonly removed: string[]; readonly created: string[]; readonly text: string } | undefined {
  const removed = result.stacks.filter((s) => s.removal && s.outcome !== 'failed').map((s) => s.stackName);
  const created = result.stacks.filter((s) => s.outcome === 'will-create' || s.outcome === 'created').map((s) => s.stackName);
  if (!removed.length || !created.length) return undefined;
  return {
    removed,
    created,
    text: 'a renamed batch is a removal plus a creation: the new stack starts empty (no log history, dead letters or durable executions ' +
      'of the old name carry over), its schedule starts anew, and the old stack is deleted only once every other stack succeeded.',
  };
}

/** A resource whose change grants new permissions, with how many statements or policies. */
export interface Grant {
  readonly stackName: string;
  readonly change: ResourceChange;
  /** "2 statements added, 1 managed policy attached". */
  readonly count: string;
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

/** Resources whose change grants new permissions. */
function grants(result: StageResult): Grant[] {
  return result.stacks.flatMap((s) => (s.changes ?? [])
    .filter((c) => c.permissions && grantsMore(c.permissions))
    .map((c) => ({ stackName: s.stackName, change: c, count: permissionCount(c) })));
}

/** Whether a pair of values (before / after, or template / live) is shown apart rather than inline. */
export function isLong(a: string | undefined, b: string | undefined): boolean {
  return [a, b].some((x) => x !== undefined && (x.length > FOLD_VALUE_CHARS || x.includes('\n')));
}

/** A policy statement as a table row after its `sign` ("added", "+ added"): effect, actions, resources, policy. */
export function statementRow(sign: string, st: PolicyStatement): string[] {
  return [sign, st.effect, st.actions.join(', ') || '–', st.resources.join(', ') || '–',
    st.policy + (st.principal ? ` for ${st.principal}` : '') + (st.condition ? ` (if ${st.condition})` : '')];
}

/** A drifted resource of a stack, and whether this change set touches it. */
export interface Drifted {
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

/** "changed by hand", "deleted by hand". */
export function driftWhat(d: ResourceDrift): string {
  return DRIFT_WORD[d.status] ?? d.status.toLowerCase();
}

/** What this change does to a hand change. */
export function driftConsequence(x: Drifted): string {
  if (x.touched) return 'this change updates it, so the deploy may overwrite the hand change';
  return x.drift.status === 'DELETED'
    ? 'this change does not touch it; it stays missing until its stack is fixed'
    : 'this change does not touch it; it stays as changed by hand';
}

/** A resource change that adds or removes permissions, with its stack. */
export interface PermissionChangeOf {
  readonly stackName: string;
  readonly change: ResourceChange & { readonly permissions: NonNullable<ResourceChange['permissions']> };
}

/** What a report of one stage says, before it is worded as Markdown or text. */
export interface ReportFacts {
  /** "3 stacks: 1 failed, 1 updated, 1 unchanged." */
  readonly headline: string;
  /** Whether any stack got a change set: a report names one only then. */
  readonly madeChangeSets: boolean;
  /** One row per stack: its name, its outcome's label and a short detail ("1 added", "see below"). */
  readonly rows: ReadonlyArray<{ readonly stackName: string; readonly label: string; readonly detail: string }>;
  readonly grants: readonly Grant[];
  /** The header's words when no stack got a change set: "needed" only when none failed. */
  readonly noChangeSet: string;
  /** Stacks of batches no longer declared: the first destructive changes. */
  readonly removed: readonly RemovedStack[];
  /** Set when the run removes some stacks and creates others (a rename looks exactly so). */
  readonly rename?: { readonly removed: readonly string[]; readonly created: readonly string[]; readonly text: string };
  readonly dangers: readonly Danger[];
  readonly drifted: readonly Drifted[];
  readonly uncheckedDrift: ReadonlyArray<{ readonly stackName: string; readonly reason: string }>;
  /** Stacks checked and found without drift. */
  readonly inSync: number;
  readonly permissions: readonly PermissionChangeOf[];
  /** Stacks with a section of their own (changed, failed, or with notes), in order. */
  readonly sections: readonly StackResult[];
  /** The change in fixed monthly cost of the change sets ("Fixed monthly cost: +0.20 USD/month (+2 alarms: ...)"); absent when none. */
  readonly costChange?: string;
}

/** Derives what the report of `result` says; the renderers only word it. */
export function reportFacts(result: StageResult): ReportFacts {
  return {
    headline: headline(result),
    madeChangeSets: result.stacks.some((s) => s.changeSetName !== undefined),
    noChangeSet: result.stacks.some((s) => s.outcome === 'failed')
      ? `no change set was made (a stack failed before its change set existed; this run's would be ${result.changeSetName})`
      : 'no change set was needed',
    rows: result.stacks.map((s) => ({ stackName: s.stackName, label: LABEL[s.outcome], detail: resultDetail(s) })),
    grants: grants(result),
    removed: removedStacks(result),
    rename: renameWarning(result),
    dangers: dangers(result),
    drifted: drifted(result),
    uncheckedDrift: uncheckedDrift(result),
    inSync: inSync(result),
    permissions: result.stacks.flatMap((s) => (s.changes ?? [])
      .filter((c): c is PermissionChangeOf['change'] => c.permissions !== undefined)
      .map((change) => ({ stackName: s.stackName, change }))),
    sections: result.stacks.filter(hasSection),
    ...costFact(result),
  };
}

function costFact(result: StageResult): { costChange?: string } {
  const change = fixedCostChange(result);
  return change ? { costChange: costChangeSentence(change) } : {};
}
