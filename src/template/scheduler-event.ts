// The event EventBridge Scheduler delivers to a batch with a time zone that declares no input.
// No aws-cdk-lib here: local runs build the same event.
import type { ScheduledEvent } from 'aws-lambda';

/**
 * EventBridge's Scheduled Event shape, filled with the Scheduler's context attributes and, through
 * `Fn::Sub` in the template, the stack's account and region: handlers and the runtime helper's
 * logical run time work the same on a rule and on the Scheduler.
 */
export const SCHEDULER_EVENT = JSON.stringify({
  'version': '0',
  'id': '<aws.scheduler.execution-id>',
  'detail-type': 'Scheduled Event',
  'source': 'aws.scheduler',
  'account': '${AWS::AccountId}',
  'time': '<aws.scheduler.scheduled-time>',
  'region': '${AWS::Region}',
  'resources': ['<aws.scheduler.schedule-arn>'],
  'detail': {},
});

/** {@link SCHEDULER_EVENT} as the Scheduler fills it in for the run scheduled at `time`. */
export function schedulerEvent(
  time: Date,
  options: { readonly id: string; readonly account: string; readonly region: string; readonly scheduleName: string },
): ScheduledEvent {
  const iso = new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const arn = `arn:aws:scheduler:${options.region}:${options.account}:schedule/${options.scheduleName}/${options.scheduleName}`;
  const filled = SCHEDULER_EVENT
    .replace('<aws.scheduler.execution-id>', options.id)
    .replace('<aws.scheduler.scheduled-time>', iso)
    .replace('<aws.scheduler.schedule-arn>', arn)
    .replace('${AWS::AccountId}', options.account)
    .replace('${AWS::Region}', options.region);
  return JSON.parse(filled) as ScheduledEvent;
}
