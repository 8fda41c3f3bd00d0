// A durable handler that uses every operation the runtime helper offers (step, wait, map), run
// locally as `npx projen invoke` runs it: the execution succeeds, its waits are skipped (not slept),
// and the report lists each operation: a wait with how long it waited, a map with its items and
// their steps under it. --fail-at on a step inside a map item resumes that item's step.
import { durableSummary } from '../../src/cli/bundle-commands';
import { runDurableExecution } from '../../src/local/local-durable-run';
import { durableBatch } from '../../src/runtime/durable';

const EVENT = { 'version': '0', 'id': 'e', 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': '111122223333', 'time': '2027-02-01T00:10:00Z', 'region': 'ap-northeast-2', 'resources': [], 'detail': {} };
const quiet = {
  logger: { appendKeys: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never,
};

function handler() {
  return durableBatch(async (run) => {
    const ids = await run.step('list', async () => ['a', 'b', 'c']);
    await run.wait({ hours: 2 }, 'cool-down');
    await run.wait({ seconds: 90 });
    const done = await run.map(ids, (id, _i, item) => item.step(`reindex-${id}`, async () => id.toUpperCase()), { concurrency: 2, name: 'reindex' });
    return { reindexed: done.getResults() };
  }, quiet);
}

test('a handler with step, wait and map succeeds locally, and every operation is reported', async () => {
  const started = Date.now();
  const run = await runDurableExecution({ name: 'reindex' }, handler(), EVENT);
  expect(Date.now() - started).toBeLessThan(30_000); // the waits are skipped, not slept
  expect(run.status).toBe('SUCCEEDED');
  expect(run.result).toEqual({ reindexed: ['A', 'B', 'C'] });
  expect(run.operations.map((o) => [o.depth, o.name, o.type, o.status])).toEqual([
    [0, 'list', 'STEP', 'SUCCEEDED'],
    [0, 'cool-down', 'WAIT', 'SUCCEEDED'],
    [0, '(wait)', 'WAIT', 'SUCCEEDED'],
    [0, 'reindex', 'CONTEXT', 'SUCCEEDED'],
    [1, 'map-item-0', 'CONTEXT', 'SUCCEEDED'],
    [2, 'reindex-a', 'STEP', 'SUCCEEDED'],
    [1, 'map-item-1', 'CONTEXT', 'SUCCEEDED'],
    [2, 'reindex-b', 'STEP', 'SUCCEEDED'],
    [1, 'map-item-2', 'CONTEXT', 'SUCCEEDED'],
    [2, 'reindex-c', 'STEP', 'SUCCEEDED'],
  ]);
  expect(run.operations.filter((o) => o.type === 'WAIT').map((o) => o.waitSeconds)).toEqual([7200, 90]);
  expect(run.operations.find((o) => o.name === 'reindex-b')?.checkpoint).toBe('"B"');

  const summary = durableSummary('reindex', run);
  expect(summary).toContain('reindex: execution reindex-20270201T001000Z SUCCEEDED');
  expect(summary).toMatch(/\n {2}cool-down +WAIT {5}SUCCEEDED {2}waited 2h \(skipped locally\)\n/);
  expect(summary).toMatch(/\n {2}\(wait\) +WAIT {5}SUCCEEDED {2}waited 1m 30s \(skipped locally\)\n/);
  expect(summary).toMatch(/\n {2}reindex +CONTEXT {2}SUCCEEDED {2}Map {2}\{"all":/);
  expect(summary).toMatch(/\n {4}map-item-1 +CONTEXT {2}SUCCEEDED {2}MapIteration {2}"B"\n/);
  expect(summary).toMatch(/\n {6}reindex-b +STEP {5}SUCCEEDED {2}"B"\n/);
});

test('--fail-at a step inside a map item: the execution resumes that step, and succeeds', async () => {
  const events: string[] = [];
  const run = await runDurableExecution({ name: 'reindex' }, handler(), EVENT, {
    failAt: 'reindex-b',
    onStep: (e) => events.push(`${e.invocation} ${e.step} ${e.event}${e.attempt ? ` ${e.attempt}` : ''}`),
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.result).toEqual({ reindexed: ['A', 'B', 'C'] });
  expect(run.invocations).toBeGreaterThan(1);
  expect(events).toContain('1 list ran 1');
  expect(events.filter((e) => e.includes('reindex-b'))).toEqual(expect.arrayContaining([
    expect.stringMatching(/^\d+ reindex-b failed 1$/),
    expect.stringMatching(/^\d+ reindex-b ran 2$/),
  ]));
  // list ran once: every later invocation replayed it.
  expect(events.filter((e) => / list ran/.test(e))).toHaveLength(1);
  expect(run.operations.find((o) => o.name === 'reindex-b')).toMatchObject({ status: 'SUCCEEDED', attempt: 2, checkpoint: '"B"' });
});

test('what run.context offers that runs offline (child context, parallel, waitForCondition) is reported too', async () => {
  const contextHandler = durableBatch(async (run) => {
    const sum = await run.context.runInChildContext('totals', async (child) => {
      const a = await child.step('a', async () => 1);
      await child.wait({ seconds: 10 });
      return a + await child.step('b', async () => 2);
    });
    const branches = await run.context.parallel('both', [
      { name: 'left', func: async (ctx) => ctx.step('l', async () => 'L') },
      { name: 'right', func: async (ctx) => ctx.step('r', async () => 'R') },
    ]);
    const polled = await run.context.waitForCondition('poll', async (n: number) => n + 1, {
      initialState: 0,
      waitStrategy: (n) => (n >= 3 ? { shouldContinue: false } : { shouldContinue: true, delay: { minutes: 5 } }),
    });
    return { sum, branches: branches.getResults(), polled };
  }, quiet);
  const run = await runDurableExecution({ name: 'ctx' }, contextHandler, EVENT);
  expect(run.status).toBe('SUCCEEDED');
  expect(run.result).toEqual({ sum: 3, branches: ['L', 'R'], polled: 3 });
  const rows = run.operations.map((o) => `${'  '.repeat(o.depth ?? 0)}${o.name} ${o.type} ${o.status}`);
  expect(rows).toEqual(expect.arrayContaining([
    'totals CONTEXT SUCCEEDED', '  a STEP SUCCEEDED', '  (wait) WAIT SUCCEEDED', '  b STEP SUCCEEDED',
    'both CONTEXT SUCCEEDED', '  left CONTEXT SUCCEEDED', '    l STEP SUCCEEDED', '  right CONTEXT SUCCEEDED', '    r STEP SUCCEEDED',
    'poll STEP SUCCEEDED',
  ]));
  expect(run.operations.find((o) => o.name === 'poll')?.checkpoint).toBe('3');
  expect(durableSummary('ctx', run)).toContain('SUCCEEDED');
});

function callbackHandler() {
  return durableBatch(async (run) => {
    const approved = await run.context.waitForCallback<string>('approve', async () => undefined);
    const [second] = await run.context.createCallback<string>('second');
    return { approved, second: await second };
  }, quiet);
}

test('callbacks answered locally (--callback): waitForCallback and createCallback get their results and the execution succeeds', async () => {
  const run = await runDurableExecution({ name: 'approval' }, callbackHandler(), EVENT, {
    callbacks: { approve: { result: '"yes"' }, second: { result: '"two"' } },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.result).toEqual({ approved: '"yes"', second: '"two"' });
  expect(run.operations.filter((o) => o.type === 'CALLBACK').map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
});

test('a callback answered with an error fails the execution with that error', async () => {
  const run = await runDurableExecution({ name: 'approval' }, callbackHandler(), EVENT, {
    callbacks: { approve: { error: 'rejected by reviewer' }, second: { result: '"two"' } },
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toContain('rejected by reviewer');
});

test('a callback without a local answer fails at once (never hangs), naming the flag that answers it', async () => {
  const run = await runDurableExecution({ name: 'approval' }, callbackHandler(), EVENT, { callbacks: { approve: { result: '"yes"' } } });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('callback "second" waits for an answer from outside the execution, which a local run cannot receive: '
    + 'answer it with: npx projen invoke approval --callback second=\'<JSON result>\' (or --callback-error second=\'<message>\').');
});
