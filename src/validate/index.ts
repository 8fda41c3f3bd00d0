// batchform/validate: the rule catalogue and the validated model of batches and stages.
export * from '../model/validated';
export { BATCH_DEFAULTS, STAGE_DEFAULTS } from '../model/declaration-defaults';
export { stackName, stackPrefixOf } from '../model/names';
export * from './problem';
export * from './validate';
export { BATCH_RULES, STAGE_RULES } from './rules';
export type { BatchRule, StageRule, RuleContext } from './rules';
export * from '../model/stage-overrides';
