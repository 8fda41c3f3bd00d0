// The environment variables the template sets and the runtime helper reads (one list for both).

/** Names of batchform's own environment variables on every batch function. */
export const RUNTIME_ENV = {
  /** The batch's name. */
  batch: 'BATCHFORM_BATCH',
  /** The zone the batch's schedule runs in (IANA). */
  timezone: 'BATCHFORM_TIMEZONE',
  /** The batch's secrets by reference (JSON: source, name, field by variable name); never values. */
  secrets: 'BATCHFORM_SECRETS',
} as const;

/** The values of batchform's own environment variables for a batch. */
export function runtimeEnvironment(batch: { readonly name: string; readonly timezone: string }): Record<string, string> {
  return { [RUNTIME_ENV.batch]: batch.name, [RUNTIME_ENV.timezone]: batch.timezone };
}
