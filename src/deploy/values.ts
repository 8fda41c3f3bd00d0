// Before → after values of a change set's changed properties, with secrets (environment variables, NoEcho parameters) hidden.
import type { ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { PropertyValue } from './result';

/** What the report may not print: the template's NoEcho parameters and the values they were given. */
export interface Secrets {
  /** Names of the template's parameters marked `NoEcho`. */
  readonly parameters: readonly string[];
  /** The values passed to those parameters (never printed, wherever they turn up). */
  readonly values: readonly string[];
  /**
   * Per logical id, the property paths (dotted) whose value a NoEcho parameter feeds (a `Ref` or a
   * `Fn::Sub` of it): drift shows live values with no parameter to name, so these are hidden by path.
   */
  readonly fed?: Readonly<Record<string, readonly string[]>>;
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
  let resources: TemplateResources = {};
  try {
    const t = JSON.parse(templateBody) as { Parameters?: DeclaredParameters; Resources?: TemplateResources };
    declared = t.Parameters ?? {};
    resources = t.Resources ?? {};
  } catch {
    // An unreadable template has no parameters to hide; CloudFormation rejects it anyway.
  }
  return secretsOfParameters(declared, parameters, resources);
}

/** A template's `Resources` section, as far as secrets go. */
export type TemplateResources = Readonly<Record<string, { readonly Properties?: unknown }>>;

/** Whether a template value refers to one of `names` (`Ref`, or `${Name}` inside `Fn::Sub`). */
function refersTo(value: unknown, names: readonly string[]): boolean {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, names));
  if (!value || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  if (typeof o.Ref === 'string' && names.includes(o.Ref)) return true;
  const sub = o['Fn::Sub'];
  const text = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text === 'string' && names.some((n) => text.includes(`\${${n}}`))) return true;
  return Object.values(o).some((v) => refersTo(v, names));
}

/** The dotted paths of `properties` whose value refers to one of `names`, as deep as plain objects and lists go. */
function fedPaths(properties: unknown, names: readonly string[], prefix = ''): string[] {
  if (!properties || typeof properties !== 'object') return [];
  const o = properties as Record<string, unknown>;
  // An intrinsic function is one value: its path is where it sits.
  if (Object.keys(o).some((k) => k === 'Ref' || k.startsWith('Fn::'))) return refersTo(o, names) && prefix ? [prefix] : [];
  return Object.entries(o).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') return fedPaths(v, names, path);
    return [];
  });
}

/** A template's `Parameters` section, as far as secrets go. */
export type DeclaredParameters = Readonly<Record<string, { readonly NoEcho?: unknown }>>;

/** {@link secretsOf} for a template already parsed: its declared parameters and the values passed. */
export function secretsOfParameters(
  declared: DeclaredParameters, parameters: Readonly<Record<string, string>>, resources: TemplateResources = {},
): Secrets {
  const names = Object.keys(declared).filter((n) => declared[n]?.NoEcho === true || declared[n]?.NoEcho === 'true');
  const fed = Object.fromEntries(names.length
    ? Object.entries(resources).map(([id, r]) => [id, fedPaths(r?.Properties, names)] as const).filter(([, paths]) => paths.length)
    : []);
  return {
    parameters: names,
    values: names.map((n) => parameters[n]).filter((v): v is string => !!v),
    ...(Object.keys(fed).length ? { fed } : {}),
  };
}

/** `Environment.Variables.TOKEN`, `Environment`: a function's environment, which may hold secrets. */
const SECRET_PATH = /^Environment(\.|$)/;

/**
 * A value as CloudFormation reports it in a change set or a drift (strings JSON-quoted, objects as
 * JSON), made readable: strings without quotes.
 */
export function readable(value: string | undefined): string | undefined {
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
 * Whether a value of `logicalId`'s property `path` may not be printed: it sits under a function's
 * environment, under (or above) a property a NoEcho parameter feeds, or one of `values` contains
 * what such a parameter was given. The one rule for change-set values and drift alike.
 */
export function isSecretValue(logicalId: string, path: string, values: ReadonlyArray<string | undefined>, secrets: Secrets): boolean {
  if (SECRET_PATH.test(path)) return true;
  const fed = secrets.fed?.[logicalId] ?? [];
  if (fed.some((f) => path === f || path.startsWith(`${f}.`) || f.startsWith(`${path}.`))) return true;
  return values.some((v) => containsSecret(v, secrets));
}

/**
 * The value change of one detail, or undefined when the detail carries no values (a change set
 * described without property values). A value is hidden when it sits under a function's
 * environment, comes from a NoEcho parameter, or contains what such a parameter was given.
 */
export function propertyValue(path: string, detail: ResourceChangeDetail, secrets: Secrets, logicalId = ''): PropertyValue | undefined {
  const t = detail.Target;
  if (!t || (t.BeforeValue === undefined && t.AfterValue === undefined)) return undefined;
  const fromSecretParameter = detail.ChangeSource === 'ParameterReference' && !!detail.CausingEntity && secrets.parameters.includes(detail.CausingEntity);
  const hidden = fromSecretParameter || isSecretValue(logicalId, path, [t.BeforeValue, t.AfterValue], secrets);
  const change = t.AttributeChangeType ?? (t.BeforeValue === undefined ? 'Add' : t.AfterValue === undefined ? 'Remove' : 'Modify');
  if (hidden) return { path, change, hidden: true };
  return { path, change, before: readable(t.BeforeValue), after: readable(t.AfterValue) };
}
