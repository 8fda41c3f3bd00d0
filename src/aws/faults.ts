// Tells AWS's answers apart from failures to reach AWS at all, and words each for people.
import { BatchformError } from '../errors/batchform-error';

/** The parts of an SDK error the deploy reads. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/** The code of batchform's own "no answer within the wall-clock bound" error (a call's deadline, a wait's silence). */
export const NO_ANSWER_CODE = 'BATCHFORM_NO_ANSWER';

/** Node's and the SDK's codes for a request that never got an HTTP answer, and batchform's own. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', NO_ANSWER_CODE,
]);

/** Whether `e` is an answer from an AWS service (it has an HTTP status): a throttle, a 5xx, a validation error. */
export function isServiceError(e: unknown): boolean {
  return typeof (e as SdkError | undefined)?.$metadata?.httpStatusCode === 'number';
}

/**
 * Whether `e` means AWS could not be reached: no HTTP answer at all (refused, reset, dropped,
 * timed out, name not resolved). The SDK has already retried such a request `maxAttempts` times.
 */
export function isNetworkError(e: unknown): boolean {
  if (!e || typeof e !== 'object' || isServiceError(e)) return false;
  const err = e as SdkError;
  if (err.code && NETWORK_CODES.has(err.code)) return true;
  // The HTTP handler's socket and request timeouts; a waiter's own timeout has a JSON message.
  if (err.name === 'TimeoutError' && /node-http-handler|timed out|timeout/i.test(err.message ?? '') && !(err.message ?? '').startsWith('{')) return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN/.test(err.message ?? '');
}

/** Whether `e` says no credentials were found (the SDK's credential chain came up empty). */
export function isMissingCredentials(e: unknown): boolean {
  const err = e as SdkError | undefined;
  return err?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(err?.message ?? '');
}

/** A failure to reach AWS during one step, naming the endpoint and the step. */
export class UnreachableError extends BatchformError {
  constructor(readonly endpoint: string, readonly step: string, cause: unknown, tries?: string) {
    const err = cause as SdkError;
    const what = [err?.code === NO_ANSWER_CODE ? undefined : err?.code, err?.message].filter((x, i, all) => x && (i === 0 || !all[0] || !String(x).includes(all[0]))).join(': ') || String(cause);
    super(
      'unreachable',
      `cannot reach AWS: ${endpoint} did not answer while ${step}${tries ? ` (${tries})` : ''}: ${what}. ` +
        'This is the network between here and AWS (connection, proxy, VPN, DNS or AWS_ENDPOINT_URL), not an answer from AWS; ' +
        'nothing about the operation\'s state is known. Run again once the network is back: the run picks up from what AWS has.',
      { cause },
    );
    this.name = 'UnreachableError';
  }
}

/** The endpoint each client last sent a request to (see {@link recordEndpoints}). */
const usedEndpoints = new WeakMap<object, string>();

/**
 * Makes `client` remember the endpoint of every request it sends, as the SDK resolved it
 * (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, a profile's `endpoint_url`, the SQS queue
 * URL's host), so a "cannot reach AWS" message names the endpoint actually used.
 */
export function recordEndpoints(client: { middlewareStack: { add: (...args: never[]) => unknown } }): void {
  type Request = { protocol?: string; hostname?: string; port?: number };
  const middleware = (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
    const r = args.request as Request | undefined;
    if (r?.hostname) usedEndpoints.set(client, `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`);
    return next(args);
  };
  (client.middlewareStack.add as (m: unknown, o: unknown) => void)(middleware, { step: 'finalizeRequest', name: 'batchformRecordEndpoint', override: true });
}

/** The SDK's environment variable for one service's endpoint, e.g. `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`. */
function serviceEndpointEnv(service: string): string {
  const id: Record<string, string> = { logs: 'CLOUDWATCH_LOGS', monitoring: 'CLOUDWATCH', cloudwatch: 'CLOUDWATCH' };
  return `AWS_ENDPOINT_URL_${id[service] ?? service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The endpoint a client sends to, for messages: the one its last request went to, else its
 * configured endpoint, else the SDK's endpoint environment variables, else AWS's regional one.
 */
export async function endpointOf(client: { config: unknown }, service: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  type Endpoint = { protocol?: string; hostname?: string; port?: number; path?: string };
  const config = client.config as { endpoint?: () => Promise<Endpoint>; region?: () => Promise<string> };
  try {
    const used = usedEndpoints.get(client);
    if (used) return used;
    if (typeof config.endpoint === 'function') {
      const e = await config.endpoint();
      if (e?.hostname) return `${e.protocol ?? 'https:'}//${e.hostname}${e.port ? `:${e.port}` : ''}`;
    }
    if (!/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) {
      const fromEnv = env[serviceEndpointEnv(service)] || env.AWS_ENDPOINT_URL;
      if (fromEnv) return fromEnv.replace(/\/+$/, '');
    }
    const region = typeof config.region === 'function' ? await config.region() : 'us-east-1';
    return `https://${service}.${region}.amazonaws.com`;
  } catch {
    return `the ${service} endpoint`;
  }
}

/**
 * One line for an error: `AWS <Code>: <message>` for an AWS service's answer (the code is what
 * people search for); for anything else, its message as is.
 */
export function describeError(e: unknown): string {
  const err = e as SdkError | undefined;
  if (isServiceError(e)) return `AWS ${err?.name ?? 'error'}: ${err?.message ?? ''}`;
  if (e instanceof UnreachableError) return e.message;
  if (err?.code && err.message && !err.message.includes(err.code)) return `${err.code}: ${err.message}`;
  return err?.message ?? String(e);
}

/**
 * Runs one AWS call, turning "could not reach AWS" into an {@link UnreachableError} that names the
 * endpoint and the step; AWS's own answers pass through unchanged.
 */
export async function reaching<T>(client: { config: unknown }, service: string, step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNetworkError(e)) {
      const attempts = (e as SdkError).$metadata?.attempts;
      throw new UnreachableError(await endpointOf(client, service), step, e, attempts ? `${attempts} attempts` : undefined);
    }
    throw e;
  }
}
