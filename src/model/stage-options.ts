// The stage declaration: one deployment target (account, region, network, roles).

/**
 * A deployment target: one AWS account and region, with the ids every batch stack needs there and
 * the roles the GitHub workflows assume.
 *
 * @example
 * {
 *   name: 'prod',
 *   account: '111122223333',
 *   region: 'ap-northeast-2',
 *   artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
 *   subnetIds: ['subnet-0123456789abcdef0'],
 *   securityGroupIds: ['sg-0123456789abcdef0'],
 * }
 */
export interface StageOptions {
  /**
   * The stage's name: lowercase letters, digits and hyphens, starting with a letter.
   * @example 'prod'
   */
  readonly name: string;
  /**
   * The 12-digit AWS account id.
   * @example '111122223333'
   */
  readonly account: string;
  /**
   * The AWS region.
   * @example 'ap-northeast-2'
   */
  readonly region: string;
  /**
   * Prefix of every stack, function and rule name in this stage: `<stackPrefix>-<batch>`.
   * @default - the stage's name
   * @example 'acme-prod'
   */
  readonly stackPrefix?: string;
  /**
   * S3 bucket that holds the code zips (created by the bootstrap template).
   * @example 'batchform-artifacts-111122223333-ap-northeast-2'
   */
  readonly artifactBucket: string;
  /**
   * Key prefix of the code zips in the artifact bucket: `<artifactPrefix>/<batch>/<sha256>.zip`.
   * @default 'batchform'
   */
  readonly artifactPrefix?: string;
  /**
   * Subnets for VPC batches (required, non-empty, when any batch in this stage has `vpc: true`).
   * @default []
   * @example ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']
   */
  readonly subnetIds?: string[];
  /**
   * Security groups for VPC batches (required, non-empty, when any batch in this stage has `vpc: true`).
   * @default []
   * @example ['sg-0123456789abcdef0']
   */
  readonly securityGroupIds?: string[];
  /**
   * Role the deploy workflow assumes with GitHub OIDC on pushes to `main`.
   * @default - no deploy job for this stage
   * @example 'arn:aws:iam::111122223333:role/batchform-deploy'
   */
  readonly deployRoleArn?: string;
  /**
   * Role the pull-request workflow assumes to create (never execute) change sets.
   * @default - no preview job for this stage
   * @example 'arn:aws:iam::111122223333:role/batchform-preview'
   */
  readonly previewRoleArn?: string;
  /**
   * Role CloudFormation uses to create the batch resources (passed as the change set's role).
   * @default - CloudFormation uses the caller's credentials
   * @example 'arn:aws:iam::111122223333:role/batchform-cfn-exec'
   */
  readonly executionRoleArn?: string;
  /**
   * Permissions boundary set on every batch function role of this stage (the bootstrap stack
   * creates it and its execution role only creates roles that carry it).
   * @default - no boundary
   * @example 'arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary'
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Role ARNs the stage's batches may assume (`sts:AssumeRole`), e.g. a role in another account
   * that a batch reads from. The bootstrap's batch permissions boundary denies every other STS
   * action, so a batch can assume a role only if it is listed here (re-run
   * `npx projen bootstrap:<stage>` after a change) and the batch declares `sts:AssumeRole` on it.
   * @default [] - no batch assumes any role
   * @example ['arn:aws:iam::444455556666:role/reporting-reader']
   */
  readonly assumableRoleArns?: string[];
  /**
   * Who may assume the stage's operator role, which the bootstrap then creates
   * (`<stackPrefix>-operate` under `/batchform/`): the IAM principals people and scripts run
   * `batchform run`, `backfill`, `redrive`, `status` and `logs` as. Each is an account root
   * (`arn:aws:iam::<account>:root`, so that account's IAM policies decide who), a role or a user
   * ARN. The role may invoke the stage's batch functions, read and delete their dead letters, and
   * read their stacks, metrics, alarms and logs, and nothing else (re-run
   * `npx projen bootstrap:<stage>` after a change).
   * @default [] - no operator role
   * @example ['arn:aws:iam::111122223333:role/oncall']
   */
  readonly operatorPrincipals?: string[];
  /**
   * Whether a pull-request preview asks CloudFormation which of the stage's live resources were
   * changed outside CloudFormation (drift) and lists them with the template's and the live
   * values (secrets hidden). Drift detection reads every resource as the preview role, so on,
   * the bootstrap gives the preview role read rights on the stage's resources, including
   * `lambda:GetFunction`, which returns the batch functions' environment variables and a link to
   * their code to whoever can assume that role: the preview workflow on the deploy branch (which
   * runs only the default branch's code, never a pull request's), and anything else merged there.
   * Turn it off when environment values must stay hidden from the preview report, then re-run
   * `npx projen bootstrap:<stage>`: the preview role loses those reads.
   * @default true
   * @example false // environment values hold secrets pull requests must not read
   */
  readonly driftDetection?: boolean;
  /**
   * GitHub environment the deploy job is bound to (protection rules and approvals apply).
   * @default - the stage's name
   */
  readonly githubEnvironment?: string;
  /**
   * SNS topic that receives the alarms of every batch in this stage (except batches that name
   * their own `alarmTopicArn`).
   * @default - see `alarmEmails`
   * @example 'arn:aws:sns:ap-northeast-2:111122223333:oncall'
   */
  readonly alarmTopicArn?: string;
  /**
   * E-mail addresses (at most 5) subscribed to the stage's one alarm topic, when no
   * `alarmTopicArn` is given. The topic (`<stackPrefix>-alarms`), its KMS key (about 1 USD a month)
   * and the subscriptions are in the stage stack `<stackPrefix>-stage`, shared by every batch of
   * the stage; a batch with its own `alarmTopicArn` notifies that instead. Each address confirms
   * its subscription once per stage (AWS sends one confirmation e-mail).
   * @default - alarms have no notification (they still show in the CloudWatch console)
   * @example ['oncall@example.com']
   */
  readonly alarmEmails?: string[];
  /**
   * How many days the stage's run ledger keeps a run's record (its history for `batchform runs`
   * and `status`), 1-3653; DynamoDB's TTL deletes older records.
   * @default 90
   * @example 400
   */
  readonly ledgerRetentionDays?: number;
  /**
   * Tags added to every stack of this stage.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}
