// Templates are checked against the SHA-256 "npx projen" recorded in cfn-out/template-hashes.json before any AWS call:
// a hand-edited template, or one without a record, stops preview and deploy with exit 2, naming the file and the fix.
import * as fs from 'fs';
import * as path from 'path';
import { FAST_WAITS, fakeAws, liveStack, makeProject, TestProject } from './helpers';
import { runDeployCommand } from '../../src/cli/deploy-commands';
import { EXIT_CODES } from '../../src/cli/exit-codes';

const OPTS = { stage: 'prod', manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', concurrency: '8' };

/** Runs the command with mocked clients; counts every AWS call, the account check included. */
async function run(mode: 'preview' | 'deploy', project: TestProject) {
  // After the execution, the stack reads as created.
  const aws = fakeAws({ byName: { 'prod-daily-stats': [liveStack('prod-daily-stats', 'CREATE_COMPLETE', 'x')] } });
  let accountChecks = 0;
  const err: string[] = [];
  const code = await runDeployCommand(mode, OPTS, {
    createClients: () => aws.clients,
    callerAccount: async () => {
      accountChecks++;
      return '111122223333';
    },
    projectDir: project.dir,
    out: () => undefined,
    err: (t) => err.push(t),
    env: {},
    waits: FAST_WAITS,
  });
  const calls = aws.cfn.calls().length + aws.s3.calls().length + aws.lambda.calls().length + accountChecks;
  return { code, calls, err: err.join('\n') };
}

const template = (p: TestProject) => path.join(p.dir, 'cfn-out/daily-stats.template.json');

describe.each(['preview', 'deploy'] as const)('%s', (mode) => {
  test('a template edited by hand after generation: exit 2 before any AWS call, naming the file and the fix', async () => {
    const project = makeProject();
    const t = JSON.parse(fs.readFileSync(template(project), 'utf8'));
    t.Resources.Function.Properties.MemorySize = 10240;
    fs.writeFileSync(template(project), JSON.stringify(t, null, 2));

    const r = await run(mode, project);

    expect(r.code).toBe(EXIT_CODES['bad-input']);
    expect(r.calls).toBe(0);
    expect(r.err).toContain(`batchform ${mode}: stage "prod", stack prod-daily-stats: template cfn-out/daily-stats.template.json is not the file "npx projen" generated: ` +
      'its SHA-256 is not the one recorded in cfn-out/template-hashes.json');
    expect(r.err).toContain('run "npx projen" to regenerate the template');
  });

  test('a template without an entry in template-hashes.json: exit 2 before any AWS call', async () => {
    const project = makeProject({ batches: ['daily-stats', 'weekly-report'] });
    const file = path.join(project.dir, 'cfn-out/template-hashes.json');
    const hashes = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete hashes.templates['weekly-report'];
    fs.writeFileSync(file, JSON.stringify(hashes));

    const r = await run(mode, project);

    expect(r.code).toBe(EXIT_CODES['bad-input']);
    expect(r.calls).toBe(0);
    expect(r.err).toContain('template cfn-out/weekly-report.template.json has no entry "weekly-report" in cfn-out/template-hashes.json');
    expect(r.err).toContain('run "npx projen"');
    expect(r.err).not.toContain('daily-stats.template.json');
  });

  test('no template-hashes.json at all: exit 2 before any AWS call', async () => {
    const project = makeProject();
    fs.rmSync(path.join(project.dir, 'cfn-out/template-hashes.json'));
    const r = await run(mode, project);
    expect(r.code).toBe(EXIT_CODES['bad-input']);
    expect(r.calls).toBe(0);
    expect(r.err).toContain('cfn-out/template-hashes.json not found, so the templates cannot be checked');
  });

  test('the generated templates pass (the check is not always failing)', async () => {
    const r = await run(mode, makeProject());
    expect(r.err).not.toContain('template-hashes.json');
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.calls).toBeGreaterThan(0);
  });
});

test('a manifest stack without code: exit 2 with where it is, not a TypeError', async () => {
  const project = makeProject();
  const file = path.join(project.dir, 'cfn-out/manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete m.stages[0].stacks[0].code;
  fs.writeFileSync(file, JSON.stringify(m));
  const r = await run('deploy', project);
  expect(r.code).toBe(EXIT_CODES['bad-input']);
  expect(r.calls).toBe(0);
  expect(r.err).toContain('stages[0].stacks[0].code is missing, not an object');
  expect(r.err).not.toMatch(/TypeError|Cannot read properties/);
});
