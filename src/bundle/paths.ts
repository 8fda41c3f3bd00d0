// Where packaging writes, and the bundles file's format version, as constants only: the projen glue
// and the deploy engine import these without loading esbuild.

/** Directory, relative to the project root, of the bundles and zips. */
export const DEFAULT_PACKAGE_DIR = 'dist/batches';
/** The bundles file inside the package directory. */
export const BUNDLES_FILE = 'bundles.json';
/** Where the deploy engine looks for the bundles file unless told otherwise. */
export const DEFAULT_BUNDLES_PATH = `${DEFAULT_PACKAGE_DIR}/${BUNDLES_FILE}`;
/** Version of the bundles file format. */
export const BUNDLES_VERSION = 1;
