// Packaging: bundle every batch, zip it deterministically and list zip, sha256 and size per batch.
import * as fs from 'fs';
import * as path from 'path';
import { Bundle, bundleBatch, BundleInput, DEFAULT_PACKAGE_DIR } from './esbuild';
import { deterministicZip, sha256Hex } from './zip';

/** Version of the bundles file format. */
export const BUNDLES_VERSION = 1;
export { DEFAULT_PACKAGE_DIR } from './esbuild';
/** The bundles file inside the package directory. */
export const BUNDLES_FILE = 'bundles.json';
/** Where the deploy engine looks for the bundles file unless told otherwise. */
export const DEFAULT_BUNDLES_PATH = `${DEFAULT_PACKAGE_DIR}/${BUNDLES_FILE}`;

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
}

/** Zips a bundle next to its directory: `<outdir>/<batch>.zip`. */
export async function zipBundle(bundle: Bundle, projectDir: string): Promise<PackagedBundle> {
  const entries = bundle.files.map((f) => ({ name: f.name, data: fs.readFileSync(path.resolve(projectDir, f.path)) }));
  const zip = await deterministicZip(entries);
  const zipPath = `${bundle.dir}.zip`;
  fs.writeFileSync(path.resolve(projectDir, zipPath), zip);
  return {
    batch: bundle.batch,
    zip: zipPath,
    sha256: sha256Hex(zip),
    size: zip.length,
    bundleSize: entries.find((e) => e.name === 'index.js')!.data.length,
  };
}

/** Bundles and zips every batch, then writes `<outdir>/bundles.json`. */
export async function packageBatches(batches: readonly BundleInput[], options: PackageOptions = {}): Promise<BundlesFile> {
  const projectDir = options.projectDir ?? process.cwd();
  const outdir = options.outdir ?? DEFAULT_PACKAGE_DIR;
  fs.mkdirSync(path.resolve(projectDir, outdir), { recursive: true });
  const bundles: PackagedBundle[] = [];
  for (const b of batches) {
    bundles.push(await zipBundle(await bundleBatch(b, { projectDir, outdir }), projectDir));
  }
  const file: BundlesFile = { version: BUNDLES_VERSION, bundles };
  fs.writeFileSync(path.resolve(projectDir, outdir, BUNDLES_FILE), JSON.stringify(file, null, 2) + '\n');
  return file;
}
