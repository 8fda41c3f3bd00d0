// The environment variables the template sets and the runtime helper reads (one list for both).

/** Names of batchform's own environment variables on every batch function. */
export const RUNTIME_ENV = {
  /** The batch's name. */
  batch: 'BATCHFORM_BATCH',
  /** The zone the batch's schedule runs in (IANA). */
  timezone: 'BATCHFORM_TIMEZONE',
  /** The batch's secrets by reference (JSON: source, name, field by variable name); never values. */
  secrets: 'BATCHFORM_SECRETS',
  /** The stage's run ledger table (set per stage; unset: the run is not recorded, e.g. a local run). */
  ledgerTable: 'BATCHFORM_LEDGER_TABLE',
  /** Days a run's record is kept in the ledger (the stage's `ledgerRetentionDays`). */
  ledgerRetentionDays: 'BATCHFORM_LEDGER_RETENTION_DAYS',
  /** The batch's overlap policy: `skip` or `allow`. */
  overlap: 'BATCHFORM_OVERLAP',
  /** A durable batch's execution timeout, in seconds: how long its overlap lease lasts. */
  executionTimeout: 'BATCHFORM_EXECUTION_TIMEOUT',
  /**
   * The batch's stack name (`<stackPrefix>-<batch>`): the `Stack` dimension of the ledger's
   * metrics. A durable batch's function has no fixed name, so the template sets it for every batch.
   */
  stack: 'BATCHFORM_STACK',
  /** Key of the code zip the function runs (`<prefix>/<batch>/<sha256>.zip`): the ledger's code version. */
  codeKey: 'BATCHFORM_CODE_KEY',
} as const;

/** The values of batchform's own environment variables for a batch. */
export function runtimeEnvironment(batch: { readonly name: string; readonly timezone: string }): Record<string, string> {
  return { [RUNTIME_ENV.batch]: batch.name, [RUNTIME_ENV.timezone]: batch.timezone };
}

/** The code version a run records: the zip's SHA-256 (from its key) and the function version when published. */
export function codeVersionOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const sha = /([0-9a-f]{64})\.zip$/.exec(env[RUNTIME_ENV.codeKey] ?? '')?.[1];
  const version = env.AWS_LAMBDA_FUNCTION_VERSION;
  const parts = [sha ? `sha256:${sha.slice(0, 12)}` : undefined, version && version !== '$LATEST' ? `v${version}` : undefined].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
