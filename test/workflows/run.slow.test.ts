// The generated workflows of this repository, executed step by step on the local runner for each event a team meets:
// a pull request (build, then the preview workflow and its comment), a second push, a fork, a bad declaration, a push to main.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  commitFiles, createPullRequestRefs, createRepository, EventResult, GitHubFake, pullRequestEvent, pushEvent,
  ResolvedEvent, runScenario, Scenario, scenarioFor, startGitHubFake, StepSubstitution, workflowRunEvent,
} from './harness';
import { AwsFake, startAwsFake } from './harness/aws-fake';
import { botComments as botCommentsOf, expectResult, job, stageTrust } from './scenario-helpers';
import { commentMarker } from '../../src/workflows/sticky-comment';

const ROOT = path.resolve(__dirname, '../..');
const REPOSITORY = 'batchform/batchform';
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';

/**
 * Substitutions, each recorded in the result. npm ci: this machine's installed node_modules of the same lockfile
 * (offline; the step still fails if the lockfile differs). pipx: cfn-lint is already on PATH here. The build's
 * `npx projen build`: its regeneration and packaging run for real; compiling and the tests are what runs this file.
 */
const LINKED_INSTALL = [
  `cmp package-lock.json "${ROOT}/package-lock.json"`,
  'mkdir node_modules',
  `for entry in "${ROOT}"/node_modules/* "${ROOT}"/node_modules/.bin; do ln -s "$entry" node_modules/; done`,
].join('\n');
const INSTALL_REASON = 'the installed node_modules of the same package-lock.json stand in for npm ci (offline)';
const BUILD_SUBSTITUTIONS: StepSubstitution[] = [
  { job: 'build', step: 'Install dependencies', run: LINKED_INSTALL, reason: INSTALL_REASON },
  { job: 'build', step: 'Install cfn-lint', run: 'cfn-lint --version', reason: 'cfn-lint 1.51 is on PATH here; pipx needs the Python package index' },
  { job: 'build', step: 'build', run: 'npx projen\nnpx projen package:batches', reason: 'regenerate and package for real; compile and test are what runs this scenario' },
];
/** The substitutions of the jobs an event runs (the runner refuses one that names no step it runs). */
function substitutionsFor(event: ResolvedEvent): StepSubstitution[] {
  const cli = (jobId: string): StepSubstitution => ({ job: jobId, step: 'Build the CLI from the trusted checkout: npm ci', run: LINKED_INSTALL, reason: INSTALL_REASON });
  if (event.name === 'workflow_run') return [cli('preview-prod')];
  return event.name === 'push' ? [...BUILD_SUBSTITUTIONS, cli('deploy-prod')] : BUILD_SUBSTITUTIONS;
}

/** batchform's two workflows at `sha`: projen's release workflow is not batchform's to run here. */
function workflowsAt(sha: string): Array<{ path: string; text: string }> {
  return ['.github/workflows/batchform.yml', '.github/workflows/batchform-preview.yml']
    .map((file) => ({ path: file, text: execFileSync('git', ['show', `${sha}:${file}`], { cwd: repo, encoding: 'utf8' }) }));
}

/** Every file git tracks in this repository, as the working tree has it. */
function trackedFiles(): Record<string, string> {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  return Object.fromEntries(files.filter((f) => fs.existsSync(path.join(ROOT, f))).map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));
}

let github: GitHubFake;
let aws: AwsFake;
let repo: string;
let mainSha: string;
let base: Pick<Scenario, 'repository' | 'github'>;

beforeAll(async () => {
  github = await startGitHubFake({ repository: { fullName: REPOSITORY } });
  aws = await startAwsFake({ account: ACCOUNT, region: REGION, changeSetCompute: 0, stackOperation: 0 });
  repo = createRepository();
  mainSha = commitFiles(repo, 'main', trackedFiles(), { message: 'batchform as committed' });
  // The deploy environment accepts main only, as README step 4 sets it up.
  base = scenarioFor(github, repo, { environments: { prod: ['main'] } });
}, 120_000);
afterAll(async () => {
  await aws?.close();
  await github?.close();
  fs.rmSync(repo, { recursive: true, force: true });
});

/** Runs one event with the stage's bootstrap trust, the AWS fake and the substitutions. */
const BOOTSTRAP_TEMPLATE = JSON.parse(fs.readFileSync(path.join(ROOT, 'cfn-out/bootstrap.template.json'), 'utf8')) as object;
function run(event: ResolvedEvent, extra: StepSubstitution[] = []): Promise<EventResult> {
  return runScenario({
    ...base,
    event,
    // The preview workflow is read from the default branch; the others from the event's commit.
    workflows: workflowsAt(event.name === 'workflow_run' ? mainSha : event.sha),
    substitutions: [...substitutionsFor(event), ...extra],
    trust: stageTrust(BOOTSTRAP_TEMPLATE, { repository: REPOSITORY, stage: 'prod', account: ACCOUNT, region: REGION }),
    awsEnv: aws.env,
  });
}

/** A pull request's build, then the preview workflow GitHub starts when it completes. */
async function buildAndPreview(number: number): Promise<{ build: EventResult; preview: EventResult }> {
  const event = pullRequestEvent(github, number);
  const build = await run(event);
  const preview = await run(workflowRunEvent(github, build.runs[0], event, { defaultBranchSha: mainSha }));
  return { build, preview };
}

const botComments = (issue: number) => botCommentsOf(github, issue);
/** A change to a batch's code (a statement, which the bundle keeps): its zip and so its stack change. */
const CHANGED_HANDLER = { 'handlers/weekly-report.ts': `${fs.readFileSync(path.join(ROOT, 'handlers/weekly-report.ts'), 'utf8')}console.log('a change in review');\n` };

describe('this repository\'s workflows, run', () => {
  test('a push to main builds and deploys every stack of stage prod with the deploy role, from the environment', async () => {
    const result = await run(pushEvent(github, { sha: mainSha }));
    expect(result.runs.map((r) => r.workflow.name)).toEqual(['batchform']);
    expect(result.notTriggered.map((n) => n.path)).toEqual(expect.arrayContaining(['.github/workflows/batchform-preview.yml']));
    expectResult(job(result, 'batchform', 'build'), 'success');
    const deploy = job(result, 'batchform', 'deploy-prod');
    expectResult(deploy, 'success');
    expect(deploy.oidcClaims?.sub).toBe(`repo:${REPOSITORY}:environment:prod`);
    // No pull request carried the label when merged: the refused types are passed on.
    expect(deploy.steps.find((s) => s.id === 'replacement')?.outputs).toMatchObject({ refuse: 'AWS::Logs::LogGroup,AWS::SQS::Queue' });
    expect([...aws.stacks().entries()].map(([name, s]) => `${name} ${s.status}`).sort()).toEqual([
      'prod-daily-stats CREATE_COMPLETE', 'prod-monthly-recompute CREATE_COMPLETE', 'prod-stage CREATE_COMPLETE', 'prod-weekly-report CREATE_COMPLETE',
    ]);
    // The stage stack (the stage's alarm topic) was created before any batch stack.
    const stackOf = (target = '') => /:stack\/([^/]+)\//.exec(target)?.[1] ?? target;
    const creates = aws.calls().filter((c) => c.operation === 'ExecuteChangeSet' || c.operation === 'CreateChangeSet').map((c) => `${c.operation} ${stackOf(c.target)}`);
    expect(creates[0]).toBe('CreateChangeSet prod-stage');
    expect(creates.indexOf('ExecuteChangeSet prod-stage')).toBeLessThan(creates.findIndex((c) => c.startsWith('CreateChangeSet prod-') && c !== 'CreateChangeSet prod-stage'));
    expect(deploy.summary).toContain('4 created');
    // Every substitution is on record, and each ran.
    expect(result.substitutions.filter((s) => s.ran).map((s) => `${s.jobId}/${s.stepId}`).sort()).toEqual([
      'build/build', 'build/install_cfn-lint', 'build/install_dependencies', 'deploy-prod/build_the_cli_from_the_trusted_checkout_npm_ci',
    ]);
  }, 300_000);

  test('a pull request: the build has no AWS access; the preview runs from main and posts one comment', async () => {
    const head = commitFiles(repo, 'feature', CHANGED_HANDLER, { parent: mainSha });
    github.pullRequests.push({ number: 7, head: { ref: 'feature', sha: head }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: createPullRequestRefs(repo, 7, mainSha, head) });
    const before = aws.calls().length;
    const { build, preview } = await buildAndPreview(7);
    const buildJob = job(build, 'batchform', 'build');
    expectResult(buildJob, 'success');
    expect(buildJob.oidcClaims).toBeUndefined();
    expect(Object.keys(build.runs[0].jobs)).toEqual(['build', 'deploy-prod']);
    expectResult(job(build, 'batchform', 'deploy-prod'), 'skipped');
    expect(build.runs[0].artifacts.map((a) => a.name)).toEqual(['batchform-build']);

    const previewJob = job(preview, 'batchform preview', 'preview-prod');
    expectResult(previewJob, 'success');
    expect(previewJob.oidcClaims?.sub).toBe(`repo:${REPOSITORY}:ref:refs/heads/main`);
    const operations = aws.calls().slice(before).map((c) => c.operation);
    expect(operations).toContain('CreateChangeSet');
    expect(operations).not.toContain('ExecuteChangeSet');
    expect(operations).not.toContain('PutObject');
    const comments = botComments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body.startsWith(`${commentMarker('prod')}\n<!-- batchform:preview:prod -->\n## batchform preview: stage \`prod\``)).toBe(true);
    // The change sets and the report name the pull request's head, not main, where the preview job runs.
    expect(comments[0].body).toContain(`commit \`${head.slice(0, 7)}\` · change set \`batchform-${head.slice(0, 7)}-`);
    expect(comments[0].body).toContain(`Updated for ${head.slice(0, 7)}`);
    // Only the changed batch's stack, from its new code zip.
    expect(comments[0].body).toMatch(/`prod-weekly-report`/);
    expect(comments[0].body).not.toMatch(/`prod-daily-stats`: will/);
  }, 300_000);

  test('a second push to the pull request updates that comment in place', async () => {
    const head = commitFiles(repo, 'feature', { 'handlers/weekly-report.ts': `${CHANGED_HANDLER['handlers/weekly-report.ts']}console.log('and another');\n` });
    const pull = github.pullRequests.find((p) => p.number === 7)!;
    Object.assign(pull, { head: { ...pull.head, sha: head }, mergeCommitSha: createPullRequestRefs(repo, 7, mainSha, head) });
    const { preview } = await buildAndPreview(7);
    expectResult(job(preview, 'batchform preview', 'preview-prod'), 'success');
    const comments = botComments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`Updated for ${head.slice(0, 7)}`);
    expect(comments[0].updated_at >= comments[0].created_at).toBe(true);
  }, 300_000);

  test('a pull request with timeout: 901 fails the build with an annotation on its line, and the comment says that commit\'s build failed', async () => {
    const projenrc = fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8');
    expect(projenrc).toContain('      timeout: 300,');
    const head = commitFiles(repo, 'feature', { '.projenrc.ts': projenrc.replace('      timeout: 300,', '      timeout: 901,') });
    const pull = github.pullRequests.find((p) => p.number === 7)!;
    Object.assign(pull, { head: { ...pull.head, sha: head }, mergeCommitSha: createPullRequestRefs(repo, 7, mainSha, head) });
    const before = aws.calls().length;
    const { build, preview } = await buildAndPreview(7);

    const buildJob = job(build, 'batchform', 'build');
    expectResult(buildJob, 'failure');
    expect(buildJob.steps.find((s) => s.id === 'build')?.conclusion).toBe('failure');
    const line = projenrc.split('\n').findIndex((l) => l === '      timeout: 300,') + 1;
    const errors = buildJob.annotations.filter((a) => a.level === 'error' && a.file === '.projenrc.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line, title: 'batchform: batch "daily-stats", field "timeout"' });
    expect(errors[0].message).toMatch(/901.* Fix: /);
    expect(buildJob.summary).toContain('### batchform: 1 problem in the batch declarations');
    expect(build.runs[0].artifacts.map((a) => a.name)).toEqual(['batchform-problems']);

    const previewJob = job(preview, 'batchform preview', 'preview-prod');
    expectResult(previewJob, 'success');
    expect(previewJob.steps.find((s) => s.id === 'preview')?.conclusion).toBe('skipped');
    expect(aws.calls().slice(before)).toEqual([]);
    const comments = botComments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`**The build of ${head.slice(0, 7)} failed: 1 problem in the batch declarations**`);
    expect(comments[0].body).toContain('batch "daily-stats", field "timeout"');
    expect(comments[0].body).not.toContain('will be');
  }, 300_000);

  test('a pull request from a fork is built without secrets and its preview is skipped with a notice', async () => {
    const head = commitFiles(repo, 'fork-feature', CHANGED_HANDLER, { parent: mainSha });
    github.pullRequests.push({ number: 8, head: { ref: 'main', sha: head, repo: 'outsider/batchform' }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: createPullRequestRefs(repo, 8, mainSha, head) });
    const before = aws.calls().length;
    const { build, preview } = await buildAndPreview(8);
    expectResult(job(build, 'batchform', 'build'), 'success');
    const previewJob = job(preview, 'batchform preview', 'preview-prod');
    expectResult(previewJob, 'success');
    expect(previewJob.annotations.filter((a) => a.level === 'notice').map((a) => a.title)).toEqual(['Preview of stage prod skipped']);
    expect(previewJob.steps.slice(1).every((s) => s.conclusion === 'skipped')).toBe(true);
    expect(previewJob.summary).toContain('Pull requests from forks (outsider/batchform) are not previewed');
    expect(botComments(8)).toEqual([]);
    expect(aws.calls().slice(before)).toEqual([]);
  }, 300_000);

  test('a merged pull request that removes a batch, labelled batchform:allow-removal when merged: its deploy deletes the stack', async () => {
    const projenrc = fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8');
    const start = projenrc.indexOf("    {\n      name: 'weekly-report',");
    const end = projenrc.indexOf('    },\n', start) + '    },\n'.length;
    expect(start).toBeGreaterThan(0);
    const without = projenrc.slice(0, start) + projenrc.slice(end);
    // The commit changes .projenrc.ts only; the build regenerates cfn-out/ from it, as a commit with its regenerated files would carry.
    const regenerated: StepSubstitution[] = [{ job: 'build', step: 'Fail if generated files differ from the commit', run: 'true', reason: 'the commit carries .projenrc.ts only; the build regenerates the rest' }];
    const live = () => [...aws.stacks().keys()].sort();
    expect(live()).toEqual(['prod-daily-stats', 'prod-monthly-recompute', 'prod-stage', 'prod-weekly-report']);

    // (Without the label the deploy exits 2 and changes nothing: test/deploy/removal.test.ts; the first
    // test here shows a deploy with no label passes no --allow-removal.)
    const allowed = commitFiles(repo, 'main', { '.projenrc.ts': without }, { parent: mainSha, message: 'Remove weekly-report' });
    github.pullRequests.push({ number: 10, head: { ref: 'remove', sha: allowed }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: allowed, mergedAt: '2026-03-11T01:00:00Z' });
    github.addLabel(10, 'batchform:allow-removal', '2026-03-11T00:00:00Z');
    const deploy = job(await run(pushEvent(github, { sha: allowed }), regenerated), 'batchform', 'deploy-prod');
    expectResult(deploy, 'success');
    expect(deploy.steps.find((st) => st.id === 'removal')?.outputs).toMatchObject({ allow: 'true' });
    expect(deploy.summary).toContain('**stack deleted**: `prod-weekly-report`');
    expect(live()).toEqual(['prod-daily-stats', 'prod-monthly-recompute', 'prod-stage']);
  }, 900_000);

  test('control: a workflow with a shellcheck finding fails the lint step, and nothing after it runs', async () => {
    const workflow = fs.readFileSync(path.join(ROOT, '.github/workflows/batchform.yml'), 'utf8');
    const broken = workflow.replace('        run: git add --all\n', '        run: git add --all\n').replace(/( +)run: \|-\n( +)git add --all\n/, '$1run: |-\n$2cd $GITHUB_WORKSPACE\n$2git add --all\n');
    expect(broken).not.toBe(workflow);
    const head = commitFiles(repo, 'broken', { '.github/workflows/batchform.yml': broken }, { parent: mainSha });
    github.pullRequests.push({ number: 9, head: { ref: 'broken', sha: head }, base: { ref: 'main', sha: mainSha }, mergeCommitSha: createPullRequestRefs(repo, 9, mainSha, head) });
    const result = await run(pullRequestEvent(github, 9));
    const buildJob = job(result, 'batchform', 'build');
    expectResult(buildJob, 'failure');
    const lint = buildJob.steps.find((s) => /actionlint/.test(s.name))!;
    expect(lint.conclusion).toBe('failure');
    expect(lint.stdout).toMatch(/SC2086/);
    expect(buildJob.steps.slice(buildJob.steps.indexOf(lint) + 1).every((s) => s.conclusion === 'skipped')).toBe(true);
  }, 300_000);
});
