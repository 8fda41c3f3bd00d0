// batchform's main entry, the one `.projenrc.ts` imports: the projen component, its options and
// `Schedule` and `Secret`. Kept free of aws-cdk-lib, the AWS SDK and esbuild types so ts-node's type-check of
// `.projenrc.ts` stays small; everything else is behind subpath exports (`batchform/runtime`,
// `batchform/local`, `batchform/schedule`, `batchform/validate`, `batchform/template`,
// `batchform/bundle`, `batchform/deploy`, `batchform/operate`).
// Named exports only: what the README documents, and the types those signatures name. The
// published surface is api/batchform.api.md (`npx projen api` rewrites it).
export { Batchform } from './projen/batchform';
export type { BatchformOptions } from './projen/batchform';
export type { WorkflowCli } from './workflows/batchform-workflow';
export type { Architecture, BatchOptions, DurableOptions, PolicyStatementOptions, StageOverrideOptions } from './model/batch-options';
export type { StageOptions } from './model/stage-options';
export { Schedule } from './schedule/builder';
export { Secret } from './model/secrets';
export type { SecretOptions, SecretReference, SecretSource } from './model/secrets';
export type { CronOptions, RateUnitInput } from './schedule/builder';
export type { RateUnit } from './schedule/expression';
// Pure data, no aws-cdk-lib: the GitHub OIDC subjects a stage's bootstrap roles trust.
export { trustedSubjects } from './bootstrap/trust';
export type { TrustedSubjects, TrustedSubjectsOptions } from './bootstrap/trust';
export { BatchformError, ERROR_KINDS, errorKindOf, type BatchformErrorOptions, type ErrorKind, type ErrorWhere } from './errors/batchform-error';
