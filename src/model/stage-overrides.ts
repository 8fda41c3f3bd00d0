// A batch as one stage runs it: the batch's own values with that stage's overrides applied.
// No aws-cdk-lib here: the CLI applies overrides to the manifest's batches.

/** The fields a stage may override (`BatchOptions.overrides`), in the order errors and docs list them. */
export const OVERRIDE_FIELDS = ['schedule', 'enabled', 'timezone', 'environment', 'memorySize', 'timeout', 'reservedConcurrency'] as const;

/** One of {@link OVERRIDE_FIELDS}. */
export type OverrideField = typeof OVERRIDE_FIELDS[number];

/** The overridable fields of a batch shape `B`, each optional, typed as in `B`. */
export type OverrideOf<B> = { readonly [K in OverrideField & keyof B]?: B[K] };

/** Anything with per-stage overrides: the declaration, the validated batch, the manifest's batch. */
export interface Overridable<B> {
  readonly environment?: Readonly<Record<string, string>>;
  readonly overrides?: Readonly<Record<string, OverrideOf<B>>>;
}

/**
 * The batch as stage `stage` runs it: each field the stage overrides replaces the batch's, and
 * the stage's environment is merged over the batch's, variable by variable. Works alike on the
 * declaration (`BatchOptions`), the validated `Batch` and the manifest's `ManifestBatch`; a stage
 * without overrides gets the batch itself.
 *
 * @example
 * batchForStage(manifestBatch, 'staging').schedule // 'rate(1 day)' where staging overrides it
 */
export function batchForStage<B extends Overridable<B>>(batch: B, stage: string): B {
  const all = batch.overrides;
  const o = all && typeof all === 'object' && Object.prototype.hasOwnProperty.call(all, stage) ? all[stage] : undefined;
  if (!o || typeof o !== 'object') return batch;
  const set: Record<string, unknown> = {};
  for (const f of OVERRIDE_FIELDS) {
    const value = (o as Record<string, unknown>)[f];
    if (value !== undefined) set[f] = value;
  }
  const env = (o as { environment?: unknown }).environment;
  if (env && typeof env === 'object') set.environment = { ...(batch.environment ?? {}), ...env };
  return { ...batch, ...set };
}

/**
 * Whether the batch runs on schedule in at least one of its stages (its own `enabled`, or a
 * stage's override of it): one template serves every stage, so what watches its runs (the
 * missed-run alarm) exists in all of them or none.
 */
export function enabledInSomeStage(
  batch: Overridable<{ readonly enabled?: boolean }> & { readonly enabled?: boolean; readonly stages?: readonly string[] },
): boolean {
  return [batch, ...(batch.stages ?? []).map((s) => batchForStage(batch, s))].some((b) => b.enabled !== false);
}

/** The stages a batch has overrides for (those with at least one field set), in declaration order. */
export function overriddenStages(batch: Overridable<unknown>): string[] {
  return Object.entries(batch.overrides ?? {})
    .filter(([, o]) => o && typeof o === 'object' && Object.values(o).some((v) => v !== undefined))
    .map(([s]) => s);
}

/** The fields any stage of the batch overrides, in {@link OVERRIDE_FIELDS} order. */
export function overriddenFields(batch: Overridable<unknown>): OverrideField[] {
  const os = Object.values(batch.overrides ?? {}) as Array<Record<string, unknown> | undefined>;
  return OVERRIDE_FIELDS.filter((f) => os.some((o) => o && typeof o === 'object' && o[f] !== undefined));
}
