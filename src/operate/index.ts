// Public entry point of the operate engine: run a deployed batch now, backfill a range, redrive dead letters, status and logs (AWS SDK calls, no projen).
export { createOperateClients, INVOKE_REQUEST_TIMEOUT_MS, throttlingOnlyRetries } from '../aws/sdk-clients';
export type { OperateClients } from '../aws/sdk-clients';
export * from './stage-schedule';
export * from './target';
export * from './event';
export * from './invoke-run';
export * from './durable-executions';
export * from './log-lines';
export * from './logs';
export * from './backfill';
export * from './redrive';
export * from './status';
