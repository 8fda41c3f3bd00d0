// Rules across stages: no two stages of one account may share or nest stack prefixes, because the
// bootstrap roles of a stage reach everything named `<stackPrefix>-*`, and IAM names are account-wide.
import { stackPrefixOf } from '../../model/names';
import type { StageOptions } from '../../model/stage-options';
import type { Problem } from '../problem';

/** A prefix a stage in another region could use instead: its region code in front, which nests with neither. */
function suggestion(prefix: string, region: unknown): string {
  const code = typeof region === 'string' ? region.replace(/-/g, '') : 'other';
  return `${code}-${prefix}`;
}

/**
 * Problems between stages of one account:
 * - the same prefix in one region: their stacks would collide;
 * - the same prefix in two regions: the bootstrap's IAM names (`<prefix>-deploy`, ...) collide
 *   account-wide, and each stage's role patterns (`role/<prefix>-*`) cover the other's roles;
 * - one prefix the start of the other (`prod`, `prod-eu`): `<prefix>-*` patterns of the shorter
 *   one match the longer one's stacks, functions and roles.
 * Prefixes are compared ignoring case, as IAM compares role names.
 */
export function stageOverlaps(stages: readonly StageOptions[]): Problem[] {
  const problems: Problem[] = [];
  stages.forEach((s, j) => {
    const prefix = stackPrefixOf(s);
    // Each earlier stage once (a stage declared twice is reported as such).
    const earlier = stages.slice(0, j).filter((o, i, all) => all.findIndex((x) => x.name === o.name) === i);
    for (const other of earlier) {
      if (other.name === s.name || other.account !== s.account) continue;
      const otherPrefix = stackPrefixOf(other);
      const [a, b] = [prefix.toLowerCase(), otherPrefix.toLowerCase()];
      const subject = `stage "${s.name}"`;
      if (a === b && other.region === s.region) {
        problems.push({
          subject,
          field: 'stackPrefix',
          message: `uses the same account, region and stack prefix as stage "${other.name}", so their stacks would collide.`,
          fix: 'give one of them a different stackPrefix.',
        });
      } else if (a === b) {
        problems.push({
          subject,
          field: 'stackPrefix',
          message: `"${prefix}" is also the stack prefix of stage "${other.name}" in ${other.region}, in the same account; IAM names are account-wide, so their bootstrap roles would collide and each stage's roles could change the other's.`,
          fix: `give this stage its own stackPrefix, e.g. "${suggestion(prefix, s.region)}".`,
        });
      } else if (a.startsWith(b) || b.startsWith(a)) {
        const [shorter, longer] = a.length < b.length ? [prefix, otherPrefix] : [otherPrefix, prefix];
        problems.push({
          subject,
          field: 'stackPrefix',
          message: `"${prefix}" and the stack prefix "${otherPrefix}" of stage "${other.name}" (same account) nest: "${shorter}" starts "${longer}", so one stage's names (${shorter}-*) could reach the other's stacks, functions and roles.`,
          fix: 'use stack prefixes of which neither is the start of the other, e.g. "prod" and "staging".',
        });
      }
    }
  });
  return problems;
}
