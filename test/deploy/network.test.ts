// Network faults through the real SDK stack, against the loopback fake: drops, resets, slow answers, 5xx and throttling.
import { engineOptions, makeProject } from './helpers';
import { Answer, Loopback, queryError, queryResult, Seen, stackXml, startLoopback } from './loopback';
import { deployStage } from '../../src/deploy';
import { callerAccount } from '../../src/deploy/account';

const STACK = 'prod-daily-stats';
/** Waits that would poll for ten minutes / an hour: only the network rule can end them early. */
const LONG_WAITS = {
  changeSet: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 600 },
  stack: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 3600 },
  networkFailures: 3,
};

let fake: Loopback | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Answers a healthy run up to `fault`, which decides the operations it is given. */
function healthy(faults: Record<string, () => Answer>) {
  return (r: Seen): Answer => {
    if (faults[r.operation]) return faults[r.operation]();
    switch (r.operation) {
      case 'DescribeStacks':
        return queryResult('DescribeStacks', r.params.get('StackName') ? `<Stacks>${stackXml(STACK, 'CREATE_COMPLETE')}</Stacks>` : '<Stacks></Stacks>');
      case 'HEAD s3':
        // HeadBucket (/bucket) is there; HeadObject (/bucket/key) is not.
        return r.path.split('/').filter(Boolean).length === 1 ? { headers: { 'x-amz-bucket-region': 'ap-northeast-2' } } : { status: 404 };
      case 'PUT s3':
        return { headers: { etag: '"e"' } };
      case 'CreateChangeSet':
        return queryResult('CreateChangeSet', `<Id>arn:aws:cloudformation:ap-northeast-2:111122223333:changeSet/c/1</Id><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/${STACK}/1</StackId>`);
      case 'DescribeChangeSet':
        return queryResult('DescribeChangeSet', '<Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes></Changes>');
      case 'ExecuteChangeSet':
      case 'DeleteChangeSet':
      case 'DeleteStack':
        return queryResult(r.operation);
      default:
        return queryError(400, 'Unexpected', `the fake does not know ${r.operation}`);
    }
  };
}

const count = (op: string) => fake!.seen.filter((s) => s.operation === op).length;

describe('network loss during a wait ends after a bounded number of polls, saying AWS was unreachable', () => {
  test.each(['drop', 'reset', 'hang'] as const)('change-set wait, connection %s', async (fault) => {
    fake = await startLoopback(healthy({ DescribeChangeSet: () => fault, DeleteChangeSet: () => fault }));
    const project = makeProject();

    const result = await deployStage(project.inputs(), engineOptions(fake.clients, { mode: 'preview', waits: LONG_WAITS }));

    const [s] = result.stacks;
    expect(s.outcome).toBe('failed');
    expect(s.error).toMatch(new RegExp(`^cannot reach AWS: ${fake.endpoint} did not answer while waiting for change set batchform-4f2a9c1-20261125T094312Z-r1 of ${STACK} to be computed \\(3 polls in a row`));
    expect(s.error).toContain('not an answer from AWS');
    expect(s.error).not.toMatch(/AWS TimeoutError|still being computed|CloudFormation may be busy/);
    // 3 polls, each tried twice by the SDK (maxAttempts 2): bounded, not ten minutes of polling.
    expect(count('DescribeChangeSet')).toBe(6);
    // The cleanup note names the change set, whose delete is what failed.
    expect(s.notes.join('\n')).toMatch(/Could not delete change set batchform-4f2a9c1-20261125T094312Z-r1 of prod-daily-stats \(cannot reach AWS: .*\); delete it by hand: aws cloudformation delete-change-set/);
  });

  test('stack wait after ExecuteChangeSet, connection reset', async () => {
    let executed = false;
    fake = await startLoopback(healthy({
      ExecuteChangeSet: () => {
        executed = true;
        return queryResult('ExecuteChangeSet');
      },
      DescribeStacks: () => (executed ? 'reset' : queryResult('DescribeStacks', '<Stacks></Stacks>')),
    }));
    const project = makeProject();

    const result = await deployStage(project.inputs(), engineOptions(fake.clients, { waits: LONG_WAITS }));

    const [s] = result.stacks;
    expect(s.outcome).toBe('failed');
    expect(s.error).toMatch(new RegExp(`^cannot reach AWS: ${fake.endpoint} did not answer while waiting for the create of stack ${STACK} \\(it goes on in AWS\\) \\(3 polls in a row`));
    expect(count('DescribeStacks')).toBe(1 + 6);
  });
});

test('AWS answering 500 is an AWS error after the SDK\'s retries, not "unreachable"', async () => {
  fake = await startLoopback(healthy({ CreateChangeSet: () => queryError(500, 'InternalFailure', 'We encountered an internal error.') }));
  const result = await deployStage(makeProject().inputs(), engineOptions(fake.clients, { mode: 'preview', waits: LONG_WAITS }));
  expect(result.stacks[0].error).toBe('AWS InternalFailure: We encountered an internal error.');
  expect(count('CreateChangeSet')).toBe(2);
});

test('throttling is retried by the SDK: one Throttling answer, then the run goes on', async () => {
  let throttled = 0;
  fake = await startLoopback(healthy({
    CreateChangeSet: () => (throttled++ === 0
      ? queryError(400, 'Throttling', 'Rate exceeded')
      : queryResult('CreateChangeSet', `<Id>arn:aws:cloudformation:ap-northeast-2:111122223333:changeSet/c/1</Id><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/${STACK}/1</StackId>`)),
  }));
  const result = await deployStage(makeProject().inputs(), engineOptions(fake.clients, { mode: 'preview', waits: LONG_WAITS }));
  expect(result.stacks[0].outcome).toBe('will-create');
  expect(count('CreateChangeSet')).toBe(2);
});

test('a slow first call (no answer) fails the run naming the call and the endpoint', async () => {
  fake = await startLoopback(() => 'hang');
  await expect(deployStage(makeProject().inputs(), engineOptions(fake.clients, { mode: 'preview' })))
    .rejects.toThrow(new RegExp(`^stage "prod": cannot reach AWS: ${fake.endpoint} did not answer while listing the stacks \\(DescribeStacks\\) \\(2 attempts\\)`));
});

test('the account check names sts:GetCallerIdentity and the endpoint when STS refuses connections', async () => {
  fake = await startLoopback(() => 'drop');
  const closed = fake.endpoint;
  await fake.close();
  fake = undefined;
  await expect(callerAccount('ap-northeast-2', { endpoint: closed, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } }))
    .rejects.toThrow(new RegExp(`^cannot reach AWS: ${closed} did not answer while checking which account the credentials are for \\(sts:GetCallerIdentity\\).*ECONNREFUSED`));
});

test('the account check reads the account from STS through the real SDK', async () => {
  fake = await startLoopback(() => queryResult('GetCallerIdentity', '<Account>111122223333</Account><Arn>arn:aws:iam::111122223333:user/a</Arn><UserId>A</UserId>', 'https://sts.amazonaws.com/doc/2011-06-15/'));
  expect(await callerAccount('ap-northeast-2', { endpoint: fake.endpoint, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } })).toBe('111122223333');
});
