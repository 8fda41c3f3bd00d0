// The parts the bootstrap roles' policies share: the statement type, the ARNs they are scoped to,
// and the statements the deploy and the preview role both hold.
import { Fn } from 'aws-cdk-lib';
import { BOOTSTRAP_PARAMETERS, PREVIEW_AREA_SUFFIX } from '../model/bootstrap-names';
import { LEDGER_TABLE_SUFFIX } from '../model/ledger';

/** A policy statement as CloudFormation takes it (values may be intrinsic functions). */
export type Statement = Record<string, unknown>;

/** The ARNs the policies are scoped to, as CloudFormation expressions. */
export interface PolicyScope {
  /** ARN of the artifact bucket. */
  readonly bucketArn: string;
  /** ARN of the CloudFormation execution role. */
  readonly executionRoleArn: string;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in this stack's account and region. */
export function arn(service: string, resource: string): string {
  return Fn.sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
}

/** The stage's run ledger table, `<stackPrefix>-batchform-ledger` (held by the stage stack); `/*` after it: its indexes and streams. */
export function ledgerTableArn(below = ''): string {
  return arn('dynamodb', `table/\${${BOOTSTRAP_PARAMETERS.stackPrefix}}-${LEDGER_TABLE_SUFFIX}${below}`);
}

/**
 * What CloudFormation reads of the run ledger table (AWS::DynamoDB::Table's read handler): its
 * settings, TTL, backups, contributor insights, Kinesis destinations, tags and resource policy,
 * never an item. The execution role reads these back after creating or updating the table; the
 * preview role reads them when it detects the stage stack's drift.
 */
export const LEDGER_TABLE_READS = [
  'dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:DescribeContinuousBackups',
  'dynamodb:DescribeContributorInsights', 'dynamodb:DescribeKinesisStreamingDestination',
  'dynamodb:ListTagsOfResource', 'dynamodb:GetResourcePolicy',
];

/** Every stack of this stage: `<stackPrefix>-<batch>`. */
export function stackArns(): string {
  return arn('cloudformation', `stack/\${${BOOTSTRAP_PARAMETERS.stackPrefix}}-*/*`);
}

/** The code zips (and templates too large to inline) under the stage's artifact prefix. */
export function artifactObjects(bucketArn: string): string {
  return Fn.sub(`\${Bucket}/\${${BOOTSTRAP_PARAMETERS.artifactPrefix}}/*`, { Bucket: bucketArn });
}

/** The preview area's objects, `<artifactPrefix>-preview/*`: not matched by {@link artifactObjects}. */
export function previewAreaObjects(bucketArn: string): string {
  return Fn.sub(`\${Bucket}/\${${BOOTSTRAP_PARAMETERS.artifactPrefix}}${PREVIEW_AREA_SUFFIX}/*`, { Bucket: bucketArn });
}

/**
 * What a preview or deploy reads of this stage's stacks: change sets, events (to explain a
 * failure), resources and templates. Shared by the deploy and the preview role.
 */
export const CHANGE_SET_READS = [
  'cloudformation:DescribeChangeSet',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary',
  'cloudformation:ListChangeSets',
];

/** The EC2 reads that check a VPC function's subnets and security groups (no resource-level scoping). */
export const VPC_DESCRIBE_ACTIONS = ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'];

/**
 * CloudFormation checks AWS-specific parameter types (the batch templates' subnet and security
 * group lists) against the account when a change set is created; these reads cannot be scoped.
 */
export function parameterTypeChecks(): Statement {
  return {
    Sid: 'CheckVpcParameters',
    Effect: 'Allow',
    Action: VPC_DESCRIBE_ACTIONS,
    Resource: '*',
  };
}

/**
 * Stack states and tags. The deploy engine reads every stack of the region in one paginated
 * DescribeStacks call (to skip unchanged stacks without a call each), which IAM authorizes only
 * on "*".
 */
export function listStacks(): Statement {
  return { Sid: 'ListStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' };
}

/** The account's Lambda concurrency, read before new batches reserve some (IAM authorizes it only on "*"). */
export function readLambdaAccountSettings(): Statement {
  return { Sid: 'ReadLambdaAccountSettings', Effect: 'Allow', Action: 'lambda:GetAccountSettings', Resource: '*' };
}

/** Passing the execution role to CloudFormation (and to nothing else). */
export function passExecutionRole(scope: PolicyScope): Statement {
  return {
    Sid: 'PassExecutionRole',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: scope.executionRoleArn,
    Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
  };
}

/** Listing the artifact bucket: without it S3 answers 403 instead of 404 for an absent zip. */
export function listArtifacts(scope: PolicyScope): Statement {
  return { Sid: 'ListArtifacts', Effect: 'Allow', Action: 's3:ListBucket', Resource: scope.bucketArn };
}

/** Change sets of the stage's stacks, only with the execution role (so never as the caller). */
export function createChangeSetsAsExecutionRole(scope: PolicyScope): Statement {
  return {
    Sid: 'CreateChangeSetsAsExecutionRole',
    Effect: 'Allow',
    Action: 'cloudformation:CreateChangeSet',
    Resource: stackArns(),
    Condition: { StringEquals: { 'cloudformation:RoleArn': scope.executionRoleArn } },
  };
}
