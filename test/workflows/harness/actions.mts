// Stand-ins for the actions the generated workflows use, keyed by action name: each takes the real action's inputs
// (with its action.yml defaults), fails with the real action's messages where the harness can tell, and hands back
// outputs, env and annotations through the step's file and workflow commands, as the real action's @actions/core does.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { artifactEntries, findFilesToUpload, validateArtifactName } from './artifact-files.ts';
import type { LintFinding, WorkflowFile } from './actionlint.ts';
import type { TokenPermissions } from './github-fake.ts';
import type { StepIO } from './step-io.mts';
import type { OidcClaims, TrustFunction } from './trust.ts';
import type { RepositoryContext, ResolvedEvent } from './types.ts';

const require = createRequire(import.meta.url);
/** The slice of semver (installed here as a dependency of other packages) setup-node's version check needs. */
const semver = require('semver') as { validRange(range: string): string | null; minVersion(range: string): { major: number } | null };
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Lints workflow files as the actionlint image (with shellcheck) does: actionlint.ts's signature. */
export type ActionlintFunction = (files: WorkflowFile[]) => Promise<LintFinding[]>;

/** `uses:` split into what the registry keys on and the version asked for. */
export interface ParsedUses {
  readonly raw: string;
  /** `owner/repo[/path]` or `docker://image`. */
  readonly name: string;
  /** Tag, branch, SHA, or the image's tag/digest. */
  readonly ref: string;
}

/** Parses `owner/repo@ref`, `owner/repo/path@ref`, `docker://image:tag` and `docker://image@sha256:...`. */
export function parseUses(uses: string): ParsedUses {
  if (uses.startsWith('docker://')) {
    const image = uses.slice('docker://'.length);
    const at = image.indexOf('@');
    if (at >= 0) return { raw: uses, name: `docker://${image.slice(0, at)}`, ref: image.slice(at + 1) };
    const colon = image.lastIndexOf(':');
    const slash = image.lastIndexOf('/');
    if (colon > slash) return { raw: uses, name: `docker://${image.slice(0, colon)}`, ref: image.slice(colon + 1) };
    return { raw: uses, name: `docker://${image}`, ref: 'latest' };
  }
  const at = uses.lastIndexOf('@');
  if (at < 0) return { raw: uses, name: uses, ref: '' };
  return { raw: uses, name: uses.slice(0, at), ref: uses.slice(at + 1) };
}

/** The job an action runs in. */
export interface JobInfo {
  readonly workflowPath: string;
  readonly jobId: string;
  readonly token: string;
  readonly permissions: TokenPermissions;
  /** Present when the job may request an OIDC token (`id-token: write`, not a fork pull request). */
  readonly oidcClaims?: OidcClaims;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly runId: number;
}

/** What the runner gives every stand-in. */
export interface ActionContext {
  readonly io: StepIO;
  readonly uses: ParsedUses;
  /** Inputs with the action's defaults applied. */
  readonly inputs: Record<string, string>;
  /** The environment the action's process would get (GITHUB_*, RUNNER_*, job and step env). */
  readonly env: Record<string, string>;
  readonly job: JobInfo;
  readonly repository: RepositoryContext;
  readonly event: ResolvedEvent;
  readonly github: { readonly url: string; readonly adminKey: string; readonly serverUrl: string };
  readonly trust?: TrustFunction;
  readonly awsEnv: Record<string, string>;
  readonly actionlint: () => Promise<ActionlintFunction>;
}

/** A stand-in: the real action's inputs (with defaults, `${{ }}` evaluated by the runner) and its behaviour. */
export interface StandIn {
  /** Highest major version tag the real action has: a `@vN` above it cannot be resolved, as on GitHub. */
  readonly latestMajor?: number;
  readonly inputs: Record<string, string | undefined>;
  /** Runs the action; returns the exit code of its process (0 success). */
  run(ctx: ActionContext): Promise<number>;
}

class ActionFailure extends Error {}

function getInput(ctx: ActionContext, name: string, required = false): string {
  const value = (ctx.inputs[name] ?? '').trim();
  if (required && !value) throw new ActionFailure(`Input required and not supplied: ${name}`);
  return value;
}

function getBooleanInput(ctx: ActionContext, name: string, fallback = false): boolean {
  const value = getInput(ctx, name);
  if (!value) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ActionFailure(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}

/** Runs a stand-in body, turning ActionFailure (and any error) into core.setFailed + exit code 1. */
async function guarded(ctx: ActionContext, body: () => Promise<void>, prefix = ''): Promise<number> {
  try {
    await body();
    return 0;
  } catch (e) {
    ctx.io.setFailed(`${prefix}${(e as Error).message}`);
    return 1;
  }
}

async function admin(ctx: ActionContext, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${ctx.github.url}${route}`, {
    method,
    headers: { 'x-harness-admin': ctx.github.adminKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function git(ctx: ActionContext, cwd: string, args: string[]): string {
  ctx.io.info(`[command]/usr/bin/git ${args.join(' ')}`);
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  } catch (e) {
    const err = e as { stderr?: string; status?: number };
    for (const l of (err.stderr ?? '').trim().split('\n')) if (l) ctx.io.line('stderr', l);
    throw new ActionFailure(`The process '/usr/bin/git' failed with exit code ${err.status ?? 128}`);
  }
}

const checkout: StandIn = {
  latestMajor: 7,
  inputs: {
    repository: '${{ github.repository }}', ref: undefined, token: '${{ github.token }}', 'ssh-key': undefined, 'ssh-known-hosts': undefined,
    'ssh-strict': 'true', 'ssh-user': 'git', 'persist-credentials': 'true', path: undefined, clean: 'true', filter: undefined,
    'sparse-checkout': undefined, 'sparse-checkout-cone-mode': 'true', 'fetch-depth': '1', 'fetch-tags': 'false', 'show-progress': 'true',
    lfs: 'false', submodules: 'false', 'set-safe-directory': 'true', 'github-server-url': undefined, 'allow-unsafe-pr-checkout': 'false',
  },
  run: (ctx) => guarded(ctx, async () => {
    const workspace = ctx.job.workspace;
    const qualified = getInput(ctx, 'repository') || ctx.repository.fullName;
    if (qualified.split('/').length !== 2) throw new ActionFailure(`Invalid repository '${qualified}'. Expected format {owner}/{repo}.`);
    const target = path.resolve(workspace, getInput(ctx, 'path') || '.');
    if (!`${target}/`.startsWith(`${workspace}/`)) throw new ActionFailure(`Repository path '${target}' is not under '${workspace}'`);
    const isWorkflowRepository = qualified.toUpperCase() === ctx.repository.fullName.toUpperCase();
    const refInput = getInput(ctx, 'ref');
    let ref = refInput;
    let commit = '';
    if (!ref) {
      if (isWorkflowRepository) {
        ref = ctx.event.ref;
        commit = ctx.event.sha;
        if (commit && ref && !ref.startsWith('refs/')) ref = `refs/heads/${ref}`;
      }
    } else if (/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(ref)) {
      commit = ref;
      ref = '';
    }
    if (!(isWorkflowRepository && !refInput) && !getBooleanInput(ctx, 'allow-unsafe-pr-checkout')) assertSafePrCheckout(ctx, qualified, ref, commit);
    const forks = new Set(((ctx.event.payload.pull_request?.head?.repo?.full_name ? [ctx.event.payload.pull_request.head.repo.full_name] : []) as string[])
      .concat(ctx.event.payload.workflow_run?.head_repository?.full_name ?? []).map((r) => r.toUpperCase()));
    if (!isWorkflowRepository && !forks.has(qualified.toUpperCase())) {
      ctx.io.line('stderr', `remote: Repository not found.\nfatal: repository '${ctx.github.serverUrl}/${qualified}/' not found`);
      throw new ActionFailure('The process \'/usr/bin/git\' failed with exit code 128');
    }
    // The job's token reads a private repository only with contents: read.
    if (ctx.repository.private && (ctx.job.permissions.contents ?? 'none') === 'none' && getInput(ctx, 'token') === ctx.job.token) {
      ctx.io.line('stderr', `remote: Repository not found.\nfatal: repository '${ctx.github.serverUrl}/${qualified}/' not found`);
      throw new ActionFailure('The process \'/usr/bin/git\' failed with exit code 128');
    }
    fs.mkdirSync(target, { recursive: true });
    git(ctx, target, ['init', '-q']);
    git(ctx, target, ['remote', 'add', 'origin', `${ctx.github.serverUrl}/${qualified}`]);
    git(ctx, target, ['config', '--local', 'gc.auto', '0']);
    const depth = Math.floor(Number(getInput(ctx, 'fetch-depth') || '1'));
    const depthArgs = Number.isNaN(depth) || depth <= 0 ? [] : [`--depth=${depth}`];
    const source = `file://${ctx.repository.gitDir}`;
    let checkoutRef: string;
    let branch: string | undefined;
    if (commit) {
      if (ref.startsWith('refs/heads/')) {
        branch = ref.slice('refs/heads/'.length);
        checkoutRef = `refs/remotes/origin/${branch}`;
      } else if (ref.startsWith('refs/pull/')) {
        checkoutRef = `refs/remotes/pull/${ref.slice('refs/pull/'.length)}`;
      } else if (ref.startsWith('refs/tags/')) {
        checkoutRef = ref;
      } else {
        checkoutRef = 'refs/remotes/origin/harness-commit';
      }
      git(ctx, target, ['fetch', '-q', '--no-tags', '--prune', ...depthArgs, source, `+${commit}:${checkoutRef}`]);
    } else {
      const full = resolveRemoteRef(ctx, ref);
      if (full.startsWith('refs/heads/')) {
        branch = full.slice('refs/heads/'.length);
        checkoutRef = `refs/remotes/origin/${branch}`;
      } else {
        checkoutRef = full.startsWith('refs/tags/') ? full : `refs/remotes/${full.replace(/^refs\//, '')}`;
      }
      git(ctx, target, ['fetch', '-q', '--no-tags', '--prune', ...depthArgs, source, `+${full}:${checkoutRef}`]);
    }
    const sparse = (ctx.inputs['sparse-checkout'] ?? '').split('\n').map((l) => l.trim()).filter((l) => l);
    if (sparse.length) git(ctx, target, ['sparse-checkout', 'set', getBooleanInput(ctx, 'sparse-checkout-cone-mode', true) ? '--cone' : '--no-cone', ...sparse]);
    if (branch) git(ctx, target, ['checkout', '-q', '--force', '-B', branch, checkoutRef]);
    else git(ctx, target, ['checkout', '-q', '--force', '--detach', checkoutRef]);
    if (getBooleanInput(ctx, 'persist-credentials', true)) {
      // checkout v6+: the auth header lives in a config file under RUNNER_TEMP, included from the repository's config.
      const file = path.join(ctx.job.runnerTemp, `git-credentials-${crypto.randomUUID()}.config`);
      const basic = Buffer.from(`x-access-token:${getInput(ctx, 'token')}`).toString('base64');
      ctx.io.setSecret(basic);
      fs.writeFileSync(file, `[http "${ctx.github.serverUrl}/"]\n\textraheader = AUTHORIZATION: basic ${basic}\n`);
      git(ctx, target, ['config', '--local', `includeIf.gitdir:${path.join(target, '.git')}/.path`, file]);
    }
    const head = git(ctx, target, ['rev-parse', 'HEAD']).trim();
    ctx.io.setOutput('ref', ref);
    ctx.io.setOutput('commit', head);
  }),
};

/** checkout v7's refusal to check out fork pull request code from pull_request_target / workflow_run workflows. */
function assertSafePrCheckout(ctx: ActionContext, qualified: string, ref: string, commit: string): void {
  const p = ctx.event.payload;
  const event = ctx.event.name;
  if (event !== 'pull_request_target' && event !== 'workflow_run') return;
  const baseRepoId = p.repository?.id;
  if (typeof baseRepoId !== 'number') return;
  let headRepoId: unknown;
  let headRepoName: unknown;
  const shas: string[] = [];
  if (event === 'pull_request_target') {
    headRepoId = p.pull_request?.head?.repo?.id;
    headRepoName = p.pull_request?.head?.repo?.full_name;
    shas.push(p.pull_request?.head?.sha, p.pull_request?.merge_commit_sha);
  } else {
    const wrEvent = p.workflow_run?.event;
    if (typeof wrEvent !== 'string' || !wrEvent.startsWith('pull_request')) return;
    headRepoId = p.workflow_run?.head_repository?.id;
    headRepoName = p.workflow_run?.head_repository?.full_name;
    shas.push(p.workflow_run?.head_commit?.id);
    if (wrEvent !== 'pull_request_target') shas.push(p.workflow_run?.head_sha);
  }
  if (typeof headRepoId !== 'number' || headRepoId === baseRepoId) return;
  const lower = shas.filter((s) => typeof s === 'string' && s).map((s) => s.toLowerCase());
  const hit = (typeof headRepoName === 'string' && qualified.toLowerCase() === headRepoName.toLowerCase())
    || /^refs\/pull\/[0-9]+\/(?:head|merge)$/.test(ref) || (!!commit && lower.includes(commit.toLowerCase()));
  if (!hit) return;
  throw new ActionFailure(`Refusing to check out fork pull request code from a '${event}' workflow. This workflow runs with the base repository's GITHUB_TOKEN, secrets, default-branch cache scope, and runner access. Fetching and executing a fork's code in that trusted context commonly leads to "pwn request" vulnerabilities. To opt in, review the risks at https://gh.io/securely-using-pull_request_target and set 'allow-unsafe-pr-checkout: true' on the actions/checkout step.`);
}

function resolveRemoteRef(ctx: ActionContext, ref: string): string {
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const c of candidates) {
    try {
      execFileSync('git', ['-C', ctx.repository.gitDir, 'rev-parse', '--verify', '-q', c], { stdio: 'ignore' });
      return c;
    } catch {
      // next candidate
    }
  }
  throw new ActionFailure(`A branch or tag with the name '${ref}' could not be found`);
}

/** The newest Node.js major released (Node 26, April 2026): setup-node cannot find a later one. */
const NODE_LATEST_MAJOR = 26;
const LOCK_FILES: Record<string, string[]> = { npm: ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock'], yarn: ['yarn.lock'], pnpm: ['pnpm-lock.yaml'] };

const setupNode: StandIn = {
  latestMajor: 7,
  inputs: {
    'node-version': undefined, 'node-version-file': undefined, architecture: undefined, 'check-latest': 'false', 'registry-url': undefined,
    scope: undefined, token: '${{ github.server_url == \'https://github.com\' && github.token || \'\' }}', cache: undefined,
    'package-manager-cache': 'true', 'cache-dependency-path': undefined, mirror: undefined, 'mirror-token': undefined,
  },
  run: (ctx) => guarded(ctx, async () => {
    let version = getInput(ctx, 'node-version');
    const versionFile = getInput(ctx, 'node-version-file');
    if (version && versionFile) ctx.io.annotation('warning', 'Both node-version and node-version-file inputs are specified, only node-version will be used');
    if (!version && versionFile) {
      const file = path.join(ctx.job.workspace, versionFile);
      if (!fs.existsSync(file)) throw new ActionFailure(`The specified node version file at: ${file} does not exist`);
      version = fs.readFileSync(file, 'utf8').trim().split('\n')[0].replace(/^v/, '');
    }
    if (version) {
      const spec = version.replace(/^v(?=\d)/, '');
      const alias = /^(lts\/.+|node|latest|current|\*)$/.test(spec);
      const range = alias ? null : semver.validRange(spec);
      const min = range ? semver.minVersion(range) : null;
      if (!alias && (!range || !min || min.major > NODE_LATEST_MAJOR)) {
        throw new ActionFailure(`Unable to find Node version '${version}' for platform linux and architecture x64.`);
      }
      ctx.io.info(`[harness] node-version '${version}' is served by this machine's node ${process.version}`);
      ctx.io.addPath(path.dirname(process.execPath));
    }
    ctx.io.setOutput('node-version', process.version);
    const registryUrl = getInput(ctx, 'registry-url');
    if (registryUrl) {
      const npmrc = path.join(ctx.job.runnerTemp, '.npmrc');
      const host = registryUrl.replace(/^https?:/, '').replace(/\/?$/, '/');
      fs.writeFileSync(npmrc, `${host}:_authToken=\${NODE_AUTH_TOKEN}\nregistry=${registryUrl}\n`);
      ctx.io.exportVariable('NPM_CONFIG_USERCONFIG', npmrc);
      ctx.io.exportVariable('NODE_AUTH_TOKEN', 'XXXXX-XXXXX-XXXXX-XXXXX');
    }
    let manager = getInput(ctx, 'cache');
    if (!manager && getBooleanInput(ctx, 'package-manager-cache', true)) {
      const pkg = path.join(ctx.job.workspace, 'package.json');
      if (fs.existsSync(pkg)) {
        const json = JSON.parse(fs.readFileSync(pkg, 'utf8'));
        const dev = json?.devEngines?.packageManager;
        const named = [...(Array.isArray(dev) ? dev : dev ? [dev] : []).map((d: { name?: string }) => d?.name), json?.packageManager];
        if (named.some((n) => typeof n === 'string' && /^(\^)?npm(@.*)?$/.test(n))) {
          ctx.io.info("Detected npm as the package manager from package.json's packageManager field. Auto caching has been enabled for npm. If you want to disable it, set package-manager-cache input to false");
          manager = 'npm';
        }
      }
    }
    if (manager) {
      const patterns = LOCK_FILES[manager];
      if (!patterns) throw new ActionFailure(`Caching for '${manager}' is not supported`);
      const dependencyPath = getInput(ctx, 'cache-dependency-path');
      if (dependencyPath) {
        if (!findFilesToUpload(dependencyPath, ctx.job.workspace, true).files.length) {
          throw new ActionFailure('Some specified paths were not resolved, unable to cache dependencies.');
        }
      } else if (!patterns.some((p) => fs.existsSync(path.join(ctx.job.workspace, p)))) {
        throw new ActionFailure(`Dependencies lock file is not found in ${ctx.job.workspace}. Supported file patterns: ${patterns.toString()}`);
      }
      ctx.io.info(`${manager} cache is not found`);
      ctx.io.setOutput('cache-hit', 'false');
    }
  }),
};

const uploadArtifact: StandIn = {
  latestMajor: 7,
  inputs: { name: 'artifact', path: undefined, 'if-no-files-found': 'warn', 'retention-days': undefined, 'compression-level': '6', overwrite: 'false', 'include-hidden-files': 'false', archive: 'true' },
  run: (ctx) => guarded(ctx, async () => {
    const name = getInput(ctx, 'name');
    const searchPath = getInput(ctx, 'path', true);
    const ifNone = getInput(ctx, 'if-no-files-found');
    if (!['warn', 'error', 'ignore'].includes(ifNone)) {
      throw new ActionFailure(`Unrecognized if-no-files-found input. Provided: ${ifNone}. Available options: warn,error,ignore`);
    }
    const retention = getInput(ctx, 'retention-days');
    if (retention && Number.isNaN(parseInt(retention, 10))) throw new ActionFailure('Invalid retention-days');
    const level = getInput(ctx, 'compression-level');
    if (level && (Number.isNaN(parseInt(level, 10)) || parseInt(level, 10) < 0 || parseInt(level, 10) > 9)) throw new ActionFailure('Invalid compression-level. Valid values are 0-9');
    const search = findFilesToUpload(searchPath, ctx.job.workspace, getBooleanInput(ctx, 'include-hidden-files'));
    if (!search.files.length) {
      const message = `No files were found with the provided path: ${searchPath}. No artifacts will be uploaded.`;
      if (ifNone === 'error') throw new ActionFailure(message);
      if (ifNone === 'warn') ctx.io.annotation('warning', message);
      else ctx.io.info(message);
      return;
    }
    ctx.io.info(`With the provided path, there will be ${search.files.length} file${search.files.length === 1 ? '' : 's'} uploaded`);
    const archive = getBooleanInput(ctx, 'archive', true);
    if (!archive && search.files.length > 1) {
      throw new ActionFailure(`When 'archive' is set to false, only a single file can be uploaded. Found ${search.files.length} files to upload.`);
    }
    const artifactName = archive ? name : path.basename(search.files[0]);
    validateArtifactName(artifactName);
    const entries = artifactEntries(search);
    const created = await admin(ctx, 'POST', '/_harness/artifacts', { runId: ctx.job.runId, name: artifactName, overwrite: getBooleanInput(ctx, 'overwrite'), files: entries });
    if (created.status !== 201) throw new ActionFailure(created.json?.message ?? `artifact upload failed (${created.status})`);
    ctx.io.info(`Artifact ${artifactName} has been successfully uploaded! Final size is ${created.json.size} bytes. Artifact ID is ${created.json.id}`);
    ctx.io.setOutput('artifact-id', String(created.json.id));
    ctx.io.setOutput('artifact-url', `${ctx.github.serverUrl}/${ctx.repository.fullName}/actions/runs/${ctx.job.runId}/artifacts/${created.json.id}`);
    ctx.io.setOutput('artifact-digest', created.json.digest);
  }),
};

const downloadArtifact: StandIn = {
  latestMajor: 8,
  inputs: {
    name: undefined, 'artifact-ids': undefined, path: undefined, pattern: undefined, 'merge-multiple': 'false', 'github-token': undefined,
    repository: '${{ github.repository }}', 'run-id': '${{ github.run_id }}', 'skip-decompress': 'false', 'digest-mismatch': 'error',
  },
  run: (ctx) => guarded(ctx, async () => {
    const name = getInput(ctx, 'name');
    const ids = getInput(ctx, 'artifact-ids');
    const token = getInput(ctx, 'github-token');
    const pattern = getInput(ctx, 'pattern');
    const mergeMultiple = getBooleanInput(ctx, 'merge-multiple');
    if (name && ids) throw new Error("Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one.");
    const target = path.resolve(ctx.job.workspace, getInput(ctx, 'path') || ctx.job.workspace);
    let found: Array<{ id: number; name: string }>;
    if (token) {
      // Another run's artifacts: the public API with the token (actions: read), the run named by run-id.
      const [owner, repo] = getInput(ctx, 'repository').split('/');
      if (!owner || !repo) throw new Error(`Invalid repository: '${getInput(ctx, 'repository')}'. Must be in format owner/repo`);
      const runId = parseInt(getInput(ctx, 'run-id'), 10);
      const query = name ? `?name=${encodeURIComponent(name)}` : '?per_page=100';
      const res = await fetch(`${ctx.github.url}/repos/${owner}/${repo}/actions/runs/${runId}/artifacts${query}`, { headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json' } });
      const json = await res.json() as { message?: string; artifacts?: Array<{ id: number; name: string }> };
      if (res.status !== 200) throw new Error(`${json.message ?? res.statusText} - https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts`);
      found = json.artifacts ?? [];
      for (const a of found.filter((x) => !name || x.name === name)) {
        const zip = await fetch(`${ctx.github.url}/repos/${owner}/${repo}/actions/artifacts/${a.id}/zip`, { headers: { authorization: `token ${token}` }, redirect: 'manual' });
        if (zip.status !== 302) throw new Error(`Unable to download artifact ${a.name}: ${zip.status} ${await zip.text()}`);
      }
    } else {
      // The current run's artifacts (the runtime token): run-id and repository are not used without github-token.
      found = (await admin(ctx, 'GET', `/_harness/artifacts?run_id=${ctx.job.runId}`)).json;
    }
    let selected: Array<{ id: number; name: string }>;
    if (name) {
      const matches = found.filter((a) => a.name === name).sort((a, b) => b.id - a.id);
      if (!matches.length) {
        throw new Error(`Artifact not found for name: ${name}\n        Please ensure that your artifact is not expired and the artifact was uploaded using a compatible version of toolkit/upload-artifact.\n        For more information, visit the GitHub Artifacts FAQ: https://github.com/actions/toolkit/blob/main/packages/artifact/docs/faq.md`);
      }
      selected = [matches[0]];
    } else if (ids) {
      const wanted = ids.split(',').map((s) => s.trim()).filter((s) => s).map((s) => {
        const n = parseInt(s, 10);
        if (Number.isNaN(n)) throw new Error(`Invalid artifact ID: '${s}'. Must be a number.`);
        return n;
      });
      selected = found.filter((a) => wanted.includes(a.id));
      if (!selected.length) throw new Error('None of the provided artifact IDs were found');
    } else {
      const { Minimatch } = require('minimatch') as { Minimatch: new (pattern: string) => { match(name: string): boolean } };
      selected = pattern ? found.filter((a) => new Minimatch(pattern).match(a.name)) : found;
    }
    for (const a of selected) {
      const dest = name || mergeMultiple || selected.length === 1 ? target : path.join(target, a.name);
      const dir = (await admin(ctx, 'GET', `/_harness/artifacts/${a.id}/dir`)).json.dir as string;
      fs.mkdirSync(dest, { recursive: true });
      fs.cpSync(dir, dest, { recursive: true });
      ctx.io.info(`Artifact download completed successfully: ${a.name} (ID: ${a.id}) to ${dest}`);
    }
    ctx.io.info(`Total of ${selected.length} artifact(s) downloaded`);
    ctx.io.setOutput('download-path', target);
  }, 'Unable to download artifact(s): '),
};

const ROLE_SESSION_NAME = /^[\w+=,.@-]*$/;

const configureAwsCredentials: StandIn = {
  latestMajor: 6,
  inputs: {
    'aws-region': undefined, 'aws-profile': undefined, 'overwrite-aws-profile': undefined, 'role-to-assume': undefined, 'aws-access-key-id': undefined,
    'aws-secret-access-key': undefined, 'aws-session-token': undefined, 'web-identity-token-file': undefined, 'role-chaining': undefined,
    audience: 'sts.amazonaws.com', 'http-proxy': undefined, 'no-proxy': undefined, 'mask-aws-account-id': undefined, 'role-duration-seconds': undefined,
    'role-external-id': undefined, 'role-session-name': undefined, 'role-skip-session-tagging': undefined, 'transitive-tag-keys': undefined,
    'inline-session-policy': undefined, 'managed-session-policies': undefined, 'output-credentials': undefined, 'output-env-credentials': undefined,
    'unset-current-credentials': undefined, 'disable-retry': undefined, 'retry-max-attempts': undefined, 'special-characters-workaround': undefined,
    'use-existing-credentials': undefined, 'allowed-account-ids': undefined, 'force-skip-oidc': undefined, 'action-timeout-s': undefined,
    'custom-tags': undefined, 'sts-endpoint': undefined,
  },
  run: (ctx) => guarded(ctx, async () => {
    const region = getInput(ctx, 'aws-region', true);
    const roleToAssume = getInput(ctx, 'role-to-assume');
    const accessKeyId = getInput(ctx, 'aws-access-key-id');
    const sessionName = getInput(ctx, 'role-session-name') || 'GitHubActions';
    const audience = getInput(ctx, 'audience') || 'sts.amazonaws.com';
    const outputCredentials = getBooleanInput(ctx, 'output-credentials');
    const outputEnv = getBooleanInput(ctx, 'output-env-credentials', !getInput(ctx, 'aws-profile'));
    if (accessKeyId || getInput(ctx, 'web-identity-token-file') || getBooleanInput(ctx, 'role-chaining')) {
      throw new ActionFailure('the harness models only OIDC role assumption (role-to-assume with id-token: write); access keys, web identity token files and role chaining are not supported');
    }
    if (!/^[a-z0-9-]+$/.test(region)) throw new ActionFailure(`Region is not valid: ${region}`);
    if (sessionName.length < 2 || sessionName.length > 64) {
      throw new ActionFailure(`Role session name must be between 2 and 64 characters, got ${sessionName.length}: '${sessionName}'`);
    }
    if (!ROLE_SESSION_NAME.test(sessionName)) {
      throw new ActionFailure(`Role session name is not valid: '${sessionName}'. Must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    if (outputEnv) {
      ctx.io.exportVariable('AWS_DEFAULT_REGION', region);
      ctx.io.exportVariable('AWS_REGION', region);
    }
    const claims = ctx.job.oidcClaims;
    if (!roleToAssume || !claims || getBooleanInput(ctx, 'force-skip-oidc')) {
      if (roleToAssume && !claims) {
        ctx.io.info('It looks like you might be trying to authenticate with OIDC. Did you mean to set the `id-token` permission? If you are not trying to authenticate with OIDC and the action is working successfully, you can ignore this message.');
      }
      // The SDK's default chain finds nothing on a GitHub-hosted runner.
      throw new ActionFailure('Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers');
    }
    const arnMatch = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleToAssume);
    if (!arnMatch) throw new ActionFailure('Source Account ID is needed if the Role Name is provided and not the Role Arn.');
    ctx.io.info('Assuming role with OIDC');
    const token = { ...claims, aud: audience };
    if (!ctx.trust) {
      throw new ActionFailure(`Could not assume role with OIDC: the scenario gives the harness no trust function, so no role (${roleToAssume}) can be assumed`);
    }
    const decision = await ctx.trust(roleToAssume, token);
    if (!decision.allowed) throw new ActionFailure(`Could not assume role with OIDC: ${decision.reason}`);
    const [, account, roleName] = arnMatch;
    const seed = crypto.createHash('sha256').update(`${roleToAssume}|${sessionName}|${token.sub}|${ctx.job.runId}`).digest('hex');
    const creds = {
      AccessKeyId: `ASIA${seed.slice(0, 16).toUpperCase()}`,
      SecretAccessKey: Buffer.from(seed.slice(16, 46)).toString('base64'),
      // The session token carries the assumed role, so an AWS fake can tell whose credentials these are.
      SessionToken: Buffer.from(JSON.stringify({ roleArn: roleToAssume, sessionName, sub: token.sub })).toString('base64'),
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
    };
    ctx.io.info(`Authenticated as assumedRoleId AROA${seed.slice(46, 62).toUpperCase()}:${sessionName}`);
    for (const secret of [creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken]) ctx.io.setSecret(secret);
    if (outputEnv) {
      ctx.io.exportVariable('AWS_ACCESS_KEY_ID', creds.AccessKeyId);
      ctx.io.exportVariable('AWS_SECRET_ACCESS_KEY', creds.SecretAccessKey);
      ctx.io.exportVariable('AWS_SESSION_TOKEN', creds.SessionToken);
      for (const [k, v] of Object.entries(ctx.awsEnv)) ctx.io.exportVariable(k, v);
    }
    if (outputCredentials) {
      ctx.io.setOutput('aws-access-key-id', creds.AccessKeyId);
      ctx.io.setOutput('aws-secret-access-key', creds.SecretAccessKey);
      ctx.io.setOutput('aws-session-token', creds.SessionToken);
      ctx.io.setOutput('aws-expiration', creds.Expiration);
    }
    const allowed = getInput(ctx, 'allowed-account-ids').split(',').map((s) => s.trim()).filter((s) => s);
    if (allowed.length && !allowed.includes(account)) {
      throw new ActionFailure(`The account ID of the provided credentials (${account}) does not match any of the expected account IDs: ${allowed.join(', ')}`);
    }
    if (getBooleanInput(ctx, 'mask-aws-account-id')) ctx.io.setSecret(account);
    ctx.io.setOutput('aws-account-id', account);
    ctx.io.setOutput('authenticated-arn', `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`);
  }),
};

const githubScript: StandIn = {
  latestMajor: 9,
  inputs: {
    script: undefined, 'github-token': '${{ github.token }}', debug: '${{ runner.debug == \'1\' }}', 'user-agent': 'actions/github-script',
    previews: undefined, 'result-encoding': 'json', retries: '0', 'retry-exempt-status-codes': '400,401,403,404,422', 'base-url': undefined,
  },
  run: async (ctx) => {
    if (!getInput(ctx, 'script')) {
      ctx.io.setFailed('Unhandled error: Error: Input required and not supplied: script');
      return 1;
    }
    const env: Record<string, string> = { ...ctx.env };
    for (const [k, v] of Object.entries(ctx.inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    const tsxLoader = require.resolve('tsx');
    const end = await ctx.io.runProcess(process.execPath, ['--import', tsxLoader, path.join(HERE, 'github-script-child.mts')], { cwd: ctx.job.workspace, env });
    return end.exitCode ?? 1;
  },
};

/** Splits a docker action's `args` as the runner does (whitespace, double quotes group). */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(args); m; m = re.exec(args)) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]);
  return out;
}

const actionlintImage: StandIn = {
  inputs: { args: undefined, entrypoint: undefined },
  run: async (ctx) => {
    let findings = 0;
    const code = await guarded(ctx, async () => {
      const args = splitArgs(getInput(ctx, 'args'));
      const ignore: RegExp[] = [];
      const files: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === '-ignore' || a === '--ignore') ignore.push(new RegExp(args[++i]));
        else if (a.startsWith('-ignore=') || a.startsWith('--ignore=')) ignore.push(new RegExp(a.slice(a.indexOf('=') + 1)));
        else if (a === '-format' || a === '-config-file' || a === '-shellcheck' || a === '-pyflakes') {
          throw new ActionFailure(`actionlint ${a} is not modelled by the harness's actionlint stand-in`);
        } else if (!a.startsWith('-')) files.push(a);
      }
      const ws = ctx.job.workspace;
      const paths = files.length
        ? files
        : (fs.existsSync(path.join(ws, '.github/workflows')) ? fs.readdirSync(path.join(ws, '.github/workflows')) : [])
          .filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `.github/workflows/${f}`);
      if (!paths.length) throw new ActionFailure(`no project was found in any parent directories of "${ws}". check workflows directory is put correctly in your Git repository`);
      const lint = await ctx.actionlint();
      const found = (await lint(paths.map((p) => {
        const abs = path.resolve(ws, p);
        if (!fs.existsSync(abs)) throw new ActionFailure(`could not read "${p}": open ${p}: no such file or directory`);
        return { path: p, text: fs.readFileSync(abs, 'utf8') };
      }))).filter((f) => !ignore.some((re) => re.test(f.message)));
      for (const f of found) ctx.io.info(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      findings = found.length;
    });
    // actionlint exits 1 on findings (and on its own errors); the runner then reports the container's exit code.
    return findings ? 1 : code;
  },
};

/** The stand-ins by action name (`uses:` without the ref). */
export const STAND_INS: Record<string, StandIn> = {
  'actions/checkout': checkout,
  'actions/setup-node': setupNode,
  'actions/upload-artifact': uploadArtifact,
  'actions/download-artifact': downloadArtifact,
  'aws-actions/configure-aws-credentials': configureAwsCredentials,
  'actions/github-script': githubScript,
  'docker://rhysd/actionlint': actionlintImage,
};

/** Why `uses:` cannot be resolved (as GitHub fails the job's set-up), or undefined when a stand-in takes it. */
export function unresolvable(uses: ParsedUses): string | undefined {
  if (uses.name.startsWith('./') || uses.name.startsWith('.\\')) {
    return `Can't find '${uses.name}': local actions are not supported by the workflow harness (no stand-in)`;
  }
  const standIn = STAND_INS[uses.name];
  if (!standIn) {
    return `Unable to resolve action \`${uses.raw}\`: the workflow harness has no stand-in for ${uses.name} (it has: ${Object.keys(STAND_INS).join(', ')})`;
  }
  if (!uses.name.startsWith('docker://')) {
    if (!uses.ref) return `Unable to resolve action \`${uses.raw}\`: a \`uses:\` needs @<ref>`;
    const major = /^v(\d+)(?:\.\d+){0,2}$/.exec(uses.ref);
    if (major && standIn.latestMajor !== undefined && Number(major[1]) > standIn.latestMajor) {
      return `Unable to resolve action \`${uses.raw}\`, unable to find version \`${uses.ref}\``;
    }
  }
  return undefined;
}
