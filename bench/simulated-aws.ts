// A simulated AWS account for timing whole deploys on a virtual clock: CloudFormation stacks, change
// sets, executions and drift detections that take CloudFormation-like times, per-operation API rate
// limits (token buckets answering `Throttling`), S3 and Lambda, served to the deploy engine's real SDK
// clients from inside their middleware stack, so the SDK's own adaptive retry and waiters run as in
// production.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../src/aws/sdk-clients';
import { DeployClients, PreparedStack } from '../src/deploy';
import { sha256Base64 } from '../src/deploy/upload';

/** A token bucket: `burst` calls at once, refilled at `perSecond`. */
export interface ApiRate {
  /** Sustained calls per second the account gets for one operation. */
  readonly perSecond: number;
  /** Calls that may arrive at once after a quiet spell (the bucket's size). */
  readonly burst: number;
}

/** A range of seconds `[low, high]`; each stack draws its own value uniformly from it. */
export type SecondsRange = readonly [number, number];

/** How the simulated account behaves. Every duration is virtual time. */
export interface SimulatedAwsModel {
  /** Round trip of a read call (Describe*, Head*, Get*), in milliseconds. */
  readonly readLatencyMs: number;
  /** Round trip of a write call (Create*, Execute*, Delete*, Detect*, Put*), in milliseconds. */
  readonly writeLatencyMs: number;
  /** From CreateChangeSet until DescribeChangeSet says CREATE_COMPLETE (or FAILED: no changes). */
  readonly changeSetSeconds: SecondsRange;
  /** Executing a CREATE change set of a batch stack whose function is outside a VPC / in a VPC. */
  readonly createSeconds: { readonly plain: SecondsRange; readonly vpc: SecondsRange };
  /** Executing an UPDATE change set that changes the function (code, configuration, schedule). */
  readonly updateSeconds: { readonly plain: SecondsRange; readonly vpc: SecondsRange };
  /** From DetectStackDrift until its status is DETECTION_COMPLETE. */
  readonly driftSeconds: SecondsRange;
  /** API rate limits of CloudFormation, by operation name; operations not listed are never throttled. */
  readonly cloudFormationRates: Readonly<Record<string, ApiRate>>;
}

/** Calls counted by operation, e.g. `CloudFormation.CreateChangeSet`. */
export type CallCounts = Record<string, number>;

/** What one simulated run did. */
export interface SimulatedTraffic {
  /** Every request that reached the simulated AWS, throttled ones included, by operation. */
  readonly calls: CallCounts;
  /** Requests answered with `Throttling: Rate exceeded`, by operation. */
  readonly throttled: CallCounts;
  /**
   * Each stack's own time, in seconds: from the first to the last CloudFormation call naming it
   * (its change set, polls, execution and last poll), whatever else ran beside it.
   */
  readonly stackSeconds: number[];
}

/** The simulated account's region and id (AWS documentation ids). */
const REGION = 'ap-northeast-2';
const ACCOUNT = '111122223333';

interface LiveStack {
  readonly name: string;
  readonly id: string;
  readonly vpc: boolean;
  status: string;
  templateBody: string;
  /** The parameter values, as one comparable string. */
  parameters: string;
  tags: Array<{ Key?: string; Value?: string }>;
  /** The running operation: what the stack becomes, and when (virtual ms). */
  operation?: { readonly endsAt: number; readonly status: string; readonly templateBody: string; readonly parameters: string; readonly tags: Array<{ Key?: string; Value?: string }> };
}

interface ChangeSetRecord {
  readonly type: 'CREATE' | 'UPDATE';
  readonly readyAt: number;
  readonly templateBody: string;
  readonly parameters: string;
  readonly before: string;
  readonly changed: boolean;
  readonly tags: Array<{ Key?: string; Value?: string }>;
}

/** An answer as the SDK's deserializer would have built it from an AWS error response. */
function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/**
 * A value in `range` that depends only on `key` (FNV-1a, then one mulberry32 step): the same stack
 * takes the same time at every concurrency and in every scenario of a run, so the columns of a
 * table differ by the engine's scheduling and the throttling alone.
 */
function drawSeconds(range: SecondsRange, key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return range[0] + u * (range[1] - range[0]);
}

/** Property-level differences of two templates, as DescribeChangeSet lists them (Add / Remove / Modify). */
export function diffTemplates(before: string, after: string): unknown[] {
  type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const a = (JSON.parse(before) as { Resources?: Resources }).Resources ?? {};
  const b = (JSON.parse(after) as { Resources?: Resources }).Resources ?? {};
  const changes: unknown[] = [];
  for (const id of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!a[id] || !b[id]) {
      changes.push({ Type: 'Resource', ResourceChange: { Action: a[id] ? 'Remove' : 'Add', LogicalResourceId: id, ResourceType: (a[id] ?? b[id]).Type } });
      continue;
    }
    const props = new Set([...Object.keys(a[id].Properties ?? {}), ...Object.keys(b[id].Properties ?? {})]);
    const details = [...props]
      .filter((p) => JSON.stringify(a[id].Properties?.[p]) !== JSON.stringify(b[id].Properties?.[p]))
      .map((p) => ({
        Target: { Attribute: 'Properties', Name: p, Path: `/Properties/${p}`, RequiresRecreation: 'Never', BeforeValue: JSON.stringify(a[id].Properties?.[p]), AfterValue: JSON.stringify(b[id].Properties?.[p]) },
        Evaluation: 'Static',
        ChangeSource: 'DirectModification',
      }));
    if (details.length) changes.push({ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: id, ResourceType: a[id].Type, Replacement: 'False', Details: details } });
  }
  return changes;
}

/** Parameter values as one comparable string, whatever their order. */
function parametersKey(parameters: unknown): string {
  const list = (parameters as Array<{ ParameterKey?: string; ParameterValue?: string }> | undefined) ?? [];
  return JSON.stringify(list.map((p) => [p.ParameterKey, p.ParameterValue]).sort());
}

/** Whether the template's function runs in a VPC (its create and update take longer: network interfaces). */
function inVpc(templateBody: string): boolean {
  const resources = (JSON.parse(templateBody) as { Resources?: Record<string, { Type?: string; Properties?: { VpcConfig?: unknown } }> }).Resources ?? {};
  return Object.values(resources).some((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.VpcConfig !== undefined);
}

const EMPTY_TEMPLATE = '{"Resources":{}}';

/** Operations whose round trip is a write's. */
const WRITES = /^(Create|Execute|Delete|Detect|Put)/;

/** Options of {@link SimulatedAws}. */
export interface SimulatedAwsOptions {
  readonly model: SimulatedAwsModel;
  /** Stacks already deployed (UPDATE_COMPLETE, their code zips in S3); none: a first deploy. */
  readonly deployed: readonly PreparedStack[];
  /** Part of every drawn duration's key: another seed, other durations. */
  readonly seed: number;
}

/**
 * The simulated account. Build it, then {@link clients} (inside the virtual clock: the SDK's rate
 * limiter reads the clock when it is made), run the engine, read {@link traffic}.
 */
export class SimulatedAws {
  private readonly model: SimulatedAwsModel;
  private readonly seed: number;
  private readonly stacks = new Map<string, LiveStack>();
  private readonly changeSets = new Map<string, ChangeSetRecord>();
  /** Drift detections: when each is done (virtual ms), and its stack. */
  private readonly drifts = new Map<string, { readonly readyAt: number; readonly stack: string }>();
  private readonly objects = new Map<string, string>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly calls: CallCounts = {};
  private readonly throttled: CallCounts = {};
  /** First and last time (virtual ms) a CloudFormation call named each stack. */
  private readonly seen = new Map<string, { first: number; last: number }>();
  private nextId = 0;

  constructor(options: SimulatedAwsOptions) {
    this.model = options.model;
    this.seed = options.seed;
    for (const p of options.deployed) {
      const live = this.addStack(p.stack.stackName, p.templateBody);
      Object.assign(live, {
        status: 'UPDATE_COMPLETE',
        parameters: parametersKey(Object.entries(p.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }))),
        tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })),
      });
      if (p.code) this.objects.set(p.code.key, sha256Base64(p.code.sha256));
    }
  }

  /** Requests, throttles and per-stack times so far. */
  get traffic(): SimulatedTraffic {
    return { calls: { ...this.calls }, throttled: { ...this.throttled }, stackSeconds: [...this.seen.values()].map((t) => (t.last - t.first) / 1000) };
  }

  /**
   * The engine's clients exactly as `createDeployClients` configures them (adaptive retry, 10
   * attempts), with static credentials, answered by this account from inside each client's
   * middleware stack: after the retry and signing steps, in place of the HTTP round trip.
   */
  clients(): DeployClients {
    const config = clientConfig(REGION, { config: { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'simulated' } } });
    const cloudFormation = new CloudFormationClient(config);
    const s3 = new S3Client(config);
    const lambda = new LambdaClient(config);
    this.serve(cloudFormation, 'CloudFormation');
    this.serve(s3, 'S3');
    this.serve(lambda, 'Lambda');
    return { cloudFormation, s3, lambda };
  }

  private serve(client: CloudFormationClient | S3Client | LambdaClient, service: string): void {
    const stack = client.middlewareStack as CloudFormationClient['middlewareStack'];
    stack.add(
      ((_next: unknown, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const output = await this.answer(service, operation, args.input);
        return { output: { ...output, $metadata: { httpStatusCode: 200, requestId: `sim-${this.nextId++}` } }, response: { statusCode: 200, headers: {} } };
      }) as never,
      // Before the deserializer, inside the retry and signing steps of finalizeRequest.
      { step: 'deserialize', name: 'simulatedAws', priority: 'high' },
    );
  }

  /** One request: wait the round trip, take a token or answer Throttling, then answer from the model. */
  private async answer(service: string, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const key = `${service}.${operation}`;
    this.calls[key] = (this.calls[key] ?? 0) + 1;
    const allowed = service !== 'CloudFormation' || this.takeToken(operation);
    await new Promise((resolve) => setTimeout(resolve, WRITES.test(operation) ? this.model.writeLatencyMs : this.model.readLatencyMs));
    if (!allowed) {
      this.throttled[key] = (this.throttled[key] ?? 0) + 1;
      throw awsError('Throttling', 'Rate exceeded', 400);
    }
    if (service === 'CloudFormation') {
      const named = this.find(input.StackName)?.name ?? (typeof input.StackName === 'string' ? input.StackName : undefined) ??
        this.drifts.get(String(input.StackDriftDetectionId))?.stack;
      if (named) {
        const t = this.seen.get(named) ?? { first: Date.now(), last: 0 };
        t.last = Date.now();
        this.seen.set(named, t);
      }
      return this.cloudFormation(operation, input);
    }
    if (service === 'S3') return this.s3(operation, input);
    if (service === 'Lambda' && operation === 'GetAccountSettings') return { AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } };
    throw new Error(`bench: the simulated AWS does not answer ${key}`);
  }

  /** Token bucket of one CloudFormation operation, refilled by the virtual clock. */
  private takeToken(operation: string): boolean {
    const rate = this.model.cloudFormationRates[operation];
    if (!rate) return true;
    const now = Date.now();
    const b = this.buckets.get(operation) ?? { tokens: rate.burst, at: now };
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
    b.at = now;
    this.buckets.set(operation, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private addStack(name: string, templateBody: string): LiveStack {
    const live: LiveStack = {
      name,
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/00000000-0000-4000-8000-${String(this.stacks.size).padStart(12, '0')}`,
      vpc: inVpc(templateBody),
      status: 'REVIEW_IN_PROGRESS',
      templateBody,
      parameters: parametersKey([]),
      tags: [],
    };
    this.stacks.set(name, live);
    return live;
  }

  private find(nameOrId: unknown): LiveStack | undefined {
    const s = String(nameOrId ?? '');
    const live = this.stacks.get(/:stack\/([^/]+)\//.exec(s)?.[1] ?? s);
    return live?.status === 'DELETE_COMPLETE' && !s.startsWith('arn:') ? undefined : live;
  }

  /** The stack as DescribeStacks shows it now, finishing its operation once its time has come. */
  private view(s: LiveStack): Record<string, unknown> {
    if (s.operation && Date.now() >= s.operation.endsAt) {
      const { status, templateBody, parameters, tags } = s.operation;
      Object.assign(s, { status, templateBody, parameters, tags, operation: undefined });
    }
    return { StackName: s.name, StackId: s.id, StackStatus: s.status, CreationTime: new Date(0), Tags: s.tags };
  }

  private draw(range: SecondsRange, what: string, stack: string): number {
    return drawSeconds(range, `${this.seed}/${what}/${stack}`) * 1000;
  }

  private cloudFormation(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const notFound = (name: unknown): Error => awsError('ValidationError', `Stack with id ${String(name)} does not exist`, 400);
    const csKey = (stack: LiveStack | undefined): string => `${stack?.name}/${String(input.ChangeSetName)}`;
    switch (operation) {
      case 'DescribeStacks': {
        if (!input.StackName) {
          // Pages of 100, as a paginated listing of a large account comes.
          const all = [...this.stacks.values()].filter((s) => s.status !== 'DELETE_COMPLETE');
          const start = Number(input.NextToken ?? 0);
          const next = start + 100 < all.length ? String(start + 100) : undefined;
          return { Stacks: all.slice(start, start + 100).map((s) => this.view(s)), NextToken: next };
        }
        const s = this.find(input.StackName);
        if (!s) throw notFound(input.StackName);
        return { Stacks: [this.view(s)] };
      }
      case 'CreateChangeSet': {
        const body = String(input.TemplateBody ?? '');
        let s = this.find(input.StackName);
        if (!s && input.ChangeSetType !== 'CREATE') throw notFound(input.StackName);
        if (!s || s.status === 'DELETE_COMPLETE') s = this.addStack(String(input.StackName), EMPTY_TEMPLATE);
        const type = input.ChangeSetType === 'CREATE' ? 'CREATE' : 'UPDATE';
        const before = type === 'CREATE' ? EMPTY_TEMPLATE : s.templateBody;
        const parameters = parametersKey(input.Parameters);
        this.changeSets.set(csKey(s), {
          type,
          readyAt: Date.now() + this.draw(this.model.changeSetSeconds, 'change-set', s.name),
          templateBody: body,
          parameters,
          before,
          changed: type === 'CREATE' || parameters !== s.parameters || JSON.stringify(JSON.parse(body)) !== JSON.stringify(JSON.parse(before)),
          tags: (input.Tags as LiveStack['tags'] | undefined) ?? [],
        });
        return { Id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${String(input.ChangeSetName)}/${this.nextId++}`, StackId: s.id };
      }
      case 'DescribeChangeSet': {
        const cs = this.changeSets.get(csKey(this.find(input.StackName)));
        if (!cs) throw awsError('ChangeSetNotFound', `ChangeSet [${String(input.ChangeSetName)}] does not exist`, 404);
        if (Date.now() < cs.readyAt) return { Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE', Changes: [] };
        if (!cs.changed) {
          return { Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', Changes: [], StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set." };
        }
        return { Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: diffTemplates(cs.before, cs.templateBody) };
      }
      case 'ExecuteChangeSet': {
        const s = this.find(input.StackName);
        const cs = this.changeSets.get(csKey(s));
        if (!s || !cs) throw awsError('ChangeSetNotFound', `ChangeSet [${String(input.ChangeSetName)}] does not exist`, 404);
        this.changeSets.delete(csKey(s));
        const model = cs.type === 'CREATE' ? this.model.createSeconds : this.model.updateSeconds;
        const seconds = s.vpc ? model.vpc : model.plain;
        s.status = `${cs.type}_IN_PROGRESS`;
        s.operation = { endsAt: Date.now() + this.draw(seconds, cs.type, s.name), status: `${cs.type}_COMPLETE`, templateBody: cs.templateBody, parameters: cs.parameters, tags: cs.tags.length ? cs.tags : s.tags };
        return {};
      }
      case 'DeleteChangeSet':
        this.changeSets.delete(csKey(this.find(input.StackName)));
        return {};
      case 'DeleteStack': {
        const s = this.find(input.StackName);
        if (s) s.status = 'DELETE_COMPLETE';
        return {};
      }
      case 'DescribeStackEvents':
        return { StackEvents: [] };
      case 'DetectStackDrift': {
        const id = `drift-${this.nextId++}`;
        const stack = this.find(input.StackName)?.name ?? String(input.StackName);
        this.drifts.set(id, { readyAt: Date.now() + this.draw(this.model.driftSeconds, 'drift', stack), stack });
        return { StackDriftDetectionId: id };
      }
      case 'DescribeStackDriftDetectionStatus': {
        const readyAt = this.drifts.get(String(input.StackDriftDetectionId))?.readyAt ?? 0;
        return Date.now() < readyAt
          ? { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_IN_PROGRESS' }
          : { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' };
      }
      default:
        throw new Error(`bench: the simulated CloudFormation does not answer ${operation}`);
    }
  }

  private s3(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'HeadBucket':
        return { BucketRegion: REGION };
      case 'HeadObject': {
        const checksum = this.objects.get(String(input.Key));
        if (checksum === undefined) throw awsError('NotFound', 'Not Found', 404);
        return { ChecksumSHA256: checksum, VersionId: 'v1' };
      }
      case 'PutObject':
        this.objects.set(String(input.Key), String(input.ChecksumSHA256 ?? ''));
        return { VersionId: 'v1' };
      default:
        throw new Error(`bench: the simulated S3 does not answer ${operation}`);
    }
  }
}
