// Before → after values of a change set's changed properties, with secrets (environment variables, NoEcho parameters) hidden.
import type { ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { PropertyValue } from './result';

/** What the report may not print: the template's NoEcho parameters and the values they were given. */
export interface Secrets {
  /** Names of the template's parameters marked `NoEcho`. */
  readonly parameters: readonly string[];
  /** The values passed to those parameters (never printed, wherever they turn up). */
  readonly values: readonly string[];
}

export const NO_SECRETS: Secrets = { parameters: [], values: [] };

/**
 * The NoEcho parameters of a template and the values this run passes them.
 *
 * @example
 * secretsOf(templateBody, { DbPassword: 'hunter2' }) // { parameters: ['DbPassword'], values: ['hunter2'] }
 */
export function secretsOf(templateBody: string, parameters: Readonly<Record<string, string>>): Secrets {
  let declared: DeclaredParameters = {};
  try {
    declared = (JSON.parse(templateBody) as { Parameters?: DeclaredParameters }).Parameters ?? {};
  } catch {
    // An unreadable template has no parameters to hide; CloudFormation rejects it anyway.
  }
  return secretsOfParameters(declared, parameters);
}

/** A template's `Parameters` section, as far as secrets go. */
export type DeclaredParameters = Readonly<Record<string, { readonly NoEcho?: unknown }>>;

/** {@link secretsOf} for a template already parsed: its declared parameters and the values passed. */
export function secretsOfParameters(declared: DeclaredParameters, parameters: Readonly<Record<string, string>>): Secrets {
  const names = Object.keys(declared).filter((n) => declared[n]?.NoEcho === true || declared[n]?.NoEcho === 'true');
  return { parameters: names, values: names.map((n) => parameters[n]).filter((v): v is string => !!v) };
}

/** `Environment.Variables.TOKEN`, `Environment`: a function's environment, which may hold secrets. */
const SECRET_PATH = /^Environment(\.|$)/;

/** A value as CloudFormation reports it (strings JSON-quoted, objects as JSON), made readable. */
function readable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  } catch {
    return value;
  }
}

function containsSecret(value: string | undefined, secrets: Secrets): boolean {
  return value !== undefined && secrets.values.some((s) => s.length > 0 && value.includes(s));
}

/**
 * The value change of one detail, or undefined when the detail carries no values (a change set
 * described without property values). A value is hidden when it sits under a function's
 * environment, comes from a NoEcho parameter, or contains what such a parameter was given.
 */
export function propertyValue(path: string, detail: ResourceChangeDetail, secrets: Secrets): PropertyValue | undefined {
  const t = detail.Target;
  if (!t || (t.BeforeValue === undefined && t.AfterValue === undefined)) return undefined;
  const fromSecretParameter = detail.ChangeSource === 'ParameterReference' && !!detail.CausingEntity && secrets.parameters.includes(detail.CausingEntity);
  const hidden = SECRET_PATH.test(path) || fromSecretParameter || containsSecret(t.BeforeValue, secrets) || containsSecret(t.AfterValue, secrets);
  const change = t.AttributeChangeType ?? (t.BeforeValue === undefined ? 'Add' : t.AfterValue === undefined ? 'Remove' : 'Modify');
  if (hidden) return { path, change, hidden: true };
  return { path, change, before: readable(t.BeforeValue), after: readable(t.AfterValue) };
}
