// What differs between the stages of one batch, as parameters of its one template: which values
// are parameters, their names, and each stage's values for the manifest.
import { sha256Hex } from '../model/hash';
import { batchForStage, overriddenFields } from '../model/stage-overrides';
import { Batch, Stage } from '../model/validated';
import { substitutePlaceholders } from '../validate/rules/function';

/** Names of the parameters that carry a stage's overrides. */
export const STAGE_PARAMETERS = {
  schedule: 'ScheduleExpression',
  enabled: 'ScheduleState',
  timezone: 'ScheduleTimezone',
  memorySize: 'MemorySize',
  timeout: 'Timeout',
  reservedConcurrency: 'ReservedConcurrency',
  settingsDigest: 'StageSettingsDigest',
} as const;

/** ReservedConcurrency's value meaning `reservedConcurrency: false` (none reserved). */
export const NO_RESERVED_CONCURRENCY = '0';

/** Overridden fields that are plain parameters (the environment is one parameter per variable). */
export type ParameterField = 'schedule' | 'enabled' | 'timezone' | 'memorySize' | 'timeout' | 'reservedConcurrency';

/** How a batch's template takes what differs between its stages. */
export interface StageParameterPlan {
  /** Fields some stage overrides: the template takes them as parameters. */
  readonly fields: readonly ParameterField[];
  /** Environment variables some stage overrides, by name, with the parameter each is given by. */
  readonly environment: Readonly<Record<string, string>>;
  /** The longest timeout of any stage, in seconds: the failed-run alarm's period covers it. */
  readonly longestTimeout: number;
  /**
   * Whether the template takes a digest of the stage's parameter values (a durable batch with
   * overrides): its published version must change when that stage's values change, and only then.
   */
  readonly settingsDigest: boolean;
}

/** `DATABASE_SECRET_ID` → `EnvDatabaseSecretId`. */
function environmentParameterName(name: string): string {
  return `Env${name.split('_').filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1).toLowerCase()).join('')}`;
}

/** Which of a batch's values its template takes as parameters; a batch without overrides takes none. */
export function stageParameterPlan(batch: Batch): StageParameterPlan {
  const overridden = overriddenFields(batch);
  const fields = overridden.filter((f): f is ParameterField => f !== 'environment');
  const names = [...new Set(Object.values(batch.overrides).flatMap((o) => Object.keys(o.environment ?? {})))].sort();
  const environment: Record<string, string> = {};
  const taken = new Set<string>();
  for (const name of names) {
    let p = environmentParameterName(name);
    for (let i = 2; taken.has(p); i++) p = `${environmentParameterName(name)}${i}`;
    taken.add(p);
    environment[name] = p;
  }
  const longestTimeout = Math.max(...batch.stages.map((s) => batchForStage(batch, s).timeout), batch.timeout);
  const settingsDigest = batch.durable !== undefined && Object.keys(batch.overrides).length > 0;
  return { fields, environment, longestTimeout, settingsDigest };
}

/** The values of a batch's stage parameters in one stage, as the manifest passes them. */
export function stageParameterValues(batch: Batch, stage: Stage): Record<string, string> {
  if (Object.keys(batch.overrides).length === 0) return {};
  const plan = stageParameterPlan(batch);
  const b = batchForStage(batch, stage.name);
  const values: Record<string, string> = {};
  const of: Record<ParameterField, string> = {
    schedule: b.schedule.expression,
    enabled: b.enabled ? 'ENABLED' : 'DISABLED',
    timezone: b.timezone,
    memorySize: String(b.memorySize),
    timeout: String(b.timeout),
    reservedConcurrency: b.reservedConcurrency === false ? NO_RESERVED_CONCURRENCY : String(b.reservedConcurrency),
  };
  for (const f of plan.fields) values[STAGE_PARAMETERS[f]] = of[f];
  for (const [name, parameter] of Object.entries(plan.environment)) {
    // CloudFormation does not substitute inside a parameter's value: the placeholders are filled here.
    values[parameter] = substitutePlaceholders(b.environment[name] ?? '', stage, batch.name);
  }
  if (plan.settingsDigest) values[STAGE_PARAMETERS.settingsDigest] = stageSettingsDigest(values);
  return values;
}

/** 16 hex digits of SHA-256 over a stage's parameter values, in key order. */
function stageSettingsDigest(values: Readonly<Record<string, string>>): string {
  return sha256Hex(JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]))).slice(0, 16);
}
