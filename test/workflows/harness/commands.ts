// The runner's two channels from a step back to the job, as actions/runner implements them: workflow commands on
// stdout/stderr (`::error file=a,line=1::msg`) and file commands (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH).

/** One `::name props::data` line, unescaped as the runner does (ActionCommand.TryParseV2). */
export interface WorkflowCommand {
  readonly command: string;
  readonly properties: Record<string, string>;
  readonly data: string;
}

/** An annotation as the job shows it: from `::error`, `::warning`, `::notice` or from the runner itself. */
export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly message: string;
  /** Path relative to GITHUB_WORKSPACE when the command named a file under it (the runner rewrites it so). */
  readonly file?: string;
  readonly line?: number;
  readonly endLine?: number;
  readonly col?: number;
  readonly endColumn?: number;
  readonly title?: string;
  /** The id of the step that printed it (the runner's own annotations of a job have none). */
  readonly step?: string;
}

/** The command names the runner registers (ActionCommandManager); any other `::x::` line is plain output. */
export const REGISTERED_COMMANDS = new Set([
  'set-env', 'set-output', 'save-state', 'add-mask', 'add-path', 'add-matcher', 'remove-matcher',
  'debug', 'warning', 'error', 'notice', 'group', 'endgroup', 'echo', 'stop-commands',
]);

// Order matters: `%25` last so an escaped `%0A` written as `%250A` stays `%0A`.
const DATA_ESCAPES: ReadonlyArray<[string, string]> = [['%0D', '\r'], ['%0A', '\n'], ['%25', '%']];
const PROPERTY_ESCAPES: ReadonlyArray<[string, string]> = [['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']];

function unescape(value: string, table: ReadonlyArray<[string, string]>): string {
  let out = value;
  for (const [from, to] of table) out = out.split(from).join(to);
  return out;
}

/**
 * Parses one output line as a workflow command; undefined when it is not one of `registered` (plain output).
 * Leading whitespace is allowed, as in the runner.
 */
export function parseWorkflowCommand(line: string, registered: ReadonlySet<string> = REGISTERED_COMMANDS): WorkflowCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (![...registered].some((c) => c.toLowerCase() === command.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).trim().split(',').filter((p) => p)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), PROPERTY_ESCAPES);
    }
  }
  return { command: command.toLowerCase(), properties, data: unescape(message.slice(end + 2), DATA_ESCAPES) };
}

/** Escapes a message as @actions/core does before printing it as a command's data. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property (file, title) as @actions/core does. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Formats a workflow command line, as `core.error(message, { file, startLine })` prints it. */
export function formatWorkflowCommand(command: string, properties: Record<string, string | number | undefined>, data: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(data)}`;
}

/**
 * Reads a GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file: `NAME=value` lines and `NAME<<DELIMITER` heredocs, with
 * the runner's rules (EnvFileKeyValuePairs): the first of `=` and `<<` decides the form, names must not be empty,
 * a heredoc needs its delimiter on a line of its own. Throws the runner's message on a malformed file, which fails
 * the step.
 */
export function parseKeyValueFile(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let index = 0;
  const readLine = (): { line: string; newline: boolean } | undefined => {
    if (index >= text.length) return undefined;
    const lf = text.indexOf('\n', index);
    if (lf < 0) {
      const line = text.slice(index);
      index = text.length;
      return { line, newline: false };
    }
    const line = text.slice(index, lf);
    index = lf + 1;
    return { line, newline: true };
  };
  for (let read = readLine(); read; read = readLine()) {
    const line = read.line;
    if (!line) continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const key = line.slice(0, equals);
      if (!key) throw new Error(`Invalid format '${line}'. Name must not be empty`);
      pairs.push([key, line.slice(equals + 1)]);
    } else if (heredoc >= 0 && (equals < 0 || heredoc < equals)) {
      const key = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!key || !delimiter) throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      const start = index;
      let end = index;
      for (;;) {
        const value = readLine();
        if (!value) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
        if (value.line === delimiter) break;
        if (!value.newline) throw new Error('Invalid value. EOF marker missing new line.');
        end = index - 1;
      }
      pairs.push([key, end > start ? text.slice(start, end) : '']);
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return pairs;
}

/** Reads a GITHUB_PATH file: one directory a line, empty lines ignored. */
export function parsePathFile(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
}

/** Replaces every masked value in a line with `***`, as the runner's secret masker does. Longest first. */
export function maskLine(line: string, secrets: ReadonlySet<string>): string {
  let out = line;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}
