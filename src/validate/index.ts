// batchform/validate: the rule catalogue and the validated model of batches and stages.
// Named exports only (api/batchform-validate.api.md).
export { validateDeclarations } from './validate';
export type { Declarations, ValidateOptions } from './validate';
export type { Batch, DurableSettings, Stage, StageOverride, ValidatedDeclarations } from '../model/validated';
export type { OverlapPolicy } from '../model/ledger';
export { BatchformValidationError, formatProblem } from './problem';
export type { Finding, Problem } from './problem';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit } from '../schedule/expression';
export type { CronOptions, RateUnitInput, Schedule } from '../schedule/builder';
export type { Architecture, BatchOptions, PolicyStatementOptions, StageOverrideOptions, DurableOptions } from '../model/batch-options';
export type { StageOptions } from '../model/stage-options';
export { BATCH_RULES, STAGE_RULES } from './rules';
export type { BatchRule, StageRule, RuleContext } from './rules';
export { BatchformError, ERROR_KINDS, type BatchformErrorOptions, type ErrorKind, type ErrorWhere } from '../errors/batchform-error';
export type { SecretReference, SecretSource } from '../model/secrets';
