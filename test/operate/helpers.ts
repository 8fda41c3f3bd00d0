// Test scaffolding for the operate commands: a project whose manifest has one UTC, one zoned and one constant-input batch, and mocked clients with their stacks deployed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetDurableExecutionCommand, GetDurableExecutionHistoryCommand, InvokeCommand, LambdaClient, ListDurableExecutionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { OperateCommandDeps } from '../../src/cli/operate-commands';
import type { Manifest, ManifestBatch } from '../../src/manifest/manifest';
import type { OperateClients } from '../../src/operate';
import { startRequest } from '../../src/runtime/starter';

export const ACCOUNT = '111122223333';
export const REGION = 'ap-northeast-2';
export const NOW = new Date('2026-11-25T09:43:12.345Z');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function batch(name: string, extra: Partial<ManifestBatch>): ManifestBatch {
  return {
    name,
    description: `batch ${name}`,
    handler: `handlers/${name}.ts`,
    template: `cfn-out/${name}.template.json`,
    schedule: 'cron(0 3 * * ? *)',
    timezone: 'UTC',
    enabled: true,
    vpc: false,
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    timeout: 120,
    memorySize: 256,
    alarms: true,
    environment: {},
    ...extra,
  };
}

/** The batches of the fixture: `utc-job` (EventBridge rule), `zoned-job` (Scheduler, New York), `input-job` (constant input). */
export const BATCHES: ManifestBatch[] = [
  batch('utc-job', { schedule: 'cron(0 3 * * ? *)' }),
  batch('zoned-job', { schedule: 'cron(30 2 * * ? *)', timezone: 'America/New_York' }),
  batch('input-job', { schedule: 'rate(1 hour)', input: '{"mode":"full","days":2}' }),
];

/** A project directory holding cfn-out/manifest.json with stage `prod` (stack prefix `prod`). */
export function makeOperateProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-operate-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  const manifest: Manifest = {
    version: 1,
    batches: BATCHES,
    stages: [{
      name: 'prod',
      account: ACCOUNT,
      region: REGION,
      artifactBucket: 'acme-artifacts',
      artifactPrefix: 'batchform',
      stackPrefix: 'prod',
      githubEnvironment: 'prod',
      stacks: BATCHES.map((b) => ({
        stackName: `prod-${b.name}`,
        batch: b.name,
        template: b.template,
        handler: b.handler,
        parameters: {},
        code: { bucket: 'acme-artifacts', keyPrefix: `batchform/${b.name}`, bucketParameter: 'CodeS3Bucket', keyParameter: 'CodeS3Key' },
        tags: { 'batchform:batch': b.name, 'batchform:stage': 'prod' },
      })),
    }],
  };
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** The stack outputs a deployed batch stack has (the names batch-template.ts gives them). */
export function outputsOf(name: string): Array<{ OutputKey: string; OutputValue: string }> {
  const stack = `prod-${name}`;
  const zoned = name === 'zoned-job';
  return [
    { OutputKey: 'FunctionArn', OutputValue: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${stack}` },
    zoned
      ? { OutputKey: 'ScheduleArn', OutputValue: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${stack}/${stack}` }
      : { OutputKey: 'RuleArn', OutputValue: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${stack}` },
    { OutputKey: 'LogGroupName', OutputValue: `/aws/lambda/${stack}` },
    { OutputKey: 'DeadLetterQueueUrl', OutputValue: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${stack}-DeadLetterQueue-AbC123` },
  ];
}

/**
 * A ledger client whose every call gets one answer: by default an empty Query page, or DynamoDB's
 * error `{ name, message }` (status 400). A fake HTTP handler, because the document client sends
 * through the middleware stack, which aws-sdk-client-mock does not replace. Tests with records use
 * dynalite (test/ledger/dynalite.ts).
 */
export function fakeLedger(error?: { readonly name: string; readonly message: string }): DynamoDBClient {
  const body = error ? JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${error.name}`, message: error.message }) : '{"Items":[],"Count":0}';
  const handle = async () => ({
    response: { statusCode: error ? 400 : 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(body)]) },
  });
  return new DynamoDBClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: { handle } as never });
}

/** Mocked clients (an empty run ledger); every batch stack of the fixture is deployed (CREATE_COMPLETE) unless a test says otherwise. */
export function mockOperateClients() {
  const clients: OperateClients = {
    dynamodb: fakeLedger(),
    cloudFormation: new CloudFormationClient({ region: REGION }),
    lambda: new LambdaClient({ region: REGION }),
    sqs: new SQSClient({ region: REGION }),
    cloudWatch: new CloudWatchClient({ region: REGION }),
    logs: new CloudWatchLogsClient({ region: REGION }),
  };
  const mocks = {
    cfn: mockClient(clients.cloudFormation),
    lambda: mockClient(clients.lambda),
    sqs: mockClient(clients.sqs),
    cw: mockClient(clients.cloudWatch),
    logs: mockClient(clients.logs),
  };
  for (const b of BATCHES) {
    mocks.cfn.on(DescribeStacksCommand, { StackName: `prod-${b.name}` }).resolves({
      Stacks: [{ StackName: `prod-${b.name}`, StackStatus: 'CREATE_COMPLETE', CreationTime: NOW, Outputs: outputsOf(b.name), Tags: [] }],
    });
  }
  return { clients, mocks };
}

/** Command dependencies that capture output and use the mocked clients. */
export function commandDeps(projectDir: string, clients: OperateClients, extra: Partial<OperateCommandDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let ids = 0;
  const deps: OperateCommandDeps = {
    projectDir,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    now: () => NOW,
    callerAccount: async () => ACCOUNT,
    createClients: () => clients,
    id: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    ...extra,
  };
  return { deps, out, err };
}

/** A Payload as the Lambda client returns it. */
export function payload(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value)) as Uint8Array;
}

/** The JSON a mocked InvokeCommand was sent. */
export function sentEvent(input: { Payload?: unknown }): unknown {
  return JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
}

/** The function and starter ARNs of the durable form of `utc-job` (see {@link deployDurable}). */
export const DURABLE_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-utc-job-DurableFunction-XyZ789`;
export const DURABLE_STARTER = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-utc-job-Starter-AbC123`;

/** Makes `utc-job`'s stack a durable batch's: FunctionArn a generated name, AliasArn and StarterArn outputs. */
export function deployDurable(mocks: ReturnType<typeof mockOperateClients>['mocks']): void {
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-utc-job' }).resolves({
    Stacks: [{
      StackName: 'prod-utc-job',
      StackStatus: 'UPDATE_COMPLETE',
      CreationTime: NOW,
      Outputs: [
        ...outputsOf('utc-job').map((o) => (o.OutputKey === 'FunctionArn' ? { ...o, OutputValue: DURABLE_FUNCTION } : o)),
        { OutputKey: 'AliasArn', OutputValue: `${DURABLE_FUNCTION}:live` },
        { OutputKey: 'StarterArn', OutputValue: DURABLE_STARTER },
      ],
    }],
  });
}

/** One execution of the fake durable Lambda. */
export interface FakeExecution {
  readonly name: string;
  readonly arn: string;
  /** The statuses GetDurableExecution answers, one per call; the last one repeats. */
  statuses: Array<'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED'>;
  /** The event the execution received. */
  readonly input: unknown;
  error?: { ErrorType: string; ErrorMessage: string };
  result?: string;
  history?: Array<Record<string, unknown>>;
}

/**
 * A fake of the durable side of Lambda on the mocked client: the starter (as the template's inline
 * code behaves: name from the event's time and re-run number, an existing name starts nothing),
 * ListDurableExecutionsByFunction by exact name or status, GetDurableExecution stepping through
 * each execution's `statuses`, and GetDurableExecutionHistory.
 */
export function fakeDurableLambda(lambda: ReturnType<typeof mockOperateClients>['mocks']['lambda'], outcome: (name: string) => Partial<FakeExecution> = () => ({})) {
  const executions = new Map<string, FakeExecution>();
  const add = (name: string, input: unknown, extra: Partial<FakeExecution> = {}) => {
    const e: FakeExecution = { name, arn: `${DURABLE_FUNCTION}:3/durable-execution/${name}/id-${executions.size + 1}`, statuses: ['RUNNING', 'SUCCEEDED'], input, ...outcome(name), ...extra };
    executions.set(name, e);
    return e;
  };
  const view = (e: FakeExecution) => ({
    DurableExecutionName: e.name,
    DurableExecutionArn: e.arn,
    FunctionArn: `${DURABLE_FUNCTION}:3`,
    Status: e.statuses[0],
    StartTimestamp: new Date('2026-11-25T09:43:13Z'),
    ...(e.statuses[0] === 'RUNNING' ? {} : { EndTimestamp: new Date('2026-11-25T10:13:13Z') }),
  });
  lambda.on(InvokeCommand).callsFake(async (input) => {
    if (input.FunctionName !== DURABLE_STARTER) throw new Error(`the fake only runs the starter, not ${input.FunctionName}`);
    const event = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
    const request = startRequest(event, `${DURABLE_FUNCTION}:live`, 'prod-utc-job');
    const known = executions.get(request.DurableExecutionName);
    if (known) return { StatusCode: 200, Payload: payload({ executionName: known.name, alreadyStarted: true }) };
    const e = add(request.DurableExecutionName, JSON.parse(request.Payload));
    return { StatusCode: 200, Payload: payload({ executionName: e.name, executionArn: e.arn }) };
  });
  lambda.on(ListDurableExecutionsByFunctionCommand).callsFake(async (input) => {
    if (input.FunctionName !== DURABLE_FUNCTION) throw new Error(`no function ${input.FunctionName}`);
    const all = [...executions.values()].reverse()
      .filter((e) => !input.DurableExecutionName || e.name === input.DurableExecutionName)
      .filter((e) => !input.Statuses || input.Statuses.includes(e.statuses[0]));
    return { DurableExecutions: all.slice(0, input.MaxItems ?? 100).map(view) };
  });
  lambda.on(GetDurableExecutionCommand).callsFake(async (input) => {
    const e = [...executions.values()].find((x) => x.arn === input.DurableExecutionArn);
    if (!e) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    const out = { ...view(e), ...(e.statuses[0] === 'SUCCEEDED' && e.result ? { Result: e.result } : {}), ...(e.statuses[0] !== 'RUNNING' && e.statuses[0] !== 'SUCCEEDED' && e.error ? { Error: e.error } : {}) };
    if (e.statuses.length > 1) e.statuses.shift();
    return out;
  });
  lambda.on(GetDurableExecutionHistoryCommand).callsFake(async (input) => {
    const e = [...executions.values()].find((x) => x.arn === input.DurableExecutionArn);
    return { Events: e?.history ?? [] };
  });
  return { executions, add };
}
