// CLI commands that operate a stage's deployed batches: run now, backfill a range, redrive dead letters, status, logs, runs, pause and resume.
import * as path from 'path';
import { Command } from 'commander';
import { DEFAULT_BUNDLES_PATH } from '../bundle/package';
import { DEFAULT_MANIFEST_PATH, Manifest, ManifestStage } from '../manifest/manifest';
import type { BatchTarget, CatchUp, OperateClients, StageSchedule, UndeclaredStack } from '../operate';
import { constantInputTimeWarning } from './bundle-commands';
import { DEPLOY_EXIT } from './deploy-commands';
import { badInput, EXIT_CODES, EXIT_HELP, reportFailure } from './exit-codes';
import { CommandIo, engine, knownStages, resolveIo } from './io';
import { DEFAULT_RUNS_LIMIT, ledgerTableName, MAX_RUNS_LIMIT } from '../model/ledger';
import { stackPrefixOf } from '../model/names';
import { runTimes } from '../schedule/timezone';

/** The operate commands' AWS code (and the AWS SDK), loaded when a command first needs it, not at CLI start. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const operate = (): typeof import('../operate') => require('../operate') as typeof import('../operate');

/** Exit codes of `run`, `backfill`, `redrive`, `status` and `logs`, named as before: a view of {@link EXIT_CODES}, which has every code. */
export const OPERATE_EXIT = DEPLOY_EXIT;

/** What the operate commands reach outside themselves; tests replace these. */
export interface OperateCommandDeps extends CommandIo {
  /** @default createOperateClients (SDK default credential chain, adaptive retries) */
  readonly createClients?: (region: string) => OperateClients;
  /** Event ids. @default crypto.randomUUID */
  readonly id?: () => string;
  /** Pause between `logs --follow` polls. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Ends `logs --follow`. @default aborted on SIGINT */
  readonly signal?: AbortSignal;
  /** Pause between polls of a durable execution (`run --wait`, `backfill`, `redrive`). @default setTimeout */
  readonly executionSleep?: (ms: number) => Promise<void>;
  /** Seconds between two progress lines of `run --wait`. @default 60 */
  readonly progressEvery?: number;
  /** Who runs `pause` and `resume`: the credentials' account and ARN. @default STS GetCallerIdentity in the stage's region */
  readonly callerIdentity?: (region: string) => Promise<{ account: string; arn: string }>;
}

/** `run --time` of a time the schedule never fires: bad input naming the nearest times it does fire. */
function offScheduleTime(batch: string, stage: string, schedule: StageSchedule, time: Date) {
  const { before, after } = operate().nearestTimes(schedule, time);
  const near = [before && `${before.toISOString()} (before)`, after && `${after.toISOString()} (after)`].filter(Boolean);
  return badInput(`--time ${time.toISOString()} is not a time batch "${batch}" runs at in stage ${stage} ` +
    `(${schedule.expression}${schedule.timezone === 'UTC' ? '' : ` in ${schedule.timezone}`}): ` +
    `${near.length ? `the nearest times it runs are ${near.join(' and ')}` : 'it has no run within five years of it'}. ` +
    'A run for a time the schedule never fires is logged and named as a run that never happens; give one of its times, or add --off-schedule to run it anyway.',
  { field: '--time' });
}

/** Options every operate command takes. */
interface CommonOptions {
  readonly stage?: string;
  readonly manifest: string;
}

function isoOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = operate().parseUtcTime(value);
  if (!d) throw badInput(`${name} "${value}" is not an ISO 8601 time; use e.g. ${name} 2026-11-25T03:00:00Z (a time without an offset is read as UTC).`);
  return d;
}

function positiveOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badInput(`${name} "${value}" is not a positive whole number; use e.g. ${name} ${fallback}.`);
  return Number(value);
}

/** The manifest and stage, or bad input naming the stages there are. */
function loadStage(opts: CommonOptions, projectDir: string): { manifest: Manifest; stage: ManifestStage } {
  const manifestFile = path.resolve(projectDir, opts.manifest);
  if (!opts.stage) throw badInput(`--stage is required; ${knownStages(manifestFile)}.`);
  const manifest = engine().readDeployManifest(manifestFile);
  return { manifest, stage: engine().findStage(manifest, opts.stage, opts.manifest) };
}

/**
 * Runs one operate command body and turns what it throws into its exit code (see {@link EXIT_CODES}):
 * bad input, AWS unreachable or answering with an error, a stack that is missing; the body returns
 * its own code otherwise.
 */
async function guarded(command: string, deps: OperateCommandDeps, body: (io: ReturnType<typeof resolveIo>) => Promise<number>): Promise<number> {
  const io = resolveIo(deps);
  try {
    return await body(io);
  } catch (e) {
    return reportFailure(command, io.err, e);
  }
}

/** Checks the credentials' account, then returns the stage's clients. */
async function connect(io: ReturnType<typeof resolveIo>, deps: OperateCommandDeps, stage: ManifestStage): Promise<OperateClients> {
  const account = await io.callerAccount(stage.region);
  const wrong = engine().wrongAccount(account, stage, 'the stage\'s operator role', 'nothing was run');
  if (wrong) throw badInput(wrong);
  return (deps.createClients ?? operate().createOperateClients)(stage.region);
}

async function targetAndSchedule(
  clients: OperateClients, manifest: Manifest, stage: ManifestStage, batch: string,
): Promise<{ target: BatchTarget; schedule: StageSchedule }> {
  const target = await operate().resolveTarget(clients.cloudFormation, manifest.batches, stage, batch);
  return { target, schedule: operate().scheduleFor(target.batch) };
}

/** Options of `run`. */
export interface RunCommandOptions extends CommonOptions {
  readonly time?: string;
  readonly wait?: boolean;
  /** A durable batch: print the execution's steps from its history. */
  readonly steps?: boolean;
  /** Run `--time` even when the schedule never fires at it. */
  readonly offSchedule?: boolean;
}

/** `batchform run`: one run now (or for `--time`), asynchronous unless `--wait`. */
export function runRunCommand(batch: string, opts: RunCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('run', deps, async (io) => {
    const time = isoOption('--time', opts.time) ?? (deps.now ?? (() => new Date()))();
    const { manifest, stage } = loadStage(opts, io.projectDir);
    const { batch: declared } = operate().findBatch(manifest.batches, stage, batch);
    const declaredSchedule = operate().scheduleFor(declared);
    if (opts.time && operate().eventKind(declaredSchedule) === 'input') {io.err(constantInputTimeWarning(batch));} else if (opts.time && !opts.offSchedule && !operate().firesAt(declaredSchedule, time)) {
      throw offScheduleTime(batch, stage.name, declaredSchedule, time);
    }
    const clients = await connect(io, deps, stage);
    const { target, schedule } = await targetAndSchedule(clients, manifest, stage, batch);
    if (target.durable) {
      // The starter starts (or finds) the time's execution; a time whose execution ended is re-run under a new name.
      const durable = await operate().runDurable(target, schedule, time, {
        lambda: clients.lambda, wait: opts.wait, steps: opts.steps, id: deps.id, waits: { sleep: deps.executionSleep, log: io.err },
      });
      io.out(operate().renderDurableOutcome(target, durable, opts.wait ?? false));
      return durable.ok ? OPERATE_EXIT.ok : OPERATE_EXIT.failed;
    }
    if (opts.steps) throw badInput(`--steps is for durable batches; "${batch}" is not durable (its run's log lines are in: batchform run ${batch} --stage ${stage.name} --wait).`);
    // A run for a given time runs it even when it ran before (its next attempt), as a durable batch's -r<n> execution does.
    const outcome = await operate().invokeRun(target, schedule, time, {
      lambda: clients.lambda, mode: opts.wait ? 'wait' : 'async', id: deps.id, log: io.err, progressEvery: deps.progressEvery, trigger: 'run', rerun: opts.time ? 1 : undefined,
    });
    io.out(operate().renderRunOutcome(target, outcome));
    return outcome.ok ? OPERATE_EXIT.ok : OPERATE_EXIT.failed;
  });
}

/**
 * The times of a backfill to run: the run ledger's succeeded times are left out (said on stderr)
 * unless `rerun`, when each is run again as its next attempt. A ledger that cannot be read (a
 * stage bootstrapped before the ledger, credentials that may not query it) leaves every time in.
 */
async function succeededTimes(
  io: ReturnType<typeof resolveIo>, clients: OperateClients, stage: ManifestStage, batch: string, times: readonly Date[], rerun: boolean,
): Promise<{ todo: Date[]; rerun: Map<string, number> }> {
  const tableName = ledgerTableName({ stackPrefix: stackPrefixOf(stage) });
  let records: Map<string, { status?: string; attempts?: number }>;
  try {
    const last = new Date(times[times.length - 1].getTime() + 1000);
    records = await operate().ledgerRecords(operate().ledgerClient(clients, stage.region), { tableName, batch }, times[0], last);
  } catch (e) {
    io.err(`the run ledger could not be read (${engine().describeError(e)}), so times that already succeeded are run again too.`);
    return { todo: [...times], rerun: new Map() };
  }
  const succeeded = times.filter((t) => records.get(t.toISOString())?.status === 'succeeded');
  if (rerun) return { todo: [...times], rerun: new Map(succeeded.map((t) => [t.toISOString(), records.get(t.toISOString())?.attempts ?? 1])) };
  if (succeeded.length) {
    io.err(`${succeeded.length} of ${times.length} time(s) already succeeded (the run ledger; batchform runs ${batch} --stage ${stage.name} lists them): skipped. Add --rerun to run them again.`);
  }
  return { todo: times.filter((t) => !succeeded.includes(t)), rerun: new Map() };
}

/** Options of `backfill`. */
export interface BackfillCommandOptions extends CommonOptions {
  readonly from?: string;
  readonly to?: string;
  readonly concurrency?: string;
  readonly dryRun?: boolean;
  readonly continueOnFailure?: boolean;
  readonly restart?: boolean;
  /** The number of runs, as typed: required (and must match) above {@link BACKFILL_CONFIRM_RUNS} runs. */
  readonly confirm?: string;
  /** Run the times the run ledger says already succeeded again (each as its next attempt), instead of skipping them. */
  readonly rerun?: boolean;
}

/** `batchform backfill`: one synchronous run per scheduled time of `[from, to)`; `--dry-run` lists them offline. */
export function runBackfillCommand(batch: string, opts: BackfillCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('backfill', deps, async (io) => {
    if (!opts.from || !opts.to) throw badInput('--from and --to are required: the range [from, to) of scheduled times to run, e.g. --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z.');
    const from = isoOption('--from', opts.from)!;
    const to = isoOption('--to', opts.to)!;
    const concurrency = positiveOption('--concurrency', opts.concurrency, 1);
    const { manifest, stage } = loadStage(opts, io.projectDir);
    const { batch: declared } = operate().findBatch(manifest.batches, stage, batch);
    const schedule = operate().scheduleFor(declared);
    if (operate().eventKind(schedule) === 'input') {
      throw badInput(`batch "${batch}" has a constant input, so its runs carry no scheduled time and a backfill's runs could not be told apart. Fix: run it with "batchform run ${batch} --stage ${stage.name}", or remove input from the batch to get the Scheduled Event.`);
    }
    const times = operate().scheduledTimes(schedule, from, to);
    const stateFile = operate().backfillStateFile(io.projectDir, stage.name, batch, from, to);
    if (opts.dryRun) {
      const done = opts.restart ? new Set<string>() : operate().readBackfillState(stateFile);
      const lines = [`${batch} in stage ${stage.name}: ${times.length} scheduled time(s) in [${from.toISOString()}, ${to.toISOString()}) of ${schedule.expression}${schedule.timezone === 'UTC' ? ' (UTC)' : ` (${schedule.timezone})`}${done.size ? `; ${done.size} done by an earlier backfill (marked)` : ''}:`];
      for (const t of times) {
        const r = runTimes(t, schedule.timezone);
        lines.push(`  ${t.toISOString()}${r.local ? `  ${r.local}` : ''}${done.has(t.toISOString()) ? '  done' : ''}`);
      }
      io.out(lines.join('\n'));
      return OPERATE_EXIT.ok;
    }
    if (times.length === 0) {
      io.out(`${batch} has no scheduled time in [${from.toISOString()}, ${to.toISOString()}); nothing to run.`);
      return OPERATE_EXIT.ok;
    }
    const limit = operate().BACKFILL_CONFIRM_RUNS;
    if (times.length > limit && opts.confirm !== String(times.length)) {
      throw badInput(`[${from.toISOString()}, ${to.toISOString()}) holds ${times.length} runs of ${batch} (${schedule.expression}), more than ${limit}; ` +
        `${opts.confirm === undefined ? 'nothing was run' : `--confirm ${opts.confirm} does not match, so nothing was run`}. Check the range (a mistyped year?) ` +
        `with --dry-run, then confirm the count: --confirm ${times.length}.`, { field: '--confirm' });
    }
    const clients = await connect(io, deps, stage);
    const { target } = await targetAndSchedule(clients, manifest, stage, batch);
    const { todo, rerun } = await succeededTimes(io, clients, stage, batch, times, opts.rerun ?? false);
    if (todo.length === 0) {
      io.out(`${batch}: every one of the ${times.length} scheduled time(s) in [${from.toISOString()}, ${to.toISOString()}) already succeeded; nothing to run (add --rerun to run them again).`);
      return OPERATE_EXIT.ok;
    }
    const result = await operate().backfill(target, schedule, {
      lambda: clients.lambda,
      times: todo,
      rerun,
      from,
      to,
      concurrency,
      continueOnFailure: opts.continueOnFailure,
      stateFile,
      restart: opts.restart,
      log: io.err,
      id: deps.id,
      waits: { sleep: deps.executionSleep, log: io.err },
    });
    const again = `batchform backfill ${batch} --stage ${stage.name} --from ${opts.from} --to ${opts.to}${concurrency > 1 ? ` --concurrency ${concurrency}` : ''}${opts.rerun ? ' --rerun' : ''}`;
    io.out(operate().renderBackfillResult(target, result, again));
    return result.ok ? OPERATE_EXIT.ok : OPERATE_EXIT.failed;
  });
}

/** Options of `redrive`. */
export interface RedriveCommandOptions extends CommonOptions {
  readonly list?: boolean;
  readonly max?: string;
}

/** `batchform redrive`: re-run each dead letter, deleting it only after its re-run succeeded. */
export function runRedriveCommand(batch: string, opts: RedriveCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('redrive', deps, async (io) => {
    const max = opts.max === undefined ? undefined : positiveOption('--max', opts.max, 10);
    const { manifest, stage } = loadStage(opts, io.projectDir);
    operate().findBatch(manifest.batches, stage, batch);
    const clients = await connect(io, deps, stage);
    const { target, schedule } = await targetAndSchedule(clients, manifest, stage, batch);
    const result = await operate().redrive(target, schedule, {
      sqs: clients.sqs, lambda: clients.lambda, listOnly: opts.list, max, log: io.err, waits: { sleep: deps.executionSleep, log: io.err },
    });
    io.out(operate().renderRedriveResult(target, result, opts.list ?? false));
    return result.ok ? OPERATE_EXIT.ok : OPERATE_EXIT.failed;
  });
}

/** Options of `status`. */
export interface StatusCommandOptions extends CommonOptions {
  readonly json?: boolean;
  /** Durable batches: each listed execution's steps. */
  readonly steps?: boolean;
  readonly bundles: string;
}

/** `batchform status`: every batch of the stage, as a table or `--json`. */
export function runStatusCommand(opts: StatusCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('status', deps, async (io) => {
    const { manifest, stage } = loadStage(opts, io.projectDir);
    // This commit's fingerprints need the packaged zips; without them the comparison is unknown.
    let fingerprints: Record<string, string> = {};
    let note: string | undefined;
    try {
      const inputs = engine().loadDeployInputs({
        stage: stage.name, manifestFile: opts.manifest, bundlesFile: opts.bundles, projectDir: io.projectDir,
      });
      fingerprints = Object.fromEntries(inputs.stacks.map((s) => [s.stack.stackName, s.fingerprint]));
    } catch (e) {
      if (!(e instanceof engine().DeployInputError)) throw e;
      note = `this commit's fingerprints are unknown (${e.problems[0]}${e.problems.length > 1 ? ` and ${e.problems.length - 1} more` : ''}), so "deployed" says unknown.`;
    }
    const clients = await connect(io, deps, stage);
    const now = (deps.now ?? (() => new Date()))();
    const statuses = await operate().stageStatus({ clients, batches: manifest.batches, stage, fingerprints, now, steps: opts.steps });
    // Stacks of removed or renamed batches that still run: only with a project identity to tell them by.
    let undeclared: UndeclaredStack[] = [];
    let undeclaredProblem: string | undefined;
    if (manifest.project !== undefined) {
      try {
        undeclared = await operate().undeclaredStatus(clients.cloudFormation, stage, manifest.project);
      } catch (e) {
        undeclaredProblem = `stacks no longer declared could not be listed: ${engine().describeError(e)}`;
      }
    }
    if (opts.json) {
      const json = {
        stage: stage.name,
        account: stage.account,
        region: stage.region,
        batches: statuses,
        undeclared,
        ...(undeclaredProblem ? { problems: [undeclaredProblem] } : {}),
        ...(note ? { note } : {}),
      };
      io.out(JSON.stringify(json, null, 2));
    } else {
      const extra = [...operate().renderUndeclared(stage.name, undeclared), ...(undeclaredProblem ? [undeclaredProblem] : [])];
      io.out(operate().renderStatusTable(stage.name, statuses) + extra.map((l) => `\n${l}`).join('') + (note ? `\nnote: ${note}` : ''));
    }
    return statuses.some((s) => s.problems.length > 0) || undeclaredProblem ? OPERATE_EXIT.failed : OPERATE_EXIT.ok;
  });
}

/** Options of `logs`. */
export interface LogsCommandOptions extends CommonOptions {
  readonly since?: string;
  readonly run?: string;
  readonly follow?: boolean;
}

/** `batchform logs`: the batch's log events, one run's lines with `--run`, new ones with `--follow`. */
export function runLogsCommand(batch: string, opts: LogsCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('logs', deps, async (io) => {
    const now = (deps.now ?? (() => new Date()))();
    let since = operate().parseSince(opts.since ?? '1h', now);
    const run = isoOption('--run', opts.run);
    // A run logs from its start, which is never before its scheduled time; a backfill or redrive of it logs later.
    if (run && opts.since === undefined) since = new Date(run.getTime() - 60_000);
    const { manifest, stage } = loadStage(opts, io.projectDir);
    operate().findBatch(manifest.batches, stage, batch);
    const clients = await connect(io, deps, stage);
    const { target } = await targetAndSchedule(clients, manifest, stage, batch);
    const query = { logGroupName: target.logGroupName, startTime: since, filterPattern: run ? operate().runFilterPattern(run) : undefined };
    const print = (e: { message?: string }) => io.out(operate().renderLogLine(e.message ?? ''));
    if (opts.follow) {
      const controller = new AbortController();
      const signal = deps.signal ?? controller.signal;
      const stop = () => controller.abort();
      if (!deps.signal) process.once('SIGINT', stop);
      try {
        await operate().followLogs(clients.logs, query, print, { sleep: deps.sleep, signal });
      } finally {
        process.removeListener('SIGINT', stop);
      }
      return OPERATE_EXIT.ok;
    }
    const count = await operate().readLogs(clients.logs, query, print);
    if (count === 0) io.err(`no log events in ${target.logGroupName} since ${since.toISOString()}${run ? ` for the run ${run.toISOString()}` : ''}.`);
    return OPERATE_EXIT.ok;
  });
}

/** Options of `runs`. */
export interface RunsCommandOptions extends CommonOptions {
  readonly json?: boolean;
  readonly limit?: string;
  readonly from?: string;
  readonly to?: string;
}

/** `batchform runs`: a batch's run history from the stage's run ledger, newest first, as a table or `--json`. */
export function runRunsCommand(batch: string, opts: RunsCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('runs', deps, async (io) => {
    const limit = positiveOption('--limit', opts.limit, DEFAULT_RUNS_LIMIT);
    if (limit > MAX_RUNS_LIMIT) throw badInput(`--limit ${limit} is more than ${MAX_RUNS_LIMIT}; narrow the range with --from and --to instead.`);
    const from = isoOption('--from', opts.from);
    const to = isoOption('--to', opts.to);
    const { manifest, stage } = loadStage(opts, io.projectDir);
    const { batch: declared } = operate().findBatch(manifest.batches, stage, batch);
    // findBatch gives the batch as the stage runs it (its overrides applied).
    const timezone = declared.timezone;
    const tableName = ledgerTableName({ stackPrefix: stackPrefixOf(stage) });
    const clients = await connect(io, deps, stage);
    const runs = await operate().readRuns(operate().ledgerClient(clients, stage.region), { tableName, batch, limit, from, to });
    if (opts.json) {
      io.out(JSON.stringify({ stage: stage.name, batch, table: tableName, timezone, runs: operate().runRows(runs, timezone) }, null, 2));
    } else {
      io.out(operate().renderRunsTable(batch, stage.name, runs, timezone));
    }
    return OPERATE_EXIT.ok;
  });
}

/** The credentials' ARN (who pauses or resumes), after checking they are for the stage's account; and the stage's clients. */
async function identify(deps: OperateCommandDeps, stage: ManifestStage): Promise<{ clients: OperateClients; arn: string }> {
  const who = await (deps.callerIdentity ?? engine().callerIdentity)(stage.region);
  const wrong = engine().wrongAccount(who.account, stage, 'the stage\'s operator role', 'nothing was changed');
  if (wrong) throw badInput(wrong);
  return { clients: (deps.createClients ?? operate().createOperateClients)(stage.region), arn: who.arn };
}

/** Options of `pause`. */
export interface PauseCommandOptions extends CommonOptions {
  /** Why the batch is paused (required; at most {@link MAX_PAUSE_NOTE} characters): shown by every run it skips. */
  readonly note?: string;
}

/** `batchform pause`: the batch's scheduled runs are recorded as skipped-paused and do not run, until `resume`. */
export function runPauseCommand(batch: string, opts: PauseCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('pause', deps, async (io) => {
    const note = opts.note?.trim();
    if (!note) {
      throw badInput('--note is required: say why the batch is paused (every run it skips records it), e.g. --note "orders API migration, until Friday".', { field: '--note' });
    }
    const max = operate().MAX_PAUSE_NOTE;
    if (note.length > max) throw badInput(`--note is ${note.length} characters, more than ${max}; say why in fewer words (a link to the ticket is enough).`, { field: '--note' });
    const { manifest, stage } = loadStage(opts, io.projectDir);
    operate().findBatch(manifest.batches, stage, batch);
    const { clients, arn } = await identify(deps, stage);
    const tableName = ledgerTableName({ stackPrefix: stackPrefixOf(stage) });
    const now = (deps.now ?? (() => new Date()))();
    const result = await operate().pauseBatch(operate().ledgerClient(clients, stage.region), { tableName, batch }, { note, by: arn, now });
    if (result.already) io.err(`${batch} was already ${operate().describePause(result.already)}; its note, who and when are replaced.`);
    io.out(`${batch} is ${operate().describePause(result.record)} in stage ${stage.name}. Its scheduled runs are recorded as skipped-paused and do not run ` +
      `(batchform run, backfill and redrive still run it). Resume with: batchform resume ${batch} --stage ${stage.name} [--catch-up latest|all]`);
    return OPERATE_EXIT.ok;
  });
}

/** Options of `resume`. */
export interface ResumeCommandOptions extends CommonOptions {
  /** `none` (default), `latest` or `all`: which scheduled times the pause skipped to run now. */
  readonly catchUp?: string;
  /** How far back a catch-up looks (`90m`, `24h`, `7d`). @default since the pause began */
  readonly window?: string;
  /** The number of catch-up runs, as typed: required (and must match) above {@link BACKFILL_CONFIRM_RUNS} runs. */
  readonly confirm?: string;
}

/** `batchform resume`: the batch's scheduled runs run again; `--catch-up` runs the times the pause skipped, as a backfill does. */
export function runResumeCommand(batch: string, opts: ResumeCommandOptions, deps: OperateCommandDeps = {}): Promise<number> {
  return guarded('resume', deps, async (io) => {
    const policy = (opts.catchUp ?? 'none') as CatchUp;
    const policies = operate().CATCH_UP_POLICIES;
    if (!policies.includes(policy)) throw badInput(`--catch-up "${opts.catchUp}" is not one of ${policies.join(', ')}.`, { field: '--catch-up' });
    const windowMs = opts.window === undefined ? undefined : operate().parseWindow(opts.window);
    if (opts.window !== undefined && windowMs === undefined) throw badInput(`--window "${opts.window}" is not a duration; use minutes, hours or days, e.g. --window 24h.`, { field: '--window' });
    if (opts.window !== undefined && policy === 'none') throw badInput('--window bounds a catch-up; add --catch-up latest or --catch-up all, or leave --window out.', { field: '--window' });
    const { manifest, stage } = loadStage(opts, io.projectDir);
    const { batch: declared } = operate().findBatch(manifest.batches, stage, batch);
    const schedule = operate().scheduleFor(declared);
    if (policy !== 'none' && operate().eventKind(schedule) === 'input') {
      throw badInput(`batch "${batch}" has a constant input, so its runs carry no scheduled time and a catch-up could not say which ones it runs. ` +
        `Fix: resume without --catch-up, then run it once with "batchform run ${batch} --stage ${stage.name}".`, { field: '--catch-up' });
    }
    const { clients, arn } = await identify(deps, stage);
    const tableName = ledgerTableName({ stackPrefix: stackPrefixOf(stage) });
    const ledger = operate().ledgerClient(clients, stage.region);
    const now = (deps.now ?? (() => new Date()))();
    const pause = await operate().readPause(ledger, { tableName, batch });
    if (!pause?.paused) {
      io.out(`${batch} is not paused in stage ${stage.name}${pause?.resumedAt ? ` (resumed at ${pause.resumedAt}${pause.resumedBy ? ` by ${pause.resumedBy}` : ''})` : ''}; nothing to resume` +
        `${policy === 'none' ? '' : ', and nothing to catch up (run missed times with batchform backfill)'}.`);
      return OPERATE_EXIT.ok;
    }
    const plan = await operate().planCatchUp(ledger, { tableName, batch }, schedule, { policy, pausedAt: pause.pausedAt, windowMs, now });
    const limit = operate().BACKFILL_CONFIRM_RUNS;
    if (plan.times.length > limit && opts.confirm !== String(plan.times.length)) {
      throw badInput(`the catch-up would run ${plan.times.length} scheduled times of ${batch} (${schedule.expression}) since ${plan.from.toISOString()}, more than ${limit}; ` +
        `${opts.confirm === undefined ? 'nothing was changed' : `--confirm ${opts.confirm} does not match, so nothing was changed`}. ` +
        `Narrow it with --window or --catch-up latest, or confirm the count: --confirm ${plan.times.length}.`, { field: '--confirm' });
    }
    const ended = await operate().resumeBatch(ledger, { tableName, batch }, { by: arn, now });
    io.out(`${batch} is resumed in stage ${stage.name} (it was ${operate().describePause(ended ?? pause)}); its next scheduled run runs.`);
    if (policy === 'none') return OPERATE_EXIT.ok;
    if (plan.times.length === 0) {
      io.out(`catch-up ${policy}: no scheduled time in [${plan.from.toISOString()}, ${plan.to.toISOString()}) was left unrun; nothing to run.`);
      return OPERATE_EXIT.ok;
    }
    io.err(`catch-up ${policy}: ${plan.notRun.length} scheduled time(s) in [${plan.from.toISOString()}, ${plan.to.toISOString()}) did not run; running ${plan.times.length}: ` +
      `${plan.times.map((t) => t.toISOString()).join(', ')}`);
    const { target } = await targetAndSchedule(clients, manifest, stage, batch);
    const result = await operate().backfill(target, schedule, {
      lambda: clients.lambda,
      times: plan.times,
      from: plan.from,
      to: plan.to,
      stateFile: operate().backfillStateFile(io.projectDir, stage.name, batch, plan.from, plan.to),
      trigger: 'backfill',
      log: io.err,
      id: deps.id,
      waits: { sleep: deps.executionSleep, log: io.err },
    });
    const again = `batchform backfill ${batch} --stage ${stage.name} --from ${plan.times[0].toISOString()} --to ${new Date(plan.times[plan.times.length - 1].getTime() + 1000).toISOString()}`;
    io.out(operate().renderBackfillResult(target, result, again));
    return result.ok ? OPERATE_EXIT.ok : OPERATE_EXIT.failed;
  });
}

const STAGE_OPTION = ['--stage <stage>', 'the stage, as named in .projenrc.ts (required)'] as const;
const MANIFEST_OPTION = ['--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH] as const;

/** Adds `run`, `backfill`, `redrive`, `status`, `logs`, `runs`, `pause` and `resume` to the program. */
export function registerOperateCommands(program: Command, deps: OperateCommandDeps = {}): void {
  program.command('run')
    .description('run a deployed batch now with exactly the event its schedule sends (asynchronous like the schedule: retries and the dead-letter queue apply)')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--time <iso>', 'the scheduled time the event carries (default: now)')
    .option('--wait', 'run synchronously: print the result and the run\'s log lines; a failed run exits 1 (a durable batch: wait for its execution to end and print its outcome)')
    .option('--steps', 'a durable batch: print its execution\'s steps from the execution history')
    .option('--off-schedule', 'run --time even when it is not a time the schedule fires at')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: RunCommandOptions) => {
      process.exitCode = await runRunCommand(batch, opts, deps);
    });

  program.command('backfill')
    .description('run a deployed batch once per scheduled time in [from, to), in order, waiting for each; stops at the first failure; run it again to resume')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--from <iso>', 'first moment of the range (inclusive)')
    .option('--to <iso>', 'end of the range (exclusive)')
    .option('--concurrency <n>', 'runs at once (1: runs never overlap)', '1')
    .option('--dry-run', 'list the scheduled times and run nothing (no AWS, no credentials)')
    .option('--continue-on-failure', 'go on after a failed run; the failed times stay to do for the next resume')
    .option('--restart', 'forget the times an earlier backfill of this range finished, and run them all')
    .option('--confirm <runs>', 'the number of runs, required above 100 runs (see it with --dry-run): a guard against a mistyped range')
    .option('--rerun', 'also run the times the run ledger says already succeeded, each as its next attempt (by default they are skipped)')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: BackfillCommandOptions) => {
      process.exitCode = await runBackfillCommand(batch, opts, deps);
    });

  program.command('redrive')
    .description('show the runs in a batch\'s dead-letter queue (scheduled time, error), re-run each synchronously, and delete each message only after its re-run succeeded')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--list', 'only show the dead letters: run nothing, delete nothing')
    .option('--max <n>', 'handle at most this many messages')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: RedriveCommandOptions) => {
      process.exitCode = await runRedriveCommand(batch, opts, deps);
    });

  program.command('status')
    .description('every batch of a stage: deployed at this commit or not, from the run ledger its last run, failures in a row, p50/p95 duration, missed and skipped runs and pause; next run, alarm states, dead letters waiting; and the stacks of batches no longer declared that still run')
    .option(...STAGE_OPTION)
    .option('--json', 'print JSON for scripts instead of the table')
    .option('--steps', 'durable batches: each listed execution\'s steps, from its history')
    .option('--bundles <file>', 'the list of packaged zips (for this commit\'s fingerprints)', DEFAULT_BUNDLES_PATH)
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (opts: StatusCommandOptions) => {
      process.exitCode = await runStatusCommand(opts, deps);
    });

  program.command('logs')
    .description('a deployed batch\'s log events, rendered readably; one run\'s lines by its scheduled time')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--since <when>', 'a duration back from now (30m, 1h, 2d, 1w) or an ISO time', undefined)
    .option('--run <iso>', 'only the lines of the run scheduled at this time')
    .option('--follow', 'keep polling for new events until Ctrl-C')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: LogsCommandOptions) => {
      process.exitCode = await runLogsCommand(batch, opts, deps);
    });

  program.command('runs')
    .description('a deployed batch\'s run history from the stage\'s run ledger, newest first: scheduled time in its zone and UTC, status, duration, attempts, trigger')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--limit <n>', `at most this many runs (default ${DEFAULT_RUNS_LIMIT})`)
    .option('--from <iso>', 'only runs scheduled at or after this time')
    .option('--to <iso>', 'only runs scheduled before this time')
    .option('--json', 'print JSON for scripts instead of the table')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: RunsCommandOptions) => {
      process.exitCode = await runRunsCommand(batch, opts, deps);
    });

  program.command('pause')
    .description('pause a deployed batch in a stage, with why: its scheduled runs are recorded as skipped-paused and do not run until resume (the run ledger keeps it: no template change, no drift)')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--note <why>', 'why it is paused (required), recorded with who paused it and when')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: PauseCommandOptions) => {
      process.exitCode = await runPauseCommand(batch, opts, deps);
    });

  program.command('resume')
    .description('resume a paused batch; --catch-up runs the scheduled times the pause skipped, as backfill does (waiting for each, in order)')
    .argument('<batch>', 'the batch')
    .option(...STAGE_OPTION)
    .option('--catch-up <policy>', 'none (default): run nothing now; latest: the latest scheduled time that did not run; all: every one within the window', 'none')
    .option('--window <duration>', 'how far back a catch-up looks, e.g. 24h, 90m, 7d (default: since the pause began)')
    .option('--confirm <runs>', 'the number of catch-up runs, required above 100 runs: a guard against a long pause of a frequent schedule')
    .option(...MANIFEST_OPTION)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (batch: string, opts: ResumeCommandOptions) => {
      process.exitCode = await runResumeCommand(batch, opts, deps);
    });
}
