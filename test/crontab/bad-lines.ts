// Crontab lines import-crontab refuses, each with the exact reason it prints: the "Lines it refuses" table of
// docs/guides/migrate-from-crontab.md is rendered from this list (bad-lines.test.ts keeps it current).

/** One refused line: the crontab (the last line is the refused one) and the exact reason. */
export interface BadLineCase {
  readonly title: string;
  /** The crontab text; its last line is the one refused. */
  readonly crontab: string;
  /** System format (/etc/crontab, /etc/cron.d). */
  readonly system?: boolean;
  readonly reason: string;
}

export const BAD_LINES: BadLineCase[] = [
  {
    title: '@reboot',
    crontab: '@reboot /srv/bin/warm-cache',
    reason: '@reboot runs the command once when the cron daemon starts (cron(5)); a batch runs on a schedule and there is no machine that boots: '
      + 'run the command from whatever starts the service now (a container entrypoint, a deploy step), or invoke the batch by hand once with npx projen run',
  },
  {
    title: 'an @ shorthand cron(5) does not have',
    crontab: '@every 5m /srv/bin/poll',
    reason: '"@every" is not one of cron(5)\'s shorthands (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @reboot)',
  },
  {
    title: 'both day fields must match (one starts with *)',
    crontab: '0 0 */2 * 1-5 /srv/bin/odd-weekdays',
    reason: 'day-of-month "*/2" and day-of-week "1-5" must BOTH match (cron(5) reads a day field starting with * as unrestricted, and then runs only on days '
      + 'matching both), and an AWS cron rule restricts only one of the two: write the day-of-month as a list or range (then cron runs on either day) '
      + 'and import again, or keep one field and check the other in the handler',
  },
  {
    title: 'a step after a single value',
    crontab: '0 0 1/2 * * /srv/bin/odd-days',
    reason: 'day-of-month "1/2": cron(5) allows a step only after a range or *; write 1-31/2 for "from 1 on"',
  },
  {
    title: 'a day no month it names has',
    crontab: '0 0 31 4,6,9,11 * /srv/bin/never',
    reason: '"0 0 31 4,6,9,11 *" never runs: no month it names has day 31 (cron accepts it and never runs it)',
  },
  { title: 'a value out of range', crontab: '0 24 * * * /srv/bin/midnight', reason: 'hour "24" is out of range (0-23)' },
  { title: 'day-of-week 8', crontab: '0 0 * * 8 /srv/bin/x', reason: 'day-of-week "8" is out of range (0-7)' },
  {
    title: 'a range that wraps around',
    crontab: '0 22-2 * * * /srv/bin/night',
    reason: 'hour "22-2": the range runs backwards; cron does not wrap around, write 22-23,0-2',
  },
  {
    title: 'L or W (Quartz/AWS syntax)',
    crontab: '0 0 L * * /srv/bin/month-end',
    reason: 'day-of-month "L": L and W are Quartz/AWS syntax, not crontab\'s (cron(5) has no last-day or nearest-weekday)',
  },
  {
    title: '? or # (Quartz/AWS syntax)',
    crontab: '0 0 * * 5#3 /srv/bin/third-friday',
    reason: '"5#3" is not a schedule field (digits, names, * , - /); ?, L, W and # are Quartz/AWS syntax, not crontab\'s',
  },
  {
    title: 'a full day name',
    crontab: '0 0 * * monday /srv/bin/x',
    reason: 'day-of-week "monday" is neither a number (0-7) nor a three-letter name (SUN, MON, ...)',
  },
  { title: 'a word where a number goes', crontab: '0 abc * * * /srv/bin/x', reason: 'hour "abc" is not a number (0-23)' },
  { title: 'a range with two hyphens', crontab: '1-2-3 * * * * /srv/bin/x', reason: 'minute "1-2-3" is not *, a value or a range a-b' },
  { title: 'a step of 0', crontab: '*/0 * * * * /srv/bin/x', reason: 'minute "*/0": the step "0" is not a whole number of at least 1' },
  { title: 'an empty list value', crontab: '0 0,,5 * * * /srv/bin/x', reason: 'hour "0,,5" has an empty value between commas' },
  {
    title: 'six schedule fields (AWS or Quartz cron)',
    crontab: '0 0 * * ? * /srv/bin/x',
    reason: '"?" is not a schedule field (digits, names, * , - /); ?, L, W and # are Quartz/AWS syntax, not crontab\'s',
  },
  {
    title: 'six numeric fields',
    crontab: '0 0 * * * * /srv/bin/x',
    reason: 'the command would be "*": the line has a sixth schedule field (AWS or Quartz cron has six or seven); a crontab schedule has five',
  },
  { title: 'no command', crontab: '0 5 * * *', reason: 'there is no command after the schedule' },
  {
    title: 'too few fields',
    crontab: '0 5 * *',
    reason: 'only 4 fields and no command: a job line is five schedule fields (or an @ shorthand) and a command',
  },
  {
    title: 'only standard input',
    crontab: '0 5 * * * %hello',
    reason: 'the command is empty (everything after the schedule is standard input: cron(5) reads an unescaped % as the end of the command)',
  },
  {
    title: 'neither a job, a variable nor a comment',
    crontab: 'echo hello',
    reason: 'not a job, a variable (NAME=value) or a comment (#): a job starts with five schedule fields or an @ shorthand such as @daily',
  },
  {
    title: 'a CRON_TZ that is not an IANA zone',
    crontab: 'CRON_TZ=Europe/Berln\n0 0 * * * /srv/bin/x',
    reason: 'CRON_TZ "Europe/Berln" (line 1) is not an IANA time-zone name (did you mean Europe/Berlin?): correct that line and import again',
  },
  {
    title: 'a legacy zone name',
    crontab: 'CRON_TZ=Japan\n0 0 * * * /srv/bin/x',
    reason: 'CRON_TZ "Japan" (line 1) is not an IANA time-zone name such as Europe/Berlin: correct that line and import again',
  },
  {
    title: 'system format without a user',
    crontab: '0 0 * * * root',
    system: true,
    reason: 'a system crontab line (/etc/crontab, /etc/cron.d) needs a user and a command after the schedule',
  },
  {
    title: 'a user crontab read as system format',
    crontab: '0 0 * * * /srv/bin/x --full',
    system: true,
    reason: '"/srv/bin/x" is not a user name, which a system crontab line (/etc/crontab, /etc/cron.d) has before the command: '
      + 'if this is a user\'s crontab, import it with --format user',
  },
];

/** The guide's table of refused lines, in Markdown. */
export function renderBadLines(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
  return [
    '| Line | Why it is refused |',
    '| --- | --- |',
    ...BAD_LINES.map((c) => `| ${c.system ? '(system format) ' : ''}\`${cell(c.crontab).replace(/<br>/g, '` `')}\` | ${cell(c.reason)} |`),
  ].join('\n');
}
