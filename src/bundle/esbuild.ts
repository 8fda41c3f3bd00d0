// Bundles one batch's handler with esbuild into a single minified file plus its source map.
import * as fs from 'fs';
import * as path from 'path';
import { build, BuildOptions } from 'esbuild';

/** What bundling needs to know about a batch (a subset of the manifest's batch entry). */
export interface BundleInput {
  readonly name: string;
  /** Handler path relative to the project root. */
  readonly handler: string;
  /** Lambda runtime, e.g. `nodejs24.x`; sets esbuild's target. */
  readonly runtime: string;
}

/** A bundle on disk. */
export interface Bundle {
  readonly batch: string;
  /** Directory holding `index.js` and `index.js.map`, relative to the project root. */
  readonly dir: string;
  /** The files of the bundle, relative to the project root, in zip order. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly path: string }>;
  /** Every source file esbuild put into the bundle, relative to the project root. */
  readonly inputs: readonly string[];
}

/** Options of {@link bundleBatch}. */
export interface BundleOptions {
  /**
   * Project root; handler paths are relative to it.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Output directory, relative to the project root; the bundle goes to `<outdir>/<batch>/`.
   * @default 'dist/batches'
   */
  readonly outdir?: string;
}

/**
 * Modules left out of bundles: the AWS SDK v3 ships in Lambda's Node.js runtimes, and pg's
 * optional native binding is never used.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', 'pg-native'];

/** Where bundles and zips go, relative to the project root. */
export const DEFAULT_PACKAGE_DIR = 'dist/batches';

/** The esbuild options every batchform bundle shares: one CommonJS file for Node, quiet. */
export function nodeBuildOptions(projectDir: string, target: string): BuildOptions {
  return { absWorkingDir: projectDir, bundle: true, platform: 'node', format: 'cjs', target, logLevel: 'silent' };
}

/** esbuild's target for a Lambda Node.js runtime: `nodejs24.x` → `node24`. */
export function esbuildTarget(runtime: string): string {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!m) throw new Error(`bundle: runtime "${runtime}" is not a Node.js runtime; use e.g. nodejs24.x.`);
  return `node${m[1]}`;
}

/** The export Lambda calls: the template's handler is `index.handler`. */
export const HANDLER_EXPORT = 'handler';

/**
 * Fails when the handler file does not export `handler`, which Lambda would report only at the
 * first run (`Runtime.HandlerNotFound`). esbuild's metafile lists an entry's exports for ES
 * module output (CommonJS output lists none), so this asks for an ES module build, not written.
 */
async function checkHandlerExport(input: BundleInput, projectDir: string, entry: string): Promise<void> {
  const result = await build({
    ...nodeBuildOptions(projectDir, esbuildTarget(input.runtime)),
    entryPoints: [entry], format: 'esm', outdir: 'out', write: false, metafile: true, external: EXTERNAL_MODULES,
  });
  const names = Object.values(result.metafile?.outputs ?? {}).flatMap((o) => o.exports);
  if (!names.includes(HANDLER_EXPORT)) {
    throw new Error(
      `bundle: batch "${input.name}", field "handler": ${input.handler} does not export "${HANDLER_EXPORT}" ` +
        `(it exports ${names.length ? names.map((e) => `"${e}"`).join(', ') : 'nothing'}), so Lambda would fail every run with Runtime.HandlerNotFound. ` +
        'Fix: export the handler under that name: export const handler = batch(async (run) => { ... });',
    );
  }
}

/**
 * Bundles a batch's handler: platform node, CommonJS, minified, with a linked source map
 * (the template sets `NODE_OPTIONS=--enable-source-maps`, so stack traces point at TypeScript).
 */
export async function bundleBatch(input: BundleInput, options: BundleOptions = {}): Promise<Bundle> {
  const projectDir = options.projectDir ?? process.cwd();
  const dir = path.posix.join(options.outdir ?? DEFAULT_PACKAGE_DIR, input.name);
  const absDir = path.resolve(projectDir, dir);
  fs.rmSync(absDir, { recursive: true, force: true });
  const entry = path.join(projectDir, input.handler);
  if (!fs.existsSync(entry)) {
    throw new Error(`bundle: batch "${input.name}": handler ${input.handler} does not exist; create it or fix the handler path and run "npx projen".`);
  }
  const result = await build({
    ...nodeBuildOptions(projectDir, esbuildTarget(input.runtime)),
    entryPoints: [entry],
    outfile: path.join(absDir, 'index.js'),
    minify: true,
    sourcemap: 'linked',
    // Mappings are enough for stack traces; leaving sources out keeps the zip small.
    sourcesContent: false,
    external: EXTERNAL_MODULES,
    legalComments: 'none',
    metafile: true,
  });
  if (result.errors.length > 0) {
    throw new Error(`bundle: batch "${input.name}": ${result.errors.map((e) => e.text).join('; ')}`);
  }
  await checkHandlerExport(input, projectDir, entry);
  return {
    batch: input.name,
    dir,
    files: ['index.js', 'index.js.map'].map((name) => ({ name, path: path.posix.join(dir, name) })),
    inputs: Object.keys(result.metafile?.inputs ?? {}).sort(),
  };
}
