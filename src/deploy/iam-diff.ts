// The IAM statements a change set adds to and removes from a role or policy, read from the resource's before and after property values.
import type { ResourceChange as CfnResourceChange } from '@aws-sdk/client-cloudformation';
import type { PermissionChange, PolicyStatement } from './result';
import { NO_SECRETS, Secrets } from './values';

/** Resource types whose statements the report compares: identity policies, and who may reach a batch's resources. */
export const POLICY_TYPES = [
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy',
  'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::Lambda::Permission',
];

type Json = Record<string, unknown>;

/** What stands in a statement for a NoEcho parameter's value. */
const HIDDEN = '(hidden)';

/** The resource's properties from a change set context (`{"Properties": {...}}`), or undefined. */
function propertiesOf(context: string | undefined): Json | undefined {
  if (!context) return undefined;
  try {
    const parsed = JSON.parse(context) as Json;
    return (parsed.Properties as Json | undefined) ?? parsed;
  } catch {
    return undefined;
  }
}

/** A policy document, whether CloudFormation gives it as an object or as a JSON string. */
function documentOf(value: unknown): Json | undefined {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Json;
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' ? value as Json : undefined;
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

function statementsOf(document: unknown, policy: string): PolicyStatement[] {
  const doc = documentOf(document);
  if (!doc) return [];
  const raw = doc.Statement;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s: Json) => ({
    policy,
    effect: String(s.Effect ?? 'Allow'),
    actions: s.NotAction !== undefined ? list(s.NotAction).map((a) => `not ${a}`) : list(s.Action),
    resources: s.NotResource !== undefined ? list(s.NotResource).map((r) => `not ${r}`) : list(s.Resource),
    ...(s.Principal !== undefined ? { principal: typeof s.Principal === 'string' ? s.Principal : JSON.stringify(s.Principal) } : {}),
    ...(s.Condition ? { condition: JSON.stringify(s.Condition) } : {}),
  }));
}

/**
 * Every statement a resource's properties grant: a role's inline policies and who may assume it
 * (its trust policy), a policy's document, a queue or topic policy, and a Lambda invoke permission
 * as the one statement it amounts to.
 */
function grants(type: string, props: Json | undefined): { statements: PolicyStatement[]; managed: string[] } {
  if (!props) return { statements: [], managed: [] };
  if (type === 'AWS::IAM::Role') {
    const policies = Array.isArray(props.Policies) ? props.Policies as Json[] : [];
    return {
      statements: [
        ...policies.flatMap((p) => statementsOf(p.PolicyDocument, String(p.PolicyName ?? 'inline'))),
        ...statementsOf(props.AssumeRolePolicyDocument, 'trust policy'),
      ],
      managed: list(props.ManagedPolicyArns),
    };
  }
  if (type === 'AWS::Lambda::Permission') {
    const condition = { ...(props.SourceArn ? { 'aws:SourceArn': props.SourceArn } : {}), ...(props.SourceAccount ? { 'aws:SourceAccount': props.SourceAccount } : {}) };
    return {
      statements: [{
        policy: 'invoke permission',
        effect: 'Allow',
        actions: list(props.Action),
        resources: list(props.FunctionName),
        principal: typeof props.Principal === 'string' ? props.Principal : JSON.stringify(props.Principal),
        ...(Object.keys(condition).length ? { condition: JSON.stringify(condition) } : {}),
      }],
      managed: [],
    };
  }
  const name = type === 'AWS::SQS::QueuePolicy' ? 'queue policy' : type === 'AWS::SNS::TopicPolicy' ? 'topic policy' : String(props.PolicyName ?? props.ManagedPolicyName ?? 'policy');
  return { statements: statementsOf(props.PolicyDocument, name), managed: [] };
}

const keyOf = (s: PolicyStatement) => JSON.stringify([s.policy, s.effect, [...s.actions].sort(), [...s.resources].sort(), s.principal ?? '', s.condition ?? '']);

/**
 * What a change to a role, policy, resource policy or invoke permission does to its permissions: statements (effect, actions,
 * resources) present after but not before are added, the reverse removed. Undefined for other
 * types, or when the change set carries no property values to compare.
 */
export function permissionChange(rc: CfnResourceChange, secrets: Secrets = NO_SECRETS): PermissionChange | undefined {
  const type = rc.ResourceType ?? '';
  if (!POLICY_TYPES.includes(type)) return undefined;
  if (rc.BeforeContext === undefined && rc.AfterContext === undefined) return undefined;
  // A NoEcho parameter's value that ended up in a policy (a resource name, a condition) is not printed either.
  const hide = (context: string | undefined) => secrets.values.reduce((text, v) => (v ? text?.split(v).join(HIDDEN) : text), context);
  const before = grants(type, rc.Action === 'Add' ? undefined : propertiesOf(hide(rc.BeforeContext)));
  const after = grants(type, rc.Action === 'Remove' ? undefined : propertiesOf(hide(rc.AfterContext)));
  const beforeKeys = new Set(before.statements.map(keyOf));
  const afterKeys = new Set(after.statements.map(keyOf));
  const change: PermissionChange = {
    added: after.statements.filter((s) => !beforeKeys.has(keyOf(s))),
    removed: before.statements.filter((s) => !afterKeys.has(keyOf(s))),
    managedAdded: after.managed.filter((m) => !before.managed.includes(m)),
    managedRemoved: before.managed.filter((m) => !after.managed.includes(m)),
  };
  const empty = !change.added.length && !change.removed.length && !change.managedAdded.length && !change.managedRemoved.length;
  return empty ? undefined : change;
}

/** Whether a permission change grants anything new: an added Allow statement or managed policy. */
export function grantsMore(p: PermissionChange): boolean {
  return p.managedAdded.length > 0 || p.added.some((s) => s.effect === 'Allow');
}
