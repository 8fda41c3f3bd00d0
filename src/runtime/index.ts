// The runtime entry point handlers import: kept free of projen and aws-cdk-lib so bundles stay small.
export * from './batch-handler';
export * from './env';
export * from './dates';
