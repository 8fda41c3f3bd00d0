// The stage stack's parameter values, part by part, as the manifest passes them: no aws-cdk-lib
// here (the manifest and the CLI read these). The resources are in stage-stack.ts.
import { NO_BOUNDARY } from './parameters';
import { stageCreatesAlarmTopic } from '../model/alarm-target';
import { ledgerTableName } from '../model/ledger';
import { stageAlarmTopicName } from '../model/names';
import { Batch, Stage, ValidatedDeclarations } from '../model/validated';
import { substitutePlaceholders } from '../validate/rules/function';

/**
 * What one part of the stage stack passes as parameters, in one stage. Every part of the stage
 * stack has two halves: this one (values, read by the manifest) and its resources
 * (`StageStackPart` in stage-stack.ts); a new part adds one of each to the two lists.
 */
export interface StageStackPartValues {
  /** The part's name (`alarm-topic`, `ledger`): unique, used in docs and errors. */
  readonly name: string;
  /** The part's parameter values in `stage`, by parameter name (names unique across parts). */
  parameters(stage: Stage, decl: ValidatedDeclarations): Record<string, string>;
  /**
   * What of the declarations the part's resources are built from (JSON-serializable): the stage
   * template is synthesized again only when this (or batchform) changes. Omit when the resources
   * depend on no declaration (what differs per stage comes in as parameters).
   */
  templateInputs?(decl: ValidatedDeclarations): unknown;
}

/** Parameters of the stage stack's alarm topic part. */
export const STAGE_ALARM_PARAMETERS = { emails: 'AlarmEmails', topicName: 'AlarmTopicName' } as const;

/** The ARN a batch names for its alarms in `stage`, placeholders filled in; undefined: the stage's. */
export function batchAlarmTopicArn(batch: Batch, stage: Stage): string | undefined {
  return batch.alarmTopicArn === undefined ? undefined : substitutePlaceholders(batch.alarmTopicArn, stage, batch.name);
}

/** The ARN of the stage's alarm topic, as its stage stack names it (`<stackPrefix>-alarms`). */
export function stageAlarmTopicArn(stage: Stage): string {
  return substitutePlaceholders(`arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:${stageAlarmTopicName(stage)}`, stage, '');
}

/**
 * Where a batch's alarms go in `stage`: the batch's own topic, the stage's `alarmTopicArn`, the
 * stage stack's alarm topic, or nowhere (undefined: the alarms only show in CloudWatch).
 */
export function alarmTargetOf(batch: Batch, stage: Stage, decl: ValidatedDeclarations): string | undefined {
  if (!batch.alarms) return undefined;
  return batchAlarmTopicArn(batch, stage) ?? stage.alarmTopicArn ?? (stageCreatesAlarmTopic(stage, decl) ? stageAlarmTopicArn(stage) : undefined);
}

/** The alarm topic part: the stage's e-mail addresses ("" when the stage creates no topic) and the topic's name. */
export const alarmTopicValues: StageStackPartValues = {
  name: 'alarm-topic',
  parameters: (stage, decl) => ({
    [STAGE_ALARM_PARAMETERS.emails]: stageCreatesAlarmTopic(stage, decl) ? stage.alarmEmails.join(',') : '',
    [STAGE_ALARM_PARAMETERS.topicName]: stageAlarmTopicName(stage),
  }),
};

/** Parameters of the stage stack's ledger part. */
export const STAGE_LEDGER_PARAMETERS = { tableName: 'LedgerTableName' } as const;

/** The ledger part: the name of the stage's run ledger table, `<stackPrefix>-batchform-ledger`. */
export const ledgerValues: StageStackPartValues = {
  name: 'ledger',
  parameters: (stage) => ({ [STAGE_LEDGER_PARAMETERS.tableName]: ledgerTableName(stage) }),
};

/**
 * Parameters of the stage stack's watchdog part (named `Watchdog...`, apart from every other
 * part's). The deploy engine passes the code key (`<artifactPrefix>/stage/<sha256>.zip`, known after
 * packaging) and the S3 version it checked; the manifest passes the rest.
 */
export const WATCHDOG_PARAMETERS = {
  codeBucket: 'WatchdogCodeBucket',
  codeKey: 'WatchdogCodeKey',
  codeVersion: 'WatchdogCodeVersion',
  permissionsBoundary: 'WatchdogPermissionsBoundaryArn',
  /** The stage's name: which stage of the code zip's `watchdog.json` the function watches. */
  stage: 'WatchdogStage',
} as const;

/** The watchdog part: the stage's name, the artifact bucket of its code and the stage's permissions boundary (the ledger table's name is the ledger part's). */
export const watchdogValues: StageStackPartValues = {
  name: 'watchdog',
  parameters: (stage) => ({
    [WATCHDOG_PARAMETERS.stage]: stage.name,
    [WATCHDOG_PARAMETERS.codeBucket]: stage.artifactBucket,
    [WATCHDOG_PARAMETERS.permissionsBoundary]: stage.permissionsBoundaryArn ?? NO_BOUNDARY,
  }),
};

/**
 * The parts of the stage stack, in order: the extension point. A module that adds stage-level
 * resources (the run ledger's watchdog) appends its values here and its resources to
 * `STAGE_STACK_PARTS` (stage-stack.ts).
 */
export const STAGE_STACK_PART_VALUES: readonly StageStackPartValues[] = [alarmTopicValues, ledgerValues, watchdogValues];

/** Every parameter value of the stage stack in `stage`, over all parts. */
export function stageStackParameters(
  stage: Stage, decl: ValidatedDeclarations, parts: readonly StageStackPartValues[] = STAGE_STACK_PART_VALUES,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part.parameters(stage, decl))) {
      if (name in out) throw new Error(`stage stack part "${part.name}" passes parameter ${name}, which another part already passes; give it a name of its own.`);
      out[name] = value;
    }
  }
  return out;
}

/** What the stage template is a pure function of, for the template cache: each part's name and inputs. */
export function stageTemplateInputs(decl: ValidatedDeclarations, parts: readonly StageStackPartValues[] = STAGE_STACK_PART_VALUES): unknown {
  return parts.map((p) => [p.name, p.templateInputs?.(decl) ?? null]);
}
