// projen glue: one `bootstrap:<stage>` task per stage that deploys the bootstrap template with that stage's values.
import type { Project } from 'projen';
import type { Stage } from '../validate/model';
import { BOOTSTRAP_PARAMETERS } from './bootstrap-template';

/** The bootstrap stack of a stage. */
export function bootstrapStackName(stage: Pick<Stage, 'name'>): string {
  return `batchform-bootstrap-${stage.name}`;
}

/** Quotes a value for a POSIX shell. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The AWS CLI command that deploys (or updates) a stage's bootstrap stack. Further
 * `Name=value` parameter overrides can follow it (the task passes its arguments on).
 */
export function bootstrapDeployCommand(stage: Stage, templatePath: string): string {
  const overrides: Record<string, string> = {
    [BOOTSTRAP_PARAMETERS.stackPrefix]: stage.stackPrefix,
    [BOOTSTRAP_PARAMETERS.stageName]: stage.name,
    [BOOTSTRAP_PARAMETERS.environment]: stage.githubEnvironment,
    // Always passed, so removing the last role from the stage removes it from the boundary too.
    [BOOTSTRAP_PARAMETERS.assumableRoles]: stage.assumableRoleArns.join(','),
    [BOOTSTRAP_PARAMETERS.bucketName]: stage.artifactBucket,
    [BOOTSTRAP_PARAMETERS.artifactPrefix]: stage.artifactPrefix,
  };
  return [
    'aws cloudformation deploy',
    `--stack-name ${bootstrapStackName(stage)}`,
    `--template-file ${templatePath}`,
    `--region ${stage.region}`,
    '--capabilities CAPABILITY_NAMED_IAM',
    '--no-fail-on-empty-changeset',
    '--parameter-overrides',
    ...Object.entries(overrides).map(([k, v]) => quote(`${k}=${v}`)),
  ].join(' ');
}

/**
 * Adds `bootstrap:<stage>` for each stage: checks that the caller's credentials are for the
 * stage's account, deploys the bootstrap stack, and prints its outputs (the role ARNs and the
 * bucket to copy into the stage). Extra arguments are passed as more parameter overrides, e.g.
 * `npx projen bootstrap:prod GitHubOwnerId=123 GitHubRepositoryId=456`.
 */
export function addBootstrapTasks(project: Project, stages: readonly Stage[], templatePath: string): void {
  for (const stage of stages) {
    const task = project.addTask(`bootstrap:${stage.name}`, {
      description: `Deploy the one-time bootstrap stack of stage ${stage.name} (OIDC trust, artifact bucket, roles) to account ${stage.account} with your AWS credentials; pass more Name=value parameter overrides as arguments`,
    });
    task.exec(
      `test "$(aws sts get-caller-identity --query Account --output text)" = "${stage.account}" || ` +
        `{ echo "bootstrap:${stage.name}: your AWS credentials are not for account ${stage.account}; set AWS_PROFILE to an administrator of that account." >&2; exit 1; }`,
    );
    task.exec(bootstrapDeployCommand(stage, templatePath), { receiveArgs: true });
    task.exec(
      `aws cloudformation describe-stacks --stack-name ${bootstrapStackName(stage)} --region ${stage.region} ` +
        "--query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text",
    );
  }
}
