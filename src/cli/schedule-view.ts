// The schedule view: every batch, where and in which zone it runs, its schedule in words, and its
// next run times in UTC and its zone, with daylight-saving changes marked.
import type { ManifestBatch } from '../manifest/manifest';
import { humanDuration } from '../model/durations';
import { overriddenStages, OVERRIDE_FIELDS } from '../model/stage-overrides';
import { usesScheduler } from '../model/validated';
import { describeSchedule } from '../schedule/describe';
import { parseSchedule } from '../schedule/expression';
import { runEvents } from '../schedule/next-runs';
import { runRows } from '../schedule/run-rows';
import { formatInTimeZone } from '../schedule/timezone';

/** Options of {@link renderScheduleView}. */
export interface ScheduleViewOptions {
  /**
   * How many run times to show per batch.
   * @default 5
   */
  readonly count?: number;
  /**
   * The moment run times are computed after (`--from`), e.g. just before a DST change.
   * @default now
   */
  readonly now?: Date;
  /**
   * The stage whose values the batches show (`--stage`): they are already the stage's (see
   * `batchesOfStage` in the manifest module); the view names it.
   * @default - the batches as declared, with a line naming the stages that differ
   */
  readonly stage?: string;
}

/** "differs in stage staging (schedule, enabled)": what a batch's stages change, for the declared view. */
function stageDifferences(batch: ManifestBatch): string | undefined {
  const stages = overriddenStages(batch);
  if (stages.length === 0) return undefined;
  const parts = stages.map((s) => {
    const o = batch.overrides![s] as Record<string, unknown>;
    return `${s} (${OVERRIDE_FIELDS.filter((f) => o[f] !== undefined).join(', ')})`;
  });
  return `  differs in stage${stages.length === 1 ? '' : 's'} ${parts.join(', ')}: see --stage ${stages[0]}`;
}

/** Where a batch runs, in words: the service and the zone its schedule is read in. */
export function runsIn(batch: Pick<ManifestBatch, 'timezone'>): string {
  return usesScheduler(batch)
    ? `runs in ${batch.timezone} on EventBridge Scheduler (local time, all year)`
    : 'runs in UTC on an EventBridge rule';
}

/** Renders the schedule view of the given batches as plain text. */
export function renderScheduleView(batches: readonly ManifestBatch[], options: ScheduleViewOptions = {}): string {
  const count = options.count ?? 5;
  const now = options.now ?? new Date();
  const blocks = batches.map((b) => {
    const schedule = parseSchedule(b.schedule);
    const differs = options.stage === undefined ? stageDifferences(b) : undefined;
    const head = [
      `${b.name}${options.stage === undefined ? '' : ` in stage ${options.stage}`}${b.enabled ? '' : ' (disabled)'}: ${b.schedule}`,
      `  ${runsIn(b)}`,
      `  ${describeSchedule(schedule, b.timezone)}`,
      ...(differs ? [differs] : []),
    ];
    if (b.flexibleWindowMinutes) head.push(`  flexible window: each run starts within ${humanDuration(b.flexibleWindowMinutes * 60)} of its time`);
    if (b.startDate || b.endDate) {
      const date = (d: string | undefined) => (d ? formatInTimeZone(new Date(d), 'UTC') : undefined);
      head.push(`  runs ${[b.startDate && `from ${date(b.startDate)}`, b.endDate && `until ${date(b.endDate)}`].filter(Boolean).join(' ')}`);
    }
    if (!b.enabled) return [...head, `  the ${usesScheduler(b) ? 'schedule' : 'rule'} is disabled: no runs.`].join('\n');
    // Any cadence: the stage's watchdog compares these same run times with the run ledger.
    if (b.alarms) head.push('  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run');
    const startDate = b.startDate ? new Date(b.startDate) : undefined;
    const events = runEvents(schedule, count, now, { timeZone: b.timezone, startDate, endDate: b.endDate ? new Date(b.endDate) : undefined });
    const note = schedule.kind === 'rate' && !startDate
      ? [`  (rate schedules start when the ${usesScheduler(b) ? 'schedule' : 'rule'} is created; times below assume it was created now)`]
      : [];
    const rows = runRows(events, b.timezone, { since: now }).map((r) => {
      const line = r.local === undefined ? `    ${r.utc}` : `    ${r.utc.padEnd(22)} ${r.local}`;
      return r.dst ? `${line}  <- ${r.dst}` : line;
    });
    const label = b.timezone === 'UTC' ? '  next runs (UTC):' : `  next runs (UTC, and in ${b.timezone}):`;
    const none = schedule.kind === 'at' ? '  no more runs: its one time has passed.' : '  no more runs: the schedule\'s years (or end date) have passed.';
    return [...head, ...note, events.length ? label : none, ...rows].join('\n');
  });
  return blocks.join('\n\n');
}
