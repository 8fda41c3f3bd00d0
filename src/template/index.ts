// batchform/template: everything generated from validated declarations (CloudFormation templates
// authored with aws-cdk-lib, the bootstrap template, the deploy manifest, cfn-lint).
// Named exports only (api/batchform-template.api.md).
export { batchTemplates } from './batch-template';
export { STAGE_STACK_PARTS, stageTemplate } from './stage-stack';
export type { StageStackContext, StageStackPart } from './stage-stack';
export { STAGE_STACK_PART_VALUES } from './stage-stack-values';
export type { StageStackPartValues } from './stage-stack-values';
export type { CfnTemplate } from './synth';
export type { Batch, DurableSettings, Stage, StageOverride, ValidatedDeclarations } from '../model/validated';
export type { OverlapPolicy } from '../model/ledger';
export type { Architecture, PolicyStatementOptions } from '../model/batch-options';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit } from '../schedule/expression';
export { buildManifest, readManifest } from '../manifest/manifest';
export type { Manifest, ManifestBatch, ManifestCode, ManifestOverride, ManifestStack, ManifestStage, ManifestStageStack } from '../manifest/manifest';
export { bootstrapTemplate } from '../bootstrap/bootstrap-template';
export type { BootstrapTemplateOptions } from '../bootstrap/bootstrap-template';
export { formatLintResult, lintTemplates } from '../lint/cfn-lint';
export type { LintEngine, LintFinding, LintOptions, LintResult, LintSeverity } from '../lint/cfn-lint';
export type { SecretReference, SecretSource } from '../model/secrets';
