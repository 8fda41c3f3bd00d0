// Turns a described change set into report rows, and spots a changed schedule to show its next run times.
import type { Change, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { ManifestBatch } from '../manifest/manifest';
import { describeSchedule, formatInTimeZone, nextRuns, parseSchedule, runEvents } from '../schedule';
import { permissionChange } from './iam-diff';
import type { PropertyValue, Replacement, ResourceChange, ScheduleChange } from './result';
import { NO_SECRETS, propertyValue, readable, Secrets } from './values';
import { usesScheduler } from '../model/validated';

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

/** What is gone with a deleted resource of these types: said next to each replacement and removal. */
const LOSES: Record<string, string> = {
  'AWS::Logs::LogGroup': "the log group's history (every log event in it)",
  'AWS::SQS::Queue': "the queue's messages (waiting and in flight)",
  'AWS::DynamoDB::Table': "the table's items",
  'AWS::S3::Bucket': "the bucket's objects (CloudFormation cannot delete a bucket that still has objects)",
  'AWS::SNS::Topic': "the topic's subscriptions",
};

/**
 * What removing a batch's function loses, by logical id: durable execution is set only when a
 * function is created, so turning `durable` on or off adds one of these and removes the other.
 */
const FUNCTION_LOSES: Record<string, string> = {
  Function: 'a run in flight (it stops); turning durable on replaces this function with DurableFunction',
  DurableFunction: 'its durable executions still running (they stop) and the history of finished ones; turning durable off replaces it with a plain Function',
};

function losesOf(action: string, type: string, logicalId: string): string | undefined {
  if (type === 'AWS::Lambda::Function') return action === 'Remove' ? FUNCTION_LOSES[logicalId] : undefined;
  return LOSES[type];
}

/** Properties whose changes the permissions diff already shows. */
const POLICY_PATH = /^(Policies|PolicyDocument|AssumeRolePolicyDocument|ManagedPolicyArns)(\.|$)/;

/** `RequiresRecreation` values that force (or may force) a replacement. */
const RECREATES = ['Always', 'Conditionally'];

/**
 * One row per resource change, in CloudFormation's order, with the before → after values of its
 * properties (secrets hidden), what forces a replacement and what it loses, and for IAM roles and
 * policies the statements added and removed.
 */
export function resourceChanges(changes: readonly Change[], secrets: Secrets = NO_SECRETS): ResourceChange[] {
  return changes
    .filter((c) => c.ResourceChange)
    .map((c) => {
      const rc = c.ResourceChange!;
      const properties: string[] = [];
      const values: PropertyValue[] = [];
      const replacedBy: string[] = [];
      for (const d of rc.Details ?? []) {
        const name = propertyName(d);
        if (!name) continue;
        if (!properties.includes(name)) properties.push(name);
        const value = propertyValue(name, d, secrets, rc.LogicalResourceId);
        if (value && !values.some((v) => v.path === name)) values.push(value);
        if (RECREATES.includes(d.Target?.RequiresRecreation ?? '') && !replacedBy.includes(name)) replacedBy.push(name);
      }
      const replacement = rc.Action === 'Modify' && rc.Replacement ? REPLACEMENT[rc.Replacement] : undefined;
      const destroys = rc.Action === 'Remove' || (replacement !== undefined && replacement !== 'no');
      const retained = rc.PolicyAction === 'Retain' || rc.PolicyAction === 'ReplaceAndRetain';
      const permissions = permissionChange(rc, secrets);
      // Policy documents are shown as statements added and removed; their leaf paths would repeat that.
      const shown = permissions ? values.filter((v) => !POLICY_PATH.test(v.path)) : values;
      return {
        action: rc.Action ?? '?',
        logicalId: rc.LogicalResourceId ?? '?',
        type: rc.ResourceType ?? '?',
        replacement,
        properties,
        ...(shown.length ? { values: shown } : {}),
        ...(replacement && replacement !== 'no' && replacedBy.length ? { replacedBy } : {}),
        ...(destroys && retained ? { retained } : {}),
        ...(destroys && !retained && losesOf(rc.Action ?? '', rc.ResourceType ?? '', rc.LogicalResourceId ?? '') ? { loses: losesOf(rc.Action!, rc.ResourceType!, rc.LogicalResourceId!) } : {}),
        ...(permissions ? { permissions } : {}),
      };
    });
}

const RULE_TYPE = 'AWS::Events::Rule';
const SCHEDULER_TYPE = 'AWS::Scheduler::Schedule';
/** Properties of a rule or a Scheduler schedule that change when (or whether) it runs. */
const SCHEDULE_PROPERTIES = ['ScheduleExpression', 'State', 'ScheduleExpressionTimezone', 'StartDate', 'EndDate', 'FlexibleTimeWindow'];

/** A batch moving between an EventBridge rule (UTC) and EventBridge Scheduler (a time zone). */
export type RunnerSwitch = 'to-scheduler' | 'to-rule';

/**
 * Whether the change set adds a schedule rule or Scheduler schedule or changes when it runs, the
 * live expression when the property-level diff shows it, and whether the batch moves between a
 * rule and the Scheduler (one removed, the other added).
 */
export function findScheduleChange(
  changes: readonly Change[],
): { readonly changed: boolean; readonly before?: string; readonly switched?: RunnerSwitch } {
  let changed = false;
  let before: string | undefined;
  const added = new Set<string>();
  const removed = new Set<string>();
  for (const c of changes) {
    const rc = c.ResourceChange;
    if (rc?.ResourceType !== RULE_TYPE && rc?.ResourceType !== SCHEDULER_TYPE) continue;
    if (rc.Action === 'Add') {
      changed = true;
      added.add(rc.ResourceType);
    }
    if (rc.Action === 'Remove') removed.add(rc.ResourceType);
    if (rc.Action !== 'Modify') continue;
    for (const d of rc.Details ?? []) {
      const name = propertyName(d);
      if (!name || !SCHEDULE_PROPERTIES.some((p) => name === p || name.startsWith(`${p}.`))) continue;
      changed = true;
      if (name === 'ScheduleExpression') before = readable(d.Target?.BeforeValue);
    }
  }
  const switched: RunnerSwitch | undefined = added.has(SCHEDULER_TYPE) && removed.has(RULE_TYPE) ? 'to-scheduler'
    : added.has(RULE_TYPE) && removed.has(SCHEDULER_TYPE) ? 'to-rule' : undefined;
  return { changed, before, switched };
}

/**
 * What moving between a rule and the Scheduler can do near the switch: CloudFormation creates the
 * new resource before it deletes the old one, so for a moment both run the batch, and when the
 * old and the new schedule fire at different instants a run can be doubled or skipped.
 */
function switchNote(batch: ManifestBatch, switched: RunnerSwitch, now: Date): string {
  const from = switched === 'to-scheduler' ? 'the EventBridge rule (UTC)' : 'EventBridge Scheduler';
  const to = switched === 'to-scheduler' ? `EventBridge Scheduler (${batch.timezone})` : 'an EventBridge rule (UTC)';
  const next = nextRuns(parseSchedule(batch.schedule), 1, now, { timeZone: batch.timezone })[0];
  return [
    `${batch.name} moves from ${from} to ${to}. CloudFormation creates the new one before it deletes the old one, so for a moment both exist: a run due during the update can fire twice.`,
    'If the expression was rewritten for the new zone, runs keep their instants; if not, every run moves by the zone\'s offset, and the run due between the old and the new time is skipped or run twice.',
    next ? `Next run: ${formatInTimeZone(next, 'UTC')}.` : '',
    'Deploy away from run times, or disable the batch for the deploy, if a doubled or missed run matters.',
  ].filter(Boolean).join(' ');
}

/** In which zone, and on what, a batch runs: "Asia/Seoul, on EventBridge Scheduler (local time, all year)". */
export function runsIn(batch: Pick<ManifestBatch, 'timezone'>): string {
  return usesScheduler(batch) ? `${batch.timezone}, on EventBridge Scheduler (local time, all year)` : 'UTC, on an EventBridge rule';
}

/**
 * The new schedule of `batch` with its description and next `count` runs after `now`.
 * `before` is the live expression, if known; it is left out when equal to the new one (only the
 * rule's state changed).
 */
export function scheduleChange(
  batch: ManifestBatch,
  options: { readonly before?: string; readonly switched?: RunnerSwitch; readonly now: Date; readonly count: number },
): ScheduleChange {
  const parsed = parseSchedule(batch.schedule);
  const runs = batch.enabled
    ? runEvents(parsed, options.count, options.now, {
      timeZone: batch.timezone,
      startDate: batch.startDate ? new Date(batch.startDate) : undefined,
      endDate: batch.endDate ? new Date(batch.endDate) : undefined,
    })
    : [];
  return {
    batch: batch.name,
    before: options.before === batch.schedule ? undefined : options.before,
    after: batch.schedule,
    rate: parsed.kind === 'rate',
    description: describeSchedule(parsed, batch.timezone),
    timezone: batch.timezone,
    runsIn: runsIn(batch),
    enabled: batch.enabled,
    nextRuns: runs.flatMap((r) => (r.kind === 'run' ? [r.at] : [])),
    runs,
    switchNote: options.switched ? switchNote(batch, options.switched, options.now) : undefined,
  };
}
