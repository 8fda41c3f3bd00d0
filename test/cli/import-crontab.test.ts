// batchform import-crontab, run as the binary runs it: what it prints, what it writes with --out, and its exit codes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../src/cli/io';
import { buildProgram } from '../../src/cli/main';

/** Runs `batchform ...args`; returns the exit code and what went to stdout and stderr. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [out, err]: [string[], string[]] = [[], []];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out.push(String(c)); return true; });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { err.push(String(c)); return true; });
  const log = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(`${a.join(' ')}\n`); });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await runProgram(buildProgram(), ['node', 'batchform', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.exitCode = previous;
    stdout.mockRestore();
    stderr.mockRestore();
    log.mockRestore();
  }
}

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-crontab-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function crontab(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('batchform import-crontab', () => {
  test('prints the declarations and the stubs as comments, sums up on stderr and exits 0 when every line converts', async () => {
    const file = crontab('crontab.txt', 'MAILTO=ops@example.com\nCRON_TZ=Asia/Seoul\n10 0 * * * /srv/bin/daily-stats.sh\n');
    const r = await run('import-crontab', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain([
      'export const crontabBatches: BatchOptions[] = [',
      '  // line 3: 10 0 * * * /srv/bin/daily-stats.sh',
      '  {',
      '    name: \'daily-stats\',',
      '    description: \'crontab line 3: /srv/bin/daily-stats.sh\',',
      '    handler: \'handlers/daily-stats.ts\',',
      '    schedule: Schedule.cron({ minute: \'10\', hour: \'0\' }), // cron(10 0 * * ? *), from 10 0 * * *',
      '    timezone: \'Asia/Seoul\', // from CRON_TZ (line 2)',
      '  },',
      '];',
    ].join('\n'));
    expect(r.stdout).toContain('//   alarmEmails: [\'ops@example.com\'],');
    expect(r.stdout).toContain('// ----- handlers/daily-stats.ts -----\n// // handlers/daily-stats.ts: the job of crontab line 3');
    expect(r.stderr).toBe(`import-crontab: 1 batch from 1 job line of ${file}.\n`);
  });

  test('a refused line is printed with its reason, on stdout and stderr, and exits 1', async () => {
    const file = crontab('crontab.txt', '@reboot /srv/bin/warm-cache\n0 3 * * * /srv/bin/vacuum\n');
    const r = await run('import-crontab', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('// Not converted:\n//   line 1: @reboot /srv/bin/warm-cache\n//     @reboot runs the command once when the cron daemon starts');
    expect(r.stderr).toContain('1 line not converted:\n  line 1: @reboot runs the command once when the cron daemon starts (cron(5));');
    expect(r.stderr).toContain('The lines no CRON_TZ or TZ line covers are read in UTC; pass --timezone <zone> if the server ran in another zone.');
  });

  test('--timezone gives the server\'s zone to lines no CRON_TZ covers', async () => {
    const file = crontab('crontab.txt', '0 3 * * * /srv/bin/vacuum\nCRON_TZ=Asia/Tokyo\n0 4 * * * /srv/bin/report\n');
    const r = await run('import-crontab', file, '--timezone', 'Europe/Berlin');
    expect(r.stdout).toContain('    timezone: \'Europe/Berlin\', // from --timezone\n');
    expect(r.stdout).toContain('    timezone: \'Asia/Tokyo\', // from CRON_TZ (line 2)\n');
    expect(r.stdout).not.toContain('read in UTC');
  });

  test('a file in /etc/cron.d is read in system format (a user field); --format user reads the user as the command', async () => {
    const file = crontab('etc/cron.d/certbot', '0 */12 * * * root certbot -q renew\n');
    const system = await run('import-crontab', file);
    expect(system.stdout).toContain('    name: \'certbot\',');
    expect(system.stdout).toContain('  // cron ran it as root; the batch runs as its own IAM role: grant only what the job needs (policyStatements).');
    const user = await run('import-crontab', file, '--format', 'user');
    expect(user.stdout).toContain('    name: \'root\',');
    const forced = await run('import-crontab', crontab('plain.txt', '0 */12 * * * root certbot -q renew\n'), '--format', 'system');
    expect(forced.stdout).toContain('    name: \'certbot\',');
  });

  test('--out writes each handler stub once and keeps a handler that exists', async () => {
    const file = crontab('crontab.txt', '0 4 1,15 * 5 /srv/bin/payroll\n0 5 * * * /srv/bin/vacuum\n');
    fs.mkdirSync(path.join(dir, 'project', 'handlers'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'project', 'handlers', 'vacuum.ts'), '// mine\n');
    const r = await run('import-crontab', file, '--out', path.join(dir, 'project'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote ${path.join(dir, 'project', 'handlers', 'payroll.ts')}\n`);
    expect(r.stderr).toContain(`kept ${path.join(dir, 'project', 'handlers', 'vacuum.ts')} (it exists)\n`);
    expect(fs.readFileSync(path.join(dir, 'project', 'handlers', 'vacuum.ts'), 'utf8')).toBe('// mine\n');
    const payroll = fs.readFileSync(path.join(dir, 'project', 'handlers', 'payroll.ts'), 'utf8');
    expect(payroll).toContain('const skipDays = (process.env.CRON_SKIP_DAYS_OF_MONTH ?? \'\')');
    expect(fs.readdirSync(path.join(dir, 'project', 'handlers')).sort()).toEqual(['payroll.ts', 'vacuum.ts']);
    expect(r.stdout).not.toContain('// ----- handlers/');
  });

  test('--help names the exit codes', async () => {
    const r = await run('import-crontab', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 every job line converted; 1 some line not converted');
  });

  test.each([
    [['import-crontab', '/nonexistent/crontab'], /^batchform: cannot read the crontab \/nonexistent\/crontab: ENOENT.*Save it first, e\.g\. crontab -l > crontab\.txt\n$/],
    [['import-crontab', 'x', '--timezone', 'Europe/Berln'], /^batchform: --timezone "Europe\/Berln" is not an IANA time-zone name; did you mean Europe\/Berlin\?\n$/],
    [['import-crontab', 'x', '--timezone', 'KST'], /^batchform: --timezone "KST" is not an IANA time-zone name; use e\.g\. Europe\/Berlin or UTC\.\n$/],
    [['import-crontab', 'x', '--format', 'vixie'], /^batchform: --format "vixie" is not one of user, system, auto\.\n$/],
    [['import-crontab'], /error: missing required argument 'file'/],
  ])('bad input exits 2: %j', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
