// Rules for batch names: shape, reserved names, and length once a stage prefix is added.
import { BatchRule, show, stagesOf } from './types';
import { MAX_FUNCTION_NAME } from '../../model/limits';
import { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE, NAME_PATTERN, stackName, stackPrefixOf } from '../../model/names';

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
