// Turns a described change set into report rows, and spots a changed schedule to show its next run times.
import type { Change, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { ManifestBatch } from '../manifest/manifest';
import { describeSchedule, nextRuns, parseSchedule } from '../schedule';
import type { Replacement, ResourceChange, ScheduleChange } from './result';

const REPLACEMENT: Record<string, Replacement> = { True: 'yes', False: 'no', Conditional: 'conditional' };

/** `/Properties/Code/S3Key` → `Code.S3Key`; a detail without a path falls back to its name or attribute. */
function propertyName(detail: ResourceChangeDetail): string | undefined {
  const target = detail.Target;
  if (!target) return undefined;
  if (target.Attribute === 'Properties') {
    if (target.Path) return target.Path.replace(/^\/Properties\//, '').split('/').join('.');
    return target.Name;
  }
  return target.Attribute;
}

/** One row per resource change, in CloudFormation's order. */
export function resourceChanges(changes: readonly Change[]): ResourceChange[] {
  return changes
    .filter((c) => c.ResourceChange)
    .map((c) => {
      const rc = c.ResourceChange!;
      const properties: string[] = [];
      for (const d of rc.Details ?? []) {
        const name = propertyName(d);
        if (name && !properties.includes(name)) properties.push(name);
      }
      return {
        action: rc.Action ?? '?',
        logicalId: rc.LogicalResourceId ?? '?',
        type: rc.ResourceType ?? '?',
        replacement: rc.Action === 'Modify' && rc.Replacement ? REPLACEMENT[rc.Replacement] : undefined,
        properties,
      };
    });
}

const RULE_TYPE = 'AWS::Events::Rule';
const SCHEDULE_PROPERTIES = ['ScheduleExpression', 'State'];

/** A property value as CloudFormation reports it, without the JSON quotes it puts around strings. */
function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/**
 * Whether the change set adds a schedule rule or changes its expression or state, and the live
 * expression when the property-level diff shows it.
 */
export function findScheduleChange(changes: readonly Change[]): { readonly changed: boolean; readonly before?: string } {
  let changed = false;
  let before: string | undefined;
  for (const c of changes) {
    const rc = c.ResourceChange;
    if (rc?.ResourceType !== RULE_TYPE) continue;
    if (rc.Action === 'Add') changed = true;
    if (rc.Action !== 'Modify') continue;
    for (const d of rc.Details ?? []) {
      const name = propertyName(d);
      if (!name || !SCHEDULE_PROPERTIES.includes(name)) continue;
      changed = true;
      if (name === 'ScheduleExpression') before = unquote(d.Target?.BeforeValue);
    }
  }
  return { changed, before };
}

/**
 * The new schedule of `batch` with its description and next `count` runs after `now`.
 * `before` is the live expression, if known; it is left out when equal to the new one (only the
 * rule's state changed).
 */
export function scheduleChange(batch: ManifestBatch, options: { readonly before?: string; readonly now: Date; readonly count: number }): ScheduleChange {
  const parsed = parseSchedule(batch.schedule);
  return {
    batch: batch.name,
    before: options.before === batch.schedule ? undefined : options.before,
    after: batch.schedule,
    rate: parsed.kind === 'rate',
    description: describeSchedule(parsed),
    timezone: batch.timezone,
    enabled: batch.enabled,
    nextRuns: batch.enabled ? nextRuns(parsed, options.count, options.now) : [],
  };
}
