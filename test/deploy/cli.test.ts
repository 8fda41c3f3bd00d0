// The preview and deploy commands: exit codes, where the reports go, and the wiring of the options.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Command } from 'commander';
import { change, FAST_WAITS, fakeAws, FakeAwsOptions, liveStack, makeProject, NOW, TestProject } from './helpers';
import { DEPLOY_EXIT, DeployCommandDeps, registerDeployCommands, REPORT_FILE_LENGTH, runDeployCommand } from '../../src/cli/deploy-commands';
import { EXIT_CODES } from '../../src/cli/exit-codes';
import { MAX_COMMENT_LENGTH } from '../../src/workflows/sticky-comment';

const DEFAULTS = { manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', concurrency: '8' };

function harness(project: TestProject, aws: FakeAwsOptions = {}) {
  const fake = fakeAws(aws);
  const out: string[] = [];
  const err: string[] = [];
  const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-summary-')), 'summary.md');
  fs.writeFileSync(summary, '# earlier step\n');
  const deps: DeployCommandDeps = {
    createClients: () => fake.clients,
    callerAccount: async () => '111122223333',
    env: { GITHUB_SHA: '4f2a9c1d0e5b6a7980', GITHUB_STEP_SUMMARY: summary },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    projectDir: project.dir,
    now: () => NOW,
    waits: FAST_WAITS,
    runId: 'r1',
  };
  return { fake, out, err, summary, deps };
}

describe('bad input exits 2 before any AWS call', () => {
  test.each([
    ['an unknown stage', { stage: 'qa' }, 'batchform deploy: stage "qa" is not in cfn-out/manifest.json; its stages are: prod. Pass one of them with --stage.'],
    ['no stage', {}, 'batchform deploy: --stage is required; its stages are: prod.'],
    ['concurrency 0', { stage: 'prod', concurrency: '0' }, 'batchform deploy: --concurrency "0" is not a positive whole number; use e.g. --concurrency 8.'],
    ['concurrency "many"', { stage: 'prod', concurrency: 'many' }, 'batchform deploy: --concurrency "many" is not a positive whole number; use e.g. --concurrency 8.'],
    ['a refused type that is not a resource type', { stage: 'prod', refuseReplacement: 'AWS::Logs::LogGroup,LogGroup' }, 'batchform deploy: --refuse-replacement "LogGroup" is not of the form Namespace::Service::Type of a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?); use e.g. --refuse-replacement AWS::Logs::LogGroup,AWS::SQS::Queue.'],
    ['a misspelled refused type (the guard would be off)', { stage: 'prod', refuseReplacement: 'AWS::Logs::Loggroup' }, 'batchform deploy: --refuse-replacement "AWS::Logs::Loggroup" is not a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?); use e.g. --refuse-replacement AWS::Logs::LogGroup,AWS::SQS::Queue.'],
    ['a refused type of the right shape that does not exist', { stage: 'prod', refuseReplacement: 'AWS::SQS::Queues' }, 'batchform deploy: --refuse-replacement "AWS::SQS::Queues" is not a CloudFormation resource type (did you mean "AWS::SQS::Queue"?); use e.g. --refuse-replacement AWS::Logs::LogGroup,AWS::SQS::Queue.'],
  ])('%s', async (_label, opts, message) => {
    const project = makeProject();
    const h = harness(project);
    expect(await runDeployCommand('deploy', { ...DEFAULTS, ...opts }, h.deps)).toBe(DEPLOY_EXIT.badInput);
    expect(h.err).toEqual([message]);
    expect(h.fake.cfn.calls()).toHaveLength(0);
  });

  test('a missing zip', async () => {
    const project = makeProject();
    fs.rmSync(path.join(project.dir, 'dist/batches/daily-stats.zip'));
    const h = harness(project);
    expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod' }, h.deps)).toBe(2);
    expect(h.err[0]).toContain('stage "prod", stack prod-daily-stats: zip dist/batches/daily-stats.zip (listed in dist/batches/bundles.json) not found');
    expect(h.fake.cfn.calls()).toHaveLength(0);
  });

  test('a missing manifest', async () => {
    const project = makeProject();
    const h = harness(project);
    expect(await runDeployCommand('preview', { ...DEFAULTS, manifest: 'missing.json', stage: 'prod' }, h.deps)).toBe(2);
    expect(h.err[0]).toMatch(/^batchform preview: manifest .*missing\.json not found; run "npx projen" to generate it\.$/);
  });
});

test('the --report file (the pull-request comment) fits a GitHub comment; the job summary gets the whole report', async () => {
  const project = makeProject({ batches: ['daily-stats', 'weekly-report', 'monthly-close'] });
  const many = Array.from({ length: 300 }, (_v, i) => change('Modify', `Queue${i}`, 'AWS::SQS::Queue', [{ path: 'VisibilityTimeout', before: '30', after: '60' }]));
  const h = harness(project, { changeSet: { pages: [many] } });

  expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', report: 'preview.md' }, h.deps)).toBe(DEPLOY_EXIT.ok);

  const comment = fs.readFileSync(path.join(project.dir, 'preview.md'), 'utf8');
  const summary = fs.readFileSync(h.summary, 'utf8');
  expect(summary.length).toBeGreaterThan(MAX_COMMENT_LENGTH);
  expect(comment.length).toBeLessThanOrEqual(REPORT_FILE_LENGTH);
  expect(comment).toContain('| `prod-monthly-close` | will be created |');
  expect(comment).toMatch(/left out here; the whole report is in the job summary of this run\.\n$/);
  expect(summary).toContain('### `prod-monthly-close`: will be created');
});

test('a preview that succeeds exits 0, prints the text report, writes --report and appends the job summary', async () => {
  const project = makeProject();
  const h = harness(project, { changeSet: { pages: [[change('Add', 'Function', 'AWS::Lambda::Function')]] } });

  const code = await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', report: 'out/preview.md' }, h.deps);

  expect(code).toBe(DEPLOY_EXIT.ok);
  expect(h.out.join('')).toContain('batchform preview of stage prod (account 111122223333, ap-northeast-2), commit 4f2a9c1');
  const report = fs.readFileSync(path.join(project.dir, 'out/preview.md'), 'utf8');
  expect(report).toContain('## batchform preview: stage `prod`');
  expect(report).toContain('| `prod-daily-stats` | will be created | 1 added |');
  expect(fs.readFileSync(h.summary, 'utf8')).toBe(`# earlier step\n${report}\n`);
  expect(h.err).toContain('prod-daily-stats: creating CREATE change set batchform-4f2a9c1-20261125T094312Z-r1');
});

test('a stack whose code zip in S3 is not what batchform wrote fails, exit 5 (integrity)', async () => {
  const project = makeProject();
  const h = harness(project, { head: () => ({ checksum: 'bm90IHRoZSBzYW1lIGNvbnRlbnQ=' }) });
  expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod' }, h.deps)).toBe(EXIT_CODES.integrity);
  expect(h.out.join('')).toContain('prod-daily-stats: failed\n  code zip: s3://');
});

test('credentials for another account exit 2 before any CloudFormation call', async () => {
  const project = makeProject();
  const h = harness(project);
  const deps = { ...h.deps, callerAccount: async () => '999988887777' };
  expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod', report: 'deploy.md' }, deps)).toBe(DEPLOY_EXIT.badInput);
  expect(h.err[0]).toBe('batchform deploy: the AWS credentials are for account 999988887777, but stage "prod" is account 111122223333; ' +
    'nothing was sent to CloudFormation. Use credentials for 111122223333 (the stage\'s deployRoleArn, or the right AWS_PROFILE).');
  expect(h.fake.cfn.calls()).toHaveLength(0);
  expect(fs.readFileSync(path.join(project.dir, 'deploy.md'), 'utf8')).toContain('999988887777');
});

test('credentials that cannot be read exit 1 with the reason', async () => {
  const project = makeProject();
  const h = harness(project);
  const deps = { ...h.deps, callerAccount: async () => { throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }); } };
  expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod' }, deps)).toBe(DEPLOY_EXIT.failed);
  expect(h.err[0]).toContain('Could not load credentials from any providers');
  expect(h.fake.cfn.calls()).toHaveLength(0);
});

test('stacks that cannot be listed (AWS answered an error) exit 4 and still leave a report saying why', async () => {
  const project = makeProject();
  const h = harness(project);
  h.fake.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken', $metadata: { httpStatusCode: 403 } }));

  expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod', report: 'deploy.md' }, h.deps)).toBe(EXIT_CODES.aws);
  expect(h.err[0]).toMatch(/^batchform deploy: stage "prod": could not list the CloudFormation stacks .*AWS ExpiredToken/);
  const report = fs.readFileSync(path.join(project.dir, 'deploy.md'), 'utf8');
  expect(report).toContain('**Failed before any stack was handled.**');
  expect(report).toContain('The security token included in the request is expired');
});

test('the commands are registered with their options and set the exit code', async () => {
  const project = makeProject();
  const h = harness(project, {
    byName: { 'prod-daily-stats': [liveStack('prod-daily-stats', 'CREATE_COMPLETE')] },
    changeSet: { pages: [[change('Add', 'Function', 'AWS::Lambda::Function')]] },
  });
  const program = new Command('batchform').exitOverride();
  registerDeployCommands(program, h.deps);
  expect(program.commands.map((c) => c.name())).toEqual(['preview', 'deploy']);
  const previous = process.exitCode;
  try {
    await program.parseAsync(['node', 'batchform', 'deploy', '--stage', 'prod', '--concurrency', '1', '--force']);
    expect(process.exitCode).toBe(0);
    expect(h.fake.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    await program.parseAsync(['node', 'batchform', 'preview', '--stage', 'nope']);
    expect(process.exitCode).toBe(2);
  } finally {
    process.exitCode = previous;
  }
});

describe('drift options of preview', () => {
  const live = [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old')];

  test('--drift-wait bounds each stack\'s detection; --no-drift skips it', async () => {
    const project = makeProject();
    const slept: number[] = [];
    const h = harness(project, { live, drift: { 'prod-daily-stats': { statuses: ['DETECTION_IN_PROGRESS'] } } });
    const deps = { ...h.deps, sleep: async (s: number) => void slept.push(s) };
    expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', driftWait: '9' }, deps)).toBe(DEPLOY_EXIT.ok);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(9);
    expect(h.out.join('')).toContain('drift of prod-daily-stats could not be checked: drift detection was still running after 9 s');

    const off = harness(project, { live });
    expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', drift: false }, off.deps)).toBe(DEPLOY_EXIT.ok);
    expect(off.fake.sent.map(([op]) => op)).not.toContain('DetectStackDrift');
  });

  test.each(['0', 'soon', '-5'])('--drift-wait %s exits 2 before any AWS call', async (wait) => {
    const project = makeProject();
    const h = harness(project, { live });
    expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', driftWait: wait }, h.deps)).toBe(DEPLOY_EXIT.badInput);
    expect(h.err).toEqual([`batchform preview: --drift-wait "${wait}" is not a positive number of seconds; use e.g. --drift-wait 60, or --no-drift to skip drift detection.`]);
    expect(h.fake.cfn.calls()).toHaveLength(0);
  });

  test('commander turns --no-drift and --drift-wait into the options', async () => {
    const program = new Command().exitOverride();
    registerDeployCommands(program);
    const preview = program.commands.find((c) => c.name() === 'preview')!;
    preview.parseOptions(['--no-drift', '--drift-wait', '30']);
    expect(preview.opts()).toMatchObject({ drift: false, driftWait: '30' });
    expect(program.commands.find((c) => c.name() === 'deploy')!.options.map((o) => o.long)).not.toContain('--no-drift');
  });
});

test('deploy --refuse-replacement "" (a label allowed replacements) refuses nothing', async () => {
  const project = makeProject();
  const aws: FakeAwsOptions = {
    live: [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old')],
    changeSet: { pages: [[change('Modify', 'LogGroup', 'AWS::Logs::LogGroup', [{ path: 'LogGroupName', recreation: 'Always' }], 'True')]] },
  };
  const h = harness(project, aws);
  expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod', refuseReplacement: '' }, h.deps)).toBe(DEPLOY_EXIT.ok);
  expect(h.out.join('')).toContain('prod-daily-stats: updated');
  const refused = harness(project, aws);
  expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod', refuseReplacement: 'AWS::Logs::LogGroup' }, refused.deps)).toBe(DEPLOY_EXIT.failed);
  expect(refused.out.join('')).toContain('refusing to replace LogGroup');
});
