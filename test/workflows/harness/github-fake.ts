// A loopback (127.0.0.1) fake of the GitHub REST API a workflow's jobs talk to: one repository with pull requests,
// label events, issue comments, workflow runs and artifacts; GITHUB_TOKENs scoped by each job's `permissions`,
// enforced per endpoint; every request recorded. The harness's runner registers tokens, runs and artifacts through
// `/_harness/*` endpoints that need the fake's admin key, which no step sees.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

/** A GitHub account as the API shows it. */
export interface GitHubUser {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Bot' | 'Organization';
}

/** The author of everything a job's GITHUB_TOKEN writes. */
export const GITHUB_ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

/** The repository under test. */
export interface RepositorySpec {
  /** OWNER/NAME, e.g. `acme/batches`. */
  readonly fullName: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** Private repositories need a token scope for reads too; public ones only for writes. @default true */
  readonly private?: boolean;
  /** @default 700000001 */
  readonly id?: number;
  /** @default 9000001 */
  readonly ownerId?: number;
}

/** A pull request; forks name their own `head.repo`. */
export interface PullRequestSpec {
  readonly number: number;
  readonly title?: string;
  /** @default 'open' (or 'closed' when mergedAt is set) */
  readonly state?: 'open' | 'closed';
  readonly head: {
    readonly ref: string;
    readonly sha: string;
    /** OWNER/NAME of the head repository (a fork) @default the repository */
    readonly repo?: string;
  };
  readonly base: { readonly ref: string; readonly sha: string };
  /** The test merge commit GitHub keeps at refs/pull/N/merge, or the merge/squash commit once merged. */
  readonly mergeCommitSha?: string;
  /** ISO time of the merge; unset: not merged. */
  readonly mergedAt?: string;
  /** Labels the pull request carries from its creation (each gets a `labeled` event at createdAt). */
  readonly labels?: readonly string[];
  /** Further commits of the pull request (besides head.sha and mergeCommitSha) that `commits/{sha}/pulls` finds it by. */
  readonly commits?: readonly string[];
  /** @default 'contributor' */
  readonly author?: string;
  /** @default '2026-01-01T00:00:00Z' */
  readonly createdAt?: string;
}

/** A comment on an issue or pull request. */
export interface IssueComment {
  readonly id: number;
  readonly issue: number;
  body: string;
  readonly user: GitHubUser;
  readonly created_at: string;
  updated_at: string;
}

/** A `labeled` / `unlabeled` event on an issue or pull request. */
export interface LabelEvent {
  readonly id: number;
  readonly issue: number;
  readonly event: 'labeled' | 'unlabeled';
  readonly label: string;
  readonly created_at: string;
  readonly actor: GitHubUser;
}

/** An artifact of a workflow run, its files kept in the fake's store. */
export interface ArtifactRecord {
  readonly id: number;
  readonly runId: number;
  readonly name: string;
  readonly size: number;
  readonly digest: string;
  readonly files: string[];
  readonly created_at: string;
}

/** A workflow run the harness started. */
export interface WorkflowRunRecord {
  readonly id: number;
  readonly run_number: number;
  readonly name: string;
  readonly path: string;
  readonly event: string;
  readonly head_sha: string;
  readonly head_branch: string | null;
  status: 'in_progress' | 'completed';
  conclusion: string | null;
}

/** A GITHUB_TOKEN's permission per scope, as the job's `permissions:` resolved. */
export type TokenPermissions = Record<string, 'read' | 'write' | 'none'>;

/** One API request as the fake answered it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: unknown;
  readonly status: number;
  /** The job whose token made the request (`<workflow file>#<job id>`), if the token was a job's. */
  readonly job?: string;
  /** True when the harness does not implement the endpoint (the 404 is the harness's, not GitHub's). */
  readonly unimplemented?: boolean;
}

/** What a scenario seeds the fake with. */
export interface GitHubFakeOptions {
  readonly repository: RepositorySpec;
  readonly pullRequests?: readonly PullRequestSpec[];
  /** Plain issues (not pull requests) that exist. */
  readonly issues?: readonly number[];
  /** Comments already on issues/pull requests, by people or other bots. */
  readonly comments?: ReadonlyArray<{ issue: number; body: string; user: GitHubUser; created_at?: string }>;
  /** Label events besides those of the pull requests' initial labels. */
  readonly labelEvents?: ReadonlyArray<Omit<LabelEvent, 'id' | 'actor'> & { actor?: GitHubUser }>;
  /** @default 'https://github.com' */
  readonly serverUrl?: string;
}

interface TokenGrant {
  readonly permissions: TokenPermissions;
  readonly job: string;
  readonly runId: number;
  revoked: boolean;
}

interface OidcGrant {
  readonly claims: Record<string, unknown>;
  revoked: boolean;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly documentation = 'https://docs.github.com/rest') {
    super(message);
  }
}

const PERMISSION_LEVEL = { none: 0, read: 1, write: 2 } as const;

/** A running fake: its URL, its state (mutable, for assertions and for seeding between runs) and its request log. */
export interface GitHubFake {
  /** Base URL of the API (what GITHUB_API_URL points at), e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The key the harness's runner passes in `x-harness-admin` (never given to a step). */
  readonly adminKey: string;
  readonly serverUrl: string;
  readonly repository: Required<RepositorySpec> & { owner: string; name: string };
  readonly pullRequests: PullRequestSpec[];
  readonly comments: IssueComment[];
  readonly labelEvents: LabelEvent[];
  readonly artifacts: ArtifactRecord[];
  readonly runs: WorkflowRunRecord[];
  readonly requests: RecordedRequest[];
  /** The labels a pull request or issue carries at `at` (ISO time; default now), replaying its label events. */
  labelsAt(issue: number, at?: string): string[];
  /** Adds a label (a `labeled` event at `at`). */
  addLabel(issue: number, label: string, at?: string, actor?: GitHubUser): void;
  /** Removes a label (an `unlabeled` event at `at`). */
  removeLabel(issue: number, label: string, at?: string, actor?: GitHubUser): void;
  /** Marks a pull request merged by `mergeCommitSha` at `at`. */
  merge(number: number, mergeCommitSha: string, at?: string): void;
  /** Adds a comment by someone other than a job. */
  addComment(issue: number, body: string, user: GitHubUser): IssueComment;
  /** The pull request as the API (and a pull_request event payload) shows it. */
  pullRequestJson(number: number): Record<string, unknown>;
  /** A repository (this one, or a fork's OWNER/NAME) as the API and event payloads show it. */
  repositoryJson(fullName?: string): Record<string, unknown>;
  /** Stops the server and deletes the artifact store. */
  close(): Promise<void>;
}

function repoJson(fake: { repository: GitHubFake['repository']; serverUrl: string; url: string }, fullName: string): Record<string, unknown> {
  const [owner, name] = fullName.split('/');
  const own = fullName.toLowerCase() === fake.repository.fullName.toLowerCase();
  const id = own ? fake.repository.id : 800000000 + (parseInt(crypto.createHash('sha1').update(fullName).digest('hex').slice(0, 6), 16));
  return {
    id,
    name,
    full_name: fullName,
    owner: { login: owner, id: own ? fake.repository.ownerId : id + 1, type: 'User' },
    private: own ? fake.repository.private : false,
    fork: !own,
    default_branch: fake.repository.defaultBranch,
    html_url: `${fake.serverUrl}/${fullName}`,
    url: `${fake.url}/repos/${fullName}`,
  };
}

/**
 * Starts the fake on 127.0.0.1 at an ephemeral port.
 *
 * Token scopes follow GitHub's rules for the GITHUB_TOKEN: a write needs the endpoint's scope at `write`; a read
 * needs it at `read` or more on a private repository and nothing on a public one; issue comment and label endpoints
 * accept either `issues` or `pull-requests` when the issue is a pull request. A missing scope answers 403
 * "Resource not accessible by integration"; an unknown or expired token (its job finished) 401 "Bad credentials".
 */
export async function startGitHubFake(options: GitHubFakeOptions): Promise<GitHubFake> {
  const [owner, name] = options.repository.fullName.split('/');
  if (!owner || !name) throw new Error(`repository.fullName must be OWNER/NAME, got '${options.repository.fullName}'`);
  const repository = {
    fullName: options.repository.fullName,
    defaultBranch: options.repository.defaultBranch ?? 'main',
    private: options.repository.private ?? true,
    id: options.repository.id ?? 700000001,
    ownerId: options.repository.ownerId ?? 9000001,
    owner,
    name,
  };
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const adminKey = crypto.randomBytes(16).toString('hex');
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-fake-artifacts-'));
  const tokens = new Map<string, TokenGrant>();
  const oidcTokens = new Map<string, OidcGrant>();
  const requests: RecordedRequest[] = [];
  const pullRequests = (options.pullRequests ?? []).map((p) => ({ ...p }));
  const comments: IssueComment[] = [];
  const labelEvents: LabelEvent[] = [];
  const artifacts: ArtifactRecord[] = [];
  const runs: WorkflowRunRecord[] = [];
  let nextId = 1000;
  const someone = (login: string): GitHubUser => ({ login, id: 5000000 + (login.length * 7919) % 100000, type: 'User' });

  for (const pr of pullRequests) {
    for (const label of pr.labels ?? []) {
      labelEvents.push({ id: nextId++, issue: pr.number, event: 'labeled', label, created_at: pr.createdAt ?? '2026-01-01T00:00:00Z', actor: someone(pr.author ?? 'contributor') });
    }
  }
  for (const e of options.labelEvents ?? []) labelEvents.push({ ...e, id: nextId++, actor: e.actor ?? someone('maintainer') });
  for (const c of options.comments ?? []) {
    const at = c.created_at ?? '2026-01-01T00:00:00Z';
    comments.push({ id: nextId++, issue: c.issue, body: c.body, user: c.user, created_at: at, updated_at: at });
  }

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const self = { repository, serverUrl, url };

  const labelsAt = (issue: number, at?: string): string[] => {
    const limit = at ?? new Date().toISOString();
    const labels = new Set<string>();
    const events = [...labelEvents]
      .filter((x) => x.issue === issue && x.created_at <= limit)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    for (const e of events) {
      if (e.event === 'labeled') labels.add(e.label);
      else labels.delete(e.label);
    }
    return [...labels];
  };
  const isPull = (n: number) => pullRequests.some((p) => p.number === n);
  const issueExists = (n: number) => isPull(n) || (options.issues ?? []).includes(n);

  const pullJson = (p: PullRequestSpec, full = true): Record<string, unknown> => {
    const headRepo = p.head.repo ?? repository.fullName;
    const merged = !!p.mergedAt;
    const json: Record<string, unknown> = {
      id: 1200000000 + p.number,
      number: p.number,
      state: p.state ?? (merged ? 'closed' : 'open'),
      title: p.title ?? `Pull request #${p.number}`,
      user: someone(p.author ?? 'contributor'),
      // Current labels, as GitHub shows them even after the merge: which were there at the merge is for the events to tell.
      labels: labelsAt(p.number).map((l, i) => ({ id: 3000 + i, name: l, color: 'ededed', default: false })),
      head: { label: `${headRepo.split('/')[0]}:${p.head.ref}`, ref: p.head.ref, sha: p.head.sha, repo: repoJson(self, headRepo) },
      base: { label: `${owner}:${p.base.ref}`, ref: p.base.ref, sha: p.base.sha, repo: repoJson(self, repository.fullName) },
      merged_at: p.mergedAt ?? null,
      merge_commit_sha: p.mergeCommitSha ?? null,
      created_at: p.createdAt ?? '2026-01-01T00:00:00Z',
      draft: false,
      html_url: `${serverUrl}/${repository.fullName}/pull/${p.number}`,
      url: `${url}/repos/${repository.fullName}/pulls/${p.number}`,
    };
    if (full) Object.assign(json, { merged, mergeable: merged ? null : true, commits: 1 + (p.commits?.length ?? 0) });
    return json;
  };
  const commentJson = (c: IssueComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: { ...c.user, node_id: `U_${c.user.id}` },
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    html_url: `${serverUrl}/${repository.fullName}/${isPull(c.issue) ? 'pull' : 'issues'}/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${url}/repos/${repository.fullName}/issues/${c.issue}`,
    url: `${url}/repos/${repository.fullName}/issues/comments/${c.id}`,
  });
  const eventJson = (e: LabelEvent) => ({
    id: e.id,
    node_id: `LE_${e.id}`,
    event: e.event,
    label: { name: e.label, color: 'ededed' },
    actor: e.actor,
    created_at: e.created_at,
  });
  const artifactJson = (a: ArtifactRecord) => ({
    id: a.id,
    node_id: `A_${a.id}`,
    name: a.name,
    size_in_bytes: a.size,
    digest: `sha256:${a.digest}`,
    expired: false,
    created_at: a.created_at,
    archive_download_url: `${url}/repos/${repository.fullName}/actions/artifacts/${a.id}/zip`,
    workflow_run: { id: a.runId },
  });

  /** Checks the token for a scope at a level; `scopes` lists alternatives. */
  const authorize = (grant: TokenGrant | undefined, scopes: string[], access: 'read' | 'write', doc: string): void => {
    if (access === 'read' && !repository.private) return;
    if (!grant) throw new HttpError(401, 'Requires authentication', doc);
    const ok = scopes.some((s) => PERMISSION_LEVEL[grant.permissions[s] ?? 'none'] >= PERMISSION_LEVEL[access]);
    if (!ok) throw new HttpError(403, 'Resource not accessible by integration', doc);
  };

  const paginate = (
    req: http.IncomingMessage, query: Record<string, string>, items: unknown[],
  ): { body: unknown[]; headers: Record<string, string> } => {
    const perPage = Math.min(100, Math.max(1, parseInt(query.per_page ?? '30', 10) || 30));
    const page = Math.max(1, parseInt(query.page ?? '1', 10) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const base = new URL(req.url ?? '/', url);
    const link = (p: number) => {
      base.searchParams.set('per_page', String(perPage));
      base.searchParams.set('page', String(p));
      return base.toString();
    };
    const links: string[] = [];
    if (page < last) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) links.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    return { body: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
  };

  type Handler = (ctx: { req: http.IncomingMessage; params: string[]; query: Record<string, string>; body: any; grant?: TokenGrant }) =>
  { status?: number; body?: unknown; headers?: Record<string, string> };
  const repoPath = `/repos/${repository.fullName}`.toLowerCase();
  const routes: Array<{ method: string; path: RegExp; handler: Handler }> = [];
  const route = (method: string, pattern: string, handler: Handler) => {
    routes.push({ method, path: new RegExp(`^${pattern.replace('{repo}', repoPath.replace(/[.]/g, '\\.'))}$`, 'i'), handler });
  };
  const issueScopes = (n: number) => (isPull(n) ? ['issues', 'pull-requests'] : ['issues']);
  const needIssue = (n: number) => {
    if (!issueExists(n)) throw new HttpError(404, 'Not Found');
  };

  route('GET', '{repo}', ({ grant }) => {
    authorize(grant, ['metadata'], 'read', 'https://docs.github.com/rest/repos/repos#get-a-repository');
    return { body: repoJson(self, repository.fullName) };
  });
  route('GET', '{repo}/pulls', ({ req, query, grant }) => {
    authorize(grant, ['pull-requests'], 'read', 'https://docs.github.com/rest/pulls/pulls#list-pull-requests');
    const state = query.state ?? 'open';
    const list = pullRequests.filter((p) => state === 'all' || (p.state ?? (p.mergedAt ? 'closed' : 'open')) === state)
      .filter((p) => !query.head || `${(p.head.repo ?? repository.fullName).split('/')[0]}:${p.head.ref}` === query.head)
      .filter((p) => !query.base || p.base.ref === query.base);
    return paginate(req, query, list.map((p) => pullJson(p, false)));
  });
  route('GET', '{repo}/pulls/(\\d+)', ({ params, grant }) => {
    authorize(grant, ['pull-requests'], 'read', 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request');
    const pr = pullRequests.find((p) => p.number === Number(params[0]));
    if (!pr) throw new HttpError(404, 'Not Found');
    return { body: pullJson(pr) };
  });
  route('GET', '{repo}/commits/([0-9a-f]{7,64})/pulls', ({ req, params, query, grant }) => {
    authorize(grant, ['pull-requests'], 'read', 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit');
    const sha = params[0].toLowerCase();
    const has = (p: PullRequestSpec) => [p.head.sha, p.mergeCommitSha, ...(p.commits ?? [])].some((s) => s && s.toLowerCase().startsWith(sha));
    // GitHub: a commit on the default branch finds the merged pull requests that brought it; elsewhere only open ones.
    const merged = pullRequests.filter((p) => p.mergedAt && has(p));
    const list = merged.length ? merged : pullRequests.filter((p) => !p.mergedAt && (p.state ?? 'open') === 'open' && has(p));
    return paginate(req, query, list.map((p) => pullJson(p, false)));
  });
  route('GET', '{repo}/issues/(\\d+)/comments', ({ req, params, query, grant }) => {
    const n = Number(params[0]);
    needIssue(n);
    authorize(grant, issueScopes(n), 'read', 'https://docs.github.com/rest/issues/comments#list-issue-comments');
    return paginate(req, query, comments.filter((c) => c.issue === n).sort((a, b) => a.id - b.id).map(commentJson));
  });
  route('POST', '{repo}/issues/(\\d+)/comments', ({ params, body, grant }) => {
    const n = Number(params[0]);
    needIssue(n);
    authorize(grant, issueScopes(n), 'write', 'https://docs.github.com/rest/issues/comments#create-an-issue-comment');
    if (typeof body?.body !== 'string') throw new HttpError(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
    if (body.body.length > 65536) throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    const now = new Date().toISOString();
    const c: IssueComment = { id: nextId++, issue: n, body: body.body, user: GITHUB_ACTIONS_BOT, created_at: now, updated_at: now };
    comments.push(c);
    return { status: 201, body: commentJson(c) };
  });
  const findComment = (id: number) => {
    const c = comments.find((x) => x.id === id);
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  };
  route('GET', '{repo}/issues/comments/(\\d+)', ({ params, grant }) => {
    const c = findComment(Number(params[0]));
    authorize(grant, issueScopes(c.issue), 'read', 'https://docs.github.com/rest/issues/comments#get-an-issue-comment');
    return { body: commentJson(c) };
  });
  route('PATCH', '{repo}/issues/comments/(\\d+)', ({ params, body, grant }) => {
    const c = findComment(Number(params[0]));
    authorize(grant, issueScopes(c.issue), 'write', 'https://docs.github.com/rest/issues/comments#update-an-issue-comment');
    if (typeof body?.body !== 'string') throw new HttpError(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
    if (body.body.length > 65536) throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    c.body = body.body;
    c.updated_at = new Date().toISOString();
    return { body: commentJson(c) };
  });
  route('DELETE', '{repo}/issues/comments/(\\d+)', ({ params, grant }) => {
    const c = findComment(Number(params[0]));
    authorize(grant, issueScopes(c.issue), 'write', 'https://docs.github.com/rest/issues/comments#delete-an-issue-comment');
    comments.splice(comments.indexOf(c), 1);
    return { status: 204 };
  });
  route('GET', '{repo}/issues/(\\d+)/events', ({ req, params, query, grant }) => {
    const n = Number(params[0]);
    needIssue(n);
    authorize(grant, issueScopes(n), 'read', 'https://docs.github.com/rest/issues/events#list-issue-events');
    const events = labelEvents.filter((e) => e.issue === n).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    return paginate(req, query, events.map(eventJson));
  });
  route('GET', '{repo}/issues/(\\d+)/timeline', ({ req, params, query, grant }) => {
    const n = Number(params[0]);
    needIssue(n);
    authorize(grant, issueScopes(n), 'read', 'https://docs.github.com/rest/issues/timeline#list-timeline-events-for-an-issue');
    const items: Array<{ at: string; json: Record<string, unknown> }> = [
      ...labelEvents.filter((e) => e.issue === n).map((e) => ({ at: e.created_at, json: eventJson(e) })),
      ...comments.filter((c) => c.issue === n).map((c) => ({ at: c.created_at, json: { ...commentJson(c), event: 'commented', actor: c.user } })),
    ];
    const pr = pullRequests.find((p) => p.number === n);
    if (pr?.mergedAt) items.push({ at: pr.mergedAt, json: { id: 900000 + n, event: 'merged', commit_id: pr.mergeCommitSha ?? null, created_at: pr.mergedAt, actor: someone('maintainer') } });
    items.sort((a, b) => a.at.localeCompare(b.at));
    return paginate(req, query, items.map((i) => i.json));
  });
  route('GET', '{repo}/issues/(\\d+)/labels', ({ req, params, query, grant }) => {
    const n = Number(params[0]);
    needIssue(n);
    authorize(grant, issueScopes(n), 'read', 'https://docs.github.com/rest/issues/labels#list-labels-for-an-issue');
    return paginate(req, query, labelsAt(n).map((l, i) => ({ id: 3000 + i, name: l, color: 'ededed', default: false })));
  });
  route('GET', '{repo}/actions/runs/(\\d+)', ({ params, grant }) => {
    authorize(grant, ['actions'], 'read', 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run');
    const run = runs.find((r) => r.id === Number(params[0]));
    if (!run) throw new HttpError(404, 'Not Found');
    return { body: { ...run, repository: repoJson(self, repository.fullName), html_url: `${serverUrl}/${repository.fullName}/actions/runs/${run.id}` } };
  });
  route('GET', '{repo}/actions/runs/(\\d+)/artifacts', ({ req, params, query, grant }) => {
    authorize(grant, ['actions'], 'read', 'https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts');
    const list = artifacts.filter((a) => a.runId === Number(params[0]) && (!query.name || a.name === query.name));
    const page = paginate(req, query, list.map(artifactJson));
    return { body: { total_count: list.length, artifacts: page.body }, headers: page.headers };
  });
  route('GET', '{repo}/actions/artifacts/(\\d+)/zip', ({ params, grant }) => {
    authorize(grant, ['actions'], 'read', 'https://docs.github.com/rest/actions/artifacts#download-an-artifact');
    const a = artifacts.find((x) => x.id === Number(params[0]));
    if (!a) throw new HttpError(404, 'Not Found');
    return { status: 302, headers: { location: `${url}/_blob/artifacts/${a.id}.zip` } };
  });

  // The harness's own endpoints (not GitHub's): how the runner registers tokens, runs and artifacts.
  type AdminHandler = (params: string[], body: any, query: Record<string, string>) => { status?: number; body?: unknown };
  const admin: Array<{ method: string; path: RegExp; handler: AdminHandler }> = [
    {
      method: 'POST',
      path: /^\/_harness\/tokens$/,
      handler: (_, b) => {
        tokens.set(b.token, { permissions: b.permissions, job: b.job, runId: b.runId, revoked: false });
        if (b.oidcRequestToken) oidcTokens.set(b.oidcRequestToken, { claims: b.oidcClaims, revoked: false });
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: /^\/_harness\/tokens\/revoke$/,
      handler: (_, b) => {
        const grant = tokens.get(b.token);
        if (grant) grant.revoked = true;
        const oidc = b.oidcRequestToken ? oidcTokens.get(b.oidcRequestToken) : undefined;
        if (oidc) oidc.revoked = true;
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: /^\/_harness\/runs$/,
      handler: (_, b) => {
        const run: WorkflowRunRecord = { id: 9100000000 + runs.length + 1, run_number: runs.filter((r) => r.path === b.path).length + 1, name: b.name, path: b.path, event: b.event, head_sha: b.head_sha, head_branch: b.head_branch ?? null, status: 'in_progress', conclusion: null };
        runs.push(run);
        return { status: 201, body: run };
      },
    },
    {
      method: 'PATCH',
      path: /^\/_harness\/runs\/(\d+)$/,
      handler: (p, b) => {
        const run = runs.find((r) => r.id === Number(p[0]));
        if (!run) return { status: 404, body: { message: `no run ${p[0]}` } };
        Object.assign(run, { status: b.status, conclusion: b.conclusion });
        return { body: run };
      },
    },
    {
      method: 'POST',
      path: /^\/_harness\/artifacts$/,
      handler: (_, b) => {
        const existing = artifacts.find((a) => a.runId === b.runId && a.name === b.name);
        if (existing && !b.overwrite) {
          return { status: 409, body: { message: 'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run' } };
        }
        if (existing) artifacts.splice(artifacts.indexOf(existing), 1);
        const id = nextId++;
        const dir = path.join(store, String(id));
        const hash = crypto.createHash('sha256');
        let size = 0;
        for (const f of b.files as Array<{ source: string; name: string }>) {
          const content = fs.readFileSync(f.source);
          fs.mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
          fs.writeFileSync(path.join(dir, f.name), content);
          hash.update(f.name).update(content);
          size += content.length;
        }
        const record: ArtifactRecord = { id, runId: b.runId, name: b.name, size, digest: hash.digest('hex'), files: (b.files as Array<{ name: string }>).map((f) => f.name).sort(), created_at: new Date().toISOString() };
        artifacts.push(record);
        return { status: 201, body: record };
      },
    },
    { method: 'GET', path: /^\/_harness\/artifacts$/, handler: (_, __, q) => ({ body: artifacts.filter((a) => a.runId === Number(q.run_id) && (!q.name || a.name === q.name)) }) },
    { method: 'GET', path: /^\/_harness\/artifacts\/(\d+)\/dir$/, handler: (p) => ({ body: { dir: path.join(store, p[0]) } }) },
  ];

  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', url);
      const query = Object.fromEntries(parsed.searchParams.entries());
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-request-id': crypto.randomUUID(), ...headers });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      const method = req.method ?? 'GET';
      if (parsed.pathname.startsWith('/_harness/')) {
        if (parsed.pathname === '/_harness/oidc') {
          const bearer = (req.headers.authorization ?? '').replace(/^bearer\s+/i, '');
          const grant = oidcTokens.get(bearer);
          if (!grant || grant.revoked) return send(401, { message: 'Bad credentials' });
          const claims = { ...grant.claims, aud: query.audience || grant.claims.aud };
          const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
          return send(200, { value: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` });
        }
        if (req.headers['x-harness-admin'] !== adminKey) return send(403, { message: 'the harness admin endpoints need the x-harness-admin key' });
        for (const r of admin) {
          const m = r.method === method && r.path.exec(parsed.pathname);
          if (m) {
            try {
              const out = r.handler(m.slice(1), body, query);
              return send(out.status ?? 200, out.body);
            } catch (e) {
              return send(500, { message: (e as Error).message });
            }
          }
        }
        return send(404, { message: `no harness endpoint ${method} ${parsed.pathname}` });
      }
      const auth = req.headers.authorization ?? '';
      const token = auth.replace(/^(token|bearer)\s+/i, '');
      const grant = token ? tokens.get(token) : undefined;
      const record = (status: number, extra: Partial<RecordedRequest> = {}) =>
        requests.push({ method, path: parsed.pathname, query, body, status, job: grant?.job, ...extra });
      if (token && (!grant || grant.revoked)) {
        record(401);
        return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      }
      const match = routes.map((r) => ({ r, m: r.method === method && r.path.exec(parsed.pathname) })).find((x) => x.m);
      if (!match || !match.m) {
        record(404, { unimplemented: true });
        return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', harness: `the GitHub fake does not implement ${method} ${parsed.pathname}` });
      }
      try {
        const out = match.r.handler({ req, params: match.m.slice(1), query, body, grant });
        record(out.status ?? 200);
        return send(out.status ?? 200, out.body, out.headers);
      } catch (e) {
        if (e instanceof HttpError) {
          record(e.status);
          return send(e.status, { message: e.message, documentation_url: e.documentation, status: String(e.status) });
        }
        record(500);
        return send(500, { message: (e as Error).message });
      }
    });
  });

  const ts = (at?: string) => at ?? new Date().toISOString();
  return {
    url,
    adminKey,
    serverUrl,
    repository,
    pullRequests,
    comments,
    labelEvents,
    artifacts,
    runs,
    requests,
    labelsAt,
    addLabel: (issue, label, at, actor) => { labelEvents.push({ id: nextId++, issue, event: 'labeled', label, created_at: ts(at), actor: actor ?? someone('maintainer') }); },
    removeLabel: (issue, label, at, actor) => { labelEvents.push({ id: nextId++, issue, event: 'unlabeled', label, created_at: ts(at), actor: actor ?? someone('maintainer') }); },
    merge: (number, mergeCommitSha, at) => {
      const i = pullRequests.findIndex((p) => p.number === number);
      if (i < 0) throw new Error(`merge: no pull request #${number}`);
      pullRequests[i] = { ...pullRequests[i], mergeCommitSha, mergedAt: ts(at), state: 'closed' };
    },
    addComment: (issue, body, user) => {
      const at = new Date().toISOString();
      const c: IssueComment = { id: nextId++, issue, body, user, created_at: at, updated_at: at };
      comments.push(c);
      return c;
    },
    pullRequestJson: (number) => {
      const pr = pullRequests.find((p) => p.number === number);
      if (!pr) throw new Error(`No pull request #${number} in the GitHub fake (it has: ${pullRequests.map((p) => p.number).join(', ') || 'none'})`);
      return pullJson(pr);
    },
    repositoryJson: (fullName) => repoJson(self, fullName ?? repository.fullName),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      fs.rmSync(store, { recursive: true, force: true });
    },
  };
}
