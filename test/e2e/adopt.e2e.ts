// End to end, as a new user adopts batchform (the README's Install section, then docs/getting-started.md): the packed
// library installed into a brand-new `projen new typescript` project with projen's defaults.
// Run by `npx projen test:e2e` (and .ci/run), not by `npx projen test`: it installs packages.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  commitFiles, createPullRequestRefs, createRepository, EventResult, GitHubFake, pullRequestEvent, pushEvent,
  ResolvedEvent, runScenario, scenarioFor, startGitHubFake, StepSubstitution, workflowRunEvent,
} from '../workflows/harness';
import { AwsFake, startAwsFake } from '../workflows/harness/aws-fake';
import { botComments, expectResult, job, stageTrust } from '../workflows/scenario-helpers';

const ROOT = path.resolve(__dirname, '../..');
const VENDORED = 'vendor/batchform.tgz';
const REPOSITORY = 'acme/app';
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

/** A .projenrc.ts like the README's, with three batch shapes, the stage's roles, and the tarball in place of the registry version. */
const projenrc = (schedule = "'cron(0 0 ? * MON *)'"): string => [
  "import { javascript, typescript } from 'projen';",
  "import { Batchform, Schedule } from 'batchform';",
  'const project = new typescript.TypeScriptProject({',
  "  name: 'app',",
  '  packageManager: javascript.NodePackageManager.NPM,',
  '  projenrcTs: true,',
  "  defaultReleaseBranch: 'main',",
  // The packed library, committed in the project (vendor/) so a clone's npm ci and the workflow's CLI install find it.
  `  devDeps: ['batchform@file:${VENDORED}'],`,
  '  buildWorkflow: false,',
  '  release: false,',
  '});',
  'new Batchform(project, {',
  `  githubRepository: '${REPOSITORY}',`,
  "  stages: [{ name: 'prod', account: '111122223333', region: 'ap-northeast-2',",
  "    artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2', alarmEmails: ['oncall@example.com'],",
  "    deployRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-deploy',",
  "    previewRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-preview',",
  "    executionRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-cfn-exec',",
  "    permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary' }],",
  '  batches: [',
  "    { name: 'expire-sessions', handler: 'handlers/expire-sessions.ts', schedule: Schedule.cron({ minute: '0', hour: '*/6' }) },",
  // A UTC rule batch (above), a zoned Scheduler batch with a stage override, a durable batch.
  `    { name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: ${schedule}, timezone: 'Asia/Seoul',`,
  '      overrides: { prod: { memorySize: 256 } } },',
  "    { name: 'recompute', handler: 'handlers/recompute.ts', schedule: 'cron(0 1 ? * SUN *)',",
  "      timezone: 'Asia/Seoul', timeout: 900, durable: { executionTimeout: 6 * 3600 } },",
  '  ],',
  '});',
  // projen ignores *.tgz (npm pack's output); the vendored library is committed.
  `project.gitignore.include('/${VENDORED}');`,
  'project.synth();',
  '',
].join('\n');

/** The README's durable handler shape: a step, a wait and a map whose items run steps. */
const DURABLE_HANDLER = [
  "import { durableBatch } from 'batchform/runtime/durable';",
  '',
  'export const handler = durableBatch(async (run) => {',
  "  const tenants = await run.step('plan', async () => ['a', 'b', 'c']);",
  '  await run.wait({ minutes: 30 });',
  '  const done = await run.map(tenants, (t, _i, item) => item.step(`tenant-${t}`, async () => t.toUpperCase()), { concurrency: 2 });',
  "  run.logger.info('recomputed', { tenants: done.successCount });",
  '  return { tenants: done.successCount };',
  '});',
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
  // .ci/run compiles (and bundles the CI CLI) just before, and runs the slow tests beside this one:
  // it says so, and lib/ is not written again under them.
  if (process.env.BATCHFORM_E2E_LIB_READY !== '1') ok(ROOT, 'npx', ['projen', 'compile']);
  const packed = JSON.parse(ok(ROOT, 'npm', ['pack', '--json', '--pack-destination', tmp])) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(tmp, packed[0].filename);
  // projen's own `new`, defaults unchanged (this repository's projen, the version batchform peers with).
  ok(app, path.join(ROOT, 'node_modules/.bin/projen'), ['new', 'typescript', '--no-git']);
  fs.mkdirSync(path.join(app, 'vendor'));
  fs.copyFileSync(tarball, path.join(app, VENDORED));
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

  test('the README\'s Install section as written: its .projenrc.ts and handler, then each of its commands exits 0', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const install = readme.slice(readme.indexOf('## Install\n'), readme.indexOf('\n## ', readme.indexOf('## Install\n') + 1));
    const blocks = [...install.matchAll(/```(ts|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
    const rc = blocks.find((b) => b.lang === 'ts' && b.code.includes('new Batchform('));
    const handler = blocks.find((b) => b.lang === 'ts' && b.code.startsWith('// handlers/expire-sessions.ts'));
    const commands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.code.split('\n'))
      .map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');
    expect(rc).toBeDefined();
    expect(handler).toBeDefined();
    expect(commands.slice(0, 2)).toEqual(['npm install --save-dev batchform', 'npx projen']);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    // The one change: the packed library (committed under vendor/) in place of the registry's.
    expect(rc!.code).toContain("devDeps: ['batchform'],");
    commands[0] = `npm install --save-dev batchform@file:${VENDORED}`;
    write('.projenrc.ts', rc!.code
      .replace("devDeps: ['batchform'],", `devDeps: ['batchform@file:${VENDORED}'],`)
      .replace('project.synth();', `project.gitignore.include('/${VENDORED}');\nproject.synth();`));
    write('handlers/expire-sessions.ts', handler!.code);
    // The Day 2 table's local commands (the others need a deployed stage: their tests run against AWS fakes).
    const day2 = readme.slice(readme.indexOf('## Day 2\n'), readme.indexOf('\n## ', readme.indexOf('## Day 2\n') + 1));
    const local = [...day2.matchAll(/\| `(npx projen [^`]+)` \|/g)].map((m) => m[1]);
    expect(local.length).toBeGreaterThanOrEqual(3);
    for (const command of [...commands, ...local]) {
      const [bin, ...args] = command.split(/\s+/);
      const r = run(app, bin, args);
      expect(`${command}: ${r.status}\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`).toMatch(new RegExp(`^${command}: 0\\n`));
    }
    expect(fs.existsSync(path.join(app, '.github/workflows/batchform.yml'))).toBe(true);
  }, 600_000);

  test('declared as the README says, npx projen and npx projen build pass; handlers are type-checked; typings compile without skipLibCheck', () => {
    // batchform is installed already: the README's own install command, in the test before.
    expect(fs.existsSync(path.join(app, 'node_modules/batchform/lib/index.d.ts'))).toBe(true);
    write('.projenrc.ts', projenrc());
    write('handlers/expire-sessions.ts', HANDLER("run.logger.info('expiring', { before: run.time.toISOString() });"));
    write('handlers/weekly-report.ts', HANDLER("run.logger.info('weekly report');"));
    write('handlers/recompute.ts', DURABLE_HANDLER);
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
    expect(fs.readdirSync(path.join(app, 'cfn-out')).sort()).toEqual([
      'bootstrap.template.json', 'expire-sessions.template.json', 'manifest.json', 'recompute.template.json', 'stage.template.json', 'template-hashes.json',
      'watchdog.json', 'weekly-report.template.json',
    ]);
    expect(JSON.stringify(JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8').replace(/^\/\/.*$/m, '')))).not.toMatch(/skipLibCheck/);

    ok(app, 'npx', ['projen', 'build']);
    // One zip per batch, and the stage's watchdog (stage.zip), built from the installed package's lib/.
    expect(fs.readdirSync(path.join(app, 'dist/batches')).filter((f) => f.endsWith('.zip')).sort()).toEqual(['expire-sessions.zip', 'recompute.zip', 'stage.zip', 'weekly-report.zip']);
  }, 300_000);

  test('every batch runs locally: npx projen invoke exits 0 for the rule, the zoned and the durable batch (step, wait, map)', () => {
    for (const name of ['expire-sessions', 'weekly-report']) {
      const r = run(app, 'npx', ['projen', 'invoke', name]);
      expect(`${name}: ${r.status}\n${r.stdout.slice(-1500)}${r.stderr.slice(-1500)}`).toMatch(new RegExp(`^${name}: 0\\n`));
    }
    const durable = run(app, 'npx', ['projen', 'invoke', 'recompute']);
    expect(`${durable.status}\n${durable.stdout.slice(-3000)}${durable.stderr.slice(-3000)}`).toMatch(/^0\n/);
    const out = durable.stdout + durable.stderr;
    expect(out).toMatch(/SUCCEEDED/);
    expect(out).toMatch(/waited 30m \(skipped locally\)/);
    expect(out).toMatch(/tenant-c/);
  }, 300_000);

  test('without cfn-lint on PATH, lint:cfn runs the offline validator on every template: 0 errors, 0 warnings', () => {
    const dirs = (process.env.PATH ?? '').split(path.delimiter)
      .filter((d) => !fs.existsSync(path.join(d, 'cfn-lint')));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: dirs.join(path.delimiter) };
    for (const k of ['NODE_ENV', 'JEST_WORKER_ID', 'CI']) delete env[k];
    const r = spawnSync('npx', ['projen', 'lint:cfn'], { cwd: app, env, encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    expect(`${r.status}\n${out.slice(-3000)}`).toMatch(/^0\n/);
    expect(out).toMatch(/lint:cfn \(offline validator of aws-cdk-lib\): 5 template\(s\), 0 error\(s\), 0 warning\(s\)/);
    expect(out).toMatch(/cfn-lint is not on PATH/);
  }, 180_000);

  test('a typo in a handler fails npx projen build', () => {
    write('handlers/expire-sessions.ts', HANDLER("run.logger.infoo('expiring');"));
    const build = run(app, 'npx', ['projen', 'build']);
    expect(build.status).not.toBe(0);
    expect(build.stdout + build.stderr).toMatch(/handlers\/expire-sessions\.ts\(4,\d+\): error TS2551: Property 'infoo' does not exist on type 'Logger'/);
    write('handlers/expire-sessions.ts', HANDLER("run.logger.info('expiring');"));
  }, 180_000);

  test('a bad declaration prints only the problem list and exits 1, writing nothing', () => {
    const before = fs.readFileSync(path.join(app, 'cfn-out/manifest.json'), 'utf8');
    write('.projenrc.ts', projenrc("'rate(1 minutes)'"));
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

// The README's loop in that project: its generated workflows, executed on the local workflow runner
// (test/workflows/harness) against the GitHub and AWS fakes. Only pipx (no Python package index
// here) is stood in for; npm ci, actionlint with shellcheck, cfn-lint, the project's build, the CLI
// install from the lockfile and the deploy and preview all run.
describe('its generated workflows, run: a push to main deploys, a pull request is previewed', () => {
  const ACCOUNT = '111122223333';
  const REGION = 'ap-northeast-2';
  const IDENTITY = { GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.invalid', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.invalid' };
  const SUBSTITUTIONS: StepSubstitution[] = [
    { job: 'build', step: 'Install cfn-lint', run: 'cfn-lint --version', reason: 'cfn-lint 1.51 is on PATH here; pipx needs the Python package index' },
  ];
  let github: GitHubFake;
  let aws: AwsFake;
  let mainSha: string;
  let bootstrapTemplate: object;

  const git = (...args: string[]): string => execFileSync('git', ['-C', app, ...args], { encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim();
  const workflowsAt = (sha: string) => ['.github/workflows/batchform.yml', '.github/workflows/batchform-preview.yml']
    .map((file) => ({ path: file, text: git('show', `${sha}:${file}`) }));
  function runEvent(event: ResolvedEvent): Promise<EventResult> {
    return runScenario({
      ...scenarioFor(github, app, { environments: { prod: ['main'] } }),
      event,
      // batchform's two workflows; projen's own (upgrade, pull-request-lint) are not batchform's to run.
      workflows: workflowsAt(event.name === 'workflow_run' ? mainSha : event.sha),
      substitutions: event.name === 'workflow_run' ? [] : SUBSTITUTIONS,
      trust: stageTrust(bootstrapTemplate, { repository: REPOSITORY, stage: 'prod', account: ACCOUNT, region: REGION }),
      awsEnv: aws.env,
    });
  }

  beforeAll(async () => {
    // The declaration as the earlier tests left it valid, committed as the user would (git init, add, commit).
    write('.projenrc.ts', projenrc());
    ok(app, 'npx', ['projen']);
    // As the build formats it (eslint --fix), so the build's drift check sees what was committed.
    ok(app, 'npx', ['projen', 'eslint']);
    expect(fs.readdirSync(path.join(app, '.github/workflows'))).toEqual(expect.arrayContaining(['batchform.yml', 'batchform-preview.yml']));
    bootstrapTemplate = JSON.parse(fs.readFileSync(path.join(app, 'cfn-out/bootstrap.template.json'), 'utf8')) as object;
    createRepository(app);
    git('add', '--all');
    git('commit', '-q', '-m', 'Adopt batchform');
    mainSha = git('rev-parse', 'HEAD');
    expect(git('ls-files')).toMatch(/^vendor\/batchform\.tgz$/m);
    github = await startGitHubFake({ repository: { fullName: REPOSITORY } });
    aws = await startAwsFake({ account: ACCOUNT, region: REGION, changeSetCompute: 0, stackOperation: 0 });
  }, 240_000);
  afterAll(async () => {
    await aws?.close();
    await github?.close();
  });

  test('a push to main: the build passes its lint, install and build steps; the deploy installs only the locked CLI and creates every stack', async () => {
    const result = await runEvent(pushEvent(github, { sha: mainSha }));
    const build = job(result, 'batchform', 'build');
    expectResult(build, 'success');
    const lint = build.steps.find((s) => /actionlint/.test(s.name))!;
    expect(lint).toMatchObject({ conclusion: 'success' });
    expect(lint.substitutedBy).toBeUndefined();
    const deploy = job(result, 'batchform', 'deploy-prod');
    expectResult(deploy, 'success');
    expect(deploy.oidcClaims?.sub).toBe(`repo:${REPOSITORY}:environment:prod`);
    expect(deploy.steps.map((s) => s.run ?? '').join('\n')).not.toMatch(/npm (ci|install)|npx projen/);
    const install = deploy.steps.find((s) => /Install the batchform CLI/.test(s.name))!;
    expect(install.stdout).toMatch(/batchform \S+ from file:vendor\/batchform\.tgz, sha512 checked against package-lock\.json/);
    expect([...aws.stacks().entries()].map(([name, s]) => `${name} ${s.status}`).sort()).toEqual([
      'prod-expire-sessions CREATE_COMPLETE', 'prod-recompute CREATE_COMPLETE', 'prod-stage CREATE_COMPLETE', 'prod-weekly-report CREATE_COMPLETE',
    ]);
    // The stage stack (the stage's alarm topic) and the three batch stacks.
    expect(deploy.summary).toContain('4 created');
    expect(result.substitutions.filter((s) => s.ran).map((s) => `${s.jobId}/${s.stepId}`)).toEqual(['build/install_cfn-lint']);
  }, 600_000);

  test('a pull request: the build has no AWS access; the preview runs the CLI main locks and posts one comment on the changed batch', async () => {
    const handler = fs.readFileSync(path.join(app, 'handlers/weekly-report.ts'), 'utf8');
    const head = commitFiles(app, 'feature', { 'handlers/weekly-report.ts': `${handler}console.log('a change in review');\n` }, { parent: mainSha });
    github.pullRequests.push({ number: 1, head: { ref: 'feature', sha: head }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: createPullRequestRefs(app, 1, mainSha, head) });
    const before = aws.calls().length;
    const event = pullRequestEvent(github, 1);
    const build = await runEvent(event);
    const buildJob = job(build, 'batchform', 'build');
    expectResult(buildJob, 'success');
    expect(buildJob.oidcClaims).toBeUndefined();
    expectResult(job(build, 'batchform', 'deploy-prod'), 'skipped');
    expect(aws.calls().slice(before)).toEqual([]);

    const preview = await runEvent(workflowRunEvent(github, build.runs[0], event, { defaultBranchSha: mainSha }));
    const previewJob = job(preview, 'batchform preview', 'preview-prod');
    expectResult(previewJob, 'success');
    expect(previewJob.oidcClaims?.sub).toBe(`repo:${REPOSITORY}:ref:refs/heads/main`);
    const operations = aws.calls().slice(before).map((c) => c.operation);
    expect(operations).toContain('CreateChangeSet');
    expect(operations).not.toContain('ExecuteChangeSet');
    const comments = botComments(github, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('## batchform preview: stage `prod`');
    expect(comments[0].body).toContain(`Updated for ${head.slice(0, 7)}`);
    expect(comments[0].body).toMatch(/`prod-weekly-report`/);
    expect(comments[0].body).not.toMatch(/`prod-expire-sessions`: will/);
  }, 600_000);
});
