// The stage watchdog's code zip: batchform's own watchdog handler, bundled with esbuild, and
// `watchdog.json` (every stage's configuration, written by the generator next to the manifest).
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { EXTERNAL_MODULES, esbuildTarget, nodeBuildOptions } from './esbuild';
import { deterministicZip, sha256Hex } from './zip';
import { STAGE_STACK_SUFFIX } from '../model/names';
import { WATCHDOG_CONFIG_FILE, WATCHDOG_FUNCTION } from '../model/watchdog';

/** The watchdog's zip as packaging lists it in `bundles.json` (`watchdog`). */
export interface PackagedWatchdog {
  /** Always `stage`: the zip belongs to the stage stack (no batch can take that name). */
  readonly batch: string;
  /** Zip path relative to the project root: `<outdir>/stage.zip`. */
  readonly zip: string;
  /** Hex SHA-256 of the zip; the S3 key is `<artifactPrefix>/stage/<sha256>.zip`. */
  readonly sha256: string;
  /** Zip size in bytes. */
  readonly size: number;
  /** Size of the bundled `index.js` in bytes. */
  readonly bundleSize: number;
  /** Hex SHA-256 of the `watchdog.json` zipped: the deploy checks it is the generated file's. */
  readonly configSha256: string;
}

/** The module the watchdog zip's `index.js` is built from, next to this one (src/ in batchform's repository, lib/ once installed). */
export function watchdogEntry(): string {
  return require.resolve('../runtime/watchdog-lambda');
}

/**
 * The watchdog zip's bytes for a configuration file's content: `index.js` (minified, one CommonJS
 * file, the AWS SDK left to the Lambda runtime) and `watchdog.json`. Built relative to batchform's
 * own folder, so the same batchform and configuration give the same bytes in any project, on any
 * machine, in any time zone.
 */
export async function watchdogZip(configJson: string): Promise<{ readonly zip: Buffer; readonly index: Buffer }> {
  const entry = watchdogEntry();
  const root = path.resolve(path.dirname(entry), '..', '..');
  const result = await build({
    ...nodeBuildOptions(root, esbuildTarget(WATCHDOG_FUNCTION.runtime)),
    entryPoints: [entry],
    minify: true,
    legalComments: 'none',
    external: EXTERNAL_MODULES,
    write: false,
    outfile: path.join(root, 'watchdog-bundle', 'index.js'),
  });
  const index = Buffer.from(result.outputFiles[0].contents);
  const zip = await deterministicZip([{ name: 'index.js', data: index }, { name: WATCHDOG_CONFIG_FILE, data: Buffer.from(configJson, 'utf8') }]);
  return { zip, index };
}

/**
 * Packages the watchdog: zips its handler with the configuration file `configFile` (relative to
 * `projectDir`; the generator writes it as `cfn-out/watchdog.json`) into `<outdir>/stage.zip`.
 *
 * @throws Error when the configuration file is missing (run "npx projen").
 */
export async function packageWatchdog(
  configFile: string, options: { readonly projectDir: string; readonly outdir: string },
): Promise<PackagedWatchdog> {
  const abs = path.resolve(options.projectDir, configFile);
  if (!fs.existsSync(abs)) throw new Error(`package: the watchdog's configuration ${configFile} not found; run "npx projen" to generate it.`);
  const config = fs.readFileSync(abs, 'utf8');
  const { zip, index } = await watchdogZip(config);
  const zipPath = path.posix.join(options.outdir.split(path.sep).join('/'), `${STAGE_STACK_SUFFIX}.zip`);
  fs.mkdirSync(path.resolve(options.projectDir, options.outdir), { recursive: true });
  fs.writeFileSync(path.resolve(options.projectDir, zipPath), zip);
  return {
    batch: STAGE_STACK_SUFFIX, zip: zipPath, sha256: sha256Hex(zip), size: zip.length, bundleSize: index.length, configSha256: sha256Hex(config),
  };
}
