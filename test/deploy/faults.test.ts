// Faults two runs at once and a stalled network bring, through the real SDK stack against the loopback fake:
// a change set deleted mid-wait, two deploys in the same second, an endpoint that accepts connections and never answers.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { engineOptions, makeProject } from './helpers';
import { Answer, Loopback, queryError, queryResult, Seen, startLoopback } from './loopback';
import { endpointOf } from '../../src/aws/faults';
import { deployStage, renderMarkdownReport, renderTextReport } from '../../src/deploy';

const STACK = 'prod-daily-stats';
/** Waits that would poll for ten minutes / an hour: only the fault rules can end them early. */
const LONG_WAITS = {
  changeSet: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 600 },
  stack: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 3600 },
};

let fakes: Loopback[] = [];
afterEach(async () => {
  for (const f of fakes) await f.close();
  fakes = [];
});
async function start(answer: (r: Seen) => Answer, clientOptions?: Parameters<typeof startLoopback>[1]): Promise<Loopback> {
  const f = await startLoopback(answer, clientOptions);
  fakes.push(f);
  return f;
}

const CREATED = queryResult('CreateChangeSet', `<Id>arn:aws:cloudformation:ap-northeast-2:111122223333:changeSet/c/1</Id><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/${STACK}/1</StackId>`);

/** A healthy CloudFormation and S3 for a stack that does not exist yet; `faults` decide the operations they name. */
function healthy(faults: Record<string, (r: Seen) => Answer | undefined> = {}) {
  return (r: Seen): Answer => {
    const fault = faults[r.operation]?.(r);
    if (fault) return fault;
    switch (r.operation) {
      case 'DescribeStacks':
        return queryResult('DescribeStacks', '<Stacks></Stacks>');
      case 'HEAD s3':
        return r.path.split('/').filter(Boolean).length === 1 ? { headers: { 'x-amz-bucket-region': 'ap-northeast-2' } } : { status: 404 };
      case 'PUT s3':
        return { headers: { etag: '"e"' } };
      case 'CreateChangeSet':
        return CREATED;
      case 'DescribeChangeSet':
        return queryResult('DescribeChangeSet', '<Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes></Changes>');
      case 'DeleteChangeSet':
      case 'DeleteStack':
      case 'ExecuteChangeSet':
        return queryResult(r.operation);
      default:
        return queryError(400, 'Unexpected', `the fake does not know ${r.operation}`);
    }
  };
}

describe('a change set deleted while this run waits for it (another run executed its own on the stack)', () => {
  test('ends the stack\'s run at once, naming the likely cause and the fix, and leaves the stack alone', async () => {
    let polls = 0;
    const gone = queryError(404, 'ChangeSetNotFound', 'ChangeSet [batchform-4f2a9c1-20261125T094312Z-r1] does not exist');
    const fake = await start(healthy({
      // Computing, then deleted by CloudFormation when the other run executed.
      DescribeChangeSet: () => (++polls === 1 ? queryResult('DescribeChangeSet', '<Status>CREATE_IN_PROGRESS</Status>') : gone),
      DeleteChangeSet: () => gone,
    }));

    const result = await deployStage(makeProject().inputs(), engineOptions(fake.clients, { waits: LONG_WAITS }));

    const [s] = result.stacks;
    expect(s.outcome).toBe('failed');
    expect(s.error).toMatch(/^change set batchform-4f2a9c1-20261125T094312Z-r1 of prod-daily-stats was deleted while this run was waiting for it to be computed \(CloudFormation answered ChangeSetNotFound\)/);
    expect(s.error).toContain('another run on prod-daily-stats');
    expect(s.error).toContain('Fix: let the other run finish');
    expect(s.error).not.toMatch(/CREATE_IN_PROGRESS|delete it by hand|still being computed/);
    expect(s.errorKind).toBe('run-failed');
    // Ended at the first ChangeSetNotFound, not after the waiter's ten minutes of polls.
    expect(fake.seen.filter((x) => x.operation === 'DescribeChangeSet')).toHaveLength(2);
    // The stack may now be the other run's: it is not deleted, nor anything executed.
    expect(fake.seen.map((x) => x.operation)).not.toContain('DeleteStack');
    expect(fake.seen.map((x) => x.operation)).not.toContain('ExecuteChangeSet');
    expect(s.notes.join('\n')).not.toContain('by hand');
    expect(s.notes.join('\n')).toContain('was already gone, so the stack prod-daily-stats was left as it is');
  });
});

describe('two deploys started in the same second', () => {
  /** CloudFormation's rule: one change set of a name per stack. */
  function cloudFormationNames() {
    const names = new Set<string>();
    return healthy({
      CreateChangeSet: (r) => {
        const key = `${r.params.get('StackName')}/${r.params.get('ChangeSetName')}`;
        if (names.has(key)) return queryError(400, 'AlreadyExistsException', `ChangeSet ${r.params.get('ChangeSetName')} already exists`);
        names.add(key);
        return undefined;
      },
    });
  }

  test('do not collide on the change-set name', async () => {
    const fake = await start(cloudFormationNames());
    const project = makeProject();
    // Same commit, same clock: only the run id tells them apart (the default, random).
    const [a, b] = await Promise.all([1, 2].map(() => deployStage(project.inputs(), engineOptions(fake.clients, { mode: 'preview', runId: undefined }))));
    expect(a.stacks[0].outcome).toBe('will-create');
    expect(b.stacks[0].outcome).toBe('will-create');
    expect(a.changeSetName).not.toBe(b.changeSetName);
    const sent = fake.seen.filter((x) => x.operation === 'CreateChangeSet').map((x) => x.params.get('ChangeSetName'));
    expect(new Set(sent).size).toBe(2);
    // The client tokens follow the names, so CloudFormation does not take the second run's request for a retry of the first.
    expect(new Set(fake.seen.filter((x) => x.operation === 'CreateChangeSet').map((x) => x.params.get('ClientToken'))).size).toBe(2);
  });

  test('a run whose change set could not be created never reports "no change set was needed"', async () => {
    const fake = await start(cloudFormationNames());
    const project = makeProject();
    await deployStage(project.inputs(), engineOptions(fake.clients, { mode: 'preview', runId: 'same' }));
    const second = await deployStage(project.inputs(), engineOptions(fake.clients, { mode: 'preview', runId: 'same' }));
    expect(second.stacks[0].outcome).toBe('failed');
    expect(second.stacks[0].error).toContain('AWS AlreadyExistsException');
    for (const report of [renderTextReport(second), renderMarkdownReport(second)]) {
      expect(report).not.toContain('no change set was needed');
      expect(report).toContain('no change set was made');
    }
  });
});

describe('a stalled endpoint (connections accepted, never answered) ends within the wall-clock bound, whatever the SDK retries', () => {
  // The SDK's defaults: 10 attempts of 60 s each per poll, three polls: half an hour without the bound.
  const SDK_DEFAULTS = { maxAttempts: 10, timeouts: { connectionTimeout: 5_000, requestTimeout: 60_000, callDeadline: 500 } };

  test('a change-set wait', async () => {
    const fake = await start(healthy({ DescribeChangeSet: () => 'hang', DeleteChangeSet: () => 'hang' }), SDK_DEFAULTS);
    const result = await deployStage(makeProject().inputs(), engineOptions(fake.clients, { mode: 'preview', waits: { ...LONG_WAITS, noAnswer: 0.3 } }));
    const [s] = result.stacks;
    expect(s.outcome).toBe('failed');
    expect(s.error).toMatch(new RegExp(`^cannot reach AWS: ${fake.endpoint} did not answer while waiting for change set \\S+ of ${STACK} to be computed ` +
      '\\(no answer for 300 ms, the SDK\'s retries included\\)'));
    expect(s.errorKind).toBe('unreachable');
    // The one poll in flight was aborted: no retry of it, no second poll.
    expect(fake.seen.filter((x) => x.operation === 'DescribeChangeSet')).toHaveLength(1);
    expect(s.notes.join('\n')).toMatch(/Could not delete change set .* \(cannot reach AWS: .*no answer for 500 ms of wall clock/);
  });

  test('a single call (the first DescribeStacks)', async () => {
    const fake = await start(() => 'hang', SDK_DEFAULTS);
    await expect(deployStage(makeProject().inputs(), engineOptions(fake.clients, { mode: 'preview' })))
      .rejects.toThrow(new RegExp(`^stage "prod": cannot reach AWS: ${fake.endpoint} did not answer while listing the stacks \\(DescribeStacks\\).*no answer for 500 ms of wall clock`));
    expect(fake.seen.filter((x) => x.operation === 'DescribeStacks')).toHaveLength(1);
  });

  test('a long wait prints progress lines while AWS keeps answering "in progress"', async () => {
    let polls = 0;
    const fake = await start(healthy({
      DescribeChangeSet: () => (++polls < 40 ? queryResult('DescribeChangeSet', '<Status>CREATE_IN_PROGRESS</Status>') : undefined),
    }));
    const options = engineOptions(fake.clients, { mode: 'preview', waits: { changeSet: { minDelay: 0.005, maxDelay: 0.01, maxWaitTime: 600 }, progressEvery: 0.01 } });
    const result = await deployStage(makeProject().inputs(), options);
    expect(result.stacks[0].outcome).toBe('will-create');
    expect(options.lines.some((l) => /^still waiting for change set \S+ of prod-daily-stats to be computed \(\d+ ms so far\)$/.test(l))).toBe(true);
  });
});

describe('messages name the endpoint actually used', () => {
  const client = () => new CloudFormationClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  test('AWS_ENDPOINT_URL and the per-service variable, before any request', async () => {
    expect(await endpointOf(client(), 'cloudformation', { AWS_ENDPOINT_URL: 'http://localhost:4566/' })).toBe('http://localhost:4566');
    expect(await endpointOf(client(), 'cloudformation', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://cfn:2' })).toBe('http://cfn:2');
    expect(await endpointOf(client(), 'logs', { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://logs:3' } )).toBe('http://logs:3');
    expect(await endpointOf(client(), 'cloudformation', { AWS_ENDPOINT_URL: 'http://a:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }))
      .toBe('https://cloudformation.eu-west-1.amazonaws.com');
    expect(await endpointOf(client(), 'cloudformation', {})).toBe('https://cloudformation.eu-west-1.amazonaws.com');
  });

  test('the endpoint the SDK resolved from AWS_ENDPOINT_URL, through a real deploy', async () => {
    const fake = await start(() => 'hang');
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = fake.endpoint;
    try {
      const { createDeployClients } = await import('../../src/deploy');
      const clients = createDeployClients('eu-west-1', {
        maxAttempts: 1,
        timeouts: { requestTimeout: 200, callDeadline: 400 },
        config: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, forcePathStyle: true },
      });
      try {
        await expect(deployStage(makeProject().inputs(), engineOptions(clients, { mode: 'preview' })))
          .rejects.toThrow(new RegExp(`cannot reach AWS: ${fake.endpoint} did not answer`));
      } finally {
        clients.cloudFormation.destroy();
        clients.s3.destroy();
        clients.lambda.destroy();
      }
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(fake.seen.map((x) => x.operation)).toContain('DescribeStacks');
  });
});
