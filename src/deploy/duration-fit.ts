// For a preview of a batch whose timeout or schedule changes: its recent p95 run duration (CloudWatch,
// never the run ledger, which the preview role may not read) against the new timeout and the new
// shortest gap between runs, with a warning when runs would come near the timeout or overlap.
import { CloudWatchClient, Datapoint, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { DurationFit, ResourceChange } from './result';
import { describeError, reaching } from '../aws/faults';
import type { ManifestBatch } from '../manifest/manifest';
import { LEDGER_METRICS } from '../model/ledger';
import { shortestGap } from '../schedule/gaps';

/** Days of run durations a preview reads. */
export const DURATION_FIT_DAYS = 14;
/** The share of the new timeout above which a p95 is a warning. */
export const TIMEOUT_WARN_SHARE = 0.8;

/** Whether the change set changes the batch's timeout: the function's `Timeout`, or a durable batch's execution timeout. */
export function timeoutChanges(changes: readonly ResourceChange[]): boolean {
  return changes.some((c) => c.action === 'Modify' && c.type === 'AWS::Lambda::Function' &&
    c.properties.some((p) => p === 'Timeout' || /ExecutionTimeout$/.test(p)));
}

/** The p95 of one metric over the window, and how many samples it is of; undefined without samples. */
async function p95Of(
  cw: CloudWatchClient, namespace: string, metric: string, dimension: { Name: string; Value: string }, now: Date,
): Promise<{ p95Ms: number; runs: number } | undefined> {
  const seconds = DURATION_FIT_DAYS * 86_400;
  const out = await reaching(cw, 'monitoring', `reading ${namespace} ${metric} of ${dimension.Value} (GetMetricStatistics)`, () => cw.send(new GetMetricStatisticsCommand({
    Namespace: namespace,
    MetricName: metric,
    Dimensions: [dimension],
    StartTime: new Date(now.getTime() - seconds * 1000),
    EndTime: now,
    // One period over the whole window (a multiple of an hour, as data older than 15 days needs).
    Period: seconds,
    Statistics: ['SampleCount'],
    ExtendedStatistics: ['p95'],
  })));
  const points = (out.Datapoints ?? []).filter((d: Datapoint) => (d.SampleCount ?? 0) > 0 && typeof d.ExtendedStatistics?.p95 === 'number');
  if (!points.length) return undefined;
  // The window may straddle two periods: the larger p95 (the cautious one) over all their samples.
  return { p95Ms: Math.max(...points.map((d) => d.ExtendedStatistics!.p95)), runs: points.reduce((n, d) => n + (d.SampleCount ?? 0), 0) };
}

/**
 * The batch's recent p95 run duration: the ledger's `RunDuration` (namespace `batchform`, dimension
 * `Stack`), or, for a plain batch without it yet, Lambda's `Duration` of its function (named as its
 * stack). A durable batch's Lambda durations are of single invocations, not of runs, so it has no fallback.
 */
export async function recentP95(cw: CloudWatchClient, stackName: string, durable: boolean, now: Date): Promise<Pick<DurationFit, 'source' | 'p95Ms' | 'runs'>> {
  const ledger = await p95Of(cw, LEDGER_METRICS.namespace, LEDGER_METRICS.duration, { Name: LEDGER_METRICS.dimension, Value: stackName }, now);
  if (ledger) return { source: 'ledger', ...ledger };
  if (!durable) {
    const lambda = await p95Of(cw, 'AWS/Lambda', 'Duration', { Name: 'FunctionName', Value: stackName }, now);
    if (lambda) return { source: 'lambda', ...lambda };
  }
  return { source: 'none' };
}

/**
 * What a preview says of a batch whose timeout or schedule changes: its recent p95 against the new
 * timeout and the new shortest gap. Never throws: a read that fails is said in `unread`.
 */
export async function durationFit(
  cw: CloudWatchClient,
  options: {
    readonly stackName: string;
    readonly batch: ManifestBatch;
    readonly timeoutChanged: boolean;
    readonly scheduleChanged: boolean;
    readonly now: Date;
  },
): Promise<DurationFit> {
  const { batch } = options;
  const timeoutSeconds = batch.durable ? batch.durable.executionTimeout : batch.timeout;
  const gapSeconds = batch.enabled ? shortestGap(batch.schedule, batch.timezone, options.now) : undefined;
  const base = {
    batch: batch.name,
    days: DURATION_FIT_DAYS,
    timeoutSeconds,
    timeoutChanged: options.timeoutChanged,
    ...(gapSeconds !== undefined ? { gapSeconds } : {}),
    scheduleChanged: options.scheduleChanged,
  };
  let recent: Pick<DurationFit, 'source' | 'p95Ms' | 'runs'>;
  try {
    recent = await recentP95(cw, options.stackName, batch.durable !== undefined, options.now);
  } catch (e) {
    return { ...base, source: 'none', unread: describeError(e), warnings: [] };
  }
  const warnings: string[] = [];
  if (recent.p95Ms !== undefined) {
    if (recent.p95Ms > TIMEOUT_WARN_SHARE * timeoutSeconds * 1000) {
      warnings.push(`p95 is over ${TIMEOUT_WARN_SHARE * 100}% of the new timeout: slower runs would time out`);
    }
    if (gapSeconds !== undefined && recent.p95Ms > gapSeconds * 1000) {
      warnings.push('p95 is longer than the new shortest gap: runs would overlap (with overlap \'skip\' the next one is skipped)');
    }
  }
  return { ...base, ...recent, warnings };
}
