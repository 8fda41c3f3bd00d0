// Packaging: bundle every batch, zip it deterministically and list zip, sha256 and size per batch.
import * as fs from 'fs';
import * as path from 'path';
import { version as esbuildVersion } from 'esbuild';
import { Bundle, bundleBuildOptions, buildBundles, BundleInput, esbuildTarget, writeBundle } from './esbuild';
import { BUNDLES_FILE, BUNDLES_VERSION, DEFAULT_PACKAGE_DIR } from './paths';
import { packageWatchdog, PackagedWatchdog } from './watchdog';
import { deterministicZip, sha256Hex } from './zip';
import { generatorCodeHash } from '../template/cache';

export { BUNDLES_FILE, BUNDLES_VERSION, DEFAULT_BUNDLES_PATH, DEFAULT_PACKAGE_DIR } from './paths';

/** One packaged batch: its zip and content hash (which names its S3 key). */
export interface PackagedBundle {
  readonly batch: string;
  /** Zip path relative to the project root. */
  readonly zip: string;
  /** Hex SHA-256 of the zip; the S3 key is `<prefix>/<batch>/<sha256>.zip`. */
  readonly sha256: string;
  /** Zip size in bytes. */
  readonly size: number;
  /** Size of the bundled `index.js` in bytes. */
  readonly bundleSize: number;
}

/** The bundles file the deploy engine reads. */
export interface BundlesFile {
  readonly version: number;
  readonly bundles: readonly PackagedBundle[];
  /** The stage stack's watchdog zip (one for every stage); absent when packaging was not given its configuration. */
  readonly watchdog?: PackagedWatchdog;
}

/** Options of {@link packageBatches}. */
export interface PackageOptions {
  /**
   * Project root.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Output directory relative to the project root.
   * @default 'dist/batches'
   */
  readonly outdir?: string;
  /**
   * Reuse the zip of a batch whose inputs did not change since it was last packaged (see
   * {@link PACKAGE_CACHE_FILE}). The environment variable `BATCHFORM_PACKAGE_CACHE=off` also
   * turns it off.
   * @default true
   */
  readonly cache?: boolean;
  /**
   * The watchdog's configuration file, relative to the project root (`cfn-out/watchdog.json`, which
   * `npx projen` writes): when given, the stage watchdog's zip is packaged too, into
   * `<outdir>/stage.zip`, and listed as `watchdog` in the bundles file.
   * @default - no watchdog zip
   */
  readonly watchdogConfig?: string;
}

/** What {@link packageBatches} did: the bundles file, and which batches it built or reused. */
export interface PackageResult extends BundlesFile {
  /** Batches bundled and zipped in this run. */
  readonly rebuilt: readonly string[];
  /** Batches whose zip from an earlier run was reused byte for byte. */
  readonly reused: readonly string[];
}

/** Environment variable that turns the package cache off when set to `off`. */
export const PACKAGE_CACHE_ENV = 'BATCHFORM_PACKAGE_CACHE';

/** Where the package cache lives, relative to the project root (a tool cache, never committed). */
export const PACKAGE_CACHE_FILE = 'node_modules/.cache/batchform/bundles.json';

/** One batch's entry in the package cache: what it was built from, and what it produced. */
interface PackageCacheEntry {
  /** Hash of the build options, esbuild's and batchform's code versions and the handler path. */
  readonly key: string;
  /** Every input file (and the package.json / tsconfig.json files above it) with its hash. */
  readonly inputs: Record<string, string>;
  readonly bundle: PackagedBundle;
  /** Hashes of the bundle's files, in {@link Bundle.files} order. */
  readonly files: readonly string[];
}

/**
 * The package cache file, keyed by the batch's absolute `<outdir>/<batch>`, so projects or output
 * folders that share one node_modules never take each other's entries.
 */
interface PackageCache {
  readonly version: number;
  readonly entries: Record<string, PackageCacheEntry>;
}

const PACKAGE_CACHE_VERSION = 1;

/** Zips a bundle next to its directory: `<outdir>/<batch>.zip`. */
export async function zipBundle(bundle: Bundle, projectDir: string): Promise<PackagedBundle> {
  const contents = await Promise.all(bundle.files.map((f) => fs.promises.readFile(path.resolve(projectDir, f.path))));
  return zipContents(bundle, contents, projectDir);
}

async function zipContents(bundle: Bundle, contents: readonly Buffer[], projectDir: string): Promise<PackagedBundle> {
  const zip = await deterministicZip(bundle.files.map((f, i) => ({ name: f.name, data: contents[i] })));
  const zipPath = `${bundle.dir}.zip`;
  await fs.promises.writeFile(path.resolve(projectDir, zipPath), zip);
  return {
    batch: bundle.batch,
    zip: zipPath,
    sha256: sha256Hex(zip),
    size: zip.length,
    bundleSize: contents[bundle.files.findIndex((f) => f.name === 'index.js')].length,
  };
}

function readCache(file: string): PackageCache {
  try {
    const cache = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageCache;
    if (cache.version === PACKAGE_CACHE_VERSION && cache.entries) return cache;
  } catch {
    // No cache, or an unreadable one: build everything.
  }
  return { version: PACKAGE_CACHE_VERSION, entries: {} };
}

/** Hashes files once per run; a missing file hashes as `-`, so its appearance is a change too. */
function fileHasher(projectDir: string): (file: string) => string {
  const memo = new Map<string, string>();
  return (file) => {
    let h = memo.get(file);
    if (h === undefined) {
      try {
        h = sha256Hex(fs.readFileSync(path.resolve(projectDir, file)));
      } catch {
        h = '-';
      }
      memo.set(file, h);
    }
    return h;
  };
}

/**
 * The files a bundle depends on: its inputs, plus every package.json and tsconfig.json from each
 * input's folder up to the project root, which steer how esbuild resolves and compiles imports.
 */
function dependencyFiles(inputs: readonly string[]): string[] {
  const files = new Set<string>(inputs);
  const dirs = new Set<string>();
  for (const input of inputs) {
    for (let dir = path.posix.dirname(input); !dirs.has(dir); dir = path.posix.dirname(dir)) {
      dirs.add(dir);
      if (dir === '.' || dir.startsWith('..') || dir === '/') break;
    }
  }
  for (const dir of dirs) for (const name of ['package.json', 'tsconfig.json']) files.add(path.posix.join(dir, name));
  return [...files].sort();
}

/** The part of a cache key that is not a file: options, versions, handler. */
function buildKey(b: BundleInput, projectDir: string, outdir: string): string {
  const options = bundleBuildOptions(projectDir, esbuildTarget(b.runtime));
  return sha256Hex(JSON.stringify({ options, outdir, handler: b.handler, esbuild: esbuildVersion, batchform: generatorCodeHash() }));
}

/**
 * Bundles and zips every batch (and the stage watchdog, given its configuration), then writes `<outdir>/bundles.json`. Batches are built in one
 * esbuild call per runtime and zipped in parallel. A batch is reused, zip and sha256 byte for
 * byte, when its build options, esbuild's and batchform's versions and every input file are as
 * when its zip was made, and its zip and bundle files on disk are the ones made then; any other
 * batch is rebuilt.
 */
export async function packageBatches(batches: readonly BundleInput[], options: PackageOptions = {}): Promise<PackageResult> {
  const projectDir = options.projectDir ?? process.cwd();
  const outdir = options.outdir ?? DEFAULT_PACKAGE_DIR;
  const useCache = options.cache !== false && process.env[PACKAGE_CACHE_ENV] !== 'off';
  fs.mkdirSync(path.resolve(projectDir, outdir), { recursive: true });
  const cacheFile = path.join(projectDir, PACKAGE_CACHE_FILE);
  const cache = useCache ? readCache(cacheFile) : { version: PACKAGE_CACHE_VERSION, entries: {} };
  const hash = fileHasher(projectDir);
  const cacheId = (b: BundleInput): string => path.resolve(projectDir, outdir, b.name);
  const keys = new Map(batches.map((b) => [b.name, buildKey(b, projectDir, outdir)]));

  const fresh = (b: BundleInput): PackageCacheEntry | undefined => {
    const entry = cache.entries[cacheId(b)];
    if (!entry || entry.key !== keys.get(b.name)) return undefined;
    if (!Object.entries(entry.inputs).every(([file, h]) => hash(file) === h)) return undefined;
    const dir = path.posix.join(outdir, b.name);
    const outputs = [`${dir}.zip`, ...['index.js', 'index.js.map'].map((n) => path.posix.join(dir, n))];
    const onDisk = outputs.map((f) => {
      try {
        return sha256Hex(fs.readFileSync(path.resolve(projectDir, f)));
      } catch {
        return undefined;
      }
    });
    return onDisk[0] === entry.bundle.sha256 && onDisk[1] === entry.files[0] && onDisk[2] === entry.files[1] ? entry : undefined;
  };

  const reusedEntries = new Map<string, PackageCacheEntry>();
  for (const b of batches) {
    const entry = fresh(b);
    if (entry) reusedEntries.set(b.name, entry);
  }
  const stale = batches.filter((b) => !reusedEntries.has(b.name));
  const built = await buildBundles(stale, { projectDir, outdir });
  const rebuiltEntries = new Map<string, PackageCacheEntry>();
  await Promise.all(built.map(async (bundle, i) => {
    writeBundle(bundle, projectDir);
    const packaged = await zipContents(bundle, bundle.contents, projectDir);
    const inputs = Object.fromEntries(dependencyFiles(bundle.inputs).map((f) => [f, hash(f)]));
    rebuiltEntries.set(stale[i].name, { key: keys.get(stale[i].name)!, inputs, bundle: packaged, files: bundle.contents.map((c) => sha256Hex(c)) });
  }));

  const entryOf = (b: BundleInput): PackageCacheEntry => reusedEntries.get(b.name) ?? rebuiltEntries.get(b.name)!;
  const watchdog = options.watchdogConfig === undefined ? undefined : await packageWatchdog(options.watchdogConfig, { projectDir, outdir });
  const file: BundlesFile = { version: BUNDLES_VERSION, bundles: batches.map((b) => entryOf(b).bundle), ...(watchdog ? { watchdog } : {}) };
  fs.writeFileSync(path.resolve(projectDir, outdir, BUNDLES_FILE), JSON.stringify(file, null, 2) + '\n');
  if (useCache) writeCache(cacheFile, path.resolve(projectDir, outdir), cache, Object.fromEntries(batches.map((b) => [cacheId(b), entryOf(b)])));
  return { ...file, rebuilt: stale.map((b) => b.name), reused: batches.filter((b) => reusedEntries.has(b.name)).map((b) => b.name) };
}

/**
 * Writes the cache: this run's entries for the output folder, and the other folders' entries whose
 * zip is still there (other output folders or projects), atomically so a reader never sees half a
 * file.
 */
function writeCache(cacheFile: string, absOutdir: string, cache: PackageCache, current: Record<string, PackageCacheEntry>): void {
  const kept = Object.entries(cache.entries).filter(([id]) => path.dirname(id) !== absOutdir && fs.existsSync(`${id}.zip`));
  const next: PackageCache = { version: PACKAGE_CACHE_VERSION, entries: { ...Object.fromEntries(kept), ...current } };
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next));
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
}
