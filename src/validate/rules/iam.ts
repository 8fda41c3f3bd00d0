// Rules for the extra IAM statements a batch declares.
import { BatchRule, show } from './types';

/** `service:Action`, where the action part may hold wildcards. */
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** An ARN (possibly with wildcards) or `*`. */
const RESOURCE = /^(\*|arn:[^:]+:[^:]*:[^:]*:[^:]*:.+)$/;
/** Pseudo parameters a resource may name; the template substitutes them per stack. */
export const PSEUDO_PARAMETERS = ['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::URLSuffix'];

/** Whether `s` is an ARN once its pseudo-parameter placeholders are filled in. */
function isResource(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const placeholders = s.match(/\$\{[^}]*\}/g) ?? [];
  if (placeholders.some((p) => !PSEUDO_PARAMETERS.includes(p.slice(2, -1)))) return false;
  return RESOURCE.test(s.replace(/\$\{[^}]*\}/g, 'x'));
}

export const policyStatementsValid: BatchRule = (batch) =>
  (batch.policyStatements ?? []).flatMap((st, i) => {
    const field = `policyStatements[${i}]`;
    const findings = [];
    if (st.effect !== undefined && st.effect !== 'Allow' && st.effect !== 'Deny') {
      findings.push({ field: `${field}.effect`, message: `${show(st.effect)} is not an IAM effect.`, fix: 'use "Allow" or "Deny".' });
    }
    if (!Array.isArray(st.actions) || st.actions.length === 0) {
      findings.push({ field: `${field}.actions`, message: 'is empty.', fix: 'list the actions the job needs, e.g. ["s3:GetObject"].' });
    } else {
      for (const a of st.actions.filter((x) => typeof x !== 'string' || !ACTION.test(x))) {
        findings.push({ field: `${field}.actions`, message: `${show(a)} is not an IAM action.`, fix: 'write actions as service:Action, e.g. "s3:GetObject".' });
      }
    }
    if (!Array.isArray(st.resources) || st.resources.length === 0) {
      findings.push({ field: `${field}.resources`, message: 'is empty.', fix: 'list the ARNs the actions apply to, e.g. ["arn:aws:s3:::my-bucket/*"].' });
    } else {
      for (const r of st.resources.filter((x) => !isResource(x))) {
        findings.push({ field: `${field}.resources`, message: `${show(r)} is not an ARN.`, fix: `write full ARNs such as "arn:aws:s3:::my-bucket/*"; the only placeholders allowed are \${${PSEUDO_PARAMETERS.join('}, ${')}}.` });
      }
    }
    return findings;
  });
