// The one-time bootstrap template: GitHub OIDC trust, the artifact bucket, and the deploy, preview and execution roles.
import { App, CfnCondition, CfnDeletionPolicy, CfnOutput, CfnParameter, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnOIDCProvider, CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnBucket, CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { batchBoundaryStatements, HAS_ASSUMABLE_ROLES } from './batch-boundary-policy';
import { deployStatements } from './deploy-role-policy';
import { executionStatements } from './execution-role-policy';
import { operatorStatements } from './operator-role-policy';
import { DETECTS_DRIFT, previewStatements } from './preview-role-policy';
import { checkSubjectClaimKeys, claimKeysParameter, DEPLOY_WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE, SUBJECT_CLAIM_KEY_SETS } from './trust';
import { BOOTSTRAP_LOGICAL_IDS, BOOTSTRAP_STACK_ID, BOOTSTRAP_NAMES, BOOTSTRAP_OUTPUTS, BOOTSTRAP_PARAMETERS, GITHUB_OIDC_HOST, PREVIEW_AREA_DAYS, PREVIEW_AREA_SUFFIX, REPOSITORY_PATTERN, ROLE_PATH, STS_AUDIENCE } from '../model/bootstrap-names';
import { STAGE_DEFAULTS } from '../model/declaration-defaults';
import { ARTIFACT_PREFIX, MAX_STACK_PREFIX, NAME_PATTERN, STACK_PREFIX } from '../model/names';
import { CfnTemplate, synthesizeStacks } from '../template/synth';
import { tlsOnly } from '../template/tls-only';

export { BOOTSTRAP_STACK_ID, REPOSITORY_PATTERN } from '../model/bootstrap-names';

export { BOOTSTRAP_LOGICAL_IDS, BOOTSTRAP_OUTPUTS, BOOTSTRAP_PARAMETERS, GITHUB_OIDC_HOST, ROLE_PATH, STS_AUDIENCE } from '../model/bootstrap-names';
export { SUBJECT_CLAIM_KEY_SETS, trustedSubjects } from './trust';
export type { TrustedSubjects, TrustedSubjectsOptions } from './trust';

/** How many days an overwritten or deleted artifact version is kept. */
export const NONCURRENT_VERSION_DAYS = 30;

/** Options of {@link bootstrapTemplate}. */
export interface BootstrapTemplateOptions {
  /**
   * The GitHub repository the workflows run in, as the default of `GitHubRepository`.
   * @default - no default: the administrator passes it when deploying
   * @example 'batchform/batchform'
   */
  readonly githubRepository?: string;
  /**
   * The branch whose pushes deploy, as the default of `DeployBranch`.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The repository's OIDC subject template (`include_claim_keys`), as the default of
   * `GitHubSubjectClaimKeys`: one of {@link SUBJECT_CLAIM_KEY_SETS}.
   * @default [] (GitHub's default subject)
   */
  readonly subjectClaimKeys?: readonly string[];
}


/** The template's conditions that shape the trusted subjects. */
interface SubjectConditions {
  /** Both numeric ids are given: the immutable subject form is trusted too. */
  readonly hasIds: CfnCondition;
  /** The subject template includes `ref`. */
  readonly includesRef: CfnCondition;
  /** The subject template includes `job_workflow_ref` too. */
  readonly includesWorkflow: CfnCondition;
}

/**
 * The subjects of one role, as {@link trustedSubjects} computes them (test/bootstrap checks the two
 * agree for every template): `repo:OWNER/REPO:<context>` followed by the claims the subject template
 * adds (`:ref:refs/heads/<branch>`, then `:job_workflow_ref:OWNER/REPO/<workflowFile>@refs/heads/<branch>`),
 * and, when both numeric ids are given, the same with the immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID`.
 */
function subjects(context: string, workflowFile: string, c: SubjectConditions): unknown {
  const { repository, ownerId, repositoryId, branch } = BOOTSTRAP_PARAMETERS;
  const repo = Fn.ref(repository);
  const ref = `refs/heads/\${${branch}}`;
  const added = Fn.conditionIf(c.includesWorkflow.logicalId,
    Fn.sub(`:ref:${ref}:job_workflow_ref:\${${repository}}/${workflowFile}@${ref}`),
    Fn.conditionIf(c.includesRef.logicalId, Fn.sub(`:ref:${ref}`), '')).toString();
  const byName = Fn.join('', [Fn.sub(`repo:\${${repository}}:`), context, added]);
  const byId = Fn.join('', [
    Fn.sub(`repo:\${Owner}@\${${ownerId}}/\${Name}@\${${repositoryId}}:`, { Owner: Fn.select(0, Fn.split('/', repo)), Name: Fn.select(1, Fn.split('/', repo)) }),
    context,
    added,
  ]);
  return Fn.conditionIf(c.hasIds.logicalId, [byName, byId], [byName]);
}

/** Trust for GitHub's OIDC tokens with audience `sts.amazonaws.com` and one of `subs`, exactly. */
function trustPolicy(providerArn: string, subs: unknown): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subs,
        },
      },
    }],
  };
}

/** Adds the bootstrap parameters, resources and outputs to `stack`. */
export function addBootstrapResources(stack: Stack, options: BootstrapTemplateOptions = {}): void {
  stack.templateOptions.description = 'batchform bootstrap: GitHub OIDC trust, artifact bucket, and the deploy, preview and CloudFormation execution roles of one stage (and its optional operator role)';

  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.repository, {
    type: 'String',
    description: 'GitHub repository whose workflows may assume the roles: OWNER/REPO, with GitHub\'s exact capitalization',
    allowedPattern: REPOSITORY_PATTERN,
    constraintDescription: 'must be OWNER/REPO, e.g. batchform/batchform',
    ...(options.githubRepository ? { default: options.githubRepository } : {}),
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.ownerId, {
    type: 'String',
    default: '',
    description: 'Numeric id of the repository owner, to also trust GitHub\'s immutable subject claims (gh api repos/OWNER/REPO --jq .owner.id); empty trusts names only',
    allowedPattern: '^[0-9]*$',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.repositoryId, {
    type: 'String',
    default: '',
    description: 'Numeric id of the repository (gh api repos/OWNER/REPO --jq .id); set together with GitHubOwnerId',
    allowedPattern: '^[0-9]*$',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.environment, {
    type: 'String',
    description: 'GitHub environment of this stage\'s deploy job (the stage\'s githubEnvironment, by default its name): the deploy role trusts only jobs in it, so its reviewers and branch rules apply',
    minLength: 1,
    maxLength: 255,
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.stageName, {
    type: 'String',
    description: 'The stage\'s name: its stacks tag their resources batchform:stage=<StageName>, and the execution role manages only keys with that tag',
    allowedPattern: NAME_PATTERN.source,
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.assumableRoles, {
    type: 'CommaDelimitedList',
    default: '',
    description: 'Role ARNs the stage\'s batches may assume (the stage\'s assumableRoleArns); empty: none, the batch boundary denies every sts: action',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.branch, {
    type: 'String',
    default: options.branch ?? 'main',
    description: `Branch whose pushes deploy, which must also be the repository's default branch: the preview role trusts the job of ${PREVIEW_WORKFLOW_FILE}, which runs on workflow_run, and GitHub runs workflow_run workflows from the default branch (subject ref:refs/heads/<default branch>)`,
    minLength: 1,
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.subjectClaimKeys, {
    type: 'String',
    default: claimKeysParameter(checkSubjectClaimKeys(options.subjectClaimKeys, 'subjectClaimKeys')),
    allowedValues: SUBJECT_CLAIM_KEY_SETS.map(claimKeysParameter),
    description: 'The repository\'s OIDC subject template (include_claim_keys, gh api repos/OWNER/REPO/actions/oidc/customization/sub), which the trusted subjects must match: empty for GitHub\'s default (deploy: environment only); repo,context,ref to make the deploy role require the environment AND DeployBranch; repo,context,ref,job_workflow_ref to also pin each role to its workflow file',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.stackPrefix, {
    type: 'String',
    description: 'The stage\'s stackPrefix (by default its name): the roles reach only stacks and resources named <StackPrefix>-*',
    allowedPattern: STACK_PREFIX.source,
    maxLength: MAX_STACK_PREFIX,
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.bucketName, {
    type: 'String',
    description: 'Name of the artifact bucket to create (the stage\'s artifactBucket), e.g. batchform-artifacts-<account>-<region>',
    allowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.artifactPrefix, {
    type: 'String',
    default: STAGE_DEFAULTS.artifactPrefix,
    description: 'Key prefix of the code zips (the stage\'s artifactPrefix)',
    allowedPattern: ARTIFACT_PREFIX.source,
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.existingProvider, {
    type: 'String',
    default: '',
    description: 'ARN of the account\'s existing GitHub OIDC provider (an account has at most one); empty creates it',
  });

  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.operatorPrincipals, {
    type: 'CommaDelimitedList',
    default: '',
    description: 'IAM principals (account roots, roles, users) that may assume the operator role, which runs, backfills and redrives the stage\'s batches and reads their status and logs (the stage\'s operatorPrincipals); empty: no operator role',
  });
  new CfnParameter(stack, BOOTSTRAP_PARAMETERS.driftDetection, {
    type: 'String',
    default: 'true',
    allowedValues: ['true', 'false'],
    description: 'Whether previews detect drift (the stage\'s driftDetection): true lets the preview role read the stage\'s resources as drift detection does, including lambda:GetFunction (function environment variables); false removes those reads',
  });
  new CfnCondition(stack, DETECTS_DRIFT, {
    expression: Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.driftDetection), 'true'),
  });

  const createProvider = new CfnCondition(stack, 'CreateOidcProvider', {
    expression: Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.existingProvider), ''),
  });
  new CfnCondition(stack, HAS_ASSUMABLE_ROLES, {
    expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', Token.asList(Fn.ref(BOOTSTRAP_PARAMETERS.assumableRoles))), '')),
  });
  const subjectConditions: SubjectConditions = {
    hasIds: new CfnCondition(stack, 'TrustImmutableSubjects', {
      expression: Fn.conditionAnd(
        Fn.conditionNot(Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.ownerId), '')),
        Fn.conditionNot(Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.repositoryId), '')),
      ),
    }),
    includesRef: new CfnCondition(stack, 'SubjectIncludesRef', {
      expression: Fn.conditionNot(Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.subjectClaimKeys), '')),
    }),
    includesWorkflow: new CfnCondition(stack, 'SubjectIncludesWorkflow', {
      expression: Fn.conditionEquals(Fn.ref(BOOTSTRAP_PARAMETERS.subjectClaimKeys), claimKeysParameter(SUBJECT_CLAIM_KEY_SETS[2])),
    }),
  };

  const provider = new CfnOIDCProvider(stack, BOOTSTRAP_LOGICAL_IDS.provider, {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIdList: [STS_AUDIENCE],
  });
  provider.cfnOptions.condition = createProvider;
  const providerArn = Fn.conditionIf(createProvider.logicalId, provider.attrArn, Fn.ref(BOOTSTRAP_PARAMETERS.existingProvider)).toString();

  const bucket = new CfnBucket(stack, BOOTSTRAP_LOGICAL_IDS.bucket, {
    bucketName: Fn.ref(BOOTSTRAP_PARAMETERS.bucketName),
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: {
      serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    },
    publicAccessBlockConfiguration: {
      blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    },
    ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
    lifecycleConfiguration: {
      rules: [{
        id: 'ExpireOldVersions',
        status: 'Enabled',
        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      }, {
        // Templates a preview wrote because they were too large to send inline.
        id: 'ExpirePreviewArea',
        status: 'Enabled',
        prefix: Fn.sub(`\${${BOOTSTRAP_PARAMETERS.artifactPrefix}}${PREVIEW_AREA_SUFFIX}/`),
        expirationInDays: PREVIEW_AREA_DAYS,
        noncurrentVersionExpiration: { noncurrentDays: PREVIEW_AREA_DAYS },
      }, {
        id: 'RemoveExpiredDeleteMarkers',
        status: 'Enabled',
        expiredObjectDeleteMarker: true,
      }],
    },
  });
  // Deployed stacks keep reading their code from this bucket (rollbacks re-fetch it): never
  // delete it with the bootstrap stack.
  bucket.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  bucket.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;

  new CfnBucketPolicy(stack, BOOTSTRAP_LOGICAL_IDS.bucketPolicy, {
    bucket: bucket.ref,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [tlsOnly('s3:*', [bucket.attrArn, Fn.join('', [bucket.attrArn, '/*'])])],
    },
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason: 'The bucket holds only build artifacts (code zips named by their SHA-256, and large templates), written by the deploy role (and, in its expiring preview area, the preview role) alone; who read or wrote them is in CloudTrail. Server access logs would need a second bucket per account for little more.',
  });

  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  const boundary = new CfnManagedPolicy(stack, BOOTSTRAP_LOGICAL_IDS.boundary, {
    managedPolicyName: Fn.sub(`${prefix}-${BOOTSTRAP_NAMES.boundaryPolicy}`),
    path: ROLE_PATH,
    description: Fn.sub(`Permissions boundary of every batch role of ${prefix}-*: no IAM, STS (but the allowed roles), CloudFormation or artifact bucket, and nothing but invoking on batch functions`),
    policyDocument: { Version: '2012-10-17', Statement: batchBoundaryStatements() },
  });
  Validations.of(boundary).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::*]',
    reason: 'A permissions boundary, not a grant: it caps what a batch role\'s own statements can allow (everything but IAM, organization and account changes); each batch role still gets only its declared statements.',
  });
  Validations.of(boundary).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'A permissions boundary, not a grant: the resources a batch may touch are named by its own statements.',
  });
  const execution = new CfnRole(stack, BOOTSTRAP_LOGICAL_IDS.executionRole, {
    roleName: Fn.sub(`${prefix}-${BOOTSTRAP_NAMES.executionRole}`),
    path: ROLE_PATH,
    description: Fn.sub(`CloudFormation creates the batch stacks ${prefix}-* as this role`),
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [{
      policyName: 'batch-stacks',
      policyDocument: { Version: '2012-10-17', Statement: executionStatements(bucket.attrArn, boundary.ref) },
    }],
  });
  acknowledgeWildcards(execution, ['any', 'artifacts', 'getFunction', 'functions', 'rules', 'schedules', 'scheduleGroups', 'roles', 'logGroups', 'anyLogGroup', 'queues', 'topics', 'alarms', 'keys'], 'Every resource is scoped to the stage\'s stack prefix (functions, rules, schedules and schedule groups, log groups, roles, queues, topics, alarms named <StackPrefix>-*) or to the artifact prefix in the bucket; "*" remains only where AWS offers no resource-level scoping: the EC2 describe calls Lambda makes for VPC functions, and kms:CreateKey/TagResource (conditioned on the batchform:batch request tag). lambda:GetFunction* covers GetFunction and GetFunctionConfiguration that CloudFormation reads back.');
  const scope = { bucketArn: bucket.attrArn, executionRoleArn: execution.attrArn };

  const deploy = new CfnRole(stack, BOOTSTRAP_LOGICAL_IDS.deployRole, {
    roleName: Fn.sub(`${prefix}-${BOOTSTRAP_NAMES.deployRole}`),
    path: ROLE_PATH,
    description: Fn.sub(`GitHub Actions deploys the batch stacks ${prefix}-* as this role, from the environment \${${BOOTSTRAP_PARAMETERS.environment}} of \${${BOOTSTRAP_PARAMETERS.repository}} (and its deploy branch when the subject template includes the ref)`),
    // Only the environment's subject: a job on the deploy branch that names no environment would
    // skip the environment's required reviewers. GitHub writes a ":" in the name as %3A.
    assumeRolePolicyDocument: trustPolicy(providerArn, subjects(
      Fn.join('', ['environment:', Fn.join('%3A', Fn.split(':', Fn.ref(BOOTSTRAP_PARAMETERS.environment)))]),
      DEPLOY_WORKFLOW_FILE,
      subjectConditions,
    )),
    policies: [{ policyName: 'deploy', policyDocument: { Version: '2012-10-17', Statement: deployStatements(scope) } }],
  });

  acknowledgeWildcards(deploy, ['any', 'artifacts', 'stacks'], 'Change-set actions are scoped to stacks named <StackPrefix>-*, writes to the artifact prefix in the bucket; "*" only for cloudformation:DescribeStacks (one paginated call lists every stack, which IAM authorizes only on "*") and the EC2 describe calls CloudFormation makes to check subnet and security-group parameters.');

  const preview = new CfnRole(stack, BOOTSTRAP_LOGICAL_IDS.previewRole, {
    roleName: Fn.sub(`${prefix}-${BOOTSTRAP_NAMES.previewRole}`),
    path: ROLE_PATH,
    description: Fn.sub(`The preview workflow of \${${BOOTSTRAP_PARAMETERS.repository}} (workflow_run, on \${${BOOTSTRAP_PARAMETERS.branch}}) previews pull requests as change sets of ${prefix}-* as this role; it cannot execute them`),
    // Not pull_request: pull-request builds run without AWS access, and the preview job runs on
    // workflow_run, from the default branch's copy of the preview workflow.
    assumeRolePolicyDocument: trustPolicy(providerArn, subjects(
      Fn.sub(`ref:refs/heads/\${${BOOTSTRAP_PARAMETERS.branch}}`),
      PREVIEW_WORKFLOW_FILE,
      subjectConditions,
    )),
    policies: [{ policyName: 'preview', policyDocument: { Version: '2012-10-17', Statement: previewStatements(scope) } }],
  });
  acknowledgeWildcards(preview, ['any', 'artifacts', 'previewArea', 'stacks'], 'Change-set actions are scoped to stacks named <StackPrefix>-*, reads to the artifact prefix, its one write (a template too large to send inline) to the preview area <ArtifactPrefix>-preview/, which expires within a day and which no deploy reads; "*" only for cloudformation:DescribeStacks (one paginated call lists every stack), the EC2 describe calls that check parameters, cloudwatch:GetMetricStatistics (recent run durations; IAM authorizes it only on "*", it reads metrics, changes nothing), and the explicit Denies that forbid executing change sets, changing stacks and writing to S3 anywhere but the preview area.');

  const createOperator = new CfnCondition(stack, 'CreateOperatorRole', {
    expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', Token.asList(Fn.ref(BOOTSTRAP_PARAMETERS.operatorPrincipals))), '')),
  });
  const operator = new CfnRole(stack, BOOTSTRAP_LOGICAL_IDS.operatorRole, {
    roleName: Fn.sub(`${prefix}-${BOOTSTRAP_NAMES.operatorRole}`),
    path: ROLE_PATH,
    description: Fn.sub(`People and scripts run, backfill and redrive the batches ${prefix}-* and read their status and logs as this role; it changes no stack`),
    // A backfill of many runs outlives the default hour of a session.
    maxSessionDuration: 12 * 3600,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: Fn.ref(BOOTSTRAP_PARAMETERS.operatorPrincipals) }, Action: 'sts:AssumeRole' }],
    },
    policies: [{ policyName: 'operate', policyDocument: { Version: '2012-10-17', Statement: operatorStatements() } }],
  });
  operator.cfnOptions.condition = createOperator;
  acknowledgeWildcards(operator, ['any', 'stacks', 'functions', 'qualifiedFunctions', 'queues', 'alarms', 'logGroups'], 'Every action is scoped to the stage\'s batches <StackPrefix>-* (stacks, functions and their durable executions, whose ARNs extend a version\'s: function:<name>:<version>/durable-execution/..., dead-letter queues, alarms, log groups); "*" only for cloudformation:ListStacks, which IAM authorizes only on "*" (it lists stack names and statuses, changes nothing).');

  new CfnOutput(stack, BOOTSTRAP_OUTPUTS.deployRoleArn, {
    value: deploy.attrArn, description: 'The stage\'s deployRoleArn',
  });
  new CfnOutput(stack, BOOTSTRAP_OUTPUTS.previewRoleArn, {
    value: preview.attrArn, description: 'The stage\'s previewRoleArn',
  });
  new CfnOutput(stack, BOOTSTRAP_OUTPUTS.executionRoleArn, { value: execution.attrArn, description: 'The stage\'s executionRoleArn' });
  new CfnOutput(stack, BOOTSTRAP_OUTPUTS.permissionsBoundaryArn, { value: boundary.ref, description: 'The stage\'s permissionsBoundaryArn' });
  new CfnOutput(stack, BOOTSTRAP_OUTPUTS.bucketName, { value: bucket.ref, description: 'The stage\'s artifactBucket' });
  const operatorOutput = new CfnOutput(stack, BOOTSTRAP_OUTPUTS.operatorRoleArn, {
    value: operator.attrArn,
    description: 'The operator role: assume it to run batchform run, backfill, redrive, status and logs',
  });
  operatorOutput.condition = createOperator;
  const providerOutput = new CfnOutput(stack, BOOTSTRAP_OUTPUTS.providerArn, {
    value: provider.attrArn,
    description: 'The GitHub OIDC provider this stack created (pass it as ExistingOidcProviderArn to bootstrap another stage in this account)',
  });
  providerOutput.condition = createProvider;
}

/** cdk-nag's names of the wildcard resources the roles use (each acknowledged by name). */
const WILDCARDS = {
  any: 'Resource::*',
  artifacts: 'Resource::["${Bucket}/${ArtifactPrefix}/*",{"Bucket":{"Fn::GetAtt":["Bucket","Arn"]}}]',
  previewArea: 'Resource::["${Bucket}/${ArtifactPrefix}-preview/*",{"Bucket":{"Fn::GetAtt":["Bucket","Arn"]}}]',
  stacks: 'Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/<StackPrefix>-*/*',
  getFunction: 'Action::lambda:GetFunction*',
  functions: 'Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:<StackPrefix>-*',
  qualifiedFunctions: 'Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:<StackPrefix>-*:*',
  rules: 'Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/<StackPrefix>-*',
  schedules: 'Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<StackPrefix>-*/<StackPrefix>-*',
  scheduleGroups: 'Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule-group/<StackPrefix>-*',
  roles: 'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/<StackPrefix>-*',
  logGroups: 'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/<StackPrefix>-*',
  anyLogGroup: 'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*',
  queues: 'Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:<StackPrefix>-*',
  topics: 'Resource::arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:<StackPrefix>-*',
  alarms: 'Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:<StackPrefix>-*',
  keys: 'Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*',
} as const;

/** Acknowledges cdk-nag's wildcard findings on a role, each by its name, with the reason they are needed. */
function acknowledgeWildcards(role: CfnRole, findings: ReadonlyArray<keyof typeof WILDCARDS>, reason: string): void {
  for (const f of findings) Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${WILDCARDS[f]}]`, reason });
}


/** Builds the bootstrap template. */
export function bootstrapTemplate(options: BootstrapTemplateOptions = {}, configure?: (app: App) => void): CfnTemplate {
  return synthesizeStacks({ [BOOTSTRAP_STACK_ID]: (stack) => addBootstrapResources(stack, options) }, configure)[BOOTSTRAP_STACK_ID];
}
