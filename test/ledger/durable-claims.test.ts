// Durable batches on the same ledger record (dynalite, started by this test; the durable execution
// SDK's local runner): 20 executions of one scheduled time run the handler once, the claim is a
// checkpointed step (replays after a wait do not claim again), and a re-run execution (`-r1`) runs.
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { startDynalite, LocalDynamo } from './dynalite';
import { pauseBatch, resumeBatch } from '../../src/operate/pause';
import { durableBatch } from '../../src/runtime/durable';
import { RunLedger } from '../../src/runtime/ledger';

const quiet = { appendKeys: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(async () => { await dynamo.stop(); });
beforeEach(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterEach(() => LocalDurableTestRunner.teardownTestEnvironment());

/** The event the starter passes to one execution: the Scheduled Event with its id replaced by the execution name. */
function started(time: string, executionName: string) {
  return { 'version': '0', 'id': executionName, 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': '111122223333', time, 'region': 'ap-northeast-2', 'resources': [], 'detail': {} };
}

test('20 concurrent executions of one scheduled time run the handler once; one record, 19 duplicates counted', async () => {
  const tableName = await dynamo.createLedger();
  const ledger = new RunLedger({ tableName, batch: 'monthly-recompute', client: dynamo.client });
  let runs = 0;
  const handler = durableBatch(async (run) => {
    const n = await run.step('recompute', async () => { runs++; return 7; });
    await run.wait({ minutes: 5 }, 'cool-down');
    return { n };
  }, { logger: quiet, ledger });
  const name = 'prod-monthly-recompute-20270201T001000Z';
  const executions = await Promise.all(Array.from({ length: 20 }, () => new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: started('2027-02-01T00:10:00Z', name) })));
  const results = executions.map((e) => e.getResult());
  expect(executions.map((e) => String(e.getStatus()))).toEqual(Array(20).fill('SUCCEEDED'));
  expect(results.filter((r) => (r as { n?: number }).n === 7)).toHaveLength(1);
  expect(results.filter((r) => (r as { skipped?: string }).skipped === 'duplicate')).toHaveLength(19);
  // The work ran once across all 20 executions (the winner's replays after its wait return the checkpoint).
  expect(runs).toBe(1);
  const record = await ledger.record('2027-02-01T00:10:00.000Z');
  expect(record).toMatchObject({ batch: 'monthly-recompute', status: 'succeeded', attempts: 1, duplicates: 19, executionName: name, trigger: 'schedule' });
});

test('replays after a wait find the claim checkpointed: one attempt, and the execution finishes as succeeded', async () => {
  const tableName = await dynamo.createLedger();
  const ledger = new RunLedger({ tableName, batch: 'monthly-recompute', client: dynamo.client });
  const ran: string[] = [];
  const handler = durableBatch(async (run) => {
    await run.step('a', async () => { ran.push('a'); });
    await run.wait({ hours: 1 }, 'pause');
    await run.step('b', async () => { ran.push('b'); });
    return 'done';
  }, { logger: quiet, ledger });
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  const execution = await runner.run({ payload: started('2027-03-01T00:10:00Z', 'prod-monthly-recompute-20270301T001000Z') });
  expect(execution.getResult()).toBe('done');
  expect(execution.getInvocations().length).toBeGreaterThanOrEqual(2);
  expect(ran).toEqual(['a', 'b']);
  expect(runner.getOperation('batchform:claim').getStepDetails()?.result).toMatchObject({ outcome: 'run', attempt: 1 });
  expect(await ledger.record('2027-03-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1 });
});

test('a failed execution is recorded as failed; an operator\'s re-run execution (-r1) is its next attempt', async () => {
  const tableName = await dynamo.createLedger();
  const ledger = new RunLedger({ tableName, batch: 'monthly-recompute', client: dynamo.client });
  let fail = true;
  const handler = durableBatch(async (run) => {
    await run.step('work', async () => { if (fail) throw new Error('upstream API returned 503'); }, { retryStrategy: () => ({ shouldRetry: false }) });
    return 'ok';
  }, { logger: quiet, ledger });
  const first = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: started('2027-04-01T00:10:00Z', 'prod-monthly-recompute-20270401T001000Z') });
  expect(String(first.getStatus())).toBe('FAILED');
  expect(await ledger.record('2027-04-01T00:10:00.000Z')).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringContaining('upstream API returned 503') });
  fail = false;
  const rerun = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: started('2027-04-01T00:10:00Z', 'prod-monthly-recompute-20270401T001000Z-r1') });
  expect(rerun.getResult()).toBe('ok');
  expect(await ledger.record('2027-04-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 2, executionName: 'prod-monthly-recompute-20270401T001000Z-r1' });
});

test('a paused batch\'s execution is recorded skipped-paused without running; after resume, the catch-up\'s re-run execution (-r1) runs it as its first attempt', async () => {
  const tableName = await dynamo.createLedger();
  const ledger = new RunLedger({ tableName, batch: 'monthly-recompute', client: dynamo.client });
  let runs = 0;
  const handler = durableBatch(async (run) => run.step('work', async () => ++runs), { logger: quiet, ledger });
  const target = { tableName, batch: 'monthly-recompute' };
  const who = 'arn:aws:sts::111122223333:assumed-role/prod-batchform-operator/alice';
  await pauseBatch(dynamo.client, target, { note: 'vendor outage', by: who, now: new Date('2027-04-30T00:00:00Z') });
  const skipped = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: started('2027-05-01T00:10:00Z', 'prod-monthly-recompute-20270501T001000Z') });
  expect(skipped.getResult()).toEqual({ skipped: 'skipped-paused', run: '2027-05-01T00:10:00.000Z' });
  expect(runs).toBe(0);
  expect(await ledger.record('2027-05-01T00:10:00.000Z')).toMatchObject({ status: 'skipped-paused', attempts: 0, error: expect.stringContaining('vendor outage') });
  await resumeBatch(dynamo.client, target, { by: who, now: new Date('2027-05-02T00:00:00Z') });
  // runDurable finds the ended execution and starts -r1 with the catch-up's trigger; the starter passes the trigger on.
  const caughtUp = await new LocalDurableTestRunner({ handlerFunction: handler }).run({
    payload: { ...started('2027-05-01T00:10:00Z', 'prod-monthly-recompute-20270501T001000Z-r1'), batchformTrigger: 'backfill' },
  });
  expect(caughtUp.getResult()).toBe(1);
  expect(await ledger.record('2027-05-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'backfill', executionName: 'prod-monthly-recompute-20270501T001000Z-r1' });
});
