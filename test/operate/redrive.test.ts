// batchform redrive: reads Lambda's on-failure records and the rule's / Scheduler's dead letters, re-runs each, deletes only the re-run successes.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, commandDeps, makeOperateProject, mockOperateClients, payload, REGION, sentEvent } from './helpers';
import { runRedriveCommand } from '../../src/cli/operate-commands';
import { parseDeadLetter } from '../../src/operate/redrive';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
const QUEUE = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/prod-utc-job-DeadLetterQueue-AbC123`;

function scheduled(time: string) {
  return { 'version': '0', 'id': `id-${time}`, 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': ACCOUNT, time, 'region': REGION, 'resources': [`arn:aws:events:${REGION}:${ACCOUNT}:rule/prod-utc-job`], 'detail': {} };
}

/** Lambda's on-failure destination record (asynchronous invocation, retries exhausted). */
function lambdaRecord(time: string, message: string) {
  return {
    MessageId: `m-${time}`,
    ReceiptHandle: `rh-${time}`,
    Body: JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-24T03:05:00.000Z',
      requestContext: { requestId: 'e4b46cbf', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-utc-job:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: scheduled(time),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: message },
    }),
  };
}

/** The rule's dead letter: the event itself, the error in message attributes. */
function deliveryLetter(time: string) {
  return {
    MessageId: `m-${time}`,
    ReceiptHandle: `rh-${time}`,
    Body: JSON.stringify(scheduled(time)),
    MessageAttributes: {
      ERROR_CODE: { DataType: 'String', StringValue: 'ResourceNotFoundException' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'Function not found' },
    },
  };
}

test('each kind of dead letter is read: its scheduled time, its error, and the payload to send again', () => {
  const a = parseDeadLetter(lambdaRecord('2026-11-24T03:00:00Z', 'db down'));
  expect(a).toMatchObject({ source: 'lambda', time: new Date('2026-11-24T03:00:00Z'), error: 'Error: db down (RetriesExhausted after 3 attempts)' });
  expect(a.payload).toEqual(scheduled('2026-11-24T03:00:00Z'));
  const b = parseDeadLetter(deliveryLetter('2026-11-23T03:00:00Z'));
  expect(b).toMatchObject({ source: 'delivery', time: new Date('2026-11-23T03:00:00Z'), error: 'delivery failed: ResourceNotFoundException: Function not found' });
  expect(b.payload).toEqual(scheduled('2026-11-23T03:00:00Z'));
});

test('re-runs each dead letter with its own payload, deletes only those whose re-run succeeded, and puts the others back at once', async () => {
  const { clients, mocks } = mockOperateClients();
  const letters = [lambdaRecord('2026-11-22T03:00:00Z', 'db down'), deliveryLetter('2026-11-23T03:00:00Z'), lambdaRecord('2026-11-24T03:00:00Z', 'still down')];
  mocks.sqs.on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: letters.slice(0, 2) })
    .resolvesOnce({ Messages: letters.slice(2) })
    .resolves({ Messages: [] });
  mocks.sqs.on(DeleteMessageCommand).resolves({});
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  // The run of the 23rd fails again; the others succeed.
  mocks.lambda.on(InvokeCommand).callsFake(async (input) => ((sentEvent(input) as { time: string }).time === '2026-11-23T03:00:00Z'
    ? { StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'nope' }) }
    : { StatusCode: 200, Payload: payload({ ok: true }) }));
  const { deps, out } = commandDeps(dir, clients);

  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(1);

  const invokes = mocks.lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
  expect(invokes.map((i) => i.InvocationType)).toEqual(['RequestResponse', 'RequestResponse', 'RequestResponse']);
  // Each letter's own payload, marked as a redrive for the run ledger.
  const redriven = (time: string) => ({ ...scheduled(time), batchformTrigger: 'redrive' });
  expect(invokes.map(sentEvent)).toEqual([redriven('2026-11-22T03:00:00Z'), redriven('2026-11-23T03:00:00Z'), redriven('2026-11-24T03:00:00Z')]);
  expect(mocks.sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
    { QueueUrl: QUEUE, ReceiptHandle: 'rh-2026-11-22T03:00:00Z' },
    { QueueUrl: QUEUE, ReceiptHandle: 'rh-2026-11-24T03:00:00Z' },
  ]);
  expect(mocks.sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
    { QueueUrl: QUEUE, ReceiptHandle: 'rh-2026-11-23T03:00:00Z', VisibilityTimeout: 0 },
  ]);
  // Each message is hidden for the function's timeout (120 s) and a minute while it re-runs.
  const receive = mocks.sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input;
  expect(receive).toMatchObject({ QueueUrl: QUEUE, VisibilityTimeout: 180, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] });
  const report = out.join('\n');
  expect(report).toContain('2026-11-22T03:00:00.000Z  Error: db down (RetriesExhausted after 3 attempts) -> re-run succeeded, deleted');
  expect(report).toContain('2026-11-23T03:00:00.000Z  delivery failed: ResourceNotFoundException: Function not found -> re-run failed (Unhandled), kept');
});

test('--list shows the dead letters and changes nothing: no run, no delete, every message visible again', async () => {
  const { clients, mocks } = mockOperateClients();
  mocks.sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [lambdaRecord('2026-11-22T03:00:00Z', 'db down')] }).resolves({ Messages: [] });
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  const { deps, out } = commandDeps(dir, clients);
  expect(await runRedriveCommand('utc-job', { ...opts, list: true }, deps)).toBe(0);
  expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(mocks.sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(mocks.sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  expect(out.join('\n')).toBe('prod-utc-job: 1 dead letter(s)\n  2026-11-22T03:00:00.000Z  Error: db down (RetriesExhausted after 3 attempts)');
});

test('a message received twice in one redrive is handled once', async () => {
  const { clients, mocks } = mockOperateClients();
  const letter = lambdaRecord('2026-11-22T03:00:00Z', 'db down');
  mocks.sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [letter] }).resolvesOnce({ Messages: [letter] }).resolves({ Messages: [] });
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({}) as never });
  const { deps } = commandDeps(dir, clients);
  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(1);
  expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(1);
});

test('an empty queue is exit 0', async () => {
  const { clients, mocks } = mockOperateClients();
  mocks.sqs.on(ReceiveMessageCommand).resolves({});
  const { deps, out } = commandDeps(dir, clients);
  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(0);
  expect(out).toEqual(['prod-utc-job: the dead-letter queue is empty.']);
});

test('a dead letter without a scheduled time stays in the queue and the report says why; the others are re-run', async () => {
  const { clients, mocks } = mockOperateClients();
  // An event the rule could not deliver, whose body lost its time (a hand-sent test event).
  const timeless = { MessageId: 'm-timeless', ReceiptHandle: 'rh-timeless', Body: JSON.stringify({ 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'detail': {} }) };
  mocks.sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [timeless, lambdaRecord('2026-11-22T03:00:00Z', 'db down')] }).resolves({ Messages: [] });
  mocks.sqs.on(DeleteMessageCommand).resolves({});
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ok: true }) as never });
  const { deps, out, err } = commandDeps(dir, clients);

  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(1);

  // Only the letter with a time was re-run and deleted; the other one was not run "for now".
  expect(mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input))).toEqual([{ ...scheduled('2026-11-22T03:00:00Z'), batchformTrigger: 'redrive' }]);
  expect(mocks.sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['rh-2026-11-22T03:00:00Z']);
  expect(mocks.sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
    { QueueUrl: QUEUE, ReceiptHandle: 'rh-timeless', VisibilityTimeout: 0 },
  ]);
  const report = out.join('\n');
  expect(report).toContain('(no scheduled time)  delivery failed: not delivered (no error attributes) -> not re-run (it carries no scheduled time, ' +
    'so a re-run would be a run for now, not the run that failed');
  expect(report).toContain('batchform run <batch> --time <ISO time>');
  expect(report).toContain('kept');
  expect(err.join('\n')).toContain('not re-run: it carries no scheduled time');
});
