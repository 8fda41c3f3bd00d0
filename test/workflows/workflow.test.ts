// The generated workflows as data: jobs, permissions, triggers, pins and scripts (the scenarios in run.slow.test.ts execute them).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { github, Project } from 'projen';
import * as YAML from 'yaml';
import { PREVIEW_WORKFLOW_FILE as PREVIEW_WORKFLOW_PATH } from '../../src/bootstrap/trust';
import { Batchform, BatchformOptions } from '../../src/projen/batchform';
import { ACTIONLINT_IMAGE, ACTIONS } from '../../src/workflows/actions';
import {
  BatchformWorkflowOptions, BUILD_ARTIFACT, CLI_ENV, HAS_PULL_REQUEST, PROBLEMS_ARTIFACT, WorkflowStage,
} from '../../src/workflows/batchform-workflow';
import { deployJobTimeoutMinutes, previewJobTimeoutMinutes } from '../../src/workflows/job-timeouts';
import { addBatchformWorkflow, WORKFLOW_FILE, withVersionComments } from '../../src/workflows/workflow-file';
import { BATCH, STAGE, scratchProject } from '../fixtures';
import { actionlintWithShellcheck, formatFindings } from './harness/actionlint';

type Json = Record<string, any>;
const ROOT = path.resolve(__dirname, '../..');

const PROD: WorkflowStage = {
  name: 'prod',
  region: 'ap-northeast-2',
  githubEnvironment: 'prod',
  stackCount: 3,
  previewRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-preview',
  deployRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-deploy',
};
const STAGING: WorkflowStage = {
  name: 'staging',
  region: 'us-east-1',
  githubEnvironment: 'Staging (EU team)',
  previewRoleArn: 'arn:aws:iam::444455556666:role/batchform/staging-preview',
  deployRoleArn: 'arn:aws:iam::444455556666:role/batchform/staging-deploy',
};
/** A stage nobody has bootstrapped yet: no roles, so no jobs. */
const DEV: WorkflowStage = { name: 'dev', region: 'eu-west-1', githubEnvironment: 'dev' };
const OPTIONS: BatchformWorkflowOptions = { artifactPaths: ['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json'] };

interface Rendered { readonly text: string; readonly wf: Json; readonly previewText?: string; readonly preview?: Json }

/** The component's workflows exactly as projen writes them, parsed back from YAML. */
function render(stages: WorkflowStage[], options: Partial<BatchformWorkflowOptions> = {}): Rendered {
  const dir = scratchProject('wf');
  try {
    const project = new Project({ name: 'render', outdir: dir });
    new github.GitHub(project, { mergify: false, pullRequestLint: false });
    // Through the projen glue, with options the component does not expose (timeouts).
    addBatchformWorkflow(project, stages, { ...OPTIONS, ...options });
    project.synth();
    const text = fs.readFileSync(path.join(dir, WORKFLOW_FILE), 'utf8');
    const previewFile = path.join(dir, PREVIEW_WORKFLOW_PATH);
    const previewText = fs.existsSync(previewFile) ? fs.readFileSync(previewFile, 'utf8') : undefined;
    return { text, wf: YAML.parse(text), previewText, preview: previewText ? YAML.parse(previewText) : undefined };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const steps = (job: Json): Json[] => job.steps;
const stepNamed = (job: Json, name: RegExp): Json => {
  const found = steps(job).filter((s) => name.test(s.name ?? ''));
  expect(found).toHaveLength(1);
  return found[0];
};
const usesOf = (job: Json, action: { uses: string }): Json[] => steps(job).filter((s) => s.uses === action.uses);
const allJobs = (r: Rendered): Array<[string, Json]> => [...Object.entries(r.wf.jobs as Json), ...Object.entries((r.preview?.jobs ?? {}) as Json)];

/** actionlint with shellcheck, as the image in the build job runs it, over both files. */
async function lint(r: Rendered): Promise<string> {
  const files = [{ path: WORKFLOW_FILE, text: r.text }, ...(r.previewText ? [{ path: PREVIEW_WORKFLOW_PATH, text: r.previewText }] : [])];
  return formatFindings(await actionlintWithShellcheck(files));
}

describe('actionlint with shellcheck', () => {
  test.each([
    ['one stage with both roles', [PROD], {}],
    ['two stages in order, one with a spaced environment name', [STAGING, PROD], {}],
    ['a stage without roles next to one with roles', [DEV, PROD], {}],
    ['no stage with roles (build only)', [DEV], {}],
    ['a stage with only a preview role', [{ ...PROD, deployRoleArn: undefined }], {}],
    ['deploys that refuse replacements unless labelled', [STAGING, PROD], { refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] }],
    ['the CLI built from source', [PROD], { cli: { kind: 'source', install: ['npm ci', 'npx projen bundle:ci'], script: 'lib/batchform-ci.cjs' } }],
  ] as Array<[string, WorkflowStage[], Partial<BatchformWorkflowOptions>]>)('passes the workflows for %s', async (_name, stages, options) => {
    expect(await lint(render(stages, options))).toBe('');
  });

  test('passes the batchform workflows committed in this repository, none of which holds an AWS key', async () => {
    const files = [WORKFLOW_FILE, PREVIEW_WORKFLOW_PATH].map((f) => ({ path: f, text: fs.readFileSync(path.join(ROOT, f), 'utf8') }));
    expect(formatFindings(await actionlintWithShellcheck(files))).toBe('');
    for (const f of files) expect(f.text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/i);
  });

  test('does fail a broken workflow: an untrusted value in a script, an unquoted variable (shellcheck), a missing job', async () => {
    const r = render([PROD]);
    r.wf.jobs.build.steps.push({ run: 'echo "${{ github.event.pull_request.title }}"' }, { run: 'cd $GITHUB_WORKSPACE' });
    r.wf.jobs['deploy-prod'].needs = 'nope';
    const findings = await lint({ ...r, text: YAML.stringify(r.wf) });
    expect(findings).toMatch(/potentially untrusted/);
    expect(findings).toMatch(/SC2086/);
    expect(findings).toMatch(/nope/);
  });
});

describe('the build-and-deploy workflow', () => {
  const r = render([STAGING, DEV, PROD]);
  const { wf } = r;

  test('builds every pull request and every push to main, and runs by hand; a new push cancels a superseded pull-request run, never one on main', () => {
    expect(wf.on).toEqual({ pull_request: {}, push: { branches: ['main'] }, workflow_dispatch: {} });
    expect(wf.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
    expect(wf.concurrency.group).toContain('github.event.pull_request.number || github.ref');
  });

  test('one build, then a deploy per stage with a deploy role, stage after stage in declaration order', () => {
    expect(Object.keys(wf.jobs)).toEqual(['build', 'deploy-staging', 'deploy-prod']);
    expect(wf.jobs['deploy-staging'].needs).toBe('build');
    expect(wf.jobs['deploy-prod'].needs).toBe('deploy-staging');
    expect(wf.jobs['deploy-prod'].if).toBe("github.event_name != 'pull_request' && github.ref == 'refs/heads/main'");
    expect(wf.jobs.build.if).toBeUndefined();
  });

  test('the deploy branch is configurable everywhere it appears', () => {
    const other = render([PROD], { branch: 'release' }).wf;
    expect(other.on.push.branches).toEqual(['release']);
    expect(other.jobs['deploy-prod'].if).toContain("github.ref == 'refs/heads/release'");
  });

  test('the token has no permission unless a job asks; the build (pull-request code) reads contents only, with no OIDC token', () => {
    expect(wf.permissions).toEqual({});
    expect(wf.jobs.build.permissions).toEqual({ contents: 'read' });
    // Reading the merged pull request's labels (may it delete the stacks of removed batches?) needs pull-requests: read.
    expect(wf.jobs['deploy-prod'].permissions).toEqual({ 'contents': 'read', 'id-token': 'write', 'pull-requests': 'read' });
  });

  test('deploy jobs are bound to the stage\'s GitHub environment, one at a time per stage, never cancelled; timeouts from the stack count', () => {
    expect(wf.jobs['deploy-prod'].environment).toBe('prod');
    expect(wf.jobs['deploy-staging'].environment).toBe('Staging (EU team)');
    expect(wf.jobs['deploy-prod'].concurrency).toEqual({ 'group': 'batchform-deploy-prod', 'cancel-in-progress': false });
    const sized = render([PROD], { deployTimeoutMinutes: (n) => 10 * n }).wf;
    expect(sized.jobs['deploy-prod']['timeout-minutes']).toBe(30);
    // By default, sized for the stage's stacks at the default concurrency (the bench measures that 100 fit).
    const hundred = render([{ ...PROD, stackCount: 100 }]);
    expect(hundred.wf.jobs['deploy-prod']['timeout-minutes']).toBe(deployJobTimeoutMinutes(100));
    expect(hundred.preview!.jobs['preview-prod']['timeout-minutes']).toBe(previewJobTimeoutMinutes(100));
    expect(deployJobTimeoutMinutes(100)).toBeGreaterThan(deployJobTimeoutMinutes(3));
    for (const job of Object.values(wf.jobs as Record<string, Json>)) expect(job['timeout-minutes']).toBeGreaterThan(0);
  });

  describe('build job', () => {
    const build = wf.jobs.build;

    test('lints only the workflows batchform writes, with the actionlint image pinned by digest', () => {
      expect(steps(build)[0].uses).toBe(ACTIONS.checkout.uses);
      const lintStep = stepNamed(build, /actionlint/);
      expect(lintStep.uses).toBe(ACTIONLINT_IMAGE.uses);
      expect(lintStep.with.args).toBe('-color .github/workflows/batchform.yml .github/workflows/batchform-preview.yml');
      expect(stepNamed(render([DEV]).wf.jobs.build, /actionlint/).with.args).toBe('-color .github/workflows/batchform.yml');
    });

    test('installs the real cfn-lint with pipx and runs it through the lint:cfn wrapper before the build, which hands on declaration problems', () => {
      const runs = steps(build).map((s) => s.run ?? s.uses);
      const install = runs.findIndex((x) => /^pipx install cfn-lint==\d+\.\d+\.\d+$/.test(x));
      expect(install).toBeGreaterThan(-1);
      expect(runs.indexOf('npx projen lint:cfn --engine cfn-lint')).toBeGreaterThan(install);
      const buildStep = stepNamed(build, /^Build:/);
      expect(buildStep.run).toBe('npx projen build');
      expect(buildStep.env).toEqual({ BATCHFORM_PROBLEMS_FILE: '${{ runner.temp }}/batchform-problems.json' });
    });

    test('uploads the templates and code zips after the drift check, and the problems of a failed build', () => {
      const [upload, problems] = usesOf(build, ACTIONS.uploadArtifact);
      expect(upload.with).toMatchObject({ 'name': BUILD_ARTIFACT, 'if-no-files-found': 'error' });
      expect(upload.with.path.split('\n')).toEqual(['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json']);
      expect(steps(build).indexOf(upload)).toBeGreaterThan(steps(build).indexOf(stepNamed(build, /differ from the commit/)));
      expect(problems.if).toBe("failure() && steps.build.outcome == 'failure'");
      expect(problems.with).toMatchObject({ 'name': PROBLEMS_ARTIFACT, 'path': '${{ runner.temp }}/batchform-problems.json', 'if-no-files-found': 'ignore' });
    });

    describe('the drift check', () => {
      const script = stepNamed(build, /differ from the commit/).run as string;
      let repo: string;
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
      const run = () => spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: repo, encoding: 'utf8' });
      beforeEach(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-drift-'));
        git('init', '-q');
        fs.writeFileSync(path.join(repo, '.gitignore'), '/dist/\n');
        fs.writeFileSync(path.join(repo, 'template.json'), '{}\n');
        git('add', '-A');
        git('commit', '-q', '-m', 'init');
      });
      afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

      test('passes when the build changed nothing committed (ignored build output is fine)', () => {
        fs.mkdirSync(path.join(repo, 'dist'));
        fs.writeFileSync(path.join(repo, 'dist/x.zip'), 'zip');
        expect(run().status).toBe(0);
      });

      test('fails, naming the files, when regeneration changed a committed file', () => {
        fs.writeFileSync(path.join(repo, 'template.json'), '{"changed":true}\n');
        const result = run();
        expect(result.status).toBe(1);
        expect(result.stdout).toMatch(/template\.json/);
        expect(result.stdout).toMatch(/::error title=Generated files are out of date::/);
      });

      test('fails when regeneration added a file that is not committed', () => {
        fs.writeFileSync(path.join(repo, 'new.template.json'), '{}\n');
        expect(run().status).toBe(1);
      });
    });
  });

  describe('deploy job', () => {
    const job = render([PROD], { refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] }).wf.jobs['deploy-prod'];
    const names = steps(job).map((s) => s.name as string);

    test('decides on replacements first, before any AWS credential is in the job, reading pull requests (only then)', () => {
      const decide = stepNamed(job, /May this deploy replace/);
      expect(steps(job)[0]).toBe(decide);
      expect(decide.uses).toBe(ACTIONS.githubScript.uses);
      expect(decide.env).toEqual({ LABEL: 'batchform:allow-replacement', TYPES: 'AWS::Logs::LogGroup,AWS::SQS::Queue' });
      expect(decide.with.script).not.toContain('${{');
      expect(job.permissions).toEqual({ 'contents': 'read', 'id-token': 'write', 'pull-requests': 'read' });
      expect(render([PROD], { refuseReplacement: ['AWS::SQS::Queue'], allowReplacementLabel: 'replace-ok' }).wf.jobs['deploy-prod'].steps[0].env.LABEL).toBe('replace-ok');
    });

    test('installs only the locked batchform package, takes the build\'s artifact outside the checkout, assumes the deploy role, deploys from there', () => {
      expect(names).toEqual([
        'May this deploy replace refused resource types? (label on the pull request when it was merged)',
        'May this deploy delete the stacks of removed batches? (label on the pull request when it was merged)',
        'Check out', 'Set up Node.js', 'Install the batchform CLI the checkout locks (only it, integrity checked)',
        'Download the templates and code zips', 'Assume the deploy role of stage prod (OIDC)', 'Deploy the stage stack, then the changed batch stacks',
      ]);
      expect(steps(job).some((s) => /npm (ci|install)|yarn|pnpm/.test(s.run ?? ''))).toBe(false);
      expect(usesOf(job, ACTIONS.setupNode)[0].with).toEqual({ 'node-version': '24' });
      expect(usesOf(job, ACTIONS.downloadArtifact)[0].with).toEqual({ name: BUILD_ARTIFACT, path: '${{ runner.temp }}/batchform-build' });
      expect(usesOf(job, ACTIONS.configureAwsCredentials)[0].with).toEqual({
        'role-to-assume': PROD.deployRoleArn, 'aws-region': 'ap-northeast-2', 'role-session-name': 'batchform-deploy-prod',
      });
      const deploy = steps(job).at(-1)!;
      expect(deploy['working-directory']).toBe('${{ runner.temp }}/batchform-build');
      expect(deploy.env).toEqual({ REFUSE_REPLACEMENT: '${{ steps.replacement.outputs.refuse }}', ALLOW_REMOVAL: '${{ steps.removal.outputs.allow }}' });
      expect(deploy.run).toBe(`node "$${CLI_ENV}" deploy --stage prod --report "$RUNNER_TEMP/batchform-deploy-prod.md" --refuse-replacement "$REFUSE_REPLACEMENT" \${ALLOW_REMOVAL:+--allow-removal}`);
    });

    test('decides on removals before any AWS credential, from the merged pull request\'s label; the deploy gets --allow-removal only then', () => {
      const decide = stepNamed(job, /May this deploy delete/);
      expect(steps(job).indexOf(decide)).toBeLessThan(names.indexOf('Assume the deploy role of stage prod (OIDC)'));
      expect(decide).toMatchObject({ id: 'removal', uses: ACTIONS.githubScript.uses, env: { LABEL: 'batchform:allow-removal' } });
      expect(decide.with.script).not.toContain('${{');
      expect(decide.with.script).toContain('core.setOutput("allow", "true")');
      expect(render([PROD], { allowRemovalLabel: 'remove-ok' }).wf.jobs['deploy-prod'].steps.find((st: { id?: string }) => st.id === 'removal').env.LABEL).toBe('remove-ok');
      // Without refused types: the same decision, and the deploy step takes only it.
      const plain = steps(render([PROD]).wf.jobs['deploy-prod']).at(-1)!;
      expect(plain.env).toEqual({ ALLOW_REMOVAL: '${{ steps.removal.outputs.allow }}' });
      expect(plain.run).toBe(`node "$${CLI_ENV}" deploy --stage prod --report "$RUNNER_TEMP/batchform-deploy-prod.md" \${ALLOW_REMOVAL:+--allow-removal}`);
    });
  });
});

describe('the preview workflow', () => {
  const r = render([STAGING, DEV, PROD]);
  const preview = r.preview!;
  const job = preview.jobs['preview-prod'];
  const names = steps(job).map((s) => s.name as string);
  const credentials = names.indexOf('Assume the preview role of stage prod (OIDC)');

  test('runs when the build workflow completes, from the default branch, for pull requests only; none without a preview role', () => {
    expect(preview.name).toBe('batchform preview');
    expect(preview.on).toEqual({ workflow_run: { workflows: ['batchform'], types: ['completed'] } });
    expect(Object.keys(preview.jobs)).toEqual(['preview-staging', 'preview-prod']);
    expect(job.if).toBe("github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion != 'cancelled' && github.event.workflow_run.conclusion != 'skipped'");
    expect(render([DEV]).preview).toBeUndefined();
  });

  test('permissions: none by default; the job downloads the build\'s artifacts, comments, and gets an OIDC token, nothing more', () => {
    expect(preview.permissions).toEqual({});
    expect(job.permissions).toEqual({ 'actions': 'read', 'contents': 'read', 'pull-requests': 'write', 'id-token': 'write' });
    expect(job.environment).toBeUndefined();
  });

  test('never runs code from the pull request\'s tree: the checkout is the default branch\'s, the pull request\'s build comes only as data outside it', () => {
    const checkout = usesOf(job, ACTIONS.checkout)[0];
    // No ref: on workflow_run, the checkout is the default branch's head, which the pull request cannot change.
    expect(checkout.with).toEqual({ 'persist-credentials': false });
    const download = usesOf(job, ACTIONS.downloadArtifact)[0];
    expect(download.with).toEqual({ 'name': BUILD_ARTIFACT, 'path': '${{ runner.temp }}/batchform-build', 'run-id': '${{ github.event.workflow_run.id }}', 'github-token': '${{ github.token }}' });
    // Every step that runs a command after the credentials runs the CLI installed before them.
    const after = steps(job).slice(credentials + 1);
    for (const s of after.filter((x) => x.run)) expect(s.run).toMatch(/^node "\$BATCHFORM_CI" preview /);
    for (const s of after.filter((x) => x.uses)) expect(s.uses).toBe(ACTIONS.githubScript.uses);
    // Before the credentials, only the trusted checkout's lockfile decides what runs.
    for (const s of steps(job).slice(0, credentials)) expect(s.run ?? '').not.toMatch(/npm|npx|yarn|pnpm|\.\/|bash|sh /);
    // No event value a pull request controls is spliced into a script.
    for (const s of steps(job)) expect(`${s.run ?? ''}${s.with?.script ?? ''}`).not.toMatch(/\$\{\{/);
  });

  test('which pull request comes first, from the event and GitHub\'s API, and every later step needs one (forks get none)', () => {
    const pr = steps(job)[0];
    expect(pr.id).toBe('pr');
    expect(pr.uses).toBe(ACTIONS.githubScript.uses);
    for (const s of steps(job).slice(1)) expect(`${s.name}: ${s.if}`).toContain(HAS_PULL_REQUEST);
  });

  test('credentials and the preview only after a successful build; the comment whatever happened, unless cancelled', () => {
    expect(steps(job)[credentials].if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(stepNamed(job, /^Preview the change sets/).if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(stepNamed(job, /problems of the failed build/)).toMatchObject({ 'continue-on-error': true });
    const comment = stepNamed(job, /Comment on the pull request/);
    expect(comment.if).toBe("${{ !cancelled() && steps.pr.outputs.number != '' }}");
    expect(comment.env).toMatchObject({ STAGE: 'prod', MARKER: '<!-- batchform-preview:prod -->', SHA: '${{ github.event.workflow_run.head_sha }}', BUILD: '${{ github.event.workflow_run.conclusion }}' });
  });

  test('the preview runs in the build\'s data with the stage\'s preview role', () => {
    expect(usesOf(job, ACTIONS.configureAwsCredentials)[0].with).toEqual({
      'role-to-assume': PROD.previewRoleArn, 'aws-region': 'ap-northeast-2', 'role-session-name': 'batchform-preview-prod',
    });
    const run = stepNamed(job, /^Preview the change sets/);
    expect(run['working-directory']).toBe('${{ runner.temp }}/batchform-build');
    expect(run.run).toBe('node "$BATCHFORM_CI" preview --stage prod --report "$RUNNER_TEMP/batchform-preview-prod.md"');
  });

  test('in this repository the CLI is built from the trusted checkout\'s source instead', () => {
    const source = render([PROD], { cli: { kind: 'source', install: ['npm ci', 'npx projen bundle:ci'], script: 'lib/batchform-ci.cjs' } }).preview!.jobs['preview-prod'];
    expect(steps(source).filter((s) => s.run).map((s) => s.run)).toEqual([
      'npm ci', 'npx projen bundle:ci', 'echo "BATCHFORM_CI=$GITHUB_WORKSPACE/lib/batchform-ci.cjs" >> "$GITHUB_ENV"',
      'node "$BATCHFORM_CI" preview --stage prod --report "$RUNNER_TEMP/batchform-preview-prod.md"',
    ]);
  });
});

describe('credentials and actions', () => {
  const r = render([STAGING, PROD], { refuseReplacement: ['AWS::SQS::Queue'] });

  test('no long-lived AWS keys anywhere: every role is assumed with OIDC', () => {
    for (const text of [r.text, r.previewText!]) expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\./i);
    for (const [id, job] of allJobs(r)) {
      const assumes = usesOf(job, ACTIONS.configureAwsCredentials);
      expect(`${id}: ${job.permissions['id-token'] === 'write'}`).toBe(`${id}: ${assumes.length > 0}`);
      for (const s of assumes) expect(Object.keys(s.with).sort()).toEqual(['aws-region', 'role-session-name', 'role-to-assume']);
    }
  });

  test('every action is pinned to a full commit SHA and the image to a digest, each with its release beside it', () => {
    const uses = allJobs(r).flatMap(([, j]) => steps(j).map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(15);
    for (const u of uses) expect(u).toMatch(/^([\w-]+\/[\w-]+@[0-9a-f]{40}|docker:\/\/rhysd\/actionlint@sha256:[0-9a-f]{64})$/);
    expect(new Set(uses)).toEqual(new Set([...Object.values(ACTIONS), ACTIONLINT_IMAGE].map((a) => a.uses)));
    for (const text of [r.text, r.previewText!]) {
      for (const line of text.split('\n').filter((l) => /^\s*(- )?uses: /.test(l))) expect(line).toMatch(/ # v\d+\.\d+\.\d+$|actionlint@sha256:[0-9a-f]{64} # 1\.7\.12$/);
    }
    expect(withVersionComments('      - uses: someone/else@v1\n')).toBe('      - uses: someone/else@v1\n');
  });

  test('checkouts leave no token behind', () => {
    for (const [, job] of allJobs(r)) for (const s of usesOf(job, ACTIONS.checkout)) expect(s.with['persist-credentials']).toBe(false);
  });
});

describe('the Batchform component', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchProject('wfc');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function synth(options: Partial<BatchformOptions> = {}, withGitHub = true): Project {
    const project = new Project({ name: 'fixture', outdir: dir });
    if (withGitHub) new github.GitHub(project, { mergify: false, pullRequestLint: false });
    new Batchform(project, {
      stages: [{ ...STAGE, previewRoleArn: PROD.previewRoleArn, deployRoleArn: PROD.deployRoleArn }],
      batches: [BATCH],
      ...options,
    });
    project.synth();
    return project;
  }
  const read = (file: string): Json => YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

  test('writes both workflows from the declared stages; the jobs with credentials install the locked package by default', async () => {
    synth({ workflowNodeVersion: '22' });
    const text = fs.readFileSync(path.join(dir, WORKFLOW_FILE), 'utf8');
    expect(text.startsWith('# ~~ Generated by projen.')).toBe(true);
    const wf = read(WORKFLOW_FILE);
    expect(Object.keys(wf.jobs)).toEqual(['build', 'deploy-prod']);
    expect(Object.keys(read(PREVIEW_WORKFLOW_PATH).jobs)).toEqual(['preview-prod']);
    expect(stepNamed(wf.jobs['deploy-prod'], /Install the batchform CLI/).env).toEqual({ LOCKFILE: 'package-lock.json', PACKAGE: 'batchform', DEST: '${{ runner.temp }}/batchform-cli' });
    expect(usesOf(wf.jobs.build, ACTIONS.setupNode)[0].with['node-version']).toBe('22');
    expect(formatFindings(await actionlintWithShellcheck([WORKFLOW_FILE, PREVIEW_WORKFLOW_PATH].map((f) => ({ path: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }))))).toBe('');
  });

  test('writes no workflow when the project has no GitHub support, or when workflows are off', () => {
    synth({}, false);
    expect(fs.existsSync(path.join(dir, '.github'))).toBe(false);
    synth({ workflows: false });
    expect(fs.existsSync(path.join(dir, WORKFLOW_FILE))).toBe(false);
  });

  test('rejects a deploy branch that could break out of the workflow expressions, quoting it and the fix', () => {
    expect(() => synth({ deployBranch: "main' || true || '" })).toThrow(/deployBranch "main' \|\| true \|\| '" is not a branch name .* Fix: .*"main"/);
  });

  test('refuseReplacement reaches the deploy jobs; a bad type or label is rejected with the fix', () => {
    synth({ refuseReplacement: ['AWS::Logs::LogGroup'] });
    expect(stepNamed(read(WORKFLOW_FILE).jobs['deploy-prod'], /May this deploy replace/).env.TYPES).toBe('AWS::Logs::LogGroup');
    expect(() => synth({ refuseReplacement: ['LogGroup'] })).toThrow('batchform: refuseReplacement "LogGroup" is not of the form Namespace::Service::Type of a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?). '
      + 'Fix: name types as CloudFormation does, e.g. "AWS::Logs::LogGroup".');
    expect(() => synth({ refuseReplacement: ['AWS::Logs::Loggroup'] })).toThrow('refuseReplacement "AWS::Logs::Loggroup" is not a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?)');
    expect(() => synth({ refuseReplacement: ['AWS::SQS::Queue'], allowReplacementLabel: 'ok"; rm -rf /' })).toThrow(/allowReplacementLabel .* is not a usable label\. Fix:/);
  });

  test('removes the jobs of a stage whose roles are removed, and the preview workflow with the last preview role', () => {
    synth();
    synth({ stages: [STAGE] });
    expect(Object.keys(read(WORKFLOW_FILE).jobs)).toEqual(['build']);
    expect(fs.existsSync(path.join(dir, PREVIEW_WORKFLOW_PATH))).toBe(false);
  });
});
