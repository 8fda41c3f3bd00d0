// Whether a stage's stage stack creates the shared alarm topic: shared by the template, the
// manifest and the cost model. No aws-cdk-lib here.
import type { Stage, ValidatedDeclarations } from './validated';

/**
 * Whether `stage`'s stage stack creates the alarm topic: the stage e-mails its alarms
 * (`alarmEmails`, no `alarmTopicArn`) and at least one batch of the stage has alarms and no topic
 * of its own. One topic, one key and one subscription per address for the whole stage.
 */
export function stageCreatesAlarmTopic(stage: Stage, decl: ValidatedDeclarations): boolean {
  return stage.alarmTopicArn === undefined && stage.alarmEmails.length > 0
    && decl.batches.some((b) => b.stages.includes(stage.name) && b.alarms && b.alarmTopicArn === undefined);
}
