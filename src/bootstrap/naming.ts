// How the bootstrap names what it creates, shared by its template and the stage rules (no aws-cdk-lib).

/** IAM path of the bootstrap roles and policy, so no batch stack's role name (`<stackPrefix>-*`) can match them. */
export const ROLE_PATH = '/batchform/';

/** Name suffixes after the stage's stack prefix: `<stackPrefix>-deploy` and so on. */
export const BOOTSTRAP_NAMES = {
  executionRole: 'cfn-exec',
  deployRole: 'deploy',
  previewRole: 'preview',
  boundaryPolicy: 'batch-boundary',
} as const;

/** Whether a role ARN is one of the bootstrap's (under its IAM path). */
export function isBootstrapRole(arn: string): boolean {
  return arn.includes(`:role${ROLE_PATH}`);
}

/** The ARN of the batch permissions boundary the bootstrap creates for a stage. */
export function boundaryPolicyArn(account: string, stackPrefix: string): string {
  return `arn:aws:iam::${account}:policy${ROLE_PATH}${stackPrefix}-${BOOTSTRAP_NAMES.boundaryPolicy}`;
}
