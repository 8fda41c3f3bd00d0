// `batchform check-github` against a loopback fake of the GitHub REST endpoints it reads (127.0.0.1):
// each finding and its fix, each exit code, and the token never in what it prints.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { bootstrapTemplate } from '../../src/bootstrap/bootstrap-template';
import { branchPatternMatches, CHECK_GITHUB_EXIT, runCheckGithubCommand } from '../../src/cli/check-github-command';
import { buildProgram } from '../../src/cli/main';
import { buildManifest } from '../../src/manifest/manifest';
import { validateDeclarations } from '../../src/validate/validate';
import { ACTIONS } from '../../src/workflows/actions';
import { BATCH, STAGE } from '../fixtures';

const TOKEN = 'ghp_s3cretT0kenThatMustNeverBePrinted0001';
const REPO = 'acme/batches';

/** The repository's settings as the fake serves them. */
interface GitHubState {
  defaultBranch: string;
  /** Absent: the environment does not exist (404). */
  environment?: {
    protection_rules: Array<{ type: string; reviewers?: unknown[] }>;
    deployment_branch_policy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  };
  policies: Array<{ id: number; name: string; type?: string }>;
  protectedBranches: string[];
  subTemplate: Record<string, unknown>;
  /** Absent: the owner has no organization template (404). */
  orgTemplate?: Record<string, unknown>;
  actions: Record<string, unknown>;
  selectedActions?: Record<string, unknown>;
  previewFileOnDefaultBranch: boolean;
  workflowStates: Record<string, string | undefined>;
}

const REVIEWERS = [{ type: 'required_reviewers', reviewers: [{ type: 'User', reviewer: { login: 'oncall' } }] }];

/** Settings under which every check passes for a stage using GitHub's default subject. */
function passing(): GitHubState {
  return {
    defaultBranch: 'main',
    environment: { protection_rules: [...REVIEWERS, { type: 'branch_policy' }], deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } },
    policies: [{ id: 11, name: 'main', type: 'branch' }],
    protectedBranches: ['main'],
    subTemplate: { use_default: true, use_immutable_subject: false, sub_claim_prefix: `repo:${REPO}` },
    actions: { enabled: true, allowed_actions: 'all' },
    previewFileOnDefaultBranch: true,
    workflowStates: { 'batchform.yml': 'active', 'batchform-preview.yml': 'active' },
  };
}

/** An environment with custom deployment branch policies and no protection rules: no required reviewers. */
function environmentWithoutRules(): GitHubState['environment'] {
  return { protection_rules: [], deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
}

/** What the fake does instead of answering from the state. */
type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

interface Fake {
  readonly url: string;
  readonly seen: Array<{ path: string; authorization?: string; method?: string }>;
  close(): Promise<void>;
}

async function startFake(state: GitHubState, fault?: (p: string) => Fault | undefined): Promise<Fake> {
  const seen: Fake['seen'] = [];
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, method: req.method });
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const f = fault?.(url.pathname);
    if (f === 'hang') return;
    if (f) return send(f.status, f.body, f.headers);
    const p = url.pathname;
    const page = Number(url.searchParams.get('page') ?? '1');
    const base = `/repos/${REPO}`;
    if (p === base) return send(200, { full_name: REPO, default_branch: state.defaultBranch, id: 456789, owner: { login: 'acme', id: 123456 } });
    if (p === `${base}/environments/prod`) return state.environment ? send(200, { name: 'prod', ...state.environment }) : send(404, { message: 'Not Found' });
    if (p === `${base}/environments/prod/deployment-branch-policies`) {
      return send(200, { total_count: state.policies.length, branch_policies: page === 1 ? state.policies : [] });
    }
    if (p === `${base}/branches` && url.searchParams.get('protected') === 'true') return send(200, page === 1 ? state.protectedBranches.map((name) => ({ name, protected: true })) : []);
    if (p === `${base}/actions/oidc/customization/sub`) return send(200, state.subTemplate);
    if (p === '/orgs/acme/actions/oidc/customization/sub') return state.orgTemplate ? send(200, state.orgTemplate) : send(404, { message: 'Not Found' });
    if (p === `${base}/actions/permissions`) return send(200, state.actions);
    if (p === `${base}/actions/permissions/selected-actions`) return send(200, state.selectedActions ?? {});
    if (p === `${base}/contents/.github/workflows/batchform-preview.yml` && url.searchParams.get('ref') === state.defaultBranch) {
      return state.previewFileOnDefaultBranch ? send(200, { type: 'file', path: '.github/workflows/batchform-preview.yml' }) : send(404, { message: 'Not Found' });
    }
    const wf = /^\/repos\/acme\/batches\/actions\/workflows\/([^/]+)$/.exec(p);
    if (wf && state.workflowStates[wf[1]]) return send(200, { path: `.github/workflows/${wf[1]}`, state: state.workflowStates[wf[1]] });
    return send(404, { message: 'Not Found' });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** A project directory with the manifest (stage prod with both roles) and the bootstrap template. */
function project(claimKeys: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-check-github-'));
  fs.mkdirSync(path.join(dir, 'handlers'));
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), 'export const handler = async () => {};\n');
  const decl = validateDeclarations({
    stages: [{ ...STAGE, deployRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-deploy', previewRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-preview' }],
    batches: [BATCH],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(buildManifest(decl, 'cfn-out')));
  fs.writeFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'), JSON.stringify(bootstrapTemplate({ githubRepository: REPO, subjectClaimKeys: claimKeys })));
  return dir;
}

const DIRS: Record<string, string> = {};
/** The actions batchform's workflows use, as the findings list them (sorted, SHA-pinned). */
const USED = Object.values(ACTIONS).map((a) => a.uses).sort();
const CREDENTIALS_ACTION = ACTIONS.configureAwsCredentials.uses;
beforeAll(() => {
  DIRS.default = project();
  DIRS.ref = project(['repo', 'context', 'ref']);
});
afterAll(() => { for (const d of Object.values(DIRS)) fs.rmSync(d, { recursive: true, force: true }); });

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** `STATUS check: message` of each finding line, and its fix line when it has one. */
  readonly findings: string[];
  readonly seen: Fake['seen'];
}

interface RunOptions {
  dir?: string;
  env?: NodeJS.ProcessEnv;
  stage?: string;
  fault?: (p: string) => Fault | undefined;
  timeoutMs?: number;
  repository?: string;
}

async function run(state: GitHubState, options: RunOptions = {}): Promise<Run> {
  const fake = await startFake(state, options.fault);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCheckGithubCommand(
      { stage: options.stage ?? 'prod', manifest: 'cfn-out/manifest.json', template: 'cfn-out/bootstrap.template.json', repository: options.repository },
      {
        env: options.env ?? { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url },
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        projectDir: options.dir ?? DIRS.default,
        timeoutMs: options.timeoutMs,
      },
    );
    const text = out.join('\n');
    const findings = text.split('\n').filter((l) => /^(PASS|FAIL|WARN) |^\s+fix: /.test(l)).map((l) => l.replace(/^(\w+)\s+(.+?)\s{2,}/, '$1 $2: ').trim());
    return { code, out: text, err: err.join('\n'), findings, seen: fake.seen };
  } finally {
    await fake.close();
  }
}

/** Every output of every run below, to check the token never appears in any. */
const printed: string[] = [];
async function checked(state: GitHubState, options?: Parameters<typeof run>[1]): Promise<Run> {
  const r = await run(state, options);
  printed.push(r.out, r.err);
  return r;
}

describe('check-github: each finding', () => {
  test('every check passes: exit 0, the subjects the roles trust named, the token sent as a bearer token', async () => {
    const r = await checked(passing());
    expect(r.code).toBe(CHECK_GITHUB_EXIT.ok);
    expect(r.findings).toEqual([
      'PASS default branch: main is the default branch, so the preview workflow (workflow_run) runs there with a token for refs/heads/main, as the preview role expects.',
      'PASS environment: environment "prod" exists.',
      'PASS deployment branches: only main may deploy to environment "prod".',
      'PASS required reviewers: each deploy to "prod" waits for one of 1 required reviewer.',
      'PASS OIDC subject: tokens use GitHub\'s default [] (GitHub\'s default subject), as the bootstrap expects: the deploy role trusts repo:acme/batches:environment:prod; the preview role repo:acme/batches:ref:refs/heads/main.',
      `PASS Actions permissions: Actions is enabled and allows the actions the workflows use (${USED.join(', ')}).`,
      'PASS workflows: .github/workflows/batchform.yml is active.',
      'PASS workflows: .github/workflows/batchform-preview.yml is active and on the default branch main.',
    ]);
    expect(r.out.split('\n')[0]).toBe('batchform check-github: acme/batches, stage prod (environment "prod", deploy branch main, subject template [] (GitHub\'s default subject))');
    expect(r.out.split('\n').pop()).toBe('All checks passed.');
    expect(r.seen.every((s) => s.method === 'GET' && s.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('a default branch other than the deploy branch fails: workflow_run would run there', async () => {
    const r = await checked({ ...passing(), defaultBranch: 'develop' });
    expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
    expect(r.findings.slice(0, 2)).toEqual([
      'FAIL default branch: the default branch is develop, not the deploy branch main: GitHub runs the preview workflow (workflow_run) from develop, with a token for refs/heads/develop, which the preview role does not trust.',
      'fix: make main the default branch (https://github.com/acme/batches/settings/ → Default branch, or gh api --method PATCH repos/acme/batches -f default_branch=main), or set deployBranch: \'develop\' in .projenrc.ts, then npx projen and npx projen bootstrap:prod.',
    ]);
    expect(r.out).toContain('1 check failed: fix it and run again.');
  });

  test('a missing environment fails with the commands that create it deployable from main only', async () => {
    const r = await checked({ ...passing(), environment: undefined });
    expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
    expect(r.findings).toContain('FAIL environment: environment "prod" does not exist. The first deploy job naming it would create it with no rules at all: any branch\'s job could deploy.');
    expect(r.findings).toContain("fix: gh api --method PUT repos/acme/batches/environments/prod -F 'deployment_branch_policy[protected_branches]=false' -F 'deployment_branch_policy[custom_branch_policies]=true' && gh api --method POST repos/acme/batches/environments/prod/deployment-branch-policies -f name=main -f type=branch");
    expect(r.findings.some((f) => f.includes('deployment branches'))).toBe(false);
  });

  describe('deployment branches', () => {
    const withPolicy = (deployment_branch_policy: NonNullable<GitHubState['environment']>['deployment_branch_policy'], extra: Partial<GitHubState> = {}) =>
      ({ ...passing(), environment: { protection_rules: REVIEWERS, deployment_branch_policy }, ...extra });
    const finding = (r: Run) => r.findings.filter((f) => f.startsWith('FAIL deployment') || f.startsWith('WARN deployment') || f.startsWith('PASS deployment'));

    test('no restriction fails under GitHub\'s default subject (the rule is all that guards the deploy role)', async () => {
      const r = await checked(withPolicy(null));
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(finding(r)).toEqual(['FAIL deployment branches: besides main, every branch and tag (no restriction) may deploy to environment "prod". With GitHub\'s default subject (environment only) this rule is all that keeps their jobs from the deploy role.']);
    });

    test('no restriction only warns when the subject template includes the ref (AWS refuses the other branches)', async () => {
      const r = await checked({ ...withPolicy(null), subTemplate: { use_default: false, include_claim_keys: ['repo', 'context', 'ref'] } }, { dir: DIRS.ref });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.ok);
      expect(finding(r)).toEqual(['WARN deployment branches: besides main, every branch and tag (no restriction) may deploy to environment "prod". The deploy role still refuses them (the subject template includes the ref), but their jobs get the environment\'s secrets and approvals.']);
      expect(r.out.split('\n').pop()).toBe('All checks passed (1 warning).');
    });

    test('custom policies beyond main fail, with the commands that delete them', async () => {
      const r = await checked(withPolicy({ protected_branches: false, custom_branch_policies: true }, { policies: [{ id: 11, name: 'main', type: 'branch' }, { id: 12, name: 'release/*', type: 'branch' }, { id: 13, name: 'v*', type: 'tag' }] }));
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(r.findings).toContain('FAIL deployment branches: besides main, branch pattern "release/*", tag pattern "v*" may deploy to environment "prod". With GitHub\'s default subject (environment only) this rule is all that keeps their jobs from the deploy role.');
      expect(r.findings).toContain('fix: gh api --method DELETE repos/acme/batches/environments/prod/deployment-branch-policies/12 && gh api --method DELETE repos/acme/batches/environments/prod/deployment-branch-policies/13');
    });

    test('a wildcard that matches main is too broad: the fix adds main itself and deletes the pattern', async () => {
      const r = await checked(withPolicy({ protected_branches: false, custom_branch_policies: true }, { policies: [{ id: 21, name: 'ma*', type: 'branch' }] }));
      expect(r.findings).toContain('fix: gh api --method POST repos/acme/batches/environments/prod/deployment-branch-policies -f name=main -f type=branch && gh api --method DELETE repos/acme/batches/environments/prod/deployment-branch-policies/21');
    });

    test('policies that leave main out fail: its deploys would be rejected', async () => {
      const r = await checked(withPolicy({ protected_branches: false, custom_branch_policies: true }, { policies: [{ id: 31, name: 'develop', type: 'branch' }] }));
      expect(finding(r)).toEqual(['FAIL deployment branches: no deployment branch policy of environment "prod" matches main, so its deploy jobs are rejected (policies: branch develop).']);
      expect(r.findings).toContain('fix: gh api --method POST repos/acme/batches/environments/prod/deployment-branch-policies -f name=main -f type=branch');
    });

    test('protected branches only: passes when main is the only protected branch', async () => {
      const r = await checked(withPolicy({ protected_branches: true, custom_branch_policies: false }));
      expect(finding(r)).toEqual(['PASS deployment branches: only protected branches may deploy to "prod", and main is the only protected branch.']);
    });

    test.each([
      [[], 'FAIL deployment branches: besides main, every branch (no branch is protected, and GitHub then lets all branches deploy) may deploy to environment "prod". With GitHub\'s default subject (environment only) this rule is all that keeps their jobs from the deploy role.'],
      [['main', 'release'], 'FAIL deployment branches: besides main, protected branch release may deploy to environment "prod". With GitHub\'s default subject (environment only) this rule is all that keeps their jobs from the deploy role.'],
      [['develop'], 'FAIL deployment branches: environment "prod" allows protected branches only, and main is not protected: its deploy jobs are rejected (protected: develop).'],
    ])('protected branches only, protected %j: fails', async (protectedBranches, expected) => {
      const r = await checked(withPolicy({ protected_branches: true, custom_branch_policies: false }, { protectedBranches }));
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(finding(r)).toEqual([expected]);
    });
  });

  test('no required reviewers is a warning only', async () => {
    const r = await checked({ ...passing(), environment: environmentWithoutRules() });
    expect(r.code).toBe(CHECK_GITHUB_EXIT.ok);
    expect(r.findings).toContain('WARN required reviewers: environment "prod" has no required reviewers: every push to main deploys without a person\'s approval.');
  });

  describe('OIDC subject template', () => {
    test('the repository on GitHub\'s default while the bootstrap expects repo,context,ref fails, with both ways out', async () => {
      const r = await checked(passing(), { dir: DIRS.ref });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(r.findings).toContain('FAIL OIDC subject: tokens use GitHub\'s default [] (GitHub\'s default subject), but the bootstrap template trusts subjects of [\'repo\', \'context\', \'ref\'], so no token matches (the deploy role expects repo:acme/batches:environment:prod:ref:refs/heads/main).');
      expect(r.findings).toContain("fix: set the repository's template: gh api --method PUT repos/acme/batches/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref'; or set githubSubjectClaimKeys: [] in .projenrc.ts, then npx projen and npx projen bootstrap:prod.");
    });

    test('a customized repository with a bootstrap on the default fails the other way', async () => {
      const r = await checked({ ...passing(), subTemplate: { use_default: false, include_claim_keys: ['repo', 'context', 'ref'] } });
      expect(r.findings).toContain('fix: set the repository\'s template: gh api --method PUT repos/acme/batches/actions/oidc/customization/sub -F use_default=true; or set githubSubjectClaimKeys: [\'repo\',\'context\',\'ref\'] in .projenrc.ts, then npx projen and npx projen bootstrap:prod.');
    });

    test('matching repo,context,ref passes and names the customized subjects', async () => {
      const r = await checked({ ...passing(), subTemplate: { use_default: false, include_claim_keys: ['repo', 'context', 'ref'] } }, { dir: DIRS.ref });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.ok);
      expect(r.findings).toContain('PASS OIDC subject: tokens use the repository\'s template [\'repo\', \'context\', \'ref\'], as the bootstrap expects: the deploy role trusts repo:acme/batches:environment:prod:ref:refs/heads/main; the preview role repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main.');
    });

    test('a repository that follows its organization\'s template is compared with that template', async () => {
      const r = await checked({ ...passing(), subTemplate: { use_default: false }, orgTemplate: { include_claim_keys: ['repo', 'context', 'ref'] } }, { dir: DIRS.ref });
      expect(r.findings).toContain('PASS OIDC subject: tokens use organization acme\'s template [\'repo\', \'context\', \'ref\'], as the bootstrap expects: the deploy role trusts repo:acme/batches:environment:prod:ref:refs/heads/main; the preview role repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main.');
      expect(r.seen.map((s) => s.path)).toContain('/orgs/acme/actions/oidc/customization/sub');
    });

    test('immutable subjects warn with the ids to bootstrap with', async () => {
      const r = await checked({ ...passing(), subTemplate: { use_default: true, use_immutable_subject: true, sub_claim_prefix: 'repo:acme@123456/batches@456789' } });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.ok);
      expect(r.findings).toContain('WARN immutable subject: tokens start with the immutable repo:acme@123456/batches@456789, which the roles trust only when the stage was bootstrapped with both numeric ids (this check cannot see the deployed stack).');
      expect(r.findings).toContain('fix: make sure the bootstrap has them: AWS_PROFILE=<admin> npx projen bootstrap:prod GitHubOwnerId=123456 GitHubRepositoryId=456789');
    });
  });

  describe('Actions permissions', () => {
    test('Actions disabled fails: nothing runs', async () => {
      const r = await checked({ ...passing(), actions: { enabled: false } });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(r.findings).toContain('FAIL Actions permissions: GitHub Actions is disabled for this repository: no workflow runs, neither the build nor the preview nor the deploy.');
    });

    test('local actions only fails', async () => {
      const r = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'local_only' } });
      expect(r.findings.find((f) => f.startsWith('FAIL Actions'))).toBe(`FAIL Actions permissions: only actions of this repository may run, but the workflows use ${USED.join(', ')}.`);
    });

    test('selected actions without aws-actions fails, naming the action and the pattern to add', async () => {
      const r = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'selected' }, selectedActions: { github_owned_allowed: true, verified_allowed: false, patterns_allowed: ['octo-org/*'] } });
      expect(r.findings).toContain(`FAIL Actions permissions: the repository allows selected actions only, and no rule names ${CREDENTIALS_ACTION}, so the workflows using them fail.`);
      expect(r.findings).toContain('fix: add aws-actions/configure-aws-credentials@* to the allowed actions in https://github.com/acme/batches/settings/actions → Actions permissions.');
    });

    test('selected actions with a pattern for aws-actions pass; with verified creators only, a warning', async () => {
      const allowed = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'selected' }, selectedActions: { github_owned_allowed: true, patterns_allowed: ['aws-actions/*'] } });
      expect(allowed.findings.filter((f) => f.includes('Actions permissions'))[0]).toMatch(/^PASS Actions permissions/);
      const verified = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'selected' }, selectedActions: { github_owned_allowed: true, verified_allowed: true, patterns_allowed: [] } });
      expect(verified.code).toBe(CHECK_GITHUB_EXIT.ok);
      expect(verified.findings).toContain(`WARN Actions permissions: the repository allows selected actions only, and no rule names ${CREDENTIALS_ACTION} (they run only if GitHub counts their owner as a verified creator).`);
    });

    test('required SHA pinning passes batchform\'s pinned actions, and fails a workflow on disk with tag-pinned ones, with how to pin them', async () => {
      const pinned = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'all', sha_pinning_required: true } });
      expect(pinned.findings.filter((f) => f.includes('Actions permissions'))[0]).toMatch(/^PASS Actions permissions/);
      const dir = project();
      fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.github/workflows/batchform.yml'), 'jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v7\n      - uses: actions/setup-node@v7\n');
      const r = await checked({ ...passing(), actions: { enabled: true, allowed_actions: 'all', sha_pinning_required: true } }, { dir });
      fs.rmSync(dir, { recursive: true, force: true });
      expect(r.findings.find((f) => f.startsWith('FAIL Actions'))).toMatch(/^FAIL Actions permissions: the repository requires actions pinned to a full commit SHA, but the workflows use actions\/checkout@v7, /);
      expect(r.findings).toContain("fix: pin each in .projenrc.ts, e.g. project.github!.actions.set('actions/checkout', 'actions/checkout@<40-character commit SHA>'), then npx projen.");
    });
  });

  describe('workflows', () => {
    test('the preview workflow missing from the default branch fails: workflow_run starts only from there', async () => {
      const r = await checked({ ...passing(), previewFileOnDefaultBranch: false });
      expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
      expect(r.findings).toContain('FAIL workflows: .github/workflows/batchform-preview.yml is not on the default branch main, so no preview runs (GitHub starts workflow_run workflows from the default branch\'s copy only).');
    });

    test('a disabled workflow fails with the command that enables it', async () => {
      const r = await checked({ ...passing(), workflowStates: { 'batchform.yml': 'disabled_manually', 'batchform-preview.yml': 'active' } });
      expect(r.findings).toContain('FAIL workflows: workflow .github/workflows/batchform.yml is disabled_manually, so it does not run.');
      expect(r.findings).toContain('fix: gh workflow enable batchform.yml -R acme/batches');
    });
  });

  test('a settings endpoint the token may not read fails that check with the way out, and the others still run', async () => {
    const r = await checked(passing(), { fault: (p) => (p.endsWith('/actions/permissions') ? { status: 403, body: { message: 'Resource not accessible by personal access token' } } : undefined) });
    expect(r.code).toBe(CHECK_GITHUB_EXIT.failed);
    expect(r.findings).toContain('FAIL Actions permissions: GitHub answered HTTP 403 while reading the repository\'s Actions permissions (Resource not accessible by personal access token), so this could not be checked.');
    expect(r.findings.filter((f) => f.startsWith('PASS'))).toHaveLength(7);
  });
});

describe('check-github: exit codes', () => {
  test.each([
    ['no token', { env: {} }, /^batchform check-github: no GitHub token: set GH_TOKEN \(or GITHUB_TOKEN\)/],
    ['an unknown stage', { stage: 'qa' }, /stage "qa" is not in cfn-out\/manifest\.json; its stages are: prod\./],
    ['no stage', { stage: '' }, /--stage is required; its stages are: prod\./],
    ['a repository that is not OWNER/REPO', { repository: 'https://github.com/acme/batches' }, /--repository "https:\/\/github\.com\/acme\/batches" is not OWNER\/REPO/],
  ])('2 for bad input: %s', async (_what, options, message) => {
    const r = await checked(passing(), options as Parameters<typeof run>[1]);
    expect(r.code).toBe(CHECK_GITHUB_EXIT.badInput);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  test('2 for a token GitHub refuses, and for a repository it cannot see', async () => {
    const refused = await checked(passing(), { fault: () => ({ status: 401, body: { message: 'Bad credentials' } }) });
    expect(refused.code).toBe(CHECK_GITHUB_EXIT.badInput);
    expect(refused.err).toBe('batchform check-github: GitHub refused the token while reading repository acme/batches (HTTP 401: Bad credentials); it is expired, revoked or mistyped. Fix: use a current token, e.g. GH_TOKEN=$(gh auth token).');
    const unseen = await checked(passing(), { repository: 'acme/elsewhere' });
    expect(unseen.code).toBe(CHECK_GITHUB_EXIT.badInput);
    expect(unseen.err).toBe('batchform check-github: repository acme/elsewhere was not found, or the token cannot see it. Fix: pass --repository OWNER/REPO as GitHub spells it, with a token that can read it.');
  });

  test('GH_TOKEN wins over GITHUB_TOKEN, as with gh', async () => {
    const fake = await startFake(passing());
    try {
      const code = await runCheckGithubCommand({ stage: 'prod', manifest: 'cfn-out/manifest.json', template: 'cfn-out/bootstrap.template.json' },
        { env: { GH_TOKEN: TOKEN, GITHUB_TOKEN: 'other', GITHUB_API_URL: fake.url }, out: () => undefined, err: () => undefined, projectDir: DIRS.default });
      expect(code).toBe(CHECK_GITHUB_EXIT.ok);
      expect(new Set(fake.seen.map((s) => s.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
    } finally {
      await fake.close();
    }
  });

  test('3 when GitHub cannot be reached: nothing answers on the port', async () => {
    const closed = await startFake(passing());
    await closed.close();
    const r = await checked(passing(), { env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: closed.url } });
    expect(r.code).toBe(CHECK_GITHUB_EXIT.unreachable);
    expect(r.err).toMatch(new RegExp(`^batchform check-github: cannot reach GitHub: ${closed.url.replace(/[.]/g, '\\.')} did not answer while reading repository acme/batches \\(ECONNREFUSED`));
    expect(r.out).toBe('');
  });

  test('3 when GitHub does not answer in time, answers 5xx or rate-limits the token, even after some checks ran', async () => {
    const slow = await checked(passing(), { fault: (p) => (p.endsWith('/environments/prod') ? 'hang' : undefined), timeoutMs: 300 });
    expect(slow.code).toBe(CHECK_GITHUB_EXIT.unreachable);
    expect(slow.err).toMatch(/did not answer while reading environment "prod" \(no answer within 0\.3 s\)\.$/);
    const broken = await checked(passing(), { fault: (p) => (p.endsWith('/customization/sub') ? { status: 502, body: { message: 'Bad Gateway' } } : undefined) });
    expect(broken.code).toBe(CHECK_GITHUB_EXIT.unreachable);
    expect(broken.err).toBe('batchform check-github: GitHub answered HTTP 502 while reading the OIDC subject template: Bad Gateway; nothing was checked. Run again later.');
    const limited = await checked(passing(), { fault: () => ({ status: 403, body: { message: 'API rate limit exceeded' }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' } }) });
    expect(limited.code).toBe(CHECK_GITHUB_EXIT.unreachable);
    expect(limited.err).toBe('batchform check-github: GitHub rate-limited the token until 2027-01-15T08:00:00.000Z while reading repository acme/batches; nothing was checked. Run again later.');
  });

  test('1 when a check fails (above); 0 with warnings only (above)', async () => {
    expect((await checked({ ...passing(), environment: undefined })).code).toBe(1);
    expect((await checked({ ...passing(), environment: environmentWithoutRules() })).code).toBe(0);
  });
});

test('the token appears in nothing any run above printed', () => {
  expect(printed.length).toBeGreaterThan(40);
  expect(printed.filter((p) => p.includes(TOKEN) || p.includes(TOKEN.slice(4, 20)))).toEqual([]);
});

describe('branchPatternMatches (Ruby File.fnmatch, as GitHub matches deployment branch patterns)', () => {
  test.each([
    ['main', 'main', true], ['main', 'main2', false], ['ma*', 'main', true], ['release/*', 'release/v1', true],
    ['release/*', 'release/v1/x', false], ['release/*/*', 'release/v1/x', true], ['release/**', 'release/v1/x', true],
    ['v?', 'v1', true], ['v[0-9]', 'v7', true], ['v[!0-9]', 'v7', false], ['*', 'feature/x', false], ['feat.x', 'featax', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(branchPatternMatches(pattern, name)).toBe(expected);
  });
});

test('the CLI registers check-github: batchform check-github --stage qa exits 2 naming the stages', async () => {
  const errors: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { errors.push(String(chunk)); return true; });
  const exitCode = process.exitCode;
  try {
    await buildProgram().parseAsync(['node', 'batchform', 'check-github', '--stage', 'qa',
      '--manifest', path.join(DIRS.default, 'cfn-out/manifest.json'), '--template', path.join(DIRS.default, 'cfn-out/bootstrap.template.json')]);
    expect(process.exitCode).toBe(CHECK_GITHUB_EXIT.badInput);
  } finally {
    process.exitCode = exitCode;
    write.mockRestore();
  }
  expect(errors.join('')).toMatch(/^batchform check-github: stage "qa" is not in .*manifest\.json; its stages are: prod\.\n$/);
});
