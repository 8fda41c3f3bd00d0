// CLI commands over handlers: bundle, package (bundle + deterministic zip) and local invoke.
import { Command, InvalidArgumentError } from 'commander';
import { badInput, EXIT_CODES } from './exit-codes';
import { buildBundles, writeBundle } from '../bundle/esbuild';
import { DEFAULT_PACKAGE_DIR, PACKAGE_CACHE_FILE, packageBatches } from '../bundle/package';
import type { CallbackAnswer, DurableRunResult, OperationRow, StepEvent } from '../local/local-durable-run';
import { describeLocalEnvironment, LOCAL_ENV_FILE, LOCAL_LEDGER_FILE } from '../local/local-env';
import { invokeLocally, LocalLedgerOutcome } from '../local/local-invoke';
import { batchesOfStage, DEFAULT_MANIFEST_PATH, Manifest, ManifestBatch, readManifest } from '../manifest/manifest';

/** The manifest in `file`; bad input (exit 2) when it is missing, not JSON or of another version. */
export function readCliManifest(file: string): Manifest {
  try {
    return readManifest(file);
  } catch (e) {
    throw badInput((e as Error).message, { cause: e });
  }
}

/** The batches as `stage` runs them; bad input (exit 2) naming the stages there are when it is not one. */
export function stageBatches(manifest: Manifest, stage: string, batches: readonly ManifestBatch[]): ManifestBatch[] {
  try {
    return batchesOfStage(manifest, stage, batches);
  } catch (e) {
    throw badInput((e as Error).message, { cause: e });
  }
}

/** The batches named (all when none), or an error listing the declared ones. */
export function selectBatches(manifest: Manifest, names: readonly string[]): ManifestBatch[] {
  if (names.length === 0) return [...manifest.batches];
  return names.map((n) => {
    const b = manifest.batches.find((x) => x.name === n);
    if (!b) throw badInput(`no batch named "${n}"; declared: ${manifest.batches.map((x) => x.name).join(', ')}.`);
    return b;
  });
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Why `--time` does not reach a batch whose constant `input` replaces the Scheduled Event. */
export function constantInputTimeWarning(batch: string): string {
  return `batchform: warning: batch "${batch}" has a constant input, which the handler receives instead of the Scheduled Event, so --time does not reach it (run.time is the invocation time; only a local fixture sees --time). Fix: drop --time, or remove input from the batch to get the Scheduled Event.`;
}

/** One line per step event of a local durable execution. */
export function stepLine(e: StepEvent): string {
  switch (e.event) {
    case 'ran': return `  invocation ${e.invocation}: step ${e.step}: runs${e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt}, resumed after the failure)` : ''}`;
    case 'replayed': return `  invocation ${e.invocation}: step ${e.step}: replayed from its checkpoint (not run again)`;
    case 'failed': return `  invocation ${e.invocation}: step ${e.step}: simulated crash (--fail-at); the execution suspends and resumes in a new invocation`;
  }
}

/** A wait's length as the handler would write it: `2h`, `1m 30s`, `45s`. */
export function waitLength(seconds: number): string {
  const parts = [[Math.floor(seconds / 86_400), 'd'], [Math.floor(seconds / 3600) % 24, 'h'], [Math.floor(seconds / 60) % 60, 'm'], [seconds % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join(' ') || '0s';
}

/** What a summary row shows after an operation's status: attempts, the wait, the checkpoint, the error. */
function operationDetail(o: OperationRow): string {
  const checkpoint = o.checkpoint === undefined ? undefined : o.checkpoint.length > 120 ? `${o.checkpoint.slice(0, 117)}...` : o.checkpoint;
  return [
    o.type === 'CONTEXT' && o.subType ? o.subType : undefined,
    o.attempt && o.attempt > 1 ? `attempts ${o.attempt}` : undefined,
    o.waitSeconds !== undefined ? `waited ${waitLength(o.waitSeconds)} (skipped locally)` : undefined,
    checkpoint,
    o.error !== undefined ? `error: ${o.error}` : undefined,
  ].filter((d) => d !== undefined).map((d) => `  ${d}`).join('');
}

/**
 * The summary of a local durable execution: outcome, invocations, and each operation's checkpoint,
 * a map's items and their steps indented under it.
 */
export function durableSummary(batch: string, run: DurableRunResult): string {
  const label = (o: OperationRow) => `${'  '.repeat(o.depth ?? 0)}${o.name}`;
  const width = Math.max(4, ...run.operations.map((o) => label(o).length));
  const lines = [
    '',
    `${batch}: execution ${run.executionName} ${run.status} after ${run.invocations} invocation(s)${run.invocations > 1 ? ' (each after the first replayed the checkpointed steps)' : ''}.`,
    'checkpoints:',
    ...run.operations.map((o) => `  ${label(o).padEnd(width)}  ${o.type.padEnd(7)}  ${o.status.padEnd(9)}${operationDetail(o)}`),
  ];
  if (run.error) lines.push(`error: ${run.error}`);
  return lines.join('\n');
}

/** Collects `--callback NAME=JSON` / `--callback-error NAME=MESSAGE` into answers by name. */
export function callbackAnswer(kind: 'result' | 'error') {
  return (value: string, previous: Record<string, CallbackAnswer> = {}): Record<string, CallbackAnswer> => {
    const eq = value.indexOf('=');
    const name = value.slice(0, eq).trim();
    if (eq < 1 || name === '') throw new InvalidArgumentError('must be NAME=VALUE, e.g. approve=\'{"approved":true}\'.');
    const text = value.slice(eq + 1);
    if (kind === 'result') {
      try {
        JSON.parse(text);
      } catch {
        throw new InvalidArgumentError(`the result of callback "${name}" must be JSON (a callback's sender sends JSON text), e.g. ${name}='"yes"' or ${name}='{"approved":true}'.`);
      }
    }
    return { ...previous, [name]: kind === 'result' ? { result: text } : { error: text } };
  };
}
/** An ISO time to the second: `2026-11-25T15:10:00Z`. */
function isoSecond(t: string | number | undefined): string {
  return t === undefined ? '?' : new Date(t).toISOString().replace('.000Z', 'Z');
}

/**
 * The one line `invoke` prints when the local ledger did not run the time: when it ran, its
 * status, and the command that runs it again (`--force`), or why it cannot.
 */
export function ledgerSkipLine(batch: string, outcome: LocalLedgerOutcome, options: { readonly stage?: string } = {}): string {
  const { claim, record } = outcome;
  const time = isoSecond(claim.run);
  const where = `local ledger ${LOCAL_LEDGER_FILE}`;
  if (claim.outcome === 'skipped-overlap') {
    return `${batch}: the run of ${time} was skipped and recorded as skipped-overlap: the run of ${isoSecond(claim.holder)} still holds the batch's lease until ${isoSecond(claim.until)} (${where}).`;
  }
  if (claim.outcome === 'run') return `${batch}: the run of ${time} ran (attempt ${claim.attempt}).`;
  if (claim.outcome === 'skipped-paused') {
    return `${batch}: the run of ${time} was skipped and recorded as skipped-paused: ${where} holds a pause${claim.note ? ` (${claim.note})` : ''}; a local invoke is an operator's run and is never paused, so this record came from elsewhere.`;
  }
  if (claim.status === 'running') {
    return `${batch}: the run of ${time} is running (started ${isoSecond(record?.startedAt)} by another invoke; it counts as crashed after ${isoSecond(record?.deadline)}, then invoke runs it again); not run (${where}; --force does not take over a running run).`;
  }
  const stage = options.stage === undefined ? '' : ` --stage ${options.stage}`;
  const attempts = record?.attempts ?? 1;
  return `${batch}: the run of ${time} already happened: ${claim.status} at ${isoSecond(record?.endedAt ?? record?.startedAt)} (${attempts} attempt${attempts === 1 ? '' : 's'}, ${where}); not run again. To repeat it: npx projen invoke ${batch} --time ${time}${stage} --force`;
}

/** The options of `invoke`, as commander parses them. */
interface InvokeCliOptions {
  readonly time?: string;
  readonly ledger: boolean;
  readonly force?: boolean;
  readonly fixture: boolean;
  readonly stage?: string;
  readonly failAt?: string;
  readonly manifest: string;
  readonly envFile: string;
  readonly secretsFromAws?: boolean;
  readonly callback?: Record<string, CallbackAnswer>;
  readonly callbackError?: Record<string, CallbackAnswer>;
}

/** Adds `bundle`, `package` and `invoke` to the program. */
export function registerBundleCommands(program: Command): void {
  program.command('bundle')
    .description('bundle handlers with esbuild into dist/batches/<batch>/index.js (+ source map)')
    .argument('[batches...]', 'batch names (default: all)')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .action(async (names: string[], opts: { manifest: string }) => {
      for (const built of await buildBundles(selectBatches(readCliManifest(opts.manifest), names))) {
        const bundle = writeBundle(built, process.cwd());
        console.log(`${bundle.batch}: ${bundle.dir}/index.js`);
      }
    });

  program.command('package')
    .description(`bundle and zip every batch (and the stage watchdog) deterministically into ${DEFAULT_PACKAGE_DIR}/<batch>.zip and list them in ${DEFAULT_PACKAGE_DIR}/bundles.json; a batch whose inputs did not change keeps its zip (cache: ${PACKAGE_CACHE_FILE})`)
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .option('--no-cache', 'rebuild every batch, ignoring the package cache')
    .action(async (opts: { manifest: string; cache: boolean }) => {
      const manifest = readCliManifest(opts.manifest);
      const result = await packageBatches(manifest.batches, { cache: opts.cache, watchdogConfig: manifest.watchdogConfig });
      const reused = new Set(result.reused);
      for (const b of result.bundles) {
        console.log(`${b.batch}: ${b.zip}  sha256 ${b.sha256}  zip ${kb(b.size)}, index.js ${kb(b.bundleSize)}${reused.has(b.batch) ? '  (unchanged, reused)' : ''}`);
      }
      const w = result.watchdog;
      if (w) console.log(`stage watchdog: ${w.zip}  sha256 ${w.sha256}  zip ${kb(w.size)}, index.js ${kb(w.bundleSize)}`);
      console.log(`packaged ${result.rebuilt.length} batch(es), reused ${result.reused.length} unchanged.`);
    });

  program.command('invoke')
    .description(`run a batch locally: its bundled handler, a Scheduled Event for --time, a Lambda-like context, and a local environment (${LOCAL_ENV_FILE}, the shell, handlers/<batch>.local.ts), never a stage's declared values unless --stage names it`)
    .argument('<batch>', 'batch name')
    .option('--time <iso>', 'the run\'s scheduled time (ISO 8601, default now)')
    .option('--no-fixture', 'ignore handlers/<batch>.local.ts')
    .option('--stage <name>', 'run the batch as this stage declares it (its overrides: environment, timeout, memory, time zone), with the stage\'s declared environment values')
    .option('--env-file <file>', 'the local environment file: NAME=value lines for the batch\'s variables and secrets (the shell\'s variables win)', LOCAL_ENV_FILE)
    .option('--secrets-from-aws', 'read the batch\'s secrets from SSM / Secrets Manager with this shell\'s AWS credentials, instead of the local environment')
    .option('--fail-at <step>', 'a durable batch: fail this step\'s first attempt (a simulated crash) to see the execution resume from it')
    .option('--callback <name=json>', 'a durable batch: answer its callback NAME with this JSON result (repeatable)', callbackAnswer('result'))
    .option('--callback-error <name=message>', 'a durable batch: fail its callback NAME with this message (repeatable)', callbackAnswer('error'))
    .option('--force', 'run the time again even if the local ledger says it already ran (as its next attempt)')
    .option('--no-ledger', `run without the local ledger (${LOCAL_LEDGER_FILE}): nothing is checked or recorded`)
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .action(async (name: string, opts: InvokeCliOptions) => {
      const manifest = readCliManifest(opts.manifest);
      const declared = selectBatches(manifest, [name]);
      const [batch] = opts.stage === undefined ? declared : stageBatches(manifest, opts.stage, declared);
      if (!batch) throw badInput(`batch "${name}" does not deploy to stage "${opts.stage}"; leave --stage out, or add the stage to the batch's stages.`);
      const time = opts.time ? new Date(opts.time) : new Date();
      if (Number.isNaN(time.getTime())) throw badInput(`--time "${opts.time}" is not an ISO 8601 time, e.g. 2026-11-25T15:10:00Z.`);
      if (opts.time && batch.input !== undefined) console.error(constantInputTimeWarning(batch.name));
      if (opts.failAt && !batch.durable) throw badInput(`--fail-at: batch "${batch.name}" is not durable; only a durable batch has steps to resume from.`);
      const callbacks = { ...opts.callback, ...opts.callbackError };
      if (Object.keys(callbacks).length > 0 && !batch.durable) throw badInput(`--callback: batch "${batch.name}" is not durable; only a durable batch has callbacks.`);
      const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (opts.secretsFromAws && batch.secrets && !region) {
        throw badInput('--secrets-from-aws: no AWS region in this shell. Fix: set AWS_REGION to the region of the stage whose secrets the run should read, e.g. AWS_REGION=ap-northeast-2.');
      }
      const run = await invokeLocally(batch, {
        time,
        useFixture: opts.fixture,
        failAt: opts.failAt,
        callbacks,
        stage: opts.stage,
        envFile: opts.envFile,
        secretsFromAws: opts.secretsFromAws === true,
        onEnvironment: (e) => console.error(describeLocalEnvironment(e, region).join('\n')),
        onStep: (e) => console.log(stepLine(e)),
        // Without --time the run is now: recorded under that second, never refused (a second run in the
        // same second is its next attempt).
        ledger: opts.ledger ? { force: opts.force === true || opts.time === undefined } : false,
      });
      if (run.ledger && run.ledger.claim.outcome !== 'run') {
        console.log(ledgerSkipLine(batch.name, run.ledger, { stage: opts.stage }));
        return;
      }
      if (run.ledger?.record) {
        const r = run.ledger.record;
        console.error(`invoke: local ledger: the run of ${isoSecond(r.run)} ${r.status} (attempt ${r.attempts}; ${LOCAL_LEDGER_FILE}).`);
      }
      if (run.durable) {
        console.log(durableSummary(batch.name, run.durable));
        if (opts.failAt && !run.durable.steps.some((s) => s.event === 'failed')) console.error(`batchform: warning: no step named "${opts.failAt}" ran; steps: ${[...new Set(run.durable.steps.map((s) => s.step))].join(', ')}.`);
        if (run.durable.status !== 'SUCCEEDED') process.exitCode = EXIT_CODES['run-failed'];
      }
      console.log(`\n${batch.name} finished in ${run.durationMs} ms; result:`);
      console.log(JSON.stringify(run.result, null, 2));
    });
}
