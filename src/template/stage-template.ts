// The parameters of a batch template that carry what differs between its stages, and the values
// (a parameter reference, or the batch's own value) its resources use.
import { Aws, CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import { NO_RESERVED_CONCURRENCY, STAGE_PARAMETERS, stageParameterPlan } from './stage-parameters';
import { Batch } from '../model/validated';

/** The values a batch's resources use: the batch's own, or a reference to the stage's parameter. */
export interface StageValues {
  /** The schedule expression (a token when it differs by stage). */
  readonly schedule: string;
  /** Whether the schedule expression is the stage's parameter. */
  readonly scheduleIsParameter: boolean;
  /** `ENABLED` / `DISABLED`. */
  readonly state: string;
  readonly timezone: string;
  readonly timezoneIsParameter: boolean;
  readonly memorySize: number;
  readonly timeout: number;
  /** ReservedConcurrentExecutions; undefined when none is reserved. */
  readonly reservedConcurrency?: number;
  /** Each environment variable's value or parameter reference, by name. */
  readonly environment: Readonly<Record<string, string>>;
  /** The longest timeout of the batch in any stage, in seconds. */
  readonly longestTimeout: number;
  /** A digest of the stage's parameter values (a token), when the plan takes one. */
  readonly settingsDigest?: string;
}

/** Adds the stage parameters a batch's overrides need to `stack`, and returns the values to use. */
export function addStageParameters(stack: Stack, batch: Batch): StageValues {
  const plan = stageParameterPlan(batch);
  const has = (f: (typeof plan.fields)[number]) => plan.fields.includes(f);
  const stageOf = 'set per stage by the deploy manifest';
  const text = (id: string, description: string, allowedValues?: string[]) =>
    new CfnParameter(stack, id, { type: 'String', description: `${description} (${stageOf})`, allowedValues }).valueAsString;
  const number = (id: string, description: string, minValue: number, maxValue: number) =>
    new CfnParameter(stack, id, { type: 'Number', description: `${description} (${stageOf})`, minValue, maxValue }).valueAsNumber;

  const schedule = has('schedule') ? text(STAGE_PARAMETERS.schedule, 'When the batch runs: a cron, rate or at expression') : batch.schedule.expression;
  const state = has('enabled') ? text(STAGE_PARAMETERS.enabled, 'Whether the batch runs on schedule', ['ENABLED', 'DISABLED']) : (batch.enabled ? 'ENABLED' : 'DISABLED');
  const timezone = has('timezone') ? text(STAGE_PARAMETERS.timezone, 'IANA time zone the schedule runs in') : batch.timezone;
  const memorySize = has('memorySize') ? number(STAGE_PARAMETERS.memorySize, 'Memory of the function, in MB', 128, 10240) : batch.memorySize;
  const timeout = has('timeout') ? number(STAGE_PARAMETERS.timeout, 'How long one run may take, in seconds', 1, 900) : batch.timeout;
  let reservedConcurrency = batch.reservedConcurrency === false ? undefined : batch.reservedConcurrency;
  if (has('reservedConcurrency')) {
    const p = new CfnParameter(stack, STAGE_PARAMETERS.reservedConcurrency, {
      type: 'Number',
      minValue: 0,
      maxValue: 1000,
      description: `Reserved concurrency of the function ("${NO_RESERVED_CONCURRENCY}": none reserved) (${stageOf})`,
    });
    const reserves = new CfnCondition(stack, 'ReservesConcurrency', { expression: Fn.conditionNot(Fn.conditionEquals(p.valueAsString, NO_RESERVED_CONCURRENCY)) });
    reservedConcurrency = Token.asNumber(Fn.conditionIf(reserves.logicalId, p.valueAsNumber, Aws.NO_VALUE));
  }
  const environment: Record<string, string> = {};
  for (const [name, id] of Object.entries(plan.environment)) {
    if (name in batch.environment) {
      environment[name] = text(id, `Environment variable ${name}`);
      continue;
    }
    // A variable only some stages add is left out where the manifest passes "" (the others).
    const value = text(id, `Environment variable ${name} ("": not set in this stage)`);
    const sets = new CfnCondition(stack, `Sets${id}`, { expression: Fn.conditionNot(Fn.conditionEquals(value, '')) });
    environment[name] = Fn.conditionIf(sets.logicalId, value, Aws.NO_VALUE).toString();
  }

  const settingsDigest = plan.settingsDigest
    ? new CfnParameter(stack, STAGE_PARAMETERS.settingsDigest, {
      type: 'String', allowedPattern: '^[0-9a-f]{16}$', description: `Digest of this stage's values of the parameters above (${stageOf})`,
    }).valueAsString
    : undefined;
  return {
    settingsDigest,
    schedule,
    scheduleIsParameter: has('schedule'),
    state,
    timezone,
    timezoneIsParameter: has('timezone'),
    memorySize,
    timeout,
    reservedConcurrency,
    environment,
    longestTimeout: plan.longestTimeout,
  };
}
