// Rules for batch names: shape, reserved names, and length once a stage prefix is added.
import { BatchRule, show, stagesOf } from './types';
import { MAX_FUNCTION_NAME } from '../../model/limits';
import { BOOTSTRAP_TEMPLATE_FILE, MANIFEST_FILE, NAME_PATTERN, RESERVED_BATCH_NAMES, STAGE_STACK_SUFFIX, STAGE_TEMPLATE_FILE, stackName, stackPrefixOf } from '../../model/names';

/** Names taken by batchform's own files in cfn-out/ and stacks ({@link RESERVED_BATCH_NAMES}), with why. */
export const RESERVED_NAMES = {
  bootstrap: `cfn-out/${BOOTSTRAP_TEMPLATE_FILE} is batchform's own file`,
  manifest: `cfn-out/${MANIFEST_FILE} is batchform's own file`,
  [STAGE_STACK_SUFFIX]: `every stage has a stage stack named <stackPrefix>-${STAGE_STACK_SUFFIX} (its alarm topic; cfn-out/${STAGE_TEMPLATE_FILE}), which a batch stack of that name would collide with`,
} satisfies Record<typeof RESERVED_BATCH_NAMES[number], string> as Readonly<Record<string, string>>;

export const batchNameShape: BatchRule = (batch) => {
  if (typeof batch.name !== 'string' || !NAME_PATTERN.test(batch.name)) {
    return [{
      field: 'name',
      message: `${show(batch.name)} is not a valid batch name.`,
      fix: 'use lowercase letters, digits and single hyphens, starting with a letter, e.g. "daily-stats".',
    }];
  }
  if (Object.prototype.hasOwnProperty.call(RESERVED_NAMES, batch.name)) {
    return [{
      field: 'name',
      message: `"${batch.name}" is reserved: ${RESERVED_NAMES[batch.name]}.`,
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
