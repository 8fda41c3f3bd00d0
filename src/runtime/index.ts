// The runtime entry point handlers import: kept free of projen and aws-cdk-lib so bundles stay small.
// Named exports only (api/batchform-runtime.api.md): the handler wrapper, the run ledger it claims
// runs in, the date helpers and secret().
export { batch } from './batch-handler';
export type { BatchHandlerOptions, BatchRun } from './batch-handler';
export { RunLedger } from './ledger';
export type { Claim, ClaimRequest, FinishOptions, LedgerEnvironment, LedgerStore, RunEnd, RunLedgerOptions } from './ledger';
export type { MetricSink } from './metrics';
export type { HealthRecord, LeaseRecord, OverlapPolicy, PauseRecord, RunRecord, RunStatus, RunTrigger } from '../model/ledger';
export { localDate, weekday } from './dates';
export { secret } from './secrets';
export type { SecretReadOptions } from './secrets';
