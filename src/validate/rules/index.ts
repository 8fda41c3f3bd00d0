// The rule catalogue: every check a declaration goes through, by name, as data.
import { durableInput, durableShape } from './durable-rules';
import { descriptionLength, architectureValid, concurrencyValid, environmentValid, inputSize, memoryInRange, retentionAllowed, runtimeSupported, timeoutInRange } from './function';
import { handlerFile } from './handler';
import { policyStatementsValid } from './iam';
import { batchKeysKnown, stageKeysKnown } from './known-keys';
import { batchNameShape, functionNameLength } from './name-rules';
import {
  alarmsFlag, alarmTarget, batchAlarmTopic, failureAlarmAfterRange, ledgerRetention, maxDurationRange, maxEventAgeRange, missedRunGrace,
  overlapPolicy, retryAttemptsRange,
} from './operation-rules';
import { overridesValid } from './override-rules';
import { scheduleValid, timezoneValid } from './schedule-rules';
import { atLocalTimeExists, deliveryRetryRange, flexibleWindowRange, scheduleDates, schedulerOnly } from './scheduler';
import { secretsValid } from './secrets';
import { batchTags, stageLists, stageNotBatchformOwn, stagePartition, stageReferences, stageShape, vpcIdsPresent } from './stages';
import type { BatchRule, StageRule } from './types';

/** Rules every batch declaration must pass. */
export const BATCH_RULES: Readonly<Record<string, BatchRule>> = {
  batchKeysKnown,
  batchNameShape,
  functionNameLength,
  handlerFile,
  scheduleValid,
  timezoneValid,
  descriptionLength,
  runtimeSupported,
  architectureValid,
  memoryInRange,
  timeoutInRange,
  retentionAllowed,
  concurrencyValid,
  inputSize,
  environmentValid,
  secretsValid,
  policyStatementsValid,
  stageReferences,
  vpcIdsPresent,
  batchTags,
  alarmsFlag,
  batchAlarmTopic,
  failureAlarmAfterRange,
  maxDurationRange,
  retryAttemptsRange,
  maxEventAgeRange,
  overlapPolicy,
  missedRunGrace,
  schedulerOnly,
  flexibleWindowRange,
  scheduleDates,
  atLocalTimeExists,
  deliveryRetryRange,
  overridesValid,
  durableShape,
  durableInput,
};

/** Rules every stage declaration must pass. */
export const STAGE_RULES: Readonly<Record<string, StageRule>> = {
  stageShape,
  stageLists,
  stageNotBatchformOwn,
  stagePartition,
  stageKeysKnown,
  alarmTarget,
  ledgerRetention,
};

export type { BatchRule, StageRule, RuleContext } from './types';
