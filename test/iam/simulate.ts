// A small harness over @cloud-copilot/iam-simulate for template policies: resolve the intrinsics a
// batch template uses to concrete values, then ask the simulator as IAM would decide.
import { runSimulation } from '@cloud-copilot/iam-simulate';

type Json = any;

/** Concrete values for pseudo parameters (`AWS::AccountId`), parameters and `Logical.Attribute` GetAtts. */
export type Values = Record<string, string>;

/**
 * Replaces Ref, Fn::GetAtt, Fn::Sub and Fn::If (the branch `conditions` names true) with values;
 * an unknown name throws, so a test never evaluates a half-resolved policy.
 */
export function resolve(value: Json, values: Values, conditions: Record<string, boolean> = {}): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, values, conditions)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const lookup = (name: string): string => {
    if (!(name in values)) throw new Error(`no value for ${name}`);
    return values[name];
  };
  if ('Ref' in value) return value.Ref === 'AWS::NoValue' ? NO_VALUE : lookup(value.Ref);
  if ('Fn::GetAtt' in value) return lookup(value['Fn::GetAtt'].join('.'));
  if ('Fn::Sub' in value) {
    const [text, vars] = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub'], {}];
    return (text as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => (name in vars ? resolve(vars[name], values, conditions) : lookup(name)));
  }
  if ('Fn::If' in value) {
    const [condition, yes, no] = value['Fn::If'];
    if (!(condition in conditions)) throw new Error(`no value for condition ${condition}`);
    return resolve(conditions[condition] ? yes : no, values, conditions);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, values, conditions)]).filter(([, v]) => v !== NO_VALUE));
}

/** AWS::NoValue: the property is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

/** What a simulated request asks. */
export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicies?: Json[];
  readonly boundary?: Json;
  readonly resourcePolicy?: Json;
}

/** IAM's decision: 'Allowed', 'ImplicitlyDenied' or 'ExplicitlyDenied'; throws on an invalid simulation. */
export async function decide(r: Request): Promise<string> {
  const response = await runSimulation({
    request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.account }, contextVariables: r.context ?? {} },
    identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: r.resourcePolicy,
    permissionBoundaryPolicies: r.boundary ? [{ name: 'boundary', policy: r.boundary }] : undefined,
  }, {});
  if (response.resultType === 'error') throw new Error(`invalid simulation: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}
