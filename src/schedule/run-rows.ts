// Run times as the schedule view and the deploy report list them, with daylight-saving changes marked.
import type { LocalDateTime } from './expression';
import type { RunEvent } from './next-runs';
import { runTimes, utcOffsetMinutes } from './timezone';

/** One listed run: its time in UTC and in the batch's zone, and what a DST change does to it. */
export interface RunRow {
  /** `2027-03-15 06:30 UTC`, or `skipped` for a run the Scheduler does not make. */
  readonly utc: string;
  /** The local time with the zone's offset; absent for UTC batches. */
  readonly local?: string;
  /** Set around a DST change: a skipped run, a run once on a repeated hour, or moved clocks. */
  readonly dst?: string;
}

/** Options of {@link runRows}. */
export interface RunRowsOptions {
  /**
   * The moment the runs were listed after (the schedule view's `--from`): a DST change between it
   * and the first run marks that run too.
   * @default - the first run is compared with nothing
   */
  readonly since?: Date;
}

/**
 * Rows for `events` of a batch in `timeZone`. A run whose UTC offset differs from the run before
 * it says the clocks changed in between (so the same local time is a different UTC time).
 *
 * @example
 * runRows(runEvents('cron(30 2 * * ? *)', 2, new Date('2027-03-13T00:00:00Z'), { timeZone: 'America/New_York' }), 'America/New_York')
 * // [{ utc: '2027-03-13 07:30 UTC', local: '... UTC-05:00)' }, { utc: 'skipped', local: '2027-03-14 02:30 (America/New_York)', dst: '...' }, ...]
 */
export function runRows(events: readonly RunEvent[], timeZone: string, options: RunRowsOptions = {}): RunRow[] {
  let previous = options.since ? utcOffsetMinutes(options.since, timeZone) : undefined;
  let first = true;
  return events.map((e) => {
    const since = first && options.since ? `since ${formatUtc(options.since)}` : 'since the previous run';
    first = false;
    if (e.kind === 'skipped') {
      return { utc: 'skipped', local: `${localText(e.local)} (${timeZone})`, dst: 'DST: this local time does not exist (clocks spring forward); the Scheduler skips the run' };
    }
    const times = runTimes(e.at, timeZone);
    const offset = utcOffsetMinutes(e.at, timeZone);
    const moved = previous !== undefined && offset !== previous;
    const before = previous;
    previous = offset;
    if (e.repeatedLocalTime) return { ...times, dst: 'DST: this local time happens twice (clocks fall back); the Scheduler runs once, at the first' };
    if (moved) return { ...times, dst: `DST: clocks changed ${since} (UTC${offsetText(before!)} to UTC${offsetText(offset)})` };
    return times;
  });
}

function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function localText(l: LocalDateTime): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}`;
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
