// Rules for batch names: shape, reserved names, and length once a stage prefix is added.
import { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE } from '../../manifest/manifest';
import { stackName, stackPrefixOf } from '../model';
import { BatchRule, show, stagesOf } from './types';

/** Lowercase kebab-case: valid in stack, function, rule and file names alike. */
export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Lambda's limit on function names, which are `<stackPrefix>-<batch>`. */
export const MAX_FUNCTION_NAME = 64;

/** Names taken by batchform's own files in cfn-out/. */
export const RESERVED_NAMES: Record<string, string> = { bootstrap: BOOTSTRAP_TEMPLATE_FILE, manifest: MANIFEST_FILE };

export const batchNameShape: BatchRule = (batch) => {
  if (typeof batch.name !== 'string' || !NAME_PATTERN.test(batch.name)) {
    return [{
      field: 'name',
      message: `${show(batch.name)} is not a valid batch name.`,
      fix: 'use lowercase letters, digits and single hyphens, starting with a letter, e.g. "daily-stats".',
    }];
  }
  if (batch.name in RESERVED_NAMES) {
    return [{
      field: 'name',
      message: `"${batch.name}" is reserved: cfn-out/${RESERVED_NAMES[batch.name]} is batchform's own file.`,
      fix: `choose another name, e.g. "${batch.name}-job".`,
    }];
  }
  return [];
};

export const functionNameLength: BatchRule = (batch, ctx) => {
  if (typeof batch.name !== 'string') return [];
  return stagesOf(batch, ctx).flatMap((stage) => {
    const full = stackName({ stackPrefix: stackPrefixOf(stage) }, batch.name);
    return full.length > MAX_FUNCTION_NAME
      ? [{
        field: 'name',
        message: `in stage "${stage.name}" the function name "${full}" is ${full.length} characters; Lambda allows ${MAX_FUNCTION_NAME}.`,
        fix: `shorten the batch name to ${MAX_FUNCTION_NAME - full.length + batch.name.length} characters or fewer, or the stage's stackPrefix.`,
      }]
      : [];
  });
};
