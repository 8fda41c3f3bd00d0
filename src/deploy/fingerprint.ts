// The stack fingerprint: one hash of everything a deploy sends, so an unchanged stack is skipped without a change set.
import { sha256Hex } from '../model/hash';

/** The stack tag holding the fingerprint of the last successful deploy. */
export const FINGERPRINT_TAG = 'batchform:fingerprint';

/**
 * Bumped when what goes into the fingerprint changes, so every stack gets one fresh change set
 * instead of being skipped on a stale comparison.
 */
const FINGERPRINT_VERSION = 1;

/** What a stack's fingerprint is computed from. */
export interface FingerprintInput {
  /** The template text exactly as sent. */
  readonly templateBody: string;
  /** Every parameter value, code key included. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the code zip. */
  readonly codeSha256: string;
  /** Stack tags, without the fingerprint tag itself. */
  readonly tags: Readonly<Record<string, string>>;
  /** The CloudFormation execution role, when the stage names one (changing it is an update too). */
  readonly roleArn?: string;
}

function sorted(record: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Hex SHA-256 over the template, parameters, code hash, tags and execution role, in a fixed
 * order (key order in the records does not matter). Equal fingerprints mean a deploy would send
 * CloudFormation exactly what the stack was last deployed with.
 *
 * @example
 * stackFingerprint({ templateBody: '{}', parameters: { CodeS3Key: 'k' }, codeSha256: 'ab…', tags: {} })
 * // "3f1c…" (64 hex digits)
 */
export function stackFingerprint(input: FingerprintInput): string {
  const canonical = JSON.stringify({
    v: FINGERPRINT_VERSION,
    template: sha256Hex(input.templateBody),
    parameters: sorted(input.parameters),
    code: input.codeSha256,
    tags: sorted(input.tags).filter(([k]) => k !== FINGERPRINT_TAG),
    roleArn: input.roleArn ?? null,
  });
  return sha256Hex(canonical);
}
