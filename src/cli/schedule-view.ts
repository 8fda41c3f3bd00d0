// The schedule view: every batch, its schedule in words, and its next run times in UTC and its zone.
import type { ManifestBatch } from '../manifest/manifest';
import { describeSchedule } from '../schedule/describe';
import { parseSchedule } from '../schedule/expression';
import { nextRuns } from '../schedule/next-runs';
import { runTimes } from '../schedule/timezone';
import { humanDuration, missedRunAlarmWindow } from '../template/missed-run-window';

/** Options of {@link renderScheduleView}. */
export interface ScheduleViewOptions {
  /**
   * How many run times to show per batch.
   * @default 5
   */
  readonly count?: number;
  /**
   * The moment run times are computed after.
   * @default now
   */
  readonly now?: Date;
}

/** Renders the schedule view of the given batches as plain text. */
export function renderScheduleView(batches: readonly ManifestBatch[], options: ScheduleViewOptions = {}): string {
  const count = options.count ?? 5;
  const now = options.now ?? new Date();
  const blocks = batches.map((b) => {
    const schedule = parseSchedule(b.schedule);
    const head = [
      `${b.name}${b.enabled ? '' : ' (disabled)'}: ${b.schedule}`,
      `  ${describeSchedule(schedule)}`,
    ];
    if (!b.enabled) return [...head, '  the rule is disabled: no runs.'].join('\n');
    const w = missedRunAlarmWindow({ ...b, schedule });
    if (w) {
      head.push(w.supported
        ? `  missed-run alarm: after ${humanDuration(w.windowSeconds)} without a run`
        : `  no missed-run alarm: ${w.reason}`);
    }
    const runs = nextRuns(schedule, count, now);
    const note = schedule.kind === 'rate' ? ['  (rate schedules start when the rule is created; times below assume it was created now)'] : [];
    const rows = runs.map((r) => {
      const { utc, local } = runTimes(r, b.timezone);
      return local === undefined ? `    ${utc}` : `    ${utc.padEnd(22)} ${local}`;
    });
    const label = b.timezone === 'UTC' ? '  next runs (UTC):' : `  next runs (UTC, and in ${b.timezone}):`;
    return [...head, ...note, runs.length ? label : '  no more runs: the schedule\'s years have passed.', ...rows].join('\n');
  });
  return blocks.join('\n\n');
}
