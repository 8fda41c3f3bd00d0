// How batchform names things: batches, stack prefixes and stacks, artifact prefixes, and its own files in cfn-out/.
import type { Stage } from './validated';

/** Lowercase kebab-case: valid in stack, function, rule and file names alike. */
export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A stack prefix: starts a stack name (letters, digits, single hyphens), at most {@link MAX_STACK_PREFIX} long. */
export const STACK_PREFIX = /^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/;
export const MAX_STACK_PREFIX = 40;
/** An S3 key prefix without leading or trailing slashes. */
export const ARTIFACT_PREFIX = /^[a-zA-Z0-9][a-zA-Z0-9._/-]*[a-zA-Z0-9]$/;
/** File name of the manifest inside the output directory. */
export const MANIFEST_FILE = 'manifest.json';
/** File name of the one-time bootstrap template inside the output directory. */
export const BOOTSTRAP_TEMPLATE_FILE = 'bootstrap.template.json';

/** A stage's stack prefix, defaulting to its name (declarations are checked before they are validated). */
export function stackPrefixOf(stage: { readonly name: string; readonly stackPrefix?: string }): string {
  return stage.stackPrefix ?? stage.name;
}

/** The name of a batch's stack (and function and rule) in a stage. */
export function stackName(stage: Pick<Stage, 'stackPrefix'>, batchName: string): string {
  return `${stage.stackPrefix}-${batchName}`;
}

/**
 * What the stage stack's name ends with: `<stackPrefix>-stage`, the stack of what a stage shares
 * (its alarm topic, its key, its e-mail subscriptions, and what later parts add). No batch may take
 * this name, so the stage stack never collides with a batch stack (`<stackPrefix>-<batch>`).
 */
export const STAGE_STACK_SUFFIX = 'stage';
/** Batch names batchform's own files in cfn-out/ and its stage stack take (the validator says why for each). */
export const RESERVED_BATCH_NAMES = ['bootstrap', 'manifest', STAGE_STACK_SUFFIX] as const;
/** File name of the stage stack's template inside the output directory (one template for every stage). */
export const STAGE_TEMPLATE_FILE = 'stage.template.json';

/** The name of a stage's stage stack: `<stackPrefix>-stage`. */
export function stageStackName(stage: Pick<Stage, 'stackPrefix'>): string {
  return `${stage.stackPrefix}-${STAGE_STACK_SUFFIX}`;
}

/** The name of a stage's shared alarm topic (in its stage stack): `<stackPrefix>-alarms`. */
export function stageAlarmTopicName(stage: Pick<Stage, 'stackPrefix'>): string {
  return `${stage.stackPrefix}-alarms`;
}
