// Re-runs what is in a batch's dead-letter queue: reads each dead letter, shows its scheduled time and error, re-runs it synchronously, and deletes it only after its re-run succeeded.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BackfillOutcome, runFailure } from './backfill';
import { ExecutionWait, runDurable } from './durable-executions';
import { eventKind } from './event';
import { invokeRun } from './invoke-run';
import type { StageSchedule } from './stage-schedule';
import type { BatchTarget } from './target';
import { describeError, reaching } from '../aws/faults';

/** Where a dead letter came from. */
export type DeadLetterSource =
  /** Lambda's on-failure destination: the run failed every retry (or grew too old). */
  | 'lambda'
  /** The rule or the Scheduler could not deliver the event to the function at all. */
  | 'delivery';

/** One dead letter, read. */
export interface DeadLetter {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly source: DeadLetterSource;
  /** The event the run received (or would have), to send again. */
  readonly payload: unknown;
  /** The payload's scheduled time (a Scheduled Event's `time`), when it has one. */
  readonly time?: Date;
  /** Why it failed, in one line. */
  readonly error: string;
}

/**
 * Reads a dead-letter message. Lambda's on-failure record is a JSON body with `requestContext`
 * (`condition`: RetriesExhausted or EventAgeExceeded, `approximateInvokeCount`), `requestPayload`
 * (the event) and `responsePayload` (the error); the rule's and the Scheduler's dead letters are
 * the event itself, with `ERROR_CODE` and `ERROR_MESSAGE` message attributes.
 */
export function parseDeadLetter(m: Message): DeadLetter {
  const messageId = m.MessageId ?? '?';
  const receiptHandle = m.ReceiptHandle ?? '';
  let body: unknown;
  try {
    body = JSON.parse(m.Body ?? '');
  } catch {
    body = m.Body ?? '';
  }
  const timeOf = (p: unknown): Date | undefined => {
    const t = (p as { time?: unknown } | undefined)?.time;
    const d = typeof t === 'string' ? new Date(t) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d : undefined;
  };
  const record = body as {
    requestContext?: { condition?: string; approximateInvokeCount?: number };
    requestPayload?: unknown;
    responsePayload?: unknown;
    responseContext?: { functionError?: string };
  };
  if (record && typeof record === 'object' && record.requestContext && 'requestPayload' in record) {
    const r = record.responsePayload as { errorType?: string; errorMessage?: string } | undefined;
    const why = r?.errorMessage ? `${r.errorType ?? record.responseContext?.functionError ?? 'Error'}: ${r.errorMessage}` : (record.responseContext?.functionError ?? 'no error payload');
    const ctx = record.requestContext;
    return {
      messageId,
      receiptHandle,
      source: 'lambda',
      payload: record.requestPayload,
      time: timeOf(record.requestPayload),
      error: `${why} (${ctx.condition ?? 'failed'} after ${ctx.approximateInvokeCount ?? '?'} attempts)`,
    };
  }
  const attr = (name: string) => m.MessageAttributes?.[name]?.StringValue;
  const error = [attr('ERROR_CODE'), attr('ERROR_MESSAGE')].filter(Boolean).join(': ') || 'not delivered (no error attributes)';
  return { messageId, receiptHandle, source: 'delivery', payload: body, time: timeOf(body), error: `delivery failed: ${error}` };
}

/** Why a dead letter without a scheduled time is left in the queue, and what to do instead. */
export const NO_TIME_REASON = 'it carries no scheduled time, so a re-run would be a run for now, not the run that failed ' +
  '(and deleting the letter would lose which run that was); find the run\'s time from the letter (redrive --list) and ' +
  'run it with "batchform run <batch> --time <ISO time>", then delete the message from the queue';

/** Options of {@link redrive}. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  /** Only list the dead letters (they become visible again at once); run nothing, delete nothing. @default false */
  readonly listOnly?: boolean;
  /** Most messages to handle. @default no limit */
  readonly max?: number;
  /** Long-poll seconds of each receive (SQS: 0-20); the queue is empty when one receive returns nothing. @default 2 */
  readonly waitSeconds?: number;
  readonly log?: (line: string) => void;
  /** A durable batch: how its executions are polled (the pause function in tests). */
  readonly waits?: Partial<ExecutionWait>;
}

/** What a redrive found and did, per dead letter. */
export interface RedriveEntry {
  readonly letter: DeadLetter;
  /** Absent when listing only. */
  readonly outcome?: BackfillOutcome;
  /** Whether the message was deleted (only after a successful re-run). */
  readonly deleted: boolean;
  /** Why a delete failed, when it did. */
  readonly deleteError?: string;
  /** Why it was not re-run, when it was not. */
  readonly skipped?: string;
}

export interface RedriveResult {
  readonly entries: readonly RedriveEntry[];
  readonly ok: boolean;
}

/**
 * Receives the dead letters ten at a time, each hidden for the function's timeout and a minute (so
 * no other reader takes it while it re-runs), re-runs each one synchronously with the payload it
 * carries (constant-input batches: the batch's input; a Scheduled Event keeps its scheduled time),
 * and deletes it only when the re-run succeeded. A dead letter whose re-run failed is made visible
 * again at the end, so it stays in the queue for the next redrive; the messages of one redrive are
 * never received twice.
 *
 * A durable batch's dead letter (a run its starter could not start, or an execution that failed)
 * is re-run through the starter with its scheduled time: a time whose execution has ended gets a
 * new execution (`-r<n>`), since the same name would only return the ended one; the message is
 * deleted only when that execution SUCCEEDED. Each message stays hidden for the execution timeout
 * (SQS allows 12 hours at most) while its execution is waited for.
 */
export async function redrive(target: BatchTarget, schedule: StageSchedule, options: RedriveOptions): Promise<RedriveResult> {
  const { sqs } = options;
  const log = options.log ?? (() => undefined);
  const queue = target.deadLetterQueueUrl;
  const longest = target.durable ? (target.batch.durable?.executionTimeout ?? target.batch.timeout) + 120 : target.batch.timeout + 60;
  const hideSeconds = options.listOnly ? 30 : Math.min(43_200, longest);
  const entries: RedriveEntry[] = [];
  const release: string[] = [];
  const seen = new Set<string>();
  const max = options.max ?? Infinity;
  try {
    while (entries.length < max) {
      const page = await reaching(sqs, 'sqs', `reading the dead-letter queue ${queue} (ReceiveMessage)`, () => sqs.send(new ReceiveMessageCommand({
        QueueUrl: queue,
        MaxNumberOfMessages: Math.min(10, max - entries.length),
        VisibilityTimeout: hideSeconds,
        WaitTimeSeconds: options.waitSeconds ?? 2,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      })));
      const messages = (page.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
      if (messages.length === 0) break;
      for (const m of messages) {
        seen.add(m.MessageId ?? '');
        const letter = parseDeadLetter(m);
        log(`dead letter ${letter.messageId}: ${letter.time ? `run ${letter.time.toISOString()}` : 'run without a scheduled time'}: ${letter.error}`);
        if (options.listOnly) {
          entries.push({ letter, deleted: false });
          release.push(letter.receiptHandle);
          continue;
        }
        // A run is for a scheduled time; re-running a letter without one would run the batch for "now", then delete the only record of the failed run.
        // A constant-input batch's event never carries a time, so its letters are re-run as they are.
        if (!letter.time && (target.durable || eventKind(schedule) !== 'input')) {
          const why = NO_TIME_REASON;
          log(`  not re-run: ${why}; the message stays in the queue`);
          entries.push({ letter, deleted: false, skipped: why });
          release.push(letter.receiptHandle);
          continue;
        }
        const outcome: BackfillOutcome = target.durable
          ? await runDurable(target, schedule, letter.time!, { lambda: options.lambda, wait: true, event: letter.payload, waits: options.waits, trigger: 'redrive' })
          // Only a constant-input batch gets here without a time: its event carries none, so the invoke time is its run's.
          : await invokeRun(target, schedule, letter.time ?? new Date(), { lambda: options.lambda, mode: 'wait', event: letter.payload, log, trigger: 'redrive' });
        if (!outcome.ok) {
          log(`  re-run failed: ${runFailure(outcome)}; the message stays in the queue`);
          entries.push({ letter, outcome, deleted: false });
          release.push(letter.receiptHandle);
          continue;
        }
        try {
          await reaching(sqs, 'sqs', `deleting dead letter ${letter.messageId} (DeleteMessage)`, () => sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: letter.receiptHandle })));
          log('  re-run succeeded; message deleted');
          entries.push({ letter, outcome, deleted: true });
        } catch (e) {
          entries.push({ letter, outcome, deleted: false, deleteError: describeError(e) });
        }
      }
    }
  } finally {
    // What was not re-run successfully goes back to the queue now, not after its hiding time.
    for (const handle of release) {
      try {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: handle, VisibilityTimeout: 0 }));
      } catch {
        // It becomes visible again when its hiding time ends.
      }
    }
  }
  const ok = entries.every((e) => options.listOnly || (e.deleted && !e.deleteError));
  return { entries, ok };
}

/** The summary for people. */
export function renderRedriveResult(target: BatchTarget, r: RedriveResult, listOnly: boolean): string {
  if (r.entries.length === 0) return `${target.stackName}: the dead-letter queue is empty.`;
  const lines = [`${target.stackName}: ${r.entries.length} dead letter(s)`];
  for (const e of r.entries) {
    const when = e.letter.time ? e.letter.time.toISOString() : '(no scheduled time)';
    const execution = e.outcome && 'how' in e.outcome && e.outcome.execution ? ` as execution ${e.outcome.execution.name}` : '';
    const what = listOnly ? '' : e.skipped ? ` -> not re-run (${e.skipped}), kept`
      : e.deleted ? ` -> re-run${execution} succeeded, deleted`
        : e.deleteError ? ` -> re-run${execution} succeeded, but the delete failed (${e.deleteError}); delete it by hand`
          : ` -> re-run failed (${e.outcome && 'how' in e.outcome ? runFailure(e.outcome) : e.outcome?.error ?? e.outcome?.functionError}), kept`;
    lines.push(`  ${when}  ${e.letter.error}${what}`);
  }
  return lines.join('\n');
}
