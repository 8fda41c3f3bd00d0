// The crontab corpus (corpus.crontab): every line import-crontab accepts fires, over 366 days, at exactly the instants the
// Unix line fires (computed by cron-parser, with cron(5)'s day rule applied explicitly), and every line it refuses is printed with its reason.
import * as fs from 'fs';
import * as path from 'path';
import { CronExpressionParser } from 'cron-parser';
import * as ts from 'typescript';
import { daylightSavingNote, renderImport, renderSummary } from '../../src/cli/import-crontab';
import { BatchOptions, Schedule } from '../../src/index';
import { importCrontab, ImportedBatch } from '../../src/model/crontab';
import { NAME_PATTERN } from '../../src/model/names';
import { localDate } from '../../src/runtime/dates';
import { runEvents } from '../../src/schedule/next-runs';
import { utcOffsetMinutes } from '../../src/schedule/timezone';
import { UNIX_MACROS } from '../../src/schedule/unix-cron';
import { validateDeclarations } from '../../src/validate/validate';
import { BASE_STAGE } from '../catalogue/cases';

const FILE = path.join(__dirname, 'corpus.crontab');
const TEXT = fs.readFileSync(FILE, 'utf8');
const RESULT = importCrontab(TEXT);
const DAY = 24 * 3600_000;
// Not on a minute, so no run sits exactly on a bound; the year holds both DST changes and 29 February 2028.
const START = new Date('2027-06-01T00:00:30Z');
const END = new Date(START.getTime() + 366 * DAY);

interface CorpusLine {
  readonly line: number;
  readonly text: string;
  /** The comment above the line: where its meaning comes from. */
  readonly meaning: string;
  /** Words the refusal's reason must contain, for a line the import must refuse. */
  readonly refused?: string;
}

/** The job lines of the corpus with their annotations (read here, independently of the importer). */
const CORPUS: CorpusLine[] = (() => {
  const lines = TEXT.split('\n');
  const out: CorpusLine[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(text)) return;
    const comments: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j].trim().startsWith('#'); j--) comments.unshift(lines[j].trim().replace(/^#\s*/, ''));
    const refused = comments.find((c) => c.startsWith('refused: '))?.slice('refused: '.length);
    out.push({ line: i + 1, text, meaning: comments.filter((c) => !c.startsWith('refused: ')).join(' '), ...(refused ? { refused } : {}) });
  });
  return out;
})();

/**
 * Instants (ms) cron-parser gives for a five-field expression in `tz`, strictly between START and END.
 *
 * cron-parser takes about 0.1 ms a run, so a year of "* * * * *" would take a minute: it walks whole days (zones whose
 * clocks never change) or whole hours (zones that change them on the hour, as every corpus zone does), and the times of
 * day (or minutes) it read from the expression are added to each. That is exact under those conditions, and keeps the
 * fields, the day rule and the time-zone handling cron-parser's.
 */
function cronParserRuns(expression: string, tz: string): number[] {
  const [, h, dom, mon, dow] = expression.split(' ');
  const fields = CronExpressionParser.parse(expression).fields;
  const minutes = fields.minute.values.map(Number);
  const byDay = clockChanges(tz).length === 0;
  const offsets = byDay ? fields.hour.values.flatMap((hour) => minutes.map((m) => Number(hour) * 60 + m)) : minutes;
  const it = CronExpressionParser.parse(byDay ? `0 0 ${dom} ${mon} ${dow}` : `0 ${h} ${dom} ${mon} ${dow}`, {
    currentDate: new Date(START.getTime() - DAY), endDate: END, tz,
  });
  const out: number[] = [];
  while (it.hasNext()) {
    const base = it.next().getTime();
    for (const o of offsets) {
      const t = base + o * 60_000;
      if (t > START.getTime() && t < END.getTime()) out.push(t);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * When the Unix line runs. cron-parser reads both day fields as "either" only when neither is "*" or covers every value
 * (so "1-31" counts as unrestricted there); Vixie cron and cronie, whose cron(5) this follows, make a field unrestricted
 * exactly when it starts with "*" ("*\/2" too). So the day rule is applied here: each day field alone through cron-parser,
 * then the union (both restricted) or the intersection.
 */
function unixRuns(schedule: string, tz: string): number[] {
  const [m, h, dom, mon, dow] = (UNIX_MACROS[schedule.toLowerCase()] ?? schedule).split(/\s+/);
  if (dom === '*' || dow === '*') return cronParserRuns(`${m} ${h} ${dom} ${mon} ${dow}`, tz);
  const byDay = cronParserRuns(`${m} ${h} ${dom} ${mon} *`, tz);
  const byWeekday = cronParserRuns(`${m} ${h} * ${mon} ${dow}`, tz);
  if (!dom.startsWith('*') && !dow.startsWith('*')) return [...new Set([...byDay, ...byWeekday])].sort((a, b) => a - b);
  const weekdays = new Set(byWeekday);
  return byDay.filter((t) => weekdays.has(t));
}

/**
 * When the line's batches run, by batchform's schedule code (what npx projen schedule shows); a days-of-week half stands
 * down on its skip days. `limit` bounds the runs computed per batch (the search does not stop at END by itself): one more
 * than cron's count, so a batch that runs too often still shows it.
 */
function batchRuns(batches: readonly ImportedBatch[], limit: number): number[] {
  const all = batches.flatMap((b) => runEvents(b.schedule.expression, limit, START, { timeZone: b.timezone, endDate: END })
    .flatMap((e) => (e.kind === 'run' ? [e.at.getTime()] : []))
    .filter((t) => !b.schedule.skipDaysOfMonth?.includes(Number(localDate(new Date(t), b.timezone).slice(8)))));
  return all.sort((a, b) => a - b);
}

/** The instants the zone's clocks change between START and END. */
function clockChanges(zone: string): number[] {
  let out = CHANGES.get(zone);
  if (out) return out;
  out = [];
  const offset = (t: number) => utcOffsetMinutes(new Date(t), zone);
  for (let t = START.getTime() - 30_000; t < END.getTime(); t += 3600_000) {
    if (offset(t) === offset(t + 3600_000)) continue;
    // cronParserRuns relies on changes on the hour, by whole hours.
    if (offset(t + 3600_000 - 60_000) !== offset(t) || (offset(t + 3600_000) - offset(t)) % 60 !== 0) throw new Error(`${zone} changes its clocks off the hour`);
    out.push(t + 3600_000);
  }
  CHANGES.set(zone, out);
  return out;
}
const CHANGES = new Map<string, number[]>();

/** The first place two sorted lists of instants differ, in words; undefined when they are equal (duplicates count). */
function firstDifference(actual: number[], expected: number[]): string | undefined {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    if (actual[i] !== expected[i]) {
      const show = (t: number | undefined) => (t === undefined ? 'nothing' : new Date(t).toISOString());
      return `run ${i}: batchform ${show(actual[i])}, cron ${show(expected[i])} (${actual.length} vs ${expected.length} runs)`;
    }
  }
  return undefined;
}

const ACCEPTED = CORPUS.filter((c) => c.refused === undefined);
const REFUSED = CORPUS.filter((c) => c.refused !== undefined);

test('the corpus has at least 50 job lines, each with the comment naming its meaning', () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(50);
  expect(ACCEPTED.length).toBeGreaterThanOrEqual(45);
  for (const c of CORPUS) expect({ line: c.line, meaning: c.meaning.length > 10 }).toEqual({ line: c.line, meaning: true });
});

test('the import converts exactly the lines the corpus expects it to, into valid, unique batch names', () => {
  expect([...new Set(RESULT.batches.map((b) => b.line))]).toEqual(ACCEPTED.map((c) => c.line));
  expect(RESULT.refused.map((r) => r.line)).toEqual(REFUSED.map((c) => c.line));
  const names = RESULT.batches.map((b) => b.name);
  expect(new Set(names).size).toBe(names.length);
  for (const n of names) expect(n).toMatch(NAME_PATTERN);
});

describe.each(ACCEPTED.map((c) => [c.line, c.text, c] as const))('line %i: %s', (_line, _text, c) => {
  test('runs at the Unix line\'s times for 366 days', () => {
    const batches = RESULT.batches.filter((b) => b.line === c.line);
    const unixSchedule = batches[0].unixSchedule;
    const zone = batches[0].timezone;
    const expected = unixRuns(unixSchedule, zone);
    const actual = batchRuns(batches, expected.length + 1);
    expect(expected.length).toBeGreaterThan(0);
    const note = daylightSavingNote(batches[0]);
    if (note === undefined) {
      expect(firstDifference(actual, expected)).toBeUndefined();
    } else {
      // Around a clock change cron and the Scheduler differ as the note says; everywhere else they agree.
      const changes = clockChanges(zone);
      const away = (t: number) => changes.every((ch) => Math.abs(t - ch) > 3 * 3600_000);
      expect(changes.length).toBe(2);
      expect(firstDifference(actual.filter(away), expected.filter(away))).toBeUndefined();
    }
  });
});

test('an "either" line is two batches, the weekday half standing down on the other half\'s days, so a day matching both runs once', () => {
  const payroll = RESULT.batches.filter((b) => b.text.includes('payroll-export'));
  expect(payroll.map((b) => [b.name, b.schedule.expression, b.schedule.skipDaysOfMonth, b.handler])).toEqual([
    ['payroll-export', 'cron(0 4 1,15 * ? *)', undefined, 'handlers/payroll-export.ts'],
    ['payroll-export-weekdays', 'cron(0 4 ? * FRI *)', [1, 15], 'handlers/payroll-export.ts'],
  ]);
  // 15 October 2027 is a Friday: cron runs once that day; without the stand-down the two batches would run twice.
  const oct15 = Date.parse('2027-10-15T04:00:00Z');
  expect(batchRuns(payroll, 200).filter((t) => t === oct15)).toHaveLength(1);
  const unguarded = payroll.flatMap((b) => runEvents(b.schedule.expression, 1000, START, { endDate: END })).filter((e) => e.kind === 'run' && e.at.getTime() === oct15);
  expect(unguarded).toHaveLength(2);
});

test('a time the clocks skip is noted, and is the only difference from cron (EventBridge Scheduler skips it)', () => {
  const night = RESULT.batches.find((b) => b.name === 'berlin-night')!;
  expect(daylightSavingNote(night)).toBe('DST: on the spring-forward day 02:00-02:59 does not exist in Europe/Berlin: '
    + 'EventBridge Scheduler skips the run, where cron ran it right after the change.');
  const expected = unixRuns('30 2 * * *', 'Europe/Berlin');
  const actual = batchRuns([night], expected.length + 1);
  expect(expected.length - actual.length).toBe(1);
  const missing = expected.filter((t) => !actual.includes(t)).map((t) => new Date(t).toISOString());
  expect(missing).toEqual(['2028-03-26T01:30:00.000Z']); // cron-parser runs it at 03:30 CEST, after the change
  expect(daylightSavingNote(RESULT.batches.find((b) => b.name === 'berlin-open')!)).toBeUndefined();
  expect(daylightSavingNote(RESULT.batches.find((b) => b.name === 'berlin-poll')!)).toContain('on the spring-forward day 02:00-02:59 does not exist');
  // A job whose hour starts with * ran in both passes of the repeated hour under cron (cron-parser, like the Scheduler, runs it once).
  const hourly = importCrontab('CRON_TZ=Europe/Berlin\n@hourly /usr/local/bin/tick\n').batches[0];
  expect(daylightSavingNote(hourly)).toBe('DST: on the fall-back day 02:00-02:59 happens twice in Europe/Berlin: '
    + 'cron ran this job (its hour is *) in both passes, EventBridge Scheduler runs each time once, at the first.');
});

test('the zone of each line is its CRON_TZ, else UTC', () => {
  const zoneOf = (name: string) => RESULT.batches.find((b) => b.name === name)!;
  expect([zoneOf('poll-queue').timezone, zoneOf('poll-queue').timezoneSource]).toEqual(['UTC', 'default']);
  expect([zoneOf('daily-job').timezone, zoneOf('daily-job').timezoneSource]).toEqual(['Asia/Tokyo', 'CRON_TZ']);
  expect([zoneOf('market-open').timezone, zoneOf('market-open').timezoneLine]).toEqual(['America/New_York', CORPUS.length && TEXT.split('\n').indexOf('CRON_TZ=America/New_York') + 1]);
  expect(RESULT.assumedUtc).toBe(true);
});

describe.each(REFUSED.map((c) => [c.line, c.text, c] as const))('refused line %i: %s', (_line, _text, c) => {
  test('is printed with its reason, in the output and the summary', () => {
    const refusal = RESULT.refused.find((r) => r.line === c.line)!;
    expect(refusal.reason).toContain(c.refused);
    const output = renderImport(RESULT, { file: 'corpus.crontab' });
    expect(output).toContain(`//   line ${c.line}: ${c.text}\n`);
    const after = output.slice(output.indexOf(`//   line ${c.line}: ${c.text}\n`)).split('\n').slice(1);
    const reason = after.slice(0, after.findIndex((l) => !l.startsWith('//     '))).map((l) => l.slice('//     '.length)).join(' ');
    expect(reason).toBe(refusal.reason);
    expect(renderSummary(RESULT, 'corpus.crontab', CORPUS.length)).toContain(`  line ${c.line}: ${refusal.reason}\n`);
  });
});

// The printed module, run: its batches are the ones planned, and batchform's validation accepts them (test/crontab/output-compiles.slow.test.ts type-checks it).
test('the declared batches pass batchform\'s validation, with the schedules the import computed', () => {
  const js = ts.transpileModule(renderImport(RESULT, { file: 'corpus.crontab' }), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const exports: { crontabBatches?: BatchOptions[] } = {};
  const load = (name: string) => {
    if (name !== 'batchform') throw new Error(`unexpected import ${name}`);
    return { Schedule };
  };
  new Function('require', 'exports', js)(load, exports);
  const batches = exports.crontabBatches!;
  expect(batches.map((b) => b.name)).toEqual(RESULT.batches.map((b) => b.name));
  const validated = validateDeclarations({ batches, stages: [BASE_STAGE] }, { fileExists: () => true });
  expect(validated.batches.map((b) => [b.schedule.expression, b.timezone])).toEqual(RESULT.batches.map((b) => [b.schedule.expression, b.timezone]));
});
