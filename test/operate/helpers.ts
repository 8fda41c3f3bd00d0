// Test scaffolding for the operate commands: a project whose manifest has one UTC, one zoned and one constant-input batch, and mocked clients with their stacks deployed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Manifest, ManifestBatch } from '../../src/manifest/manifest';
import type { OperateClients } from '../../src/operate';
import type { OperateCommandDeps } from '../../src/cli/operate-commands';

export const ACCOUNT = '111122223333';
export const REGION = 'ap-northeast-2';
export const NOW = new Date('2026-11-25T09:43:12.345Z');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function batch(name: string, extra: Partial<ManifestBatch>): ManifestBatch {
  return {
    name, description: `batch ${name}`, handler: `handlers/${name}.ts`, template: `cfn-out/${name}.template.json`,
    schedule: 'cron(0 3 * * ? *)', timezone: 'UTC', enabled: true, vpc: false, runtime: 'nodejs24.x', architecture: 'arm64',
    timeout: 120, memorySize: 256, alarms: true, environment: {}, ...extra,
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
      name: 'prod', account: ACCOUNT, region: REGION, artifactBucket: 'acme-artifacts', artifactPrefix: 'batchform', stackPrefix: 'prod', githubEnvironment: 'prod',
      stacks: BATCHES.map((b) => ({
        stackName: `prod-${b.name}`, batch: b.name, template: b.template, handler: b.handler, parameters: {},
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

/** Mocked clients; every batch stack of the fixture is deployed (CREATE_COMPLETE) unless a test says otherwise. */
export function mockOperateClients() {
  const clients: OperateClients = {
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
