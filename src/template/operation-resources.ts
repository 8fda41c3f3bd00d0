// Operations resources of a batch: dead-letter queue, retries, alarms and where alarms are sent.
import { Aws, CfnCondition, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnQueue, CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { ALARM_NAMES, ALARM_PARAMETERS, NO_TOPIC } from './parameters';
import type { StageValues } from './stage-template';
import { tlsOnly } from './tls-only';
import { humanDuration } from '../model/durations';
import { LEDGER_METRICS } from '../model/ledger';
import { enabledInSomeStage } from '../model/stage-overrides';
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

/** What every alarm of a batch shares: where it notifies, and a breach of one period. */
type AlarmCommon = Record<string, unknown>;

/** The batch's `Stack` dimension in the ledger's metrics: its stack's name. */
function onStack() {
  return [{ name: LEDGER_METRICS.dimension, value: Aws.STACK_NAME }];
}

/** "3 scheduled times in a row failed", as the failed-run alarm says it. */
function failedRuns(batch: Batch): string {
  return batch.failureAlarmAfter === 1
    ? 'a run failed (the run ledger\'s ConsecutiveFailures reached 1)'
    : `${batch.failureAlarmAfter} scheduled times in a row failed (the run ledger's ConsecutiveFailures reached ${batch.failureAlarmAfter})`;
}

/**
 * The failed-run alarm: `failureAlarmAfter` scheduled times in a row failed (the ledger's
 * `ConsecutiveFailures`, published at the end of every run), or a run failed that the ledger never
 * saw end. Lambda's own failure count (`Errors` of a plain batch's function, a durable one's
 * `DurableExecutionFailed`) still matters for those: a run that fails before the runtime helper
 * reaches the ledger (the table is unreachable, the code cannot even load, the function is
 * stopped at its timeout, a handler that does not use `batch()`) publishes no `RunFailed`, so
 * Lambda counting more failures than the ledger recorded sets the alarm off at once, whatever
 * `failureAlarmAfter` says. Both come from one metric-math expression (one alarm to keep, one
 * state); the runtime stamps a plain run's end metrics with its start, as Lambda stamps `Errors`
 * with the invocation's, so both fall in the same period (which covers the longest run). A batch
 * whose ledger metrics never existed yet (its first runs all fail before the ledger; metric math
 * may find no `RunFailed` to fill) is still caught by the dead-letter alarm, once Lambda's retries
 * of `failureAlarmAfter` runs are spent.
 */
function addFailedRunAlarm(stack: Stack, batch: Batch, common: AlarmCommon, lambda: {
  readonly description: string;
  readonly errors: { readonly metricName: string; readonly dimensions: Array<{ name: string; value: string }> };
  readonly period: number;
}): void {
  const stat = (id: string, namespace: string, metricName: string, dimensions: Array<{ name: string; value: string }>, statistic: string) => ({
    id, returnData: false, metricStat: { metric: { namespace, metricName, dimensions }, period: lambda.period, stat: statistic },
  });
  const { threshold: _t, ...rest } = common;
  new CfnAlarm(stack, 'FailedRunAlarm', {
    ...rest,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.failedRun}`),
    alarmDescription: lambda.description,
    metrics: [
      stat('failures', LEDGER_METRICS.namespace, LEDGER_METRICS.consecutiveFailures, onStack(), 'Maximum'),
      stat('recorded', LEDGER_METRICS.namespace, LEDGER_METRICS.failed, onStack(), 'Sum'),
      stat('errors', 'AWS/Lambda', lambda.errors.metricName, lambda.errors.dimensions, 'Sum'),
      {
        id: 'failing',
        label: `${batch.failureAlarmAfter} failed in a row, or a failure the ledger did not record`,
        expression: `MAX([IF(FILL(failures, 0) >= ${batch.failureAlarmAfter}, 1, 0), IF(FILL(errors, 0) > FILL(recorded, 0), 1, 0)])`,
        returnData: true,
      },
    ],
    threshold: 0,
  });
}

/**
 * The duration alarm of a batch that declares `maxDuration`: a run that ended after longer (the
 * ledger's `RunDuration`, milliseconds). A run stopped at its timeout never ends to be measured;
 * the failed-run alarm sees that one.
 */
function addDurationAlarm(stack: Stack, batch: Batch, common: AlarmCommon, period: number): void {
  if (batch.maxDuration === undefined) return;
  const limit = humanDuration(batch.maxDuration);
  new CfnAlarm(stack, 'LongRunAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.longRun}`),
    alarmDescription: Fn.sub(`batchform batch ${batch.name}: a run took longer than its maxDuration of ${limit} (the run ledger's RunDuration > ${batch.maxDuration * 1000} ms). See how long its recent runs took with batchform runs ${batch.name} --stage ${operateStage()}; make the job faster or smaller, or raise maxDuration if it is expected.`),
    namespace: LEDGER_METRICS.namespace,
    metricName: LEDGER_METRICS.duration,
    dimensions: onStack(),
    statistic: 'Maximum',
    period,
    threshold: batch.maxDuration * 1000,
  });
}

/**
 * The missed-run alarm: the stage's watchdog found a scheduled time with no run after its grace
 * (`RunMissed`, the number it found). The watchdog computes every stage's expected runs with the
 * schedule code (zones, DST, start and end dates, at(), per-stage overrides, paused batches), so
 * any cadence is watched, monthly and yearly ones included, and a stage where the batch is
 * disabled simply reports nothing. A batch disabled in every stage gets none.
 */
function addMissedRunAlarm(stack: Stack, batch: Batch, common: AlarmCommon): void {
  if (!enabledInSomeStage(batch)) return;
  new CfnAlarm(stack, 'MissedRunAlarm', {
    ...common,
    alarmName: Fn.sub(`\${AWS::StackName}-${ALARM_NAMES.missedRun}`),
    alarmDescription: Fn.sub(`batchform batch ${batch.name}: a scheduled time passed without a run (the stage's watchdog found it missing from the run ledger after its grace: RunMissed > 0). See which with batchform runs ${batch.name} --stage ${operateStage()} (status missed); check that its ${batch.timezone === 'UTC' ? 'rule' : 'schedule'} is enabled, that the function exists and is not throttled, and the delivery-failed alarm; run a missed time with npx projen run ${batch.name} --stage ${operateStage()} --time <its time> --wait.`),
    namespace: LEDGER_METRICS.namespace,
    metricName: LEDGER_METRICS.missed,
    dimensions: onStack(),
    statistic: 'Sum',
    period: 300,
  });
}

/**
 * A durable batch's run alarms, in place of the failed-run alarm on Lambda `Errors` (which counts
 * every failed invocation of an execution, retried or not): an execution that failed or timed
 * out, an execution still running when the next one started, and a run the starter could not start.
 */
function addDurableAlarms(stack: Stack, batch: Batch, targets: AlarmTargets, common: AlarmCommon): void {
  const onFunction = [{ name: 'FunctionName', value: targets.functionName }];
  const sub = (text: string) => subUsed(text, { FunctionName: targets.functionName, LogGroupName: targets.logGroupName });
  const stage = operateStage();
  const status = `npx projen status --stage ${stage}`;
  addFailedRunAlarm(stack, batch, common, {
    description: sub(`batchform batch ${batch.name}: ${failedRuns(batch)}, or an execution failed before the run ledger recorded it (DurableExecutionFailed above the ledger's RunFailed). See it, its error and its steps with ${status} --steps, its logs with npx projen logs ${batch.name} --stage ${stage} --run <its time>; fix the cause, then re-run it under a new execution name (steps are idempotent): npx projen run ${batch.name} --stage ${stage} --time <its time> --wait.`),
    errors: { metricName: 'DurableExecutionFailed', dimensions: onFunction },
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
  if (batch.durable) {
    addDurableAlarms(stack, batch, targets, common);
    addDurationAlarm(stack, batch, common, 300);
  } else {
    addFailedRunAlarm(stack, batch, common, {
      description: Fn.sub(`batchform batch ${batch.name}: ${failedRuns(batch)}, or a run failed before the run ledger recorded it (Lambda Errors above the ledger's RunFailed). Read its error with npx projen logs ${batch.name} --stage ${operateStage()} --since 1h (log group \${LogGroupName}), fix the cause, then re-run it (it is idempotent): once its retries are spent it is in the dead-letter queue, npx projen redrive ${batch.name} --stage ${operateStage()}; any scheduled time: npx projen run ${batch.name} --stage ${operateStage()} --time <ISO> --wait.`, {
        LogGroupName: targets.logGroupName,
      }),
      errors: { metricName: 'Errors', dimensions: [{ name: 'FunctionName', value: targets.functionName }] },
      period: runPeriod,
    });
    addDurationAlarm(stack, batch, common, runPeriod);
  }
  addMissedRunAlarm(stack, batch, common);

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
    alarmDescription: Fn.sub(`batchform batch ${batch.name}: ${batch.failureAlarmAfter === 1 ? 'runs' : `${batch.failureAlarmAfter} or more runs`} that failed every retry or could not be delivered are waiting in the dead-letter queue. See them and why with npx projen redrive ${batch.name} --stage ${operateStage()} --list; fix the cause, then npx projen redrive ${batch.name} --stage ${operateStage()} re-runs each and deletes it once its re-run succeeded.`),
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: [{ name: 'QueueName', value: targets.queueName }],
    statistic: 'Maximum',
    period: 300,
    // Every run that failed all its retries lands here: waiting for `failureAlarmAfter` of them
    // keeps this alarm from paging for the failure the failed-run alarm was told to let pass.
    threshold: batch.failureAlarmAfter - 1,
  });
}
