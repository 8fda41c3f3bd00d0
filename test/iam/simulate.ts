// A small harness over @cloud-copilot/iam-simulate for template policies: resolve the intrinsics a
// batch template uses to concrete values, then ask the simulator as IAM would decide.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { bootstrapTemplate } from '../../src/bootstrap/bootstrap-template';

type Json = any;

/** Concrete values for pseudo parameters (`AWS::AccountId`), parameters (lists for CommaDelimitedList) and `Logical.Attribute` GetAtts. */
export type Values = Record<string, string | string[]>;

/**
 * Replaces Ref, Fn::GetAtt, Fn::Sub and Fn::If (the branch `conditions` names true) with values;
 * an unknown name throws, so a test never evaluates a half-resolved policy.
 */
export function resolve(value: Json, values: Values, conditions: Record<string, boolean> = {}): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, values, conditions)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const lookup = (name: string): any => {
    if (!(name in values)) throw new Error(`no value for ${name}`);
    return values[name];
  };
  if ('Ref' in value) return value.Ref === 'AWS::NoValue' ? NO_VALUE : lookup(value.Ref);
  if ('Fn::GetAtt' in value) return lookup(value['Fn::GetAtt'].join('.'));
  if ('Fn::Sub' in value) {
    const [text, vars] = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub'], {}];
    return (text as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => (name in vars ? resolve(vars[name], values, conditions) : lookup(name)));
  }
  if ('Fn::Join' in value) return resolve(value['Fn::Join'][1], values, conditions).join(value['Fn::Join'][0]);
  if ('Fn::Select' in value) return resolve(value['Fn::Select'][1], values, conditions)[value['Fn::Select'][0]];
  if ('Fn::Split' in value) return String(resolve(value['Fn::Split'][1], values, conditions)).split(value['Fn::Split'][0]);
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
    request: {
      principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.account }, contextVariables: r.context ?? {},
    },
    identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: r.resourcePolicy,
    permissionBoundaryPolicies: r.boundary ? [{ name: 'boundary', policy: r.boundary }] : undefined,
  }, {});
  if (response.resultType === 'error') throw new Error(`invalid simulation: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

/** Evaluates every condition of a template for the given values (Fn::Equals, Not, And, Or, Condition). */
export function conditionsOf(template: Json, values: Values): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const evaluate = (c: Json): boolean => {
    const [fn, args] = Object.entries(c)[0] as [string, Json];
    switch (fn) {
      case 'Fn::Equals': return JSON.stringify(resolve(args[0], values, out)) === JSON.stringify(resolve(args[1], values, out));
      case 'Fn::Not': return !evaluate(args[0]);
      case 'Fn::And': return args.every(evaluate);
      case 'Fn::Or': return args.some(evaluate);
      case 'Condition': return named(args);
      default: throw new Error(`condition function ${fn}`);
    }
  };
  const named = (name: string): boolean => {
    if (!(name in out)) out[name] = evaluate(template.Conditions[name]);
    return out[name];
  };
  for (const name of Object.keys(template.Conditions ?? {})) named(name);
  return out;
}

/** A role's inline policies, resolved: what IAM stores for it. */
export function inlinePolicies(role: Json, values: Values, conditions: Record<string, boolean>): Json[] {
  return (role.Properties.Policies ?? []).map((p: Json) => resolve(p.PolicyDocument, values, conditions));
}

/** The four decisions, shorter in tables. */
export const ALLOW = 'Allowed';
export const DENY = 'ExplicitlyDenied';
export const NOT_ALLOWED = 'ImplicitlyDenied';

/** The account, region and ARNs {@link deployedBootstrap} deploys stage `prod` with. */
export const BOOTSTRAP_ACCOUNT = '111122223333';
export const BOOTSTRAP_REGION = 'ap-northeast-2';
export const BOOTSTRAP_ARNS = {
  executionRole: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:role/batchform/prod-cfn-exec`,
  deployRole: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:role/batchform/prod-deploy`,
  previewRole: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:role/batchform/prod-preview`,
  operatorRole: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:role/batchform/prod-operate`,
  boundary: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:policy/batchform/prod-batch-boundary`,
  bucket: 'arn:aws:s3:::acme-artifacts',
} as const;

/** A KMS key's default policy: the account's IAM policies decide. */
export const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/**
 * The bootstrap stack of stage `prod` (stack prefix `prod`, bucket `acme-artifacts`, artifact
 * prefix `batchform`) as IAM stores it after deployment: each role's inline policies and the batch
 * permissions boundary, every intrinsic resolved.
 */
export function deployedBootstrap(options: {
  readonly assumableRoleArns?: string[];
  readonly driftDetection?: boolean;
  readonly operatorPrincipals?: string[];
  /** `GitHubSubjectClaimKeys`, e.g. 'repo,context,ref'; default '' (GitHub's default subject). */
  readonly subjectClaimKeys?: string;
  /** Deployed with GitHubOwnerId=123456 GitHubRepositoryId=456789 (the immutable subjects too). */
  readonly ids?: boolean;
} = {}) {
  const template = bootstrapTemplate({ githubRepository: 'acme/batches' }) as Json;
  const assumable = options.assumableRoleArns ?? [];
  const values: Values = {
    'AWS::Partition': 'aws',
    'AWS::Region': BOOTSTRAP_REGION,
    'AWS::AccountId': BOOTSTRAP_ACCOUNT,
    'GitHubRepository': 'acme/batches',
    'GitHubOwnerId': options.ids ? '123456' : '',
    'GitHubRepositoryId': options.ids ? '456789' : '',
    'GitHubEnvironment': 'prod',
    'DeployBranch': 'main',
    'GitHubSubjectClaimKeys': options.subjectClaimKeys ?? '',
    'StackPrefix': 'prod',
    'StageName': 'prod',
    'ArtifactBucketName': 'acme-artifacts',
    'ArtifactPrefix': 'batchform',
    'ExistingOidcProviderArn': '',
    'AssumableRoleArns': assumable.length ? assumable : [''],
    'OperatorPrincipals': options.operatorPrincipals?.length ? options.operatorPrincipals : [''],
    'DriftDetection': options.driftDetection === false ? 'false' : 'true',
    'Bucket.Arn': BOOTSTRAP_ARNS.bucket,
    'Bucket': 'acme-artifacts',
    'BatchRoleBoundary': BOOTSTRAP_ARNS.boundary,
    'ExecutionRole.Arn': BOOTSTRAP_ARNS.executionRole,
    'GitHubOidcProvider.Arn': `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  };
  const conditions = conditionsOf(template, values);
  const R = template.Resources;
  return {
    execution: inlinePolicies(R.ExecutionRole, values, conditions),
    deploy: inlinePolicies(R.DeployRole, values, conditions),
    preview: inlinePolicies(R.PreviewRole, values, conditions),
    /** The operator role's policies and trust, when the stage names operator principals. */
    operator: conditions.CreateOperatorRole ? inlinePolicies(R.OperatorRole, values, conditions) : undefined,
    operatorTrust: conditions.CreateOperatorRole ? resolve(R.OperatorRole.Properties.AssumeRolePolicyDocument, values, conditions) : undefined,
    boundary: resolve(R.BatchRoleBoundary.Properties.PolicyDocument, values, conditions),
    /** The deploy and preview roles' trust policies (who may assume them with a GitHub OIDC token). */
    deployTrust: resolve(R.DeployRole.Properties.AssumeRolePolicyDocument, values, conditions),
    previewTrust: resolve(R.PreviewRole.Properties.AssumeRolePolicyDocument, values, conditions),
  };
}

/** The GitHub OIDC provider {@link deployedBootstrap} trusts. */
export const GITHUB_PROVIDER_ARN = `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** The claims of a GitHub OIDC token that the trust policies test. */
export interface GitHubClaims {
  readonly sub: string;
  /** @default 'sts.amazonaws.com' */
  readonly aud?: string;
}

/**
 * IAM's decision on `sts:AssumeRoleWithWebIdentity` of `role` by a GitHub token with `claims`,
 * issued by `provider`. @cloud-copilot/iam-simulate decides the principal, action and resource of
 * each trust statement, but it drops the provider's claim keys (`token.actions.githubusercontent.com:sub`)
 * as unknown to STS's service reference, so every condition on them would fail as missing; the
 * statement's conditions are evaluated here instead. The bootstrap's trust uses only `StringEquals`
 * on those keys (exact, case-sensitive, any of the listed values); anything else throws.
 */
export async function assumeWithWebIdentity(trust: Json, role: string, claims: GitHubClaims, provider = GITHUB_PROVIDER_ARN): Promise<string> {
  const token: Record<string, string> = { sub: claims.sub, aud: claims.aud ?? 'sts.amazonaws.com' };
  const decisions = await Promise.all((trust.Statement as Json[]).map(async ({ Condition, ...statement }) => {
    if (statement.Effect !== 'Allow') throw new Error(`trust statement with effect ${statement.Effect}`);
    const matched = await decide({
      principal: provider,
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: role,
      account: BOOTSTRAP_ACCOUNT,
      resourcePolicy: { Version: '2012-10-17', Statement: [statement] },
    });
    const conditionsHold = Object.entries((Condition ?? {}) as Record<string, Record<string, string | string[]>>).every(([operator, keys]) => {
      if (operator !== 'StringEquals') throw new Error(`trust condition operator ${operator}`);
      return Object.entries(keys).every(([key, values]) => {
        const claim = /^token\.actions\.githubusercontent\.com:(sub|aud)$/.exec(key)?.[1];
        if (!claim) throw new Error(`trust condition key ${key}`);
        return ([] as string[]).concat(values).includes(token[claim]);
      });
    });
    return matched === ALLOW && conditionsHold;
  }));
  return decisions.some(Boolean) ? ALLOW : NOT_ALLOWED;
}
