// Operations resources of a batch: dead-letter queue, retries, alarms and where alarms are sent.
import { Aws, CfnCondition, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnQueue, CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { ALARM_NAMES, ALARM_PARAMETERS, NO_TOPIC } from './parameters';
import { STAGE_PARAMETERS } from './stage-parameters';
import type { StageValues } from './stage-template';
import { tlsOnly } from './tls-only';

export { humanDuration, missedRunWindow } from '../model/missed-run-window';
export type { MissedRunWindow } from '../model/missed-run-window';
import { humanDuration, missedRunAlarmWindow } from '../model/missed-run-window';
import type { Batch } from '../model/validated';

export { ALARM_PARAMETERS, NO_TOPIC } from './parameters';

/** Logical id of a batch's dead-letter queue. */
export const DEAD_LETTER_QUEUE_ID = 'DeadLetterQueue';

/** The dead-letter queue: encrypted, TLS only, writable by this batch's rule. */
export function addDeadLetterQueue(stack: Stack): CfnQueue {
  const queue = new CfnQueue(stack, DEAD_LETTER_QUEUE_ID, {
    sqsManagedSseEnabled: true,
    messageRetentionPeriod: 14 * 86400,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue: of the schedule rule target and of the function\'s failed asynchronous runs.',
  });
  return queue;
}

/** Who sends undeliverable runs to the dead-letter queue: the rule (as EventBridge) or the Scheduler's execution role. */
export type DeadLetterSender = { readonly ruleArn: string } | { readonly schedulerRoleArn: string };

/** The queue policy: the rule or the Scheduler may send its undeliverable runs; nobody may use plain HTTP. */
export function addDeadLetterQueuePolicy(stack: Stack, queue: CfnQueue, sender: DeadLetterSender): void {
  const admit = 'ruleArn' in sender
    ? {
      Sid: 'ScheduleRuleDeadLetters',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queue.attrArn,
      Condition: { ArnEquals: { 'aws:SourceArn': sender.ruleArn } },
    }
    : {
      Sid: 'SchedulerDeadLetters',
      Effect: 'Allow',
      Principal: { AWS: sender.schedulerRoleArn },
      Action: 'sqs:SendMessage',
      Resource: queue.attrArn,
    };
  new CfnQueuePolicy(stack, 'DeadLetterQueuePolicy', {
    queues: [queue.ref],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        admit,
        tlsOnly('sqs:*', queue.attrArn),
      ],
    },
  });
}

interface AlarmTargets {
  readonly functionName: string;
  /** The rule, or the batch's own schedule group (the Scheduler's only metric dimension). */
  readonly delivery: { readonly ruleName: string } | { readonly scheduleGroup: string };
  readonly queueName: string;
  readonly logGroupName: string;
  /** A durable batch's starter function (what its schedule invokes). */
  readonly starterName?: string;
}

/**
 * The notification target: the topic the manifest passes (the batch's own `alarmTopicArn`, the
 * stage's, or the stage stack's alarm topic), or nothing. The batch stack creates no topic, key or
 * subscription: the stage's are shared by all its batches. Returns the alarm actions value.
 */
function addNotificationTarget(stack: Stack): unknown {
  const topicArn = new CfnParameter(stack, ALARM_PARAMETERS.topicArn, {
    type: 'String', default: NO_TOPIC, description: `SNS topic for this batch's alarms: its own, the stage's, or the stage stack's alarm topic ("${NO_TOPIC}": no notification)`,
  });
  const hasTopic = new CfnCondition(stack, 'HasAlarmTopic', { expression: Fn.conditionNot(Fn.conditionEquals(topicArn.valueAsString, NO_TOPIC)) });
  return Fn.conditionIf(hasTopic.logicalId, [topicArn.valueAsString], Aws.NO_VALUE);
}

/**
 * The `--stage` argument of the operate commands an alarm suggests. A template serves every stage
 * and carries no stage name, so it names the stage by the stack's (`<stackPrefix>-<batch>`).
 */
function operateStage(): string {
  return '<stage of ${AWS::StackName}>';
}

/** `Fn::Sub` of `text` with only the variables it uses (cfn-lint warns of unused ones). */
function subUsed(text: string, variables: Record<string, string>): string {
  const used = Object.fromEntries(Object.entries(variables).filter(([name]) => text.includes(`\${${name}}`)));
  return Object.keys(used).length ? Fn.sub(text, used) : Fn.sub(text);
}

/**
 * A durable batch's run alarms, in place of the failed-run alarm on Lambda `Errors` (which counts
 * every failed invocation of an execution, retried or not): an execution that failed or timed
 * out, an execution still running when the next one started, and a run the starter could not start.
 */
function addDurableAlarms(stack: Stack, batch: Batch, targets: AlarmTargets, common: Record<string, unknown>): void {
  const onFunction = [{ name: 'FunctionName', value: targets.functionName }];
  const sub = (text: string) => subUsed(text, { FunctionName: targets.functionName, LogGroupName: targets.logGroupName });
  const stage = operateStage();
  const status = `npx projen status --stage ${stage}`;
  new CfnAlarm(stack, 'FailedRunAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.failedRun}`),
    alarmDescription: sub(`batchform batch ${batch.name}: a durable execution failed (DurableExecutionFailed > 0). See it, its error and its steps with ${status} --steps, its logs with npx projen logs ${batch.name} --stage ${stage} --run <its time>; fix the cause, then re-run it under a new execution name (steps are idempotent): npx projen run ${batch.name} --stage ${stage} --time <its time> --wait.`),
    namespace: 'AWS/Lambda',
    metricName: 'DurableExecutionFailed',
    dimensions: onFunction,
    statistic: 'Sum',
    period: 300,
  });
  new CfnAlarm(stack, 'TimedOutRunAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.timedOutRun}`),
    alarmDescription: sub(`batchform batch ${batch.name}: a durable execution ran past its execution timeout of ${humanDuration(batch.durable!.executionTimeout)} (DurableExecutionTimedOut > 0). See it with ${status}; raise durable.executionTimeout or make the job smaller.`),
    namespace: 'AWS/Lambda',
    metricName: 'DurableExecutionTimedOut',
    dimensions: onFunction,
    statistic: 'Sum',
    period: 300,
  });
  new CfnAlarm(stack, 'OverlappingRunAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.stillRunning}`),
    alarmDescription: sub(`batchform batch ${batch.name}: an execution was still running when the next scheduled one started (ApproximateRunningDurableExecutions > 1). List them with ${status}; the job takes longer than its schedule allows: shorten it or schedule it less often.`),
    namespace: 'AWS/Lambda',
    metricName: 'ApproximateRunningDurableExecutions',
    dimensions: onFunction,
    statistic: 'Maximum',
    period: 300,
    threshold: 1,
  });
  new CfnAlarm(stack, 'StartFailedAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.startFailed}`),
    alarmDescription: sub(`batchform batch ${batch.name}: the starter could not start a run's durable execution (its Lambda Errors > 0). Read its log group /aws/lambda/\${AWS::StackName}/starter; runs it gave up on are in the dead-letter queue: start them with npx projen redrive ${batch.name} --stage ${stage}.`),
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: [{ name: 'FunctionName', value: targets.starterName! }],
    statistic: 'Sum',
    period: 300,
  });
}

/** The batch's alarms, named and described so the person paged knows which batch and what to do. */
export function addAlarms(stack: Stack, batch: Batch, targets: AlarmTargets, values: StageValues): void {
  const actions = addNotificationTarget(stack);
  const common = {
    alarmActions: actions as string[],
    okActions: actions as string[],
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  };
  // A stage's timeout may be longer than the batch's: the period covers the longest run of any stage.
  const runPeriod = Math.max(60, Math.ceil(values.longestTimeout / 60) * 60);
  if (batch.durable) {addDurableAlarms(stack, batch, targets, common);} else {
    new CfnAlarm(stack, 'FailedRunAlarm', {
      ...common,
      alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.failedRun}`),
      alarmDescription: Fn.sub(`batchform batch ${batch.name}: a run failed (Lambda Errors > 0). Read its error with npx projen logs ${batch.name} --stage ${operateStage()} --since 1h (log group \${LogGroupName}), fix the cause, then re-run it (it is idempotent): once its retries are spent it is in the dead-letter queue, npx projen redrive ${batch.name} --stage ${operateStage()}; any scheduled time: npx projen run ${batch.name} --stage ${operateStage()} --time <ISO> --wait.`, {
        LogGroupName: targets.logGroupName,
      }),
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: [{ name: 'FunctionName', value: targets.functionName }],
      statistic: 'Sum',
      period: runPeriod,
    });
  }

  const runner = batch.timezone === 'UTC' ? 'rule' : 'schedule';
  const window = missedRunAlarmWindow(batch);
  if (values.missedRun) {
    // The window follows each stage's schedule, zone and state: the manifest gives its period and
    // evaluation periods, and a stage without a window (disabled, too sparse) has no alarm.
    const alarm = new CfnAlarm(stack, 'MissedRunAlarm', {
      ...common,
      alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.missedRun}`),
      alarmDescription: Fn.sub(`batchform batch ${batch.name}: no run in the last \${${STAGE_PARAMETERS.missedRunEvaluationPeriods}} periods of \${${STAGE_PARAMETERS.missedRunPeriod}} seconds, the longest gap of this stage's schedule ${values.scheduleIsParameter ? `\${${STAGE_PARAMETERS.schedule}}` : batch.schedule.expression} plus a grace. Check that the ${runner} is enabled, that the function exists and is not throttled, and ${runner === 'rule' ? "the rule's FailedInvocations" : "the Scheduler's TargetErrorCount"}.`),
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: [{ name: 'FunctionName', value: targets.functionName }],
      statistic: 'Sum',
      period: values.missedRun.period,
      evaluationPeriods: values.missedRun.evaluationPeriods,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
    });
    alarm.cfnOptions.condition = values.missedRun.condition;
  } else if (window?.supported && values.missedRunDeclared) {
    new CfnAlarm(stack, 'MissedRunAlarm', {
      ...common,
      alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.missedRun}`),
      alarmDescription: `batchform batch ${batch.name}: no run in the last ${humanDuration(window.windowSeconds)}, though ${batch.schedule.expression} fires at least every ${humanDuration(window.gapSeconds)}${batch.timezone === 'UTC' ? '' : ` in ${batch.timezone}`}. Check that the ${batch.timezone === 'UTC' ? 'rule' : 'schedule'} is enabled, that the function exists and is not throttled, and ${batch.timezone === 'UTC' ? "the rule's FailedInvocations" : "the Scheduler's TargetErrorCount"}.`,
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: [{ name: 'FunctionName', value: targets.functionName }],
      statistic: 'Sum',
      period: window.periodSeconds,
      evaluationPeriods: window.evaluationPeriods,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // No data point at all means no invocation: that is exactly a missed run.
      treatMissingData: 'breaching',
    });
  }

  const delivery = 'ruleName' in targets.delivery
    ? {
      alarmDescription: `batchform batch ${batch.name}: EventBridge could not invoke the function (rule FailedInvocations > 0). Check the function's resource policy and that it exists; undelivered runs are in the dead-letter queue.`,
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensions: [{ name: 'RuleName', value: targets.delivery.ruleName }],
    }
    : {
      alarmDescription: `batchform batch ${batch.name}: EventBridge Scheduler could not invoke the function (TargetErrorCount > 0 in its schedule group). Check the Scheduler role's lambda:InvokeFunction on the function and that the function exists; runs that exhausted their retries are in the dead-letter queue.`,
      namespace: 'AWS/Scheduler',
      metricName: 'TargetErrorCount',
      dimensions: [{ name: 'ScheduleGroup', value: targets.delivery.scheduleGroup }],
    };
  new CfnAlarm(stack, 'DeliveryFailedAlarm', {
    ...common,
    ...delivery,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.deliveryFailed}`),
    statistic: 'Sum',
    period: 300,
  });

  new CfnAlarm(stack, 'DeadLettersAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.deadLetters}`),
    alarmDescription: Fn.sub(`batchform batch ${batch.name}: runs that failed every retry or could not be delivered are waiting in the dead-letter queue. See them and why with npx projen redrive ${batch.name} --stage ${operateStage()} --list; fix the cause, then npx projen redrive ${batch.name} --stage ${operateStage()} re-runs each and deletes it once its re-run succeeded.`),
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: [{ name: 'QueueName', value: targets.queueName }],
    statistic: 'Maximum',
    period: 300,
  });
}
