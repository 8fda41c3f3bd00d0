// Where packaging writes, as constants only: the projen glue imports these without loading esbuild.

/** Directory, relative to the project root, of the bundles and zips. */
export const DEFAULT_PACKAGE_DIR = 'dist/batches';
/** The bundles file inside the package directory. */
export const BUNDLES_FILE = 'bundles.json';
/** Where the deploy engine looks for the bundles file unless told otherwise. */
export const DEFAULT_BUNDLES_PATH = `${DEFAULT_PACKAGE_DIR}/${BUNDLES_FILE}`;
