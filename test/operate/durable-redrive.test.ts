// batchform redrive on a durable batch: a dead letter of a failed execution is re-run under a new execution name (the old name would only return the ended execution), waited for, and deleted only when that execution SUCCEEDED.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, commandDeps, deployDurable, DURABLE_FUNCTION, fakeDurableLambda, makeOperateProject, mockOperateClients, REGION, sentEvent } from './helpers';
import { runRedriveCommand } from '../../src/cli/operate-commands';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };

/** What the alias's on-failure destination records for an execution that failed: the event the starter sent (id = execution name). */
function failedExecutionLetter(time: string, name: string) {
  const event = { 'version': '0', 'id': name, 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': ACCOUNT, time, 'region': REGION, 'resources': [`arn:aws:events:${REGION}:${ACCOUNT}:rule/prod-utc-job`], 'detail': {} };
  return {
    MessageId: `m-${name}`,
    ReceiptHandle: `rh-${name}`,
    Body: JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-24T05:00:00.000Z',
      requestContext: { requestId: 'r', functionArn: `${DURABLE_FUNCTION}:live`, condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '3', functionError: 'Unhandled' },
      responsePayload: { errorType: 'StepError', errorMessage: 'chunk 9 failed' },
    }),
  };
}

test('each letter\'s time is re-run as a new execution (-r1), deleted only when it SUCCEEDED; a failed re-run stays in the queue', async () => {
  const { clients, mocks } = mockOperateClients();
  deployDurable(mocks);
  const fake = fakeDurableLambda(mocks.lambda, (name) => (name.startsWith('prod-utc-job-20261123T030000Z-r') ? { statuses: ['RUNNING', 'FAILED'], error: { ErrorType: 'StepError', ErrorMessage: 'still failing' } } : {}));
  fake.add('prod-utc-job-20261122T030000Z', {}, { statuses: ['FAILED'] });
  fake.add('prod-utc-job-20261123T030000Z', {}, { statuses: ['FAILED'] });
  const letters = [failedExecutionLetter('2026-11-22T03:00:00Z', 'prod-utc-job-20261122T030000Z'), failedExecutionLetter('2026-11-23T03:00:00Z', 'prod-utc-job-20261123T030000Z')];
  // Each redrive receives one page of letters, then an empty queue.
  const pages: Array<typeof letters> = [letters, []];
  mocks.sqs.on(ReceiveMessageCommand).callsFake(async () => ({ Messages: pages.shift() ?? [] }));
  mocks.sqs.on(DeleteMessageCommand).resolves({});
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  const { deps, out } = commandDeps(dir, clients, { executionSleep: async () => undefined });

  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(1);
  const sent = mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input));
  expect(sent).toEqual([
    expect.objectContaining({ time: '2026-11-22T03:00:00Z', batchformRerun: 1 }),
    expect.objectContaining({ time: '2026-11-23T03:00:00Z', batchformRerun: 1 }),
  ]);
  expect(mocks.sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['rh-prod-utc-job-20261122T030000Z']);
  expect(mocks.sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout])).toEqual([['rh-prod-utc-job-20261123T030000Z', 0]]);
  // Hidden while its execution is waited for: the (fixture's) timeout and two minutes.
  expect(mocks.sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input.VisibilityTimeout).toBe(240);
  const text = out.join('\n');
  expect(text).toContain('2026-11-22T03:00:00.000Z  StepError: chunk 9 failed (RetriesExhausted after 1 attempts) -> re-run as execution prod-utc-job-20261122T030000Z-r1 succeeded, deleted');
  expect(text).toContain('-> re-run failed (execution prod-utc-job-20261123T030000Z-r1 FAILED: StepError: still failing), kept');

  // The next redrive of the kept letter is a further re-run, -r2.
  pages.push([letters[1]], []);
  await runRedriveCommand('utc-job', opts, deps);
  expect(fake.executions.has('prod-utc-job-20261123T030000Z-r2')).toBe(true);
});

test('a letter without a scheduled time is not re-run and stays', async () => {
  const { clients, mocks } = mockOperateClients();
  deployDurable(mocks);
  fakeDurableLambda(mocks.lambda);
  mocks.sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: 'm', ReceiptHandle: 'rh', Body: '{"report":"x"}' }] }).resolves({ Messages: [] });
  mocks.sqs.on(ChangeMessageVisibilityCommand).resolves({});
  const { deps, out } = commandDeps(dir, clients, { executionSleep: async () => undefined });
  expect(await runRedriveCommand('utc-job', opts, deps)).toBe(1);
  expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(out.join('\n')).toContain('-> not re-run (it carries no scheduled time, so a re-run would be a run for now, not the run that failed');
});
