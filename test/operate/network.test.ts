// The operate commands through the real SDK stack against the loopback fake: Lambda's answer headers parsed as AWS sends them, and an unreachable AWS said as such.
import { commandDeps, makeOperateProject, outputsOf } from './helpers';
import { runRunCommand } from '../../src/cli/operate-commands';
import { createOperateClients, OperateClients } from '../../src/operate';
import { Answer, Loopback, queryResult, Seen, startLoopback } from '../deploy/loopback';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
let fake: Loopback | undefined;
let clients: OperateClients | undefined;
afterEach(async () => {
  for (const c of Object.values(clients ?? {})) c.destroy();
  await fake?.close();
  fake = undefined;
  clients = undefined;
});

const describeStacks = queryResult('DescribeStacks', '<Stacks><member><StackName>prod-utc-job</StackName><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-utc-job/1</StackId>' +
  '<StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-25T00:00:00Z</CreationTime><Outputs>' +
  outputsOf('utc-job').map((o) => `<member><OutputKey>${o.OutputKey}</OutputKey><OutputValue>${o.OutputValue}</OutputValue></member>`).join('') +
  '</Outputs></member></Stacks>');

async function start(invoke: (req: Seen) => Answer) {
  fake = await startLoopback((req) => (req.operation === 'DescribeStacks' ? describeStacks : invoke(req)));
  clients = createOperateClients('ap-northeast-2', {
    maxAttempts: 2,
    timeouts: { connectionTimeout: 500, requestTimeout: 300 },
    config: { endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback' } },
  });
  return commandDeps(dir, clients);
}

test('--wait: the function error and log tail come from Lambda\'s response headers', async () => {
  const tail = Buffer.from('{"level":"ERROR","message":"run failed","timestamp":"2026-11-25T03:00:01.000Z","runTime":"2026-11-25T03:00:00.000Z"}\n').toString('base64');
  const { deps, out } = await start(() => ({
    status: 200,
    body: '{"errorType":"Error","errorMessage":"db down"}',
    headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-log-result': tail, 'x-amz-executed-version': '$LATEST' },
  }));
  expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-25T03:00:00Z', wait: true }, deps)).toBe(1);
  const invoke = fake!.seen.find((s) => s.operation === 'POST s3')!;
  expect(decodeURIComponent(invoke.path)).toBe('/2015-03-31/functions/arn:aws:lambda:ap-northeast-2:111122223333:function:prod-utc-job/invocations');
  expect(out.join('\n')).toContain('failed (Unhandled)');
  expect(out.join('\n')).toContain('result: {"errorType":"Error","errorMessage":"db down"}');
  expect(out.join('\n')).toContain('2026-11-25T03:00:01.000Z ERROR run failed run=2026-11-25T03:00:00.000Z');
});

test('asynchronous: Lambda\'s 202 Accepted is a queued run', async () => {
  const { deps, out } = await start(() => ({ status: 202, body: '', headers: { 'content-type': 'application/json' } }));
  expect(await runRunCommand('utc-job', opts, deps)).toBe(0);
  expect(out.join('\n')).toContain('accepted (asynchronous');
});

const invokes = () => fake!.seen.filter((s) => s.operation === 'POST s3').length;

test('a dropped connection is "cannot reach AWS", naming the endpoint and the step, exit 1; never sent again (the run may have started)', async () => {
  const { deps, out } = await start(() => 'drop');
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, deps)).toBe(1);
  expect(out.join('\n')).toMatch(/not invoked: cannot reach AWS: http:\/\/127\.0\.0\.1:\d+ did not answer while invoking prod-utc-job \(lambda:InvokeFunction\)/);
  expect(invokes()).toBe(1);
});

test('a 5xx is not retried either; a throttled invoke (the run did not start) is', async () => {
  const { deps } = await start(() => ({ status: 500, body: '{"message":"internal"}', headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' } }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, deps)).toBe(1);
  expect(invokes()).toBe(1);
  await fake!.close();
  for (const c of Object.values(clients ?? {})) c.destroy();

  let n = 0;
  const throttled = await start((): Answer => (++n === 1
    ? { status: 429, body: '{"message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User"}', headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' } }
    : { status: 200, body: 'null', headers: { 'content-type': 'application/json' } }));
  expect(await runRunCommand('utc-job', { ...opts, wait: true }, throttled.deps)).toBe(0);
  expect(invokes()).toBe(2);
});

test('an unreachable dead-letter queue is named by the host the SQS client actually sent to (the queue URL\'s), not sqs.<region>.amazonaws.com', async () => {
  fake = await startLoopback(() => 'hang');
  clients = createOperateClients('eu-west-1', {
    maxAttempts: 1,
    timeouts: { connectionTimeout: 500, requestTimeout: 200, callDeadline: 400 },
    config: { credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback' } },
  });
  const { reaching } = await import('../../src/aws/faults');
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const sqs = clients.sqs;
  const queueUrl = `${fake.endpoint}/111122223333/prod-utc-job-dlq`;
  await expect(reaching(sqs, 'sqs', 'counting dead letters', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))))
    .rejects.toThrow(new RegExp(`^cannot reach AWS: ${fake.endpoint} did not answer while counting dead letters`));
  expect(fake.seen.length).toBeGreaterThan(0);
});
