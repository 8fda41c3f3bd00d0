// The batch's secrets at run time: each reference the template put in BATCHFORM_SECRETS, resolved
// with Powertools Parameters on first use and kept for the life of the execution environment (one
// fetch per cold start); locally, the values `invoke` took from .env.local or the shell.
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { BatchformError } from '../errors/batchform-error';
import { RUNTIME_ENV } from '../model/runtime-env';
import { describeSecret, SecretReference } from '../model/secrets';

/** Options of {@link secret}. */
export interface SecretReadOptions {
  /**
   * Fetch the value again instead of the one cached since the cold start, e.g. after the database
   * refused a password a rotation replaced. The new value is cached in its place.
   * @default false
   */
  readonly refresh?: boolean;
}

/**
 * Where `npx projen invoke` puts the local values of the batch's secrets (by name), so that a
 * local run never reads AWS. Set on `globalThis` by batchform's local runner only.
 * @internal
 */
export const LOCAL_SECRETS = Symbol.for('batchform.local-secrets');

/** How long Powertools keeps a value: the whole life of the execution environment. */
const COLD_START_SECONDS = 10 * 365 * 24 * 3600;

/** Values being fetched or fetched since the cold start, by store and name (two fields of one secret: one fetch). */
const cache = new Map<string, Promise<string>>();
let providers: { ssm?: SSMProvider; secretsManager?: SecretsProvider } = {};

/** Forgets every cached value and provider, as a cold start does (tests). @internal */
export function resetSecretCache(): void {
  cache.clear();
  providers = {};
}

function declaredSecrets(): Record<string, SecretReference> {
  const raw = process.env[RUNTIME_ENV.secrets];
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, SecretReference>;
  } catch (e) {
    throw new BatchformError('bad-input', `${RUNTIME_ENV.secrets} is not the JSON batchform writes; redeploy the batch (npx projen, then deploy).`, { cause: e });
  }
}

async function fetchValue(ref: SecretReference, refresh: boolean): Promise<string> {
  const options = { maxAge: COLD_START_SECONDS, forceFetch: refresh };
  // Loaded on first use: a batch without secrets (or a run that reads none) never loads the SDK clients.
  const value = ref.source === 'ssm'
    ? await (providers.ssm ??= new (await import('@aws-lambda-powertools/parameters/ssm')).SSMProvider()).get(ref.name, { ...options, decrypt: true })
    : await (providers.secretsManager ??= new (await import('@aws-lambda-powertools/parameters/secrets')).SecretsProvider()).get(ref.name, options);
  if (typeof value !== 'string') {
    throw new BatchformError('run-failed', `${describeSecret(ref)} has no text value${value === undefined ? '' : ' (it is binary)'}; batchform reads string values only.`);
  }
  return value;
}

function cachedValue(ref: SecretReference, refresh: boolean): Promise<string> {
  const key = `${ref.source}\n${ref.name}`;
  const hit = cache.get(key);
  if (hit && !refresh) return hit;
  const fetched = fetchValue(ref, refresh);
  cache.set(key, fetched);
  // A failed fetch is not cached: the next call (a retry of the run) tries again.
  fetched.catch(() => {
    if (cache.get(key) === fetched) cache.delete(key);
  });
  return fetched;
}

function fieldOf(ref: SecretReference, value: string): string {
  if (ref.field === undefined) return value;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new BatchformError('run-failed', `${describeSecret(ref)}: the value is not JSON, so it has no field "${ref.field}". Fix: drop field to read the whole value, or store JSON.`);
  }
  const v = json && typeof json === 'object' ? (json as Record<string, unknown>)[ref.field] : undefined;
  if (v === undefined || v === null) {
    const fields = json && typeof json === 'object' ? Object.keys(json).join(', ') : '';
    throw new BatchformError('run-failed', `${describeSecret(ref)}: the value has no field "${ref.field}"${fields ? `; its fields are ${fields}` : ''}.`);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The value of one of the batch's secrets (declared with `secrets` in `.projenrc.ts`), by its
 * name: fetched from SSM Parameter Store (decrypted) or Secrets Manager on first use, then cached
 * for the life of the execution environment, so each cold start fetches it once. With `field`,
 * the named field of the value's JSON. Under `npx projen invoke`, the value comes from
 * `.env.local` or the shell instead, never AWS (unless `--secrets-from-aws`).
 *
 * Never log the value or return it from a durable step (checkpoints are stored).
 *
 * @example
 * const password = await secret('DB_PASSWORD');
 * @throws BatchformError when the batch declares no secret of that name, or the value lacks the field.
 */
export async function secret(name: string, options: SecretReadOptions = {}): Promise<string> {
  const declared = declaredSecrets();
  const ref = Object.prototype.hasOwnProperty.call(declared, name) ? declared[name] : undefined;
  const local = (globalThis as Record<symbol, Readonly<Record<string, string>> | undefined>)[LOCAL_SECRETS];
  if (!ref) {
    const names = Object.keys(declared);
    throw new BatchformError('bad-input', `secret("${name}"): the batch declares no secret "${name}"${names.length ? `; its secrets are ${names.join(', ')}` : ''}.`
      + ` Fix: add ${name} to the batch's secrets in .projenrc.ts (secrets: { ${name}: Secret.ssm('/<parameter>') }) and run npx projen.`);
  }
  if (local) {
    if (!Object.prototype.hasOwnProperty.call(local, name)) {
      throw new BatchformError('bad-input', `secret("${name}") (${describeSecret(ref)}): no local value, and a local run never reads AWS unless asked.`
        + ` Fix: add ${name}=<local value> to .env.local (ignored by git), export ${name} in the shell, or run invoke with --secrets-from-aws.`);
    }
    return local[name];
  }
  return fieldOf(ref, await cachedValue(ref, options.refresh === true));
}
