// Secrets by reference: where a batch's secret lives (an SSM SecureString parameter or a Secrets
// Manager secret), never its value. The template grants read on exactly these; the runtime helper
// resolves them when the handler asks.

/** Where a secret lives: SSM Parameter Store or Secrets Manager. */
export type SecretSource = 'ssm' | 'secretsManager';

/**
 * A secret named by reference: the store, the parameter's or secret's name, and optionally one
 * field of its JSON value. Write it with {@link Secret.ssm} or {@link Secret.secretsManager}.
 *
 * @example { source: 'secretsManager', name: 'prod/db', field: 'password' }
 */
export interface SecretReference {
  /** The store the secret lives in. */
  readonly source: SecretSource;
  /**
   * The SSM parameter's name (`/app/api-key`) or the Secrets Manager secret's name (`prod/db`), in
   * the stage's account and region; or its full ARN for one elsewhere.
   * @example '/app/api-key'
   */
  readonly name: string;
  /**
   * A field of the secret's JSON value to return instead of the whole value (e.g. `password` of an
   * RDS-managed secret, whose value is `{"username": ..., "password": ...}`).
   * @default - the whole value
   * @example 'password'
   */
  readonly field?: string;
  /**
   * ARN of the customer-managed KMS key the parameter or secret is encrypted with: the function
   * gets `kms:Decrypt` on it, only through SSM or Secrets Manager (`kms:ViaService`). Not needed
   * for the AWS managed keys (`aws/ssm`, `aws/secretsmanager`), which the services use for any
   * principal of the account.
   * @default - the store's AWS managed key
   * @example 'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
   */
  readonly kmsKeyArn?: string;
}

/** Options of {@link Secret.ssm} and {@link Secret.secretsManager}. */
export interface SecretOptions {
  /**
   * A field of the value, read as JSON, to return instead of the whole value.
   * @default - the whole value
   * @example 'password'
   */
  readonly field?: string;
  /**
   * ARN of the customer-managed KMS key the value is encrypted with (the function may then
   * decrypt with it through the store only).
   * @default - the store's AWS managed key (no KMS statement needed)
   */
  readonly kmsKeyArn?: string;
}

/**
 * References to secrets for a batch's `secrets` option: the template grants the function read on
 * exactly these, and the handler reads the value at run time with `secret('NAME')` from
 * `batchform/runtime`. No value is ever written into a template, the manifest or the function's
 * environment.
 *
 * @example
 * secrets: {
 *   DB_PASSWORD: Secret.secretsManager('prod/db', { field: 'password' }),
 *   API_KEY: Secret.ssm('/app/api-key'),
 * }
 */
export class Secret {
  /**
   * An SSM Parameter Store parameter (SecureString, or String), decrypted when read. `name` is the
   * parameter's name (`/app/api-key`; a name with `/` starts with `/`) or its full ARN.
   */
  static ssm(name: string, options: SecretOptions = {}): SecretReference {
    return Secret.of('ssm', name, options);
  }

  /**
   * A Secrets Manager secret (its current version). `name` is the secret's name (`prod/db`, without
   * the 6-character suffix Secrets Manager adds to its ARN) or its full ARN.
   */
  static secretsManager(name: string, options: SecretOptions = {}): SecretReference {
    return Secret.of('secretsManager', name, options);
  }

  private static of(source: SecretSource, name: string, options: SecretOptions): SecretReference {
    return {
      source,
      name,
      ...(options.field !== undefined ? { field: options.field } : {}),
      ...(options.kmsKeyArn !== undefined ? { kmsKeyArn: options.kmsKeyArn } : {}),
    };
  }

  private constructor() {}
}

/** The stores, as the user names them in messages. */
export const SECRET_SOURCES: Readonly<Record<SecretSource, string>> = {
  ssm: 'SSM Parameter Store parameter',
  secretsManager: 'Secrets Manager secret',
};

/** How a reference names its secret in messages: `Secrets Manager secret "prod/db" (field "password")`. */
export function describeSecret(ref: SecretReference): string {
  return `${SECRET_SOURCES[ref.source]} "${ref.name}"${ref.field !== undefined ? ` (field "${ref.field}")` : ''}`;
}

/** Whether a Secrets Manager ARN is complete (ends in the 6-character suffix Secrets Manager adds). */
function isCompleteSecretArn(arn: string): boolean {
  return /:secret:.+-[A-Za-z0-9]{6}$/.test(arn);
}

/**
 * The resource ARN IAM sees for a reference, with `${AWS::Partition}`, `${AWS::Region}` and
 * `${AWS::AccountId}` placeholders for a name in the stage's own account and region: a parameter's
 * ARN is `parameter/<name without its leading />`; a secret's ends in `-??????`, the 6 random
 * characters Secrets Manager appends (exactly six: `prod/db-??????` does not match `prod/db-old-AbCdEf`).
 */
export function secretResourceArn(ref: Pick<SecretReference, 'source' | 'name'>): string {
  if (ref.name.startsWith('arn:')) {
    return ref.source === 'secretsManager' && !isCompleteSecretArn(ref.name) ? `${ref.name}-??????` : ref.name;
  }
  return ref.source === 'ssm'
    ? `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${ref.name.replace(/^\//, '')}`
    : `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${ref.name}-??????`;
}

/** IAM actions that read a reference's value. */
export const SECRET_READ_ACTIONS: Readonly<Record<SecretSource, readonly string[]>> = {
  ssm: ['ssm:GetParameter', 'ssm:GetParameters'],
  secretsManager: ['secretsmanager:GetSecretValue'],
};

/** The service that decrypts with a customer-managed key on the function's behalf (`kms:ViaService`). */
export const SECRET_SERVICES: Readonly<Record<SecretSource, string>> = {
  ssm: 'ssm',
  secretsManager: 'secretsmanager',
};

/**
 * What the function's `BATCHFORM_SECRETS` variable holds: each secret's source, name and field,
 * by variable name, as JSON (the runtime helper reads it). References only.
 */
export function secretsVariable(secrets: Readonly<Record<string, SecretReference>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(secrets).map(([k, r]) => [k, {
    source: r.source, name: r.name, ...(r.field !== undefined ? { field: r.field } : {}),
  }])));
}
