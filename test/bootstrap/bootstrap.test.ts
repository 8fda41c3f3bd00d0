import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';
import { bootstrapTemplate, BOOTSTRAP_OUTPUTS, REPOSITORY_PATTERN, ROLE_PATH, SUBJECT_CLAIM_KEY_SETS, trustedSubjects } from '../../src/bootstrap/bootstrap-template';
import { hasCfnLint, lintTemplates } from '../../src/lint/cfn-lint';
import { Batchform } from '../../src/projen/batchform';
import { batchTemplates } from '../../src/template/batch-template';
import { stageTemplate } from '../../src/template/stage-stack';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, STAGE, fileExists, scratchProject } from '../fixtures';

type Json = Record<string, any>;
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

const template: Json = bootstrapTemplate({ githubRepository: 'acme/batches' });
const R = template.Resources as Json;

// ---------------------------------------------------------------------------------------------
// A small CloudFormation evaluator: resolves the intrinsics the template uses for given parameter
// values, so the tests read the policies as AWS will see them after deployment.

type Params = Record<string, string>;
const PSEUDO: Params = { 'AWS::Partition': 'aws', 'AWS::Region': 'ap-northeast-2', 'AWS::AccountId': '111122223333' };
const PARAMS: Params = {
  GitHubRepository: 'acme/batches',
  GitHubOwnerId: '',
  GitHubRepositoryId: '',
  GitHubEnvironment: 'prod',
  DeployBranch: 'main',
  GitHubSubjectClaimKeys: '',
  StackPrefix: 'prod',
  ArtifactBucketName: 'acme-artifacts',
  ArtifactPrefix: 'batchform',
  ExistingOidcProviderArn: '',
};
const ARNS: Record<string, string> = {
  'GitHubOidcProvider.Arn': 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
  'Bucket.Arn': 'arn:aws:s3:::acme-artifacts',
  'ExecutionRole.Arn': 'arn:aws:iam::111122223333:role/batchform/prod-cfn-exec',
  'DeployRole.Arn': 'arn:aws:iam::111122223333:role/batchform/prod-deploy',
  'PreviewRole.Arn': 'arn:aws:iam::111122223333:role/batchform/prod-preview',
};

function condition(name: string, params: Params): boolean {
  const evalc = (c: any): boolean => {
    const [k, a] = Object.entries(c)[0] as [string, any];
    if (k === 'Fn::Equals') return resolve(a[0], params) === resolve(a[1], params);
    if (k === 'Fn::Not') return !evalc(a[0]);
    if (k === 'Fn::And') return a.every(evalc);
    if (k === 'Condition') return condition(a, params);
    throw new Error(`condition function ${k}`);
  };
  return evalc(template.Conditions[name]);
}

function resolve(v: any, params: Params): any {
  if (Array.isArray(v)) return v.map((x) => resolve(x, params));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    const a = v[keys[0]];
    switch (keys[0]) {
      case 'Ref': return params[a] ?? PSEUDO[a] ?? (a === 'Bucket' ? 'acme-artifacts' : `<${a}>`);
      case 'Fn::GetAtt': return ARNS[a.join('.')];
      case 'Fn::If': return resolve(condition(a[0], params) ? a[1] : a[2], params);
      case 'Fn::Select': return resolve(a[1], params)[a[0]];
      case 'Fn::Split': return String(resolve(a[1], params)).split(a[0]);
      case 'Fn::Join': return resolve(a[1], params).join(a[0]);
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(a) ? a : [a, {}];
        const local = resolve(vars, params);
        return text.replace(/\$\{([^}]+)\}/g, (_: string, n: string) => {
          const value = local[n] ?? params[n] ?? PSEUDO[n];
          if (value === undefined) throw new Error(`unresolved \${${n}}`);
          return value;
        });
      }
      default: throw new Error(`intrinsic ${keys[0]}`);
    }
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, params)]));
}

/** Whether IAM lets a GitHub token with these claims assume the role (the template only uses StringEquals). */
function trusts(role: string, claims: { aud: string; sub: string }, params: Params = PARAMS): boolean {
  const doc = resolve(R[role].Properties.AssumeRolePolicyDocument, params);
  return doc.Statement.some((st: Json) => {
    if (st.Effect !== 'Allow' || st.Action !== 'sts:AssumeRoleWithWebIdentity') return false;
    if (st.Principal.Federated !== (params.ExistingOidcProviderArn || ARNS['GitHubOidcProvider.Arn'])) return false;
    return Object.entries(st.Condition as Json).every(([op, kv]) => {
      if (op !== 'StringEquals') throw new Error(`operator ${op}`);
      return Object.entries(kv as Json).every(([key, values]) => {
        const claim = key.replace('token.actions.githubusercontent.com:', '') as 'aud' | 'sub';
        return list(values).includes(claims[claim]);
      });
    });
  });
}

/** The role's policy statements as AWS will store them. */
function statements(role: string, params: Params = PARAMS): Json[] {
  return R[role].Properties.Policies.flatMap((p: Json) => resolve(p.PolicyDocument, params).Statement);
}
const actionsOf = (sts: Json[], effect: 'Allow' | 'Deny') => sts.filter((s) => s.Effect === effect && s.Action !== undefined).flatMap((s) => list(s.Action) as string[]);
/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);

// ---------------------------------------------------------------------------------------------

describe('the bootstrap template', () => {
  test('passes cfn-lint and the offline validator with no error and no warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-boot-'));
    try {
      const file = path.join(dir, 'bootstrap.template.json');
      fs.writeFileSync(file, JSON.stringify(template, null, 2));
      for (const engine of hasCfnLint() ? (['cfn-lint', 'offline'] as const) : (['offline'] as const)) {
        const result = lintTemplates([file], { engine });
        expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
        expect(result.ok).toBe(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('holds no run ledger table: the stage stack does (deployed through change sets), so no output names one either', () => {
    expect(Object.values(R).filter((r: Json) => r.Type === 'AWS::DynamoDB::Table')).toEqual([]);
    expect(Object.keys(template.Outputs).filter((k) => /Ledger/.test(k))).toEqual([]);
  });

  test('is raw CloudFormation: no CDK metadata, bootstrap version or marker', () => {
    expect(JSON.stringify(template)).not.toMatch(/CDKMetadata|BootstrapVersion|aws:cdk|"\/\/"/);
  });

  test('creates the GitHub OIDC provider, or uses the account\'s existing one', () => {
    expect(R.GitHubOidcProvider).toMatchObject({
      Type: 'AWS::IAM::OIDCProvider',
      Condition: 'CreateOidcProvider',
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
    });
    expect(condition('CreateOidcProvider', PARAMS)).toBe(true);
    const existing = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const params = { ...PARAMS, ExistingOidcProviderArn: existing };
    expect(condition('CreateOidcProvider', params)).toBe(false);
    expect(trusts('DeployRole', { aud: 'sts.amazonaws.com', sub: 'repo:acme/batches:environment:prod' }, params)).toBe(true);
  });

  test('outputs the three role ARNs and the bucket name', () => {
    const { deployRoleArn, previewRoleArn, executionRoleArn, bucketName } = BOOTSTRAP_OUTPUTS;
    for (const key of [deployRoleArn, previewRoleArn, executionRoleArn, bucketName]) {
      expect(template.Outputs[key]).toBeDefined();
    }
    expect(resolve(template.Outputs.DeployRoleArn.Value, PARAMS)).toBe(ARNS['DeployRole.Arn']);
    expect(resolve(template.Outputs.ArtifactBucket.Value, PARAMS)).toBe('acme-artifacts');
  });

  test('names the roles under their own path, out of reach of the batch stacks\' role names', () => {
    for (const role of ['DeployRole', 'PreviewRole', 'ExecutionRole']) expect(R[role].Properties.Path).toBe(ROLE_PATH);
    expect(resolve(R.DeployRole.Properties.RoleName, PARAMS)).toBe('prod-deploy');
  });

  test('the repository pattern accepts OWNER/REPO and rejects anything else', () => {
    const re = new RegExp(REPOSITORY_PATTERN);
    expect(['acme/batches', 'Acme-Corp/my.repo_2'].every((r) => re.test(r))).toBe(true);
    expect(['acme', 'acme/', '/batches', 'acme/batches/x', 'ac me/batches'].some((r) => re.test(r))).toBe(false);
  });
});

describe('the artifact bucket', () => {
  const bucket = R.Bucket;

  test('is versioned, encrypted, private, and kept when the stack is deleted', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('expires old versions by lifecycle', () => {
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Json[];
    expect(rules.find((r) => r.NoncurrentVersionExpiration)?.NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThan(0);
    expect(rules.every((r) => r.Status === 'Enabled')).toBe(true);
  });

  test('refuses every request that is not TLS, on the bucket and its objects', () => {
    const policy = resolve(R.BucketPolicy.Properties, PARAMS);
    expect(policy.Bucket).toBe('acme-artifacts');
    expect(policy.PolicyDocument.Statement).toContainEqual({
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::acme-artifacts', 'arn:aws:s3:::acme-artifacts/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});

describe('trust', () => {
  const aud = 'sts.amazonaws.com';
  const ids = { ...PARAMS, GitHubOwnerId: '123456', GitHubRepositoryId: '456789' };
  const subOf = (role: string, params: Params) => resolve(R[role].Properties.AssumeRolePolicyDocument, params).Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];

  test('both roles require the STS audience and exact subjects (StringEquals, no wildcard)', () => {
    for (const role of ['DeployRole', 'PreviewRole']) {
      for (const keys of SUBJECT_CLAIM_KEY_SETS) {
        const st = resolve(R[role].Properties.AssumeRolePolicyDocument, { ...ids, GitHubSubjectClaimKeys: keys.join(',') }).Statement;
        expect(st).toHaveLength(1);
        expect(Object.keys(st[0].Condition)).toEqual(['StringEquals']);
        expect(st[0].Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe(aud);
        expect(JSON.stringify(st[0].Condition)).not.toContain('*');
      }
    }
  });

  test('the deploy role trusts only the stage\'s environment, so its reviewers cannot be skipped by a job on main without it', () => {
    expect(subOf('DeployRole', PARAMS)).toEqual(['repo:acme/batches:environment:prod']);
  });

  test('the preview role trusts the preview workflow\'s job on the deploy branch (workflow_run runs on the default branch), never a pull request', () => {
    expect(subOf('PreviewRole', PARAMS)).toEqual(['repo:acme/batches:ref:refs/heads/main']);
    expect(subOf('PreviewRole', { ...PARAMS, DeployBranch: 'trunk' })).toEqual(['repo:acme/batches:ref:refs/heads/trunk']);
  });

  test('the environment is required: with none, the deploy role would trust what the preview role trusts', () => {
    expect(template.Parameters.GitHubEnvironment).toMatchObject({ MinLength: 1, MaxLength: 255 });
    expect(template.Parameters.GitHubEnvironment.Default).toBeUndefined();
  });

  test('an environment name with ":" is matched as GitHub writes it (%3A)', () => {
    expect(subOf('DeployRole', { ...PARAMS, GitHubEnvironment: 'prod:eu' })).toEqual(['repo:acme/batches:environment:prod%3Aeu']);
  });

  test('with the numeric ids, it also trusts GitHub\'s immutable subjects (OWNER@ID/REPO@ID)', () => {
    expect(subOf('DeployRole', ids)).toEqual(['repo:acme/batches:environment:prod', 'repo:acme@123456/batches@456789:environment:prod']);
    expect(subOf('PreviewRole', ids)).toEqual(['repo:acme/batches:ref:refs/heads/main', 'repo:acme@123456/batches@456789:ref:refs/heads/main']);
  });

  test('GitHubSubjectClaimKeys allows exactly the supported templates, GitHub\'s default unless the project sets one', () => {
    expect(template.Parameters.GitHubSubjectClaimKeys).toMatchObject({ Type: 'String', Default: '', AllowedValues: ['', 'repo,context,ref', 'repo,context,ref,job_workflow_ref'] });
    const custom = bootstrapTemplate({ githubRepository: 'acme/batches', subjectClaimKeys: ['repo', 'context', 'ref'] }) as Json;
    expect(custom.Parameters.GitHubSubjectClaimKeys.Default).toBe('repo,context,ref');
  });

  // The template's intrinsics and the pure helper compute the same subjects, for every template,
  // with and without ids, and with an environment GitHub escapes.
  test.each(SUBJECT_CLAIM_KEY_SETS.flatMap((keys) => [false, true].flatMap((withIds) => ['prod', 'prod:eu'].map((env) => [keys.join(',') || '(default)', keys, withIds, env] as const))))(
    'subject template %s, ids %s, environment %s: the policies trust exactly trustedSubjects()', (_name, keys, withIds, env) => {
      const params = { ...(withIds ? ids : PARAMS), GitHubEnvironment: env, DeployBranch: 'release/v2', GitHubSubjectClaimKeys: keys.join(',') };
      const expected = trustedSubjects({ repository: 'acme/batches', environment: env, branch: 'release/v2', claimKeys: keys, ids: withIds ? { owner: '123456', repository: '456789' } : undefined });
      expect(subOf('DeployRole', params)).toEqual(expected.deploy);
      expect(subOf('PreviewRole', params)).toEqual(expected.preview);
    });

  test.each([
    ['a push to main without the environment (the preview job on workflow_run)', 'repo:acme/batches:ref:refs/heads/main', false, true],
    ['stage environment', 'repo:acme/batches:environment:prod', true, false],
    ['immutable main branch without the environment', 'repo:acme@123456/batches@456789:ref:refs/heads/main', false, true],
    ['immutable stage environment', 'repo:acme@123456/batches@456789:environment:prod', true, false],
    ['pull request', 'repo:acme/batches:pull_request', false, false],
    ['immutable pull request', 'repo:acme@123456/batches@456789:pull_request', false, false],
    ['another branch', 'repo:acme/batches:ref:refs/heads/feature', false, false],
    ['another environment', 'repo:acme/batches:environment:staging', false, false],
    ['a tag', 'repo:acme/batches:ref:refs/tags/v1', false, false],
    ['another repository', 'repo:evil/batches:ref:refs/heads/main', false, false],
    ['a recycled name with other ids', 'repo:acme@999/batches@888:ref:refs/heads/main', false, false],
    ['a pull request of another repository', 'repo:evil/batches:pull_request', false, false],
  ])('GitHub\'s default subject, a token for %s (%s): deploy role %s, preview role %s', (_name, sub, deploy, preview) => {
    expect(trusts('DeployRole', { aud, sub }, ids)).toBe(deploy);
    expect(trusts('PreviewRole', { aud, sub }, ids)).toBe(preview);
  });

  test.each([
    ['the deploy job: environment prod on main', 'repo:acme/batches:environment:prod:ref:refs/heads/main', true, false],
    ['environment prod on another branch', 'repo:acme/batches:environment:prod:ref:refs/heads/feature', false, false],
    ['environment prod from a pull request', 'repo:acme/batches:environment:prod:ref:refs/pull/7/merge', false, false],
    ['environment prod in the default form (a repository that did not customize)', 'repo:acme/batches:environment:prod', false, false],
    ['the preview job: workflow_run on main', 'repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main', false, true],
    ['a job on another branch', 'repo:acme/batches:ref:refs/heads/feature:ref:refs/heads/feature', false, false],
    ['a pull request', 'repo:acme/batches:pull_request:ref:refs/pull/7/merge', false, false],
    ['immutable deploy job', 'repo:acme@123456/batches@456789:environment:prod:ref:refs/heads/main', true, false],
  ])('subject template repo,context,ref, a token for %s (%s): deploy role %s, preview role %s', (_name, sub, deploy, preview) => {
    const params = { ...ids, GitHubSubjectClaimKeys: 'repo,context,ref' };
    expect(trusts('DeployRole', { aud, sub }, params)).toBe(deploy);
    expect(trusts('PreviewRole', { aud, sub }, params)).toBe(preview);
  });

  test.each([
    ['the deploy job of batchform.yml', 'repo:acme/batches:environment:prod:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/batchform.yml@refs/heads/main', true, false],
    ['the preview job of batchform-preview.yml', 'repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/batchform-preview.yml@refs/heads/main', false, true],
    ['another workflow on main, in the environment', 'repo:acme/batches:environment:prod:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/release.yml@refs/heads/main', false, false],
    ['another workflow on main, without an environment', 'repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/release.yml@refs/heads/main', false, false],
    ['the deploy workflow read from another branch', 'repo:acme/batches:environment:prod:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/batchform.yml@refs/heads/feature', false, false],
  ])('subject template repo,context,ref,job_workflow_ref, a token for %s: deploy role %s, preview role %s', (_name, sub, deploy, preview) => {
    const params = { ...PARAMS, GitHubSubjectClaimKeys: 'repo,context,ref,job_workflow_ref' };
    expect(trusts('DeployRole', { aud, sub }, params)).toBe(deploy);
    expect(trusts('PreviewRole', { aud, sub }, params)).toBe(preview);
  });

  test('a token for another audience is trusted by neither role', () => {
    expect(trusts('DeployRole', { aud: 'https://github.com/acme', sub: 'repo:acme/batches:environment:prod' })).toBe(false);
    expect(trusts('PreviewRole', { aud: 'https://github.com/acme', sub: 'repo:acme/batches:ref:refs/heads/main' })).toBe(false);
  });

  test('the execution role is assumable by CloudFormation only', () => {
    expect(R.ExecutionRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });
});

/** Allowed actions a preview may have: reads, and creating/deleting (never executing) change sets. */
const PREVIEW_MAY = [
  /^cloudformation:(Describe|Get|List)\w+$/, /^cloudformation:(Create|Delete)ChangeSet$/,
  /^s3:(GetObject|ListBucket)$/, /^ec2:Describe\w+$/, /^iam:PassRole$/, /^lambda:GetAccountSettings$/,
  // The recent run durations of a batch whose timeout or schedule changes: metric statistics, a read.
  /^cloudwatch:GetMetricStatistics$/,
];
/** Problems with a role as a preview role; empty when it is one. Its one write, into the preview area, is checked on its own below. */
function previewProblems(sts: Json[]): string[] {
  const allowed = actionsOf(sts.filter((s) => s.Sid !== 'PreviewLargeTemplates'), 'Allow');
  return [
    ...allowed.filter((a) => !PREVIEW_MAY.some((re) => re.test(a))).map((a) => `allows ${a}`),
    ...['cloudformation:ExecuteChangeSet', 's3:PutObject', 's3:DeleteObject'].filter((a) => allowed.some((p) => matches(p, a))).map((a) => `allows ${a}`),
  ];
}

describe('the preview role', () => {
  const sts = statements('PreviewRole');

  test('may only read, and create, describe and delete change sets: no execution, no resource change, no S3 write', () => {
    expect(previewProblems(sts)).toEqual([]);
    expect(actionsOf(sts, 'Allow')).toEqual(expect.arrayContaining([
      'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:DeleteChangeSet',
      'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 's3:GetObject',
    ]));
  });

  test('the check above does fail for a role that can deploy', () => {
    expect(previewProblems(statements('DeployRole'))).toEqual(expect.arrayContaining([
      'allows cloudformation:ExecuteChangeSet', 'allows s3:PutObject',
    ]));
  });

  test('is explicitly denied executing change sets, changing stacks and writing to S3, whatever else it is given', () => {
    const denied = actionsOf(sts, 'Deny');
    for (const action of [
      'cloudformation:ExecuteChangeSet', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack',
      'cloudformation:ContinueUpdateRollback', 's3:PutObject', 's3:PutObjectAcl', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketPolicy',
    ]) {
      expect(`${action}: ${denied.some((p) => matches(p, action))}`).toBe(`${action}: true`);
    }
    // Unconditional: everywhere, or (for S3 writes) everywhere but the preview area.
    const area = 'arn:aws:s3:::acme-artifacts/batchform-preview/*';
    expect(sts.filter((s) => s.Effect === 'Deny' && s.Sid !== 'NeverReadTheLedger').every((s) => (s.Resource === '*' || (s.Resource === undefined && s.NotResource === area)) && !s.Condition)).toBe(true);
  });

  test('is denied every data action on the stage\'s run ledger, unconditionally: only the table\'s settings stay readable', () => {
    const deny = sts.find((s) => s.Sid === 'NeverReadTheLedger')!;
    expect(deny).toMatchObject({ Effect: 'Deny' });
    // Every action but the reads of the table's settings that drift detection makes (no Get, Query, Scan, Export, write).
    expect([...deny.NotAction].sort()).toEqual([
      'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeContributorInsights', 'dynamodb:DescribeKinesisStreamingDestination',
      'dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:GetResourcePolicy', 'dynamodb:ListTagsOfResource',
    ]);
    expect(deny.Condition).toBeUndefined();
    expect(deny.Resource).toEqual([
      'arn:aws:dynamodb:ap-northeast-2:111122223333:table/prod-batchform-ledger', 'arn:aws:dynamodb:ap-northeast-2:111122223333:table/prod-batchform-ledger/*',
    ]);
  });

  test('its one write is a template into the preview area, which expires within a day', () => {
    const write = sts.find((s) => s.Sid === 'PreviewLargeTemplates')!;
    expect(write).toMatchObject({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'] });
    expect(write.Resource).toBe('arn:aws:s3:::acme-artifacts/batchform-preview/*');
    const rule = R.Bucket.Properties.LifecycleConfiguration.Rules.find((r: Json) => r.Id === 'ExpirePreviewArea');
    expect(rule).toMatchObject({ Status: 'Enabled', Prefix: { 'Fn::Sub': '${ArtifactPrefix}-preview/' }, ExpirationInDays: 1 });
  });

  test('creates change sets only as the execution role, only on this stage\'s stacks', () => {
    const create = sts.find((s) => list(s.Action).includes('cloudformation:CreateChangeSet'))!;
    expect(create.Resource).toBe('arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-*/*');
    expect(create.Condition).toEqual({ StringEquals: { 'cloudformation:RoleArn': ARNS['ExecutionRole.Arn'] } });
  });

  test('reads only code keys under the artifact prefix, and passes only the execution role, to CloudFormation', () => {
    expect(sts.find((s) => s.Action === 's3:GetObject')!.Resource).toBe('arn:aws:s3:::acme-artifacts/batchform/*');
    expect(sts.find((s) => s.Action === 'iam:PassRole')).toEqual({
      Sid: 'PassExecutionRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: ARNS['ExecutionRole.Arn'],
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
  });
});

describe('the deploy role', () => {
  const sts = statements('DeployRole');

  test('manages change sets of this stage\'s stacks, writes artifacts under the prefix, passes only the execution role: nothing else', () => {
    const byAction = new Map<string, Json[]>();
    for (const s of sts.filter((x) => x.Effect === 'Allow')) for (const a of list(s.Action) as string[]) byAction.set(a, [...(byAction.get(a) ?? []), s]);
    for (const [action, sts2] of byAction) {
      const resources = sts2.flatMap((s) => list(s.Resource));
      // Listing every stack of the region (DescribeStacks without a name) has no narrower resource.
      if (action === 'cloudformation:DescribeStacks') expect(resources).toEqual(['*']);
      else if (action.startsWith('cloudformation:')) expect(resources).toEqual(['arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-*/*']);
      else if (action === 's3:PutObject' || action === 's3:GetObject') expect(resources).toEqual(['arn:aws:s3:::acme-artifacts/batchform/*']);
      else if (action === 's3:ListBucket') expect(resources).toEqual(['arn:aws:s3:::acme-artifacts']);
      else if (action === 'iam:PassRole') expect(resources).toEqual([ARNS['ExecutionRole.Arn']]);
      // The account's Lambda concurrency, checked before new batches reserve some: IAM knows no narrower resource.
      else if (action === 'lambda:GetAccountSettings') expect(resources).toEqual(['*']);
      else expect(action).toMatch(/^ec2:Describe(SecurityGroups|Subnets|Vpcs)$/);
    }
    expect([...byAction.keys()].filter((a) => a.startsWith('iam:'))).toEqual(['iam:PassRole']);
    // The deploy role touches no batch resource itself (reading the account's Lambda settings changes nothing).
    expect([...byAction.keys()].filter((a) => /^(lambda|events|logs|sqs|sns|kms|cloudwatch):/.test(a))).toEqual(['lambda:GetAccountSettings']);
  });

  test('creates change sets only as the execution role, so CloudFormation creates the resources as that role', () => {
    const create = sts.find((s) => list(s.Action).includes('cloudformation:CreateChangeSet'))!;
    expect(create.Condition).toEqual({ StringEquals: { 'cloudformation:RoleArn': ARNS['ExecutionRole.Arn'] } });
    expect(actionsOf(sts, 'Allow')).toEqual(expect.arrayContaining(['cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack']));
    expect(actionsOf(sts, 'Allow').filter((a) => /^cloudformation:(CreateStack|UpdateStack)$/.test(a))).toEqual([]);
  });
});

describe('the execution role', () => {
  const sts = statements('ExecutionRole');
  const allowed = actionsOf(sts, 'Allow');

  test('covers every resource type the batch templates and the stage stack create', () => {
    const decl = validateDeclarations({
      batches: [{ ...BATCH, vpc: true }], stages: [{ ...STAGE, alarmEmails: ['oncall@example.com'] }],
    }, { fileExists });
    const types = new Set([batchTemplates(decl.batches)['daily-stats'], stageTemplate(decl)]
      .flatMap((t) => Object.values(t.Resources as Json).map((r: Json) => r.Type as string)));
    expect(types.has('AWS::DynamoDB::Table')).toBe(true);
    const service: Record<string, string> = {
      'AWS::Lambda::Function': 'lambda:CreateFunction',
      'AWS::Lambda::Permission': 'lambda:AddPermission',
      'AWS::Lambda::EventInvokeConfig': 'lambda:PutFunctionEventInvokeConfig',
      'AWS::Events::Rule': 'events:PutRule',
      'AWS::Logs::LogGroup': 'logs:CreateLogGroup',
      'AWS::IAM::Role': 'iam:CreateRole',
      'AWS::SQS::Queue': 'sqs:CreateQueue',
      'AWS::SQS::QueuePolicy': 'sqs:SetQueueAttributes',
      'AWS::SNS::Topic': 'sns:CreateTopic',
      'AWS::SNS::TopicPolicy': 'sns:SetTopicAttributes',
      'AWS::SNS::Subscription': 'sns:Subscribe',
      'AWS::KMS::Key': 'kms:CreateKey',
      'AWS::CloudWatch::Alarm': 'cloudwatch:PutMetricAlarm',
      'AWS::DynamoDB::Table': 'dynamodb:CreateTable',
    };
    for (const type of types) {
      expect(`${type}: ${service[type] ?? 'unknown type'}`).toBe(`${type}: ${service[type]}`);
      expect(allowed).toContain(service[type]);
    }
  });

  test('reaches only resources named after this stage\'s stacks, except where AWS offers no narrower resource', () => {
    const unscoped = ['FunctionNetwork', 'FindLogGroups', 'CreateAlarmTopicKeys', 'ManageAlarmTopicKeys'];
    for (const s of sts.filter((x) => x.Effect === 'Allow')) {
      for (const r of list(s.Resource) as string[]) {
        if (unscoped.includes(s.Sid)) continue;
        // The run ledger has one exact name per stage.
        expect(`${s.Sid}: ${r}`).toMatch(/(:|\/)prod-\*$|acme-artifacts\/batchform\/\*$|:table\/prod-batchform-ledger$/);
      }
    }
    expect(sts.find((s) => s.Sid === 'RunLedgerTable')?.Resource).toBe('arn:aws:dynamodb:ap-northeast-2:111122223333:table/prod-batchform-ledger');
    // The unscoped ones are reads, or key actions conditioned on the batch tag.
    expect(sts.filter((s) => unscoped.includes(s.Sid) && !s.Condition).flatMap((s) => list(s.Action))
      .every((a) => /:(Describe|List)/.test(a as string))).toBe(true);
  });

  test('creates and changes function roles only with the batch permissions boundary, and never removes it', () => {
    const boundary = resolve(template.Resources.BatchRoleBoundary, { ...PARAMS, AssumableRoleArns: [] as unknown as string });
    expect(boundary.Type).toBe('AWS::IAM::ManagedPolicy');
    // What the boundary allows and denies is evaluated in test/iam/bootstrap-roles.test.ts.
    expect(boundary.Properties.PolicyDocument.Statement[1]).toEqual(
      { Sid: 'NeverAdministration', Effect: 'Deny', Action: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    );
    const withBoundary = sts.find((x) => x.Sid === 'FunctionRolesWithBoundary');
    expect(withBoundary).toMatchObject({
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: 'arn:aws:iam::111122223333:role/prod-*',
      Condition: { StringEquals: { 'iam:PermissionsBoundary': '<BatchRoleBoundary>' } },
    });
    // No other Allow grants these actions without the condition.
    const ungated = sts.filter((x) => x.Effect === 'Allow' && x !== withBoundary).flatMap((x) => list(x.Action));
    expect(ungated.filter((a) => ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'].includes(a as string))).toEqual([]);
    expect(sts.find((x) => x.Sid === 'KeepTheBoundary')).toEqual({ Sid: 'KeepTheBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' });
    expect(template.Outputs.PermissionsBoundaryArn.Value).toEqual({ Ref: 'BatchRoleBoundary' });
  });

  test('has no wildcard action, no managed-policy attachment, and passes batch roles to Lambda and the Scheduler only', () => {
    expect(allowed.filter((a) => a === '*' || /:\*$/.test(a))).toEqual([]);
    expect(allowed.filter((a) => /^iam:(Attach|Detach|CreatePolicy|CreateUser|CreateAccessKey)/.test(a))).toEqual([]);
    expect(sts.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Resource: 'arn:aws:iam::111122223333:role/prod-*',
      Condition: { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'scheduler.amazonaws.com'] } },
    });
    // The bootstrap roles live under their own path, so role/prod-* cannot reach them.
    expect(matches('arn:aws:iam::111122223333:role/prod-*', ARNS['DeployRole.Arn'])).toBe(false);
  });
});

describe('the Batchform component', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchProject('bootc');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes cfn-out/bootstrap.template.json with the repository as default, and a bootstrap task per stage', () => {
    const project = new Project({ name: 'fixture', outdir: dir });
    new Batchform(project, { stages: [{ ...STAGE, githubEnvironment: 'Prod env' }], batches: [BATCH], githubRepository: 'acme/batches' });
    project.synth();
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'), 'utf8'));
    expect(written['//']).toBeUndefined();
    expect(written.Parameters.GitHubRepository.Default).toBe('acme/batches');
    const task = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks['bootstrap:prod'];
    // One step: the CLI does the account check, the OIDC lookup and the change set (projen's shell runs plain commands only).
    expect(task.steps).toEqual([{
      exec: 'batchform bootstrap --stage prod --manifest cfn-out/manifest.json --template cfn-out/bootstrap.template.json',
      receiveArgs: true,
    }]);
  });

  test('without a repository the template has no default for it', () => {
    const project = new Project({ name: 'fixture', outdir: dir });
    new Batchform(project, { stages: [STAGE], batches: [BATCH] });
    project.synth();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'), 'utf8')).Parameters.GitHubRepository.Default).toBeUndefined();
  });

  test('githubSubjectClaimKeys becomes the default of GitHubSubjectClaimKeys', () => {
    const project = new Project({ name: 'fixture', outdir: dir });
    new Batchform(project, { stages: [STAGE], batches: [BATCH], githubRepository: 'acme/batches', githubSubjectClaimKeys: ['repo', 'context', 'ref'] });
    project.synth();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'), 'utf8')).Parameters.GitHubSubjectClaimKeys.Default).toBe('repo,context,ref');
  });

  test.each([
    ['an unknown key', ['repo', 'context', 'sha'], /githubSubjectClaimKeys \["repo","context","sha"\] includes "sha", which the bootstrap's trust cannot match .* Fix: use one of \[\] \(GitHub's default subject\), \['repo', 'context', 'ref'\] or \['repo', 'context', 'ref', 'job_workflow_ref'\]/],
    ['known keys in another order', ['context', 'repo', 'ref'], /githubSubjectClaimKeys \["context","repo","ref"\] is not a subject template the bootstrap supports \(GitHub joins the keys in the order given.*Fix: use one of .*, in that order\./],
    ['a template without the environment', ['repo', 'ref'], /githubSubjectClaimKeys \["repo","ref"\] is not a subject template the bootstrap supports/],
  ])('rejects githubSubjectClaimKeys with %s, quoting it and the fix, and writes nothing', (_what, keys, message) => {
    const project = new Project({ name: 'fixture', outdir: dir });
    new Batchform(project, { stages: [STAGE], batches: [BATCH], githubSubjectClaimKeys: keys });
    const before = fs.readdirSync(dir).sort();
    expect(() => project.synth()).toThrow(message);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  test('rejects an unknown Batchform option with a did-you-mean (an untyped .projenrc.ts would otherwise declare nothing)', () => {
    const project = new Project({ name: 'fixture', outdir: dir });
    const options = { stage: [STAGE], batches: [BATCH] } as unknown as ConstructorParameters<typeof Batchform>[1];
    expect(() => new Batchform(project, options))
      .toThrow(/^batchform: unknown Batchform option "stage" \(did you mean "stages"\?\)\. Fix: use the options batchform knows: batches, stages, /);
    const far = { nothingLikeIt: true } as unknown as ConstructorParameters<typeof Batchform>[1];
    expect(() => new Batchform(new Project({ name: 'fixture2', outdir: dir }), far)).toThrow(/unknown Batchform option "nothingLikeIt"\. Fix: /);
  });

  test('rejects a repository that is not OWNER/REPO, quoting it and the fix', () => {
    const project = new Project({ name: 'fixture', outdir: dir });
    expect(() => new Batchform(project, { githubRepository: 'https://github.com/acme/batches' }))
      .toThrow(/githubRepository "https:\/\/github\.com\/acme\/batches" is not OWNER\/REPO\. Fix: .*"batchform\/batchform"/);
  });
});
