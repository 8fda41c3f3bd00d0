// The AWS fake under the real batchform CLI (preview and deploy as child processes, through the SDK's AWS_ENDPOINT_URL), and its CloudFormation and S3 behaviours through the SDK clients.
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsFake, AwsFakeCall, NO_CHANGES_REASON, startAwsFake } from './harness/aws-fake';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

interface Manifest {
  stages: Array<{
    name: string;
    account: string;
    region: string;
    artifactBucket: string;
    stacks: Array<{ stackName: string; batch: string; template: string; code: { keyPrefix: string } }>;
    stageStack?: { stackName: string; code?: { keyPrefix: string } };
  }>;
  watchdogConfig?: string;
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds of the child process. */
  readonly ms: number;
  /** The fake's calls made during this run. */
  readonly calls: AwsFakeCall[];
}

/** Runs the real CLI in `cwd` against the fake (asynchronously: the fake answers from this process's event loop). */
function runCli(fake: AwsFake, cwd: string, args: string[], extraEnv: Record<string, string>): Promise<CliRun> {
  const before = fake.calls().length;
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(TSX, [MAIN, ...args], { cwd, env: { ...fake.childEnv(), ...extraEnv }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started, calls: fake.calls().slice(before) });
    });
  });
}

const count = (calls: AwsFakeCall[], operation: string) => calls.filter((c) => c.operation === operation).length;
/** Error answers, less the 404s of HeadObject on a zip not uploaded yet (how the engine learns it is absent). */
const faults = (calls: AwsFakeCall[]) => calls.filter((c) => c.status >= 400 && !(c.operation === 'HeadObject' && c.status === 404));

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'cfn-out/manifest.json'), 'utf8')) as Manifest;
const stage = manifest.stages.find((s) => s.name === 'prod')!;
/** Every stack the deploy runs: the stage stack first (the stage's alarm topic), then the batch stacks. */
const allStacks: ReadonlyArray<{ readonly stackName: string }> = [...(stage.stageStack ? [stage.stageStack] : []), ...stage.stacks];
/** Every code zip the deploy places: each batch's and the stage stack's watchdog. */
const codeZips = stage.stacks.length + (stage.stageStack?.code ? 1 : 0);

/**
 * A project of its own in a temporary directory: the generated cfn-out/ plus stand-in zips (the
 * CLI checks only their hashes against bundles.json), so templates can be edited freely.
 * Returns the directory and, per batch, its zip's bytes and S3 key.
 */
function makeProject(): { dir: string; zips: Map<string, { bytes: Buffer; key: string }> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-aws-fake-'));
  fs.cpSync(path.join(ROOT, 'cfn-out'), path.join(dir, 'cfn-out'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist/batches'), { recursive: true });
  const zips = new Map<string, { bytes: Buffer; key: string }>();
  const bundles = stage.stacks.map((s) => {
    const bytes = Buffer.from(`PK stand-in zip of ${s.batch}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const zip = `dist/batches/${s.batch}.zip`;
    fs.writeFileSync(path.join(dir, zip), bytes);
    zips.set(s.batch, { bytes, key: `${s.code.keyPrefix}/${sha256}.zip` });
    return { batch: s.batch, zip, sha256, size: bytes.length, bundleSize: bytes.length };
  });
  // The stage stack's code: a stand-in watchdog zip, packaged from the generated watchdog.json.
  const watchdogBytes = Buffer.from('PK stand-in zip of the watchdog');
  const watchdogSha = createHash('sha256').update(watchdogBytes).digest('hex');
  fs.writeFileSync(path.join(dir, 'dist/batches/stage.zip'), watchdogBytes);
  const configSha256 = createHash('sha256').update(fs.readFileSync(path.join(dir, manifest.watchdogConfig!))).digest('hex');
  const watchdog = { batch: 'stage', zip: 'dist/batches/stage.zip', sha256: watchdogSha, size: watchdogBytes.length, bundleSize: watchdogBytes.length, configSha256 };
  fs.writeFileSync(path.join(dir, 'dist/batches/bundles.json'), JSON.stringify({ version: 1, bundles, watchdog }));
  return { dir, zips };
}

/** Wall-clock milliseconds of each CLI run, printed once the file is done: the CLI's own waiter sleeps dominate them. */
const durations: Record<string, number> = {};
afterAll(() => console.log(`CLI runs against the AWS fake (ms): ${JSON.stringify(durations)}`));

describe('the real CLI against the AWS fake', () => {
  let project: string;
  let fake: AwsFake;
  let summary: string;
  let zips: Map<string, { bytes: Buffer; key: string }>;

  beforeAll(async () => {
    ({ dir: project, zips } = makeProject());
    summary = path.join(project, 'step-summary.md');
    // pageSize 2: three stacks and twenty-odd resources per change set take several pages.
    fake = await startAwsFake({ account: stage.account, region: stage.region, buckets: [stage.artifactBucket], pageSize: 2 });
  });

  afterAll(async () => {
    await fake?.close();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  const cli = async (step: string, args: string[], sha: string): Promise<CliRun> => {
    const run = await runCli(fake, project, args, { GITHUB_SHA: sha, GITHUB_STEP_SUMMARY: summary });
    durations[step] = run.ms;
    if (run.code !== 0) throw new Error(`${step} exited ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
    return run;
  };

  test('preview of an empty account: every stack will be created; change sets made and deleted; nothing uploaded', async () => {
    const run = await cli('preview (empty account)', ['preview', '--stage', 'prod', '--report', 'preview.md'], 'a1a1a1a1a1');
    for (const s of allStacks) expect(run.stdout).toMatch(new RegExp(`${s.stackName}\\s+will be created`));
    expect(count(run.calls, 'GetCallerIdentity')).toBe(1);
    expect(count(run.calls, 'CreateChangeSet')).toBe(allStacks.length);
    expect(count(run.calls, 'DeleteChangeSet')).toBe(allStacks.length);
    expect(count(run.calls, 'ExecuteChangeSet')).toBe(0);
    expect(count(run.calls, 'PutObject')).toBe(0);
    expect(count(run.calls, 'HeadObject')).toBe(codeZips);
    expect(faults(run.calls)).toEqual([]);
    expect(fake.changeSets()).toEqual([]);
    expect(fake.objects().size).toBe(0);
    // The preview role may not delete stacks: the new ones stay empty and REVIEW_IN_PROGRESS.
    expect([...fake.stacks().values()].map((s) => s.status)).toEqual(allStacks.map(() => 'REVIEW_IN_PROGRESS'));
    expect(fs.readFileSync(path.join(project, 'preview.md'), 'utf8')).toContain('will be created');
    expect(fs.readFileSync(summary, 'utf8')).toContain('will be created');
  });

  test('deploy: every stack CREATE_COMPLETE with the template from cfn-out, the zips in the bucket', async () => {
    const run = await cli('deploy (create)', ['deploy', '--stage', 'prod', '--report', 'deploy.md'], 'b2b2b2b2b2');
    expect(count(run.calls, 'ExecuteChangeSet')).toBe(allStacks.length);
    expect(count(run.calls, 'PutObject')).toBe(codeZips);
    // No batch reserves concurrency by default, so the account's concurrency needs no check.
    expect(count(run.calls, 'GetAccountSettings')).toBe(0);
    expect(faults(run.calls)).toEqual([]);
    const stacks = fake.stacks();
    const objects = fake.objects();
    for (const s of stage.stacks) {
      expect(run.stdout).toMatch(new RegExp(`${s.stackName}\\s+created`));
      const live = stacks.get(s.stackName)!;
      expect(live.status).toBe('CREATE_COMPLETE');
      expect(live.template).toEqual(JSON.parse(fs.readFileSync(path.join(project, s.template), 'utf8')));
      const zip = zips.get(s.batch)!;
      expect(objects.get(`${stage.artifactBucket}/${zip.key}`)).toEqual(zip.bytes);
      expect(live.parameters.CodeS3Key).toBe(zip.key);
      // The bucket is versioned, so the deploy pins the version it uploaded.
      expect(live.parameters.CodeS3ObjectVersion).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(live.tags['batchform:fingerprint']).toMatch(/^[0-9a-f]{64}$/);
      expect(live.changeSets).toHaveLength(1);
      expect(live.outputs.FunctionArn).toMatch(/^arn:aws:lambda:/);
    }
    expect(fake.changeSets().map((c) => c.executionStatus)).toEqual(allStacks.map(() => 'EXECUTE_COMPLETE'));
  });

  test('a second deploy of the same commit makes no change set', async () => {
    const run = await cli('deploy (unchanged)', ['deploy', '--stage', 'prod'], 'c3c3c3c3c3');
    expect(count(run.calls, 'CreateChangeSet')).toBe(0);
    expect(count(run.calls, 'PutObject')).toBe(0);
    for (const s of allStacks) expect(run.stdout).toMatch(new RegExp(`${s.stackName}\\s+unchanged`));
  });

  test('preview after one property changed: a Modify of that resource, with its before and after values', async () => {
    const changed = stage.stacks.find((s) => s.batch === 'weekly-report')!;
    const file = path.join(project, changed.template);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const memory = template.Resources.Function.Properties.MemorySize as number;
    template.Resources.Function.Properties.MemorySize = memory * 2;
    fs.writeFileSync(file, JSON.stringify(template, null, 2));
    // As "npx projen" records a regenerated template (a hand edit without it is refused before any AWS call).
    const hashesFile = path.join(project, path.dirname(changed.template), 'template-hashes.json');
    const hashes = JSON.parse(fs.readFileSync(hashesFile, 'utf8'));
    hashes.templates[changed.batch].sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    fs.writeFileSync(hashesFile, JSON.stringify(hashes, null, 2));

    const run = await cli('preview (one change)', ['preview', '--stage', 'prod', '--report', 'preview2.md'], 'd4d4d4d4d4');
    expect(run.stdout).toMatch(new RegExp(`${changed.stackName}\\s+will be updated\\s+1 modified`));
    expect(run.stdout).toMatch(/Modify\s+Function\s+AWS::Lambda::Function\s+replacement: no\s+MemorySize\n/);
    expect(run.stdout).toContain(`Function MemorySize: ${memory} -> ${memory * 2}`);
    for (const s of allStacks.filter((x) => x !== changed)) expect(run.stdout).toMatch(new RegExp(`${s.stackName}\\s+unchanged`));
    expect(run.calls.filter((c) => c.operation === 'CreateChangeSet').map((c) => c.target)).toEqual([changed.stackName]);
    expect(run.calls.filter((c) => c.operation === 'DetectStackDrift').map((c) => c.target)).toEqual([changed.stackName]);
    // Only the change sets the deploy executed remain.
    expect(fake.changeSets().map((c) => c.executionStatus)).toEqual(allStacks.map(() => 'EXECUTE_COMPLETE'));
  });

  test('deploy of the change: UPDATE_COMPLETE with the new value; the stack keeps only the executed change set', async () => {
    const changed = stage.stacks.find((s) => s.batch === 'weekly-report')!;
    const run = await cli('deploy (update)', ['deploy', '--stage', 'prod'], 'e5e5e5e5e5');
    expect(run.stdout).toMatch(new RegExp(`${changed.stackName}\\s+updated`));
    const live = fake.stacks().get(changed.stackName)!;
    expect(live.status).toBe('UPDATE_COMPLETE');
    expect(live.template).toEqual(JSON.parse(fs.readFileSync(path.join(project, changed.template), 'utf8')));
    expect(live.changeSets).toEqual([expect.stringMatching(/^batchform-e5e5e5e-/)]);
    expect(live.events.filter((e) => e.logicalId === 'Function').map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
  });
});

describe('the real CLI against an AWS fake with no latency, where one execution fails', () => {
  let project: string;
  let fake: AwsFake;
  const failing = stage.stacks[0].stackName;
  const reason = 'Resource handler returned message: "Subnet subnet-0a1b2c3d4e5f60718 does not exist"';
  let failures = 1;

  beforeAll(async () => {
    project = makeProject().dir;
    fake = await startAwsFake({
      account: stage.account,
      region: stage.region,
      buckets: [stage.artifactBucket],
      pageSize: 2,
      changeSetCompute: 0,
      stackOperation: 0,
      executionFailure: (stack) => (stack === failing && failures-- > 0 ? reason : undefined),
    });
  });

  afterAll(async () => {
    await fake?.close();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  test('preview and deploy finish without waiter sleeps; the failed stack is reported with its event, the others created', async () => {
    const preview = await runCli(fake, project, ['preview', '--stage', 'prod'], { GITHUB_SHA: 'f6f6f6f6f6' });
    durations['preview (no latency)'] = preview.ms;
    expect(preview.code).toBe(0);
    const deploy = await runCli(fake, project, ['deploy', '--stage', 'prod'], { GITHUB_SHA: 'a7a7a7a7a7' });
    durations['deploy (no latency, one failure)'] = deploy.ms;
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toMatch(new RegExp(`${failing}\\s+failed`));
    expect(`${deploy.stdout}${deploy.stderr}`).toContain(reason);
    expect(count(deploy.calls, 'DescribeStackEvents')).toBeGreaterThan(0);
    const stacks = fake.stacks();
    expect(stacks.get(failing)?.status).toBe('ROLLBACK_COMPLETE');
    for (const s of stage.stacks.filter((x) => x.stackName !== failing)) expect(stacks.get(s.stackName)?.status).toBe('CREATE_COMPLETE');
  });

  test('the next deploy deletes the ROLLBACK_COMPLETE stack and creates it again', async () => {
    const before = fake.stacks().get(failing)!.id;
    const run = await runCli(fake, project, ['deploy', '--stage', 'prod'], { GITHUB_SHA: 'b8b8b8b8b8' });
    durations['deploy (no latency, recreate)'] = run.ms;
    expect(run.code).toBe(0);
    expect(run.calls.filter((c) => c.operation === 'DeleteStack').map((c) => c.target)).toEqual([before]);
    const after = fake.stacks().get(failing)!;
    expect(after.status).toBe('CREATE_COMPLETE');
    expect(after.id).not.toBe(before);
  });
});

describe('the AWS fake through the SDK clients', () => {
  let fake: AwsFake;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  const bucket = 'batchform-artifacts-111122223333-ap-northeast-2';
  const template = (memory: number, extra: Record<string, unknown> = {}) => JSON.stringify({
    Parameters: { Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-${Env}' }, DelaySeconds: memory } },
      ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd', Properties: {} },
      ...extra,
    },
  });
  const create = (stack: string, name: string, body: string, type: 'CREATE' | 'UPDATE', parameters: Record<string, string> = {}) =>
    cfn.send(new CreateChangeSetCommand({
      StackName: stack,
      ChangeSetName: name,
      ChangeSetType: type,
      TemplateBody: body,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }));
  const describe_ = (stack: string, name: string) =>
    cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name, IncludePropertyValues: true }));

  beforeEach(async () => {
    // No latency: every state change is visible to the next request, so no polling is needed here.
    fake = await startAwsFake({ changeSetCompute: 0, stackOperation: 0, executionFailure: (stack) => (stack === 'doomed' ? 'Resource handler returned message: "boom"' : undefined) });
    const config = {
      region: fake.region,
      endpoint: fake.endpoint,
      credentials: {
        accessKeyId: fake.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY,
        sessionToken: fake.env.AWS_SESSION_TOKEN,
      },
      maxAttempts: 1,
    };
    cfn = new CloudFormationClient(config);
    s3 = new S3Client(config);
  });

  afterEach(async () => {
    cfn.destroy();
    s3.destroy();
    await fake.close();
  });

  test('deleting the only change set of a REVIEW_IN_PROGRESS stack leaves the empty stack, as CloudFormation does', async () => {
    await create('fresh', 'cs1', template(1), 'CREATE');
    await cfn.send(new DeleteChangeSetCommand({ StackName: 'fresh', ChangeSetName: 'cs1' }));
    const out = await cfn.send(new DescribeStacksCommand({ StackName: 'fresh' }));
    expect(out.Stacks?.[0]?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect((await cfn.send(new ListChangeSetsCommand({ StackName: 'fresh' }))).Summaries).toEqual([]);
    // Such a stack takes another CREATE change set, never an UPDATE one.
    await expect(create('fresh', 'cs2', template(1), 'UPDATE')).rejects.toThrow('is in REVIEW_IN_PROGRESS state and can not be updated');
    await create('fresh', 'cs3', template(1), 'CREATE');
  });

  test('changes: conditions and parameters evaluated; a changed property is a Modify naming it; an unchanged template FAILED with the no-changes reason', async () => {
    await create('s', 'c1', template(1), 'CREATE');
    expect((await describe_('s', 'c1')).Changes?.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`)).toEqual(['Add Queue']);
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c1' }));

    await create('s', 'c2', template(5), 'UPDATE', { Env: 'prod' });
    const d = await describe_('s', 'c2');
    expect(d.Status).toBe('CREATE_COMPLETE');
    const [modify, add] = d.Changes!.map((c) => c.ResourceChange!);
    expect(add).toMatchObject({ Action: 'Add', LogicalResourceId: 'ProdOnly' });
    expect(modify).toMatchObject({ Action: 'Modify', LogicalResourceId: 'Queue', Replacement: 'True' });
    expect(modify.Details?.map((x) => [x.Target?.Name, x.Target?.BeforeValue, x.Target?.AfterValue, x.ChangeSource, x.CausingEntity])).toEqual([
      ['QueueName', '"s-dev"', '"s-prod"', 'ParameterReference', 'Env'],
      ['DelaySeconds', '1', '5', 'DirectModification', undefined],
    ]);

    await create('s', 'c3', template(1), 'UPDATE');
    const same = await describe_('s', 'c3');
    expect([same.Status, same.StatusReason, same.ExecutionStatus]).toEqual(['FAILED', NO_CHANGES_REASON, 'UNAVAILABLE']);
    await expect(cfn.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c3' }))).rejects.toThrow('cannot be executed in its current status of [FAILED]');
  });

  test('executing a change set deletes the stack\'s other change sets', async () => {
    await create('s', 'c1', template(1), 'CREATE');
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c1' }));
    await create('s', 'c2', template(2), 'UPDATE');
    await create('s', 'c3', template(3), 'UPDATE');
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c3' }));
    expect(fake.stacks().get('s')).toMatchObject({ status: 'UPDATE_COMPLETE', changeSets: ['c3'] });
    await expect(describe_('s', 'c2')).rejects.toThrow('ChangeSet [c2] does not exist');
  });

  test('a failing execution rolls the stack back with the failed resource\'s event', async () => {
    await create('doomed', 'c1', template(1), 'CREATE');
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'doomed', ChangeSetName: 'c1', ClientRequestToken: 't1' }));
    const stack = fake.stacks().get('doomed')!;
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.events.find((e) => e.status === 'CREATE_FAILED')).toEqual({ logicalId: 'Queue', status: 'CREATE_FAILED', reason: 'Resource handler returned message: "boom"', clientRequestToken: 't1' });
  });

  test('bad input fails as CloudFormation fails it', async () => {
    await expect(create('s', 'c1', template(1), 'UPDATE')).rejects.toThrow('Stack [s] does not exist');
    await expect(create('s', 'c1', template(1), 'CREATE', { Env: 'qa' })).rejects.toThrow("Parameter 'Env' must be one of AllowedValues");
    await expect(create('s', 'c1', template(1), 'CREATE', { Nope: 'x' })).rejects.toThrow('Parameters: [Nope] do not exist in the template');
    await expect(create('s', 'c1', template(1, { Role: { Type: 'AWS::IAM::Role', Properties: {} } }), 'CREATE'))
      .rejects.toMatchObject({ name: 'InsufficientCapabilitiesException', message: 'Requires capabilities : [CAPABILITY_IAM]' });
    await create('s', 'c1', template(1), 'CREATE');
    await expect(create('s', 'c1', template(1), 'CREATE')).rejects.toMatchObject({ name: 'AlreadyExistsException' });
  });

  test('S3 rejects an upload whose SHA-256 does not match, and keeps the checksum of one that does', async () => {
    const body = Buffer.from('zip bytes');
    const sha = createHash('sha256').update(body).digest('base64');
    await expect(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k.zip', Body: body, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: createHash('sha256').update('other').digest('base64') })))
      .rejects.toMatchObject({ name: 'BadDigest' });
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k.zip', Body: body, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: sha }));
    expect(put.ChecksumSHA256).toBe(sha);
    expect(put.VersionId).toBeDefined();
    expect(fake.objects()).toEqual(new Map([[`${bucket}/k.zip`, body]]));
    expect(fake.calls().map((c) => [c.service, c.operation, c.status, c.target])).toEqual([
      ['s3', 'PutObject', 400, `${bucket}/k.zip`],
      ['s3', 'PutObject', 200, `${bucket}/k.zip`],
    ]);
  });

  test('a template given by TemplateURL is read from the fake\'s S3, at the version named', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batchform-preview/t.template.json', Body: template(7) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batchform-preview/t.template.json', Body: template(9) }));
    await cfn.send(new CreateChangeSetCommand({
      StackName: 'big',
      ChangeSetName: 'c1',
      ChangeSetType: 'CREATE',
      TemplateURL: `https://${bucket}.s3.${fake.region}.amazonaws.com/batchform-preview/t.template.json?versionId=${encodeURIComponent(first.VersionId!)}`,
    }));
    const after = JSON.parse((await describe_('big', 'c1')).Changes![0].ResourceChange!.AfterContext!);
    expect(after.Properties.DelaySeconds).toBe(7);
    await expect(cfn.send(new CreateChangeSetCommand({ StackName: 'big', ChangeSetName: 'c2', ChangeSetType: 'CREATE', TemplateURL: `https://${bucket}.s3.${fake.region}.amazonaws.com/missing.json` })))
      .rejects.toThrow('S3 error: The specified key does not exist.');
  });

  test('with latencies, change sets and executions pass through their in-progress statuses', async () => {
    // Wide windows (500 ms each side of a checked moment), so a slow machine does not change what is seen.
    const slow = await startAwsFake({ changeSetCompute: 1000, stackOperation: 1000 });
    const client = new CloudFormationClient({
      region: slow.region,
      endpoint: slow.endpoint,
      credentials: {
        accessKeyId: slow.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: slow.env.AWS_SECRET_ACCESS_KEY,
        sessionToken: slow.env.AWS_SESSION_TOKEN,
      },
      maxAttempts: 1,
    });
    const until = (start: number, ms: number) => new Promise((r) => setTimeout(r, Math.max(0, start + ms - Date.now())));
    const status = async () => (await client.send(new DescribeChangeSetCommand({ StackName: 's', ChangeSetName: 'c1' }))).Status;
    const stackStatus = async () => (await client.send(new DescribeStacksCommand({ StackName: 's' }))).Stacks?.[0]?.StackStatus;
    try {
      const created = Date.now();
      await client.send(new CreateChangeSetCommand({ StackName: 's', ChangeSetName: 'c1', ChangeSetType: 'CREATE', TemplateBody: template(1) }));
      const seen = [await status()];
      await until(created, 750);
      seen.push(await status());
      await until(created, 1500);
      seen.push(await status());
      expect(seen).toEqual(['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
      await expect(stackStatus()).resolves.toBe('REVIEW_IN_PROGRESS');
      const executed = Date.now();
      await client.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c1' }));
      await expect(stackStatus()).resolves.toBe('CREATE_IN_PROGRESS');
      await until(executed, 1500);
      await expect(stackStatus()).resolves.toBe('CREATE_COMPLETE');
    } finally {
      client.destroy();
      await slow.close();
    }
  });

  test('an operation the fake does not implement is a 400 naming it; other credentials are refused', async () => {
    const { GetTemplateSummaryCommand } = await import('@aws-sdk/client-cloudformation');
    await expect(cfn.send(new GetTemplateSummaryCommand({ StackName: 's' })))
      .rejects.toMatchObject({ name: 'InvalidAction', message: expect.stringContaining('does not implement cloudformation:GetTemplateSummary'), $metadata: { httpStatusCode: 400 } });
    const stranger = new CloudFormationClient({ region: fake.region, endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIAREAL', secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(stranger.send(new DescribeStacksCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    stranger.destroy();
  });
});
