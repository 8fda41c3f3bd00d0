// `batchform import-crontab <file>`: prints the batches a crontab becomes, as TypeScript for .projenrc.ts, and their handler stubs.
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { badInput, EXIT_CODES } from './exit-codes';
import { CrontabImport, ImportedBatch, importCrontab, isSystemCrontabPath } from '../model/crontab';
import { MAX_ALARM_EMAILS, MAX_DESCRIPTION_CHARS } from '../model/limits';
import { isTimeZone, suggestTimeZone } from '../schedule/timezone';
import { daylightSavingHours, UNIX_MACROS } from '../schedule/unix-cron';

/** The variable the second half of a split line reads to stand down on the first half's days. */
export const SKIP_DAYS_VARIABLE = 'CRON_SKIP_DAYS_OF_MONTH';

/** Options of {@link renderImport}. */
export interface RenderOptions {
  /** The crontab's path as given, named in the output. */
  readonly file: string;
  /**
   * Where `import { Schedule } from ...` points.
   * @default 'batchform'
   */
  readonly library?: string;
}

/** A TypeScript single-quoted string literal. */
function q(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A TypeScript object literal key: bare when it is an identifier. */
const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : q(k));

/** `{ minute: '0', hour: '3' }` */
function objectLiteral(o: Readonly<Record<string, string>>): string {
  const entries = Object.entries(o);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${q(v)}`).join(', ')} }`;
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00-${String(h).padStart(2, '0')}:59`;

/**
 * Why a batch's runs differ from Vixie cron's around a daylight-saving change, or undefined when they do not. cron runs a
 * fixed-time job whose time the clocks skip right after the change, and a job whose hour field starts with * in both passes
 * of a repeated hour; EventBridge Scheduler skips a time that does not exist and runs a repeated one once.
 */
export function daylightSavingNote(batch: ImportedBatch): string | undefined {
  const { skipped, repeated } = daylightSavingHours(batch.timezone);
  const unix = UNIX_MACROS[batch.unixSchedule.toLowerCase()] ?? batch.unixSchedule;
  const hourStar = unix.split(/\s+/)[1].startsWith('*');
  const hitsSkipped = hourStar ? [] : skipped.filter((h) => batch.schedule.hours.includes(h));
  const hitsRepeated = hourStar ? repeated.filter((h) => batch.schedule.hours.includes(h)) : [];
  const notes: string[] = [];
  if (hitsSkipped.length > 0) {
    notes.push(`on the spring-forward day ${hitsSkipped.map(hh).join(', ')} does not exist in ${batch.timezone}: `
      + 'EventBridge Scheduler skips the run, where cron ran it right after the change');
  }
  if (hitsRepeated.length > 0) {
    notes.push(`on the fall-back day ${hitsRepeated.map(hh).join(', ')} happens twice in ${batch.timezone}: `
      + 'cron ran this job (its hour is *) in both passes, EventBridge Scheduler runs each time once, at the first');
  }
  return notes.length ? `DST: ${notes.join('; ')}.` : undefined;
}

/** `text` as comment lines of at most about `width` characters, each starting with `prefix` (e.g. `'  // '`). */
function commentLines(text: string, prefix: string, width = 120): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
      out.push(`${prefix}${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(`${prefix}${line}`);
  return out;
}

/** The lines of one batch's declaration. */
function renderBatch(batch: ImportedBatch, result: CrontabImport): string[] {
  const out: string[] = [`  // line ${batch.line}: ${batch.text}`];
  const comment = (text: string) => out.push(...commentLines(text, '  // '));
  if (batch.schedule.part === 'days-of-month') {
    comment('cron(5) runs this line when EITHER its day of month or its weekday matches; an AWS rule takes one of the two, so it is two '
      + `batches: ${batch.name} (days of month) and ${batch.otherHalf} (weekdays, standing down on ${batch.name}'s days, so a day matching both runs once).`);
  }
  if (batch.user) comment(`cron ran it as ${batch.user}; the batch runs as its own IAM role: grant only what the job needs (policyStatements).`);
  const dst = daylightSavingNote(batch);
  if (dst) comment(dst);
  out.push('  {');
  out.push(`    name: ${q(batch.name)},`);
  const description = `crontab line ${batch.line}: ${batch.command}`;
  out.push(`    description: ${q(description.length > MAX_DESCRIPTION_CHARS ? `${description.slice(0, MAX_DESCRIPTION_CHARS - 3)}...` : description)},`);
  out.push(`    handler: ${q(batch.handler)},`);
  const unix = batch.unixSchedule.startsWith('@') ? `${batch.unixSchedule} = ${UNIX_MACROS[batch.unixSchedule.toLowerCase()]}` : batch.unixSchedule;
  out.push(`    schedule: Schedule.cron(${objectLiteral(batch.schedule.options as Record<string, string>)}), // ${batch.schedule.expression}, from ${unix}`);
  if (batch.timezoneSource !== 'default' && batch.timezone !== 'UTC') {
    const from = batch.timezoneSource === '--timezone' ? '--timezone' : `${batch.timezoneSource} (line ${batch.timezoneLine})`;
    out.push(`    timezone: ${q(batch.timezone)}, // from ${from}`);
  }
  const environment: Record<string, string> = { ...batch.environment };
  if (batch.schedule.skipDaysOfMonth) environment[SKIP_DAYS_VARIABLE] = batch.schedule.skipDaysOfMonth.join(',');
  if (Object.keys(environment).length > 0) out.push(`    environment: ${objectLiteral(environment)},`);
  if (batch.overlap) {
    const how = batch.overlap.nonBlocking
      ? 'skipped a run while the last still ran; with reserved concurrency 1 a late run waits instead (Lambda retries it for up to maxEventAgeSeconds, then dead-letters it)'
      : 'made a run wait for the last one; reserved concurrency 1 does the same (for up to maxEventAgeSeconds)';
    out.push(...commentLines(`\`${batch.overlap.text}\` ${how}.`, '    // '));
    out.push('    reservedConcurrency: 1, // runs never overlap (the default)');
  }
  if (batch.mailto === '' && result.mailto.length > 0) {
    out.push(...commentLines('MAILTO="" above this line: cron mailed nobody; batchform\'s alarms still go to the stage\'s alarmEmails (alarms: false turns them off).', '    // '));
  }
  out.push('  },');
  return out;
}

/** The TypeScript module a crontab becomes: its batches, then every line and variable it could not carry over, as comments. */
export function renderImport(result: CrontabImport, options: RenderOptions): string {
  const library = options.library ?? 'batchform';
  const out: string[] = [
    `// The batches of ${options.file}, converted by batchform import-crontab: ${result.batches.length} batch${result.batches.length === 1 ? '' : 'es'}`
      + `${result.refused.length ? `; ${result.refused.length} line${result.refused.length === 1 ? '' : 's'} not converted (at the end)` : ''}.`,
    '// Save this as crontab-batches.ts beside .projenrc.ts and add them there: new Batchform(project, { ..., batches: [...crontabBatches] });',
    '// Then write each handler (handlers/<name>.ts: see the stubs at the end, or pass --out . to write them), run npx projen and',
    '// compare the run times with npx projen schedule.',
    '//',
    '// A batch\'s runs never overlap (reservedConcurrency: 1 is the default); cron started a run even while the last one still ran:',
    '// set reservedConcurrency: false on a batch whose runs may overlap.',
  ];
  if (result.assumedUtc) {
    out.push('//', '// The lines no CRON_TZ or TZ line covers are read in UTC (no --timezone). cron read them in the server\'s local time zone;',
      '// if that was not UTC, import again with --timezone <zone> (e.g. --timezone Europe/Berlin; see timedatectl or /etc/timezone on the server).');
  }
  for (const mail of result.mailto) {
    const addresses = mail.split(/[\s,]+/).filter(Boolean);
    out.push('//', `// MAILTO=${mail}: cron mailed the output of every run there. batchform mails no output (it is in the function's log group:`,
      '// npx projen logs <batch> --stage <stage>); it e-mails its alarms (a run failed, was missed or could not be delivered) to each stage\'s',
      '// alarmEmails, which every address confirms once. In each stage of new Batchform(project, { stages: [...] }):',
      `//   alarmEmails: [${addresses.slice(0, MAX_ALARM_EMAILS).map(q).join(', ')}],`);
    if (addresses.length > MAX_ALARM_EMAILS) out.push(`// (at most ${MAX_ALARM_EMAILS} addresses: use a mailing list, or an SNS topic as the stage's alarmTopicArn)`);
  }
  if (result.mailto.length > 1) out.push('// (alarm e-mails are per stage, not per batch: choose one list, or send the alarms to an SNS topic as alarmTopicArn)');
  out.push('', `import type { BatchOptions } from ${q(library)};`, `import { Schedule } from ${q(library)};`, '');
  out.push('export const crontabBatches: BatchOptions[] = [');
  for (const b of result.batches) out.push(...renderBatch(b, result));
  out.push('];');
  if (result.variables.length > 0) {
    out.push('', '// Variables not carried over:');
    for (const v of result.variables) out.push(`//   line ${v.line}: ${v.name}=${v.value} (${v.note})`);
  }
  if (result.refused.length > 0) {
    out.push('', '// Not converted:');
    for (const r of result.refused) out.push(`//   line ${r.line}: ${r.text}`, ...commentLines(r.reason, '//     '));
  }
  return `${out.join('\n')}\n`;
}

/** The handler stub of a batch (the first half of a split line writes the stub both halves share). */
export function renderStub(batch: ImportedBatch, result: CrontabImport, file: string, library = 'batchform/runtime'): string {
  const other = result.batches.find((b) => b.name === batch.otherHalf);
  const split = batch.otherHalf !== undefined;
  const lines = [
    `// ${batch.handler}: the job of crontab line ${batch.line} of ${file}, converted by batchform import-crontab.`,
    `//   ${batch.text}`,
    '// Port what the command does into this handler (Lambda has none of the server\'s programs or files), then remove the throw.',
  ];
  if (batch.user) lines.push(`// cron ran it as ${batch.user}; the batch runs as its IAM role.`);
  if (split) {
    lines.push(`// Batches ${batch.name} and ${other?.name} both run this handler: ${other?.name} stands down on the days of the month in`,
      `// ${SKIP_DAYS_VARIABLE} (${batch.name} runs then), as cron(5) ran the line once on a day matching both its day fields.`);
  }
  lines.push(
    `import { batch${split ? ', localDate' : ''} } from ${q(library)};`,
    '',
    '/** What cron ran with the shell. */',
    `const COMMAND = ${q(batch.command)};`,
  );
  if (batch.stdin !== undefined) {
    lines.push('/** What cron wrote to the command\'s standard input (cron(5): the text after the first unescaped %, each further % a newline). */',
      `const STDIN = ${q(batch.stdin)};`);
  }
  lines.push('', 'export const handler = batch(async (run) => {');
  if (split) {
    lines.push(
      `  const skipDays = (process.env.${SKIP_DAYS_VARIABLE} ?? '').split(',').filter(Boolean).map(Number);`,
      '  if (skipDays.includes(Number(localDate(run.time, run.timezone).slice(8)))) {',
      '    run.logger.info(\'standing down: the days-of-month batch runs today\', { skipDays });',
      '    return { skipped: true };',
      '  }',
    );
  }
  lines.push(
    `  run.logger.info('crontab job', { command: COMMAND${batch.stdin !== undefined ? ', stdin: STDIN' : ''} });`,
    `  throw new Error(\`${batch.handler} is not ported yet: cron ran \${COMMAND}\`);`,
    '});',
  );
  return `${lines.join('\n')}\n`;
}

/** What the import wrote (or kept) under `--out`. */
export interface StubWrite {
  readonly file: string;
  readonly written: boolean;
}

/** Writes each batch's stub under `dir` (`<dir>/handlers/<name>.ts`), keeping files that exist. */
export function writeStubs(result: CrontabImport, dir: string, file: string): StubWrite[] {
  return result.batches.filter((b) => b.ownsHandler).map((b) => {
    const target = path.join(dir, b.handler);
    if (fs.existsSync(target)) return { file: target, written: false };
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, renderStub(b, result, file), { flag: 'wx' });
    return { file: target, written: true };
  });
}

/** The summary for stderr: what was converted, every line that was not and why. */
export function renderSummary(result: CrontabImport, file: string, jobLines: number): string {
  const lines = [`import-crontab: ${result.batches.length} batch${result.batches.length === 1 ? '' : 'es'} from ${jobLines} job line${jobLines === 1 ? '' : 's'} of ${file}.`];
  if (result.refused.length > 0) {
    lines.push(`${result.refused.length} line${result.refused.length === 1 ? '' : 's'} not converted:`);
    for (const r of result.refused) lines.push(`  line ${r.line}: ${r.reason}`);
  }
  if (result.assumedUtc && result.batches.length > 0) lines.push('The lines no CRON_TZ or TZ line covers are read in UTC; pass --timezone <zone> if the server ran in another zone.');
  return lines.join('\n');
}

/** Registers `import-crontab`. */
export function registerImportCrontabCommand(program: Command, io: { out?: (t: string) => void; err?: (t: string) => void } = {}): void {
  program.command('import-crontab')
    .description('print the batches a crontab becomes (TypeScript for .projenrc.ts) and their handler stubs; every line it cannot convert is explained')
    .argument('<file>', 'the crontab, e.g. the output of crontab -l, /etc/crontab or a file in /etc/cron.d')
    .option('--format <format>', 'user (m h dom mon dow command) | system (a user before the command) | auto: system for /etc/crontab and /etc/cron.d/*', 'auto')
    .option('--timezone <zone>', 'the IANA zone the server (cron) ran in, for lines no CRON_TZ covers (default: a TZ= line, else UTC)')
    .option('--out <dir>', 'also write the handler stubs to <dir>/handlers/<name>.ts (an existing file is kept)')
    .addHelpText('after', '\nExample: batchform import-crontab crontab.txt --timezone Europe/Berlin --out . > crontab-batches.ts\n'
      + 'Exit codes: 0 every job line converted; 1 some line not converted (the rest is printed, each such line with its reason); '
      + '2 bad input (a file that cannot be read, an unknown --timezone or --format).')
    .action((file: string, opts: { format: string; timezone?: string; out?: string }) => {
      const out = io.out ?? ((t: string) => process.stdout.write(t));
      const err = io.err ?? ((t: string) => process.stderr.write(`${t}\n`));
      if (!['auto', 'user', 'system'].includes(opts.format)) throw badInput(`--format "${opts.format}" is not one of user, system, auto.`, { field: '--format' });
      if (opts.timezone !== undefined && !isTimeZone(opts.timezone)) {
        const hint = suggestTimeZone(opts.timezone);
        throw badInput(`--timezone "${opts.timezone}" is not an IANA time-zone name; ${hint ? `did you mean ${hint}?` : 'use e.g. Europe/Berlin or UTC.'}`, { field: '--timezone' });
      }
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw badInput(`cannot read the crontab ${file}: ${(e as Error).message}. Save it first, e.g. crontab -l > crontab.txt`, { cause: e });
      }
      const system = opts.format === 'system' || (opts.format === 'auto' && isSystemCrontabPath(path.resolve(file)));
      const result = importCrontab(text, { system, timezone: opts.timezone });
      let printed = renderImport(result, { file });
      const owners = result.batches.filter((b) => b.ownsHandler);
      if (opts.out === undefined && owners.length > 0) {
        printed += '\n// Handler stubs (pass --out . to write them as files):\n';
        for (const b of owners) printed += `\n// ----- ${b.handler} -----\n${renderStub(b, result, file).trimEnd().split('\n').map((l) => `// ${l}`.trimEnd()).join('\n')}\n`;
      }
      out(printed);
      const jobLines = new Set([...result.batches.map((b) => b.line), ...result.refused.map((r) => r.line)]).size;
      err(renderSummary(result, file, jobLines));
      if (opts.out !== undefined) {
        for (const w of writeStubs(result, opts.out, file)) err(w.written ? `wrote ${w.file}` : `kept ${w.file} (it exists)`);
      }
      if (result.refused.length > 0) process.exitCode = EXIT_CODES['run-failed'];
    });
}
