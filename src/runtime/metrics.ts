// The run ledger's CloudWatch metrics as embedded metric format (EMF) log lines: one JSON object
// per line on standard output, which Lambda's log pipeline turns into metrics (no PutMetricData
// call, no permission beyond the logs the function already writes). Powertools' Metrics utility
// is not among the bundled dependencies; the few lines below are all the ledger needs.
import { LEDGER_METRICS } from '../model/ledger';

/** The name of one of the ledger's metrics (`RunSucceeded`, `RunFailed`, `ConsecutiveFailures`, ...). */
export type LedgerMetricName = (typeof LEDGER_METRICS)[Exclude<keyof typeof LEDGER_METRICS, 'namespace' | 'dimension'>];

/** Where metric lines go: a function given each line (without its newline). */
export type MetricSink = (line: string) => void;

/** Values of some of the ledger's metrics, by name. */
export type LedgerMetricValues = Partial<Record<LedgerMetricName, number>>;

/**
 * Standard output, written to directly: Lambda's `console` prefixes each line with a time, the
 * request id and a level (or wraps it in its JSON log format), and CloudWatch extracts metrics
 * only from a line that is the EMF object itself.
 */
export const stdoutSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * One EMF line: `values` in namespace `batchform`, with the single dimension `Stack` = `stack`.
 * `RunDuration` is in milliseconds, every other metric a count.
 *
 * @example emfLine('acme-prod-daily-stats', { RunFailed: 1, ConsecutiveFailures: 3 }, Date.now())
 */
export function emfLine(stack: string, values: LedgerMetricValues, timestamp: number): string {
  const names = Object.keys(values) as LedgerMetricName[];
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: LEDGER_METRICS.namespace,
        Dimensions: [[LEDGER_METRICS.dimension]],
        Metrics: names.map((name) => ({ Name: name, Unit: name === LEDGER_METRICS.duration ? 'Milliseconds' : 'Count' })),
      }],
    },
    [LEDGER_METRICS.dimension]: stack,
    ...values,
  });
}
