// batchform run on a durable batch: the run's execution is started through the starter, waited for to its outcome (on a virtual clock), re-run under a new name when it has ended, and its steps read from its history.
import { GetDurableExecutionCommand, InvokeCommand, ListDurableExecutionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { commandDeps, deployDurable, DURABLE_FUNCTION, DURABLE_STARTER, fakeDurableLambda, makeOperateProject, mockOperateClients, sentEvent } from './helpers';
import { runRunCommand } from '../../src/cli/operate-commands';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json', time: '2026-11-24T03:00:00Z' };

/** A durable utc-job, the fake durable Lambda, and a virtual clock: each pause is recorded, none is slept. */
function setup(outcome?: Parameters<typeof fakeDurableLambda>[1]) {
  const { clients, mocks } = mockOperateClients();
  deployDurable(mocks);
  const fake = fakeDurableLambda(mocks.lambda, outcome);
  const pauses: number[] = [];
  const { deps, out, err } = commandDeps(dir, clients, { executionSleep: async (ms) => { pauses.push(ms); } });
  const starts = () => mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input) as Record<string, unknown>);
  return { mocks, fake, pauses, deps, out, err, starts };
}

test('--wait: starts the run\'s execution through the starter and waits for it to succeed, polling with growing pauses', async () => {
  const s = setup(() => ({ statuses: ['RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'], result: '{"chunks":31}' }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(0);
  const [event] = s.starts();
  expect(s.mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input).toMatchObject({ FunctionName: DURABLE_STARTER, InvocationType: 'RequestResponse' });
  expect(event).toMatchObject({ 'detail-type': 'Scheduled Event', 'time': '2026-11-24T03:00:00Z' });
  expect(event).not.toHaveProperty('batchformRerun');
  expect(s.pauses).toEqual([2000, 4000, 8000]);
  expect(s.out.join('\n')).toContain('prod-utc-job run 2026-11-24T03:00:00.000Z: started execution prod-utc-job-20261124T030000Z: SUCCEEDED');
  expect(s.out.join('\n')).toContain('result: {"chunks":31}');
  // The execution is looked up on the function (every version), by its exact name.
  expect(s.mocks.lambda.commandCalls(ListDurableExecutionsByFunctionCommand)[0].args[0].input).toMatchObject({ FunctionName: DURABLE_FUNCTION, DurableExecutionName: 'prod-utc-job-20261124T030000Z' });
});

test.each([
  ['FAILED', { ErrorType: 'StepError', ErrorMessage: 'chunk 12: connection refused' }, 'FAILED: StepError: chunk 12: connection refused'],
  ['TIMED_OUT', { ErrorType: 'ExecutionTimedOut', ErrorMessage: 'ran past 86400 s' }, 'TIMED_OUT: ExecutionTimedOut: ran past 86400 s'],
  ['STOPPED', { ErrorType: 'Stopped', ErrorMessage: 'stopped by oncall' }, 'STOPPED: Stopped: stopped by oncall'],
] as const)('--wait: an execution that ends %s is a failed run: exit 1 with its error', async (status, error, text) => {
  const s = setup(() => ({ statuses: ['RUNNING', status], error }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(1);
  expect(s.out.join('\n')).toContain(`started execution prod-utc-job-20261124T030000Z: ${text}`);
});

test('--wait is bounded: an execution still running after its execution timeout and a minute of pauses is reported, exit 1', async () => {
  const s = setup(() => ({ statuses: ['RUNNING'] }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(1);
  // The fixture's utc-job declares no durable block: its timeout (120 s) and a minute bound the wait.
  expect(s.pauses.reduce((a, b) => a + b, 0)).toBe(180_000);
  expect(Math.max(...s.pauses)).toBe(30_000);
  expect(s.out.join('\n')).toContain('prod-utc-job-20261124T030000Z, STILL RUNNING after the wait');
  // A progress line about every minute of waiting, so a CI log does not look hung.
  expect(s.err.filter((l) => l.startsWith('execution prod-utc-job-20261124T030000Z is still RUNNING'))).toEqual([
    'execution prod-utc-job-20261124T030000Z is still RUNNING (1 min so far, waiting up to 3 min)',
    'execution prod-utc-job-20261124T030000Z is still RUNNING (2 min so far, waiting up to 3 min)',
  ]);
});

test('a time whose execution has ended is re-run under a new name (-r1, then -r2) with the same scheduled time', async () => {
  const s = setup();
  s.fake.add('prod-utc-job-20261124T030000Z', {}, { statuses: ['FAILED'], error: { ErrorType: 'Error', ErrorMessage: 'db down' } });
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(0);
  expect(s.starts()[0]).toMatchObject({ time: '2026-11-24T03:00:00Z', batchformRerun: 1 });
  const rerun = s.fake.executions.get('prod-utc-job-20261124T030000Z-r1')!;
  // What the batch receives: the same scheduled time, so run.time is the run's, without the re-run field.
  expect(rerun.input).toMatchObject({ time: '2026-11-24T03:00:00Z', id: 'prod-utc-job-20261124T030000Z-r1' });
  expect(rerun.input).not.toHaveProperty('batchformRerun');
  const text = s.out.join('\n');
  expect(text).toContain('its earlier execution had ended: re-run as execution prod-utc-job-20261124T030000Z-r1: SUCCEEDED');
  expect(text).toContain('  earlier: prod-utc-job-20261124T030000Z FAILED (2026-11-25T09:43:13.000Z - 2026-11-25T10:13:13.000Z): Error: db down');

  s.out.length = 0;
  expect(await runRunCommand('utc-job', opts, s.deps)).toBe(0);
  expect(s.starts()[1]).toMatchObject({ batchformRerun: 2 });
  expect(s.fake.executions.has('prod-utc-job-20261124T030000Z-r2')).toBe(true);
});

test('a time whose execution is still running starts nothing: that execution is waited for', async () => {
  const s = setup();
  s.fake.add('prod-utc-job-20261124T030000Z', {}, { statuses: ['RUNNING', 'RUNNING', 'SUCCEEDED'] });
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(0);
  expect(s.mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(s.out.join('\n')).toContain('already running as execution prod-utc-job-20261124T030000Z: SUCCEEDED');
});

test('without --wait: the execution is started and not polled; exit 0', async () => {
  const s = setup();
  expect(await runRunCommand('utc-job', opts, s.deps)).toBe(0);
  expect(s.mocks.lambda.commandCalls(GetDurableExecutionCommand)).toHaveLength(0);
  expect(s.pauses).toEqual([]);
});

test('--steps: the execution\'s steps from its history, each with its last state and error', async () => {
  const at = (s: string) => new Date(`2026-11-25T${s}Z`);
  const s = setup(() => ({
    statuses: ['FAILED'],
    error: { ErrorType: 'StepError', ErrorMessage: 'chunk 2 failed' },
    history: [
      { EventType: 'ExecutionStarted', EventId: 1, Id: 'x', EventTimestamp: at('09:43:13') },
      { EventType: 'StepStarted', EventId: 2, Id: 's1', Name: 'chunk-1', EventTimestamp: at('09:43:14') },
      { EventType: 'StepSucceeded', EventId: 3, Id: 's1', Name: 'chunk-1', EventTimestamp: at('09:50:00') },
      { EventType: 'WaitStarted', EventId: 4, Id: 'w1', Name: 'cool-down', EventTimestamp: at('09:50:01') },
      { EventType: 'WaitSucceeded', EventId: 5, Id: 'w1', Name: 'cool-down', EventTimestamp: at('09:55:01') },
      { EventType: 'StepStarted', EventId: 6, Id: 's2', Name: 'chunk-2', EventTimestamp: at('09:55:02') },
      { EventType: 'StepFailed', EventId: 7, Id: 's2', Name: 'chunk-2', EventTimestamp: at('09:56:00'), StepFailedDetails: { Error: { Payload: { ErrorType: 'Error', ErrorMessage: 'connection refused' } } } },
      { EventType: 'ExecutionFailed', EventId: 8, Id: 'x', EventTimestamp: at('09:56:01') },
    ],
  }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true, steps: true }, s.deps)).toBe(1);
  const text = s.out.join('\n');
  expect(text).toContain([
    'steps (3):',
    '  Step chunk-1: SUCCEEDED 2026-11-25T09:43:14.000Z - 2026-11-25T09:50:00.000Z',
    '  Wait cool-down: SUCCEEDED 2026-11-25T09:50:01.000Z - 2026-11-25T09:55:01.000Z',
    '  Step chunk-2: FAILED 2026-11-25T09:55:02.000Z - 2026-11-25T09:56:00.000Z: Error: connection refused',
  ].join('\n'));
});

test('--steps on a batch that is not durable is bad input', async () => {
  const { clients } = mockOperateClients();
  const { deps, err } = commandDeps(dir, clients);
  expect(await runRunCommand('zoned-job', { ...opts, time: '2026-11-24T07:30:00Z', steps: true }, deps)).toBe(2);
  expect(err.join('\n')).toContain('--steps is for durable batches; "zoned-job" is not durable');
});

test('the starter failing is a failed run that says so', async () => {
  const s = setup();
  s.mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorMessage":"Rate exceeded"}') as never });
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, s.deps)).toBe(1);
  expect(s.out.join('\n')).toContain('not run: the starter failed (Unhandled): {"errorMessage":"Rate exceeded"}');
});
