// Batch stacks made before the stage stack had their own alarm topic, key and e-mail subscriptions:
// what their preview and deploy say when the alarms move to the stage's topic.
import type { PreparedStack } from './inputs';
import type { StackResult } from './result';
import { ALARM_PARAMETERS, NO_TOPIC } from '../template/parameters';

/** Logical ids of the alarm topic resources batch stacks had before the stage stack. */
const OLD_BATCH_ALARM_TOPIC_IDS = ['AlarmTopic', 'AlarmTopicKey', 'AlarmTopicPolicy'] as const;

/** Whether a batch stack's change set removes its own alarm topic or key (the move to the stage's topic). */
function movesAlarmsToStage(result: StackResult): boolean {
  return (result.changes ?? []).some((c) => c.action === 'Remove' && (OLD_BATCH_ALARM_TOPIC_IDS as readonly string[]).includes(c.logicalId));
}

/**
 * The notes of a batch stack whose alarms move from its own topic to the stage's: how it happens
 * without losing an alarm, and what the people subscribed must do.
 */
function alarmMoveNote(prepared: PreparedStack, stageStackName: string | undefined, deployed: boolean): string {
  const target = prepared.parameters[ALARM_PARAMETERS.topicArn];
  const to = target && target !== NO_TOPIC ? `the alarm topic ${target}` : 'the stage\'s alarm target';
  const stageFirst = stageStackName
    ? `The stage stack ${stageStackName}, which holds the stage's one topic, key and e-mail subscriptions, ${deployed ? 'was' : 'is'} deployed first. `
    : '';
  return `Alarms move to ${to}, shared by every batch of the stage. ${stageFirst}` +
    'In this stack\'s one change set the alarms are updated in place to notify it (none is deleted or recreated, so no alarm and no alarm state is lost), ' +
    'then its own topic, key and e-mail subscriptions are removed (the key is scheduled for deletion after KMS\'s 30-day waiting period). ' +
    'Each address gets one e-mail per stage to confirm the stage topic\'s subscription: until it is confirmed, notifications reach nobody by e-mail ' +
    '(the alarms still show in CloudWatch and in npx projen status).';
}

/** The results of the batch stacks with the alarm-move note added where their change set makes the move. */
export function withAlarmMoveNotes(
  results: readonly StackResult[], prepared: readonly PreparedStack[], stageStackName: string | undefined, deployed: boolean,
): StackResult[] {
  return results.map((r, i) => (movesAlarmsToStage(r) ? { ...r, notes: [...r.notes, alarmMoveNote(prepared[i], stageStackName, deployed)] } : r));
}
