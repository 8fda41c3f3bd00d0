// Rules for stages, and for how batches refer to them (stage names, VPC ids per stage).
import { boundaryPolicyArn, isBootstrapRole } from '../../model/bootstrap-names';
import { ARTIFACT_PREFIX, MAX_STACK_PREFIX, NAME_PATTERN, STACK_PREFIX, stackPrefixOf } from '../../model/names';
import { regionFacts } from '../regions';
import { checkTags } from './tags';
import { BatchRule, StageRule, show, stagesOf, when } from './types';

const ACCOUNT = /^\d{12}$/;
/** The regions aws-cdk-lib knows, so the list stays current with the library. */
const isRegion = (name: string): boolean => Object.prototype.hasOwnProperty.call(regionFacts(), name);
const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SUBNET = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An IAM principal a role's trust policy can name: an account root, a role or a user. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=.@/-]{1,512}|user\/[\w+=.@/-]{1,512})$/;

export const stageShape: StageRule = (stage) => [
  ...when(typeof stage.name !== 'string' || !NAME_PATTERN.test(stage.name), {
    field: 'name', message: `${show(stage.name)} is not a valid stage name.`, fix: 'use lowercase letters, digits and hyphens, e.g. "prod".',
  }),
  ...when(!ACCOUNT.test(String(stage.account)), {
    field: 'account', message: `${show(stage.account)} is not a 12-digit AWS account id.`, fix: 'write the account id as a 12-digit string, e.g. "111122223333" (quote it to keep leading zeros).',
  }),
  ...when(!isRegion(String(stage.region)), {
    field: 'region',
    message: `${show(stage.region)} is not an AWS region.`,
    fix: `use a region code such as "ap-northeast-2" or "us-east-1"${nearRegion(stage.region)}.`,
  }),
  ...when(stage.stackPrefix !== undefined && (!STACK_PREFIX.test(stage.stackPrefix) || stage.stackPrefix.length > MAX_STACK_PREFIX), {
    field: 'stackPrefix', message: `${show(stage.stackPrefix)} cannot start a stack name.`, fix: 'use letters, digits and hyphens, starting with a letter, at most 40 characters, e.g. "acme-prod".',
  }),
  ...when(!BUCKET.test(String(stage.artifactBucket)), {
    field: 'artifactBucket', message: `${show(stage.artifactBucket)} is not a valid S3 bucket name.`, fix: 'use the bucket the bootstrap stack created (3-63 lowercase letters, digits, dots and hyphens).',
  }),
  ...when(stage.artifactPrefix !== undefined && !ARTIFACT_PREFIX.test(stage.artifactPrefix), {
    field: 'artifactPrefix', message: `${show(stage.artifactPrefix)} is not a usable S3 key prefix.`, fix: 'use letters, digits, ".", "_", "-" and "/", without leading or trailing slashes, e.g. "batchform".',
  }),
  ...(stage.subnetIds ?? []).filter((id) => !SUBNET.test(id)).map((id) => ({
    field: 'subnetIds', message: `${show(id)} is not a subnet id.`, fix: 'use ids like "subnet-0123456789abcdef0" (from the VPC console or `aws ec2 describe-subnets`).',
  })),
  ...(stage.securityGroupIds ?? []).filter((id) => !SECURITY_GROUP.test(id)).map((id) => ({
    field: 'securityGroupIds', message: `${show(id)} is not a security group id.`, fix: 'use ids like "sg-0123456789abcdef0".',
  })),
  ...duplicates(stage.subnetIds).map((id) => ({
    field: 'subnetIds', message: `lists ${show(id)} more than once; Lambda rejects a VPC configuration with duplicate subnets.`, fix: 'list each subnet once.',
  })),
  ...duplicates(stage.securityGroupIds).map((id) => ({
    field: 'securityGroupIds', message: `lists ${show(id)} more than once; Lambda rejects a VPC configuration with duplicate security groups.`, fix: 'list each security group once.',
  })),
  ...(stage.assumableRoleArns ?? []).filter((arn) => typeof arn !== 'string' || !ROLE_ARN.test(arn) || arn.includes(',')).map((arn) => ({
    field: 'assumableRoleArns',
    message: `${show(arn)} is not one IAM role ARN.`,
    fix: 'name each role by its full ARN, without wildcards or commas, e.g. "arn:aws:iam::444455556666:role/reporting-reader".',
  })),
  ...(stage.operatorPrincipals ?? []).filter((arn) => typeof arn !== 'string' || !PRINCIPAL_ARN.test(arn)).map((arn) => ({
    field: 'operatorPrincipals',
    message: `${show(arn)} is not an IAM principal ARN the operator role can trust.`,
    fix: 'name an account root, a role or a user by its full ARN, without wildcards or commas, e.g. "arn:aws:iam::111122223333:root" or "arn:aws:iam::111122223333:role/oncall".',
  })),
  ...(['deployRoleArn', 'previewRoleArn', 'executionRoleArn'] as const)
    .filter((f) => stage[f] !== undefined && !ROLE_ARN.test(String(stage[f])))
    .map((f) => ({ field: f, message: `${show(stage[f])} is not an IAM role ARN.`, fix: 'use the role ARN the bootstrap stack printed, e.g. "arn:aws:iam::111122223333:role/batchform-deploy".' })),
  ...when(stage.permissionsBoundaryArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@/-]{1,512}$/.test(String(stage.permissionsBoundaryArn)), {
    field: 'permissionsBoundaryArn', message: `${show(stage.permissionsBoundaryArn)} is not an IAM policy ARN.`, fix: 'use the PermissionsBoundaryArn the bootstrap stack printed, e.g. "arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary".',
  }),
  ...when(stage.permissionsBoundaryArn === undefined && isBootstrapRole(String(stage.executionRoleArn ?? '')), {
    field: 'permissionsBoundaryArn',
    message: 'is missing, but executionRoleArn is a bootstrap execution role, which creates function roles only with the batch permissions boundary.',
    fix: `add the bootstrap's PermissionsBoundaryArn output, e.g. "${boundaryPolicyArn(ACCOUNT.test(String(stage.account)) ? stage.account : '111122223333', stackPrefixOf(stage))}".`,
  }),
  ...when(stage.githubEnvironment !== undefined && !/^[^'"`,;\\]{1,255}$/.test(stage.githubEnvironment), {
    field: 'githubEnvironment', message: `${show(stage.githubEnvironment)} is not a valid GitHub environment name.`, fix: 'use up to 255 characters without quotes, commas, semicolons or backslashes.',
  }),
  ...when(stage.driftDetection !== undefined && typeof stage.driftDetection !== 'boolean', {
    field: 'driftDetection', message: `${show(stage.driftDetection)} is not true or false.`, fix: 'write driftDetection: false to turn drift detection off (and its read rights), or leave it out.',
  }),
  ...checkTags(stage.tags),
];

/** Values listed more than once, each once. */
function duplicates(values: readonly string[] | undefined): string[] {
  const list = values ?? [];
  return [...new Set(list.filter((v, i) => list.indexOf(v) !== i))];
}

/** ", e.g. \"eu-west-1\"" when a region code differs from a real one by a typo, else "". */
function nearRegion(region: unknown): string {
  if (typeof region !== 'string') return '';
  const lower = region.toLowerCase().trim();
  if (lower !== region && isRegion(lower)) return `; did you mean "${lower}"?`;
  return '';
}

export const stageReferences: BatchRule = (batch, ctx) => {
  if (batch.stages === undefined) return [];
  const known = ctx.stages.map((s) => s.name);
  return [
    ...when(batch.stages.length === 0, {
      field: 'stages', message: 'is empty, so the batch would deploy nowhere.', fix: 'leave stages out to deploy to every stage, or name at least one.',
    }),
    ...batch.stages.filter((s) => !known.includes(s)).map((s) => ({
      field: 'stages',
      message: `refers to stage "${s}", which is not declared.`,
      fix: known.length ? `use one of ${known.map((k) => `"${k}"`).join(', ')}, or declare stage "${s}".` : `declare stage "${s}" in stages.`,
    })),
  ];
};

export const vpcIdsPresent: BatchRule = (batch, ctx) => {
  if (batch.vpc === undefined) return [];
  if (typeof batch.vpc !== 'boolean') {
    return [{ field: 'vpc', message: `${show(batch.vpc)} is not true or false.`, fix: 'set vpc: true to run inside the stage\'s VPC, or leave it out.' }];
  }
  if (!batch.vpc) return [];
  return stagesOf(batch, ctx).flatMap((stage) => [
    ...when((stage.subnetIds ?? []).length === 0, {
      field: 'vpc', message: `is on, but stage "${stage.name}" has no subnetIds.`, fix: `add subnetIds to stage "${stage.name}" (private subnets that reach the database), or set vpc: false.`,
    }),
    ...when((stage.securityGroupIds ?? []).length === 0, {
      field: 'vpc', message: `is on, but stage "${stage.name}" has no securityGroupIds.`, fix: `add securityGroupIds to stage "${stage.name}", or set vpc: false.`,
    }),
  ]);
};

export const batchTags: BatchRule = (batch) => checkTags(batch.tags);
