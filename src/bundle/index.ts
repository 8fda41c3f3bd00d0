// Bundling and packaging of batch handlers.
export * from './esbuild';
export * from './zip';
export * from './package';
