// What a preview or deploy found and did, per stack and per stage: the data the reports render.
import type { ErrorKind } from '../errors/batchform-error';
import type { RunEvent } from '../schedule/next-runs';

/** Preview creates change sets and describes them; deploy also executes them. */
export type DeployMode = 'preview' | 'deploy';

/**
 * - `unchanged`: nothing to do (fingerprint equal, or the change set had no changes);
 * - `created` / `updated`: deploy executed a change set and the stack settled;
 * - `will-create` / `will-update`: preview described a change set (and deleted it);
 * - `will-delete`: a stack of a batch the manifest no longer declares, which a deploy deletes when
 *   allowed (see {@link StackResult.removal}); in a deploy, one left for a later deploy;
 * - `deleted`: deploy deleted such a stack and it is gone;
 * - `failed`: see {@link StackResult.error}.
 */
export type StackOutcome = 'unchanged' | 'created' | 'updated' | 'will-create' | 'will-update' | 'will-delete' | 'deleted' | 'failed';

/** A stack of this project and stage that the manifest no longer declares (its batch was removed or renamed). */
export interface StackRemoval {
  /** What goes with the stack, one item each: its log history, queued dead letters, durable execution history. */
  readonly loses: readonly string[];
}

/** Whether a resource change replaces the resource (CloudFormation's `Replacement`). */
export type Replacement = 'yes' | 'no' | 'conditional';

/** One row of a change set: what happens to one resource. */
export interface ResourceChange {
  /** `Add`, `Modify`, `Remove` (or `Import`, `Dynamic`). */
  readonly action: string;
  readonly logicalId: string;
  readonly type: string;
  /** Only for `Modify`. */
  readonly replacement?: Replacement;
  /** Changed properties as dotted paths (`Code.S3Key`), or attribute names such as `Tags`. */
  readonly properties: readonly string[];
  /** Before → after of each changed property, when the change set carries values. */
  readonly values?: readonly PropertyValue[];
  /** For a replacement: the properties whose change forces it (`RequiresRecreation` Always or Conditionally). */
  readonly replacedBy?: readonly string[];
  /** For a replacement or removal: what goes with the old resource (a log group's events, a queue's messages). */
  readonly loses?: string;
  /** For a removal or replacement: the old resource is kept (its `DeletionPolicy` is Retain), not deleted. */
  readonly retained?: boolean;
  /** For an IAM role or policy: the statements added and removed. */
  readonly permissions?: PermissionChange;
}

/** One changed property with its values; a secret's values are never kept. */
export interface PropertyValue {
  /** Dotted path, `MemorySize` or `Environment.Variables.TOKEN`. */
  readonly path: string;
  /** `Add`, `Remove` or `Modify` (CloudFormation's `AttributeChangeType`). */
  readonly change: string;
  readonly before?: string;
  readonly after?: string;
  /** A function environment value or a NoEcho parameter: shown as changed, values left out. */
  readonly hidden?: boolean;
}

/** One IAM statement, flattened for the report. */
export interface PolicyStatement {
  /** The inline policy's name (or the policy resource's). */
  readonly policy: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Who a resource policy or trust policy lets in (`Principal`, as JSON when not a string). */
  readonly principal?: string;
  /** The statement's `Condition`, as JSON. */
  readonly condition?: string;
}

/** What a change to an IAM role or policy does to its permissions. */
export interface PermissionChange {
  readonly added: readonly PolicyStatement[];
  readonly removed: readonly PolicyStatement[];
  /** Managed policy ARNs attached to a role. */
  readonly managedAdded: readonly string[];
  readonly managedRemoved: readonly string[];
}

/** A batch whose schedule rule (or Scheduler schedule) is new or changed, with its next run times. */
export interface ScheduleChange {
  readonly batch: string;
  /** The live schedule expression, when the change set shows it (absent for a new rule). */
  readonly before?: string;
  readonly after: string;
  /** Whether `after` is a rate (its runs count from when the rule is created). */
  readonly rate: boolean;
  /** `after` in words (UTC). */
  readonly description: string;
  /** The zone the batch's schedule runs in. */
  readonly timezone: string;
  /** In words: the zone and the service that runs the batch. */
  readonly runsIn: string;
  /** False when the rule or schedule is disabled: no runs. */
  readonly enabled: boolean;
  /** Next run times after the run started, UTC instants. */
  readonly nextRuns: readonly Date[];
  /** The same runs, with the runs the Scheduler skips on a spring-forward day, for DST markers. */
  readonly runs: readonly RunEvent[];
  /** Set when the batch moves between a rule and the Scheduler: what can happen near the switch. */
  readonly switchNote?: string;
}

/**
 * A preview of a batch whose timeout or schedule changes: its recent p95 run duration (CloudWatch)
 * against the new timeout and the new shortest gap between runs.
 */
export interface DurationFit {
  readonly batch: string;
  /** Days of durations read. */
  readonly days: number;
  /** Where the p95 comes from: the ledger's `RunDuration`, Lambda's `Duration` (a plain batch without the ledger metric yet), or nowhere (no runs). */
  readonly source: 'ledger' | 'lambda' | 'none';
  /** The p95 run duration in milliseconds; absent without runs. */
  readonly p95Ms?: number;
  /** How many runs the p95 is of. */
  readonly runs?: number;
  /** The new timeout in seconds (a durable batch's execution timeout). */
  readonly timeoutSeconds: number;
  readonly timeoutChanged: boolean;
  /** The new shortest time between two runs, in seconds; absent when fewer than two runs are left or the batch is disabled. */
  readonly gapSeconds?: number;
  readonly scheduleChanged: boolean;
  /** Why the durations could not be read (the preview goes on). */
  readonly unread?: string;
  /** p95 over 80% of the new timeout, or longer than the new gap. */
  readonly warnings: readonly string[];
}

/** One property of a live resource that differs from its template (drift). */
export interface DriftedProperty {
  /** Dotted path, `MemorySize` or `Environment.Variables.TOKEN`. */
  readonly path: string;
  /** CloudFormation's `DifferenceType`: `ADD`, `REMOVE` or `NOT_EQUAL`. */
  readonly change: string;
  /** What the stack's template says. */
  readonly expected?: string;
  /** What the live resource has. */
  readonly actual?: string;
  /** A function environment value or a NoEcho-fed property: shown as changed, values left out. */
  readonly hidden?: boolean;
}

/** A resource changed outside CloudFormation (in the console, by a script). */
export interface ResourceDrift {
  readonly logicalId: string;
  readonly type: string;
  /** `MODIFIED` or `DELETED`. */
  readonly status: string;
  readonly properties: readonly DriftedProperty[];
}

/**
 * Whether the live stack drifted from its template: the drifted resources (none: in sync), or why
 * that could not be checked (the preview goes on either way).
 */
export type StackDrift =
  | { readonly checked: true; readonly resources: readonly ResourceDrift[] }
  | { readonly checked: false; readonly reason: string };

/** A stack event explaining a failed execution. */
export interface FailureEvent {
  readonly timestamp: Date;
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason: string;
}

/** Where the stack's code zip stands in S3. */
export type CodeState = 'uploaded' | 'present' | 'absent';

/** The result for one stack. */
export interface StackResult {
  readonly stackName: string;
  /** The stack's batch; absent for the stage stack. */
  readonly batch?: string;
  /** Set for the stage stack (`<stackPrefix>-stage`), which is deployed before the batch stacks. */
  readonly stageStack?: true;
  readonly outcome: StackOutcome;
  /** Why an unchanged stack is unchanged. */
  readonly unchangedBy?: 'fingerprint' | 'change-set';
  /** The change set created for the stack, if any (deleted again unless executed). */
  readonly changeSetName?: string;
  /** The change set's resource changes, when one was described. */
  readonly changes?: readonly ResourceChange[];
  readonly schedule?: ScheduleChange;
  /** A preview of a batch whose timeout or schedule changes: its recent p95 duration against the new timeout and gap. */
  readonly durationFit?: DurationFit;
  /** In which zone, and on what, the stack's batch runs (when the manifest lists the batch). */
  readonly runsIn?: string;
  /** What this stage changes of the batch (its overrides), in words, environment values hidden; absent when nothing. */
  readonly stageValues?: string;
  /** A preview of an existing stack: what was changed outside CloudFormation, or why it could not be checked. */
  readonly drift?: StackDrift;
  readonly code?: CodeState;
  /** What happened on the way, in order (recoveries, waits, uploads, cleanup trouble). */
  readonly notes: readonly string[];
  /** For `failed`: what went wrong, where, and what to do. */
  readonly error?: string;
  /** For `failed`: the kind of error (an integrity failure sets the command's exit code), when known. */
  readonly errorKind?: ErrorKind;
  /** For a failed execution: the first failed resource events, oldest first. */
  readonly events?: readonly FailureEvent[];
  /** Set for a stack the manifest no longer declares (outcome `will-delete`, `deleted`, or `failed` when its deletion failed). */
  readonly removal?: StackRemoval;
}

/** The result of one preview or deploy of one stage. */
export interface StageResult {
  readonly mode: DeployMode;
  readonly stage: string;
  readonly account: string;
  readonly region: string;
  /** The short commit id the change sets are named after. */
  readonly revision: string;
  readonly changeSetName: string;
  /** One result per stack, in manifest order, then the stacks the manifest no longer declares, by name. */
  readonly stacks: readonly StackResult[];
  /** True when no stack failed. */
  readonly ok: boolean;
}
