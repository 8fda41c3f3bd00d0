// Bundling and packaging of batch handlers.
// Named exports only (api/batchform-bundle.api.md).
export { bundleBatch } from './esbuild';
export type { Bundle, BundleInput, BundleOptions } from './esbuild';
export { packageBatches, zipBundle } from './package';
export type { BundlesFile, PackagedBundle, PackageOptions, PackageResult } from './package';
export { packageWatchdog, watchdogZip } from './watchdog';
export type { PackagedWatchdog } from './watchdog';
export { deterministicZip } from './zip';
export type { ZipEntry } from './zip';
