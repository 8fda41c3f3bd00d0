// Local runs: the bundled handler, the Scheduled Event its rule or Scheduler schedule would deliver for a chosen time, a Lambda-like context.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { CallbackAnswer, DurableRunResult, runDurableExecution, StepEvent } from './local-durable-run';
import { envFileName, LAMBDA_ONLY_VARIABLES, LOCAL_ENV_FILE, LOCAL_LEDGER_FILE, LocalEnvironment, readEnvFile, resolveLocalEnvironment } from './local-env';
import { localLedger } from './local-ledger';
import { bundleBatch, DEFAULT_PACKAGE_DIR, nodeBuildOptions } from '../bundle/esbuild';
import type { ManifestBatch } from '../manifest/manifest';
import type { RunRecord } from '../model/ledger';
import { usesScheduler } from '../model/validated';
import type { Claim } from '../runtime/ledger';
import { LOCAL_SECRETS } from '../runtime/secrets';
import { executionName } from '../runtime/starter';
import { schedulerEvent } from '../template/scheduler-event';
import { batchformEnvironment } from '../validate/rules/function';

/** What a handler's optional local fixture (`handlers/<batch>.local.ts`) may provide. */
export interface LocalFixture {
  /** Environment variables for the run (e.g. a DATABASE_URL of a throwaway database). */
  readonly env?: Record<string, string>;
  /** Cleans up after the run (stops servers, deletes files). */
  teardown?(): Promise<void>;
}

/** What a local fixture's `setup` is told about the run. */
export interface LocalFixtureContext {
  readonly batch: string;
  readonly time: Date;
  readonly timezone: string;
  readonly projectDir: string;
}

/** The EventBridge Scheduled Event a rule delivers at `time`. */
export function scheduledEvent(time: Date, options: { account?: string; region?: string; ruleName?: string } = {}): ScheduledEvent {
  const account = options.account ?? '000000000000';
  const region = options.region ?? 'local';
  // The rule fires on the minute; `time` carries no milliseconds.
  const iso = new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    'version': '0',
    'id': randomUUID(),
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    account,
    'time': iso,
    region,
    'resources': [`arn:aws:events:${region}:${account}:rule/${options.ruleName ?? 'local'}`],
    'detail': {},
  };
}

/** A Lambda-like context whose remaining time counts down from the batch's timeout. */
export function lambdaContext(batch: Pick<ManifestBatch, 'name' | 'timeout' | 'memorySize'>, startedAt = Date.now()): Context {
  const deadline = startedAt + batch.timeout * 1000;
  const functionName = `local-${batch.name}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(batch.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Options of {@link invokeLocally}. */
export interface InvokeOptions {
  /**
   * Project root.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * The run's scheduled time.
   * @default now
   */
  readonly time?: Date;
  /**
   * Whether to use `handlers/<batch>.local.ts` when it exists.
   * @default true
   */
  readonly useFixture?: boolean;
  /**
   * A durable batch: the step whose first attempt fails (a simulated crash), to see the execution
   * resume from it.
   * @default - no failure
   */
  readonly failAt?: string;
  /**
   * A durable batch: answers to its callbacks by name (a JSON result or an error message); a
   * callback without one fails the run with how to answer it.
   * @default - none
   */
  readonly callbacks?: Readonly<Record<string, CallbackAnswer>>;
  /** A durable batch: told of each step as it runs or is replayed. */
  readonly onStep?: (e: StepEvent) => void;
  /**
   * The stage the user named: the batch (already as that stage runs it) takes the stage's
   * declared environment values. Without it, every declared variable takes a local value.
   * @default - none: local values only
   */
  readonly stage?: string;
  /**
   * The local environment file, relative to the project root: `NAME=value` lines for the batch's
   * variables and secrets (the shell's own variables win over it).
   * @default '.env.local'
   */
  readonly envFile?: string;
  /**
   * Read the batch's secrets from AWS (SSM, Secrets Manager) with the shell's credentials instead
   * of the local environment.
   * @default false
   */
  readonly secretsFromAws?: boolean;
  /** Told, before the handler runs, which environment and which secrets source the run uses (names and sources, no values). */
  readonly onEnvironment?: (e: LocalEnvironment) => void;
  /**
   * The local run ledger: the run claims its scheduled time (`time`, to the second) in a file in
   * the project, with the same rules as the stage's ledger in AWS. A time that already succeeded or
   * is running is not run again (the result's `ledger.claim` says why); a failed one runs as its
   * next attempt. `false` runs without a ledger (nothing is checked or recorded).
   * @default false (the `invoke` command turns it on)
   * @example { force: true } // run a time that already succeeded again, as its next attempt
   */
  readonly ledger?: LocalLedgerOptions | false;
}

/** Options of the local run ledger ({@link InvokeOptions.ledger}). */
export interface LocalLedgerOptions {
  /**
   * The ledger file, relative to the project root.
   * @default '.batchform/ledger.json'
   */
  readonly file?: string;
  /**
   * Run the time again even if it already succeeded (or was skipped), as its next attempt. A time
   * that is running is never taken over before its deadline.
   * @default false
   */
  readonly force?: boolean;
}

/** What the local ledger decided for a run. */
export interface LocalLedgerOutcome {
  /** The ledger file (absolute path). */
  readonly file: string;
  /** The claim: `run` (with its attempt), `duplicate` or `skipped-overlap` (the handler did not run). */
  readonly claim: Claim;
  /** The run's record as the ledger holds it after the run (or, when skipped, as it found it). */
  readonly record?: RunRecord;
}

/** The outcome of a local run. */
export interface InvokeResult {
  readonly event: unknown;
  readonly result: unknown;
  readonly durationMs: number;
  /** A durable batch: the whole execution (its steps, checkpoints, replays and outcome). */
  readonly durable?: DurableRunResult;
  /** Which environment and secrets source the run used (absent when the ledger skipped the run). */
  readonly environment?: LocalEnvironment;
  /** What the local ledger decided, when the run used one. */
  readonly ledger?: LocalLedgerOutcome;
}

/** A fixture's `setup`, and its file relative to the project root. */
interface FixtureModule {
  readonly source: string;
  readonly setup: (ctx: LocalFixtureContext) => Promise<LocalFixture>;
}

async function loadFixture(batch: ManifestBatch, projectDir: string): Promise<FixtureModule | undefined> {
  const source = batch.handler.replace(/\.(ts|js|mts|mjs)$/, '.local.ts');
  if (!fs.existsSync(path.join(projectDir, source))) return undefined;
  const outfile = path.join(projectDir, DEFAULT_PACKAGE_DIR, '.local', `${batch.name}.local.js`);
  // The fixture runs here, in this Node.js, with the project's own packages.
  await build({
    ...nodeBuildOptions(projectDir, `node${process.versions.node.split('.')[0]}`),
    entryPoints: [path.join(projectDir, source)],
    outfile,
    packages: 'external',
  });
  delete require.cache[outfile];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(outfile) as { setup?: (ctx: LocalFixtureContext) => Promise<LocalFixture> };
  if (typeof mod.setup !== 'function') throw new Error(`invoke: ${source} must export "setup(context)".`);
  return { source, setup: mod.setup };
}

/**
 * Bundles a batch's handler as for Lambda and runs it in this process with a Scheduled Event for
 * `time` (or the batch's constant input), a local environment and a Lambda-like context. The
 * batch's declared variables and secrets take their values from the fixture, the shell or
 * `.env.local` (never a stage's declared values unless `stage` is given, never AWS unless
 * `secretsFromAws`); one without a local value stops the run before the handler starts.
 * A run that outlives the batch's timeout fails like Lambda's "Task timed out".
 */
export async function invokeLocally(batch: ManifestBatch, options: InvokeOptions = {}): Promise<InvokeResult> {
  const projectDir = options.projectDir ?? process.cwd();
  const time = options.time ?? new Date();
  const envFile = options.envFile ?? LOCAL_ENV_FILE;
  const fileValues = readEnvFile(path.resolve(projectDir, envFile));
  const shell: Record<string, string | undefined> = { ...process.env };
  const bundle = await bundleBatch(batch, { projectDir });

  // The ledger claims the run's time (to the second, as the Scheduled Event carries it) before
  // anything of the run starts: a duplicate sets up no fixture.
  const ledgerFile = options.ledger ? path.resolve(projectDir, options.ledger.file ?? LOCAL_LEDGER_FILE) : undefined;
  const ledger = ledgerFile ? localLedger(batch.name, ledgerFile) : undefined;
  const scheduledTime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  const owner = `local-${randomUUID()}`;
  const claim = ledger && await ledger.claim({
    scheduledTime,
    owner,
    timeoutMs: (batch.durable?.executionTimeout ?? batch.timeout) * 1000,
    trigger: 'run',
    force: options.ledger ? options.ledger.force === true : false,
    requestId: owner,
    logStream: 'local',
    ...(batch.durable ? { executionName: executionName(batch.name, scheduledTime.toISOString()) } : {}),
  });
  if (ledger && claim && claim.outcome !== 'run') {
    return { event: undefined, result: undefined, durationMs: 0, ledger: { file: ledgerFile!, claim, record: await ledger.record(scheduledTime) } };
  }
  // A run stopped with Ctrl-C is recorded as failed (else it would count as running until its deadline).
  const stopped = (signal: NodeJS.Signals) => {
    void ledger!.finish(claim!, new Error(`stopped by ${signal}`)).finally(() => process.exit(130));
  };
  if (claim) process.once('SIGINT', stopped);
  const finish = async (error?: unknown): Promise<LocalLedgerOutcome | undefined> => {
    if (!ledger || !claim) return undefined;
    process.removeListener('SIGINT', stopped);
    await ledger.finish(claim, error);
    return { file: ledgerFile!, claim, record: await ledger.record(scheduledTime) };
  };

  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const g = globalThis as Record<symbol, unknown>;
  const savedSecrets = g[LOCAL_SECRETS];
  let fixture: LocalFixture | undefined;
  try {
    // The file's variables are set while the fixture sets up too (the shell's win), so a fixture
    // that checks process.env.DATABASE_URL sees one from .env.local as one from the shell.
    for (const [k, v] of Object.entries(fileValues ?? {})) if (shell[k] === undefined) set(k, v);
    const loaded = options.useFixture === false ? undefined : await loadFixture(batch, projectDir);
    fixture = loaded ? await loaded.setup({ batch: batch.name, time, timezone: batch.timezone, projectDir }) : undefined;
    const local = resolveLocalEnvironment({
      batch,
      stage: options.stage,
      shell,
      envFile: fileValues ? { name: envFileName(projectDir, envFile), values: fileValues } : undefined,
      fixture: loaded ? { name: loaded.source, env: fixture?.env ?? {} } : undefined,
      secretsFromAws: options.secretsFromAws,
    });
    options.onEnvironment?.(local.report);
    const env: Record<string, string> = {
      AWS_LAMBDA_FUNCTION_NAME: `local-${batch.name}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(batch.memorySize),
      ...local.variables,
      // batchform's own variables, as the template sets them (the secrets by reference only:
      // secret() checks names against them; the values come from LOCAL_SECRETS).
      ...batchformEnvironment(batch),
      ...(fixture?.env ?? {}),
    };
    for (const name of LAMBDA_ONLY_VARIABLES) delete env[name];
    for (const [k, v] of Object.entries(env)) set(k, v);
    g[LOCAL_SECRETS] = options.secretsFromAws ? undefined : local.secrets;
    const run = await runHandler(batch, bundle.dir, projectDir, time, options);
    const failed = run.durable && run.durable.status !== 'SUCCEEDED' ? new Error(run.durable.error ?? `execution ${run.durable.status}`) : undefined;
    return { ...run, environment: local.report, ledger: await finish(failed) };
  } catch (error) {
    await finish(error);
    throw error;
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    g[LOCAL_SECRETS] = savedSecrets;
    await fixture?.teardown?.();
  }
}

/** Runs the bundled handler in this process with the event and context Lambda would give it. */
async function runHandler(batch: ManifestBatch, bundleDir: string, projectDir: string, time: Date, options: InvokeOptions): Promise<Omit<InvokeResult, 'environment' | 'ledger'>> {
  const file = path.join(projectDir, bundleDir, 'index.js');
  const started = Date.now();
  delete require.cache[file];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { handler?: (event: unknown, context: Context) => Promise<unknown> };
  if (typeof mod.handler !== 'function') throw new Error(`invoke: ${batch.handler} does not export "handler".`);
  // A batch with a time zone gets the event its Scheduler schedule delivers; a UTC batch its rule's.
  const event = batch.input !== undefined ? JSON.parse(batch.input)
    : usesScheduler(batch) ? schedulerEvent(time, { id: randomUUID(), account: '000000000000', region: 'local', scheduleName: `local-${batch.name}` })
      : scheduledEvent(time, { ruleName: `local-${batch.name}` });
  if (batch.durable) {
    // What the starter forwards: the Scheduled Event, its id the execution's name.
    const named = { ...event, id: executionName(batch.name, event.time) };
    const { failAt, callbacks, onStep } = options;
    const durable = await runDurableExecution(batch, mod.handler, named, { failAt, callbacks, onStep });
    return { event: named, result: durable.result, durationMs: Date.now() - started, durable };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${batch.timeout} seconds`)), batch.timeout * 1000);
  });
  try {
    const result = await Promise.race([mod.handler(event, lambdaContext(batch, started)), timeout]);
    return { event, result, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
