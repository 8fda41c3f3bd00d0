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

/** Whether an IAM action pattern (case-insensitive, `*` and `?` wildcards) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(action);
}

/** Why an allowed action is rejected outright, or undefined. */
function forbiddenAction(action: string, resources: readonly unknown[]): string | undefined {
  if (action === '*') {
    return '"*" allows every action of every AWS service ("Action": "*", as an administrator has); batchform grants a batch only the actions it names.';
  }
  if (/^iam:/i.test(action) && actionCovers(action, 'iam:CreateRole') && actionCovers(action, 'iam:PassRole')) {
    return `${show(action)} allows IAM actions such as iam:CreateRole and iam:PassRole, with which a role makes itself an administrator of the account.`;
  }
  if (actionCovers(action, 'sts:AssumeRole') && resources.includes('*')) {
    return `${show(action)} on "*" allows assuming any role that trusts this account, taking on that role's powers.`;
  }
  return undefined;
}

/** Warnings about a batch's statements that are valid but broad: whole-service actions, "*" resources. */
export function policyWarnings(batch: {
  readonly name: string;
  readonly policyStatements: readonly { readonly actions: readonly string[]; readonly resources: readonly string[]; readonly effect?: string }[];
}): string[] {
  return batch.policyStatements.flatMap((st, i) => {
    if ((st.effect ?? 'Allow') !== 'Allow') return [];
    const where = `batch "${batch.name}", field "policyStatements[${i}]"`;
    return [
      ...st.actions.filter((a) => /:\*$/.test(a)).map((a) => `${where}: ${show(a)} allows every action of the service; list the actions the batch needs.`),
      ...(st.resources.includes('*') ? [`${where}: "*" resources let ${st.actions.map(show).join(', ')} reach every resource in the account; name the ARNs the batch needs.`] : []),
    ];
  });
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
      for (const a of st.actions) {
        const forbidden = typeof a === 'string' && (st.effect ?? 'Allow') === 'Allow' ? forbiddenAction(a, Array.isArray(st.resources) ? st.resources : []) : undefined;
        if (forbidden) {
          findings.push({
            field: `${field}.actions`,
            message: forbidden,
            fix: a === '*' || /^iam:/i.test(a)
              ? 'list the actions the job needs, e.g. ["s3:GetObject"]; the batch permissions boundary denies IAM in any case.'
              : 'name the role ARNs in resources, and list them in the stage\'s assumableRoleArns (the permissions boundary allows only those).',
          });
        } else if (typeof a !== 'string' || !ACTION.test(a)) {
          findings.push({ field: `${field}.actions`, message: `${show(a)} is not an IAM action.`, fix: 'write actions as service:Action, e.g. "s3:GetObject".' });
        }
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
