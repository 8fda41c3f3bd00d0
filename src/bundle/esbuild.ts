// Bundles batch handlers with esbuild, many in one call, each into one minified file plus its source map.
import * as fs from 'fs';
import * as path from 'path';
import { build, BuildOptions, Metafile, OutputFile } from 'esbuild';
import { DEFAULT_PACKAGE_DIR } from './paths';

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
  /**
   * Every source file the handler reaches through its imports (external modules aside, files
   * tree-shaking dropped included), relative to the project root, sorted.
   */
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

export { DEFAULT_PACKAGE_DIR } from './paths';

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
 * The esbuild options of a Lambda bundle: platform node, CommonJS, minified, with a linked source
 * map (the template sets `NODE_OPTIONS=--enable-source-maps`, so stack traces point at
 * TypeScript). One build of many entry points with these options gives each entry the same bytes
 * as a build of that entry alone.
 */
export function bundleBuildOptions(projectDir: string, target: string): BuildOptions {
  return {
    ...nodeBuildOptions(projectDir, target),
    minify: true,
    sourcemap: 'linked',
    // Mappings are enough for stack traces; leaving sources out keeps the zip small.
    sourcesContent: false,
    external: EXTERNAL_MODULES,
    legalComments: 'none',
    metafile: true,
  };
}

/** A bundle built in memory, before it is written: its files in zip order and its source files. */
export interface BuiltBundle extends Bundle {
  /** Contents of {@link Bundle.files}, in the same order. */
  readonly contents: readonly Buffer[];
}

const BUNDLE_FILES = ['index.js', 'index.js.map'];

function posixRelative(projectDir: string, file: string): string {
  return path.relative(projectDir, file).split(path.sep).join('/');
}

/**
 * Every input the entry reaches through its imports, from the metafile's import lists: unlike an
 * output's `inputs`, this includes files tree-shaking left out, whose edits can still change the
 * bundle (a new side effect, a new export used).
 */
function importGraph(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !metafile.inputs[file]) return;
    seen.add(file);
    for (const i of metafile.inputs[file].imports) if (!i.external) visit(i.path);
  };
  visit(entry);
  return [...seen].sort();
}

function errorText(e: unknown): string {
  const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
  if (!errors) return e instanceof Error ? e.message : String(e);
  return errors.map((x) => (x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ${x.text}` : x.text)).join('; ');
}

function missingExportMessage(input: BundleInput, names: readonly string[]): string {
  return `bundle: batch "${input.name}", field "handler": ${input.handler} does not export "${HANDLER_EXPORT}" ` +
    `(it exports ${names.length ? names.map((e) => `"${e}"`).join(', ') : 'nothing'}), so Lambda would fail every run with Runtime.HandlerNotFound. ` +
    'Fix: export the handler under that name: export const handler = batch(async (run) => { ... });';
}

/**
 * The exports of each entry, from an ES module build that is never written: esbuild's metafile
 * lists an entry's exports for ES module output (CommonJS output lists none). With packages left
 * external the build skips parsing node_modules; it can then miss only names a handler re-exports
 * from a package (`export * from 'pkg'`), so a `handler` it finds is certain.
 */
async function entryExports(
  inputs: readonly BundleInput[], projectDir: string, target: string, absOut: string, packagesExternal: boolean,
): Promise<Map<string, string[]>> {
  const result = await build({
    ...nodeBuildOptions(projectDir, target),
    entryPoints: inputs.map((b) => ({ in: path.join(projectDir, b.handler), out: `${b.name}/index` })),
    format: 'esm',
    outdir: absOut,
    write: false,
    metafile: true,
    external: EXTERNAL_MODULES,
    ...(packagesExternal ? { packages: 'external' as const } : {}),
  });
  return new Map(inputs.map((b) => [b.name, result.metafile!.outputs[posixRelative(projectDir, path.join(absOut, b.name, 'index.js'))]?.exports ?? []]));
}

/**
 * One esbuild call for batches of one runtime: the Lambda bundles (CommonJS, in memory) and,
 * beside them, the handler export check, which fails when a handler does not export `handler`,
 * which Lambda would report only at the first run (`Runtime.HandlerNotFound`). The check runs on
 * the batch's own sources; only a batch it finds no `handler` in is checked again with packages.
 */
async function buildGroup(inputs: readonly BundleInput[], projectDir: string, outdir: string): Promise<BuiltBundle[]> {
  const target = esbuildTarget(inputs[0].runtime);
  const absOut = path.resolve(projectDir, outdir);
  const entryPoints = inputs.map((b) => ({ in: path.join(projectDir, b.handler), out: `${b.name}/index` }));
  const [cjs, quick] = await Promise.all([
    build({ ...bundleBuildOptions(projectDir, target), entryPoints, outdir: absOut, write: false }),
    entryExports(inputs, projectDir, target, absOut, true),
  ]);
  const unsure = inputs.filter((b) => !quick.get(b.name)!.includes(HANDLER_EXPORT));
  const full = unsure.length > 0 ? await entryExports(unsure, projectDir, target, absOut, false) : new Map<string, string[]>();
  const missing = unsure.filter((b) => !full.get(b.name)!.includes(HANDLER_EXPORT)).map((b) => missingExportMessage(b, full.get(b.name)!));
  const byPath = new Map<string, OutputFile>(cjs.outputFiles.map((f) => [path.resolve(f.path), f]));
  const built = inputs.map((input) => {
    const dir = path.posix.join(outdir, input.name);
    const contents = BUNDLE_FILES.map((name) => {
      const file = byPath.get(path.join(absOut, input.name, name));
      if (!file) throw new Error(`bundle: batch "${input.name}": esbuild wrote no ${name}.`);
      return Buffer.from(file.contents);
    });
    return {
      batch: input.name,
      dir,
      files: BUNDLE_FILES.map((name) => ({ name, path: path.posix.join(dir, name) })),
      inputs: importGraph(cjs.metafile!, posixRelative(projectDir, path.join(projectDir, input.handler))),
      contents,
    };
  });
  if (missing.length > 0) throw new Error(missing.join('\n'));
  return built;
}

/**
 * Builds the bundles of many batches in memory, one esbuild call per runtime, without writing
 * them. Lists every missing handler, every build error (naming its batch) and every missing
 * `handler` export at once.
 */
export async function buildBundles(inputs: readonly BundleInput[], options: BundleOptions = {}): Promise<BuiltBundle[]> {
  const projectDir = options.projectDir ?? process.cwd();
  const outdir = options.outdir ?? DEFAULT_PACKAGE_DIR;
  const missing = inputs.filter((b) => !fs.existsSync(path.join(projectDir, b.handler)));
  if (missing.length > 0) {
    throw new Error(missing.map((b) => `bundle: batch "${b.name}": handler ${b.handler} does not exist; create it or fix the handler path and run "npx projen".`).join('\n'));
  }
  const groups = new Map<string, BundleInput[]>();
  for (const b of inputs) groups.set(esbuildTarget(b.runtime), [...(groups.get(esbuildTarget(b.runtime)) ?? []), b]);
  const built = new Map<string, BuiltBundle>();
  for (const group of groups.values()) {
    let result: BuiltBundle[];
    try {
      result = await buildGroup(group, projectDir, outdir);
    } catch (e) {
      if (!(e as { errors?: unknown }).errors || group.length === 1) {
        throw group.length === 1 && (e as { errors?: unknown }).errors ? new Error(`bundle: batch "${group[0].name}": ${errorText(e)}`) : e;
      }
      // One broken handler fails the whole build: build each alone to name every broken batch.
      const failures: string[] = [];
      for (const b of group) {
        await buildGroup([b], projectDir, outdir).catch((err: unknown) => failures.push(err instanceof Error && !(err as { errors?: unknown }).errors ? err.message : `bundle: batch "${b.name}": ${errorText(err)}`));
      }
      throw new Error(failures.length > 0 ? failures.join('\n') : `bundle: ${errorText(e)}`);
    }
    for (const b of result) built.set(b.batch, b);
  }
  return inputs.map((b) => built.get(b.name)!);
}

/** Writes a built bundle to `<outdir>/<batch>/`, replacing what was there. */
export function writeBundle(bundle: BuiltBundle, projectDir: string): Bundle {
  const absDir = path.resolve(projectDir, bundle.dir);
  // Only what is not part of this bundle is removed; the directory itself stays (removing and
  // recreating it per batch cost more than writing the bundle).
  const keep = new Set(bundle.files.map((f) => path.resolve(projectDir, f.path)));
  fs.mkdirSync(absDir, { recursive: true });
  for (const name of fs.readdirSync(absDir)) {
    const file = path.join(absDir, name);
    if (!keep.has(file)) fs.rmSync(file, { recursive: true, force: true });
  }
  bundle.files.forEach((f, i) => fs.writeFileSync(path.resolve(projectDir, f.path), bundle.contents[i]));
  return { batch: bundle.batch, dir: bundle.dir, files: bundle.files, inputs: bundle.inputs };
}

/** Bundles one batch's handler into `<outdir>/<batch>/index.js` and its source map. */
export async function bundleBatch(input: BundleInput, options: BundleOptions = {}): Promise<Bundle> {
  const [built] = await buildBundles([input], options);
  return writeBundle(built, options.projectDir ?? process.cwd());
}
