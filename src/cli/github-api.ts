// A minimal GitHub REST client for `check-github`: GET with the user's token, telling "GitHub answered" from "GitHub could not be reached".
import { BatchformError, BatchformErrorOptions } from '../errors/batchform-error';

/** GitHub's REST API unless `GITHUB_API_URL` names another (GitHub Enterprise, or a test's fake). */
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** The REST API version the checks read (the response shapes they expect). */
export const GITHUB_API_VERSION = '2022-11-28';

/** How long one request may take before GitHub counts as unreachable, in milliseconds. */
export const DEFAULT_GITHUB_TIMEOUT_MS = 10_000;

/** An answer GitHub gave: its status and its JSON body (`undefined` when it sent none or not JSON). */
export interface GitHubAnswer {
  readonly status: number;
  readonly body: any;
}

/** GitHub did not answer, answered 5xx, or rate-limited the token: nothing was learned, nothing is wrong with the settings. */
export class GitHubUnreachableError extends BatchformError {
  constructor(message: string, options: BatchformErrorOptions = {}) {
    super('unreachable', message, options);
    this.name = 'GitHubUnreachableError';
  }
}

/** GitHub refused the token itself (HTTP 401): it is expired, revoked or mistyped. */
export class GitHubTokenError extends BatchformError {
  constructor(message: string) {
    super('bad-input', message);
    this.name = 'GitHubTokenError';
  }
}

/** Options of {@link GitHubApi}. */
export interface GitHubApiOptions {
  /** The API's base URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  readonly baseUrl: string;
  /** The token sent as `Authorization: Bearer`; never part of any message. */
  readonly token: string;
  /** @default DEFAULT_GITHUB_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** Reads GitHub's REST API with one token (global `fetch`, no retries: a check is cheap to run again). */
export class GitHubApi {
  private readonly base: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(options: GitHubApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  }

  /**
   * GETs `path` (e.g. `/repos/acme/batches`) and returns any answer but those that say nothing
   * about the settings.
   * @param what what the request reads, for messages ("reading environment prod")
   * @throws GitHubUnreachableError no answer in time, a network error, HTTP 5xx, or the rate limit
   * @throws GitHubTokenError HTTP 401
   */
  async get(path: string, what: string): Promise<GitHubAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        headers: {
          'Accept': 'application/vnd.github+json',
          'Authorization': `Bearer ${this.token}`,
          'X-GitHub-Api-Version': GITHUB_API_VERSION,
          'User-Agent': 'batchform-check-github',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : causeOf(e);
      throw new GitHubUnreachableError(`cannot reach GitHub: ${this.base} did not answer while ${what} (${cause}).`, { cause: e });
    }
    const text = await response.text().catch(() => '');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const message = typeof body?.message === 'string' ? `: ${body.message}` : '';
    if (response.status === 401) {
      throw new GitHubTokenError(`GitHub refused the token while ${what} (HTTP 401${message}); it is expired, revoked or mistyped. Fix: use a current token, e.g. GH_TOKEN=$(gh auth token).`);
    }
    if (response.status >= 500) {
      throw new GitHubUnreachableError(`GitHub answered HTTP ${response.status} while ${what}${message}; nothing was checked. Run again later.`);
    }
    if ((response.status === 403 || response.status === 429) && (response.headers.get('x-ratelimit-remaining') === '0' || response.headers.has('retry-after'))) {
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
      throw new GitHubUnreachableError(`GitHub rate-limited the token${when} while ${what}; nothing was checked. Run again later.`);
    }
    return { status: response.status, body };
  }
}

/** The innermost reason of a fetch failure (undici wraps it in `TypeError: fetch failed`). */
function causeOf(e: unknown): string {
  let error = e as { message?: string; cause?: unknown; code?: string };
  while (error?.cause && typeof error.cause === 'object') error = error.cause as typeof error;
  return error?.code ? `${error.code}${error.message ? `: ${error.message}` : ''}` : String(error?.message ?? e);
}
