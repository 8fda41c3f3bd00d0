// Environment values that look like secrets: valid, but written into the committed template and
// manifest and readable in the function's configuration, so `npx projen` warns with the fix.

/** Words of a variable name that say it holds a credential. */
const SECRET_WORDS = ['PASSWORD', 'PASSWD', 'PWD', 'PASS', 'TOKEN', 'SECRET', 'KEY', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE', 'AUTH'];
/** Last words of a name that say it holds where a credential is, not the credential (`DB_SECRET_ID`, `KMS_KEY_ARN`). */
const REFERENCE_WORDS = ['ID', 'IDS', 'ARN', 'ARNS', 'NAME', 'NAMES', 'PATH', 'PREFIX', 'REF', 'FILE', 'REGION', 'BUCKET', 'TABLE', 'ALIAS', 'PARAMETER', 'HEADER', 'URL', 'URI', 'ENDPOINT'];
/** `scheme://user:password@`: a URL carrying credentials. */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
/** Values that are plainly not secrets however random they look: ARNs, URLs, paths, UUIDs, host names, placeholders. */
const PLAIN_VALUE = /^(arn:|[a-z][a-z0-9+.-]*:\/\/|\/|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?$)|\$\{/i;

/** Shannon entropy of a string, in bits per character. */
export function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.values()].reduce((h, n) => h - (n / value.length) * Math.log2(n / value.length), 0);
}

/**
 * Whether a value looks like a generated credential: 20 characters or more without spaces, letters
 * and digits mixed, and close to random (Shannon entropy of at least 4 bits per character, or 3.5
 * for a hex string of 32 or more), not an ARN, a URL, a path, a UUID or a host name.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 20 || /\s/.test(value) || PLAIN_VALUE.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  const bits = entropyBits(value);
  return bits >= 4 || (/^[0-9a-f]+$/i.test(value) && value.length >= 32 && bits >= 3.5);
}

/** Why a variable looks like it holds a secret (`its name says "PASSWORD"`), or undefined. */
export function secretLikeReason(name: string, value: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (CREDENTIAL_URL.test(value)) return 'its value is a URL with a user name and password (scheme://user:password@)';
  const words = name.toUpperCase().split('_').filter(Boolean);
  const word = words.find((w) => SECRET_WORDS.includes(w));
  if (word && !REFERENCE_WORDS.includes(words[words.length - 1]) && !/^arn:/.test(value) && !value.includes('${')) {
    return `its name says it holds a ${word.toLowerCase()}`;
  }
  if (looksRandom(value)) return `its value is a ${value.length}-character random-looking string (like a key or token)`;
  return undefined;
}

/**
 * One warning per environment variable (the batch's and each stage's) that looks like a secret:
 * its name, or a URL with credentials, or a long random-looking value. Never quotes the value
 * (warnings are printed in CI logs).
 */
export function secretLikeWarnings(batch: {
  readonly name: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, { readonly environment?: Readonly<Record<string, string>> }>>;
}): string[] {
  const warn = (where: string, key: string, value: string): string[] => {
    const reason = secretLikeReason(key, value);
    return reason ? [
      `batch "${batch.name}"${where}, field "environment.${key}": ${reason}. Environment values are written into the committed template and manifest and`
      + ' are readable in the function\'s configuration (the preview role can read it). Fix: if it is a secret, store it in SSM Parameter Store (SecureString)'
      + ` or Secrets Manager, remove it from environment and declare secrets: { ${key}: Secret.ssm('/<parameter name>') } (or Secret.secretsManager('<secret name>')),`
      + ` read with secret('${key}') from batchform/runtime; locally, put ${key} in .env.local (docs/guides/secrets.md).`,
    ] : [];
  };
  return [
    ...Object.entries(batch.environment).flatMap(([k, v]) => warn('', k, v)),
    ...Object.entries(batch.overrides).flatMap(([stage, o]) => Object.entries(o.environment ?? {})
      .filter(([k, v]) => batch.environment[k] !== v)
      .flatMap(([k, v]) => warn(` in stage "${stage}"`, k, v))),
  ];
}
