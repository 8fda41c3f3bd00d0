// Renders one log line of a batch readably: Powertools' JSON, Lambda's JSON platform lines (START, REPORT), or plain text as is.

/** Keys every Powertools line carries that say nothing about this line. */
const QUIET_KEYS = new Set([
  'level', 'message', 'timestamp', 'time', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_name',
  'function_request_id', 'sampling_rate', 'xray_trace_id', 'batch', 'runTime', 'requestId', 'type', 'record',
]);

function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object') {
    const o = value as { name?: unknown; message?: unknown; stack?: unknown };
    // Powertools writes an Error as { name, location, message, stack }: the name and message say it.
    if (typeof o.message === 'string' && typeof o.name === 'string') return JSON.stringify(`${o.name}: ${o.message}`);
    return JSON.stringify(value);
  }
  return String(value);
}

/** A Lambda platform line (`platform.start`, `platform.report`, ...) in the words of Lambda's text format. */
function platformLine(entry: { time?: string; type: string; record?: Record<string, unknown> }): string {
  const r = entry.record ?? {};
  const metrics = (r.metrics ?? {}) as Record<string, unknown>;
  const what = entry.type.replace(/^platform\./, '').toUpperCase();
  const details = what === 'REPORT'
    ? [`duration=${metrics.durationMs}ms`, `billed=${metrics.billedDurationMs}ms`, `memory=${metrics.maxMemoryUsedMB}/${metrics.memorySizeMB}MB`, r.status && r.status !== 'success' ? `status=${r.status}` : '']
    : [r.status && r.status !== 'success' ? `status=${r.status}` : '', r.errorType ? `error=${r.errorType}` : ''];
  return [entry.time, what, r.requestId, ...details].filter(Boolean).join(' ');
}

/**
 * One line for people: `<time> <LEVEL> <message> key=value ... run=<run time>`. Powertools'
 * fixed keys (service, function name, request id, ...) are left out; an error shows as its name
 * and message. Lines that are not JSON come back unchanged (trailing whitespace trimmed).
 *
 * @example
 * renderLogLine('{"level":"INFO","message":"run started","timestamp":"2026-11-25T03:00:01.120Z","service":"daily-stats","runTime":"2026-11-25T03:00:00.000Z","scheduled":true}')
 * // '2026-11-25T03:00:01.120Z INFO run started scheduled=true run=2026-11-25T03:00:00.000Z'
 */
export function renderLogLine(line: string): string {
  const text = line.replace(/\s+$/, '');
  if (!text.startsWith('{')) return text;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text;
  }
  if (typeof entry.type === 'string' && entry.type.startsWith('platform.')) {
    return platformLine(entry as { time?: string; type: string; record?: Record<string, unknown> });
  }
  const head = [entry.timestamp ?? entry.time, typeof entry.level === 'string' ? entry.level.toUpperCase() : undefined, entry.message]
    .filter((x) => x !== undefined && x !== '').map((x) => (typeof x === 'string' ? x : show(x)));
  const rest = Object.entries(entry).filter(([k]) => !QUIET_KEYS.has(k)).map(([k, v]) => `${k}=${show(v)}`);
  const run = typeof entry.runTime === 'string' ? [`run=${entry.runTime}`] : [];
  return [...head, ...rest, ...run].join(' ');
}
