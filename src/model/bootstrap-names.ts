// How the bootstrap names what it creates, shared by its template and the stage rules (no aws-cdk-lib).

/** `owner/repo`, as GitHub spells it (the bootstrap parameter's AllowedPattern). */
export const REPOSITORY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$';

/** The bootstrap stack's id when synthesized (and its name in the template cache). */
export const BOOTSTRAP_STACK_ID = 'bootstrap';

/** IAM path of the bootstrap roles and policy, so no batch stack's role name (`<stackPrefix>-*`) can match them. */
export const ROLE_PATH = '/batchform/';

/** Name suffixes after the stage's stack prefix: `<stackPrefix>-deploy` and so on. */
export const BOOTSTRAP_NAMES = {
  executionRole: 'cfn-exec',
  deployRole: 'deploy',
  previewRole: 'preview',
  boundaryPolicy: 'batch-boundary',
  operatorRole: 'operate',
} as const;

/** Whether a role ARN is one of the bootstrap's (under its IAM path). */
export function isBootstrapRole(arn: string): boolean {
  return arn.includes(`:role${ROLE_PATH}`);
}

/** The ARN of the operator role the bootstrap creates for a stage (when it names operator principals). */
export function operatorRoleArn(partition: string, account: string, stackPrefix: string): string {
  return `arn:${partition}:iam::${account}:role${ROLE_PATH}${stackPrefix}-${BOOTSTRAP_NAMES.operatorRole}`;
}

/** The ARN of the batch permissions boundary the bootstrap creates for a stage. */
export function boundaryPolicyArn(account: string, stackPrefix: string): string {
  return `arn:aws:iam::${account}:policy${ROLE_PATH}${stackPrefix}-${BOOTSTRAP_NAMES.boundaryPolicy}`;
}

/**
 * Suffix of the preview area's key prefix in the artifact bucket: `<artifactPrefix>-preview/`.
 * The preview role may write templates there (and nowhere else); the objects expire after
 * {@link PREVIEW_AREA_DAYS} day; the deploy and execution roles' `<artifactPrefix>/*` patterns do
 * not match it, so nothing deploys from it.
 */
export const PREVIEW_AREA_SUFFIX = '-preview';

/** Days after which the lifecycle removes what a preview wrote. */
export const PREVIEW_AREA_DAYS = 1;

/** The preview area's key prefix (no trailing slash) of a stage's artifact prefix. */
export function previewAreaPrefix(artifactPrefix: string): string {
  return `${artifactPrefix}${PREVIEW_AREA_SUFFIX}`;
}

/** The tag every batch stack puts on its resources (stack tags propagate): `batchform:batch`. */
export const BATCH_TAG = 'batchform:batch';
/** The tag naming the stage of a stack's resources (batch and bootstrap stacks): `batchform:stage`. */
export const STAGE_TAG = 'batchform:stage';
/**
 * The tag naming the project a batch stack belongs to: `batchform:project`. With {@link STAGE_TAG}
 * and the stage's stack prefix it tells which live stacks a project owns, so a stack the manifest no
 * longer declares can be deleted, and a stack of another project or stage never is.
 */
export const PROJECT_TAG = 'batchform:project';

/** What a project identity may hold: a CloudFormation tag value (letters, digits, spaces and `_ . : / = + - @`), 1-256 characters. */
export const PROJECT_ID_PATTERN = /^[\p{L}\p{N}\p{Z}_.:/=+\-@]{1,256}$/u;

/** GitHub's OIDC issuer, as IAM names it in condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The audience `aws-actions/configure-aws-credentials` requests. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** Parameters of the bootstrap template. */
export const BOOTSTRAP_PARAMETERS = {
  repository: 'GitHubRepository',
  ownerId: 'GitHubOwnerId',
  repositoryId: 'GitHubRepositoryId',
  environment: 'GitHubEnvironment',
  branch: 'DeployBranch',
  subjectClaimKeys: 'GitHubSubjectClaimKeys',
  stackPrefix: 'StackPrefix',
  stageName: 'StageName',
  assumableRoles: 'AssumableRoleArns',
  bucketName: 'ArtifactBucketName',
  artifactPrefix: 'ArtifactPrefix',
  existingProvider: 'ExistingOidcProviderArn',
  operatorPrincipals: 'OperatorPrincipals',
  driftDetection: 'DriftDetection',
} as const;

/** Logical ids of the bootstrap resources. */
export const BOOTSTRAP_LOGICAL_IDS = {
  provider: 'GitHubOidcProvider',
  bucket: 'Bucket',
  bucketPolicy: 'BucketPolicy',
  executionRole: 'ExecutionRole',
  boundary: 'BatchRoleBoundary',
  deployRole: 'DeployRole',
  previewRole: 'PreviewRole',
  operatorRole: 'OperatorRole',
} as const;

/** Outputs an administrator copies into the stage declaration. */
export const BOOTSTRAP_OUTPUTS = {
  deployRoleArn: 'DeployRoleArn',
  previewRoleArn: 'PreviewRoleArn',
  executionRoleArn: 'ExecutionRoleArn',
  permissionsBoundaryArn: 'PermissionsBoundaryArn',
  bucketName: 'ArtifactBucket',
  providerArn: 'OidcProviderArn',
  operatorRoleArn: 'OperatorRoleArn',
} as const;

/** The start of every bootstrap stack's name: `batchform-bootstrap-<stage>`. */
export const BOOTSTRAP_STACK_PREFIX = 'batchform-bootstrap';

/** The bootstrap stack of a stage. */
export function bootstrapStackName(stage: { readonly name: string }): string {
  return `${BOOTSTRAP_STACK_PREFIX}-${stage.name}`;
}

/**
 * Whether a stage name or stack prefix is batchform's own: `batchform`, or one that starts with
 * `batchform-` (`batchform-bootstrap`, `batchform-bootstrap-prod`, ...). A stage's deploy and
 * execution roles reach every stack named `<stackPrefix>-*`, which would then match the bootstrap
 * stacks (`batchform-bootstrap-<stage>`) of every stage; compared ignoring case, as stack and IAM
 * names are.
 */
export function isBatchformOwnName(name: string): boolean {
  return /^batchform(-|$)/i.test(name);
}
