// CloudFormation resource types as named in `refuseReplacement` and `--refuse-replacement`: real ones only, with a did-you-mean.
import * as fs from 'fs';
import * as path from 'path';
import { closestWithin } from './rules/known-keys';

/** The shape of a resource type: `Namespace::Service::Type`. */
const TYPE_SHAPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/;

/**
 * Namespaces whose every type aws-cdk-lib knows (it generates one L1 class per type of the
 * CloudFormation resource specification). Other namespaces are registry extensions (third-party or
 * private types such as `MongoDB::Atlas::Cluster`), which no offline list holds: only their shape
 * is checked.
 */
const AWS_NAMESPACES = ['AWS', 'Alexa'];

let types: ReadonlySet<string> | null | undefined;

/**
 * Every resource type of the CloudFormation specification the installed aws-cdk-lib was generated
 * from: the keys of `cloudformation-include/cfn-types-2-classes.json` (the map `cfn-include` uses
 * from a type to its L1 class), read from disk (no aws-cdk-lib module is loaded), so the list is
 * the user's own aws-cdk-lib's, offline. Undefined when aws-cdk-lib or the file cannot be read
 * (a CLI installed without it): then only the shape is checked.
 */
export function cfnResourceTypes(): ReadonlySet<string> | undefined {
  if (types !== undefined) return types ?? undefined;
  try {
    const pkg = require.resolve('aws-cdk-lib/package.json');
    const file = path.join(path.dirname(pkg), 'cloudformation-include', 'cfn-types-2-classes.json');
    const map = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    types = Object.keys(map).length > 0 ? new Set(Object.keys(map)) : null;
  } catch {
    types = null;
  }
  return types ?? undefined;
}

/** What is wrong with one named type, and what to write instead. */
export interface ResourceTypeProblem {
  /** The value as given. */
  readonly value: unknown;
  /** Why it is not a resource type, e.g. "is not a CloudFormation resource type". */
  readonly message: string;
  /** The type most likely meant, when one is close. */
  readonly suggestion?: string;
}

/**
 * The problems of a list of resource types to refuse replacing: not a list, a value that is not a
 * string of the `A::B::C` shape, or (for AWS namespaces, when `known` is given) a type that does
 * not exist. A typo such as `AWS::Logs::Loggroup` would otherwise turn the guard off silently, since
 * no change set ever names it.
 *
 * @param known every real type (see {@link cfnResourceTypes}); undefined checks the shape only.
 * @example
 * resourceTypeProblems(['AWS::Logs::Loggroup'], cfnResourceTypes())
 * // [{ value: 'AWS::Logs::Loggroup', message: 'is not a CloudFormation resource type', suggestion: 'AWS::Logs::LogGroup' }]
 */
export function resourceTypeProblems(list: unknown, known: ReadonlySet<string> | undefined): ResourceTypeProblem[] {
  if (!Array.isArray(list)) {
    return [{ value: list, message: 'is not a list of resource types' }];
  }
  return list.flatMap((value): ResourceTypeProblem[] => {
    if (typeof value !== 'string' || !TYPE_SHAPE.test(value)) {
      return [{ value, message: 'is not of the form Namespace::Service::Type of a CloudFormation resource type', suggestion: typeof value === 'string' ? nearest(value, known) : undefined }];
    }
    if (known === undefined || known.has(value) || !AWS_NAMESPACES.includes(value.split('::')[0])) return [];
    return [{ value, message: 'is not a CloudFormation resource type', suggestion: nearest(value, known) }];
  });
}

/**
 * The real type a misspelled one most likely means: the same one ignoring case, else the closest
 * by edit distance (case-insensitive, at most one edit per eight characters of the whole name, at least one), or
 * for a bare type name (`LogGroup`) the one type that ends with it.
 */
function nearest(value: string, known: ReadonlySet<string> | undefined): string | undefined {
  if (known === undefined) return undefined;
  const wanted = value.toLowerCase();
  const all = [...known];
  const sameCase = all.find((t) => t.toLowerCase() === wanted);
  if (sameCase) return sameCase;
  if (!value.includes('::')) {
    const ending = all.filter((t) => t.toLowerCase().endsWith(`::${wanted}`));
    return ending.length === 1 ? ending[0] : undefined;
  }
  return closestWithin(value, all, Math.max(1, Math.floor(wanted.length / 8)));
}

/** One problem as a clause: `"AWS::Logs::Loggroup" is not a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?)` */
export function describeResourceTypeProblem(p: ResourceTypeProblem): string {
  const shown = typeof p.value === 'string' ? `"${p.value}"` : JSON.stringify(p.value) ?? String(p.value);
  return `${shown} ${p.message}${p.suggestion ? ` (did you mean "${p.suggestion}"?)` : ''}`;
}
