// Runs the workflow files of a repository for one event, locally, the way GitHub and actions/runner would: parses
// them with GitHub's parser, picks the triggered workflows, runs their jobs in `needs` order with GitHub's `if:`
// rules, runs `run:` steps in bash and `uses:` steps through stand-ins, and reports jobs, steps, outputs,
// annotations, summaries and artifacts. Jobs run one after another (GitHub may run independent jobs in parallel).
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convertWorkflowTemplate, isMapping, isString, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { ActionContext, ActionlintFunction, JobInfo } from './actions.mts';
import { parseUses, STAND_INS, unresolvable } from './actions.mts';
import type { Annotation } from './commands.ts';
import { findFilesToUpload } from './artifact-files.ts';
import type { Contexts, StatusFunctions } from './expressions.mts';
import { asString, evaluateExpression, evaluateStringMap, evaluateToken, truthy } from './expressions.mts';
import type { TokenPermissions } from './github-fake.ts';
import type { JobState } from './step-io.mts';
import { signalGroup, StepIO } from './step-io.mts';
import type { OidcClaims, TrustFunction } from './trust.ts';
import { oidcSubject } from './trust.ts';
import type { EventResult, JobResult, Scenario, StepResult, SubstitutionRecord, WorkflowRunResult } from './types.ts';

/** A scenario with its functions loaded (what `runEvent` takes). */
export interface RunnerOptions extends Omit<Scenario, 'trust' | 'actionlint'> {
  readonly trust?: TrustFunction;
  /** Loads actionlintWithShellcheck when an actionlint step runs. */
  readonly actionlint: () => Promise<ActionlintFunction>;
}

const PERMISSION_SCOPES = ['actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'models', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses'];
/** Minutes a job may run when it sets no timeout-minutes. */
const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

type AnyRecord = Record<string, any>;

/** GitHub's filter pattern syntax (`*`, `**`, `?`, `+`, `[]`) as a RegExp. */
function filterPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?' || c === '+') re += c;
    else if (c === '[') {
      const close = pattern.indexOf(']', i);
      re += close > i ? pattern.slice(i, close + 1) : '\\[';
      i = close > i ? close : i;
    } else re += c.replace(/[.^$|(){}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether `value` passes a list of filter patterns (later patterns win; `!` negates). */
function passesFilters(patterns: readonly string[], value: string): boolean {
  let included = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (filterPattern(p.slice(1)).test(value)) included = false;
    } else if (filterPattern(p).test(value)) included = true;
  }
  return included;
}

/** Why the workflow does not run for the event, or undefined when it does. */
function notTriggeredReason(events: AnyRecord, event: Scenario['event'], workflowNames: (name: string) => boolean): string | undefined {
  const config = events[event.name];
  if (config === undefined) return `the workflow has no \`on: ${event.name}\``;
  const cfg = (config ?? {}) as AnyRecord;
  const branchFilter = (branch: string | undefined, what: string): string | undefined => {
    if (cfg.branches && (branch === undefined || !passesFilters(cfg.branches, branch))) return `${what} ${branch ?? '(none)'} does not match branches ${JSON.stringify(cfg.branches)}`;
    if (cfg['branches-ignore'] && branch !== undefined && passesFilters(cfg['branches-ignore'], branch)) return `${what} ${branch} matches branches-ignore`;
    return undefined;
  };
  const pathFilter = (): string | undefined => {
    if (!cfg.paths && !cfg['paths-ignore']) return undefined;
    if (!event.changedFiles) throw new Error(`The workflow filters ${event.name} by paths: the scenario's event must list changedFiles`);
    if (cfg.paths && !event.changedFiles.some((f) => passesFilters(cfg.paths, f))) return `no changed file matches paths ${JSON.stringify(cfg.paths)}`;
    if (cfg['paths-ignore'] && event.changedFiles.every((f) => passesFilters(cfg['paths-ignore'], f))) return 'every changed file matches paths-ignore';
    return undefined;
  };
  const types = (defaults: string[]): string | undefined => {
    const allowed = (cfg.types as string[] | undefined) ?? defaults;
    const action = event.payload.action as string | undefined;
    return action && !allowed.includes(action) ? `activity type ${action} is not in types ${JSON.stringify(allowed)}` : undefined;
  };
  switch (event.name) {
    case 'push': {
      const isTag = event.ref.startsWith('refs/tags/');
      const name = event.ref.replace(/^refs\/(heads|tags)\//, '');
      const hasBranch = cfg.branches || cfg['branches-ignore'];
      const hasTag = cfg.tags || cfg['tags-ignore'];
      if (isTag) {
        if (hasBranch && !hasTag) return 'a tag push, and the workflow filters only branches';
        if (cfg.tags && !passesFilters(cfg.tags, name)) return `tag ${name} does not match tags`;
        if (cfg['tags-ignore'] && passesFilters(cfg['tags-ignore'], name)) return `tag ${name} matches tags-ignore`;
      } else {
        if (hasTag && !hasBranch) return 'a branch push, and the workflow filters only tags';
        const reason = branchFilter(name, 'branch');
        if (reason) return reason;
      }
      return pathFilter();
    }
    case 'pull_request':
    case 'pull_request_target':
      return types(['opened', 'synchronize', 'reopened']) ?? branchFilter(event.baseRef, 'base branch') ?? pathFilter();
    case 'workflow_run': {
      const wr = event.payload.workflow_run as AnyRecord;
      if (!(cfg.workflows as string[] | undefined)?.some((w) => workflowNames(w) && (w === wr.name || passesFilters([w], wr.name)))) {
        return `workflow_run of "${wr.name}" is not in workflows ${JSON.stringify(cfg.workflows)}`;
      }
      return types(['completed', 'requested']) ?? branchFilter(wr.head_branch ?? undefined, 'head branch');
    }
    default:
      return undefined;
  }
}

/** The GITHUB_TOKEN permissions of a job (job `permissions:` else workflow's else the repository default). */
function resolvePermissions(jobValue: unknown, workflowValue: unknown, options: RunnerOptions, forkPullRequest: boolean): TokenPermissions {
  const value = jobValue !== undefined ? jobValue : workflowValue;
  const all = (level: 'read' | 'write' | 'none'): TokenPermissions => Object.fromEntries(PERMISSION_SCOPES.map((s) => [s, level]));
  let p: TokenPermissions;
  if (value === undefined || value === null) {
    p = options.repository.defaultTokenPermissions === 'permissive'
      ? { ...all('write'), 'id-token': 'none', models: 'read' }
      : { ...all('none'), contents: 'read', packages: 'read', models: 'read' };
  } else if (value === 'read-all') p = { ...all('read'), 'id-token': 'none' };
  else if (value === 'write-all') p = all('write');
  else if (typeof value === 'object') {
    p = all('none');
    for (const [k, v] of Object.entries(value as Record<string, string>)) {
      if (!PERMISSION_SCOPES.includes(k)) throw new Error(`Unknown permission scope '${k}'`);
      p[k] = v as 'read' | 'write' | 'none';
    }
  } else throw new Error(`permissions must be read-all, write-all or a mapping, got ${JSON.stringify(value)}`);
  // Pull requests from forks get a read-only token and no OIDC token.
  if (forkPullRequest) {
    for (const k of Object.keys(p)) if (p[k] === 'write') p[k] = 'read';
    p['id-token'] = 'none';
  }
  return { ...p, metadata: 'read' };
}

/** Reads `.github/workflows/*.y*ml` of the repository at a commit. */
function workflowsAtCommit(gitDir: string, sha: string): Array<{ path: string; text: string }> {
  const names = execFileSync('git', ['-C', gitDir, 'ls-tree', '--name-only', `${sha}:.github/workflows`], { encoding: 'utf8' })
    .split('\n').filter((n) => /\.ya?ml$/.test(n));
  return names.map((n) => ({ path: `.github/workflows/${n}`, text: execFileSync('git', ['-C', gitDir, 'show', `${sha}:.github/workflows/${n}`], { encoding: 'utf8' }) }));
}

async function admin(options: RunnerOptions, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${options.github.url}${route}`, {
    method,
    headers: { 'x-harness-admin': options.github.adminKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`GitHub fake ${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function findKey(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token && isMapping(token) ? token.find(key) : undefined;
}

/** A literal (expression-free) token as a plain value; permissions and defaults allow no expressions. */
function literal(token: TemplateToken | undefined): unknown {
  return token ? evaluateToken(token, {}, { success: () => true, failure: () => false, cancelled: () => false }) : undefined;
}

/**
 * Runs every workflow the event triggers and reports what happened. Throws (rather than reporting) only for
 * mistakes of the scenario itself: a substitution that names no step, an event a `paths:` filter cannot judge.
 */
export async function runEvent(options: RunnerOptions): Promise<EventResult> {
  const event = options.event;
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gh-harness-'));
  const files = options.workflows ?? workflowsAtCommit(options.repository.gitDir, event.sha);
  const parsed = files.map((file) => {
    const result = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
    return { file, result };
  });
  const names = new Map<string, string>();
  for (const { file, result } of parsed) {
    const name = findKey(result.value, 'name');
    names.set(file.path, name && isString(name) ? name.value : file.path);
  }
  const runs: WorkflowRunResult[] = [];
  const notTriggered: EventResult['notTriggered'] = [];
  const substitutions: SubstitutionRecord[] = [];
  const matched = new Set<number>();
  try {
    for (const { file, result } of parsed) {
      const errors = result.context.errors.getErrors().map((e) => e.message);
      const template = errors.length || !result.value ? undefined : await convertWorkflowTemplate(result.context, result.value);
      errors.push(...(template?.errors ?? []).map((e) => e.Message));
      if (errors.length || !template) {
        // GitHub fails a run for an invalid workflow file without starting any job.
        const run = await admin(options, 'POST', '/_harness/runs', { name: names.get(file.path), path: file.path, event: event.name, head_sha: event.sha, head_branch: headBranch(event) });
        await admin(options, 'PATCH', `/_harness/runs/${run.id}`, { status: 'completed', conclusion: 'failure' });
        runs.push({ workflow: { path: file.path, name: names.get(file.path)! }, runId: run.id, runNumber: run.run_number, event: event.name, conclusion: 'failure', errors, jobs: {}, artifacts: [], headSha: event.sha, headBranch: headBranch(event) });
        continue;
      }
      const reason = notTriggeredReason(template.events as AnyRecord, event, () => true);
      if (reason) {
        notTriggered.push({ path: file.path, reason });
        continue;
      }
      runs.push(await runWorkflow(options, workDir, file, names.get(file.path)!, template, result.value!, substitutions, matched));
    }
  } finally {
    if (!options.workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }
  const unmatched = (options.substitutions ?? []).filter((_, i) => !matched.has(i));
  if (unmatched.length) {
    throw new Error(`These substitutions name no step of the triggered workflows (${runs.map((r) => r.workflow.path).join(', ') || 'none'}): ${JSON.stringify(unmatched)}. Name a step by its id or name, and its job by id.`);
  }
  return { event, runs, notTriggered, substitutions };
}

/** head_branch of a run: the branch pushed, the pull request's head branch, the ref otherwise. */
function headBranch(event: Scenario['event']): string | null {
  if (event.name.startsWith('pull_request')) return event.headRef ?? null;
  if (event.ref.startsWith('refs/heads/')) return event.ref.slice('refs/heads/'.length);
  if (event.ref.startsWith('refs/tags/')) return event.ref.slice('refs/tags/'.length);
  return null;
}

interface WorkflowContext {
  readonly options: RunnerOptions;
  readonly workDir: string;
  readonly file: { path: string; text: string };
  readonly name: string;
  readonly runId: number;
  readonly runNumber: number;
  readonly root: TemplateToken;
  readonly template: Awaited<ReturnType<typeof convertWorkflowTemplate>>;
  readonly jobs: Record<string, JobResult>;
  readonly substitutions: SubstitutionRecord[];
  readonly matched: Set<number>;
}

async function runWorkflow(
  options: RunnerOptions, workDir: string, file: { path: string; text: string }, name: string,
  template: Awaited<ReturnType<typeof convertWorkflowTemplate>>, root: TemplateToken, substitutions: SubstitutionRecord[], matched: Set<number>,
): Promise<WorkflowRunResult> {
  const event = options.event;
  const run = await admin(options, 'POST', '/_harness/runs', { name, path: file.path, event: event.name, head_sha: event.sha, head_branch: headBranch(event) });
  const wf: WorkflowContext = { options, workDir, file, name, runId: run.id, runNumber: run.run_number, root, template, jobs: {}, substitutions, matched };
  const baseContexts = githubContexts(wf, undefined);
  const never: StatusFunctions = { success: () => true, failure: () => false, cancelled: () => false };
  let concurrency: WorkflowRunResult['concurrency'];
  if (template.concurrency) concurrency = evaluateConcurrency(template.concurrency, baseContexts, never);

  // Jobs in `needs` order; GitHub validated that needs exist and have no cycle.
  const pending = [...template.jobs];
  const order: typeof pending = [];
  while (pending.length) {
    const i = pending.findIndex((j) => (j.needs ?? []).every((n) => order.some((o) => o.id.value === n.value)));
    order.push(...pending.splice(i < 0 ? 0 : i, 1));
  }
  for (const job of order) {
    if (job.type !== 'job') {
      wf.jobs[job.id.value] = skippedJob(job.id.value, 'reusable workflow calls are not supported by the harness', 'failure');
      continue;
    }
    wf.jobs[job.id.value] = await runJob(wf, job);
  }
  const results = Object.values(wf.jobs);
  const tolerated = (id: string) => truthy(literal(findKey(findKey(findKey(root, 'jobs'), id), 'continue-on-error')));
  const conclusion = results.some((j) => j.result === 'failure' && !tolerated(j.id)) ? 'failure'
    : results.some((j) => j.result === 'cancelled') ? 'cancelled' : 'success';
  await admin(options, 'PATCH', `/_harness/runs/${run.id}`, { status: 'completed', conclusion });
  const artifacts = (await admin(options, 'GET', `/_harness/artifacts?run_id=${run.id}`)) as Array<{ id: number; name: string; files: string[]; size: number }>;
  return {
    workflow: { path: file.path, name },
    runId: run.id,
    runNumber: run.run_number,
    event: event.name,
    conclusion,
    errors: [],
    jobs: wf.jobs,
    ...(concurrency ? { concurrency } : {}),
    artifacts: artifacts.map(({ id, name: n, files, size }) => ({ id, name: n, files, size })),
    headSha: event.sha,
    headBranch: headBranch(event),
  };
}

function evaluateConcurrency(token: TemplateToken, contexts: Contexts, status: StatusFunctions): { group: string; cancelInProgress: boolean } {
  const value = evaluateToken(token, contexts, status);
  if (typeof value === 'string') return { group: value, cancelInProgress: false };
  const v = value as AnyRecord;
  return { group: asString(v.group), cancelInProgress: truthy(v['cancel-in-progress']) };
}

function skippedJob(id: string, setupError?: string, result: JobResult['result'] = 'skipped'): JobResult {
  return { id, name: id, result, steps: [], outputs: {}, annotations: setupError ? [{ level: 'error', message: setupError }] : [], summary: '', permissions: {}, timeoutMinutes: 0, timedOut: false, ...(setupError ? { setupError } : {}) };
}

/** The `github` context and the run-wide contexts (vars, secrets, inputs). */
function githubContexts(wf: WorkflowContext, job: { id: string; token: string; workspace: string } | undefined): Contexts {
  const { options } = wf;
  const event = options.event;
  const repo = options.repository;
  const [owner] = repo.fullName.split('/');
  const refName = event.ref.replace(/^refs\/(heads|tags|pull)\//, '');
  const apiUrl = options.github.url;
  return {
    github: {
      action: '', action_path: '', action_ref: '', action_repository: '', action_status: '',
      actor: event.actor ?? 'octocat', actor_id: '583231', api_url: apiUrl, base_ref: event.baseRef ?? '', env: '', event: event.payload,
      event_name: event.name, event_path: '', graphql_url: `${apiUrl}/graphql`, head_ref: event.headRef ?? '', job: job?.id ?? '', path: '',
      ref: event.ref, ref_name: refName, ref_protected: false, ref_type: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      repository: repo.fullName, repository_id: String(repo.id), repository_owner: owner, repository_owner_id: String(repo.ownerId),
      repositoryUrl: `git://github.com/${repo.fullName}.git`, retention_days: '90', run_attempt: '1', run_id: String(wf.runId),
      run_number: String(wf.runNumber), secret_source: 'Actions', server_url: options.github.serverUrl, sha: event.sha,
      token: job?.token ?? '', triggering_actor: event.actor ?? 'octocat', workflow: wf.name,
      workflow_ref: `${repo.fullName}/${wf.file.path}@${event.ref}`, workflow_sha: event.sha, workspace: job?.workspace ?? '',
    },
    vars: options.vars ?? {},
    secrets: { ...(isForkPullRequest(options) ? {} : options.secrets ?? {}), GITHUB_TOKEN: job?.token ?? '' },
    inputs: event.name === 'workflow_dispatch' ? event.payload.inputs ?? {} : {},
    strategy: {},
    matrix: {},
  };
}

function isForkPullRequest(options: RunnerOptions): boolean {
  const head = options.event.payload.pull_request?.head?.repo?.full_name as string | undefined;
  return options.event.name === 'pull_request' && !!head && head.toLowerCase() !== options.repository.fullName.toLowerCase();
}

/** The transitive `needs` of a job. */
function ancestors(wf: WorkflowContext, jobId: string, seen = new Set<string>()): Set<string> {
  const job = wf.template.jobs.find((j) => j.id.value === jobId);
  for (const n of job?.needs ?? []) {
    if (!seen.has(n.value)) {
      seen.add(n.value);
      ancestors(wf, n.value, seen);
    }
  }
  return seen;
}

async function runJob(wf: WorkflowContext, job: Extract<WorkflowContext['template']['jobs'][number], { type: 'job' }>): Promise<JobResult> {
  const { options } = wf;
  const jobId = job.id.value;
  const rawJob = findKey(findKey(wf.root, 'jobs'), jobId)!;
  const needsIds = (job.needs ?? []).map((n) => n.value);
  const needsContext = Object.fromEntries(needsIds.map((n) => [n, { result: wf.jobs[n].result, outputs: wf.jobs[n].outputs }]));
  const upstream = [...ancestors(wf, jobId)].map((id) => wf.jobs[id]);
  const jobStatus: StatusFunctions = {
    success: () => upstream.every((j) => j.result === 'success'),
    failure: () => upstream.some((j) => j.result === 'failure'),
    cancelled: () => false,
  };
  const jobLevelContexts = { ...githubContexts(wf, undefined), needs: needsContext };
  const displayName = asString(evaluateToken(job.name, jobLevelContexts, jobStatus) ?? jobId) || jobId;
  let runs: boolean;
  try {
    runs = truthy(evaluateExpression(job.if.expression, jobLevelContexts, jobStatus));
  } catch (e) {
    return { ...skippedJob(jobId, (e as Error).message, 'failure'), name: displayName };
  }
  if (!runs) return { ...skippedJob(jobId), name: displayName };

  // The runner's directories for this job.
  const [, repoName] = options.repository.fullName.split('/');
  const jobDir = fs.mkdtempSync(path.join(wf.workDir, `${jobId}-`));
  const workspace = path.join(jobDir, 'work', repoName, repoName);
  const runnerTemp = path.join(jobDir, 'work', '_temp');
  const toolCache = path.join(jobDir, 'hostedtoolcache');
  for (const d of [workspace, runnerTemp, toolCache]) fs.mkdirSync(d, { recursive: true });

  const fork = isForkPullRequest(options);
  const permissions = resolvePermissions(literal(findKey(rawJob, 'permissions')), literal(findKey(wf.root, 'permissions')), options, fork);
  const token = `ghs_${crypto.randomBytes(18).toString('base64url')}`;
  const contexts0: Contexts = { ...githubContexts(wf, { id: jobId, token, workspace }), needs: needsContext };
  const state: JobState = { workspace, annotations: [], masks: new Set([token, ...Object.values(fork ? {} : options.secrets ?? {})].filter((s) => s)), exportedEnv: {}, prependPath: [], summary: '', processGroups: new Set() };
  const result = (extra: Partial<JobResult> & Pick<JobResult, 'result'>): JobResult => ({
    id: jobId, name: displayName, steps: [], outputs: {}, annotations: state.annotations, summary: state.summary, permissions,
    timeoutMinutes: DEFAULT_JOB_TIMEOUT_MINUTES, timedOut: false, ...extra,
  });

  let environment: string | undefined;
  let concurrency: JobResult['concurrency'];
  let timeoutMinutes = DEFAULT_JOB_TIMEOUT_MINUTES;
  let jobEnv: Record<string, string>;
  try {
    const env = evaluateToken(job.environment, contexts0, jobStatus);
    environment = env === undefined || env === null ? undefined : typeof env === 'string' ? env : asString((env as AnyRecord).name);
    if (job.concurrency) concurrency = evaluateConcurrency(job.concurrency, contexts0, jobStatus);
    const timeout = evaluateToken(findKey(rawJob, 'timeout-minutes'), contexts0, jobStatus);
    if (timeout !== undefined) timeoutMinutes = Number(timeout);
    jobEnv = { ...evaluateStringMap(wf.template.env, contexts0, jobStatus), ...evaluateStringMap(job.env, contexts0, jobStatus) };
  } catch (e) {
    state.annotations.push({ level: 'error', message: (e as Error).message });
    return result({ result: 'failure', setupError: (e as Error).message });
  }
  const base = { environment, concurrency, timeoutMinutes };
  if (environment && options.repository.environments?.[environment]) {
    const branch = options.event.ref.replace(/^refs\/heads\//, '');
    if (!options.event.ref.startsWith('refs/heads/') || !passesFilters(options.repository.environments[environment], branch)) {
      const message = `Branch "${options.event.ref.replace(/^refs\/(heads|tags)\//, '')}" is not allowed to deploy to ${environment} due to environment protection rules.`;
      state.annotations.push({ level: 'error', message });
      return result({ ...base, result: 'failure', setupError: message });
    }
  }
  if (job.strategy) {
    const message = 'strategy/matrix jobs are not supported by the workflow harness';
    state.annotations.push({ level: 'error', message });
    return result({ ...base, result: 'failure', setupError: message });
  }

  // "Set up job": every action is resolved before any step runs; one that cannot be fails the job.
  const rawSteps = findKey(rawJob, 'steps') as unknown as { get(i: number): TemplateToken; count: number };
  for (const step of job.steps) {
    if ('uses' in step) {
      const problem = unresolvable(parseUses(step.uses.value));
      if (problem) {
        state.annotations.push({ level: 'error', message: problem });
        return result({ ...base, result: 'failure', setupError: problem, steps: [{ id: '__setup', name: 'Set up job', outcome: 'failure', conclusion: 'failure', exitCode: null, stdout: '', stderr: problem, outputs: {}, durationMs: 0 }] });
      }
    }
  }

  const oidcClaims = permissions['id-token'] === 'write' ? jobOidcClaims(wf, environment) : undefined;
  const oidcRequestToken = oidcClaims ? crypto.randomBytes(18).toString('base64url') : undefined;
  await admin(options, 'POST', '/_harness/tokens', { token, permissions, job: `${wf.file.path}#${jobId}`, runId: wf.runId, oidcRequestToken, oidcClaims });

  const defaults = {
    ...((literal(findKey(findKey(wf.root, 'defaults'), 'run')) ?? {}) as AnyRecord),
    ...((literal(findKey(findKey(rawJob, 'defaults'), 'run')) ?? {}) as AnyRecord),
  };
  const startedAt = Date.now();
  const timeScale = options.timeScale ?? 1;
  let deadline = startedAt + timeoutMinutes * 60_000 * timeScale;
  // After a job times out, steps that still run (always(), cancelled()) get the runner's cancellation grace.
  const graceAfterTimeout = () => { deadline = Date.now() + 5 * 60_000 * timeScale; };
  let jobStatusNow: 'success' | 'failure' | 'cancelled' = 'success';
  let timedOut = false;
  const steps: StepResult[] = [];
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const fileCommandDir = path.join(runnerTemp, '_runner_file_commands');
  const jobInfo: JobInfo = { workflowPath: wf.file.path, jobId, token, permissions, ...(oidcClaims ? { oidcClaims } : {}), workspace, runnerTemp, runId: wf.runId };
  const baseEnv = runnerEnv(wf, jobId, token, workspace, runnerTemp, toolCache, oidcRequestToken);

  try {
    for (let index = 0; index < job.steps.length; index++) {
      const step = job.steps[index] as AnyRecord;
      const rawStep = rawSteps.get(index);
      const stepId = step.id as string;
      if (Date.now() >= deadline && !timedOut) {
        timedOut = true;
        jobStatusNow = 'cancelled';
        timeoutAnnotations(state.annotations, timeoutMinutes);
        graceAfterTimeout();
      }
      const status: StatusFunctions = {
        success: () => jobStatusNow === 'success',
        failure: () => jobStatusNow === 'failure',
        cancelled: () => jobStatusNow === 'cancelled',
        hashFiles: (patterns) => hashFiles(workspace, patterns),
      };
      const envContext: Record<string, string> = { ...jobEnv, ...state.exportedEnv };
      const contexts: Contexts = {
        ...contexts0,
        github: { ...(contexts0.github as AnyRecord), action: stepId, event_path: path.join(runnerTemp, '..', '_github_workflow', 'event.json') },
        env: envContext,
        steps: stepsContext,
        job: { status: jobStatusNow, container: { network: '' }, services: {} },
        runner: runnerContext(runnerTemp, toolCache),
      };
      const started = Date.now();
      const stepName = stepDisplayName(step, contexts, status);
      const record = (r: Omit<StepResult, 'id' | 'name' | 'durationMs'>) => {
        steps.push({ id: stepId, name: stepName, ...r, durationMs: Date.now() - started });
        if (!stepId.startsWith('__')) stepsContext[stepId] = { outputs: r.outputs, outcome: r.outcome, conclusion: r.conclusion };
      };
      const substitution = findSubstitution(wf, jobId, step);
      let stepEnv: Record<string, string>;
      let runIt: boolean;
      try {
        stepEnv = evaluateStringMap(step.env, contexts, status);
        // The runner merges the step's env into the env context before it evaluates the step's `if`.
        runIt = truthy(evaluateExpression(step.if.expression, { ...contexts, env: { ...envContext, ...stepEnv } }, status));
      } catch (e) {
        state.annotations.push({ level: 'error', message: (e as Error).message, step: stepId });
        record({ outcome: 'failure', conclusion: 'failure', exitCode: null, stdout: '', stderr: (e as Error).message, outputs: {}, ...uses(step) });
        jobStatusNow = jobStatusNow === 'cancelled' ? 'cancelled' : 'failure';
        continue;
      }
      if (substitution) wf.substitutions.push({ ...substitution.record, ran: runIt });
      if (!runIt) {
        record({ outcome: 'skipped', conclusion: 'skipped', exitCode: null, stdout: '', stderr: '', outputs: {}, ...uses(step) });
        continue;
      }
      const io = new StepIO(stepId, state, fileCommandDir);
      const env: Record<string, string> = {
        ...baseEnv, ...envContext, ...stepEnv,
        GITHUB_ACTION: stepId, GITHUB_OUTPUT: io.files.output, GITHUB_ENV: io.files.env, GITHUB_PATH: io.files.path,
        GITHUB_STEP_SUMMARY: io.files.summary, GITHUB_STATE: io.files.state,
        PATH: [...state.prependPath].reverse().concat(baseEnv.PATH).join(':'),
      };
      const stepContexts = { ...contexts, env: { ...envContext, ...stepEnv } };
      // Timeouts: the step's own timeout-minutes fails it; the job's cancels it (and the job).
      let stepTimeout = 0;
      let continueOnError = false;
      let exitCode: number | null = null;
      try {
        stepTimeout = Number(evaluateToken(findKey(rawStep, 'timeout-minutes'), stepContexts, status) ?? 0);
        continueOnError = truthy(step['continue-on-error'] === undefined ? false
          : typeof step['continue-on-error'] === 'boolean' ? step['continue-on-error'] : evaluateToken(step['continue-on-error'], stepContexts, status));
      } catch (e) {
        io.fail((e as Error).message);
      }
      const now = Date.now();
      const stepDeadline = stepTimeout > 0 ? Math.min(deadline, now + stepTimeout * 60_000 * timeScale) : deadline;
      const timer = setTimeout(() => io.cancel(stepDeadline === deadline ? 'job-timeout' : 'step-timeout'), Math.max(0, stepDeadline - now));
      try {
        if (!io.commandFailed) {
          if (substitution || 'run' in step) {
            const script = substitution ? substitution.record.run : asString(evaluateToken(step.run, stepContexts, status));
            exitCode = await runScript(io, script, {
              shell: asString(evaluateToken(findKey(rawStep, 'shell'), stepContexts, status) ?? '') || asString(defaults.shell ?? ''),
              workingDirectory: asString(evaluateToken(findKey(rawStep, 'working-directory'), stepContexts, status) ?? '') || asString(defaults['working-directory'] ?? ''),
              workspace, runnerTemp, env,
            });
          } else {
            exitCode = await runAction(wf, io, step, rawStep, stepContexts, status, env, jobInfo);
          }
        }
      } catch (e) {
        io.fail((e as Error).message);
      } finally {
        clearTimeout(timer);
      }
      io.processFileCommands();
      let outcome: StepResult['outcome'];
      if (io.cancelled === 'job-timeout') {
        outcome = 'cancelled';
        if (!timedOut) {
          timedOut = true;
          timeoutAnnotations(state.annotations, timeoutMinutes);
          graceAfterTimeout();
        }
      } else if (io.cancelled === 'step-timeout') {
        outcome = 'failure';
        state.annotations.push({ level: 'error', message: `The action '${stepName}' has timed out after ${stepTimeout} minutes.`, step: stepId });
      } else if (io.commandFailed || exitCode !== 0) {
        outcome = 'failure';
        if (exitCode !== null && exitCode !== 0 && (substitution || 'run' in step)) {
          state.annotations.push({ level: 'error', message: `Process completed with exit code ${exitCode}.`, step: stepId });
        }
      } else outcome = 'success';
      const conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
      record({
        outcome, conclusion, exitCode, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n'), outputs: io.outputs, ...uses(step),
        ...(substitution ? { substitutedBy: substitution.record.run } : {}),
      });
      if (timedOut) jobStatusNow = 'cancelled';
      else if (conclusion === 'failure') jobStatusNow = 'failure';
    }
  } finally {
    for (const pid of state.processGroups) signalGroup(pid, 'SIGKILL');
    await admin(options, 'POST', '/_harness/tokens/revoke', { token, oidcRequestToken });
  }

  // Job outputs, evaluated after the steps; a value holding a secret is dropped, as the runner does.
  const outputs: Record<string, string> = {};
  const outputContexts: Contexts = { ...contexts0, steps: stepsContext, env: { ...jobEnv, ...state.exportedEnv }, job: { status: jobStatusNow }, runner: runnerContext(runnerTemp, toolCache) };
  const finalStatus: StatusFunctions = { success: () => jobStatusNow === 'success', failure: () => jobStatusNow === 'failure', cancelled: () => jobStatusNow === 'cancelled' };
  try {
    for (const [k, v] of Object.entries(evaluateStringMap(job.outputs, outputContexts, finalStatus))) {
      if ([...state.masks].some((m) => m && v.includes(m))) {
        state.annotations.push({ level: 'warning', message: `Skip output '${k}' since it may contain secret.` });
      } else outputs[k] = v;
    }
  } catch (e) {
    state.annotations.push({ level: 'error', message: (e as Error).message });
    jobStatusNow = jobStatusNow === 'success' ? 'failure' : jobStatusNow;
  }
  return result({ ...base, result: jobStatusNow, steps, outputs, summary: state.summary, timedOut, ...(oidcClaims ? { oidcClaims: oidcClaims as unknown as Record<string, string> } : {}) });
}

/** A scalar token as the workflow file has it (an expression-bearing string keeps its `${{ }}` text). */
function sourceText(token: AnyRecord | undefined): string {
  if (!token) return '';
  if (isString(token as TemplateToken)) return (token as { value: string }).value;
  return (token.source as string | undefined) ?? token.toDisplayString?.() ?? String(token);
}

function uses(step: AnyRecord): { uses?: string; run?: string } {
  if ('uses' in step) return { uses: step.uses.value };
  return { run: sourceText(step.run) };
}

function timeoutAnnotations(annotations: Annotation[], minutes: number): void {
  annotations.push({ level: 'error', message: `The job running on runner GitHub Actions 1 has exceeded the maximum execution time of ${minutes} minutes.` });
  annotations.push({ level: 'error', message: 'The operation was canceled.' });
}

function stepDisplayName(step: AnyRecord, contexts: Contexts, status: StatusFunctions): string {
  if (step.name) {
    try {
      return asString(evaluateToken(step.name, contexts, status));
    } catch {
      return String(step.name);
    }
  }
  if ('uses' in step) return `Run ${step.uses.value}`;
  return `Run ${sourceText(step.run).trim().split('\n')[0]}`;
}

function findSubstitution(wf: WorkflowContext, jobId: string, step: AnyRecord): { record: Omit<SubstitutionRecord, 'ran'> } | undefined {
  const all = wf.options.substitutions ?? [];
  const rawName = step.name && isString(step.name) ? step.name.value : undefined;
  for (let i = 0; i < all.length; i++) {
    const s = all[i];
    if (s.workflow && s.workflow !== wf.file.path && s.workflow !== wf.name) continue;
    if (s.job && s.job !== jobId) continue;
    if (s.step !== step.id && s.step !== rawName) continue;
    wf.matched.add(i);
    const original = 'uses' in step ? step.uses.value : sourceText(step.run);
    return { record: { ...s, workflowPath: wf.file.path, jobId, stepId: step.id, original } };
  }
  return undefined;
}

function runnerContext(runnerTemp: string, toolCache: string): Record<string, string> {
  return { os: 'Linux', arch: 'X64', name: 'GitHub Actions 1', environment: 'github-hosted', temp: runnerTemp, tool_cache: toolCache, debug: '' };
}

/** The environment every step process starts from: the machine's basics plus what the runner sets. */
function runnerEnv(wf: WorkflowContext, jobId: string, token: string, workspace: string, runnerTemp: string, toolCache: string, oidcRequestToken?: string): Record<string, string> {
  const { options } = wf;
  const event = options.event;
  const repo = options.repository;
  const eventDir = path.join(runnerTemp, '..', '_github_workflow');
  fs.mkdirSync(eventDir, { recursive: true });
  const eventPath = path.join(eventDir, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(event.payload, null, 2));
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TZ', 'TMPDIR'];
  const machine = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
  const g = (githubContexts(wf, { id: jobId, token, workspace }).github) as AnyRecord;
  return {
    ...machine,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: g.actor, GITHUB_ACTOR_ID: g.actor_id, GITHUB_TRIGGERING_ACTOR: g.triggering_actor,
    GITHUB_API_URL: options.github.url, GITHUB_GRAPHQL_URL: g.graphql_url, GITHUB_SERVER_URL: options.github.serverUrl,
    GITHUB_BASE_REF: event.baseRef ?? '', GITHUB_HEAD_REF: event.headRef ?? '',
    GITHUB_EVENT_NAME: event.name, GITHUB_EVENT_PATH: eventPath,
    GITHUB_JOB: jobId, GITHUB_REF: event.ref, GITHUB_REF_NAME: g.ref_name, GITHUB_REF_PROTECTED: 'false', GITHUB_REF_TYPE: g.ref_type,
    GITHUB_REPOSITORY: repo.fullName, GITHUB_REPOSITORY_ID: String(repo.id), GITHUB_REPOSITORY_OWNER: g.repository_owner, GITHUB_REPOSITORY_OWNER_ID: String(repo.ownerId),
    GITHUB_RETENTION_DAYS: '90', GITHUB_RUN_ATTEMPT: '1', GITHUB_RUN_ID: String(wf.runId), GITHUB_RUN_NUMBER: String(wf.runNumber),
    GITHUB_SHA: event.sha, GITHUB_WORKFLOW: wf.name, GITHUB_WORKFLOW_REF: g.workflow_ref, GITHUB_WORKFLOW_SHA: event.sha,
    GITHUB_WORKSPACE: workspace,
    RUNNER_ARCH: 'X64', RUNNER_ENVIRONMENT: 'github-hosted', RUNNER_NAME: 'GitHub Actions 1', RUNNER_OS: 'Linux',
    RUNNER_TEMP: runnerTemp, RUNNER_TOOL_CACHE: toolCache, RUNNER_WORKSPACE: path.dirname(workspace), ImageOS: 'ubuntu24',
    ...(oidcRequestToken ? { ACTIONS_ID_TOKEN_REQUEST_URL: `${options.github.url}/_harness/oidc?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidcRequestToken } : {}),
  };
}

/** The claims of the OIDC token GitHub would issue this job (aud: the action's default, sts.amazonaws.com). */
function jobOidcClaims(wf: WorkflowContext, environment: string | undefined): OidcClaims {
  const { options } = wf;
  const event = options.event;
  const repo = options.repository;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sts.amazonaws.com',
    ref: event.ref,
    ref_type: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: event.sha,
    repository: repo.fullName,
    repository_id: String(repo.id),
    repository_owner: repo.fullName.split('/')[0],
    repository_owner_id: String(repo.ownerId),
    repository_visibility: repo.private ? 'private' : 'public',
    run_id: String(wf.runId),
    run_number: String(wf.runNumber),
    run_attempt: '1',
    actor: event.actor ?? 'octocat',
    event_name: event.name,
    workflow: wf.name,
    workflow_ref: `${repo.fullName}/${wf.file.path}@${event.ref}`,
    job_workflow_ref: `${repo.fullName}/${wf.file.path}@${event.ref}`,
    head_ref: event.headRef ?? '',
    base_ref: event.baseRef ?? '',
    runner_environment: 'github-hosted',
    ...(environment ? { environment } : {}),
    jti: crypto.randomUUID(),
    iat: String(now),
    nbf: String(now),
    exp: String(now + 3600),
  };
  const sub = oidcSubject({
    repository: repo.fullName, repositoryId: String(repo.id), ownerId: String(repo.ownerId), eventName: event.name, ref: event.ref,
    environment, claimKeys: repo.oidcSubjectClaimKeys, immutable: repo.oidcImmutableSubject,
  }, claims);
  return { ...claims, sub };
}

/** hashFiles(): sha256 over the sha256 of each matched file under the workspace; '' when none match. */
function hashFiles(workspace: string, patterns: string[]): string {
  const files = findFilesToUpload(patterns.join('\n'), workspace, true).files.filter((f) => f.startsWith(`${workspace}/`));
  if (!files.length) return '';
  const outer = crypto.createHash('sha256');
  for (const f of files) outer.update(crypto.createHash('sha256').update(fs.readFileSync(f)).digest());
  return outer.digest('hex');
}

/** The runner's shells: unset → `bash -e {0}`; `bash` → `bash --noprofile --norc -eo pipefail {0}`; or `cmd args {0}`. */
function shellCommand(shell: string): { file: string; args: (script: string) => string[]; extension: string } {
  const builtin: Record<string, { file: string; args: string[]; extension: string }> = {
    '': { file: 'bash', args: ['-e'], extension: '.sh' },
    bash: { file: 'bash', args: ['--noprofile', '--norc', '-e', '-o', 'pipefail'], extension: '.sh' },
    sh: { file: 'sh', args: ['-e'], extension: '.sh' },
    python: { file: 'python3', args: [], extension: '.py' },
    pwsh: { file: 'pwsh', args: ['-command', '. \'{0}\''], extension: '.ps1' },
  };
  const b = builtin[shell];
  if (b) {
    return { file: b.file, extension: b.extension, args: (script) => (b.args.some((a) => a.includes('{0}')) ? b.args.map((a) => a.replace('{0}', script)) : [...b.args, script]) };
  }
  if (!shell.includes('{0}')) throw new Error("Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format string containing '{0}'");
  const [file, ...rest] = shell.trim().split(/\s+/);
  return { file, extension: '.sh', args: (script) => rest.map((a) => a.replace('{0}', script)) };
}

async function runScript(io: StepIO, script: string, o: { shell: string; workingDirectory: string; workspace: string; runnerTemp: string; env: Record<string, string> }): Promise<number | null> {
  const shell = shellCommand(o.shell);
  const file = path.join(o.runnerTemp, `${crypto.randomUUID()}${shell.extension}`);
  fs.writeFileSync(file, script);
  const cwd = path.resolve(o.workspace, o.workingDirectory);
  const end = await io.runProcess(shell.file, shell.args(file), { cwd, env: o.env });
  if (end.startError) io.commandFailed = true;
  return end.exitCode;
}

async function runAction(wf: WorkflowContext, io: StepIO, step: AnyRecord, rawStep: TemplateToken, contexts: Contexts, status: StatusFunctions, env: Record<string, string>, job: JobInfo): Promise<number> {
  const parsedUses = parseUses(step.uses.value);
  const standIn = STAND_INS[parsedUses.name];
  const given = evaluateStringMap(findKey(rawStep, 'with'), contexts, status);
  const unexpected = Object.keys(given).filter((k) => !(k in standIn.inputs));
  if (unexpected.length && !parsedUses.name.startsWith('docker://')) {
    io.job.annotations.push({ level: 'warning', message: `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(standIn.inputs).join("', '")}']`, step: io.stepId });
  }
  const inputs: Record<string, string> = {};
  for (const [k, def] of Object.entries(standIn.inputs)) {
    if (k in given) inputs[k] = given[k];
    else if (def !== undefined) {
      const m = /^\$\{\{(.*)\}\}$/s.exec(def);
      inputs[k] = m ? asString(evaluateExpression(m[1].trim(), contexts, status)) : def;
    }
  }
  for (const k of unexpected) inputs[k] = given[k];
  const ctx: ActionContext = {
    io, uses: parsedUses, inputs, env, job, repository: wf.options.repository, event: wf.options.event, github: wf.options.github,
    ...(wf.options.trust ? { trust: wf.options.trust } : {}), awsEnv: wf.options.awsEnv ?? {}, actionlint: wf.options.actionlint,
  };
  const code = await standIn.run(ctx);
  if (code !== 0 && parsedUses.name.startsWith('docker://')) {
    io.job.annotations.push({ level: 'error', message: `Docker run failed with exit code ${code}`, step: io.stepId });
  }
  return code;
}
