// Public entry point of the operate engine: run a deployed batch now, backfill a range, redrive dead letters, status and logs (AWS SDK calls, no projen).
// Named exports only (api/batchform-operate.api.md): the engine's entry points and the types they name.
export { createOperateClients } from '../aws/sdk-clients';
export type { OperateClients } from '../aws/sdk-clients';
export type { CreateDeployClientsOptions } from '../aws/sdk-clients';
export type { ManifestBatch, ManifestCode, ManifestOverride, ManifestStack, ManifestStage, ManifestStageStack } from '../manifest/manifest';
export type { StageOverride } from '../model/validated';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit } from '../schedule/expression';
export type { EventKind } from './event';
export { resolveTarget, TargetError } from './target';
export type { BatchTarget } from './target';
export { scheduleFor } from './stage-schedule';
export type { StageSchedule } from './stage-schedule';
export { invokeRun } from './invoke-run';
export type { InvokeRunOptions, RunMode, RunOutcome } from './invoke-run';
export { runDurable } from './durable-executions';
export type { DurableRunOutcome, ExecutionStatus, ExecutionStep, ExecutionSummary, ExecutionWait, RerunPolicy, RunDurableOptions } from './durable-executions';
export { backfill } from './backfill';
export type { BackfillOptions, BackfillOutcome, BackfillResult } from './backfill';
export { redrive } from './redrive';
export type { DeadLetter, DeadLetterSource, RedriveEntry, RedriveOptions, RedriveResult } from './redrive';
export { stageStatus, undeclaredStatus } from './status';
export type { BatchExecutions, BatchStatus, Deployed, StageStatusOptions, StatusExecution, UndeclaredStack } from './status';
export type { RunCounts, RunSummary } from './run-summary';
export { followLogs, readLogs } from './logs';
export { ledgerClient, readRuns, runRows } from './runs';
export type { RunRow, RunsQuery } from './runs';
export type { PauseRecord, RunRecord, RunStatus, RunTrigger } from '../model/ledger';
export type { FollowOptions, LogQuery } from './logs';

/**
 * What batchform's CLI loads lazily through this entry (src/cli/operate-commands.ts `operate()`):
 * not published (stripped from the typings by stripInternal), to be imported from their modules instead.
 * @internal
 */
export { backfillStateFile, readBackfillState, renderBackfillResult } from './backfill';
/** @internal */
export { renderDurableOutcome } from './durable-executions';
/** @internal */
export { eventKind, parseUtcTime } from './event';
/** @internal */
export { renderRunOutcome } from './invoke-run';
/** @internal */
export { parseSince, runFilterPattern } from './logs';
/** @internal */
export { renderLogLine } from './log-lines';
/** @internal */
export { renderRedriveResult } from './redrive';
/** @internal */
export { BACKFILL_CONFIRM_RUNS, firesAt, nearestTimes, scheduledTimes } from './stage-schedule';
/** @internal */
export { renderStatusTable, renderUndeclared } from './status';
/** @internal */
export { DEFAULT_RUNS_LIMIT, MAX_RUNS_LIMIT, renderRunsTable } from './runs';
/** @internal */
export { findBatch } from './target';
/** @internal */
export { CATCH_UP_POLICIES, describePause, ledgerRecords, MAX_PAUSE_NOTE, parseWindow, pauseBatch, planCatchUp, readPause, resumeBatch } from './pause';
/** @internal */
export type { CatchUp, CatchUpPlan, PauseResult, PauseTarget } from './pause';
export { BatchformError, ERROR_KINDS, type BatchformErrorOptions, type ErrorKind, type ErrorWhere } from '../errors/batchform-error';
export type { SecretReference, SecretSource } from '../model/secrets';
