// Local runs: the bundled handler, the Scheduled Event its rule or Scheduler schedule would deliver for a chosen time, a Lambda-like context.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { CallbackAnswer, DurableRunResult, runDurableExecution, StepEvent } from './local-durable-run';
import { bundleBatch, DEFAULT_PACKAGE_DIR, nodeBuildOptions } from '../bundle/esbuild';
import type { ManifestBatch } from '../manifest/manifest';
import { runtimeEnvironment } from '../model/runtime-env';
import { usesScheduler } from '../model/validated';
import { executionName } from '../runtime/starter';
import { schedulerEvent } from '../template/scheduler-event';

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
}

/** The outcome of a local run. */
export interface InvokeResult {
  readonly event: unknown;
  readonly result: unknown;
  readonly durationMs: number;
  /** A durable batch: the whole execution (its steps, checkpoints, replays and outcome). */
  readonly durable?: DurableRunResult;
}

async function loadFixture(batch: ManifestBatch, projectDir: string): Promise<((ctx: LocalFixtureContext) => Promise<LocalFixture>) | undefined> {
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
  return mod.setup;
}

/**
 * Bundles a batch's handler as for Lambda and runs it in this process with a Scheduled Event for
 * `time` (or the batch's constant input), the batch's environment and a Lambda-like context.
 * A run that outlives the batch's timeout fails like Lambda's "Task timed out".
 */
export async function invokeLocally(batch: ManifestBatch, options: InvokeOptions = {}): Promise<InvokeResult> {
  const projectDir = options.projectDir ?? process.cwd();
  const time = options.time ?? new Date();
  const bundle = await bundleBatch(batch, { projectDir });
  const setup = options.useFixture === false ? undefined : await loadFixture(batch, projectDir);
  const fixture = setup ? await setup({ batch: batch.name, time, timezone: batch.timezone, projectDir }) : undefined;

  const env: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: `local-${batch.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(batch.memorySize),
    ...batch.environment,
    ...runtimeEnvironment(batch),
    ...(fixture?.env ?? {}),
  };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const file = path.join(projectDir, bundle.dir, 'index.js');
  const started = Date.now();
  try {
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
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await fixture?.teardown?.();
  }
}
