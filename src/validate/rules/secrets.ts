// Rules for a batch's secrets: references to an SSM parameter or a Secrets Manager secret, never values.
import { ENVIRONMENT_NAME, RESERVED_ENVIRONMENT } from './function';
import { unknownKeys } from './known-keys';
import { BatchRule, isRecord, show } from './types';
import type { SecretReference, SecretSource } from '../../model/secrets';
import type { Finding } from '../problem';

/** Every key of {@link SecretReference}. */
export const SECRET_REFERENCE_KEYS = {
  source: true,
  name: true,
  field: true,
  kmsKeyArn: true,
} as const satisfies Record<keyof SecretReference, true>;

/** SSM parameter names: letters, digits and `_.-/`, at most 1011 characters; a path starts with `/`. */
const SSM_NAME = /^[A-Za-z0-9_.\-/]{1,1011}$/;
/** Secrets Manager names: letters, digits and `/_+=.@-` (and `!`, in the names of secrets RDS manages: `rds!db-<id>`), at most 512 characters. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const EXAMPLES: Readonly<Record<SecretSource, string>> = {
  ssm: 'Secret.ssm("/app/api-key")',
  secretsManager: 'Secret.secretsManager("prod/db", { field: "password" })',
};

/** What is wrong with an SSM parameter name, or undefined. */
function ssmNameProblem(name: string): string | undefined {
  if (name.startsWith('arn:')) return SSM_ARN.test(name) ? undefined : 'is not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>).';
  if (!SSM_NAME.test(name)) return 'is not an SSM parameter name: letters, digits, "_", ".", "-" and "/" only, at most 1011 characters.';
  if (name.includes('/') && !name.startsWith('/')) return 'is a parameter path without its leading "/"; SSM names a parameter in a hierarchy by its full path.';
  if (name.split('/').length - 1 > 15) return 'is more than 15 levels deep; SSM allows at most 15.';
  if (/^\/?(aws|ssm)/i.test(name)) return 'starts with "aws" or "ssm", which SSM reserves.';
  return undefined;
}

/** What is wrong with a Secrets Manager secret name, or undefined. */
function secretNameProblem(name: string): string | undefined {
  if (name.startsWith('arn:')) return SECRET_ARN.test(name) ? undefined : 'is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>).';
  if (!SECRET_NAME.test(name)) return 'is not a Secrets Manager secret name: letters, digits and "/_+=.@-" only, at most 512 characters.';
  return undefined;
}

/** Findings of one reference, named `field` (`secrets.DB_PASSWORD`). */
function referenceFindings(field: string, ref: unknown): Finding[] {
  if (typeof ref === 'string') {
    return [{
      field,
      message: 'is a string, but secrets name where a secret lives, never its value (a value here would be written into the template and the manifest).',
      fix: `store the value in SSM Parameter Store (SecureString) or Secrets Manager and write its reference, e.g. ${EXAMPLES.ssm} or ${EXAMPLES.secretsManager}.`,
    }];
  }
  if (!isRecord(ref)) {
    return [{ field, message: `${show(ref)} is not a secret reference.`, fix: `write ${EXAMPLES.ssm} or ${EXAMPLES.secretsManager}.` }];
  }
  const findings = unknownKeys(ref, SECRET_REFERENCE_KEYS, `${field}.`, 'secret reference');
  if (ref.source !== 'ssm' && ref.source !== 'secretsManager') {
    findings.push({ field: `${field}.source`, message: `${show(ref.source)} is not a secret store.`, fix: 'use "ssm" or "secretsManager" (Secret.ssm(...) or Secret.secretsManager(...) write it for you).' });
    return findings;
  }
  if (typeof ref.name !== 'string' || ref.name === '') {
    findings.push({ field: `${field}.name`, message: `${show(ref.name)} is not a name.`, fix: `name the ${ref.source === 'ssm' ? 'parameter' : 'secret'}, e.g. ${EXAMPLES[ref.source]}.` });
  } else {
    const problem = ref.source === 'ssm' ? ssmNameProblem(ref.name) : secretNameProblem(ref.name);
    if (problem) {
      const viaSsm = /^\/aws\/reference\/secretsmanager\/(.+)$/.exec(ref.name);
      findings.push({
        field: `${field}.name`,
        message: `${show(ref.name)} ${viaSsm ? 'reads a Secrets Manager secret through SSM, which needs rights on the secret, not on a parameter.' : problem}`,
        fix: viaSsm ? `declare the secret itself: Secret.secretsManager("${viaSsm[1]}").` : ref.source === 'ssm'
          ? 'write the parameter\'s name as SSM shows it, e.g. "/app/api-key", or its full ARN.'
          : 'write the secret\'s name as Secrets Manager shows it, e.g. "prod/db" (without the 6-character suffix of its ARN), or its full ARN.',
      });
    }
  }
  if (ref.field !== undefined && (typeof ref.field !== 'string' || ref.field === '')) {
    findings.push({ field: `${field}.field`, message: `${show(ref.field)} is not a field name.`, fix: 'name a field of the value\'s JSON, e.g. "password", or leave field out for the whole value.' });
  }
  if (ref.kmsKeyArn !== undefined && (typeof ref.kmsKeyArn !== 'string' || !KMS_KEY_ARN.test(ref.kmsKeyArn))) {
    findings.push({
      field: `${field}.kmsKeyArn`,
      message: `${show(ref.kmsKeyArn)} is not a KMS key ARN.`,
      fix: 'write the key\'s ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias), or leave it out for the store\'s AWS managed key.',
    });
  }
  return findings;
}

export const secretsValid: BatchRule = (batch) => {
  if (batch.secrets === undefined) return [];
  if (!isRecord(batch.secrets)) {
    return [{ field: 'secrets', message: `${show(batch.secrets)} is not an object of secret references.`, fix: `write secrets: { DB_PASSWORD: ${EXAMPLES.secretsManager} }, or leave it out.` }];
  }
  const environment = isRecord(batch.environment) ? batch.environment : {};
  return Object.entries(batch.secrets).flatMap(([key, ref]) => [
    ...(!ENVIRONMENT_NAME.test(key) ? [{
      field: `secrets.${key}`,
      message: `"${key}" is not a usable name; secrets take environment variable names: a letter, then letters, digits and underscores.`,
      fix: 'use a name such as "DB_PASSWORD".',
    }] : []),
    ...(RESERVED_ENVIRONMENT.includes(key) ? [{ field: `secrets.${key}`, message: `"${key}" is a name Lambda or batchform reserves.`, fix: 'rename the secret.' }] : []),
    ...(Object.prototype.hasOwnProperty.call(environment, key) ? [{
      field: `secrets.${key}`,
      message: `"${key}" is declared in environment too.`,
      fix: `remove ${key} from environment: the handler reads the secret with secret("${key}"), and locally invoke takes its value from .env.local.`,
    }] : []),
    ...referenceFindings(`secrets.${key}`, ref),
  ]);
};
