import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  commitFiles, createPullRequestRefs, createRepository, EventResult, GITHUB_ACTIONS_BOT, GitHubFake, JobResult, oidcSubject, pullRequestEvent,
  pushEvent, runScenario, scenarioFor, startGitHubFake, trustFromBootstrapTemplate, workflowRunEvent,
} from './harness';
import type { OidcClaims } from './harness';
import { findFilesToUpload } from './harness/artifact-files';
import { parseKeyValueFile, parseWorkflowCommand } from './harness/commands';

const BOOTSTRAP = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cfn-out/bootstrap.template.json'), 'utf8'));
const BOOTSTRAP_PARAMETERS = {
  GitHubRepository: 'acme/batches',
  GitHubEnvironment: 'prod',
  StageName: 'prod',
  StackPrefix: 'prod',
  ArtifactBucketName: 'batchform-artifacts-111122223333-ap-northeast-2',
};
const DEPLOY_ROLE = 'arn:aws:iam::111122223333:role/batchform/prod-deploy';

function job(result: EventResult, workflow: string, id: string): JobResult {
  const run = result.runs.find((r) => r.workflow.name === workflow || r.workflow.path === workflow);
  if (!run) throw new Error(`no run of ${workflow} in ${result.runs.map((r) => r.workflow.path).join(', ')}`);
  const j = run.jobs[id];
  if (!j) throw new Error(`no job ${id} in ${workflow}: ${Object.keys(run.jobs).join(', ')}`);
  return j;
}

function step(j: JobResult, id: string) {
  const s = j.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in job ${j.id}: ${j.steps.map((x) => x.id).join(', ')}`);
  return s;
}

const claims = (over: Partial<OidcClaims>): OidcClaims => ({
  iss: 'https://token.actions.githubusercontent.com',
  sub: '',
  aud: 'sts.amazonaws.com',
  ref: 'refs/heads/main',
  ref_type: 'branch',
  sha: 'a'.repeat(40),
  repository: 'acme/batches',
  repository_id: '700000001',
  repository_owner: 'acme',
  repository_owner_id: '9000001',
  repository_visibility: 'private',
  run_id: '1',
  run_number: '1',
  run_attempt: '1',
  actor: 'octocat',
  event_name: 'push',
  workflow: 'batchform',
  workflow_ref: 'acme/batches/.github/workflows/batchform.yml@refs/heads/main',
  job_workflow_ref: 'acme/batches/.github/workflows/batchform.yml@refs/heads/main',
  head_ref: '',
  base_ref: '',
  runner_environment: 'github-hosted',
  ...over,
});

describe('the runner\'s parsing of what steps print and write', () => {
  test('workflow commands unescape data and properties; unregistered commands are plain output', () => {
    expect(parseWorkflowCommand('  ::error file=src/a%2Cb.ts,line=3,title=Odd%3A yes::50%25 done%0Anext')).toEqual({
      command: 'error', properties: { file: 'src/a,b.ts', line: '3', title: 'Odd: yes' }, data: '50% done\nnext',
    });
    expect(parseWorkflowCommand('::frobnicate::x')).toBeUndefined();
    expect(parseWorkflowCommand('plain ::error::not at the start')).toBeUndefined();
  });

  test('GITHUB_ENV / GITHUB_OUTPUT files: NAME=value lines and heredocs, malformed files rejected with the runner\'s message', () => {
    expect(parseKeyValueFile('A=1\nB<<EOF\nline one\nline=two\nEOF\nC=x=y\nEMPTY<<X\nX\n')).toEqual([['A', '1'], ['B', 'line one\nline=two'], ['C', 'x=y'], ['EMPTY', '']]);
    expect(() => parseKeyValueFile('B<<EOF\nnever closed\n')).toThrow("Matching delimiter not found 'EOF'");
    expect(() => parseKeyValueFile('=x\n')).toThrow('Name must not be empty');
    expect(() => parseKeyValueFile('just words\n')).toThrow("Invalid format 'just words'");
  });
});

describe('upload-artifact path rules', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-ws-'));
    for (const f of ['cfn-out/a.template.json', 'cfn-out/nested/b.json', 'dist/batches/one.zip', 'dist/batches/two.zip', 'dist/batches/bundles.json', 'dist/batches/.cache/x.zip', 'dist/other.txt']) {
      fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
      fs.writeFileSync(path.join(ws, f), f);
    }
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  test('several paths: the least common ancestor of their search paths is the artifact root', () => {
    const found = findFilesToUpload('cfn-out/\ndist/batches/*.zip\ndist/batches/bundles.json\n# a comment', ws);
    expect(found.rootDirectory).toBe(ws);
    expect(found.files.map((f) => path.relative(ws, f)).sort()).toEqual(['cfn-out/a.template.json', 'cfn-out/nested/b.json', 'dist/batches/bundles.json', 'dist/batches/one.zip', 'dist/batches/two.zip']);
  });

  test('one directory is its own root; a lone file is uploaded by its name; hidden files stay out unless asked', () => {
    expect(findFilesToUpload('dist/batches', ws).rootDirectory).toBe(path.join(ws, 'dist/batches'));
    expect(findFilesToUpload('dist/batches', ws).files.map((f) => path.basename(f)).sort()).toEqual(['bundles.json', 'one.zip', 'two.zip']);
    expect(findFilesToUpload('dist/batches', ws, true).files).toHaveLength(4);
    const lone = findFilesToUpload('dist/other.txt', ws);
    expect(lone.rootDirectory).toBe(path.join(ws, 'dist'));
    expect(findFilesToUpload('nothing/here', ws).files).toEqual([]);
    expect(() => findFilesToUpload('../outside', ws)).toThrow("Relative pathing '.' and '..' is not allowed");
  });
});

describe('OIDC subjects and the bootstrap template\'s trust', () => {
  const base = { repository: 'acme/batches', repositoryId: '700000001', ownerId: '9000001' };
  test('the default subject names the environment, else pull_request, else the ref; a template customizes it', () => {
    const c = claims({});
    expect(oidcSubject({ ...base, eventName: 'push', ref: 'refs/heads/main' }, c)).toBe('repo:acme/batches:ref:refs/heads/main');
    expect(oidcSubject({ ...base, eventName: 'pull_request', ref: 'refs/pull/7/merge' }, c)).toBe('repo:acme/batches:pull_request');
    expect(oidcSubject({ ...base, eventName: 'push', ref: 'refs/heads/main', environment: 'prod' }, c)).toBe('repo:acme/batches:environment:prod');
    expect(oidcSubject({ ...base, eventName: 'push', ref: 'refs/heads/main', environment: 'prod', claimKeys: ['repo', 'context', 'ref'] }, c))
      .toBe('repo:acme/batches:environment:prod:ref:refs/heads/main');
    expect(oidcSubject({ ...base, eventName: 'push', ref: 'refs/heads/main', environment: 'prod', immutable: true }, c))
      .toBe('repo:acme@9000001/batches@700000001:environment:prod');
  });

  test('the deploy role trusts only its environment; the preview role only the preview job on the deploy branch, never a pull request; other roles do not exist', async () => {
    const trust = trustFromBootstrapTemplate(BOOTSTRAP, BOOTSTRAP_PARAMETERS, '111122223333', 'ap-northeast-2');
    expect(await trust(DEPLOY_ROLE, claims({ sub: 'repo:acme/batches:environment:prod', environment: 'prod' }))).toMatchObject({ allowed: true });
    const wrong = await trust(DEPLOY_ROLE, claims({ sub: 'repo:acme/batches:ref:refs/heads/main' }));
    expect(wrong.allowed).toBe(false);
    expect(wrong.reason).toContain('"repo:acme/batches:ref:refs/heads/main"');
    expect((await trust(DEPLOY_ROLE, claims({ sub: 'repo:acme/batches:environment:prod', aud: 'sigstore' }))).reason).toContain('aud');
    const preview = 'arn:aws:iam::111122223333:role/batchform/prod-preview';
    expect(await trust(preview, claims({ sub: 'repo:acme/batches:pull_request' }))).toMatchObject({ allowed: false });
    expect(await trust(preview, claims({ sub: 'repo:acme/batches:ref:refs/heads/main' }))).toMatchObject({ allowed: true });
    expect(await trust(preview, claims({ sub: 'repo:acme/batches:ref:refs/heads/feature' }))).toMatchObject({ allowed: false });
    expect((await trust('arn:aws:iam::111122223333:role/prod-deploy', claims({ sub: 'repo:acme/batches:environment:prod' }))).reason).toContain('No role');
  });
});

describe('the GitHub fake', () => {
  let fake: GitHubFake;
  afterEach(async () => fake?.close());

  async function register(token: string, permissions: Record<string, string>): Promise<void> {
    const res = await fetch(`${fake.url}/_harness/tokens`, { method: 'POST', headers: { 'x-harness-admin': fake.adminKey }, body: JSON.stringify({ token, permissions, job: 'wf.yml#j', runId: 1 }) });
    expect(res.status).toBe(204);
  }
  const get = async (route: string, token?: string) => {
    const res = await fetch(`${fake.url}/repos/acme/batches${route}`, { headers: token ? { authorization: `token ${token}` } : {} });
    return { status: res.status, body: await res.json() as any };
  };

  test('label events and the timeline tell which labels a pull request had when it merged; commits find their pull requests', async () => {
    fake = await startGitHubFake({
      repository: { fullName: 'acme/batches' },
      pullRequests: [
        { number: 5, head: { ref: 'f', sha: '1'.repeat(40) }, base: { ref: 'main', sha: '0'.repeat(40) }, labels: ['docs'], createdAt: '2026-03-01T00:00:00Z' },
        { number: 6, head: { ref: 'g', sha: '2'.repeat(40) }, base: { ref: 'main', sha: '0'.repeat(40) } },
      ],
      labelEvents: [{ issue: 5, event: 'labeled', label: 'batchform:allow-replacement', created_at: '2026-03-02T00:00:00Z' }],
    });
    fake.merge(5, '3'.repeat(40), '2026-03-03T00:00:00Z');
    fake.removeLabel(5, 'batchform:allow-replacement', '2026-03-04T00:00:00Z');
    await register('t-read', { 'pull-requests': 'read' });

    expect(fake.labelsAt(5, '2026-03-03T00:00:00Z')).toEqual(['docs', 'batchform:allow-replacement']);
    const pulls = await get(`/commits/${'3'.repeat(40)}/pulls`, 't-read');
    expect(pulls.body.map((p: any) => [p.number, p.merged_at, p.labels.map((l: any) => l.name)])).toEqual([[5, '2026-03-03T00:00:00Z', ['docs']]]);
    expect((await get(`/commits/${'2'.repeat(40)}/pulls`, 't-read')).body.map((p: any) => p.number)).toEqual([6]);
    const events = await get('/issues/5/events', 't-read');
    expect(events.body.map((e: any) => `${e.created_at} ${e.event} ${e.label.name}`)).toEqual([
      '2026-03-01T00:00:00Z labeled docs', '2026-03-02T00:00:00Z labeled batchform:allow-replacement', '2026-03-04T00:00:00Z unlabeled batchform:allow-replacement',
    ]);
    expect((await get('/issues/5/timeline', 't-read')).body.map((e: any) => e.event)).toEqual(['labeled', 'labeled', 'merged', 'unlabeled']);
    expect((await get('/pulls/5', 't-read')).body).toMatchObject({ number: 5, merged: true, state: 'closed', merge_commit_sha: '3'.repeat(40), head: { repo: { full_name: 'acme/batches' } } });
  });

  test('tokens: scopes per endpoint, reads of a public repository need none, unknown tokens 401, unimplemented endpoints flagged', async () => {
    fake = await startGitHubFake({ repository: { fullName: 'acme/batches' }, pullRequests: [{ number: 5, head: { ref: 'f', sha: '1'.repeat(40) }, base: { ref: 'main', sha: '0'.repeat(40) } }] });
    await register('t-none', { contents: 'read' });
    expect((await get('/pulls/5', 't-none')).status).toBe(403);
    expect((await get('/pulls/5')).status).toBe(401);
    expect((await get('/pulls/5', 'made-up')).status).toBe(401);
    await fetch(`${fake.url}/_harness/tokens/revoke`, { method: 'POST', headers: { 'x-harness-admin': fake.adminKey }, body: JSON.stringify({ token: 't-none' }) });
    expect((await get('/issues/5/comments', 't-none')).body.message).toBe('Bad credentials');
    expect((await get('/branches', 't-none')).status).toBe(401);
    await register('t-x', {});
    expect((await get('/branches', 't-x')).status).toBe(404);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/repos/acme/batches/branches', unimplemented: true });
    expect((await fetch(`${fake.url}/_harness/tokens`, { method: 'POST', body: '{}' })).status).toBe(403);
    await fake.close();
    fake = await startGitHubFake({ repository: { fullName: 'acme/batches', private: false }, pullRequests: [{ number: 5, head: { ref: 'f', sha: '1'.repeat(40) }, base: { ref: 'main', sha: '0'.repeat(40) } }] });
    await register('t-none', { contents: 'read' });
    expect((await get('/pulls/5', 't-none')).status).toBe(200);
    const post = await fetch(`${fake.url}/repos/acme/batches/issues/5/comments`, { method: 'POST', headers: { authorization: 'token t-none' }, body: JSON.stringify({ body: 'x' }) });
    expect(post.status).toBe(403);
  });
});

describe('running workflows', () => {
  let fake: GitHubFake;
  let repo: string;
  let mainSha: string;
  afterEach(async () => {
    await fake?.close();
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  async function setUp(options: Partial<Parameters<typeof startGitHubFake>[0]> = {}): Promise<void> {
    fake = await startGitHubFake({ repository: { fullName: 'acme/batches' }, ...options });
    repo = createRepository();
    mainSha = commitFiles(repo, 'main', { 'README.md': 'batches\n', 'package.json': '{"name":"batches","devEngines":{"packageManager":{"name":"npm"}}}\n' });
  }

  test('needs, if, outputs, env levels, GITHUB_ENV/PATH/OUTPUT, summaries, annotations, statuses; invalid and untriggered files', async () => {
    await setUp();
    const checks = `
name: checks
on:
  push:
    branches: [main]
concurrency:
  group: \${{ github.workflow }}-\${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}
env:
  LEVEL: workflow
  SHARED: from-workflow
jobs:
  produce:
    runs-on: ubuntu-latest
    env:
      SHARED: from-job
    outputs:
      answer: \${{ steps.compute.outputs.answer }}
      letter: \${{ steps.compute.outputs.letter }}
    steps:
      - id: compute
        env:
          STEP_ONLY: from-step
        run: |
          echo "answer=42" >> "$GITHUB_OUTPUT"
          { echo 'letter<<EOF'; echo 'dear'; echo 'reader'; echo 'EOF'; } >> "$GITHUB_OUTPUT"
          echo "levels $LEVEL $SHARED $STEP_ONLY"
          { echo 'NOTE<<END'; echo 'two'; echo 'lines'; echo 'END'; echo 'PLAIN=yes'; } >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "### produced" >> "$GITHUB_STEP_SUMMARY"
          echo "::warning file=src/a.ts,line=7,col=3,title=Odd%2C but fine::50%25 done%0Asecond line"
      - name: Later step sees env and path
        id: later
        run: |
          echo "note=[$NOTE] plain=$PLAIN step_only=[\${STEP_ONLY:-}] event=$GITHUB_EVENT_NAME sha=$GITHUB_SHA ci=$CI"
          mytool
          echo "more" >> "$GITHUB_STEP_SUMMARY"
      - name: Expensive build
        id: expensive
        run: npx projen build
  consume:
    needs: produce
    runs-on: ubuntu-latest
    steps:
      - id: show
        run: echo "answer=\${{ needs.produce.outputs.answer }} result=\${{ needs.produce.result }}"
  never:
    needs: produce
    if: github.ref == 'refs/heads/other'
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  after-never:
    needs: never
    runs-on: ubuntu-latest
    steps:
      - run: echo skipped too
  always-after-never:
    needs: never
    if: always()
    runs-on: ubuntu-latest
    steps:
      - id: show
        run: echo "never=\${{ needs.never.result }}"
  statuses:
    runs-on: ubuntu-latest
    steps:
      - id: soft
        continue-on-error: true
        run: exit 3
      - id: check
        run: echo "soft outcome=\${{ steps.soft.outcome }} conclusion=\${{ steps.soft.conclusion }}"
      - id: hard
        run: |
          echo about to fail
          false
          echo not reached
      - id: default
        run: echo should be skipped
      - id: not-cancelled
        if: \${{ !cancelled() }}
        run: echo "runs after the failure; hard=\${{ steps.hard.outcome }} status=\${{ job.status }}"
      - id: on-failure
        if: failure()
        run: echo on failure
      - id: pipefail
        if: always()
        shell: bash
        run: false | true
      - id: no-pipefail
        if: always()
        run: false | true
  dirs:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: nested
        shell: bash
    steps:
      - id: make
        working-directory: .
        run: mkdir -p nested/deeper
      - id: where
        run: echo "in=\${PWD#$GITHUB_WORKSPACE/} shellopts=$SHELLOPTS"
      - id: deeper
        working-directory: nested/deeper
        run: echo "in=\${PWD#$GITHUB_WORKSPACE/}"
      - id: missing
        working-directory: nowhere
        run: echo never
  unknown:
    runs-on: ubuntu-latest
    steps:
      - run: echo should not run
      - uses: acme/does-not-exist@v1
  too-new:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v99
`;
    const broken = 'name: broken\non: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n';
    const prOnly = 'name: pr-only\non: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo x\n';
    const result = await runScenario({
      ...scenarioFor(fake, repo),
      event: pushEvent(fake, { sha: mainSha }),
      workflows: [
        { path: '.github/workflows/checks.yml', text: checks },
        { path: '.github/workflows/broken.yml', text: broken },
        { path: '.github/workflows/pr-only.yml', text: prOnly },
      ],
      substitutions: [{ job: 'produce', step: 'Expensive build', run: 'echo cheap build', reason: 'the build is tested elsewhere' }],
    });

    const produce = job(result, 'checks', 'produce');
    expect(produce.result).toBe('success');
    expect(produce.outputs).toEqual({ answer: '42', letter: 'dear\nreader' });
    expect(step(produce, 'compute').stdout).toContain('levels workflow from-job from-step');
    expect(step(produce, 'later').stdout).toContain(`note=[two\nlines] plain=yes step_only=[] event=push sha=${mainSha} ci=true`);
    expect(step(produce, 'later').stdout).toContain('tool-ran');
    expect(produce.summary).toBe('### produced\nmore\n');
    expect(produce.annotations).toEqual([{ level: 'warning', file: 'src/a.ts', line: 7, col: 3, title: 'Odd, but fine', message: '50% done\nsecond line', step: 'compute' }]);
    expect(step(produce, 'expensive')).toMatchObject({ substitutedBy: 'echo cheap build', stdout: 'cheap build', outcome: 'success' });
    expect(result.substitutions).toEqual([expect.objectContaining({ jobId: 'produce', stepId: 'expensive', original: 'npx projen build', ran: true, reason: 'the build is tested elsewhere' })]);

    expect(step(job(result, 'checks', 'consume'), 'show').stdout).toBe('answer=42 result=success');
    expect(job(result, 'checks', 'never').result).toBe('skipped');
    expect(job(result, 'checks', 'after-never').result).toBe('skipped');
    expect(step(job(result, 'checks', 'always-after-never'), 'show').stdout).toBe('never=skipped');

    const statuses = job(result, 'checks', 'statuses');
    expect(statuses.result).toBe('failure');
    expect(step(statuses, 'soft')).toMatchObject({ outcome: 'failure', conclusion: 'success', exitCode: 3 });
    expect(step(statuses, 'check').stdout).toBe('soft outcome=failure conclusion=success');
    expect(step(statuses, 'hard')).toMatchObject({ outcome: 'failure', stdout: 'about to fail', exitCode: 1 });
    expect(step(statuses, 'default').outcome).toBe('skipped');
    expect(step(statuses, 'not-cancelled').stdout).toBe('runs after the failure; hard=failure status=failure');
    expect(step(statuses, 'on-failure').outcome).toBe('success');
    // `shell: bash` adds pipefail; the default shell (bash -e {0}) does not.
    expect(step(statuses, 'pipefail').outcome).toBe('failure');
    expect(step(statuses, 'no-pipefail').outcome).toBe('success');
    expect(statuses.annotations.map((a) => `${a.step}: ${a.message}`)).toEqual([
      'soft: Process completed with exit code 3.', 'hard: Process completed with exit code 1.', 'pipefail: Process completed with exit code 1.',
    ]);

    const dirs = job(result, 'checks', 'dirs');
    expect(step(dirs, 'where').stdout).toMatch(/^in=nested shellopts=.*pipefail/);
    expect(step(dirs, 'deeper').stdout).toBe('in=nested/deeper');
    expect(step(dirs, 'missing').outcome).toBe('failure');
    expect(dirs.annotations.map((a) => a.message)).toEqual([expect.stringMatching(/^An error occurred trying to start process 'bash' with working directory '.*\/batches\/nowhere'. No such file or directory$/)]);

    const unknown = job(result, 'checks', 'unknown');
    expect(unknown.result).toBe('failure');
    expect(unknown.setupError).toContain('acme/does-not-exist@v1');
    expect(unknown.steps.map((s) => s.id)).toEqual(['__setup']);
    expect(job(result, 'checks', 'too-new').setupError).toBe('Unable to resolve action `actions/checkout@v99`, unable to find version `v99`');

    const checksRun = result.runs.find((r) => r.workflow.name === 'checks')!;
    expect(checksRun.conclusion).toBe('failure');
    expect(checksRun.concurrency).toEqual({ group: 'checks-refs/heads/main', cancelInProgress: false });
    const brokenRun = result.runs.find((r) => r.workflow.path === '.github/workflows/broken.yml')!;
    expect(brokenRun).toMatchObject({ conclusion: 'failure', jobs: {} });
    expect(brokenRun.errors.join('\n')).toContain("Unrecognized named-value: 'nope'");
    expect(result.notTriggered).toEqual([{ path: '.github/workflows/pr-only.yml', reason: 'the workflow has no `on: push`' }]);
  });

  test('a substitution that names no step is an error of the scenario, not a result', async () => {
    await setUp();
    await expect(runScenario({
      ...scenarioFor(fake, repo),
      event: pushEvent(fake, { sha: mainSha }),
      workflows: [{ path: '.github/workflows/a.yml', text: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo a\n' }],
      substitutions: [{ step: 'Build', run: 'true', reason: 'typo' }],
    })).rejects.toThrow('These substitutions name no step');
  });

  test('the actionlint image lints every workflow of the workspace, or the files its args name; pinned refs resolve by name', async () => {
    await setUp();
    const sha = commitFiles(repo, 'main', { '.github/workflows/good.yml': 'on: push\n', '.github/workflows/bad.yaml': 'on: push\n# BAD\n', 'notes.yml': 'BAD\n' });
    const result = await runScenario({
      ...scenarioFor(fake, repo),
      event: pushEvent(fake, { sha }),
      actionlint: { module: 'test/workflows/fixtures/actionlint-stand-in.ts', export: 'actionlintWithShellcheck' },
      workflows: [{
        path: '.github/workflows/lint.yml', text: `
name: lint
on: push
jobs:
  all:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - id: lint
        uses: docker://rhysd/actionlint@sha256:5f957b2a08d223e48133e1a914ed046bea12e578fe2f6ae4de47fdbe691e2e6c
        with:
          args: -color
  named:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - id: lint
        uses: docker://rhysd/actionlint:1.7.12
        with:
          args: -color .github/workflows/good.yml
`,
      }],
    });
    const all = job(result, 'lint', 'all');
    expect(all.result).toBe('failure');
    expect(step(all, 'lint').stdout).toBe('.github/workflows/bad.yaml:2:3: "BAD" is not allowed (.github/workflows/bad.yaml has 3 lines) [syntax-check]');
    expect(all.annotations.map((a) => a.message)).toEqual(['Docker run failed with exit code 1']);
    expect(job(result, 'lint', 'named').result).toBe('success');
  });

  test('timeout-minutes: the job\'s kills its sleeping step and cancels the job; a step\'s fails only the step', async () => {
    await setUp();
    const started = Date.now();
    const result = await runScenario({
      ...scenarioFor(fake, repo),
      event: pushEvent(fake, { sha: mainSha }),
      timeScale: 1 / 40, // a minute lasts 1.5 s
      workflows: [{
        path: '.github/workflows/slow.yml', text: `
name: slow
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    timeout-minutes: 1
    steps:
      - id: sleep
        run: echo started; sleep 60; echo finished
      - id: cleanup
        if: always()
        run: echo "cleanup status=\${{ job.status }}"
      - id: rest
        run: echo not reached
  step-timeout:
    runs-on: ubuntu-latest
    steps:
      - id: sleep
        timeout-minutes: 1
        continue-on-error: true
        run: sleep 60
      - id: next
        run: echo next
`,
      }],
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.runs[0].errors).toEqual([]);
    const slow = job(result, 'slow', 'slow');
    expect(slow).toMatchObject({ result: 'cancelled', timedOut: true, timeoutMinutes: 1 });
    expect(step(slow, 'sleep')).toMatchObject({ outcome: 'cancelled', stdout: 'started' });
    expect(step(slow, 'cleanup').stdout).toBe('cleanup status=cancelled');
    expect(step(slow, 'rest').outcome).toBe('skipped');
    expect(slow.annotations.map((a) => a.message)).toContain('The job running on runner GitHub Actions 1 has exceeded the maximum execution time of 1 minutes.');
    const stepTimeout = job(result, 'slow', 'step-timeout');
    expect(stepTimeout.result).toBe('success');
    expect(step(stepTimeout, 'sleep')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(stepTimeout.annotations.map((a) => a.message)).toEqual(["The action 'Run sleep 60' has timed out after 1 minutes."]);
    expect(step(stepTimeout, 'next').stdout).toBe('next');
    expect(result.runs[0].conclusion).toBe('cancelled');
  });

  test('github-script creates one comment as github-actions[bot], then updates it; a token without the scope gets 403', async () => {
    await setUp({
      pullRequests: [{ number: 7, head: { ref: 'feature', sha: 'b'.repeat(40) }, base: { ref: 'main', sha: 'a'.repeat(40) }, mergeCommitSha: 'c'.repeat(40) }],
      comments: [
        ...Array.from({ length: 120 }, (_, i) => ({ issue: 7, body: `review note ${i}`, user: { login: 'reviewer', id: 77, type: 'User' as const } })),
        { issue: 7, body: '<!-- harness -->\nfrom another bot', user: { login: 'other-app[bot]', id: 99, type: 'Bot' as const } },
      ],
    });
    const workflow = `
name: comment
on: pull_request
jobs:
  comment:
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
    steps:
      - id: post
        uses: actions/github-script@v9
        env:
          MARKER: '<!-- harness -->'
          BODY: 'report of run \${{ github.run_id }}'
        with:
          script: |
            const { owner, repo } = context.repo;
            const issue_number = context.issue.number;
            const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
            const mine = comments.find((c) => c.user.login === 'github-actions[bot]' && c.body.startsWith(process.env.MARKER));
            const body = process.env.MARKER + '\\n' + process.env.BODY;
            if (mine) {
              await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
              core.notice('updated ' + mine.id);
              return { action: 'updated', id: mine.id, seen: comments.length };
            }
            const { data } = await github.rest.issues.createComment({ owner, repo, issue_number, body });
            core.notice('created ' + data.id);
            return { action: 'created', id: data.id, seen: comments.length };
  read-only:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/github-script@v9
        with:
          script: |
            await github.rest.issues.createComment({ ...context.repo, issue_number: context.issue.number, body: 'x' });
`;
    const run = async () => runScenario({ ...scenarioFor(fake, repo), event: pullRequestEvent(fake, 7), workflows: [{ path: '.github/workflows/comment.yml', text: workflow }] });
    const first = await run();
    const created = JSON.parse(step(job(first, 'comment', 'comment'), 'post').outputs.result);
    expect(created).toMatchObject({ action: 'created', seen: 121 });
    const second = await run();
    const secondJob = job(second, 'comment', 'comment');
    expect(JSON.parse(step(secondJob, 'post').outputs.result)).toEqual({ action: 'updated', id: created.id, seen: 122 });
    expect(secondJob.annotations).toEqual([{ level: 'notice', message: `updated ${created.id}`, step: 'post' }]);

    const ours = fake.comments.filter((c) => c.user.login === GITHUB_ACTIONS_BOT.login);
    expect(ours).toHaveLength(1);
    expect(ours[0].user).toEqual({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' });
    expect(ours[0].body).toBe(`<!-- harness -->\nreport of run ${second.runs[0].runId}`);
    expect(fake.requests.some((r) => r.path.endsWith('/issues/7/comments') && r.query.page === '2')).toBe(true);

    const readOnly = job(second, 'comment', 'read-only');
    expect(readOnly.result).toBe('failure');
    expect(readOnly.annotations[0].message).toContain('Resource not accessible by integration');
    expect(fake.requests.filter((r) => r.job === '.github/workflows/comment.yml#read-only').map((r) => `${r.method} ${r.status}`)).toEqual(['POST 403', 'POST 403']);
  });

  test('configure-aws-credentials: no token without id-token: write, a subject the role does not trust is refused, the environment\'s is taken', async () => {
    await setUp();
    const assume = (extra = '') => `
      - id: creds
        uses: aws-actions/configure-aws-credentials@v6
        with:
          role-to-assume: ${DEPLOY_ROLE}
          aws-region: ap-northeast-2${extra}`;
    const workflow = `
name: deploy
on: push
jobs:
  no-id-token:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:${assume()}
      - id: after
        if: always()
        run: echo "region=$AWS_REGION key=\${AWS_ACCESS_KEY_ID:-none}"
  wrong-subject:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
    steps:${assume()}
  deploy:
    runs-on: ubuntu-latest
    environment: prod
    permissions:
      contents: read
      id-token: write
    steps:${assume('\n          role-session-name: batchform-deploy-prod')}
      - id: use
        run: |
          echo "region=$AWS_REGION endpoint=$AWS_ENDPOINT_URL account=\${{ steps.creds.outputs.aws-account-id }}"
          echo "key=$AWS_ACCESS_KEY_ID arn=\${{ steps.creds.outputs.authenticated-arn }}"
`;
    const result = await runScenario({
      ...scenarioFor(fake, repo, { environments: { prod: ['main'] } }),
      event: pushEvent(fake, { sha: mainSha }),
      workflows: [{ path: '.github/workflows/deploy.yml', text: workflow }],
      trust: { bootstrapTemplate: BOOTSTRAP, parameters: BOOTSTRAP_PARAMETERS, account: '111122223333', region: 'ap-northeast-2' },
      awsEnv: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    const noId = job(result, 'deploy', 'no-id-token');
    expect(noId.result).toBe('failure');
    expect(noId.oidcClaims).toBeUndefined();
    expect(noId.annotations[0].message).toBe('Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers');
    // The action exports the region before it looks for credentials.
    expect(step(noId, 'after').stdout).toBe('region=ap-northeast-2 key=none');

    const wrong = job(result, 'deploy', 'wrong-subject');
    expect(wrong.result).toBe('failure');
    expect(wrong.oidcClaims?.sub).toBe('repo:acme/batches:ref:refs/heads/main');
    expect(wrong.annotations[0].message).toMatch(/^Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity.*refs\/heads\/main/);

    // A fork's pull request gets a read-only token and no OIDC token, whatever the job asks for.
    fake.pullRequests.push({ number: 9, head: { ref: 'main', sha: 'd'.repeat(40), repo: 'outsider/batches' }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: 'e'.repeat(40) });
    const forkRun = await runScenario({
      ...scenarioFor(fake, repo),
      event: pullRequestEvent(fake, 9),
      workflows: [{ path: '.github/workflows/preview.yml', text: `on: pull_request\njobs:\n  preview:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n      pull-requests: write\n    steps:${assume()}\n` }],
      trust: { bootstrapTemplate: BOOTSTRAP, parameters: BOOTSTRAP_PARAMETERS, account: '111122223333' },
    });
    const forkJob = job(forkRun, '.github/workflows/preview.yml', 'preview');
    expect(forkJob.permissions).toMatchObject({ 'id-token': 'none', 'pull-requests': 'read', 'metadata': 'read' });
    expect(forkJob.annotations[0].message).toContain('Credentials could not be loaded');

    // The environment's deployment branches: a push of another branch cannot reach the deploy job's steps.
    const feature = await runScenario({
      ...scenarioFor(fake, repo, { environments: { prod: ['main'] } }),
      event: pushEvent(fake, { sha: mainSha, ref: 'refs/heads/feature' }),
      workflows: [{ path: '.github/workflows/deploy.yml', text: workflow }],
    });
    expect(job(feature, 'deploy', 'deploy')).toMatchObject({ result: 'failure', steps: [], setupError: 'Branch "feature" is not allowed to deploy to prod due to environment protection rules.' });

    const deploy = job(result, 'deploy', 'deploy');
    expect(deploy).toMatchObject({ result: 'success', environment: 'prod' });
    expect(deploy.oidcClaims).toMatchObject({ sub: 'repo:acme/batches:environment:prod', aud: 'sts.amazonaws.com', environment: 'prod', event_name: 'push', job_workflow_ref: 'acme/batches/.github/workflows/deploy.yml@refs/heads/main' });
    expect(step(deploy, 'use').stdout).toBe('region=ap-northeast-2 endpoint=http://127.0.0.1:9 account=111122223333\nkey=*** arn=arn:aws:sts::111122223333:assumed-role/prod-deploy/batchform-deploy-prod');
  });

  test('artifacts between jobs of a run and, by run-id and token, from a workflow_run; fork pull requests', async () => {
    await setUp({});
    const build = `
name: build
on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v7
        with:
          persist-credentials: false
      - run: |
          cat feature.txt
          mkdir -p out/cfn dist/batches && echo t > out/cfn/a.json && echo z > dist/batches/one.zip && echo j > dist/batches/bundles.json
      - uses: actions/upload-artifact@v7
        with:
          name: build
          path: |
            out/cfn/
            dist/batches/*.zip
            dist/batches/bundles.json
          if-no-files-found: error
      - uses: actions/upload-artifact@v7
        with:
          name: single
          path: out/cfn/a.json
      - id: again
        continue-on-error: true
        uses: actions/upload-artifact@v7
        with:
          name: build
          path: out/cfn/
      - id: node
        continue-on-error: true
        uses: actions/setup-node@v7
        with:
          node-version: "24"
  use:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v8
        with:
          name: build
          path: .
      - id: list
        run: find . -type f | sort
`;
    const preview = `
name: preview
on:
  workflow_run:
    workflows: [build]
    types: [completed]
jobs:
  fetch:
    if: github.event.workflow_run.conclusion == 'success' || github.event.workflow_run.conclusion == 'failure'
    runs-on: ubuntu-latest
    permissions:
      actions: read
    steps:
      - uses: actions/download-artifact@v8
        with:
          name: build
          path: got
          run-id: \${{ github.event.workflow_run.id }}
          github-token: \${{ github.token }}
      - id: list
        run: |
          find got -type f | sort
          echo "pulls=\${{ toJSON(github.event.workflow_run.pull_requests.*.number) }} sha=$GITHUB_SHA"
  no-actions-scope:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/download-artifact@v8
        with:
          name: build
          run-id: \${{ github.event.workflow_run.id }}
          github-token: \${{ github.token }}
  current-run-only:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v8
        with:
          name: build
          run-id: \${{ github.event.workflow_run.id }}
  check-out-head:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
        with:
          ref: \${{ github.event.workflow_run.head_sha }}
`;
    const workflows = { '.github/workflows/build.yml': build, '.github/workflows/preview.yml': preview };
    mainSha = commitFiles(repo, 'main', workflows);
    const headSha = commitFiles(repo, 'feature', { 'feature.txt': 'from the branch\n' }, { parent: mainSha });
    const mergeSha = createPullRequestRefs(repo, 7, mainSha, headSha);
    fake.pullRequests.push({ number: 7, head: { ref: 'feature', sha: headSha }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: mergeSha });
    fake.pullRequests.push({ number: 8, head: { ref: 'main', sha: headSha, repo: 'outsider/batches' }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: mergeSha });
    const scenario = scenarioFor(fake, repo);

    // Workflows come from the repository at the merge commit.
    const prEvent = pullRequestEvent(fake, 7);
    const pr = await runScenario({ ...scenario, event: prEvent });
    expect(pr.notTriggered.map((n) => n.path)).toEqual(['.github/workflows/preview.yml']);
    const buildJob = job(pr, 'build', 'build');
    expect(buildJob.steps[1].stdout).toContain('from the branch');
    expect(step(buildJob, 'again').outcome).toBe('failure');
    expect(buildJob.annotations.find((a) => a.step === 'again')?.message).toContain('an artifact with this name already exists on the workflow run');
    // setup-node: package.json names npm, so it caches npm, and there is no lock file.
    expect(buildJob.annotations.find((a) => a.step === 'node')?.message).toMatch(/^Dependencies lock file is not found in .*batches. Supported file patterns: package-lock.json,npm-shrinkwrap.json,yarn.lock$/);
    const buildRun = pr.runs[0];
    expect(buildRun.artifacts.map((a) => [a.name, a.files])).toEqual([
      ['build', ['dist/batches/bundles.json', 'dist/batches/one.zip', 'out/cfn/a.json']],
      ['single', ['a.json']],
    ]);
    expect(step(job(pr, 'build', 'use'), 'list').stdout).toBe('./dist/batches/bundles.json\n./dist/batches/one.zip\n./out/cfn/a.json');

    const chained = await runScenario({ ...scenario, event: workflowRunEvent(fake, buildRun, prEvent, { defaultBranchSha: mainSha }) });
    expect(chained.notTriggered.map((n) => n.path)).toEqual(['.github/workflows/build.yml']);
    expect(step(job(chained, 'preview', 'fetch'), 'list').stdout).toBe(`got/dist/batches/bundles.json\ngot/dist/batches/one.zip\ngot/out/cfn/a.json\npulls=[\n  7\n] sha=${mainSha}`);
    expect(job(chained, 'preview', 'no-actions-scope').annotations[0].message).toBe('Unable to download artifact(s): Resource not accessible by integration - https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts');
    expect(job(chained, 'preview', 'current-run-only').annotations[0].message).toMatch(/^Unable to download artifact\(s\): Artifact not found for name: build/);
    expect(job(chained, 'preview', 'check-out-head').result).toBe('success');

    // A fork's pull request: workflow_run.pull_requests is empty, and checkout v7 refuses the fork's head.
    const forkEvent = workflowRunEvent(fake, buildRun, pullRequestEvent(fake, 8), { defaultBranchSha: mainSha });
    expect(forkEvent.payload.workflow_run.pull_requests).toEqual([]);
    expect(forkEvent.payload.workflow_run.head_repository.full_name).toBe('outsider/batches');
    const fork = await runScenario({ ...scenario, event: forkEvent });
    expect(job(fork, 'preview', 'check-out-head').annotations[0].message).toMatch(/^Refusing to check out fork pull request code from a 'workflow_run' workflow/);
    expect(step(job(fork, 'preview', 'fetch'), 'list').stdout).toContain('pulls=[]');
  });
});
