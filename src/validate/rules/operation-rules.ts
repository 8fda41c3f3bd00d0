// Rules for operations settings: alarms, retries, event age, and where alarms are sent.
import { substitutePlaceholders } from './function';
import { BatchRule, isIntIn, show, StageRule, stagesOf, when } from './types';
import type { BatchOptions } from '../../model/batch-options';
import { BATCH_DEFAULTS } from '../../model/declaration-defaults';
import { MAX_LEDGER_RETENTION_DAYS } from '../../model/ledger';
import { MAX_ALARM_EMAILS } from '../../model/limits';
import { stackPrefixOf } from '../../model/names';
import { MAX_MISSED_RUN_GRACE_MINUTES } from '../../model/watchdog';

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export const alarmsFlag: BatchRule = (batch) =>
  when(batch.alarms !== undefined && typeof batch.alarms !== 'boolean', {
    field: 'alarms', message: `${show(batch.alarms)} is not true or false.`, fix: 'leave alarms out (on) or set alarms: false to opt out.',
  });

/**
 * A batch's own alarm topic: an SNS topic ARN in every stage it deploys to (placeholders filled
 * in), in that stage's region (CloudWatch publishes only to topics of its own region).
 */
export const batchAlarmTopic: BatchRule = (batch, ctx) => {
  const value = batch.alarmTopicArn;
  if (value === undefined) return [];
  if (typeof value !== 'string') return [{ field: 'alarmTopicArn', message: `${show(value)} is not a string.`, fix: 'write the topic ARN as a string, e.g. "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:data-team-oncall".' }];
  if (batch.alarms === false) {
    return [{ field: 'alarmTopicArn', message: 'is set, but alarms: false gives the batch no alarms to send there.', fix: 'remove alarmTopicArn, or alarms: false.' }];
  }
  for (const stage of stagesOf(batch, ctx)) {
    const arn = substitutePlaceholders(value, { ...stage, stackPrefix: stackPrefixOf(stage) }, String(batch.name));
    if (!TOPIC_ARN.test(arn)) {
      return [{ field: 'alarmTopicArn', message: `${show(value)} is not an SNS topic ARN${arn === value ? '' : ` (in stage "${stage.name}": ${show(arn)})`}.`, fix: 'use an ARN like "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:data-team-oncall".' }];
    }
    const region = arn.split(':')[3];
    if (region !== stage.region) {
      return [{
        field: 'alarmTopicArn',
        message: `in stage "${stage.name}" names a topic in ${region}, but the stage's alarms are in ${stage.region}; CloudWatch only notifies topics of its own region.`,
        fix: 'write ${AWS::Region} in place of the region, or use a topic in the stage\'s region.',
      }];
    }
  }
  return [];
};

/** The most consecutive failed scheduled times the failed-run alarm may wait for. */
export const MAX_FAILURE_ALARM_AFTER = 100;

/** An option of the batch's alarms set while `alarms: false` gives it none. */
function withoutAlarms(batch: BatchOptions, field: 'failureAlarmAfter' | 'maxDuration') {
  return when(batch[field] !== undefined && batch.alarms === false, {
    field, message: 'is set, but alarms: false gives the batch no alarms to apply it to.', fix: `remove ${field}, or alarms: false.`,
  });
}

export const failureAlarmAfterRange: BatchRule = (batch) => [
  ...when(batch.failureAlarmAfter !== undefined && !isIntIn(batch.failureAlarmAfter, 1, MAX_FAILURE_ALARM_AFTER), {
    field: 'failureAlarmAfter',
    message: `${show(batch.failureAlarmAfter)} is not a number of failed runs from 1 to ${MAX_FAILURE_ALARM_AFTER}.`,
    fix: 'use a whole number, e.g. 3 to be told after the third scheduled time in a row fails; leave it out for 1 (every failure).',
  }),
  ...withoutAlarms(batch, 'failureAlarmAfter'),
];

/**
 * The longest a run should take: whole seconds, shorter than the run's own limit (a run stopped
 * at its timeout never ends, so a threshold at or past it could never be crossed).
 */
export const maxDurationRange: BatchRule = (batch) => {
  const value = batch.maxDuration;
  if (value === undefined) return [];
  const durable = batch.durable && typeof batch.durable === 'object' ? (batch.durable as { executionTimeout?: unknown }).executionTimeout : undefined;
  const limit = typeof durable === 'number' ? durable : typeof batch.timeout === 'number' ? batch.timeout : BATCH_DEFAULTS.timeout;
  const what = typeof durable === 'number' ? 'durable.executionTimeout' : 'timeout';
  if (!isIntIn(value, 1, Number.MAX_SAFE_INTEGER)) {
    return [{ field: 'maxDuration', message: `${show(value)} is not a whole number of seconds.`, fix: `use the longest a run should take in seconds, less than its ${what} (${limit}), e.g. ${Math.max(1, Math.floor(limit / 2))}.` }];
  }
  return [
    ...when(value >= limit, {
      field: 'maxDuration',
      message: `${value} seconds is not less than the batch's ${what} (${limit} seconds): a run is stopped at its ${what} before it could take longer, so the duration alarm could never go off.`,
      fix: `use fewer seconds than ${limit} (a run stopped at its ${what} already sets off an alarm), or leave maxDuration out.`,
    }),
    ...withoutAlarms(batch, 'maxDuration'),
  ];
};

export const retryAttemptsRange: BatchRule = (batch) =>
  when(batch.retryAttempts !== undefined && !isIntIn(batch.retryAttempts, 0, 2), {
    field: 'retryAttempts', message: `${show(batch.retryAttempts)} is outside Lambda's range for asynchronous retries (0-2).`, fix: 'use 0, 1 (the default) or 2.',
  });

export const maxEventAgeRange: BatchRule = (batch) =>
  when(batch.maxEventAgeSeconds !== undefined && !isIntIn(batch.maxEventAgeSeconds, 60, 21600), {
    field: 'maxEventAgeSeconds', message: `${show(batch.maxEventAgeSeconds)} seconds is outside the allowed range (60-21600).`, fix: 'use a whole number of seconds from 60 to 21600 (6 hours); the default is 3600.',
  });

export const alarmTarget: StageRule = (stage) => [
  ...when(stage.alarmTopicArn !== undefined && !TOPIC_ARN.test(String(stage.alarmTopicArn)), {
    field: 'alarmTopicArn', message: `${show(stage.alarmTopicArn)} is not an SNS topic ARN.`, fix: 'use an ARN like "arn:aws:sns:ap-northeast-2:111122223333:oncall".',
  }),
  ...when(stage.alarmTopicArn !== undefined && (stage.alarmEmails ?? []).length > 0, {
    field: 'alarmEmails', message: 'is set together with alarmTopicArn; alarms go to one or the other.', fix: 'subscribe the addresses to the topic instead, or remove alarmTopicArn.',
  }),
  ...when((stage.alarmEmails ?? []).length > MAX_ALARM_EMAILS, {
    field: 'alarmEmails', message: `lists ${(stage.alarmEmails ?? []).length} addresses; the stage's alarm topic subscribes at most ${MAX_ALARM_EMAILS}.`, fix: 'use a mailing list address, or an alarmTopicArn with its own subscriptions.',
  }),
  ...(stage.alarmEmails ?? []).filter((e) => !EMAIL.test(String(e))).map((e) => ({
    field: 'alarmEmails', message: `${show(e)} is not an e-mail address.`, fix: 'write addresses like "oncall@example.com".',
  })),
];

export const overlapPolicy: BatchRule = (batch) =>
  when(batch.overlap !== undefined && batch.overlap !== 'skip' && batch.overlap !== 'allow', {
    field: 'overlap', message: `${show(batch.overlap)} is not an overlap policy.`, fix: "write overlap: 'skip' (the default: a run is skipped while the previous one runs) or overlap: 'allow' (runs may overlap).",
  });

export const missedRunGrace: BatchRule = (batch) =>
  when(batch.missedRunGraceMinutes !== undefined && !isIntIn(batch.missedRunGraceMinutes, 1, MAX_MISSED_RUN_GRACE_MINUTES), {
    field: 'missedRunGraceMinutes',
    message: `${show(batch.missedRunGraceMinutes)} is not a number of minutes from 1 to ${MAX_MISSED_RUN_GRACE_MINUTES} (31 days).`,
    fix: 'use a whole number of minutes after the scheduled time, e.g. 60; leave it out for 15 minutes plus the flexible window.',
  });

export const ledgerRetention: StageRule = (stage) =>
  when(stage.ledgerRetentionDays !== undefined && !isIntIn(stage.ledgerRetentionDays, 1, MAX_LEDGER_RETENTION_DAYS), {
    field: 'ledgerRetentionDays',
    message: `${show(stage.ledgerRetentionDays)} is not a number of days from 1 to ${MAX_LEDGER_RETENTION_DAYS}.`,
    fix: 'use a whole number of days, e.g. 400 to keep a year of history; leave it out for 90.',
  });
