// Public entry point of the deploy engine: load inputs, preview or deploy a stage through change sets, report.
export * from './inputs';
export * from './fingerprint';
export * from './clients';
export * from './upload';
export * from './waits';
export * from './result';
export * from './revision';
export * from './stack-state';
export * from './changes';
export * from './events';
export * from './pool';
export { compactTemplate, runStack } from './change-set';
export * from './faults';
export * from './account';
export type { StackRunContext } from './change-set';
export * from './run';
export * from './report';
export * from './bootstrap';
