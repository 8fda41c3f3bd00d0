// The exact event a batch's schedule sends for one scheduled time: an EventBridge rule's Scheduled Event, the Scheduler's payload, or the constant input.
import { randomUUID } from 'crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { StageSchedule } from './stage-schedule';
import { RunTrigger, TRIGGER_FIELD } from '../model/ledger';
import { MAX_RERUN, RERUN_FIELD } from '../runtime/starter';
import { schedulerEvent } from '../template/scheduler-event';

/** Which of the three events a batch receives. */
export type EventKind = 'rule' | 'scheduler' | 'input';

/** The kind of event a schedule sends: its constant input when it declares one, else the rule's or the Scheduler's Scheduled Event. */
export function eventKind(schedule: Pick<StageSchedule, 'timezone' | 'input'>): EventKind {
  if (schedule.input !== undefined) return 'input';
  return schedule.timezone === 'UTC' ? 'rule' : 'scheduler';
}

/** Where the event comes from: the stage's account and region and the rule's or schedule's ARN (a stack output). */
export interface EventSource {
  readonly account: string;
  readonly region: string;
  /** The rule's ARN (UTC batches) or the schedule's (batches with a time zone). */
  readonly scheduleArn: string;
  /** @default crypto.randomUUID: EventBridge and the Scheduler give every delivery a fresh id */
  readonly id?: () => string;
}

/**
 * A time typed on the command line: ISO 8601, with a date-time without an offset read as UTC (as
 * every time batchform prints is), not as the machine's local time; undefined when it is not one.
 * @example
 * parseUtcTime('2026-11-24T03:00') // 2026-11-24T03:00:00.000Z
 */
export function parseUtcTime(value: string): Date | undefined {
  const text = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const d = new Date(zoned);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The second a run is scheduled at: Scheduled Events carry whole seconds, and the runtime helper's `runTime` is that second. */
export function runSecond(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000);
}

/** `2026-11-25T03:00:00Z`: the second the run is scheduled at, as EventBridge writes `time`. */
export function eventTime(time: Date): string {
  return runSecond(time).toISOString().replace('.000Z', 'Z');
}

/**
 * The event the batch's schedule delivers for the run scheduled at `time`:
 * - a UTC batch: EventBridge's Scheduled Event from `aws.events`, its `resources` the rule's ARN;
 * - a batch with a time zone: the Scheduler's payload batchform's schedule sends (SCHEDULER_EVENT,
 *   source `aws.scheduler`, `resources` the schedule's ARN);
 * - a batch with a constant `input`: that input, exactly (it carries no time; the runtime helper
 *   then uses the invocation time).
 *
 * @example
 * runEvent(schedule, new Date('2026-11-25T03:00:00Z'), { account: '111122223333', region: 'ap-northeast-2', scheduleArn: 'arn:aws:events:ap-northeast-2:111122223333:rule/prod-daily-stats' })
 * // { version: '0', id: '…', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-25T03:00:00Z', … }
 */
export function runEvent(schedule: Pick<StageSchedule, 'timezone' | 'input'>, time: Date, source: EventSource): ScheduledEvent | unknown {
  const id = (source.id ?? randomUUID)();
  switch (eventKind(schedule)) {
    case 'input':
      return JSON.parse(schedule.input!);
    case 'scheduler': {
      const event = schedulerEvent(time, { id, account: source.account, region: source.region, scheduleName: 'x' });
      return { ...event, resources: [source.scheduleArn] };
    }
    case 'rule':
      return {
        'version': '0',
        id,
        'detail-type': 'Scheduled Event',
        'source': 'aws.events',
        'account': source.account,
        'time': eventTime(time),
        'region': source.region,
        'resources': [source.scheduleArn],
        'detail': {},
      };
  }
}

/**
 * The event with what started the run (`batchformTrigger`, so the ledger records `run`, `backfill`
 * or `redrive`) and, for a deliberate re-run of a time that already ran, `batchformRerun` (the
 * runtime's claim then runs it again as its next attempt; a durable batch's starter names the
 * execution `-r<n>` after it). The runtime helper removes both before the handler sees the event.
 * An event that is not a JSON object (a constant input that is an array or a value) is sent as it is.
 */
export function markedEvent(event: unknown, trigger: RunTrigger | undefined, rerun?: number): unknown {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return event;
  return {
    ...(event as Record<string, unknown>),
    ...(trigger ? { [TRIGGER_FIELD]: trigger } : {}),
    ...(rerun ? { [RERUN_FIELD]: Math.min(Math.max(1, Math.floor(rerun)), MAX_RERUN) } : {}),
  };
}
