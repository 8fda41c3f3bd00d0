// Reads a batch's log events: FilterLogEvents page by page, since a moment, one run's lines by its scheduled time, and following new ones.
import { CloudWatchLogsClient, FilterLogEventsCommand, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { parseUtcTime, runSecond } from './event';
import { reaching } from '../aws/faults';
import { BatchformError } from '../errors/batchform-error';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `1h`, `2d`, `1w`) or an ISO 8601 moment.
 * @throws BatchformError (bad input) saying what is accepted.
 * @example
 * parseSince('1h', new Date('2026-11-25T10:00:00Z')) // 2026-11-25T09:00:00.000Z
 */
export function parseSince(value: string, now: Date): Date {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNIT_MS[m[2]]);
  const d = parseUtcTime(value);
  if (d) return d;
  throw new BatchformError('bad-input', `--since "${value}" is neither a duration nor an ISO time; use e.g. --since 30m, 1h, 2d, 1w or 2026-11-25T03:00:00Z.`);
}

/**
 * The filter pattern matching one run's lines: the runtime helper puts the run's scheduled time,
 * as `runTime` (`Date.toISOString()`), on every line it and the handler's `run.logger` write.
 */
export function runFilterPattern(time: Date): string {
  return `{ $.runTime = "${runSecond(time).toISOString()}" }`;
}

/** What {@link readLogs} reads. */
export interface LogQuery {
  readonly logGroupName: string;
  /** Inclusive lower bound. */
  readonly startTime: Date;
  /** Exclusive upper bound. @default now (no bound) */
  readonly endTime?: Date;
  /** A CloudWatch Logs filter pattern, e.g. {@link runFilterPattern}. */
  readonly filterPattern?: string;
}

/** Reads every matching event, following `nextToken` to the last page; `onEvent` gets them in order. */
export async function readLogs(logs: CloudWatchLogsClient, query: LogQuery, onEvent: (e: FilteredLogEvent) => void): Promise<number> {
  let nextToken: string | undefined;
  let count = 0;
  do {
    const token = nextToken;
    const page = await reaching(logs, 'logs', `reading log group ${query.logGroupName} (FilterLogEvents)`, () => logs.send(new FilterLogEventsCommand({
      logGroupName: query.logGroupName,
      startTime: query.startTime.getTime(),
      endTime: query.endTime?.getTime(),
      filterPattern: query.filterPattern,
      nextToken: token,
    })));
    for (const e of page.events ?? []) {
      onEvent(e);
      count++;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

/** Options of {@link followLogs}. */
export interface FollowOptions {
  /** Milliseconds between polls. @default 5000 */
  readonly intervalMs?: number;
  /** Waits between polls; tests pass one that returns at once. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops the polling (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * Reads what is there, then polls for new events until `signal` aborts: each poll starts at the
 * newest timestamp seen (events of the same millisecond may arrive late, so that millisecond is
 * read again and the events already printed are skipped by their id).
 */
export async function followLogs(
  logs: CloudWatchLogsClient, query: LogQuery, onEvent: (e: FilteredLogEvent) => void, options: FollowOptions = {},
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let since = query.startTime.getTime();
  let seen = new Set<string>();
  const take = (e: FilteredLogEvent) => {
    const id = e.eventId ?? `${e.timestamp}:${e.logStreamName}:${e.message}`;
    if (seen.has(id)) return;
    const t = e.timestamp ?? since;
    if (t > since) {
      since = t;
      seen = new Set();
    }
    seen.add(id);
    onEvent(e);
  };
  while (!options.signal?.aborted) {
    await readLogs(logs, { ...query, startTime: new Date(since), endTime: undefined }, take);
    if (options.signal?.aborted) break;
    await sleep(options.intervalMs ?? 5000);
  }
}
