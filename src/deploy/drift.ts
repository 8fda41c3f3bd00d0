// Asks CloudFormation whether a live stack drifted from its template (resources changed by hand), within a time budget, never failing the preview.
import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DetectStackDriftCommand,
  paginateDescribeStackResourceDrifts,
  PropertyDifference,
} from '@aws-sdk/client-cloudformation';
import { DRIFT_DETECTION_DEFAULTS } from './defaults';
import type { DriftedProperty, ResourceDrift, StackDrift } from './result';
import { isSecretValue, readable, Secrets } from './values';
import { describeError, reaching } from '../aws/faults';
import { formatSeconds } from '../aws/waits';

/** How long a preview waits for drift detection, and how often it asks. */
export interface DriftDetectionOptions {
  /**
   * Seconds the preview waits for one stack's drift detection in total (polls included); past it
   * the report says drift could not be checked, and the preview goes on.
   * @default 60
   * @example 120 // stacks with many resources
   */
  readonly maxWaitTime?: number;
  /**
   * Seconds between two status polls (fractions allowed).
   * @default 3
   */
  readonly pollInterval?: number;
}

/** {@link DriftDetectionOptions} with every field filled in. */
export interface ResolvedDriftDetection {
  readonly maxWaitTime: number;
  readonly pollInterval: number;
}

/** Fills in defaults and checks the bounds. */
export function resolveDriftDetection(options: DriftDetectionOptions = {}): ResolvedDriftDetection {
  const d = {
    maxWaitTime: options.maxWaitTime ?? DRIFT_DETECTION_DEFAULTS.maxWaitTime,
    pollInterval: options.pollInterval ?? DRIFT_DETECTION_DEFAULTS.pollInterval,
  };
  if (!(d.maxWaitTime > 0) || !(d.pollInterval > 0)) {
    throw new RangeError(`drift detection needs maxWaitTime > 0 and pollInterval > 0 (seconds), got ${JSON.stringify(d)}`);
  }
  return d;
}

/** Pauses for `seconds`; tests pass one that advances a virtual clock instead. */
export type Sleep = (seconds: number) => Promise<void>;

export const realSleep: Sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** What {@link detectStackDrift} needs besides the stack. */
export interface DriftContext {
  readonly cloudFormation: CloudFormationClient;
  readonly timing: ResolvedDriftDetection;
  readonly sleep: Sleep;
  readonly now: () => Date;
  /** The stage's name, for the fix in an AccessDenied message. */
  readonly stageName: string;
}

/** `/Environment/Variables/TOKEN` (or `/Properties/...`) → `Environment.Variables.TOKEN`. */
function dotted(path: string | undefined): string {
  return (path ?? '').replace(/^\/Properties(\/|$)/, '/').replace(/^\//, '').split('/').join('.') || '(resource)';
}


/**
 * One drifted property; its values are left out (only that it differs is kept) when it sits under
 * a function's environment, under a property fed by a NoEcho parameter, or contains what such a
 * parameter was given: exactly the rules of the change-set values.
 */
export function driftedProperty(logicalId: string, d: PropertyDifference, secrets: Secrets): DriftedProperty {
  const path = dotted(d.PropertyPath);
  const change = d.DifferenceType ?? 'NOT_EQUAL';
  if (isSecretValue(logicalId, path, [d.ExpectedValue, d.ActualValue], secrets)) return { path, change, hidden: true };
  return { path, change, expected: readable(d.ExpectedValue), actual: readable(d.ActualValue) };
}

/** Why a check did not finish, in a few words people can act on. */
function reasonOf(e: unknown, stageName: string): string {
  const err = e as { name?: string };
  const message = describeError(e);
  if (/AccessDenied|UnauthorizedOperation|not authorized/i.test(`${err?.name} ${message}`)) {
    return `${message}. The preview role may lack the drift rights: run "npx projen bootstrap:${stageName}" again (drift detection needs the bootstrap of this batchform version), or set driftDetection: false on the stage`;
  }
  if (/Throttl|RateExceeded|TooManyRequests/i.test(err?.name ?? '')) return `${message} (AWS kept throttling after the SDK's retries)`;
  return message;
}

/**
 * Detects the drift of one live stack: DetectStackDrift, then DescribeStackDriftDetectionStatus
 * every `pollInterval` seconds for at most `maxWaitTime` seconds, then the MODIFIED and DELETED
 * resources (DescribeStackResourceDrifts, every page). Never throws: a timeout, a FAILED
 * detection or any error (AccessDenied, throttling, no network) is `{ checked: false, reason }`.
 */
export async function detectStackDrift(ctx: DriftContext, stackName: string, secrets: Secrets): Promise<StackDrift> {
  const cfn = ctx.cloudFormation;
  try {
    const started = await reaching(cfn, 'cloudformation', `starting drift detection of ${stackName} (DetectStackDrift)`,
      () => cfn.send(new DetectStackDriftCommand({ StackName: stackName })));
    const id = started.StackDriftDetectionId;
    if (!id) return { checked: false, reason: 'CloudFormation started no drift detection (no detection id)' };
    const { maxWaitTime, pollInterval } = ctx.timing;
    const startedAt = ctx.now().getTime();
    let slept = 0;
    for (;;) {
      const status = await reaching(cfn, 'cloudformation', `reading the drift detection of ${stackName} (DescribeStackDriftDetectionStatus)`,
        () => cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id })));
      if (status.DetectionStatus === 'DETECTION_FAILED') {
        return { checked: false, reason: `CloudFormation's drift detection failed: ${status.DetectionStatusReason || 'no reason given'}` };
      }
      if (status.DetectionStatus === 'DETECTION_COMPLETE') {
        if (status.StackDriftStatus === 'IN_SYNC') return { checked: true, resources: [] };
        break;
      }
      // Both the time slept and the clock count, so neither a slow AWS nor a frozen clock runs past the budget.
      const elapsed = Math.max(slept, (ctx.now().getTime() - startedAt) / 1000);
      if (elapsed >= maxWaitTime) {
        return { checked: false, reason: `drift detection was still running after ${formatSeconds(maxWaitTime)} (the preview's drift budget)` };
      }
      const pause = Math.min(pollInterval, maxWaitTime - elapsed);
      await ctx.sleep(pause);
      slept += pause;
    }
    const resources: ResourceDrift[] = [];
    await reaching(cfn, 'cloudformation', `reading the drifted resources of ${stackName} (DescribeStackResourceDrifts)`, async () => {
      for await (const page of paginateDescribeStackResourceDrifts({ client: cfn }, { StackName: stackName, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'] })) {
        for (const r of page.StackResourceDrifts ?? []) {
          const logicalId = r.LogicalResourceId ?? '?';
          resources.push({
            logicalId,
            type: r.ResourceType ?? '?',
            status: r.StackResourceDriftStatus ?? '?',
            properties: (r.PropertyDifferences ?? []).map((d) => driftedProperty(logicalId, d, secrets)),
          });
        }
      }
    });
    return { checked: true, resources };
  } catch (e) {
    return { checked: false, reason: reasonOf(e, ctx.stageName) };
  }
}
