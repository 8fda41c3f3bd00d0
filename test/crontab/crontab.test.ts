// Reading a crontab (cron(5)): variables, zones, MAILTO, % in commands, overlap guards, system format and batch names.
import { importCrontab, isSystemCrontabPath, nameFromCommand, splitPercent } from '../../src/model/crontab';
import { convertUnixCron } from '../../src/schedule/unix-cron';

describe('schedules', () => {
  test.each([
    ['30 2 * * 1-5', ['cron(30 2 ? * MON-FRI *)']],
    ['0 0 * * 0', ['cron(0 0 ? * SUN *)']],
    ['0 0 * * 7', ['cron(0 0 ? * SUN *)']],
    ['0 0 * * 5-7', ['cron(0 0 ? * SUN,FRI,SAT *)']],
    ['0 0 * * 0-6', ['cron(0 0 * * ? *)']],
    ['0 0 * * */2', ['cron(0 0 ? * SUN,TUE,THU,SAT *)']],
    ['0 0 * jan-mar mon', ['cron(0 0 ? JAN-MAR MON *)']],
    ['*/10 8-18/2 1,15 * *', ['cron(*/10 8-18/2 1,15 * ? *)']],
    ['0 9 1 * 1', ['cron(0 9 1 * ? *)', 'cron(0 9 ? * MON *)']],
    ['0 9 30 2 1', ['cron(0 9 ? 2 MON *)']], // the day-of-month half never fires: only Mondays in February are left
    ['0 9 1-31 * 1', ['cron(0 9 * * ? *)']],
    ['0 9 */1 * 1', ['cron(0 9 ? * MON *)']],
    ['@weekly', ['cron(0 0 ? * SUN *)']],
    ['@HOURLY', ['cron(0 * * * ? *)']],
  ])('%s', (unix, expected) => {
    const c = convertUnixCron(unix);
    expect(c.ok && c.schedules.map((s) => s.expression)).toEqual(expected);
  });
});

describe('variables, zones and mail', () => {
  test('environment lines reach the jobs below them; cron\'s and Lambda\'s own variables are listed with the reason', () => {
    const r = importCrontab([
      'SHELL=/bin/bash', 'A_B = "two words"', 'AWS_REGION=eu-west-1', 'X=1', '0 1 * * * /bin/first', "C_D='q'", '0 2 * * * /bin/second',
    ].join('\n'));
    expect(r.batches.map((b) => b.environment)).toEqual([{ A_B: 'two words' }, { A_B: 'two words', C_D: 'q' }]);
    expect(r.variables.map((v) => [v.line, v.name])).toEqual([[1, 'SHELL'], [3, 'AWS_REGION'], [4, 'X']]);
    expect(r.variables[2].note).toContain('at least two characters');
  });

  test('CRON_TZ beats --timezone, which beats TZ; with none the import says it read UTC', () => {
    const text = 'TZ=Asia/Seoul\n0 1 * * * /bin/a\nCRON_TZ=Asia/Tokyo\n0 2 * * * /bin/b\n';
    expect(importCrontab(text).batches.map((b) => [b.timezone, b.timezoneSource])).toEqual([['Asia/Seoul', 'TZ'], ['Asia/Tokyo', 'CRON_TZ']]);
    expect(importCrontab(text, { timezone: 'Europe/Paris' }).batches.map((b) => b.timezone)).toEqual(['Europe/Paris', 'Asia/Tokyo']);
    expect(importCrontab(text).assumedUtc).toBe(false);
    expect(importCrontab('0 1 * * * /bin/a').assumedUtc).toBe(true);
  });

  test('MAILTO: the addresses in force per job, "" for no mail', () => {
    const r = importCrontab('0 1 * * * /bin/a\nMAILTO=ops@example.com\n0 2 * * * /bin/b\nMAILTO=""\n0 3 * * * /bin/c\n');
    expect(r.batches.map((b) => b.mailto)).toEqual([undefined, 'ops@example.com', '']);
    expect(r.mailto).toEqual(['ops@example.com']);
  });
});

describe('commands', () => {
  test('% ends the command and starts standard input, further % are newlines, \\% is a %', () => {
    expect(splitPercent('mail -s "It\'s 10pm" joe%Joe,%%Where are your kids?%')).toEqual({ command: 'mail -s "It\'s 10pm" joe', stdin: 'Joe,\n\nWhere are your kids?\n' });
    expect(splitPercent('date +\\%F > /tmp/d')).toEqual({ command: 'date +%F > /tmp/d' });
  });

  test('a # after the schedule is part of the command (cron(5): comments are whole lines)', () => {
    expect(importCrontab('0 1 * * * /bin/a # nightly').batches[0].command).toBe('/bin/a # nightly');
  });

  test.each([
    ['flock -n /tmp/x.lock /bin/job', { text: 'flock -n /tmp/x.lock', nonBlocking: true }],
    ['/usr/bin/flock -xn /tmp/x.lock -c "/bin/job"', { text: '/usr/bin/flock -xn /tmp/x.lock', nonBlocking: true }],
    ['flock -w 0 /tmp/x.lock /bin/job', { text: 'flock -w 0 /tmp/x.lock', nonBlocking: true }],
    ['flock /tmp/x.lock /bin/job', { text: 'flock /tmp/x.lock', nonBlocking: false }],
    ['cd /srv && run-one /bin/job', { text: 'run-one /bin/job', nonBlocking: true }],
    ['/bin/job', undefined],
  ])('overlap guard of %s', (command, overlap) => {
    expect(importCrontab(`0 1 * * * ${command}`).batches[0].overlap).toEqual(overlap);
  });

  test.each([
    ['/usr/local/bin/backup.sh --full >> /var/log/backup.log 2>&1', 'backup'],
    ['test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )', 'cron-daily'],
    ['cd /srv/app && php artisan schedule:run >> /dev/null 2>&1', 'artisan-schedule-run'],
    ['/srv/venv/bin/python /srv/app/manage.py clearsessions', 'manage-clearsessions'],
    ['nice -n 19 ionice -c3 /usr/local/bin/reindex', 'reindex'],
    ['timeout 300 /opt/bin/syncFiles.py', 'sync-files'],
    ['flock -w 10 /var/lock/x -c "/usr/local/bin/rotate-logs"', 'rotate-logs'],
    ['cd /srv/rails && RAILS_ENV=production bundle exec rake reports:weekly', 'rake-reports-weekly'],
    ['curl -fsS https://example.com/cron/ping', 'ping'],
    ['[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi', 'sessionclean'],
    ['/opt/2fa/bin/7zip-it', 'job-7zip-it'],
  ])('the name of %s', (command, name) => {
    expect(nameFromCommand(command)).toBe(name);
  });

  test('names are unique, leave room for an either line\'s second half, and avoid batchform\'s own file names', () => {
    const r = importCrontab('0 1 * * * /bin/report\n0 2 1 * 1 /bin/report\n0 3 * * * /bin/report\n0 4 * * * /bin/manifest\n0 5 * * * /usr/bin/stage\n');
    expect(r.batches.map((b) => b.name)).toEqual(['report', 'report-2', 'report-2-weekdays', 'report-3', 'manifest-job', 'stage-job']);
  });
});

test('/etc/crontab and /etc/cron.d/* are system crontabs', () => {
  expect(['/etc/crontab', 'backup/etc/cron.d/certbot', '/etc/cron.d/php'].map(isSystemCrontabPath)).toEqual([true, true, true]);
  expect(['crontab.txt', '/etc/cron.daily/logrotate', '/var/spool/cron/crontabs/root'].map(isSystemCrontabPath)).toEqual([false, false, false]);
});
