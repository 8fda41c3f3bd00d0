// Evaluates CloudFormation templates as far as the AWS fake needs: parameter checks, conditions, intrinsic functions, and the resource-by-resource diff a change set shows.
import { isDeepStrictEqual } from 'util';

/** A template as the fake reads it (JSON only). */
export interface Template {
  readonly Description?: string;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, {
    readonly Value?: unknown;
    readonly Description?: string;
    readonly Condition?: string;
    readonly Export?: { readonly Name?: unknown };
  }>;
}

export interface TemplateParameter {
  readonly Type?: string;
  readonly Default?: unknown;
  readonly NoEcho?: unknown;
  readonly AllowedValues?: readonly unknown[];
  readonly AllowedPattern?: string;
  readonly ConstraintDescription?: string;
}

export interface TemplateResource {
  readonly Type?: string;
  readonly Condition?: string;
  readonly Properties?: unknown;
  readonly Metadata?: unknown;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** A problem CloudFormation reports as a `ValidationError` (or `code`) when it is given the template. */
export class TemplateError extends Error {
  constructor(message: string, readonly code = 'ValidationError') {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Parses a template body; CloudFormation also takes YAML, which the fake does not. */
export function parseTemplate(body: string): Template {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new TemplateError(`Template format error: the AWS fake reads JSON templates only (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TemplateError('Template format error: not a JSON object');
  const t = parsed as Template;
  if (!t.Resources || typeof t.Resources !== 'object' || Object.keys(t.Resources).length === 0) {
    throw new TemplateError('Template format error: At least one Resources member must be defined.');
  }
  return t;
}

/** Types whose resources need `CAPABILITY_IAM` (or `CAPABILITY_NAMED_IAM` when they set their name). */
const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::AccessKey': undefined,
};

/** The capability the template needs that `capabilities` lacks, as CloudFormation's `InsufficientCapabilitiesException` says it. */
export function missingCapability(template: Template, capabilities: readonly string[]): string | undefined {
  let needed: 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | undefined;
  for (const r of Object.values(template.Resources ?? {})) {
    if (!r.Type || !(r.Type in IAM_TYPES)) continue;
    const nameProperty = IAM_TYPES[r.Type];
    const named = nameProperty !== undefined && (r.Properties as Record<string, unknown> | undefined)?.[nameProperty] !== undefined;
    if (named) needed = 'CAPABILITY_NAMED_IAM';
    else needed ??= 'CAPABILITY_IAM';
  }
  if (!needed) return undefined;
  if (capabilities.includes('CAPABILITY_NAMED_IAM')) return undefined;
  if (needed === 'CAPABILITY_IAM' && capabilities.includes('CAPABILITY_IAM')) return undefined;
  return `Requires capabilities : [${needed}]`;
}

/**
 * Every declared parameter's value: the given one, else the default; unknown names, missing
 * values and values outside `AllowedValues` / `AllowedPattern` fail as CloudFormation fails them.
 */
export function resolveParameters(template: Template, given: Readonly<Record<string, string>>): Record<string, string> {
  const declared = template.Parameters ?? {};
  const unknown = Object.keys(given).filter((k) => !(k in declared));
  if (unknown.length) throw new TemplateError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, p] of Object.entries(declared)) {
    const value = given[name] ?? (p.Default === undefined ? undefined : String(p.Default));
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    if (p.AllowedValues && !p.AllowedValues.map(String).includes(value)) {
      throw new TemplateError(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (p.AllowedPattern && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) {
      throw new TemplateError(`Parameter ${name} failed to satisfy constraint: ${p.ConstraintDescription ?? `Malformed input-Parameter ${name} must match pattern ${p.AllowedPattern}`}`);
    }
    values[name] = value;
  }
  if (missing.length) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);
  return values;
}

/** Where a template is evaluated: its stack and the values of its parameters. */
export interface EvaluationContext {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Deployed resources, to resolve `Ref` and `Fn::GetAtt` of resources (outputs); without them
   * those stay as they are written, as a change set shows values known only after deployment.
   */
  readonly physical?: Readonly<Record<string, { readonly type: string; readonly physicalId: string }>>;
}

/** `AWS::NoValue`: the property or list item is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

const isIntrinsic = (o: Record<string, unknown>): boolean => {
  const keys = Object.keys(o);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
};

/** A template with its parameters bound: conditions and values evaluated on demand. */
export class Evaluator {
  private readonly conditions = new Map<string, boolean>();

  constructor(readonly template: Template, readonly ctx: EvaluationContext) {}

  /** Whether the named condition holds. */
  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const node = this.template.Conditions?.[name];
    if (node === undefined) throw new TemplateError(`Template format error: Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
    const value = this.truth(node);
    this.conditions.set(name, value);
    return value;
  }

  private truth(node: unknown): boolean {
    if (typeof node === 'boolean') return node;
    if (node === 'true' || node === 'false') return node === 'true';
    const o = node as Record<string, unknown>;
    if (o && typeof o.Condition === 'string') return this.condition(o.Condition);
    const args = (key: string) => o[key] as unknown[];
    if (o && 'Fn::Equals' in o) {
      const [a, b] = args('Fn::Equals').map((v) => this.value(v));
      return isDeepStrictEqual(normalised(a), normalised(b));
    }
    if (o && 'Fn::Not' in o) return !this.truth(args('Fn::Not')[0]);
    if (o && 'Fn::And' in o) return args('Fn::And').every((c) => this.truth(c));
    if (o && 'Fn::Or' in o) return args('Fn::Or').some((c) => this.truth(c));
    throw new TemplateError(`Template format error: ${JSON.stringify(node)} is not a condition function`);
  }

  private parameter(name: string): string | string[] | undefined {
    const value = this.ctx.parameters[name];
    if (value === undefined) return undefined;
    const type = this.template.Parameters?.[name]?.Type ?? 'String';
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',') : value;
  }

  private pseudo(name: string): unknown {
    const { account, region, stackName, stackId } = this.ctx;
    const values: Record<string, unknown> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': stackId,
      'AWS::NotificationARNs': [],
      'AWS::NoValue': NO_VALUE,
    };
    return values[name];
  }

  /** A resource's `Ref` or attribute once deployed, or undefined while it is not (change sets). */
  private deployed(logicalId: string, attribute?: string): string | undefined {
    const r = this.ctx.physical?.[logicalId];
    if (!r) return undefined;
    if (!attribute) return r.physicalId;
    if (attribute === 'Arn') {
      const service = r.type.split('::')[1]?.toLowerCase() ?? 'fake';
      return `arn:aws:${service}:${this.ctx.region}:${this.ctx.account}:${r.physicalId}`;
    }
    return `${r.physicalId}.${attribute}`;
  }

  /** A value with every intrinsic function that can be known before deployment evaluated; the rest stay as written. */
  value(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((v) => this.value(v)).filter((v) => v !== NO_VALUE);
    if (!node || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (!isIntrinsic(o)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        const value = this.value(v);
        if (value !== NO_VALUE) out[k] = value;
      }
      return out;
    }
    const [fn, arg] = Object.entries(o)[0];
    switch (fn) {
      case 'Ref': {
        const name = String(arg);
        if (name.startsWith('AWS::')) return this.pseudo(name);
        if (this.template.Parameters?.[name]) return this.parameter(name);
        if (this.template.Resources?.[name]) return this.deployed(name) ?? node;
        throw new TemplateError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/);
        return this.deployed(id, attribute) ?? node;
      }
      case 'Fn::If': {
        const [condition, then, otherwise] = arg as [string, unknown, unknown];
        return this.value(this.condition(condition) ? then : otherwise);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Condition':
        return this.truth(node);
      case 'Fn::Join': {
        const [delimiter, items] = arg as [string, unknown];
        const list = this.value(items);
        return Array.isArray(list) && list.every(isScalar) ? list.map(String).join(delimiter) : { 'Fn::Join': [delimiter, list] };
      }
      case 'Fn::Select': {
        const [index, items] = arg as [unknown, unknown];
        const list = this.value(items);
        const i = Number(this.value(index));
        if (!Array.isArray(list)) return { 'Fn::Select': [i, list] };
        if (!(i >= 0 && i < list.length)) throw new TemplateError(`Template error: Fn::Select cannot select nonexistent value at index ${i}`);
        return list[i];
      }
      case 'Fn::Split': {
        const [delimiter, text] = arg as [string, unknown];
        const value = this.value(text);
        return typeof value === 'string' ? value.split(delimiter) : { 'Fn::Split': [delimiter, value] };
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((v) => String(this.value(v)));
        const found = this.template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new TemplateError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
        return found;
      }
      case 'Fn::Base64': {
        const value = this.value(arg);
        return typeof value === 'string' ? Buffer.from(value).toString('base64') : { 'Fn::Base64': value };
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${this.ctx.region}${z}`);
      default:
        // Fn::ImportValue, Fn::Cidr, Fn::Length, Fn::ToJsonString …: known only to CloudFormation; kept as written.
        return { [fn]: this.value(arg) };
    }
  }

  private sub(arg: unknown): unknown {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
    const bound: Record<string, unknown> = Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, this.value(v)]));
    let unresolved = false;
    const out = String(text).replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return whole;
      let value: unknown;
      if (name in bound) {value = bound[name];} else if (name.startsWith('AWS::')) {value = this.pseudo(name);} else if (this.template.Parameters?.[name]) {value = this.parameter(name);} else if (name.includes('.')) {
        const [id, attribute] = name.split(/\.(.*)/);
        value = this.deployed(id, attribute);
      } else if (this.template.Resources?.[name]) {value = this.deployed(name);} else {throw new TemplateError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);}
      if (!isScalar(value)) {
        unresolved = true;
        return whole;
      }
      return String(value);
    });
    // `${!Literal}` is written `${Literal}` once the whole string is known.
    return unresolved ? { 'Fn::Sub': out } : out.replace(/\$\{!/g, '${');
  }

  /** The resources this template creates with these parameters (conditions applied), values evaluated. */
  resources(): Map<string, EvaluatedResource> {
    const out = new Map<string, EvaluatedResource>();
    for (const [id, r] of Object.entries(this.template.Resources ?? {})) {
      if (r.Condition && !this.condition(r.Condition)) continue;
      if (!r.Type) throw new TemplateError(`Template format error: [/Resources/${id}] resource definition is missing the Type`);
      out.set(id, {
        type: r.Type,
        properties: (this.value(r.Properties ?? {}) as Record<string, unknown>) ?? {},
        metadata: r.Metadata === undefined ? undefined : this.value(r.Metadata),
        rawProperties: (r.Properties ?? {}) as Record<string, unknown>,
        deletionPolicy: r.DeletionPolicy,
        updateReplacePolicy: r.UpdateReplacePolicy,
      });
    }
    return out;
  }

  /** The outputs (conditions applied), with deployed resources resolved. */
  outputs(): Array<{ key: string; value: string; description?: string; exportName?: string }> {
    return Object.entries(this.template.Outputs ?? {})
      .filter(([, o]) => !o.Condition || this.condition(o.Condition))
      .map(([key, o]) => {
        const value = this.value(o.Value);
        const exportName = o.Export?.Name === undefined ? undefined : this.value(o.Export.Name);
        return {
          key,
          value: typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value),
          description: o.Description,
          exportName: exportName === undefined ? undefined : String(exportName),
        };
      });
  }
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Scalars as CloudFormation compares them: as strings (`256` equals `"256"`). */
function normalised(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalised);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalised(x)]));
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

/** One resource of an evaluated template. */
export interface EvaluatedResource {
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly metadata?: unknown;
  /** The properties as written, to tell a direct edit from a changed parameter. */
  readonly rawProperties: Record<string, unknown>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

/**
 * Properties whose change replaces the resource (`RequiresRecreation: Always` in CloudFormation's
 * resource reference): the names and the few others batchform templates set. Every other property
 * is treated as updatable in place.
 */
export const REPLACING: Readonly<Record<string, readonly string[]>> = {
  'AWS::Lambda::Function': ['FunctionName', 'PackageType', 'DurableConfig'],
  'AWS::Logs::LogGroup': ['LogGroupName', 'LogGroupClass'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::IAM::Role': ['RoleName', 'Path'],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::SNS::Subscription': ['Endpoint', 'Protocol', 'TopicArn'],
  'AWS::Scheduler::Schedule': ['Name', 'GroupName'],
  'AWS::Scheduler::ScheduleGroup': ['Name'],
  'AWS::Events::Rule': ['Name', 'EventBusName'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::KMS::Key': [],
};

/** A change set's `ResourceChange`, as DescribeChangeSet returns it with `IncludePropertyValues`. */
export interface FakeResourceChange {
  readonly Action: 'Add' | 'Modify' | 'Remove';
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Replacement?: 'True' | 'False';
  readonly PolicyAction?: string;
  readonly Scope: string[];
  readonly Details: FakeChangeDetail[];
  readonly BeforeContext?: string;
  readonly AfterContext?: string;
}

export interface FakeChangeDetail {
  readonly Target: {
    readonly Attribute: 'Properties' | 'Metadata';
    readonly Name?: string;
    readonly RequiresRecreation: 'Never' | 'Always';
    readonly Path: string;
    readonly BeforeValue?: string;
    readonly AfterValue?: string;
    readonly AttributeChangeType: 'Add' | 'Remove' | 'Modify';
  };
  readonly Evaluation: 'Static';
  readonly ChangeSource: 'DirectModification' | 'ParameterReference';
  readonly CausingEntity?: string;
}

interface LeafDiff {
  readonly path: Array<string | number>;
  readonly before: unknown;
  readonly after: unknown;
}

function leafDiffs(before: unknown, after: unknown, path: Array<string | number> = []): LeafDiff[] {
  if (isDeepStrictEqual(normalised(before), normalised(after))) return [];
  const plain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !isIntrinsic(v as Record<string, unknown>);
  if (plain(before) && plain(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => leafDiffs(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => leafDiffs(b, after[i], [...path, i]));
  }
  return [{ path, before, after }];
}

/** Parameters a raw template value refers to (`Ref`, `${Name}` in `Fn::Sub`), in order of appearance. */
function referencedParameters(raw: unknown, declared: Readonly<Record<string, unknown>>): string[] {
  const text = JSON.stringify(raw) ?? '';
  const names = new Set<string>();
  for (const m of text.matchAll(/"Ref":"([^"]+)"|\$\{([^}.!]+)\}/g)) {
    const name = m[1] ?? m[2];
    if (name in declared) names.add(name);
  }
  return [...names];
}

/** What a change set computes between the deployed template and parameters and the new ones. */
export interface TemplateSide {
  readonly template?: Template;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The resource changes from `before` (undefined template: nothing deployed) to `after`, in the
 * new template's resource order, removals last: `Add`, `Remove` (with its `PolicyAction`), and
 * `Modify` with one detail per changed leaf property (`/Properties/Code/S3Key`), values JSON-encoded,
 * `ParameterReference` when the property is written the same and a parameter it uses changed.
 *
 * @throws TemplateError when a resource changes type, which CloudFormation refuses.
 */
export function diffTemplates(before: TemplateSide, after: TemplateSide & { readonly template: Template }, ctx: Omit<EvaluationContext, 'parameters'>,
  physicalIds: Readonly<Record<string, string>> = {}): FakeResourceChange[] {
  const old = before.template
    ? new Evaluator(before.template, { ...ctx, parameters: before.parameters }).resources()
    : new Map<string, EvaluatedResource>();
  const now = new Evaluator(after.template, { ...ctx, parameters: after.parameters }).resources();
  const changed = new Set(Object.keys({ ...before.parameters, ...after.parameters }).filter((k) => before.parameters[k] !== after.parameters[k]));
  const context = (r: EvaluatedResource) =>
    JSON.stringify({ Properties: r.properties, ...(r.metadata === undefined ? {} : { Metadata: r.metadata }) });
  const changes: FakeResourceChange[] = [];
  const typeChanged = [...now].filter(([id, r]) => old.has(id) && old.get(id)!.type !== r.type).map(([id]) => id);
  if (typeChanged.length) {
    throw new TemplateError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${typeChanged.join(', ')}]`);
  }
  for (const [id, r] of now) {
    const was = old.get(id);
    if (!was) {
      changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: r.type, Scope: [], Details: [], AfterContext: context(r) });
      continue;
    }
    const replacing = REPLACING[r.type] ?? [];
    const details: FakeChangeDetail[] = [];
    for (const [attribute, b, a] of [['Properties', was.properties, r.properties], ['Metadata', was.metadata, r.metadata]] as const) {
      for (const d of leafDiffs(b, a)) {
        const name = d.path.length ? String(d.path[0]) : undefined;
        const rawSame = name !== undefined && attribute === 'Properties' && isDeepStrictEqual(was.rawProperties[name], r.rawProperties[name]);
        const causes = rawSame ? referencedParameters(r.rawProperties[name!], after.template.Parameters ?? {}).filter((p) => changed.has(p)) : [];
        const recreates = attribute === 'Properties' && name !== undefined && replacing.includes(name);
        details.push({
          Target: {
            Attribute: attribute,
            Name: name,
            RequiresRecreation: recreates ? 'Always' : 'Never',
            Path: `/${attribute}${d.path.map((p) => `/${p}`).join('')}`,
            BeforeValue: d.before === undefined ? undefined : JSON.stringify(d.before),
            AfterValue: d.after === undefined ? undefined : JSON.stringify(d.after),
            AttributeChangeType: d.before === undefined ? 'Add' : d.after === undefined ? 'Remove' : 'Modify',
          },
          Evaluation: 'Static',
          ChangeSource: causes.length ? 'ParameterReference' : 'DirectModification',
          CausingEntity: causes[0],
        });
      }
    }
    if (!details.length) continue;
    const replaced = details.some((d) => d.Target.RequiresRecreation === 'Always');
    changes.push({
      Action: 'Modify',
      LogicalResourceId: id,
      PhysicalResourceId: physicalIds[id],
      ResourceType: r.type,
      Replacement: replaced ? 'True' : 'False',
      PolicyAction: replaced ? (r.updateReplacePolicy === 'Retain' ? 'ReplaceAndRetain' : 'ReplaceAndDelete') : undefined,
      Scope: [...new Set(details.map((d) => d.Target.Attribute))],
      Details: details,
      BeforeContext: context(was),
      AfterContext: context(r),
    });
  }
  for (const [id, r] of old) {
    if (now.has(id)) continue;
    changes.push({
      Action: 'Remove',
      LogicalResourceId: id,
      PhysicalResourceId: physicalIds[id],
      ResourceType: r.type,
      PolicyAction: r.deletionPolicy === 'Retain' ? 'Retain' : 'Delete',
      Scope: [],
      Details: [],
      BeforeContext: context(r),
    });
  }
  return changes;
}
