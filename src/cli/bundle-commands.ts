// CLI commands over handlers: bundle, package (bundle + deterministic zip) and local invoke.
import { Command } from 'commander';
import { buildBundles, writeBundle } from '../bundle/esbuild';
import { DEFAULT_PACKAGE_DIR, PACKAGE_CACHE_FILE, packageBatches } from '../bundle/package';
import { invokeLocally } from '../local/invoke';
import { batchesOfStage, DEFAULT_MANIFEST_PATH, Manifest, ManifestBatch, readManifest } from '../manifest/manifest';

/** The batches named (all when none), or an error listing the declared ones. */
export function selectBatches(manifest: Manifest, names: readonly string[]): ManifestBatch[] {
  if (names.length === 0) return [...manifest.batches];
  return names.map((n) => {
    const b = manifest.batches.find((x) => x.name === n);
    if (!b) throw new Error(`no batch named "${n}"; declared: ${manifest.batches.map((x) => x.name).join(', ')}.`);
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

/** Adds `bundle`, `package` and `invoke` to the program. */
export function registerBundleCommands(program: Command): void {
  program.command('bundle')
    .description('bundle handlers with esbuild into dist/batches/<batch>/index.js (+ source map)')
    .argument('[batches...]', 'batch names (default: all)')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .action(async (names: string[], opts: { manifest: string }) => {
      for (const built of await buildBundles(selectBatches(readManifest(opts.manifest), names))) {
        const bundle = writeBundle(built, process.cwd());
        console.log(`${bundle.batch}: ${bundle.dir}/index.js`);
      }
    });

  program.command('package')
    .description(`bundle and zip every batch deterministically into ${DEFAULT_PACKAGE_DIR}/<batch>.zip and list them in ${DEFAULT_PACKAGE_DIR}/bundles.json; a batch whose inputs did not change keeps its zip (cache: ${PACKAGE_CACHE_FILE})`)
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .option('--no-cache', 'rebuild every batch, ignoring the package cache')
    .action(async (opts: { manifest: string; cache: boolean }) => {
      const result = await packageBatches(readManifest(opts.manifest).batches, { cache: opts.cache });
      const reused = new Set(result.reused);
      for (const b of result.bundles) {
        console.log(`${b.batch}: ${b.zip}  sha256 ${b.sha256}  zip ${kb(b.size)}, index.js ${kb(b.bundleSize)}${reused.has(b.batch) ? '  (unchanged, reused)' : ''}`);
      }
      console.log(`packaged ${result.rebuilt.length} batch(es), reused ${result.reused.length} unchanged.`);
    });

  program.command('invoke')
    .description('run a batch locally: its bundled handler, a Scheduled Event for --time, a Lambda-like context')
    .argument('<batch>', 'batch name')
    .option('--time <iso>', 'the run\'s scheduled time (ISO 8601, default now)')
    .option('--no-fixture', 'ignore handlers/<batch>.local.ts')
    .option('--stage <name>', 'run the batch as this stage declares it (its overrides: environment, timeout, memory, time zone)')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .action(async (name: string, opts: { time?: string; fixture: boolean; stage?: string; manifest: string }) => {
      const manifest = readManifest(opts.manifest);
      const declared = selectBatches(manifest, [name]);
      const [batch] = opts.stage === undefined ? declared : batchesOfStage(manifest, opts.stage, declared);
      if (!batch) throw new Error(`batch "${name}" does not deploy to stage "${opts.stage}"; leave --stage out, or add the stage to the batch's stages.`);
      const time = opts.time ? new Date(opts.time) : new Date();
      if (Number.isNaN(time.getTime())) throw new Error(`--time "${opts.time}" is not an ISO 8601 time, e.g. 2026-11-25T15:10:00Z.`);
      if (opts.time && batch.input !== undefined) console.error(constantInputTimeWarning(batch.name));
      const run = await invokeLocally(batch, { time, useFixture: opts.fixture });
      console.log(`\n${batch.name} finished in ${run.durationMs} ms; result:`);
      console.log(JSON.stringify(run.result, null, 2));
    });
}
