// Rules for stages, and for how batches refer to them (stage names, VPC ids per stage).
import { BOOTSTRAP_STACK_PREFIX, boundaryPolicyArn, isBatchformOwnName, isBootstrapRole } from '../../model/bootstrap-names';
import { ARTIFACT_PREFIX, MAX_STACK_PREFIX, NAME_PATTERN, STACK_PREFIX, stackPrefixOf } from '../../model/names';
import { regionFacts } from '../regions';
import { checkTags } from './tags';
import type { StageOptions } from '../../model/stage-options';
import type { Finding } from '../problem';
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

/** The list fields of a stage, each with an example of a list, for a value that is not one. */
const STAGE_LISTS = {
  subnetIds: '["subnet-0123456789abcdef0"]',
  securityGroupIds: '["sg-0123456789abcdef0"]',
  assumableRoleArns: '["arn:aws:iam::444455556666:role/reporting-reader"]',
  operatorPrincipals: '["arn:aws:iam::111122223333:role/oncall"]',
} as const;

/** `value` when it is a list, else undefined (a string given for a list is reported by {@link stageLists}, not iterated). */
function listOf<T>(value: readonly T[] | undefined): readonly T[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** A list field given as something else (a string from an untyped .projenrc.ts would otherwise be read letter by letter, or crash). */
export const stageLists: StageRule = (stage) => (Object.keys(STAGE_LISTS) as (keyof typeof STAGE_LISTS)[])
  .filter((f) => stage[f] !== undefined && !Array.isArray(stage[f]))
  .map((f) => ({
    field: f,
    message: `${show(stage[f])} is not a list.`,
    fix: `write a list, even of one value, e.g. ${typeof stage[f] === 'string' ? JSON.stringify([stage[f]]) : STAGE_LISTS[f]}.`,
  }));

/**
 * Stage names and stack prefixes that are batchform's own (see {@link isBatchformOwnName}): the
 * stage's roles could then change and delete every stage's bootstrap stack.
 */
export const stageNotBatchformOwn: StageRule = (stage) => {
  const own = (name: unknown) => typeof name === 'string' && isBatchformOwnName(name);
  const why = `batchform's own names start with "batchform" (its bootstrap stacks are ${BOOTSTRAP_STACK_PREFIX}-<stage>), and a stage's deploy role reaches every stack named <stackPrefix>-*, so this stage could change or delete every stage's bootstrap stack.`;
  return [
    ...when(own(stage.name), {
      field: 'name',
      message: stage.stackPrefix === undefined
        ? `${show(stage.name)} (also its stack prefix) is reserved: ${why}`
        : `${show(stage.name)} is reserved: batchform's own names start with "batchform" (its bootstrap stacks are ${BOOTSTRAP_STACK_PREFIX}-<stage>), and a stage named so is easily given the same stack prefix.`,
      fix: 'name the stage for where it deploys, e.g. "prod".',
    }),
    ...when(own(stage.stackPrefix), {
      field: 'stackPrefix', message: `${show(stage.stackPrefix)} is reserved: ${why}`, fix: `use a prefix that does not start with "batchform", e.g. "${typeof stage.name === 'string' && !own(stage.name) ? stage.name : 'prod'}".`,
    }),
  ];
};

/** The partition of a stage's region, when the region is known. */
function partitionOf(stage: StageOptions): string | undefined {
  return typeof stage.region === 'string' && isRegion(stage.region) ? regionFacts()[stage.region].partition : undefined;
}

/**
 * ARNs in another partition than the stage's region (`arn:aws-cn:` for a stage in `aws`): IAM in
 * one partition cannot name principals or roles of another, so the bootstrap or the batch would fail.
 */
export const stagePartition: StageRule = (stage) => {
  const partition = partitionOf(stage);
  if (partition === undefined) return [];
  const fields = ['assumableRoleArns', 'operatorPrincipals', 'deployRoleArn', 'previewRoleArn', 'executionRoleArn', 'permissionsBoundaryArn'] as const;
  const problems: Finding[] = [];
  for (const field of fields) {
    const value = stage[field];
    const arns = Array.isArray(value) ? value : typeof value === 'string' && (field !== 'assumableRoleArns' && field !== 'operatorPrincipals') ? [value] : [];
    for (const arn of arns) {
      const other = typeof arn === 'string' ? /^arn:(aws[a-z-]*):/.exec(arn)?.[1] : undefined;
      if (other === undefined || other === partition) continue;
      problems.push({
        field,
        message: `${show(arn)} is in partition "${other}", but stage "${stage.name}" is in ${stage.region} (partition "${partition}"); IAM cannot name a role or principal of another partition.`,
        fix: `use an ARN of partition "${partition}": ${show(arn.replace(/^arn:aws[a-z-]*:/, `arn:${partition}:`))}, or move the stage to a region of partition "${other}".`,
      });
    }
  }
  return problems;
};

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
  ...(listOf(stage.subnetIds) ?? []).filter((id) => !SUBNET.test(id)).map((id) => ({
    field: 'subnetIds', message: `${show(id)} is not a subnet id.`, fix: 'use ids like "subnet-0123456789abcdef0" (from the VPC console or `aws ec2 describe-subnets`).',
  })),
  ...(listOf(stage.securityGroupIds) ?? []).filter((id) => !SECURITY_GROUP.test(id)).map((id) => ({
    field: 'securityGroupIds', message: `${show(id)} is not a security group id.`, fix: 'use ids like "sg-0123456789abcdef0".',
  })),
  ...duplicates(listOf(stage.subnetIds)).map((id) => ({
    field: 'subnetIds', message: `lists ${show(id)} more than once; Lambda rejects a VPC configuration with duplicate subnets.`, fix: 'list each subnet once.',
  })),
  ...duplicates(listOf(stage.securityGroupIds)).map((id) => ({
    field: 'securityGroupIds', message: `lists ${show(id)} more than once; Lambda rejects a VPC configuration with duplicate security groups.`, fix: 'list each security group once.',
  })),
  ...(listOf(stage.assumableRoleArns) ?? []).filter((arn) => typeof arn !== 'string' || !ROLE_ARN.test(arn) || arn.includes(',')).map((arn) => ({
    field: 'assumableRoleArns',
    message: `${show(arn)} is not one IAM role ARN.`,
    fix: 'name each role by its full ARN, without wildcards or commas, e.g. "arn:aws:iam::444455556666:role/reporting-reader".',
  })),
  ...(listOf(stage.operatorPrincipals) ?? []).filter((arn) => typeof arn !== 'string' || !PRINCIPAL_ARN.test(arn)).map((arn) => ({
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
  if (!Array.isArray(batch.stages)) {
    return [{
      field: 'stages',
      message: `${show(batch.stages)} is not a list.`,
      fix: `write a list of stage names, even of one, e.g. ${typeof batch.stages === 'string' ? JSON.stringify([batch.stages]) : '["prod"]'}.`,
    }];
  }
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
