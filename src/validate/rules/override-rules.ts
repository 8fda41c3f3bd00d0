// Rules for per-stage overrides: known stages the batch deploys to, known fields, and each value
// checked by the same rules as the batch's own field, on the batch as that stage runs it.
import { batchForStage, OVERRIDE_FIELDS, OverrideField } from '../../model/stage-overrides';
import type { Finding } from '../problem';
import { timeoutBelowExecution } from './durable-rules';
import { concurrencyValid, environmentValid, memoryInRange, timeoutInRange } from './function';
import { BATCH_OPTION_KEYS, closestName } from './known-keys';
import { scheduleValid, timezoneValid } from './schedule-rules';
import { atLocalTimeExists, scheduleDates, schedulerOnly } from './scheduler';
import { BatchRule, isRecord, show, when } from './types';
import type { BatchOptions } from '../../model/batch-options';
import { usesScheduler } from '../../model/validated';
import { isTimeZone } from '../../schedule/timezone';

const enabledFlag: BatchRule = (batch) =>
  when(batch.enabled !== undefined && typeof batch.enabled !== 'boolean', {
    field: 'enabled', message: `${show(batch.enabled)} is not true or false.`, fix: 'write enabled: false to stop the batch in this stage, or leave it out.',
  });

/** The batch's own rules that check each overridable field (and what depends on it). */
const FIELD_RULES: Readonly<Record<OverrideField, readonly BatchRule[]>> = {
  schedule: [scheduleValid, schedulerOnly, atLocalTimeExists, scheduleDates],
  enabled: [enabledFlag],
  // A zone changes when a cron can fire and which local times exist.
  timezone: [timezoneValid, scheduleValid, schedulerOnly, atLocalTimeExists],
  environment: [environmentValid],
  memorySize: [memoryInRange],
  // A durable batch's execution must outlast one invocation, in every stage.
  timeout: [timeoutInRange, timeoutBelowExecution],
  reservedConcurrency: [concurrencyValid],
};

/** Findings of `rules` on the batch as `stage` runs it that the batch's own values do not have. */
function stageFindings(batch: BatchOptions, stage: string, field: OverrideField, ctx: Parameters<BatchRule>[1]): Finding[] {
  // Both judged in this stage only (the environment's size depends on the stage's region and names).
  const base = { ...batch, stages: [stage] };
  const effective = batchForStage(base, stage);
  const key = (f: Finding) => `${f.field}\n${f.message}`;
  return FIELD_RULES[field].flatMap((rule) => {
    const own = new Set(rule(base, ctx).map(key));
    return rule(effective, ctx).filter((f) => !own.has(key(f))).map((f) => {
      const root = f.field.split('.')[0];
      return { ...f, field: `overrides.${stage}.${root === field || (root in (batch.overrides?.[stage] ?? {})) ? f.field : field}` };
    });
  });
}

export const overridesValid: BatchRule = (batch, ctx) => {
  if (batch.overrides === undefined) return [];
  if (!isRecord(batch.overrides)) {
    return [{
      field: 'overrides',
      message: `${show(batch.overrides)} is not an object of stage names.`,
      fix: 'write overrides: { <stage>: { schedule, enabled, timezone, environment, memorySize, timeout, reservedConcurrency } }, or leave it out.',
    }];
  }
  const known = ctx.stages.map((s) => s.name);
  const deployed = Array.isArray(batch.stages) ? batch.stages : known;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (...fs: Finding[]) => fs.forEach((f) => {
    if (!seen.has(`${f.field}\n${f.message}`)) findings.push(f);
    seen.add(`${f.field}\n${f.message}`);
  });
  for (const [stage, o] of Object.entries(batch.overrides)) {
    if (!known.includes(stage)) {
      add({
        field: `overrides.${stage}`,
        message: `refers to stage "${stage}", which is not declared.`,
        fix: known.length ? `use one of ${known.map((k) => `"${k}"`).join(', ')}, or declare stage "${stage}".` : `declare stage "${stage}" in stages.`,
      });
      continue;
    }
    if (!deployed.includes(stage)) {
      add({
        field: `overrides.${stage}`,
        message: `overrides stage "${stage}", but the batch does not deploy there (its stages are ${deployed.map((s) => `"${s}"`).join(', ')}).`,
        fix: `add "${stage}" to the batch's stages, or remove its overrides.`,
      });
      continue;
    }
    if (!isRecord(o)) {
      add({ field: `overrides.${stage}`, message: `${show(o)} is not an object of fields.`, fix: 'write e.g. { schedule: "rate(1 day)", enabled: false }.' });
      continue;
    }
    for (const f of Object.keys(o).filter((k) => !(OVERRIDE_FIELDS as readonly string[]).includes(k))) {
      // A batch option a stage cannot override, or a misspelling of one it can (timeZone for timezone).
      const near = f in BATCH_OPTION_KEYS ? undefined : closestName(f, OVERRIDE_FIELDS);
      add(near
        ? { field: `overrides.${stage}.${f}`, message: 'unknown option.', fix: `did you mean "${near}"?` }
        : {
          field: `overrides.${stage}.${f}`,
          message: `"${f}" is not a field a stage can override.`,
          fix: f === 'secrets'
            ? 'set secrets on the batch itself: a name is read in each stage\'s own account and region, so stages in different accounts already read their own secret. '
              + 'Stages sharing an account and region read the same one: declare another batch for this stage, with its own secrets.'
            : `a stage can override ${OVERRIDE_FIELDS.join(', ')}; set ${f} on the batch itself, or declare another batch for this stage.`,
        });
    }
    if (o.environment !== undefined && !isRecord(o.environment)) {
      add({ field: `overrides.${stage}.environment`, message: `${show(o.environment)} is not an object of variables.`, fix: 'write e.g. { REPORT_BUCKET: "reports-staging" }.' });
    }
    for (const f of OVERRIDE_FIELDS) {
      if (o[f] === undefined || (f === 'environment' && !isRecord(o.environment))) continue;
      add(...stageFindings(batch, stage, f, ctx));
    }
    // The template has either a rule or a Scheduler schedule, the same in every stage.
    const own = batch.timezone ?? 'UTC';
    if (typeof o.timezone === 'string' && isTimeZone(o.timezone) && typeof own === 'string' && isTimeZone(own)
      && usesScheduler({ timezone: o.timezone }) !== usesScheduler({ timezone: own })) {
      add(usesScheduler({ timezone: own })
        ? {
          field: `overrides.${stage}.timezone`,
          message: `"UTC" would run the batch on an EventBridge rule in stage "${stage}", but it runs on EventBridge Scheduler (in ${own}) elsewhere; one template cannot hold both.`,
          fix: 'write "Etc/UTC", which runs the stage in UTC on the Scheduler.',
        }
        : {
          field: `overrides.${stage}.timezone`,
          message: `${show(o.timezone)} would run the batch on EventBridge Scheduler in stage "${stage}", but it runs in UTC on an EventBridge rule elsewhere; one template cannot hold both.`,
          fix: 'give the batch itself a time zone (timezone: "Etc/UTC" keeps UTC times on the Scheduler), then override the zone per stage.',
        });
    }
  }
  return findings;
};
