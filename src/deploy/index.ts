// Public entry point of the deploy engine: load inputs, preview or deploy a stage through change sets, report.
// Named exports only (api/batchform-deploy.api.md): the engine's entry points and the types they name.
export { loadDeployInputs, DeployInputError } from './inputs';
export type { DeployableStack, DeployInputs, LoadDeployInputsOptions, PreparedBatchStack, PreparedCode, PreparedStack, PreparedStackBase, PreparedStageStack } from './inputs';
export { createDeployClients } from '../aws/sdk-clients';
export type { CreateDeployClientsOptions, DeployClients } from '../aws/sdk-clients';
export { deployStage } from './run';
export type { DeployStageOptions } from './run';
export type { DeployWaits, WaitTiming } from '../aws/waits';
export type { DriftDetectionOptions } from './drift';
export type { Secrets } from './values';
export type { ManifestBatch, ManifestCode, ManifestOverride, ManifestStack, ManifestStage, ManifestStageStack } from '../manifest/manifest';
export type { StageOverride } from '../model/validated';
export type { RunEvent } from '../schedule/next-runs';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit } from '../schedule/expression';
export type { Sleep } from './drift';
export type {
  CodeState, DeployMode, DriftedProperty, DurationFit, FailureEvent, PermissionChange, PolicyStatement, PropertyValue, Replacement,
  ResourceChange, ResourceDrift, ScheduleChange, StackDrift, StackOutcome, StackRemoval, StackResult, StageResult,
} from './result';
export { renderMarkdownReport } from './report-markdown';
export { renderTextReport } from './report-text';
export type { MarkdownReportOptions } from './report-fit';

/**
 * What batchform's CLI loads lazily through this entry (src/cli/io.ts `engine()`): not published
 * (stripped from the typings by stripInternal), to be imported from their modules instead.
 * @internal
 */
export { callerAccount, callerIdentity, wrongAccount } from './account';
/** @internal */
export { bootstrapStage, stageOptionsFromOutputs } from './bootstrap';
/** @internal */
export type { BootstrapClients, BootstrapResult } from './bootstrap';
/** @internal */
export { ExecutionError } from './change-set-steps';
/** @internal */
export { boundCalls, callDeadlineOf, clientConfig } from '../aws/sdk-clients';
/** @internal */
export { describeError } from '../aws/faults';
/** @internal */
export { findStage, readDeployManifest, templateCheck, templateHashProblem } from './inputs';
/** @internal */
export { renderFatalMarkdown } from './report-markdown';
/** @internal */
export { shortRevision } from './revision';
export { BatchformError, ERROR_KINDS, type BatchformErrorOptions, type ErrorKind, type ErrorWhere } from '../errors/batchform-error';
export type { SecretReference, SecretSource } from '../model/secrets';
