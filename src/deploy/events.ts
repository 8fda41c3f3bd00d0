// Finds the stack events that explain a failed execution: its first failed resources and their reasons.
import { CloudFormationClient, paginateDescribeStackEvents, StackEvent } from '@aws-sdk/client-cloudformation';
import type { FailureEvent } from './result';

/** Reasons that are consequences of another resource's failure, not causes. */
const CONSEQUENCE = /^Resource (creation|update|deletion) cancelled/i;

/** Reading stops after this many pages even without reaching the operation's start. */
const MAX_PAGES = 10;

/**
 * The first `limit` failed resource events of one operation, oldest first.
 *
 * Events (listed newest first) are read until the operation's first event: the stack's own
 * `*_IN_PROGRESS` event carrying `clientRequestToken`, or one older than `since` (a fallback
 * when the token is not echoed, e.g. for operations CloudFormation started itself). Only events
 * of this operation are kept, the stack's own summary event and "cancelled" follow-ups are left
 * out; when no resource failed, the stack's own failed events are returned instead.
 */
export async function failureEvents(
  cfn: CloudFormationClient,
  stackId: string,
  options: { readonly clientRequestToken?: string; readonly since: Date; readonly limit?: number },
): Promise<FailureEvent[]> {
  const token = options.clientRequestToken;
  const recent: StackEvent[] = [];
  const tagged: StackEvent[] = [];
  let pages = 0;
  outer: for await (const page of paginateDescribeStackEvents({ client: cfn }, { StackName: stackId })) {
    for (const e of page.StackEvents ?? []) {
      const mine = token !== undefined && e.ClientRequestToken === token;
      if (!mine && e.Timestamp && e.Timestamp < options.since) break outer;
      recent.push(e);
      if (mine) tagged.push(e);
      const isStackStart = e.LogicalResourceId === e.StackName && /_IN_PROGRESS$/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason === 'User Initiated';
      if (isStackStart && (mine || token === undefined)) break outer;
    }
    if (++pages >= MAX_PAGES) break;
  }
  const ofOperation = tagged.length ? tagged : recent;
  const failed = ofOperation.reverse().filter((e) => (e.ResourceStatus ?? '').endsWith('_FAILED'));
  const causes = failed.filter((e) => e.LogicalResourceId !== e.StackName && !CONSEQUENCE.test(e.ResourceStatusReason ?? ''));
  return (causes.length ? causes : failed).slice(0, options.limit ?? 5).map((e) => ({
    timestamp: e.Timestamp ?? new Date(0),
    logicalId: e.LogicalResourceId ?? '?',
    type: e.ResourceType ?? '?',
    status: e.ResourceStatus ?? '?',
    reason: e.ResourceStatusReason ?? '(no reason given)',
  }));
}
