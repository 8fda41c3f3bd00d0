// batchform run: the exact event per schedule kind, asynchronous by default, --wait with result and log tail, and bad input.
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ACCOUNT, commandDeps, deployDurable, DURABLE_STARTER, fakeDurableLambda, makeOperateProject, mockOperateClients, NOW, payload, REGION, sentEvent } from './helpers';
import { runRunCommand } from '../../src/cli/operate-commands';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };

describe('the event each schedule kind sends', () => {
  test('a UTC batch gets EventBridge\'s Scheduled Event from aws.events, with the rule as its resource and the given time', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:00:00Z' }, deps)).toBe(0);
    const call = mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(call.FunctionName).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-utc-job`);
    expect(sentEvent(call)).toEqual({
      'version': '0',
      'id': '00000000-0000-4000-8000-000000000001',
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': ACCOUNT,
      'time': '2026-11-24T03:00:00Z',
      'region': REGION,
      'resources': [`arn:aws:events:${REGION}:${ACCOUNT}:rule/prod-utc-job`],
      'detail': {},
      // What started the run, for the run ledger, and a re-run of a time that may have run (the runtime removes both before the handler).
      'batchformTrigger': 'run',
      'batchformRerun': 1,
    });
  });

  test('a batch with a time zone gets the Scheduler payload batchform\'s schedule sends, with the schedule as its resource', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps } = commandDeps(dir, clients);
    expect(await runRunCommand('zoned-job', { ...opts, time: '2026-11-24T07:30:00Z' }, deps)).toBe(0);
    expect(sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input)).toEqual({
      'version': '0',
      'id': '00000000-0000-4000-8000-000000000001',
      'detail-type': 'Scheduled Event',
      'source': 'aws.scheduler',
      'account': ACCOUNT,
      'time': '2026-11-24T07:30:00Z',
      'region': REGION,
      'resources': [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/prod-zoned-job/prod-zoned-job`],
      'detail': {},
      'batchformTrigger': 'run',
      'batchformRerun': 1,
    });
  });

  test('a batch with a constant input gets that input (with the ledger\'s fields, which the runtime removes); --time warns that it does not reach the handler', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps, err } = commandDeps(dir, clients);
    expect(await runRunCommand('input-job', { ...opts, time: '2026-11-24T07:30:00Z' }, deps)).toBe(0);
    expect(sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input)).toEqual({ mode: 'full', days: 2, batchformTrigger: 'run', batchformRerun: 1 });
    expect(err.join('\n')).toContain('has a constant input');
  });

  test('a --time without an offset is UTC, not the machine\'s local time', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps } = commandDeps(dir, clients);
    await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:00' }, deps);
    expect((sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input) as { time: string }).time).toBe('2026-11-24T03:00:00Z');
  });

  test('without --time the event carries now, to the second (a time that never ran: no re-run number)', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps } = commandDeps(dir, clients);
    await runRunCommand('utc-job', opts, deps);
    const sent = sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input) as Record<string, unknown>;
    expect(sent.time).toBe('2026-11-25T09:43:12Z');
    expect(sent.batchformTrigger).toBe('run');
    expect(sent.batchformRerun).toBeUndefined();
  });
});

describe('asynchronous by default, synchronous with --wait', () => {
  test('by default: InvocationType Event (retries and the dead-letter queue apply), no log tail', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { deps, out } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', opts, deps)).toBe(0);
    const input = mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.InvocationType).toBe('Event');
    expect(input.LogType).toBeUndefined();
    // The way to its log lines: the second the event carries is the runTime on every line.
    expect(out.join('\n')).toContain('accepted (asynchronous');
    expect(out.join('\n')).toContain(`Follow it with: batchform logs utc-job --stage prod --run ${new Date(Math.floor(NOW.getTime() / 1000) * 1000).toISOString()} --follow`);
  });

  test('--wait: RequestResponse with the log tail; prints the result and the decoded, readable log lines', async () => {
    const { clients, mocks } = mockOperateClients();
    const tail = [
      '{"time":"2026-11-25T09:43:12.100Z","type":"platform.start","record":{"requestId":"r-1","version":"$LATEST"}}',
      '{"level":"INFO","message":"run started","timestamp":"2026-11-25T09:43:12.120Z","service":"utc-job","batch":"utc-job","runTime":"2026-11-24T03:00:00.000Z","scheduled":true}',
      '{"level":"INFO","message":"run succeeded","timestamp":"2026-11-25T09:43:13.000Z","service":"utc-job","batch":"utc-job","runTime":"2026-11-24T03:00:00.000Z","durationMs":880}',
    ].join('\n');
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ rows: 42 }) as never, LogResult: Buffer.from(tail).toString('base64') });
    const { deps, out } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:00:00Z', wait: true }, deps)).toBe(0);
    const input = mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.InvocationType).toBe('RequestResponse');
    expect(input.LogType).toBe('Tail');
    const text = out.join('\n');
    expect(text).toContain('prod-utc-job run 2026-11-24T03:00:00.000Z: succeeded');
    expect(text).toContain('result: {"rows":42}');
    expect(text).toContain('  2026-11-25T09:43:12.100Z START r-1');
    expect(text).toContain('  2026-11-25T09:43:12.120Z INFO run started scheduled=true run=2026-11-24T03:00:00.000Z');
    expect(text).toContain('  2026-11-25T09:43:13.000Z INFO run succeeded durationMs=880 run=2026-11-24T03:00:00.000Z');
  });

  test('--wait: a FunctionError is a failed run: exit 1 with the error', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'Error', errorMessage: 'db down' }) as never });
    const { deps, out } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', { ...opts, wait: true }, deps)).toBe(1);
    expect(out.join('\n')).toContain('failed (Unhandled)');
    expect(out.join('\n')).toContain('db down');
  });

  test('an invoke AWS refuses (no permission) is exit 1 and says why', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.lambda.on(InvokeCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const { deps, out } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', opts, deps)).toBe(1);
    expect(out.join('\n')).toContain('not invoked: AWS AccessDeniedException: User is not authorized to perform: lambda:InvokeFunction');
  });
});

describe('what run refuses', () => {
  const refused = async (batch: string, o: Record<string, unknown>, extra = {}) => {
    const { clients, mocks } = mockOperateClients();
    const { deps, err } = commandDeps(dir, clients, extra);
    const code = await runRunCommand(batch, { ...opts, ...o } as never, deps);
    return { code, err: err.join('\n'), invoked: mocks.lambda.commandCalls(InvokeCommand).length };
  };

  test('no --stage: exit 2, listing the stages', async () => {
    expect(await refused('utc-job', { stage: undefined })).toEqual({ code: 2, err: 'batchform run: --stage is required; its stages are: prod.', invoked: 0 });
  });
  test('an unknown stage', async () => {
    const r = await refused('utc-job', { stage: 'staging' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('stage "staging" is not in cfn-out/manifest.json; its stages are: prod.');
  });
  test('an unknown batch names the stage\'s batches', async () => {
    expect(await refused('nightly', {})).toEqual({ code: 2, err: 'batchform run: batch "nightly" is not declared; stage "prod" has: utc-job, zoned-job, input-job.', invoked: 0 });
  });
  test('a --time that is not ISO 8601', async () => {
    const r = await refused('utc-job', { time: 'yesterday' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--time "yesterday" is not an ISO 8601 time');
  });
  test('credentials for another account: exit 2, nothing invoked', async () => {
    const r = await refused('utc-job', {}, { callerAccount: async () => '999999999999' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('the AWS credentials are for account 999999999999, but stage "prod" is account 111122223333; nothing was run.');
    expect(r.invoked).toBe(0);
  });
  test('a stack that is not deployed: exit 1, saying to deploy', async () => {
    const { clients, mocks } = mockOperateClients();
    mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-utc-job' }).rejects(Object.assign(new Error('Stack with id prod-utc-job does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
    const { deps, err } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', opts, deps)).toBe(1);
    expect(err.join('\n')).toContain('stack prod-utc-job of batch "utc-job" does not exist in 111122223333/ap-northeast-2; deploy it with "batchform deploy --stage prod".');
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe('a durable batch', () => {
  test('is run through its starter, as its schedule runs it: the starter starts the run\'s execution (more in durable-run.test.ts)', async () => {
    const { clients, mocks } = mockOperateClients();
    deployDurable(mocks);
    fakeDurableLambda(mocks.lambda);
    const { deps, out } = commandDeps(dir, clients);
    expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T03:00:00Z' }, deps)).toBe(0);
    const input = mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe(DURABLE_STARTER);
    expect((sentEvent(input) as { source: string }).source).toBe('aws.events');
    expect(out.join('\n')).toContain('prod-utc-job run 2026-11-24T03:00:00.000Z: started execution prod-utc-job-20261124T030000Z. Wait for it with --wait');
  });
});
