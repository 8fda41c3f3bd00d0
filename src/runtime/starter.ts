// The starter of a durable batch: the small plain function its rule or Scheduler schedule invokes,
// which starts the batch's durable execution on the published alias, named after the run's
// scheduled time. EventBridge targets cannot pass Invoke's DurableExecutionName; this can, so a
// duplicate or retried delivery of the same run finds its execution already started.
// No imports: the starter's inline code (STARTER_SOURCE) is this module's logic in plain JS.

/** Lambda's limit on a durable execution name, in characters. */
export const MAX_EXECUTION_NAME = 64;

/** Environment variables of the starter function. */
export const STARTER_ENV = {
  /** The qualified ARN (alias) of the durable function. */
  target: 'BATCHFORM_DURABLE_TARGET',
  /**
   * What execution names start with: the batch's stack name (`<stage prefix>-<batch>`), so two
   * stages of a batch in one account and region never share a name (Lambda keeps execution names
   * unique within an account and region).
   */
  namePrefix: 'BATCHFORM_EXECUTION_PREFIX',
} as const;

/** Most deliberate re-runs of one scheduled time (`-r1` ... `-r999`). */
export const MAX_RERUN = 999;

/**
 * The event field an operator sets to re-run a scheduled time whose execution has ended: a whole
 * number 1-{@link MAX_RERUN}. The schedule never sends it, so a duplicate delivery still names
 * the run's first execution; the starter removes it before the batch sees the event.
 */
export const RERUN_FIELD = 'batchformRerun';

/**
 * `<prefix>-<yyyymmddThhmmssZ>` for the run scheduled at `scheduledTime` (an ISO 8601 string),
 * `-r<rerun>` after it for a deliberate re-run, the prefix shortened when the whole would pass 64
 * characters; the same scheduled time (and re-run number) always gives the same name. Deployed,
 * the prefix is the batch's stack name (one per stage); locally, the batch's name.
 *
 * @example executionName('prod-monthly-recompute', '2027-02-01T00:10:00Z') // 'prod-monthly-recompute-20270201T001000Z'
 * @example executionName('prod-monthly-recompute', '2027-02-01T00:10:00Z', 2) // 'prod-monthly-recompute-20270201T001000Z-r2'
 */
export function executionName(prefix: string, scheduledTime: string, rerun?: number): string {
  const t = new Date(scheduledTime);
  if (Number.isNaN(t.getTime())) throw new Error(`batchform: no scheduled time to name the execution after: ${JSON.stringify(scheduledTime)}`);
  if (rerun !== undefined && !(Number.isInteger(rerun) && rerun >= 1 && rerun <= MAX_RERUN)) throw new Error(`batchform: ${RERUN_FIELD} must be a whole number 1-${MAX_RERUN}, got ${JSON.stringify(rerun)}`);
  const stamp = `${t.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  const suffix = rerun ? `-r${rerun}` : '';
  return `${prefix.slice(0, MAX_EXECUTION_NAME - stamp.length - 1 - suffix.length)}-${stamp}${suffix}`;
}

/** The Invoke request the starter sends for one scheduled run. */
export interface StartRequest {
  readonly FunctionName: string;
  readonly InvocationType: 'Event';
  readonly DurableExecutionName: string;
  /** The Scheduled Event as JSON, its delivery-specific `id` replaced by the execution name. */
  readonly Payload: string;
}

/**
 * The Invoke request for a delivered Scheduled Event. Every delivery of the same run gives the
 * same name and the same payload: Lambda treats a start with a known name and the same payload as
 * the execution already started (and refuses a different payload under that name).
 */
export function startRequest(event: { readonly 'detail-type'?: string; readonly 'time'?: string; readonly [RERUN_FIELD]?: number }, target: string, prefix: string): StartRequest {
  if (!event || event['detail-type'] !== 'Scheduled Event' || typeof event.time !== 'string') {
    throw new Error(`batchform starter: expected an EventBridge Scheduled Event with a time, got ${JSON.stringify(event).slice(0, 200)}`);
  }
  const { [RERUN_FIELD]: rerun, ...scheduled } = event;
  const name = executionName(prefix, event.time, rerun);
  return { FunctionName: target, InvocationType: 'Event', DurableExecutionName: name, Payload: JSON.stringify({ ...scheduled, id: name }) };
}

/**
 * The starter's source as Lambda runs it (CommonJS, the runtime's AWS SDK v3), inline in the
 * template (Code.ZipFile, at most 4096 characters): {@link executionName} and {@link startRequest}
 * in plain JavaScript (test/template/durable.test.ts runs it against them), and a handler.
 */
export const STARTER_SOURCE = `'use strict';
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const lambda = new LambdaClient({});
function executionName(prefix, scheduledTime, rerun) {
  const t = new Date(scheduledTime);
  if (Number.isNaN(t.getTime())) throw new Error('batchform: no scheduled time to name the execution after: ' + JSON.stringify(scheduledTime));
  if (rerun !== undefined && !(Number.isInteger(rerun) && rerun >= 1 && rerun <= ${MAX_RERUN})) throw new Error('batchform: ${RERUN_FIELD} must be a whole number 1-${MAX_RERUN}, got ' + JSON.stringify(rerun));
  const stamp = t.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
  const suffix = rerun ? '-r' + rerun : '';
  return prefix.slice(0, ${MAX_EXECUTION_NAME} - stamp.length - 1 - suffix.length) + '-' + stamp + suffix;
}
exports.handler = async (event) => {
  if (!event || event['detail-type'] !== 'Scheduled Event' || typeof event.time !== 'string') {
    throw new Error('batchform starter: expected an EventBridge Scheduled Event with a time, got ' + JSON.stringify(event).slice(0, 200));
  }
  const prefix = process.env.${STARTER_ENV.namePrefix};
  // An operator's deliberate re-run of an ended execution; the batch gets the event without it.
  const { ${RERUN_FIELD}: rerun, ...scheduled } = event;
  const name = executionName(prefix, event.time, rerun);
  let out;
  try {
    out = await lambda.send(new InvokeCommand({
      FunctionName: process.env.${STARTER_ENV.target}, InvocationType: 'Event', DurableExecutionName: name,
      Payload: Buffer.from(JSON.stringify({ ...scheduled, id: name })),
    }));
  } catch (e) {
    // This run's execution exists already (a duplicate delivery): nothing to start.
    if (e && e.name === 'DurableExecutionAlreadyStartedException') {
      console.log(JSON.stringify({ level: 'INFO', message: 'execution already started', executionName: name }));
      return { executionName: name, alreadyStarted: true };
    }
    throw e;
  }
  console.log(JSON.stringify({ level: 'INFO', message: 'execution started', executionName: name, executionArn: out.DurableExecutionArn, statusCode: out.StatusCode }));
  return { executionName: name, executionArn: out.DurableExecutionArn };
};
`;
