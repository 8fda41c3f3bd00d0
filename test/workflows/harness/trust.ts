// The OIDC token GitHub would issue to a job, and whether an IAM role's trust policy (as the bootstrap template
// declares it) lets that token assume the role: the check `sts:AssumeRoleWithWebIdentity` makes.

/** The claims of a GitHub Actions OIDC token that trust policies look at (docs: "Understanding the OIDC token"). */
export interface OidcClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly ref: string;
  readonly ref_type: string;
  readonly sha: string;
  readonly repository: string;
  readonly repository_id: string;
  readonly repository_owner: string;
  readonly repository_owner_id: string;
  readonly repository_visibility: string;
  readonly run_id: string;
  readonly run_number: string;
  readonly run_attempt: string;
  readonly actor: string;
  readonly event_name: string;
  readonly workflow: string;
  readonly workflow_ref: string;
  readonly job_workflow_ref: string;
  readonly head_ref: string;
  readonly base_ref: string;
  readonly runner_environment: string;
  /** Only when the job names an environment. */
  readonly environment?: string;
}

/** What the OIDC subject of a job is built from. */
export interface SubjectInput {
  /** OWNER/REPO. */
  readonly repository: string;
  readonly repositoryId: string;
  readonly ownerId: string;
  readonly eventName: string;
  /** GITHUB_REF of the run, e.g. `refs/heads/main` or `refs/pull/7/merge`. */
  readonly ref: string;
  /** The job's `environment:` name, if any. */
  readonly environment?: string;
  /**
   * The repository's customized subject template (`include_claim_keys` of
   * `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`); undefined: GitHub's default subject.
   * @example ['repo', 'context', 'ref']
   */
  readonly claimKeys?: readonly string[];
  /** The repository opted in to immutable subjects: `repo:OWNER@OWNER_ID/NAME@REPO_ID` instead of `repo:OWNER/NAME`. */
  readonly immutable?: boolean;
}

/**
 * The part of the default subject after the repository (the `context` claim key): the environment when the job
 * has one, else `pull_request` for pull_request events, else the ref.
 */
export function subjectContext(input: Pick<SubjectInput, 'eventName' | 'ref' | 'environment'>): string {
  if (input.environment) return `environment:${input.environment}`;
  if (input.eventName === 'pull_request') return 'pull_request';
  return `ref:${input.ref}`;
}

/** The `sub` claim: GitHub's default `repo:O/R:<context>`, or the customized `key:value` chain of the template. */
export function oidcSubject(input: SubjectInput, claims: Omit<OidcClaims, 'sub'>): string {
  const [owner, name] = input.repository.split('/');
  const repo = input.immutable ? `${owner}@${input.ownerId}/${name}@${input.repositoryId}` : input.repository;
  const keys = input.claimKeys ?? ['repo', 'context'];
  return keys.map((key) => {
    if (key === 'repo') return `repo:${repo}`;
    if (key === 'context') return subjectContext(input);
    const value = (claims as unknown as Record<string, string | undefined>)[key];
    if (value === undefined) {
      throw new Error(`The OIDC subject template names the claim '${key}', which the harness does not issue; use one of: repo, context, ${Object.keys(claims).join(', ')}`);
    }
    return `${key}:${value}`;
  }).join(':');
}

/** A trust decision with the reason, worded like the check that decided it. */
export interface TrustDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Decides whether a job's OIDC token may assume a role. */
export type TrustFunction = (roleArn: string, claims: OidcClaims) => TrustDecision | Promise<TrustDecision>;

const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Template {
  readonly Parameters?: Record<string, { Type?: string; Default?: Json }>;
  readonly Conditions?: Record<string, Json>;
  readonly Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, Json> }>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves CloudFormation intrinsic functions of a template fragment, given parameter values. */
class Resolver {
  private readonly values: Record<string, Json>;
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly template: Template, parameters: Record<string, string>, private readonly account: string, region: string) {
    this.values = { 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'batchform-bootstrap' };
    for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
      const given = parameters[name] ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
      if (given === undefined) throw new Error(`The bootstrap template's parameter ${name} has no default: pass it in parameters`);
      this.values[name] = declaration.Type === 'CommaDelimitedList' ? (given === '' ? [] : given.split(',')) : given;
    }
    for (const name of Object.keys(parameters)) {
      if (!(name in (template.Parameters ?? {}))) throw new Error(`parameters names ${name}, which the template does not declare`);
    }
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const declared = this.template.Conditions?.[name];
    if (declared === undefined) throw new Error(`The template uses the condition ${name}, which it does not declare`);
    const value = this.resolve(declared);
    if (typeof value !== 'boolean') throw new Error(`The condition ${name} does not evaluate to a boolean`);
    this.conditionCache.set(name, value);
    return value;
  }

  resolve(node: Json): Json | typeof NO_VALUE {
    if (Array.isArray(node)) return node.map((n) => this.resolve(n)).filter((n): n is Json => n !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      const out: Record<string, Json> = {};
      for (const k of keys) {
        const v = this.resolve(node[k]);
        if (v !== NO_VALUE) out[k] = v;
      }
      return out;
    }
    const [fn] = keys;
    const arg = node[fn];
    switch (fn) {
      case 'Ref': {
        if (arg === 'AWS::NoValue') return NO_VALUE;
        const v = this.values[arg as string];
        if (v === undefined) throw new Error(`Ref to ${String(arg)}, which is neither a parameter nor a pseudo parameter the harness knows`);
        return v;
      }
      case 'Fn::Sub': return this.sub(arg);
      case 'Fn::Join': {
        const [sep, list] = arg as [string, Json];
        return (this.resolve(list) as Json[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [i, list] = arg as [Json, Json];
        return (this.resolve(list) as Json[])[Number(this.resolve(i))];
      }
      case 'Fn::Split': {
        const [sep, s] = arg as [string, Json];
        return String(this.resolve(s)).split(sep);
      }
      case 'Fn::If': {
        const [cond, yes, no] = arg as [string, Json, Json];
        return this.resolve(this.condition(cond) ? yes : no);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as Json[]).map((x) => this.resolve(x));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not': return !(this.resolve((arg as Json[])[0]) as boolean);
      case 'Fn::And': return (arg as Json[]).every((x) => this.resolve(x) === true);
      case 'Fn::Or': return (arg as Json[]).some((x) => this.resolve(x) === true);
      case 'Condition': return this.condition(arg as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = arg as [string, string];
        const resource = this.template.Resources[logicalId];
        if (resource?.Type === 'AWS::IAM::OIDCProvider' && attribute === 'Arn') {
          const url = String(this.resolve(resource.Properties?.Url ?? '')).replace(/^https:\/\//, '');
          return `arn:aws:iam::${this.account}:oidc-provider/${url}`;
        }
        throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not one the harness resolves (only an OIDC provider's Arn)`);
      }
      default: {
        const v = this.resolve(arg);
        return v === NO_VALUE ? {} : { [fn]: v };
      }
    }
  }

  private sub(arg: Json): string {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
    const local: Record<string, Json> = {};
    for (const [k, v] of Object.entries(vars)) local[k] = this.resolve(v) as Json;
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      const v = local[name] ?? this.values[name];
      if (v === undefined) throw new Error(`Fn::Sub names \${${name}}, which is neither a variable, a parameter nor a pseudo parameter`);
      return String(v);
    });
  }
}

/** IAM's StringLike: `*` any run of characters, `?` one character. */
function stringLike(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringNotEquals: (e, a) => e !== a,
  StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringLike: stringLike,
  StringNotLike: (e, a) => !stringLike(e, a),
};

/** Evaluates one condition block (`{ StringEquals: { key: value } }`) against the token's claims; the failing test if any. */
function failedCondition(condition: Record<string, Json>, claims: OidcClaims): string | undefined {
  for (const [rawOperator, tests] of Object.entries(condition)) {
    const setOp = rawOperator.startsWith('ForAnyValue:') ? 'any' : rawOperator.startsWith('ForAllValues:') ? 'all' : undefined;
    let operator = rawOperator.replace(/^For(Any|All)Values:/, '');
    const ifExists = operator.endsWith('IfExists');
    if (ifExists) operator = operator.slice(0, -'IfExists'.length);
    const negated = operator.includes('Not');
    const test = OPERATORS[operator];
    if (!test) return `the condition operator ${rawOperator} is not one the harness evaluates`;
    for (const [key, expectedRaw] of Object.entries(tests as Record<string, Json>)) {
      const expected = (Array.isArray(expectedRaw) ? expectedRaw : [expectedRaw]).map(String);
      const [host, claim] = key.split(/:(?=[^:]+$)/);
      const actual = host === GITHUB_ISSUER_HOST ? (claims as unknown as Record<string, string | undefined>)[claim] : undefined;
      if (actual === undefined) {
        if (ifExists || setOp === 'all') continue;
        return `${rawOperator} ${key}: the token has no such claim`;
      }
      // IAM: a negated operator passes when the value matches none; a positive one when it matches any.
      const ok = negated ? expected.every((e) => test(e, actual)) : expected.some((e) => test(e, actual));
      if (!ok) return `${rawOperator} ${key}: the token's ${claim} is ${JSON.stringify(actual)}, the policy wants ${JSON.stringify(expectedRaw)}`;
    }
  }
  return undefined;
}

function actionMatches(action: Json, wanted: string): boolean {
  return (Array.isArray(action) ? action : [action]).some((a) => stringLike(String(a).toLowerCase(), wanted.toLowerCase()));
}

/**
 * A trust function backed by the bootstrap template: finds the IAM role whose ARN is the one asked for (Path and
 * RoleName with Fn::Sub resolved from `parameters`, the template's defaults and the pseudo parameters), then
 * evaluates its AssumeRolePolicyDocument for `sts:AssumeRoleWithWebIdentity` by GitHub's OIDC provider: Deny
 * statements first, then an Allow whose Federated principal is the provider and whose conditions all hold.
 *
 * @param template the parsed bootstrap template (cfn-out/bootstrap.template.json)
 * @param parameters the stack's parameter values; missing ones take the template's defaults
 * @param account the 12-digit account the stack is deployed in
 * @param region the stack's region, for `AWS::Region` (default `us-east-1`)
 */
export function trustFromBootstrapTemplate(template: object, parameters: Record<string, string>, account: string, region = 'us-east-1'): TrustFunction {
  const t = template as Template;
  const resolver = new Resolver(t, parameters, account, region);
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${GITHUB_ISSUER_HOST}`;
  const roles = new Map<string, { logicalId: string; policy: Json }>();
  for (const [logicalId, resource] of Object.entries(t.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    if (resource.Condition && !resolver.condition(resource.Condition)) continue;
    const props = resource.Properties ?? {};
    const path = props.Path === undefined ? '/' : String(resolver.resolve(props.Path));
    if (props.RoleName === undefined) continue;
    const name = String(resolver.resolve(props.RoleName));
    roles.set(`arn:aws:iam::${account}:role${path}${name}`, { logicalId, policy: props.AssumeRolePolicyDocument ?? null });
  }
  const providerExists = Object.values(t.Resources).some((r) => r.Type === 'AWS::IAM::OIDCProvider' && (!r.Condition || resolver.condition(r.Condition)))
    || (parameters.ExistingOidcProviderArn ?? '') === providerArn;

  return (roleArn, claims) => {
    const role = roles.get(roleArn);
    if (!role) {
      return { allowed: false, reason: `No role ${roleArn} in the bootstrap template (it has: ${[...roles.keys()].join(', ') || 'none'})` };
    }
    if (!providerExists) {
      return { allowed: false, reason: `The account has no OIDC provider for ${GITHUB_ISSUER_HOST}: the template does not create one and ExistingOidcProviderArn is not ${providerArn}` };
    }
    const document = resolver.resolve(role.policy) as { Statement?: Json };
    const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as Array<Record<string, Json>>;
    const applicable = statements.filter((s) => s && actionMatches(s.Action, 'sts:AssumeRoleWithWebIdentity')
      && [(s.Principal as Record<string, Json> | undefined)?.Federated].flat().includes(providerArn));
    for (const s of applicable.filter((x) => x.Effect === 'Deny')) {
      if (!failedCondition((s.Condition ?? {}) as Record<string, Json>, claims)) {
        return { allowed: false, reason: `Not authorized to perform sts:AssumeRoleWithWebIdentity: an explicit Deny in the trust policy of ${role.logicalId} matches` };
      }
    }
    const failures: string[] = [];
    for (const s of applicable.filter((x) => x.Effect === 'Allow')) {
      const failed = failedCondition((s.Condition ?? {}) as Record<string, Json>, claims);
      if (!failed) return { allowed: true, reason: `The trust policy of ${role.logicalId} allows sub ${claims.sub}` };
      failures.push(failed);
    }
    return {
      allowed: false,
      reason: `Not authorized to perform sts:AssumeRoleWithWebIdentity: no statement of the trust policy of ${role.logicalId} allows this token (${failures.join('; ') || `no Allow for the federated principal ${providerArn}`})`,
    };
  };
}
