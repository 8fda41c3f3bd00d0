// The parameter names of a batch template and their "not set" values: shared by the template and
// the manifest without loading aws-cdk-lib (the CLI reads manifests on every command).

/** Names of a batch template's parameters; the manifest gives their values per stage. */
export const PARAMETERS = {
  codeBucket: 'CodeS3Bucket',
  codeKey: 'CodeS3Key',
  codeVersion: 'CodeS3ObjectVersion',
  subnetIds: 'SubnetIds',
  securityGroupIds: 'SecurityGroupIds',
  permissionsBoundary: 'PermissionsBoundaryArn',
  /** The stage's run ledger table (`ledgerTableName(stage)`). */
  ledgerTable: 'LedgerTableName',
  /** Days the stage's ledger keeps a run's record. */
  ledgerRetentionDays: 'LedgerRetentionDays',
} as const;

/** Value of the PermissionsBoundaryArn parameter meaning "no boundary" (validators check a default against the property's 20-character minimum without evaluating the condition). */
export const NO_BOUNDARY = 'no-permissions-boundary';

/**
 * Value of CodeS3ObjectVersion meaning "not pinned" (preview of a zip not uploaded yet, or a
 * bucket without versioning): the function then reads the key's current object.
 */
export const NO_CODE_VERSION = 'unpinned';

/** Parameter of the alarm notification target; the manifest gives its value per stage. */
export const ALARM_PARAMETERS = { topicArn: 'AlarmTopicArn' } as const;

/**
 * Value of AlarmTopicArn meaning "no topic". Not the empty string: validators check the
 * parameter's default against AlarmActions' minimum length without evaluating the condition.
 */
export const NO_TOPIC = 'none';

/**
 * Alarm names a batch stack creates, after its stack name (`<stack>-failed-run`, ...): the
 * template names its alarms with them and `batchform status` reads them back.
 */
export const ALARM_NAMES = {
  failedRun: 'failed-run',
  timedOutRun: 'timed-out-run',
  stillRunning: 'still-running',
  startFailed: 'start-failed',
  missedRun: 'missed-run',
  deliveryFailed: 'delivery-failed',
  deadLetters: 'dead-letters',
  /** Only for a batch that declares `maxDuration`. */
  longRun: 'long-run',
} as const;
