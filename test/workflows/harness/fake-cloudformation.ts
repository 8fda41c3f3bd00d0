// The CloudFormation side of the AWS fake: stacks, change sets computed from template diffs, executions that take time and leave events, drift detection.
import { randomUUID } from 'crypto';
import { diffTemplates, Evaluator, FakeResourceChange, missingCapability, parseTemplate, resolveParameters, Template, TemplateError } from './fake-template';
import { AwsFault, listOf, page, XmlValue } from './fake-wire';

/** CloudFormation's words for a change set that changes nothing (the deploy engine matches them). */
export const NO_CHANGES_REASON = "The submitted information didn't contain changes. Submit different information to create a change set.";

/** Timers that stop with the fake; a delay of 0 runs at once, so a state change is visible to the very next request. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  later(ms: number, run: () => void): void {
    if (this.stopped) return;
    if (ms <= 0) return run();
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (!this.stopped) run();
    }, ms);
    this.pending.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}

/** How the CloudFormation fake behaves; see `AwsFakeOptions` for the meaning of each. */
export interface CloudFormationFakeOptions {
  readonly account: string;
  readonly region: string;
  readonly pageSize: number;
  readonly changeSetCompute: number;
  readonly stackOperation: number;
  readonly driftDetection: number;
  readonly timers: Timers;
  /** The body of a `TemplateURL` (an object of the fake's S3); throws `TemplateError` when there is none. */
  readonly readTemplateUrl: (url: string) => string;
  /** A reason to fail this execution (the stack rolls back), or undefined to let it succeed. */
  readonly executionFailure?: (stackName: string, changeSetName: string) => string | undefined;
}

interface StackEventRecord {
  readonly EventId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly ClientRequestToken?: string;
}

interface DeployedResource {
  readonly type: string;
  readonly physicalId: string;
}

interface StackRecord {
  readonly id: string;
  readonly name: string;
  status: string;
  statusReason?: string;
  readonly creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  templateBody?: string;
  template?: Template;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
  roleArn?: string;
  /** The change set last executed on the stack. */
  changeSetId?: string;
  resources: Map<string, DeployedResource>;
  outputs: Array<{ key: string; value: string; description?: string; exportName?: string }>;
  /** Oldest first (DescribeStackEvents lists them newest first). */
  readonly events: StackEventRecord[];
  readonly changeSets: Map<string, ChangeSetRecord>;
  readonly executeTokens: Set<string>;
  drift: { status: string; checked?: Date };
}

interface ChangeSetRecord {
  readonly id: string;
  readonly name: string;
  readonly stack: StackRecord;
  readonly type: 'CREATE' | 'UPDATE';
  status: string;
  statusReason?: string;
  executionStatus: string;
  readonly creationTime: Date;
  readonly description?: string;
  readonly templateBody: string;
  readonly template: Template;
  readonly parameters: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly capabilities: string[];
  readonly roleArn?: string;
  readonly clientToken?: string;
  changes: FakeResourceChange[];
}

/** A stack as the fake holds it, for assertions. */
export interface FakeStackView {
  readonly id: string;
  readonly status: string;
  readonly statusReason?: string;
  /** The deployed template, parsed; undefined while the stack is REVIEW_IN_PROGRESS. */
  readonly template: unknown;
  readonly templateBody?: string;
  /** Every declared parameter's value (defaults filled in), NoEcho ones unmasked. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly resources: Readonly<Record<string, DeployedResource>>;
  readonly outputs: Readonly<Record<string, string>>;
  /** Names of the stack's change sets. */
  readonly changeSets: readonly string[];
  /** Oldest first. */
  readonly events: ReadonlyArray<{
    readonly logicalId: string;
    readonly status: string;
    readonly reason?: string;
    readonly clientRequestToken?: string;
  }>;
}

/** A change set as the fake holds it, for assertions. */
export interface FakeChangeSetView {
  readonly stackName: string;
  readonly name: string;
  readonly id: string;
  readonly type: 'CREATE' | 'UPDATE';
  readonly status: string;
  readonly statusReason?: string;
  readonly executionStatus: string;
  readonly changes: readonly FakeResourceChange[];
}

/** Statuses from which a change set of type UPDATE may be made and executed. */
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Stacks and change sets of one account and region, answering the CloudFormation query API. */
export class FakeCloudFormation {
  /** The operations this fake answers; any other is an `InvalidAction` naming it. */
  static readonly OPERATIONS = [
    'DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet', 'ListChangeSets',
    'DeleteStack', 'DescribeStackEvents', 'GetTemplate', 'DetectStackDrift', 'DescribeStackDriftDetectionStatus', 'DescribeStackResourceDrifts',
  ] as const;

  private readonly active = new Map<string, StackRecord>();
  private readonly deleted: StackRecord[] = [];
  private readonly detections = new Map<string, { stack: StackRecord; status: string; driftStatus?: string; timestamp: Date }>();

  constructor(private readonly o: CloudFormationFakeOptions) {}

  /** Answers one operation (a name from {@link OPERATIONS}) with its result, or throws {@link AwsFault}. */
  handle(operation: string, p: Record<string, unknown>): XmlValue {
    switch (operation) {
      case 'DescribeStacks': return this.describeStacks(p);
      case 'CreateChangeSet': return this.createChangeSet(p);
      case 'DescribeChangeSet': return this.describeChangeSet(p);
      case 'ExecuteChangeSet': return this.executeChangeSet(p);
      case 'DeleteChangeSet': return this.deleteChangeSet(p);
      case 'ListChangeSets': return this.listChangeSets(p);
      case 'DeleteStack': return this.deleteStack(p);
      case 'DescribeStackEvents': return this.describeStackEvents(p);
      case 'GetTemplate': return this.getTemplate(p);
      case 'DetectStackDrift': return this.detectStackDrift(p);
      case 'DescribeStackDriftDetectionStatus': return this.describeDriftDetection(p);
      case 'DescribeStackResourceDrifts': return this.describeResourceDrifts(p);
      default: throw new AwsFault('InvalidAction', `the AWS fake does not implement cloudformation:${operation}; add it to test/workflows/harness/fake-cloudformation.ts`);
    }
  }

  /** Every stack that is not deleted, by name. */
  stacks(): Map<string, FakeStackView> {
    const out = new Map<string, FakeStackView>();
    for (const s of this.active.values()) {
      out.set(s.name, {
        id: s.id,
        status: s.status,
        statusReason: s.statusReason,
        template: s.templateBody === undefined ? undefined : JSON.parse(s.templateBody),
        templateBody: s.templateBody,
        parameters: { ...s.parameters },
        tags: { ...s.tags },
        resources: Object.fromEntries(s.resources),
        outputs: Object.fromEntries(s.outputs.map((o) => [o.key, o.value])),
        changeSets: [...s.changeSets.keys()],
        events: s.events.map((e) => ({
          logicalId: e.LogicalResourceId, status: e.ResourceStatus, reason: e.ResourceStatusReason, clientRequestToken: e.ClientRequestToken,
        })),
      });
    }
    return out;
  }

  /** Every change set of every stack that is not deleted. */
  changeSets(): FakeChangeSetView[] {
    return [...this.active.values()].flatMap((s) => [...s.changeSets.values()].map((c) => ({
      stackName: s.name,
      name: c.name,
      id: c.id,
      type: c.type,
      status: c.status,
      statusReason: c.statusReason,
      executionStatus: c.executionStatus,
      changes: c.changes,
    })));
  }

  private arn(kind: 'stack' | 'changeSet', name: string): string {
    return `arn:aws:cloudformation:${this.o.region}:${this.o.account}:${kind}/${name}/${randomUUID()}`;
  }

  /** An active stack by name or id, or a deleted one by id (as CloudFormation finds them). */
  private find(nameOrId: unknown, includeDeleted = false): StackRecord | undefined {
    const key = String(nameOrId ?? '');
    if (key.startsWith('arn:')) {
      return [...this.active.values()].find((s) => s.id === key) ?? (includeDeleted ? this.deleted.find((s) => s.id === key) : undefined);
    }
    return this.active.get(key);
  }

  private mustFind(nameOrId: unknown, includeDeleted = false): StackRecord {
    const s = this.find(nameOrId, includeDeleted);
    if (!s) throw new AwsFault('ValidationError', `Stack with id ${String(nameOrId ?? '')} does not exist`);
    return s;
  }

  private findChangeSet(p: Record<string, unknown>): ChangeSetRecord {
    const name = String(p.ChangeSetName ?? '');
    if (name.startsWith('arn:')) {
      for (const s of this.active.values()) for (const c of s.changeSets.values()) if (c.id === name) return c;
      throw new AwsFault('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    }
    if (!str(p.StackName)) throw new AwsFault('ValidationError', 'StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = this.find(p.StackName);
    const c = stack?.changeSets.get(name);
    if (!c) throw new AwsFault('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    return c;
  }

  private event(stack: StackRecord, e: Omit<StackEventRecord, 'EventId' | 'Timestamp'>): void {
    stack.events.push({ EventId: randomUUID(), Timestamp: new Date(), ...e });
  }

  private stackEvent(stack: StackRecord, status: string, reason?: string, token?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.event(stack, { LogicalResourceId: stack.name, PhysicalResourceId: stack.id, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: status, ResourceStatusReason: reason, ClientRequestToken: token });
  }

  private stackXml(s: StackRecord): XmlValue {
    const noEcho = (k: string) => ['true', true].includes(s.template?.Parameters?.[k]?.NoEcho as string | boolean);
    const parameters = Object.entries(s.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: noEcho(k) ? '****' : v }));
    const tags = Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value }));
    return {
      StackId: s.id,
      StackName: s.name,
      ChangeSetId: s.changeSetId,
      Description: s.template?.Description,
      Parameters: parameters.length ? parameters : undefined,
      CreationTime: s.creationTime,
      DeletionTime: s.deletionTime,
      LastUpdatedTime: s.lastUpdatedTime,
      RollbackConfiguration: {},
      StackStatus: s.status,
      StackStatusReason: s.statusReason,
      DisableRollback: false,
      Capabilities: s.capabilities.length ? s.capabilities : undefined,
      Outputs: s.outputs.length
        ? s.outputs.map((o) => ({ OutputKey: o.key, OutputValue: o.value, Description: o.description, ExportName: o.exportName }))
        : undefined,
      RoleARN: s.roleArn,
      Tags: tags.length ? tags : undefined,
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: s.drift.status, LastCheckTimestamp: s.drift.checked },
    };
  }

  private describeStacks(p: Record<string, unknown>): XmlValue {
    if (str(p.StackName)) return { Stacks: [this.stackXml(this.mustFind(p.StackName, true))] };
    const { items, nextToken } = page([...this.active.values()], p.NextToken, this.o.pageSize);
    return { Stacks: items.map((s) => this.stackXml(s)), NextToken: nextToken };
  }

  private templateOf(p: Record<string, unknown>, stack: StackRecord | undefined): string {
    if (str(p.TemplateBody)) return p.TemplateBody as string;
    if (str(p.TemplateURL)) {
      try {
        return this.o.readTemplateUrl(p.TemplateURL as string);
      } catch (e) {
        throw new AwsFault('ValidationError', (e as Error).message);
      }
    }
    if (p.UsePreviousTemplate === 'true' && stack?.templateBody) return stack.templateBody;
    throw new AwsFault('ValidationError', 'Either Template URL or Template Body must be specified.');
  }

  private createChangeSet(p: Record<string, unknown>): XmlValue {
    const stackName = String(p.StackName ?? '');
    const name = String(p.ChangeSetName ?? '');
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name)) {
      throw new AwsFault('ValidationError', `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
    }
    const type = String(p.ChangeSetType ?? 'UPDATE');
    if (type !== 'CREATE' && type !== 'UPDATE') throw new AwsFault('ValidationError', `the AWS fake does not implement change sets of type ${type}`);
    const existing = this.find(stackName);
    if (type === 'CREATE' && existing && existing.status !== 'REVIEW_IN_PROGRESS') {
      throw new AwsFault('ValidationError', `Stack [${stackName}] already exists and cannot be created again with the changeSet [${name}].`);
    }
    if (type === 'UPDATE') {
      if (!existing) throw new AwsFault('ValidationError', `Stack [${stackName}] does not exist`);
      if (!UPDATABLE.has(existing.status)) throw new AwsFault('ValidationError', `Stack:${existing.id} is in ${existing.status} state and can not be updated.`);
    }
    const clientToken = str(p.ClientToken);
    const same = existing?.changeSets.get(name);
    if (same) {
      if (clientToken && same.clientToken === clientToken) return { Id: same.id, StackId: existing!.id };
      throw new AwsFault('AlreadyExistsException', `ChangeSet ${name} already exists`);
    }

    const templateBody = this.templateOf(p, existing);
    let template: Template;
    let parameters: Record<string, string>;
    const capabilities = listOf<string>(p.Capabilities);
    try {
      template = parseTemplate(templateBody);
      const given: Record<string, string> = {};
      for (const q of listOf<Record<string, string>>(p.Parameters)) {
        const previous = existing?.parameters[q.ParameterKey];
        if (q.UsePreviousValue === 'true' && previous !== undefined) given[q.ParameterKey] = previous;
        else given[q.ParameterKey] = q.ParameterValue ?? '';
      }
      parameters = resolveParameters(template, given);
    } catch (e) {
      if (e instanceof TemplateError) throw new AwsFault(e.code, e.message);
      throw e;
    }
    const missing = missingCapability(template, capabilities);
    if (missing) throw new AwsFault('InsufficientCapabilitiesException', missing);

    const stack = existing ?? this.reviewStack(stackName);
    const tags = p.Tags === undefined ? { ...stack.tags } : Object.fromEntries(listOf<{ Key: string; Value: string }>(p.Tags).map((t) => [t.Key, t.Value ?? '']));
    const cs: ChangeSetRecord = {
      id: this.arn('changeSet', name),
      name,
      stack,
      type,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      creationTime: new Date(),
      description: str(p.Description),
      templateBody,
      template,
      parameters,
      tags,
      capabilities,
      roleArn: str(p.RoleARN) ?? stack.roleArn,
      clientToken,
      changes: [],
    };
    stack.changeSets.set(name, cs);
    this.o.timers.later(this.o.changeSetCompute / 2, () => {
      if (cs.status === 'CREATE_PENDING') cs.status = 'CREATE_IN_PROGRESS';
    });
    this.o.timers.later(this.o.changeSetCompute, () => this.compute(cs));
    return { Id: cs.id, StackId: stack.id };
  }

  /** A stack that only holds change sets, as a CREATE change set for a new name makes. */
  private reviewStack(name: string): StackRecord {
    const stack: StackRecord = {
      id: this.arn('stack', name),
      name,
      status: 'REVIEW_IN_PROGRESS',
      creationTime: new Date(),
      parameters: {},
      tags: {},
      capabilities: [],
      resources: new Map(),
      outputs: [],
      events: [],
      changeSets: new Map(),
      executeTokens: new Set(),
      drift: { status: 'NOT_CHECKED' },
    };
    this.active.set(name, stack);
    this.stackEvent(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    return stack;
  }

  /** Computes a change set from the stack as it is now: its changes, or why it failed. */
  private compute(cs: ChangeSetRecord): void {
    if (cs.stack.changeSets.get(cs.name) !== cs) return;
    const stack = cs.stack;
    try {
      const before = cs.type === 'CREATE' ? { parameters: {} } : { template: stack.template, parameters: stack.parameters };
      const physical = Object.fromEntries([...stack.resources].map(([id, r]) => [id, r.physicalId]));
      cs.changes = diffTemplates(before, { template: cs.template, parameters: cs.parameters },
        { account: this.o.account, region: this.o.region, stackName: stack.name, stackId: stack.id }, physical);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      cs.status = 'FAILED';
      cs.statusReason = e.message;
      return;
    }
    const sameTags = JSON.stringify(Object.entries(cs.tags).sort()) === JSON.stringify(Object.entries(stack.tags).sort());
    const sameOutputs = cs.type === 'UPDATE' && JSON.stringify(cs.template.Outputs ?? {}) === JSON.stringify(stack.template?.Outputs ?? {});
    if (cs.type === 'UPDATE' && cs.changes.length === 0 && sameTags && sameOutputs && cs.roleArn === stack.roleArn) {
      cs.status = 'FAILED';
      cs.statusReason = NO_CHANGES_REASON;
      return;
    }
    cs.status = 'CREATE_COMPLETE';
    cs.executionStatus = 'AVAILABLE';
  }

  private describeChangeSet(p: Record<string, unknown>): XmlValue {
    const cs = this.findChangeSet(p);
    const withValues = p.IncludePropertyValues === 'true';
    const { items, nextToken } = page(cs.status === 'CREATE_COMPLETE' ? cs.changes : [], p.NextToken, this.o.pageSize);
    const parameters = Object.entries(cs.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v }));
    const tags = Object.entries(cs.tags).map(([Key, Value]) => ({ Key, Value }));
    return {
      ChangeSetName: cs.name,
      ChangeSetId: cs.id,
      StackId: cs.stack.id,
      StackName: cs.stack.name,
      Description: cs.description,
      Parameters: parameters.length ? parameters : undefined,
      CreationTime: cs.creationTime,
      ExecutionStatus: cs.executionStatus,
      Status: cs.status,
      StatusReason: cs.statusReason,
      RollbackConfiguration: {},
      Capabilities: cs.capabilities.length ? cs.capabilities : undefined,
      Tags: tags.length ? tags : undefined,
      Changes: items.length ? items.map((c) => ({ Type: 'Resource', ResourceChange: changeXml(c, withValues) })) : undefined,
      NextToken: nextToken,
      IncludeNestedStacks: false,
    };
  }

  private listChangeSets(p: Record<string, unknown>): XmlValue {
    const stack = this.mustFind(p.StackName);
    const { items, nextToken } = page([...stack.changeSets.values()], p.NextToken, this.o.pageSize);
    return {
      Summaries: items.map((c) => ({
        StackId: stack.id,
        StackName: stack.name,
        ChangeSetId: c.id,
        ChangeSetName: c.name,
        ExecutionStatus: c.executionStatus,
        Status: c.status,
        StatusReason: c.statusReason,
        CreationTime: c.creationTime,
        Description: c.description,
      })),
      NextToken: nextToken,
    };
  }

  private deleteChangeSet(p: Record<string, unknown>): XmlValue {
    const cs = this.findChangeSet(p);
    if (cs.status === 'CREATE_PENDING' || cs.status === 'CREATE_IN_PROGRESS' || cs.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new AwsFault('InvalidChangeSetStatus', `Cannot delete ChangeSet [${cs.id}] in status ${cs.executionStatus === 'EXECUTE_IN_PROGRESS' ? cs.executionStatus : cs.status}`);
    }
    // A REVIEW_IN_PROGRESS stack stays when its last change set goes, as in CloudFormation; only DeleteStack removes it.
    cs.stack.changeSets.delete(cs.name);
    return {};
  }

  private executeChangeSet(p: Record<string, unknown>): XmlValue {
    const cs = this.findChangeSet(p);
    const stack = cs.stack;
    const token = str(p.ClientRequestToken);
    if (token && stack.executeTokens.has(token)) return {};
    if (cs.status !== 'CREATE_COMPLETE' || cs.executionStatus !== 'AVAILABLE') {
      throw new AwsFault('InvalidChangeSetStatus', `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status === 'CREATE_COMPLETE' ? cs.executionStatus : cs.status}]`);
    }
    if (stack.status !== 'REVIEW_IN_PROGRESS' && !UPDATABLE.has(stack.status)) {
      throw new AwsFault('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    if (token) stack.executeTokens.add(token);
    const creating = cs.type === 'CREATE';
    // CloudFormation drops every other change set of the stack: none of them fits the stack once this one runs.
    for (const other of [...stack.changeSets.keys()]) if (other !== cs.name) stack.changeSets.delete(other);
    cs.executionStatus = 'EXECUTE_IN_PROGRESS';
    stack.changeSetId = cs.id;
    this.stackEvent(stack, creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS', 'User Initiated', token);
    for (const c of cs.changes) {
      if (c.Action === 'Remove') continue;
      this.event(stack, { LogicalResourceId: c.LogicalResourceId, PhysicalResourceId: c.PhysicalResourceId, ResourceType: c.ResourceType, ResourceStatus: c.Action === 'Add' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS', ClientRequestToken: token });
    }
    this.o.timers.later(this.o.stackOperation, () => this.finishExecution(cs, token));
    return {};
  }

  private finishExecution(cs: ChangeSetRecord, token: string | undefined): void {
    const stack = cs.stack;
    if (this.active.get(stack.name) !== stack) return;
    const creating = cs.type === 'CREATE';
    const failure = this.o.executionFailure?.(stack.name, cs.name);
    if (failure !== undefined) {
      const culprit = cs.changes.find((c) => c.Action !== 'Remove');
      if (culprit) {
        this.event(stack, { LogicalResourceId: culprit.LogicalResourceId, ResourceType: culprit.ResourceType, ResourceStatus: culprit.Action === 'Add' ? 'CREATE_FAILED' : 'UPDATE_FAILED', ResourceStatusReason: failure, ClientRequestToken: token });
      }
      const which = culprit ? `[${culprit.LogicalResourceId}]` : '[]';
      if (creating) {
        this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', `The following resource(s) failed to create: ${which}. Rollback requested by user.`, token);
        stack.templateBody = cs.templateBody;
        stack.template = cs.template;
        stack.parameters = cs.parameters;
        stack.tags = cs.tags;
        this.stackEvent(stack, 'ROLLBACK_COMPLETE', undefined, token);
      } else {
        this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `The following resource(s) failed to update: ${which}.`, token);
        this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token);
        this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE', undefined, token);
        stack.lastUpdatedTime = new Date();
      }
      cs.executionStatus = 'EXECUTE_FAILED';
      return;
    }
    for (const c of cs.changes) {
      if (c.Action === 'Remove') continue;
      const replaced = c.Action === 'Modify' && c.Replacement === 'True';
      const physicalId = c.Action === 'Add' || replaced ? `${stack.name}-${c.LogicalResourceId}-${randomUUID().slice(0, 8).toUpperCase()}` : stack.resources.get(c.LogicalResourceId)!.physicalId;
      stack.resources.set(c.LogicalResourceId, { type: c.ResourceType, physicalId });
      this.event(stack, { LogicalResourceId: c.LogicalResourceId, PhysicalResourceId: physicalId, ResourceType: c.ResourceType, ResourceStatus: c.Action === 'Add' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', ClientRequestToken: token });
    }
    if (!creating) this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token);
    for (const c of cs.changes) {
      if (c.Action !== 'Remove') continue;
      stack.resources.delete(c.LogicalResourceId);
      this.event(stack, { LogicalResourceId: c.LogicalResourceId, PhysicalResourceId: c.PhysicalResourceId, ResourceType: c.ResourceType, ResourceStatus: 'DELETE_COMPLETE', ClientRequestToken: token });
    }
    stack.templateBody = cs.templateBody;
    stack.template = cs.template;
    stack.parameters = cs.parameters;
    stack.tags = cs.tags;
    stack.capabilities = cs.capabilities;
    stack.roleArn = cs.roleArn;
    stack.outputs = new Evaluator(cs.template, {
      account: this.o.account,
      region: this.o.region,
      stackName: stack.name,
      stackId: stack.id,
      parameters: cs.parameters,
      physical: Object.fromEntries(stack.resources),
    }).outputs();
    if (!creating) stack.lastUpdatedTime = new Date();
    cs.executionStatus = 'EXECUTE_COMPLETE';
    this.stackEvent(stack, creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', undefined, token);
  }

  private deleteStack(p: Record<string, unknown>): XmlValue {
    const stack = this.find(p.StackName);
    // Deleting a stack that does not exist succeeds, as in CloudFormation.
    if (!stack || stack.status === 'DELETE_IN_PROGRESS') return {};
    if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS') {
      throw new AwsFault('ValidationError', `Stack [${stack.name}] cannot be deleted while in status ${stack.status}`);
    }
    const token = str(p.ClientRequestToken);
    stack.changeSets.clear();
    this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated', token);
    const review = stack.resources.size === 0;
    this.o.timers.later(review ? 0 : this.o.stackOperation, () => {
      for (const [id, r] of stack.resources) {
        this.event(stack, { LogicalResourceId: id, PhysicalResourceId: r.physicalId, ResourceType: r.type, ResourceStatus: 'DELETE_COMPLETE', ClientRequestToken: token });
      }
      stack.resources.clear();
      stack.deletionTime = new Date();
      this.stackEvent(stack, 'DELETE_COMPLETE', undefined, token);
      if (this.active.get(stack.name) === stack) this.active.delete(stack.name);
      this.deleted.push(stack);
    });
    return {};
  }

  private describeStackEvents(p: Record<string, unknown>): XmlValue {
    const stack = this.mustFind(p.StackName, true);
    const newestFirst = [...stack.events].reverse();
    const { items, nextToken } = page(newestFirst, p.NextToken, this.o.pageSize);
    return { StackEvents: items.map((e) => ({ StackId: stack.id, StackName: stack.name, ...e })), NextToken: nextToken };
  }

  private getTemplate(p: Record<string, unknown>): XmlValue {
    if (str(p.ChangeSetName)) {
      const cs = this.findChangeSet(p);
      return { TemplateBody: cs.templateBody, StagesAvailable: ['Original', 'Processed'] };
    }
    const stack = this.mustFind(p.StackName, true);
    if (stack.templateBody === undefined) throw new AwsFault('ValidationError', `Stack with id ${stack.name} does not have a template yet (it is ${stack.status})`);
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }

  private detectStackDrift(p: Record<string, unknown>): XmlValue {
    const stack = this.mustFind(p.StackName);
    if (!UPDATABLE.has(stack.status)) {
      throw new AwsFault('ValidationError', `Drift detection cannot be performed on stack [${stack.id}] in ${stack.status} state`);
    }
    const id = randomUUID();
    const detection = { stack, status: 'DETECTION_IN_PROGRESS', driftStatus: undefined as string | undefined, timestamp: new Date() };
    this.detections.set(id, detection);
    this.o.timers.later(this.o.driftDetection, () => {
      // Resources are only ever changed through change sets here, so every detection finds them in sync.
      detection.status = 'DETECTION_COMPLETE';
      detection.driftStatus = 'IN_SYNC';
      stack.drift = { status: 'IN_SYNC', checked: new Date() };
    });
    return { StackDriftDetectionId: id };
  }

  private describeDriftDetection(p: Record<string, unknown>): XmlValue {
    const id = String(p.StackDriftDetectionId ?? '');
    const d = this.detections.get(id);
    if (!d) throw new AwsFault('ValidationError', `Drift detection [${id}] does not exist`);
    return {
      StackId: d.stack.id,
      StackDriftDetectionId: id,
      StackDriftStatus: d.driftStatus,
      DetectionStatus: d.status,
      DriftedStackResourceCount: d.driftStatus ? 0 : undefined,
      Timestamp: d.timestamp,
    };
  }

  private describeResourceDrifts(p: Record<string, unknown>): XmlValue {
    this.mustFind(p.StackName);
    return { StackResourceDrifts: undefined };
  }
}

/** A resource change as DescribeChangeSet writes it; without property values unless asked for. */
function changeXml(c: FakeResourceChange, withValues: boolean): XmlValue {
  return {
    PolicyAction: c.PolicyAction,
    Action: c.Action,
    LogicalResourceId: c.LogicalResourceId,
    PhysicalResourceId: c.PhysicalResourceId,
    ResourceType: c.ResourceType,
    Replacement: c.Replacement,
    Scope: c.Scope.length ? c.Scope : undefined,
    Details: c.Details.length ? c.Details.map((d) => ({
      Target: {
        ...d.Target,
        BeforeValue: withValues ? d.Target.BeforeValue : undefined,
        AfterValue: withValues ? d.Target.AfterValue : undefined,
        AttributeChangeType: withValues ? d.Target.AttributeChangeType : undefined,
      },
      Evaluation: d.Evaluation,
      ChangeSource: d.ChangeSource,
      CausingEntity: d.CausingEntity,
    })) : undefined,
    BeforeContext: withValues ? c.BeforeContext : undefined,
    AfterContext: withValues ? c.AfterContext : undefined,
  };
}
