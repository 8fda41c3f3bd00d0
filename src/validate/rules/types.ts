// The shape of a validation rule: a small pure function from one declaration to its findings.
import type { BatchOptions } from '../../model/batch-options';
import type { StageOptions } from '../../model/stage-options';
import type { Finding } from '../problem';

/** What a rule may look at besides the declaration itself. */
export interface RuleContext {
  /** Every declared stage (a batch's rules check names and VPC ids against them). */
  readonly stages: readonly StageOptions[];
  /** Whether a file exists, relative to the project root (injected so rules stay pure). */
  readonly fileExists: (relativePath: string) => boolean;
}

/** A rule over one batch declaration. */
export type BatchRule = (batch: BatchOptions, ctx: RuleContext) => Finding[];

/** A rule over one stage declaration. */
export type StageRule = (stage: StageOptions, ctx: RuleContext) => Finding[];

/** The stages a batch deploys to: those it names that exist, or every stage. */
export function stagesOf(batch: BatchOptions, ctx: RuleContext): readonly StageOptions[] {
  // Not a list: reported by the stages rule; the other rules check every stage meanwhile.
  if (!Array.isArray(batch.stages)) return ctx.stages;
  return ctx.stages.filter((s) => batch.stages!.includes(s.name));
}

/** A finding, or none: `check(bad, {...})`. */
export function when(condition: boolean, finding: Finding): Finding[] {
  return condition ? [finding] : [];
}

/** Quotes a value the way the user wrote it, for messages. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/** Whether `value` is an integer in [min, max]. */
export function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A plain object (not null, not an array): what an options object or a map of names must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
