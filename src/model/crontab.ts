// Reads a crontab (cron(5): user or system format) into the batches it becomes, and explains every line that cannot become one.
import { NAME_PATTERN, RESERVED_BATCH_NAMES } from './names';
import { isTimeZone, suggestTimeZone } from '../schedule/timezone';
import { convertUnixCron, ConvertedSchedule } from '../schedule/unix-cron';

/** Options of {@link importCrontab}. */
export interface CrontabImportOptions {
  /**
   * System format (`/etc/crontab`, `/etc/cron.d/*`): a user name between the schedule and the command.
   * @default false
   */
  readonly system?: boolean;
  /**
   * The zone the cron daemon ran in (the server's local time), for lines no `CRON_TZ` applies to.
   * @default - a `TZ=` line in the file, else 'UTC' (with a note saying so)
   */
  readonly timezone?: string;
}

/** Where a batch's time zone came from. */
export type TimezoneSource = 'CRON_TZ' | 'TZ' | '--timezone' | 'default';

/** A guard in the command that keeps two runs from overlapping, e.g. `flock -n /tmp/x.lock`. */
export interface OverlapGuard {
  /** The guard as written, e.g. `flock -n /var/lock/backup.lock`. */
  readonly text: string;
  /** Whether a second run gives up at once (`flock -n`, `run-one`) rather than waiting. */
  readonly nonBlocking: boolean;
}

/** One batch a crontab line becomes (two for a line split by cron's "either day" rule). */
export interface ImportedBatch {
  /** Kebab-case, unique in the import, valid for `BatchOptions.name`. */
  readonly name: string;
  /** `handlers/<name>.ts`; both halves of a split line share the first half's handler. */
  readonly handler: string;
  /** Whether this batch writes the handler stub (the second half of a split line does not). */
  readonly ownsHandler: boolean;
  /** The 1-based line number in the file. */
  readonly line: number;
  /** The line as written. */
  readonly text: string;
  /** The Unix schedule as written (`30 2 * * 1-5`, `@daily`). */
  readonly unixSchedule: string;
  readonly schedule: ConvertedSchedule;
  /** The name of the other half, for a split line. */
  readonly otherHalf?: string;
  readonly timezone: string;
  readonly timezoneSource: TimezoneSource;
  /** The line of the `CRON_TZ=`/`TZ=` the zone came from. */
  readonly timezoneLine?: number;
  /** The system crontab's user field. */
  readonly user?: string;
  /** What cron ran with the shell: the command up to the first unescaped `%`, `\%` read as `%`. */
  readonly command: string;
  /** What cron wrote to the command's standard input: the text after the first `%`, each further `%` a newline. */
  readonly stdin?: string;
  /** The variables set above the line that a batch can carry over. */
  readonly environment: Readonly<Record<string, string>>;
  /** The `MAILTO` in force: addresses, or `''` for "mail nobody"; undefined: the owner's mailbox. */
  readonly mailto?: string;
  readonly overlap?: OverlapGuard;
}

/** A line that does not become a batch, and why. */
export interface RefusedLine {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

/** A variable line that the batches do not carry, and why (`PATH`, `SHELL`, `MAILTO`...). */
export interface VariableNote {
  readonly line: number;
  readonly name: string;
  readonly value: string;
  readonly note: string;
}

/** Everything a crontab becomes. */
export interface CrontabImport {
  readonly batches: readonly ImportedBatch[];
  readonly refused: readonly RefusedLine[];
  readonly variables: readonly VariableNote[];
  /** Every distinct `MAILTO` value with at least one job under it. */
  readonly mailto: readonly string[];
  /** Whether some job took the default zone (UTC) for want of `CRON_TZ`, `TZ` or `--timezone`. */
  readonly assumedUtc: boolean;
}

/** Variables cron itself reads or sets (cron(5)), which mean nothing to a Lambda function. */
const CRON_VARIABLES: Readonly<Record<string, string>> = {
  SHELL: 'cron ran each command with this shell; a batch runs its TypeScript handler, not a shell',
  PATH: 'the server\'s search path for programs; a Lambda function has its own, and the programs are not there',
  HOME: 'the server\'s home directory; a Lambda function may only write to /tmp',
  LOGNAME: 'set by cron to the crontab\'s owner; a batch runs as its IAM role',
  USER: 'set by cron to the crontab\'s owner; a batch runs as its IAM role',
  MAILFROM: 'the sender of cron\'s mail; batchform\'s alarm e-mails come from SNS',
  CONTENT_TYPE: 'the type of cron\'s mail; batchform sends no run output by mail',
  CONTENT_TRANSFER_ENCODING: 'the encoding of cron\'s mail; batchform sends no run output by mail',
  RANDOM_DELAY: 'cronie\'s random delay of each job; a batch with a time zone can spread its runs with flexibleWindowMinutes',
  CRON_CORRECT_DST: 'FreeBSD cron\'s daylight-saving correction; the Scheduler\'s own rules apply (see the DST note of each batch)',
};

/** Variables Lambda sets itself and refuses, or that would break the function, by prefix or name. */
const LAMBDA_OWNED = /^(AWS_|LAMBDA_|_HANDLER$|_X_AMZN_TRACE_ID$|BATCHFORM_|LD_LIBRARY_PATH$|NODE_PATH$|NODE_OPTIONS$|LANG$)/;
/** Lambda's rule for environment variable names. */
const ENVIRONMENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** A file path cron(8) reads in system format: `/etc/crontab` and files under `/etc/cron.d/`. */
export function isSystemCrontabPath(file: string): boolean {
  const f = file.replace(/\\/g, '/');
  return /(^|\/)etc\/crontab$/.test(f) || /(^|\/)etc\/cron\.d\/[^/]+$/.test(f);
}

/**
 * Reads a crontab and plans the batches it becomes. Pure: the caller reads the file and prints.
 *
 * Lines (cron(5)): blank lines and lines whose first non-blank character is `#` are comments (a `#`
 * later in a job line is part of the command); `NAME = value` sets a variable (quotes keep blanks)
 * for the jobs below it; anything else is a job: five fields or an `@` shorthand, in system format
 * a user, then the command to the end of the line.
 */
export function importCrontab(text: string, options: CrontabImportOptions = {}): CrontabImport {
  const batches: ImportedBatch[] = [];
  const refused: RefusedLine[] = [];
  const variables: VariableNote[] = [];
  const mailto = new Set<string>();
  const used = new Set<string>();
  const env: Record<string, string> = {};
  let cronTz: { zone: string; line: number } | undefined;
  let tz: { zone: string; line: number } | undefined;
  let mail: string | undefined;
  let assumedUtc = false;

  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const refuse = (reason: string) => refused.push({ line, text: trimmed, reason });

    const variable = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (variable) {
      const [, name, rawValue] = variable;
      const value = unquote(rawValue);
      const note = (n: string) => variables.push({ line, name, value, note: n });
      if (name === 'CRON_TZ') {
        cronTz = { zone: value, line };
      } else if (name === 'TZ') {
        tz = { zone: value, line };
        note('cron(5) gives TZ to the commands (cronie\'s CRON_TZ sets the schedule\'s zone); taken as the zone of the jobs below it that no CRON_TZ covers, '
          + 'unless --timezone says otherwise. A handler reads its zone as run.timezone; Lambda\'s own TZ stays UTC');
      } else if (name === 'MAILTO') {
        mail = value;
      } else if (CRON_VARIABLES[name]) {
        note(CRON_VARIABLES[name]);
      } else if (LAMBDA_OWNED.test(name)) {
        note('Lambda or batchform sets this variable itself; it is not carried over');
      } else if (!ENVIRONMENT_NAME.test(name)) {
        note('Lambda takes names of at least two characters (a letter, then letters, digits or _); rename it in the batches\' environment');
      } else {
        env[name] = value;
      }
      return;
    }

    const job = splitJob(trimmed, options.system ?? false);
    if ('error' in job) {
      refuse(job.error);
      return;
    }
    const conversion = convertUnixCron(job.schedule);
    if (!conversion.ok) {
      refuse(conversion.reason);
      return;
    }
    const { command, stdin } = splitPercent(job.command);
    if (command.trim() === '') {
      refuse('the command is empty (everything after the schedule is standard input: cron(5) reads an unescaped % as the end of the command)');
      return;
    }
    const zone = cronTz
      ? { timezone: cronTz.zone, timezoneSource: 'CRON_TZ' as const, timezoneLine: cronTz.line }
      : options.timezone
        ? { timezone: options.timezone, timezoneSource: '--timezone' as const }
        : tz
          ? { timezone: tz.zone, timezoneSource: 'TZ' as const, timezoneLine: tz.line }
          : { timezone: 'UTC', timezoneSource: 'default' as const };
    if (!isTimeZone(zone.timezone)) {
      const hint = suggestTimeZone(zone.timezone);
      refuse(`${zone.timezoneSource} "${zone.timezone}" (line ${'timezoneLine' in zone ? zone.timezoneLine : '?'}) is not an IANA time-zone name`
        + `${hint ? ` (did you mean ${hint}?)` : ' such as Europe/Berlin'}: correct that line and import again`);
      return;
    }
    if (zone.timezoneSource === 'default') assumedUtc = true;
    if (mail) mailto.add(mail);
    const first = uniqueName(nameFromCommand(command), used, conversion.schedules.length > 1 ? '-weekdays' : '');
    const names = conversion.schedules.map((_s, k) => (k === 0 ? first : `${first}-weekdays`));
    names.forEach((n) => used.add(n));
    conversion.schedules.forEach((schedule, k) => {
      batches.push({
        name: names[k],
        handler: `handlers/${first}.ts`,
        ownsHandler: k === 0,
        line,
        text: trimmed,
        unixSchedule: job.schedule,
        schedule,
        ...(names.length > 1 ? { otherHalf: names[1 - k] } : {}),
        ...zone,
        ...(job.user ? { user: job.user } : {}),
        command,
        ...(stdin !== undefined ? { stdin } : {}),
        environment: { ...env },
        ...(mail !== undefined ? { mailto: mail } : {}),
        ...overlapOf(command),
      });
    });
  });
  return { batches, refused, variables, mailto: [...mailto], assumedUtc };
}

/** A variable's value without the quotes cron(5) allows around it. */
function unquote(value: string): string {
  const v = value.trim();
  const q = /^(['"])(.*)\1$/.exec(v);
  return q ? q[2] : v;
}

type SplitJob = { schedule: string; user?: string; command: string } | { error: string };

/** Splits a job line into its schedule, user (system format) and command. */
function splitJob(line: string, system: boolean): SplitJob {
  const tokens = /^(\S+)/.exec(line)![1];
  const fieldCount = tokens.startsWith('@') ? 1 : 5;
  if (!/^[@*\d]/.test(tokens) && !/^[A-Za-z]{3}([,-]|$)/.test(tokens)) {
    return { error: 'not a job, a variable (NAME=value) or a comment (#): a job starts with five schedule fields or an @ shorthand such as @daily' };
  }
  const re = new RegExp(`^((?:\\S+\\s+){${fieldCount - 1}}\\S+)(?:\\s+(.*))?$`);
  const m = re.exec(line);
  const rest = m?.[2]?.trim() ?? '';
  if (!m) {
    return { error: `only ${line.split(/\s+/).length} field${line.split(/\s+/).length === 1 ? '' : 's'} and no command: a job line is five schedule fields (or an @ shorthand)${system ? ', a user' : ''} and a command` };
  }
  const schedule = m[1].trim();
  if (fieldCount === 5 && !schedule.split(/\s+/).every((t) => /^[0-9A-Za-z*,/-]+$/.test(t))) {
    const bad = schedule.split(/\s+/).find((t) => !/^[0-9A-Za-z*,/-]+$/.test(t))!;
    return { error: `"${bad}" is not a schedule field (digits, names, * , - /)${bad === '?' || bad.includes('L') || bad.includes('#') ? '; ?, L, W and # are Quartz/AWS syntax, not crontab\'s' : ''}` };
  }
  const first = rest.split(/\s+/)[0];
  if (fieldCount === 5 && /^(\*|\?|[\d*,/-]+)$/.test(first)) {
    return { error: `the ${system ? 'user' : 'command'} would be "${first}": the line has a sixth schedule field (AWS or Quartz cron has six or seven); a crontab schedule has five` };
  }
  if (!system) {
    if (rest === '') return { error: 'there is no command after the schedule' };
    return { schedule, command: rest };
  }
  const u = /^(\S+)(?:\s+(.*))?$/.exec(rest);
  if (!u || !u[2]?.trim()) return { error: 'a system crontab line (/etc/crontab, /etc/cron.d) needs a user and a command after the schedule' };
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(u[1])) {
    return { error: `"${u[1]}" is not a user name, which a system crontab line (/etc/crontab, /etc/cron.d) has before the command: if this is a user's crontab, import it with --format user` };
  }
  return { schedule, user: u[1], command: u[2].trim() };
}

/** cron(5): an unescaped `%` ends the command; the rest is standard input, each further `%` a newline; `\%` is a literal `%`. */
export function splitPercent(text: string): { command: string; stdin?: string } {
  const parts: string[] = [''];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '%') {
      parts[parts.length - 1] += '%';
      i++;
    } else if (text[i] === '%') {
      parts.push('');
    } else {
      parts[parts.length - 1] += text[i];
    }
  }
  return parts.length === 1 ? { command: parts[0] } : { command: parts[0].trimEnd(), stdin: parts.slice(1).join('\n') };
}

/** The command's overlap guard: `flock` (blocking or `-n`), `run-one` or `lockrun`. */
function overlapOf(command: string): { overlap?: OverlapGuard } {
  const flock = /(?:^|[\s;&|(])((?:\/usr)?(?:\/bin\/)?flock\s+((?:-{1,2}[A-Za-z-]+(?:[ =]\d+)?\s+)*)\S+)/.exec(command);
  if (flock) {
    const opts = flock[2];
    const nonBlocking = /(^|\s)(-[a-z]*n[a-z]*|--nonblock|--nb)(\s|$)/.test(opts) || /(^|\s)(-w|--wait|--timeout)[ =]0(\s|$)/.test(opts);
    return { overlap: { text: flock[1].trim(), nonBlocking } };
  }
  const runOne = /(?:^|[\s;&|(])((?:\/usr\/bin\/)?(run-one|run-this-one|lockrun)\b[^;&|]*)/.exec(command);
  if (runOne) return { overlap: { text: runOne[1].trim(), nonBlocking: runOne[2] !== 'run-this-one' } };
  return {};
}

/** Programs that only wrap the real command: how many arguments they take before it (timeout's duration, flock's lock file). */
const WRAPPERS: Readonly<Record<string, number>> = {
  'nice': 0, 'ionice': 0, 'nohup': 0, 'exec': 0, 'time': 0, 'chronic': 0, 'sudo': 0, 'env': 0, 'timeout': 1, 'flock': 1, 'run-one': 0, 'lockrun': 0,
};
/** Wrapper options followed by a value. */
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  nice: ['-n'], ionice: ['-c', '-n', '-p'], sudo: ['-u', '-g'], timeout: ['-s', '-k'], flock: ['-w', '-E'], env: ['-u'],
};
/** Interpreters whose first non-option argument names the job. */
const INTERPRETERS = /^(sh|bash|dash|zsh|ksh|python[0-9.]*|php[0-9.]*|node|nodejs|ruby|perl|Rscript|deno|bun|npx|tsx)$/;
/** Script names too generic to name a job alone: the next word joins them (`manage.py clearsessions`). */
const GENERIC = /^(manage|artisan|console|rake|make|npm|yarn|run|cron|main|index|app|script|task|job|wp|drush|cli)$/;
/** Commands that set up rather than do the job (`cd /srv && ./run.sh`). */
const SETUP = /^(cd|test|\[|\[\[|echo|true|:|export|sleep|source|\.)$/;
/** Shell keywords before a command (`if [ -x f ]; then f; fi`). */
const KEYWORDS = /^(if|then|else|elif|fi|do|done|while|until|!)$/;
/** Names the validator reserves for batchform's own files and stacks. */
const RESERVED: ReadonlySet<string> = new Set(RESERVED_BATCH_NAMES);
/** Room left for a stage's stack prefix in Lambda's 64-character function name. */
const MAX_NAME = 40;

/** A kebab-case job name from the command: the program (or script) it runs, with its subcommand when the program is generic. */
export function nameFromCommand(command: string): string {
  const base = (t: string) => t.replace(/["'()]/g, '').split('/').filter(Boolean).pop() ?? '';
  const commands = command
    .replace(/\s*(?:\d?>>?|&>>?|<)\s*(?:&\d|\S+)/g, ' ') // redirections
    .split(/\s*(?:&&|\|\||;|\|)\s*/)
    .map((part) => part.split(/\s+/).map((t) => t.replace(/^[({]+|[)}]+$/g, '')).filter(Boolean))
    .map((w) => w.slice(w.findIndex((t) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(t) && !KEYWORDS.test(t))))
    .filter((w) => w.length > 0 && !w[0].includes('='));
  const w = commands.find((c) => !SETUP.test(c[0])) ?? commands[0] ?? [];
  let i = 0;
  for (let prog = base(w[0] ?? ''); prog in WRAPPERS; prog = base(w[i] ?? '')) {
    i++;
    while (w[i] !== undefined && (w[i].startsWith('-') || (prog === 'env' && w[i].includes('=')))) i += OPTION_VALUES[prog]?.includes(w[i]) ? 2 : 1;
    i += WRAPPERS[prog];
    if (prog === 'flock' && (w[i] === '-c' || w[i] === '--command')) i++;
  }
  if (base(w[i] ?? '') === 'bundle' && w[i + 1] === 'exec') i += 2;
  let prog = base(w[i] ?? '');
  let parts: string[];
  const url = w.slice(i + 1).find((t) => /^["']?https?:\/\//.test(t));
  if ((prog === 'curl' || prog === 'wget') && url) {
    const u = url.replace(/["']/g, '').replace(/[?#].*$/, '');
    parts = [u.split('/').filter(Boolean).pop() ?? prog];
  } else if (prog === 'run-parts') {
    parts = [base(w.slice(i + 1).filter((t) => !t.startsWith('-')).pop() ?? prog)];
  } else {
    if (INTERPRETERS.test(prog)) {
      const script = w.slice(i + 1).findIndex((t) => !t.startsWith('-'));
      if (script >= 0) {
        i += 1 + script;
        prog = base(w[i]);
      }
    }
    parts = [prog.replace(/\.(sh|bash|py|php|js|mjs|cjs|ts|rb|pl)$/i, '')];
    const sub = w.slice(i + 1).find((t) => !t.startsWith('-'));
    if (GENERIC.test(parts[0]) && sub) parts.push(base(sub));
  }
  return kebab(parts.join('-')) || 'job';
}

function kebab(text: string): string {
  let k = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (k !== '' && !/^[a-z]/.test(k)) k = `job-${k}`;
  return k.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** `name`, or `name-2`, `name-3`...: the first not taken (with and without `suffix`), valid per NAME_PATTERN. */
function uniqueName(name: string, used: ReadonlySet<string>, suffix: string): string {
  const base = RESERVED.has(name) ? `${name}-job` : name;
  const free = (n: string) => !used.has(n) && (suffix === '' || !used.has(`${n}${suffix}`)) && !RESERVED.has(n);
  let candidate = base;
  for (let k = 2; !free(candidate); k++) candidate = `${base}-${k}`;
  if (!NAME_PATTERN.test(candidate)) throw new Error(`internal: derived batch name "${candidate}" does not match ${NAME_PATTERN}`);
  return candidate;
}
