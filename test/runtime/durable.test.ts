// The durable form of the runtime helper, over the durable execution SDK's local test runner (real
// checkpoints and replay in this process): steps are replayed, not re-run; a failing step resumes
// from itself; map runs items with bounded concurrency; run.time is the scheduled time throughout.
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { durableBatch, LOCAL_OBSERVER } from '../../src/runtime/durable';

const EVENT = { 'version': '0', 'id': 'e', 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': '111122223333', 'time': '2027-02-01T00:10:00Z', 'region': 'ap-northeast-2', 'resources': [], 'detail': {} };
const quiet = {
  logger: { appendKeys: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never,
};

// Per test: the runner's fake clock carries over from one execution to the next otherwise.
beforeEach(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterEach(() => LocalDurableTestRunner.teardownTestEnvironment());

test('completed steps are replayed from their checkpoints, not run again, across the invocations a wait makes', async () => {
  const ran: string[] = [];
  const times: string[] = [];
  const handler = durableBatch(async (run) => {
    times.push(run.time.toISOString());
    const a = await run.step('load', async () => { ran.push('load'); return { rows: 3 }; });
    await run.wait({ hours: 2 }, 'cool-down');
    const b = await run.step('write', async () => { ran.push('write'); return a.rows * 2; });
    return { a, b };
  }, quiet);
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  const execution = await runner.run({ payload: EVENT });
  expect(execution.getResult()).toEqual({ a: { rows: 3 }, b: 6 });
  expect(ran).toEqual(['load', 'write']);
  // The wait ended the first invocation; the second replayed "load" and ran "write".
  expect(execution.getInvocations().length).toBeGreaterThanOrEqual(2);
  expect(times.length).toBe(execution.getInvocations().length);
  expect(new Set(times)).toEqual(new Set(['2027-02-01T00:10:00.000Z']));
  expect(runner.getOperation('load').getStepDetails()?.result).toEqual({ rows: 3 });
});

test('a step that fails resumes from that step: earlier steps are not run again, the failed one is retried', async () => {
  const ran: string[] = [];
  const seen: Array<[string, string]> = [];
  (globalThis as Record<symbol, unknown>)[LOCAL_OBSERVER] = { onStep: (name: string, e: string) => seen.push([name, e]) };
  let failures = 0;
  const handler = durableBatch(async (run) => {
    await run.step('chunk-1', async () => { ran.push('chunk-1'); return 1; });
    await run.step('chunk-2', async () => {
      ran.push('chunk-2');
      if (failures++ === 0) throw new Error('connection reset');
      return 2;
    // An hour's backoff: longer than an invocation, so the retry is a new invocation that replays.
    }, { retryStrategy: (_e, attempt) => ({ shouldRetry: attempt < 3, delay: { hours: 1 } }) });
    return run.step('chunk-3', async () => { ran.push('chunk-3'); return 3; });
  }, quiet);
  try {
    const execution = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: EVENT });
    expect(execution.getResult()).toBe(3);
    expect(ran).toEqual(['chunk-1', 'chunk-2', 'chunk-2', 'chunk-3']);
    expect(execution.getInvocations().length).toBe(2);
    // The second invocation replayed chunk-1 from its checkpoint.
    expect(seen).toEqual([['chunk-1', 'ran'], ['chunk-2', 'ran'], ['chunk-1', 'replayed'], ['chunk-2', 'ran'], ['chunk-3', 'ran']]);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[LOCAL_OBSERVER];
  }
});

test('an error that exhausts the retries fails the execution with the error', async () => {
  const handler = durableBatch(async (run) => run.step('never', async () => { throw new Error('bad row 17'); }, { retryStrategy: () => ({ shouldRetry: false }) }), quiet);
  const execution = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: EVENT });
  expect(execution.getStatus()).toBe('FAILED');
  expect(execution.getError().errorMessage).toMatch(/bad row 17/);
});

test('map runs every item once, at most `concurrency` at a time, and returns their results in order', async () => {
  let active = 0;
  let most = 0;
  const ran: number[] = [];
  const handler = durableBatch(async (run) => {
    const result = await run.map([1, 2, 3, 4, 5, 6, 7], (n, i, item) => item.step(`square-${i}`, async () => {
      active++;
      most = Math.max(most, active);
      ran.push(n);
      // Yield a few times so that other items could start if the bound allowed them to.
      for (let k = 0; k < 5; k++) await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      active--;
      return n * n;
    }), { name: 'squares', concurrency: 2 });
    return result.getResults();
  }, quiet);
  const execution = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: EVENT });
  expect(execution.getResult()).toEqual([1, 4, 9, 16, 25, 36, 49]);
  expect(ran.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(most).toBe(2);
});

test('without a Scheduled Event, run.time is the first invocation\'s clock, checkpointed for every replay', async () => {
  const times: string[] = [];
  const handler = durableBatch(async (run) => {
    times.push(run.time.toISOString());
    await run.wait({ hours: 1 });
    return run.scheduled;
  }, quiet);
  const execution = await new LocalDurableTestRunner({ handlerFunction: handler }).run({ payload: { manual: true } });
  expect(execution.getResult()).toBe(false);
  expect(times.length).toBeGreaterThanOrEqual(2);
  expect(new Set(times).size).toBe(1);
});
