// Test scaffolding for the deploy engine: a throw-away project on disk and mocked CloudFormation / S3 clients.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Change,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  Stack,
  StackEvent,
  StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DeployInputs, DeployStageOptions, loadDeployInputs } from '../../src/deploy';
import { FINGERPRINT_TAG } from '../../src/deploy/fingerprint';
import { sha256Base64 } from '../../src/deploy/upload';
import type { Manifest, ManifestBatch, ManifestStack } from '../../src/manifest/manifest';

export const REGION = 'ap-northeast-2';
export const ACCOUNT = '111122223333';
export const BUCKET = 'batchform-artifacts-111122223333-ap-northeast-2';
export const NOW = new Date('2026-11-25T09:43:12Z');

/** Millisecond polling so waiter-driven paths finish at once. */
export const FAST_WAITS = {
  changeSet: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 2 },
  stack: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 2 },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

export function stackId(name: string): string {
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0d6e1a10-0000-4000-8000-000000000000`;
}

/** A stack name from a name or a stack id. */
export function nameOf(nameOrId: string): string {
  return /:stack\/([^/]+)\//.exec(nameOrId)?.[1] ?? nameOrId;
}

export interface ProjectOptions {
  /** Batch names; stack names are `prod-<batch>`. */
  readonly batches?: readonly string[];
  /** Pads the first template's description to make it this large. */
  readonly bigTemplateBytes?: number;
  /** Adds this many small, deeply nested resources to the first template (indentation-heavy when pretty). */
  readonly extraResources?: number;
  /** ReservedConcurrentExecutions of every function. */
  readonly reserved?: number;
  /** Schedule per batch; default `cron(0 16 * * ? *)`. */
  readonly schedules?: Readonly<Record<string, string>>;
  /** A NoEcho parameter every template takes, and the value the manifest gives it. */
  readonly secretParameter?: { readonly name: string; readonly value: string };
  /** The manifest's project identity, also each stack's `batchform:project` tag; default none (as older manifests). */
  readonly project?: string;
}

export interface TestProject {
  readonly dir: string;
  readonly manifest: Manifest;
  /** Loads the inputs of stage prod. */
  readonly inputs: () => DeployInputs;
}

/** A project on disk: manifest with stage `prod`, one template and one zip per batch, bundles.json. */
export function makeProject(options: ProjectOptions = {}): TestProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-deploy-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  fs.mkdirSync(path.join(dir, 'dist/batches'), { recursive: true });
  const names = options.batches ?? ['daily-stats'];
  const batches: ManifestBatch[] = [];
  const stacks: ManifestStack[] = [];
  const bundles: Array<{ batch: string; zip: string; sha256: string; size: number; bundleSize: number }> = [];
  names.forEach((name, i) => {
    const schedule = options.schedules?.[name] ?? 'cron(0 16 * * ? *)';
    const template = `cfn-out/${name}.template.json`;
    const description = i === 0 && options.bigTemplateBytes ? 'x'.repeat(options.bigTemplateBytes) : `batch ${name}`;
    fs.writeFileSync(path.join(dir, template), JSON.stringify({
      Description: description,
      Parameters: {
        CodeS3Bucket: { Type: 'String' },
        CodeS3Key: { Type: 'String' },
        CodeS3ObjectVersion: { Type: 'String', Default: 'unpinned' },
        ...(options.secretParameter ? { [options.secretParameter.name]: { Type: 'String', NoEcho: true } } : {}),
      },
      Resources: {
        Function: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Bucket: { Ref: 'CodeS3Bucket' }, S3Key: { Ref: 'CodeS3Key' } }, ReservedConcurrentExecutions: options.reserved } },
        Schedule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: schedule,
            // The secret reaches a resource, as a database password in a rule's input would.
            ...(options.secretParameter ? { Targets: [{ Id: 'Function', Arn: { 'Fn::GetAtt': ['Function', 'Arn'] }, Input: { 'Fn::Sub': `{"password":"\${${options.secretParameter.name}}"}` } }] } : {}),
          },
        },
        ...Object.fromEntries(Array.from({ length: i === 0 ? options.extraResources ?? 0 : 0 }, (_, n) => [`Alarm${n}`, {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ Id: 'm', MetricStat: { Metric: { Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Function' } }] } } }] },
        }])),
      },
    }, null, 2));
    const zip = `dist/batches/${name}.zip`;
    const content = Buffer.from(`zip of ${name}`);
    fs.writeFileSync(path.join(dir, zip), content);
    bundles.push({ batch: name, zip, sha256: createHash('sha256').update(content).digest('hex'), size: content.length, bundleSize: 10 });
    // Cast: the deploy engine reads only name, schedule, timezone and enabled; other fields may grow.
    batches.push({
      name,
      description: `batch ${name}`,
      handler: `handlers/${name}.ts`,
      template,
      schedule,
      timezone: 'Asia/Seoul',
      enabled: true,
      vpc: false,
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      timeout: 60,
      memorySize: 256,
      alarms: false,
      environment: {},
    } as ManifestBatch);
    stacks.push({
      stackName: `prod-${name}`,
      batch: name,
      template,
      handler: `handlers/${name}.ts`,
      parameters: { CodeS3Bucket: BUCKET, ...(options.secretParameter ? { [options.secretParameter.name]: options.secretParameter.value } : {}) },
      code: { bucket: BUCKET, keyPrefix: `batchform/${name}`, bucketParameter: 'CodeS3Bucket', keyParameter: 'CodeS3Key' },
      tags: { 'team': 'data', 'batchform:batch': name, 'batchform:stage': 'prod', ...(options.project ? { 'batchform:project': options.project } : {}) },
    });
  });
  const manifest: Manifest = {
    version: 1,
    ...(options.project ? { project: options.project } : {}),
    batches,
    stages: [{
      name: 'prod',
      account: ACCOUNT,
      region: REGION,
      artifactBucket: BUCKET,
      artifactPrefix: 'batchform',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/batchform-cfn-exec`,
      githubEnvironment: 'prod',
      stacks,
    }],
  };
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'dist/batches/bundles.json'), JSON.stringify({ version: 1, bundles }, null, 2));
  recordTemplateHashes(dir, names);
  return { dir, manifest, inputs: () => loadDeployInputs({ stage: 'prod', projectDir: dir }) };
}

/** Writes `cfn-out/template-hashes.json` as "npx projen" does: the SHA-256 of each batch's template (`cfn-out/<batch>.template.json`). */
export function recordTemplateHashes(dir: string, batches: readonly string[]): void {
  // The stage stack's template is recorded as "stage", when the project has one.
  const names = fs.existsSync(path.join(dir, 'cfn-out/stage.template.json')) ? [...batches, 'stage'] : batches;
  const templates = Object.fromEntries(names.map((b) => [b, {
    inputs: 'test',
    sha256: createHash('sha256').update(fs.readFileSync(path.join(dir, `cfn-out/${b}.template.json`))).digest('hex'),
  }]));
  fs.writeFileSync(path.join(dir, 'cfn-out/template-hashes.json'), JSON.stringify({ version: 1, generator: 'test', templates }, null, 2));
}

/** A live stack as DescribeStacks shows it. */
export function liveStack(name: string, status: string, fingerprint?: string): Stack {
  return {
    StackName: name,
    StackId: stackId(name),
    StackStatus: status as Stack['StackStatus'],
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    Tags: fingerprint ? [{ Key: FINGERPRINT_TAG, Value: fingerprint }] : [],
  };
}

/** CloudFormation's error for a stack that does not exist. */
export function doesNotExist(name: string): Error {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}

export interface FakeAwsOptions {
  /** Stacks listed by DescribeStacks without a name. */
  readonly live?: readonly Stack[];
  /** Stacks per page of that listing. */
  readonly pageSize?: number;
  /**
   * What DescribeStacks by name or id answers, call after call (the last one repeats); an Error is thrown.
   * Stacks in `live` answer themselves by default; others do not exist.
   */
  readonly byName?: Record<string, ReadonlyArray<Stack | Error>>;
  /** The change set every stack gets: its status, reason and pages of changes. */
  readonly changeSet?: { readonly status?: string; readonly reason?: string; readonly pages?: ReadonlyArray<readonly Change[]> };
  /** Per-stack override of `changeSet`. */
  readonly changeSets?: Record<string, FakeAwsOptions['changeSet']>;
  /** Stack events per stack, newest first; a function gets the ExecuteChangeSet token. */
  readonly events?: Record<string, (token: string) => StackEvent[]>;
  /** What HeadObject answers: a stored checksum (base64) and version (default `stored-1`; `null`: an unversioned bucket), or absent. */
  readonly head?: (key: string) => { readonly checksum?: string; readonly versionId?: string } | 'absent';
  /** The VersionId PutObject answers (default `uploaded-1`; `null`: an unversioned bucket). */
  readonly putVersionId?: string;
  /** What HeadBucket answers: the bucket's region (default: the stage's) or an error. */
  readonly bucket?: { readonly region?: string } | Error;
  /**
   * Drift detection per stack: the statuses DescribeStackDriftDetectionStatus answers, poll after
   * poll (the last repeats; default one DETECTION_COMPLETE), and the drifted resources, in pages.
   * An Error makes DetectStackDrift fail. Default: in sync.
   */
  readonly drift?: Record<string, FakeDrift | Error>;
  /** The account's Lambda concurrency: quota and unreserved part (default: 1000 and 1000). */
  readonly concurrency?: { readonly quota: number; readonly unreserved: number };
}

/** One stack's drift detection as the fake answers it. */
export interface FakeDrift {
  /** `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE`, `DETECTION_FAILED`, or an Error thrown by that poll. */
  readonly statuses?: ReadonlyArray<string | Error>;
  readonly reason?: string;
  /** Pages of DescribeStackResourceDrifts. */
  readonly pages?: ReadonlyArray<readonly Partial<StackResourceDrift>[]>;
}

/** Mocked clients with a small model of CloudFormation behind them. */
export function fakeAws(options: FakeAwsOptions = {}) {
  const cloudFormation = new CloudFormationClient({ region: REGION });
  const s3 = new S3Client({ region: REGION });
  const cfn = mockClient(cloudFormation);
  const s3m = mockClient(s3);
  const lambda = new LambdaClient({ region: REGION });
  const lambdam = mockClient(lambda);
  lambdam.on(GetAccountSettingsCommand).resolves({
    AccountLimit: {
      ConcurrentExecutions: options.concurrency?.quota ?? 1000,
      UnreservedConcurrentExecutions: options.concurrency?.unreserved ?? 1000,
    },
  });
  const describeCount = new Map<string, number>();
  const executeTokens = new Map<string, string>();
  // Inputs copied when sent: the SDK paginators reuse and change one input object between pages.
  const sent: Array<[string, Record<string, unknown>]> = [];
  const record = <I extends object, O>(command: string, answer: (input: I) => Promise<O>) => (input: I) => {
    sent.push([command, { ...input } as Record<string, unknown>]);
    return answer(input);
  };

  cfn.on(DescribeStacksCommand).callsFake(record('DescribeStacks', (input: { StackName?: string; NextToken?: string }) => {
    if (!input.StackName) {
      const all = options.live ?? [];
      const size = options.pageSize ?? 100;
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const next = start + size < all.length ? String(start + size) : undefined;
      return Promise.resolve({ Stacks: all.slice(start, start + size), NextToken: next });
    }
    const name = nameOf(input.StackName);
    const sequence = options.byName?.[name] ?? options.live?.filter((s) => s.StackName === name) ?? [];
    const n = describeCount.get(name) ?? 0;
    describeCount.set(name, n + 1);
    const answer = sequence[Math.min(n, sequence.length - 1)];
    if (answer === undefined) return Promise.reject(doesNotExist(name));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve({ Stacks: [answer] });
  }));
  cfn.on(CreateChangeSetCommand).callsFake(record('CreateChangeSet', (input: { StackName: string; ChangeSetName: string }) =>
    Promise.resolve({ Id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${input.ChangeSetName}/1`, StackId: stackId(input.StackName) })));
  cfn.on(DescribeChangeSetCommand).callsFake(record('DescribeChangeSet', (input: { StackName: string; NextToken?: string }) => {
    const cs = options.changeSets?.[nameOf(input.StackName)] ?? options.changeSet ?? {};
    const pages = cs.pages ?? [[]];
    const page = input.NextToken ? Number(input.NextToken) : 0;
    return Promise.resolve({
      Status: cs.status ?? 'CREATE_COMPLETE',
      StatusReason: cs.reason,
      ExecutionStatus: cs.status === 'FAILED' ? 'UNAVAILABLE' : 'AVAILABLE',
      Changes: pages[page],
      NextToken: page + 1 < pages.length ? String(page + 1) : undefined,
    });
  }));
  cfn.on(ExecuteChangeSetCommand).callsFake(record('ExecuteChangeSet', (input: { StackName: string; ClientRequestToken: string }) => {
    executeTokens.set(nameOf(input.StackName), input.ClientRequestToken);
    return Promise.resolve({});
  }));
  cfn.on(DeleteChangeSetCommand).callsFake(record('DeleteChangeSet', () => Promise.resolve({})));
  cfn.on(DeleteStackCommand).callsFake(record('DeleteStack', () => Promise.resolve({})));
  cfn.on(DescribeStackEventsCommand).callsFake(record('DescribeStackEvents', (input: { StackName: string }) => {
    const name = nameOf(input.StackName);
    return Promise.resolve({ StackEvents: options.events?.[name]?.(executeTokens.get(name) ?? '') ?? [] });
  }));

  const detections = new Map<string, { stack: string; polls: number }>();
  cfn.on(DetectStackDriftCommand).callsFake(record('DetectStackDrift', (input: { StackName: string }) => {
    const name = nameOf(input.StackName);
    const d = options.drift?.[name];
    if (d instanceof Error) return Promise.reject(d);
    const id = `drift-${name}`;
    detections.set(id, { stack: name, polls: 0 });
    return Promise.resolve({ StackDriftDetectionId: id });
  }));
  cfn.on(DescribeStackDriftDetectionStatusCommand).callsFake(record('DescribeStackDriftDetectionStatus', (input: { StackDriftDetectionId: string }) => {
    const detection = detections.get(input.StackDriftDetectionId)!;
    const d = (options.drift?.[detection.stack] ?? {}) as FakeDrift;
    const statuses = d.statuses ?? ['DETECTION_COMPLETE'];
    const status = statuses[Math.min(detection.polls++, statuses.length - 1)];
    if (status instanceof Error) return Promise.reject(status);
    const drifted = (d.pages ?? []).some((p) => p.length > 0);
    return Promise.resolve({
      StackDriftDetectionId: input.StackDriftDetectionId,
      DetectionStatus: status as 'DETECTION_COMPLETE',
      DetectionStatusReason: d.reason,
      StackDriftStatus: status === 'DETECTION_COMPLETE' ? (drifted ? 'DRIFTED' : 'IN_SYNC') : undefined,
    });
  }));
  cfn.on(DescribeStackResourceDriftsCommand).callsFake(record('DescribeStackResourceDrifts', (input: { StackName: string; NextToken?: string }) => {
    const d = (options.drift?.[nameOf(input.StackName)] ?? {}) as FakeDrift;
    const pages = d.pages ?? [[]];
    const page = input.NextToken ? Number(input.NextToken) : 0;
    const NextToken = page + 1 < pages.length ? String(page + 1) : undefined;
    return Promise.resolve({ StackResourceDrifts: pages[page] as StackResourceDrift[], NextToken });
  }));

  s3m.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const head = options.head?.(input.Key) ?? 'absent';
    if (head === 'absent') return Promise.reject(new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'Not Found' }));
    return Promise.resolve({ ChecksumSHA256: head.checksum, VersionId: head.versionId ?? 'stored-1' });
  });
  s3m.on(PutObjectCommand).resolves({ VersionId: options.putVersionId ?? 'uploaded-1' });
  s3m.on(HeadBucketCommand).callsFake(() => options.bucket instanceof Error
    ? Promise.reject(options.bucket)
    : Promise.resolve({ BucketRegion: options.bucket?.region ?? REGION }));

  return {
    cfn,
    s3: s3m,
    lambda: lambdam,
    clients: { cloudFormation, s3, lambda },
    /** CloudFormation requests in order, as sent: [operation, input]. */
    sent,
  };
}

/** Engine options for tests: fixed clock and revision, millisecond waits, collected log. */
export function engineOptions(clients: DeployStageOptions['clients'], extra: Partial<DeployStageOptions> = {}): DeployStageOptions & { lines: string[] } {
  const lines: string[] = [];
  return { mode: 'deploy', clients, revision: '4f2a9c1', runId: 'r1', now: () => NOW, waits: FAST_WAITS, log: (l) => lines.push(l), lines, ...extra };
}

/** The checksum S3 stores for the test zip of `batch`. */
export function zipChecksum(project: TestProject, batch: string): string {
  const p = project.inputs().stacks.find((s) => s.stack.batch === batch)!;
  return sha256Base64(p.code.sha256);
}

/** A resource change as DescribeChangeSet lists it. */
export function change(
  action: 'Add' | 'Modify' | 'Remove',
  logicalId: string,
  type: string,
  details: Array<{ path: string; before?: string; after?: string; recreation?: string; parameter?: string }> = [],
  replacement?: string,
  extra: Partial<NonNullable<Change['ResourceChange']>> = {},
): Change {
  return {
    Type: 'Resource',
    ResourceChange: {
      ...extra,
      Action: action,
      LogicalResourceId: logicalId,
      ResourceType: type,
      Replacement: replacement as 'True' | 'False' | 'Conditional' | undefined,
      Details: details.map((d) => ({
        Target: {
          Attribute: d.path === 'Tags' ? 'Tags' : 'Properties',
          Name: d.path.split('/')[0],
          Path: d.path === 'Tags' ? undefined : `/Properties/${d.path}`,
          RequiresRecreation: (d.recreation ?? 'Never') as 'Never',
          BeforeValue: d.before,
          AfterValue: d.after,
        },
        Evaluation: 'Static',
        ChangeSource: d.parameter ? 'ParameterReference' : 'DirectModification',
        CausingEntity: d.parameter,
      })),
    },
  };
}
