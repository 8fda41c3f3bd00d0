// Throttling is retried by the SDK's adaptive retry strategy inside the clients, not by the engine.
import { Readable } from 'stream';
import { engineOptions, makeProject } from './helpers';
import { createDeployClients, deployStage } from '../../src/deploy';
import { FINGERPRINT_TAG } from '../../src/deploy/fingerprint';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function xmlResponse(statusCode: number, body: string) {
  return { response: { statusCode, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(body)]) } };
}

const THROTTLED = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

function stacksListed(fingerprint: string): string {
  return `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member>` +
    '<StackName>prod-daily-stats</StackName><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-daily-stats/1</StackId>' +
    '<StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime>' +
    `<Tags><member><Key>${FINGERPRINT_TAG}</Key><Value>${fingerprint}</Value></member></Tags>` +
    '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></DescribeStacksResponse>';
}

/** Real clients from createDeployClients over a fake HTTP handler: throttled once, then answering. */
function throttledOnce(fingerprint: string, maxAttempts?: number) {
  const requests: string[] = [];
  const requestHandler = {
    handle: async (request: { body?: unknown }) => {
      requests.push(String(request.body));
      return requests.length === 1 ? xmlResponse(400, THROTTLED) : xmlResponse(200, stacksListed(fingerprint));
    },
  };
  const clients = createDeployClients('ap-northeast-2', {
    maxAttempts,
    config: { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' }, requestHandler },
  });
  return { clients, requests };
}

/** Runs `work` under fake timers, advancing them until it settles, so the SDK's backoff costs no real time. */
async function withFakeTimers<T>(work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    let settled = false;
    const promise = work().finally(() => {
      settled = true;
    });
    promise.catch(() => undefined); // handled by the caller once the timers have run

    for (let elapsed = 0; !settled && elapsed < 120_000; elapsed += 100) await jest.advanceTimersByTimeAsync(100);
    return await promise;
  } finally {
    jest.useRealTimers();
  }
}

test('a throttled DescribeStacks is retried by the SDK and the run carries on', async () => {
  const project = makeProject();
  const inputs = project.inputs();
  const { clients, requests } = throttledOnce(inputs.stacks[0].fingerprint);

  const result = await withFakeTimers(() => deployStage(inputs, engineOptions(clients)));

  expect(requests).toEqual(['Action=DescribeStacks&Version=2010-05-15', 'Action=DescribeStacks&Version=2010-05-15']);
  expect(result.ok).toBe(true);
  expect(result.stacks[0]).toMatchObject({ outcome: 'unchanged', unchangedBy: 'fingerprint' });
});

test('without SDK retries (maxAttempts 1) the same throttling fails the run: the engine does not retry by hand', async () => {
  const project = makeProject();
  const inputs = project.inputs();
  const { clients, requests } = throttledOnce(inputs.stacks[0].fingerprint, 1);

  await expect(withFakeTimers(() => deployStage(inputs, engineOptions(clients)))).rejects.toThrow(/could not list the CloudFormation stacks.*\(AWS Throttling: Rate exceeded\)\. AWS kept throttling/);
  expect(requests).toHaveLength(1);
});

test('the clients use the adaptive retry mode in the stage\'s region', async () => {
  const { cloudFormation, s3 } = createDeployClients('eu-west-1');
  expect(await cloudFormation.config.region()).toBe('eu-west-1');
  expect(await s3.config.region()).toBe('eu-west-1');
  expect(await cloudFormation.config.maxAttempts()).toBe(10);
  expect(((await cloudFormation.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
  expect(((await s3.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
});
