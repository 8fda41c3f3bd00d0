// batchform: scheduled batch jobs on AWS Lambda, declared in .projenrc.ts, generated as raw CloudFormation.
export * from './declare/batch';
export * from './declare/stage';
export * from './schedule';
export * from './validate/model';
export * from './validate/problem';
export * from './validate/validate';
export { BATCH_RULES, STAGE_RULES } from './validate/rules';
export type { BatchRule, StageRule, RuleContext } from './validate/rules';
export * from './template/synth';
export * from './template/batch-template';
export * from './manifest/manifest';
export * from './lint/cfn-lint';
export * from './projen/batchform';
export * from './bundle';
export * from './local/invoke';
export * from './local/postgres';
// The handler runtime helper is a separate entry point (batchform/lib/runtime), so bundles do
// not pull in projen or aws-cdk-lib.
export * from './deploy';
export * from './bootstrap/bootstrap-template';
export * from './workflows/batchform-workflow';
