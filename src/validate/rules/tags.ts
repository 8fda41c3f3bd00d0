// Rules for tags, shared by batches and stages (CloudFormation stack tag limits).
import type { Finding } from '../problem';

/** CloudFormation allows 50 stack tags; batchform adds four of its own (batch, stage, project, fingerprint). */
export const MAX_TAGS = 46;

/** Checks a tag map against CloudFormation's stack tag limits. */
export function checkTags(tags: Record<string, string> | undefined): Finding[] {
  const entries = Object.entries(tags ?? {});
  const findings: Finding[] = entries.flatMap(([key, value]) => {
    const out: Finding[] = [];
    if (key.length === 0 || key.length > 128 || /^aws:/i.test(key)) {
      out.push({ field: `tags.${key}`, message: `"${key}" is not a usable tag key (1-128 characters, not starting with "aws:").`, fix: 'rename the tag key.' });
    }
    if (typeof value !== 'string' || value.length > 256) {
      out.push({ field: `tags.${key}`, message: 'the value must be a string of at most 256 characters.', fix: 'shorten the value or write it as a string.' });
    }
    return out;
  });
  if (entries.length > MAX_TAGS) {
    findings.push({ field: 'tags', message: `has ${entries.length} tags; at most ${MAX_TAGS} fit beside batchform's own.`, fix: 'remove some tags.' });
  }
  return findings;
}
