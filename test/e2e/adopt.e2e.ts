// End to end, as a new user adopts batchform (README "Use batchform in your project"): the packed
// library installed into a brand-new `projen new typescript` project with projen's defaults.
// Run by `npx projen test:e2e` (and .ci/run), not by `npx projen test`: it installs packages.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
let tmp: string;
let app: string;
let tarball: string;

/** Runs a command as a user would: no jest environment (NODE_ENV=test changes projen), npm cache first. */
function run(cwd: string, command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const k of ['NODE_ENV', 'JEST_WORKER_ID', 'CI']) delete env[k];
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(cwd: string, command: string, args: string[]): string {
  const r = run(cwd, command, args);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

const write = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
  fs.writeFileSync(path.join(app, file), text);
};

/** The README's .projenrc.ts, with the tarball in place of the registry version. */
const projenrc = (withBatchform: boolean, schedule = "'cron(0 0 ? * MON *)'"): string => [
  "import { javascript, typescript } from 'projen';",
  ...(withBatchform ? ["import { Batchform, Schedule } from 'batchform';"] : []),
  'const project = new typescript.TypeScriptProject({',
  "  name: 'app',",
  '  packageManager: javascript.NodePackageManager.NPM,',
  '  projenrcTs: true,',
  "  defaultReleaseBranch: 'main',",
  `  devDeps: [${JSON.stringify(`batchform@file:${tarball}`)}],`,
  '  buildWorkflow: false,',
  '  release: false,',
  '});',
  ...(withBatchform ? [
    'new Batchform(project, {',
    "  stages: [{ name: 'prod', account: '111122223333', region: 'ap-northeast-2',",
    "    artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2', alarmEmails: ['oncall@example.com'] }],",
    '  batches: [',
    "    { name: 'expire-sessions', handler: 'handlers/expire-sessions.ts', schedule: Schedule.cron({ minute: '0', hour: '*/6' }) },",
    `    { name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: ${schedule}, timezone: 'Asia/Seoul' },`,
    '  ],',
    '});',
  ] : []),
  'project.synth();',
  '',
].join('\n');

const HANDLER = (body: string): string => [
  "import { batch, localDate } from 'batchform/runtime';",
  '',
  'export const handler = batch(async (run) => {',
  `  ${body}`,
  '  return { day: localDate(run.time, run.timezone) };',
  '});',
  '',
].join('\n');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-adopt-'));
  app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  ok(ROOT, 'npx', ['projen', 'compile']);
  const packed = JSON.parse(ok(ROOT, 'npm', ['pack', '--json', '--pack-destination', tmp])) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(tmp, packed[0].filename);
  // projen's own `new`, defaults unchanged (this repository's projen, the version batchform peers with).
  ok(app, path.join(ROOT, 'node_modules/.bin/projen'), ['new', 'typescript', '--no-git']);
}, 240_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a new projen TypeScript project adopting batchform', () => {
  test('the tarball holds lib/ (JS + typings), README, LICENSE and package.json, and no source maps', () => {
    const files = ok(tmp, 'tar', ['tzf', tarball]).trim().split('\n');
    expect(files.filter((f) => !/^package\/lib\/(.+\.(js|d\.ts)|batchform-ci\.cjs)$/.test(f)).sort()).toEqual(['package/LICENSE', 'package/README.md', 'package/package.json']);
    expect(files).toEqual(expect.arrayContaining(['package/lib/index.js', 'package/lib/index.d.ts', 'package/lib/runtime/index.js', 'package/lib/cli/main.js']));
    const lib = path.join(ROOT, 'lib');
    const js = files.filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(lib, f.replace(/^package\/lib\//, '')), 'utf8'));
    expect(js.filter((t) => t.includes('sourceMappingURL'))).toEqual([]);
  });

  test('declared as the README says, npx projen and npx projen build pass; handlers are type-checked; typings compile without skipLibCheck', () => {
    write('.projenrc.ts', projenrc(false));
    ok(app, 'npx', ['projen']);
    expect(fs.existsSync(path.join(app, 'node_modules/batchform/lib/index.d.ts'))).toBe(true);

    write('.projenrc.ts', projenrc(true));
    write('handlers/expire-sessions.ts', HANDLER("run.logger.info('expiring', { before: run.time.toISOString() });"));
    write('handlers/weekly-report.ts', HANDLER("run.logger.info('weekly report');"));
    // Every entry point, type-checked by the project's own build (under handlers/, which the test
    // task's tsc covers; the tsconfig it extends is projen's, without skipLibCheck).
    write('handlers/entries.ts', [
      "import { Batchform, Schedule } from 'batchform';",
      ...['runtime', 'lib/runtime', 'local', 'schedule', 'validate', 'template', 'bundle', 'deploy', 'operate'].map((s, i) => `import * as e${i} from 'batchform/${s}';`),
      'export const entries = [Batchform, Schedule, e0, e1, e2, e3, e4, e5, e6, e7, e8];',
      '',
    ].join('\n'));
    const synth = run(app, 'npx', ['projen']);
    expect(synth.status).toBe(0);
    expect(synth.stderr).not.toMatch(/batchform: (?!.*warning)/);
    expect(fs.readdirSync(path.join(app, 'cfn-out')).sort()).toEqual(['bootstrap.template.json', 'expire-sessions.template.json', 'manifest.json', 'template-hashes.json', 'weekly-report.template.json']);
    expect(JSON.stringify(JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8').replace(/^\/\/.*$/m, '')))).not.toMatch(/skipLibCheck/);

    ok(app, 'npx', ['projen', 'build']);
    expect(fs.readdirSync(path.join(app, 'dist/batches')).filter((f) => f.endsWith('.zip')).sort()).toEqual(['expire-sessions.zip', 'weekly-report.zip']);
  }, 300_000);

  test('a typo in a handler fails npx projen build', () => {
    write('handlers/expire-sessions.ts', HANDLER("run.logger.infoo('expiring');"));
    const build = run(app, 'npx', ['projen', 'build']);
    expect(build.status).not.toBe(0);
    expect(build.stdout + build.stderr).toMatch(/handlers\/expire-sessions\.ts\(4,\d+\): error TS2551: Property 'infoo' does not exist on type 'Logger'/);
    write('handlers/expire-sessions.ts', HANDLER("run.logger.info('expiring');"));
  }, 180_000);

  test('a bad declaration prints only the problem list and exits 1, writing nothing', () => {
    const before = fs.readFileSync(path.join(app, 'cfn-out/manifest.json'), 'utf8');
    write('.projenrc.ts', projenrc(true, "'rate(1 minutes)'"));
    const r = run(app, 'npx', ['projen']);
    expect(r.status).toBe(1);
    // Lines starting with projen's 👾 are projen's own (the task it ran, "Synthesis failed").
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('👾'))).toEqual([
      'batchform: 1 problem in the batch declarations; nothing was written.',
      '  - batch "weekly-report", field "schedule": "rate(1 minutes)" uses the plural "minutes" with 1. Fix: use the singular for a value of 1: rate(1 minute)',
    ]);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(app, 'cfn-out/manifest.json'), 'utf8')).toBe(before);
  }, 120_000);
});
