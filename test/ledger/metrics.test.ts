// The ledger's metrics as the runtime helper publishes them (embedded metric format lines, captured
// here instead of standard output), against a real DynamoDB-compatible server (dynalite, started by
// this test): what each end and skip publishes, and the consecutive failures the failure alarm
// watches, counted per scheduled time in the batch's own `#health` item.
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { startDynalite, LocalDynamo } from './dynalite';
import { LEDGER_METRICS } from '../../src/model/ledger';
import { batch } from '../../src/runtime';
import { durableBatch } from '../../src/runtime/durable';
import { RunLedger, RunLedgerOptions } from '../../src/runtime/ledger';
import { emfLine, stdoutSink } from '../../src/runtime/metrics';

const none = () => undefined;
const quiet = { appendKeys: none, addContext: none, info: none, warn: none, error: none, debug: none } as never;
const STACK = 'acme-prod-daily-stats';

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(async () => { await dynamo.stop(); });

function context(requestId: string): Context {
  return {
    functionName: STACK, awsRequestId: requestId, logStreamName: `2027/02/01/[$LATEST]${requestId}`, getRemainingTimeInMillis: () => 60_000,
  } as Context;
}

function scheduled(time: string): ScheduledEvent {
  return { 'id': `delivery-${time}`, 'detail-type': 'Scheduled Event', 'source': 'aws.events', time, 'detail': {} } as unknown as ScheduledEvent;
}

/** A ledger on a fresh table whose metric lines are kept, parsed, in `lines`. */
async function captured(options: Partial<RunLedgerOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const ledger = new RunLedger({
    tableName: await dynamo.createLedger(), batch: 'daily-stats', client: dynamo.client, stack: STACK, metrics: (l) => lines.push(JSON.parse(l)), ...options,
  });
  return { ledger, lines };
}

/** The metric values of a line (without the `_aws` metadata and the dimension). */
function values(line: Record<string, unknown>): Record<string, unknown> {
  const { _aws: _, Stack: __, ...rest } = line;
  return rest;
}

describe('the embedded metric format line', () => {
  test('declares namespace batchform, the Stack dimension, each metric with its unit, and carries the values', () => {
    const line = JSON.parse(emfLine(STACK, { RunFailed: 1, RunDuration: 1234, ConsecutiveFailures: 3 }, 1_800_000_000_000));
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_800_000_000_000,
        CloudWatchMetrics: [{
          Namespace: 'batchform',
          Dimensions: [['Stack']],
          Metrics: [{ Name: 'RunFailed', Unit: 'Count' }, { Name: 'RunDuration', Unit: 'Milliseconds' }, { Name: 'ConsecutiveFailures', Unit: 'Count' }],
        }],
      },
      Stack: STACK,
      RunFailed: 1,
      RunDuration: 1234,
      ConsecutiveFailures: 3,
    });
  });

  test('goes to standard output as one line of its own, not through console (which Lambda prefixes or wraps)', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      stdoutSink(emfLine(STACK, { RunSkipped: 1 }, 1));
      expect(write).toHaveBeenCalledWith(`${emfLine(STACK, { RunSkipped: 1 }, 1)}\n`);
    } finally {
      write.mockRestore();
    }
  });
});

describe('a plain batch\'s runs publish', () => {
  test('a success: RunSucceeded 1 and RunFailed 0, its RunDuration from the ledger\'s clock, ConsecutiveFailures 0, stamped at its start (as Lambda stamps Errors)', async () => {
    const start = Date.parse('2027-02-01T00:10:00Z');
    let now = start;
    const { ledger, lines } = await captured({ now: () => now });
    await batch(async () => { now += 4200; }, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    expect(lines).toHaveLength(1);
    expect(lines[0].Stack).toBe(STACK);
    expect((lines[0]._aws as { Timestamp: number }).Timestamp).toBe(start);
    expect(values(lines[0])).toEqual({ RunSucceeded: 1, RunFailed: 0, RunDuration: 4200, ConsecutiveFailures: 0 });
  });

  test('consecutive failures count scheduled times, not attempts, and a success resets them', async () => {
    const { ledger, lines } = await captured();
    let fail = true;
    const handler = batch(async () => { if (fail) throw new Error('database unreachable'); }, { logger: quiet, ledger });
    for (const time of ['2027-02-01T00:10:00Z', '2027-02-02T00:10:00Z', '2027-02-03T00:10:00Z']) {
      await expect(handler(scheduled(time), context(`req-${time}`))).rejects.toThrow('database unreachable');
    }
    // Lambda's retry of the third run (same request id) fails again: still three scheduled times in a row.
    await expect(handler(scheduled('2027-02-03T00:10:00Z'), context('req-2027-02-03T00:10:00Z'))).rejects.toThrow();
    expect(lines.map((l) => [l.RunFailed, l.ConsecutiveFailures])).toEqual([[1, 1], [1, 2], [1, 3], [1, 3]]);
    expect(await ledger.health()).toMatchObject({ consecutiveFailures: 3, lastFailed: '2027-02-03T00:10:00.000Z' });
    fail = false;
    await handler(scheduled('2027-02-04T00:10:00Z'), context('req-4'));
    expect(values(lines[4])).toMatchObject({ RunSucceeded: 1, RunFailed: 0, ConsecutiveFailures: 0 });
    expect(await ledger.health()).toMatchObject({ consecutiveFailures: 0, lastSucceeded: '2027-02-04T00:10:00.000Z' });
    expect((await ledger.health())?.lastFailed).toBeUndefined();
    // The health item is not a run: the run records are untouched by it.
    expect(await ledger.record('2027-02-03T00:10:00.000Z')).toMatchObject({ status: 'failed', attempts: 2 });
  });

  test('a duplicate delivery and an overlapping run each publish RunSkipped 1, and nothing else', async () => {
    const { ledger, lines } = await captured();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let started!: () => void;
    const running = new Promise<void>((resolve) => { started = resolve; });
    const handler = batch(async (run) => {
      if (run.time.toISOString() === '2027-02-01T00:10:00.000Z') {
        started();
        await held;
      }
    }, { logger: quiet, ledger });
    const first = handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await running;
    await handler(scheduled('2027-02-01T00:10:00Z'), context('req-duplicate'));
    await handler(scheduled('2027-02-01T00:15:00Z'), context('req-overlap'));
    expect(lines.map(values)).toEqual([{ RunSkipped: 1 }, { RunSkipped: 1 }]);
    release();
    await first;
    expect(values(lines[2])).toMatchObject({ RunSucceeded: 1, ConsecutiveFailures: 0 });
  });

  test('a ledger that cannot record the end still publishes the run\'s outcome and duration (not a count it could not keep)', async () => {
    const { ledger, lines } = await captured();
    const claim = await ledger.claim({ scheduledTime: new Date('2027-02-01T00:10:00Z'), owner: 'req-1', timeoutMs: 60_000, trigger: 'schedule' });
    await dynamo.client.send(new DeleteTableCommand({ TableName: ledger.tableName }));
    await expect(ledger.finish(claim, new Error('boom'))).rejects.toThrow(/the run ledger failed recording the end of 2027-02-01T00:10:00.000Z/);
    expect(lines).toHaveLength(1);
    expect(values(lines[0])).toEqual({ RunSucceeded: 0, RunFailed: 1, RunDuration: expect.any(Number) });
  });

  test('without a stack name nothing is published; the template\'s BATCHFORM_STACK names it, else in Lambda the function\'s name', async () => {
    const { ledger, lines } = await captured({ stack: undefined });
    await batch(async () => undefined, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    expect(lines).toEqual([]);
    const table = { BATCHFORM_LEDGER_TABLE: 'acme-prod-batchform-ledger' };
    expect(RunLedger.fromEnvironment('daily-stats', { ...table, BATCHFORM_STACK: STACK, AWS_LAMBDA_FUNCTION_NAME: 'other' })?.stack).toBe(STACK);
    expect(RunLedger.fromEnvironment('daily-stats', { ...table, AWS_LAMBDA_FUNCTION_NAME: STACK, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })?.stack).toBe(STACK);
    // A local run (npx projen invoke names its function local-<batch>) publishes nothing.
    expect(RunLedger.fromEnvironment('daily-stats', { ...table, AWS_LAMBDA_FUNCTION_NAME: 'local-daily-stats' })?.stack).toBeUndefined();
    expect(RunLedger.fromEnvironment('daily-stats', table)?.stack).toBeUndefined();
  });
});

describe('a durable batch\'s execution', () => {
  beforeEach(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
  afterEach(() => LocalDurableTestRunner.teardownTestEnvironment());

  function started(time: string, executionName: string) {
    return { 'version': '0', 'id': executionName, 'detail-type': 'Scheduled Event', 'source': 'aws.events', time, 'detail': {} };
  }

  test('publishes its end once across its invocations and replays, and its duplicates as skipped', async () => {
    const { ledger, lines } = await captured({ batch: 'monthly-recompute', stack: 'acme-prod-monthly-recompute' });
    const handler = durableBatch(async (run) => {
      await run.step('work', async () => { throw new Error('upstream API returned 503'); }, { retryStrategy: () => ({ shouldRetry: false }) });
    }, { logger: quiet, ledger });
    const name = 'acme-prod-monthly-recompute-20270201T001000Z';
    const execution = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: started('2027-02-01T00:10:00Z', name) });
    expect(String(execution.getStatus())).toBe('FAILED');
    const ends = lines.filter((l) => LEDGER_METRICS.failed in l);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ Stack: 'acme-prod-monthly-recompute', RunSucceeded: 0, RunFailed: 1, ConsecutiveFailures: 1 });
    // Stamped at its end, as DurableExecutionFailed is (an execution may outlast CloudWatch's 14 days of past metrics).
    const record = await ledger.record('2027-02-01T00:10:00.000Z');
    expect((ends[0]._aws as { Timestamp: number }).Timestamp).toBe(Date.parse(record!.endedAt!));
    const durable = new RunLedger({ tableName: ledger.tableName, batch: 'monthly-recompute', client: dynamo.client, stack: 'acme-prod-monthly-recompute', metrics: (l) => lines.push(JSON.parse(l)) });
    const ok = durableBatch(async () => 'ok', { logger: quiet, ledger: durable });
    await new LocalDurableTestRunner({ handlerFunction: ok }).run({ payload: started('2027-03-01T00:10:00Z', 'acme-prod-monthly-recompute-20270301T001000Z') });
    await new LocalDurableTestRunner({ handlerFunction: ok }).run({ payload: started('2027-03-01T00:10:00Z', 'acme-prod-monthly-recompute-20270301T001000Z') });
    expect(lines.slice(1).map(values)).toEqual([
      { RunSucceeded: 1, RunFailed: 0, RunDuration: expect.any(Number), ConsecutiveFailures: 0 },
      { RunSkipped: 1 },
    ]);
  });
});
