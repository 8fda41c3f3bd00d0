// Rules for batch names: shape, reserved names, and length once a stage prefix is added.
import { BatchRule, show, stagesOf } from './types';

/** Lowercase kebab-case: valid in stack, function, rule and file names alike. */
export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Lambda's limit on function names, which are `<stackPrefix>-<batch>`. */
export const MAX_FUNCTION_NAME = 64;

/** Names taken by other files in cfn-out/. */
export const RESERVED_NAMES = ['bootstrap', 'manifest'];

export const batchNameShape: BatchRule = (batch) => {
  if (typeof batch.name !== 'string' || !NAME_PATTERN.test(batch.name)) {
    return [{
      field: 'name',
      message: `${show(batch.name)} is not a valid batch name.`,
      fix: 'use lowercase letters, digits and single hyphens, starting with a letter, e.g. "daily-stats".',
    }];
  }
  if (RESERVED_NAMES.includes(batch.name)) {
    return [{
      field: 'name',
      message: `"${batch.name}" is reserved (cfn-out/${batch.name}.*.json is batchform's own file).`,
      fix: `choose another name, e.g. "${batch.name}-job".`,
    }];
  }
  return [];
};

export const functionNameLength: BatchRule = (batch, ctx) => {
  if (typeof batch.name !== 'string') return [];
  return stagesOf(batch, ctx).flatMap((stage) => {
    const full = `${stage.stackPrefix ?? stage.name}-${batch.name}`;
    return full.length > MAX_FUNCTION_NAME
      ? [{
        field: 'name',
        message: `in stage "${stage.name}" the function name "${full}" is ${full.length} characters; Lambda allows ${MAX_FUNCTION_NAME}.`,
        fix: `shorten the batch name to ${MAX_FUNCTION_NAME - full.length + batch.name.length} characters or fewer, or the stage's stackPrefix.`,
      }]
      : [];
  });
};
