// The account's Lambda concurrency check: each way GetAccountSettings can fail is named for what it is
// (real HTTP answers through the loopback fake), and the check can be skipped.
import { makeProject, engineOptions } from './helpers';
import { Answer, Loopback, queryResult, Seen, startLoopback } from './loopback';
import { runDeployCommand } from '../../src/cli/deploy-commands';
import { deployStage } from '../../src/deploy';

let fake: Loopback | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A healthy CloudFormation and S3 for new stacks; Lambda's account settings answer `settings`. */
function healthy(settings: () => Answer) {
  return (r: Seen): Answer => {
    if (r.path.endsWith('/account-settings')) return settings();
    switch (r.operation) {
      case 'DescribeStacks':
        return queryResult('DescribeStacks', '<Stacks></Stacks>');
      case 'HEAD s3':
        return r.path.split('/').filter(Boolean).length === 1 ? { headers: { 'x-amz-bucket-region': 'ap-northeast-2' } } : { status: 404 };
      case 'CreateChangeSet':
        return queryResult('CreateChangeSet', '<Id>arn:aws:cloudformation:ap-northeast-2:111122223333:changeSet/c/1</Id><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-daily-stats/1</StackId>');
      case 'DescribeChangeSet':
        return queryResult('DescribeChangeSet', '<Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes></Changes>');
      default:
        return queryResult(r.operation);
    }
  };
}

const json = (status: number, type: string, message: string): Answer => ({
  status, body: JSON.stringify({ Type: 'User', message }), headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
});

test.each([
  ['access denied', () => json(403, 'AccessDeniedException', 'User is not authorized to perform: lambda:GetAccountSettings'),
    /may not call lambda:GetAccountSettings/, /404|fault on AWS's side/],
  ['a 404 page (not Lambda answering)', (): Answer => ({ status: 404, body: '<html><body>Not Found</body></html>', headers: { 'content-type': 'text/html' } }),
    /answered 404 \(not found\): that is not Lambda answering.*AWS_ENDPOINT_URL.*no permission is missing/, /may not call/],
  ['a 5xx', () => json(503, 'ServiceException', 'Service unavailable'),
    /Lambda answered 503, a fault on AWS's side .*no permission is missing/, /may not call/],
] as const)('%s is named for what it is, with the way to skip the check', async (_name, answer, says, never) => {
  fake = await startLoopback(healthy(answer));
  const error = await deployStage(makeProject({ reserved: 1 }).inputs(), engineOptions(fake.clients, { mode: 'preview' })).then(() => undefined, (e: Error) => e);
  expect(error?.message).toMatch(/^could not read the Lambda concurrency of account 111122223333 \(lambda:GetAccountSettings\)/);
  expect(error?.message).toMatch(says);
  expect(error?.message).not.toMatch(never);
  expect(error?.message).toContain('--no-concurrency-check');
  expect(fake.seen.map((s) => s.operation)).not.toContain('CreateChangeSet');
});

test('concurrencyCheck: false (--no-concurrency-check) skips the check and the run goes on', async () => {
  fake = await startLoopback(healthy(() => json(403, 'AccessDeniedException', 'denied')));
  const project = makeProject({ reserved: 1 });
  const options = engineOptions(fake.clients, { mode: 'preview', concurrencyCheck: false });
  const result = await deployStage(project.inputs(), options);
  expect(result.stacks[0].outcome).toBe('will-create');
  expect(fake.seen.some((s) => s.path.endsWith('/account-settings'))).toBe(false);
  expect(options.lines).toContain('skipping the account\'s Lambda concurrency check (concurrencyCheck: false)');

  // The CLI's flag reaches the engine.
  const f = fake;
  const err: string[] = [];
  const code = await runDeployCommand('preview', {
    stage: 'prod', manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', concurrency: '8', concurrencyCheck: false,
  }, { createClients: () => f.clients, callerAccount: async () => '111122223333', projectDir: project.dir, out: () => undefined, err: (t) => err.push(t), env: {} });
  expect(code).toBe(0);
  expect(err).toContain('skipping the account\'s Lambda concurrency check (concurrencyCheck: false)');
});
