// Who may assume the deploy and preview roles with a GitHub OIDC token, as a table of tokens and
// the decision each must get: pull requests get neither role, the preview workflow's job on the
// deploy branch gets the preview role, and with the subject template repo,context,ref the deploy
// role also requires the deploy branch. The README's bootstrap section points here.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ALLOW, assumeWithWebIdentity, BOOTSTRAP_ACCOUNT, BOOTSTRAP_ARNS, deployedBootstrap, GITHUB_PROVIDER_ARN, NOT_ALLOWED } from './simulate';

const { deployRole: DEPLOY_ROLE, previewRole: PREVIEW_ROLE } = BOOTSTRAP_ARNS;

/** [what, the token's sub, the deploy role's decision, the preview role's decision] */
type Row = [string, string, string, string];

function table(stack: ReturnType<typeof deployedBootstrap>, rows: Row[]) {
  test.each(rows)('%s (%s): deploy role %s, preview role %s', async (_what, sub, deploy, preview) => {
    expect(await assumeWithWebIdentity(stack.deployTrust, DEPLOY_ROLE, { sub })).toBe(deploy);
    expect(await assumeWithWebIdentity(stack.previewTrust, PREVIEW_ROLE, { sub })).toBe(preview);
  });
}

describe('GitHub\'s default subject (no subject template)', () => {
  table(deployedBootstrap(), [
    ['a pull-request build', 'repo:acme/batches:pull_request', NOT_ALLOWED, NOT_ALLOWED],
    ['the preview job: workflow_run, run from the default branch main', 'repo:acme/batches:ref:refs/heads/main', NOT_ALLOWED, ALLOW],
    ['a job on another branch (a workflow_dispatch of a feature branch)', 'repo:acme/batches:ref:refs/heads/feature', NOT_ALLOWED, NOT_ALLOWED],
    ['the deploy job in environment prod', 'repo:acme/batches:environment:prod', ALLOW, NOT_ALLOWED],
    ['a job in another environment', 'repo:acme/batches:environment:staging', NOT_ALLOWED, NOT_ALLOWED],
    ['a tag', 'repo:acme/batches:ref:refs/tags/v1', NOT_ALLOWED, NOT_ALLOWED],
    ['another repository\'s main', 'repo:evil/batches:ref:refs/heads/main', NOT_ALLOWED, NOT_ALLOWED],
  ]);
});

describe('subject template repo,context,ref', () => {
  table(deployedBootstrap({ subjectClaimKeys: 'repo,context,ref' }), [
    ['the deploy job: environment prod on main', 'repo:acme/batches:environment:prod:ref:refs/heads/main', ALLOW, NOT_ALLOWED],
    ['environment prod from another branch (its branch rule aside)', 'repo:acme/batches:environment:prod:ref:refs/heads/feature', NOT_ALLOWED, NOT_ALLOWED],
    ['environment prod from a pull request', 'repo:acme/batches:environment:prod:ref:refs/pull/7/merge', NOT_ALLOWED, NOT_ALLOWED],
    ['environment prod in the default form', 'repo:acme/batches:environment:prod', NOT_ALLOWED, NOT_ALLOWED],
    ['the preview job on main', 'repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main', NOT_ALLOWED, ALLOW],
    ['a job on another branch', 'repo:acme/batches:ref:refs/heads/feature:ref:refs/heads/feature', NOT_ALLOWED, NOT_ALLOWED],
    ['a pull-request build', 'repo:acme/batches:pull_request:ref:refs/pull/7/merge', NOT_ALLOWED, NOT_ALLOWED],
  ]);
});

describe('subject template repo,context,ref with the immutable ids', () => {
  table(deployedBootstrap({ subjectClaimKeys: 'repo,context,ref', ids: true }), [
    ['the immutable deploy job on main', 'repo:acme@123456/batches@456789:environment:prod:ref:refs/heads/main', ALLOW, NOT_ALLOWED],
    ['the immutable form from another branch', 'repo:acme@123456/batches@456789:environment:prod:ref:refs/heads/feature', NOT_ALLOWED, NOT_ALLOWED],
    ['a recycled name with other ids', 'repo:acme@999/batches@888:environment:prod:ref:refs/heads/main', NOT_ALLOWED, NOT_ALLOWED],
    ['the immutable preview job', 'repo:acme@123456/batches@456789:ref:refs/heads/main:ref:refs/heads/main', NOT_ALLOWED, ALLOW],
  ]);
});

describe('subject template repo,context,ref,job_workflow_ref', () => {
  const wf = (file: string, ref = 'refs/heads/main') => `job_workflow_ref:acme/batches/.github/workflows/${file}@${ref}`;
  table(deployedBootstrap({ subjectClaimKeys: 'repo,context,ref,job_workflow_ref' }), [
    ['the deploy job of batchform.yml', `repo:acme/batches:environment:prod:ref:refs/heads/main:${wf('batchform.yml')}`, ALLOW, NOT_ALLOWED],
    ['the preview job of batchform-preview.yml', `repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main:${wf('batchform-preview.yml')}`, NOT_ALLOWED, ALLOW],
    ['another workflow of main in environment prod', `repo:acme/batches:environment:prod:ref:refs/heads/main:${wf('release.yml')}`, NOT_ALLOWED, NOT_ALLOWED],
    ['another workflow of main without an environment', `repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main:${wf('nightly.yml')}`, NOT_ALLOWED, NOT_ALLOWED],
  ]);
});

describe('the parts iam-simulate decides, and the part it cannot', () => {
  const stack = deployedBootstrap();

  test('a token of another OIDC provider gets neither role, whatever its claims', async () => {
    const other = `arn:aws:iam::${BOOTSTRAP_ACCOUNT}:oidc-provider/gitlab.com`;
    expect(await assumeWithWebIdentity(stack.deployTrust, DEPLOY_ROLE, { sub: 'repo:acme/batches:environment:prod' }, other)).toBe(NOT_ALLOWED);
    expect(await assumeWithWebIdentity(stack.previewTrust, PREVIEW_ROLE, { sub: 'repo:acme/batches:ref:refs/heads/main' }, other)).toBe(NOT_ALLOWED);
  });

  test('a token for another audience gets neither role', async () => {
    expect(await assumeWithWebIdentity(stack.deployTrust, DEPLOY_ROLE, { sub: 'repo:acme/batches:environment:prod', aud: 'https://github.com/acme' })).toBe(NOT_ALLOWED);
    expect(await assumeWithWebIdentity(stack.previewTrust, PREVIEW_ROLE, { sub: 'repo:acme/batches:ref:refs/heads/main', aud: 'https://github.com/acme' })).toBe(NOT_ALLOWED);
  });

  // Why assumeWithWebIdentity evaluates the claim conditions itself: the simulator ignores GitHub's
  // claim keys for this action. When a version starts evaluating them, this fails: then let it decide.
  test('@cloud-copilot/iam-simulate ignores GitHub\'s claim keys on sts:AssumeRoleWithWebIdentity', async () => {
    const result = await runSimulation({
      request: {
        principal: GITHUB_PROVIDER_ARN,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: { resource: PREVIEW_ROLE, accountId: BOOTSTRAP_ACCOUNT },
        contextVariables: { 'token.actions.githubusercontent.com:sub': 'repo:acme/batches:ref:refs/heads/main', 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: stack.previewTrust,
    }, {});
    expect(result.resultType).toBe('single');
    if (result.resultType !== 'single') return;
    expect(result.result.ignoredContextKeys).toEqual(expect.arrayContaining(['token.actions.githubusercontent.com:sub', 'token.actions.githubusercontent.com:aud']));
    expect(result.overallResult).toBe(NOT_ALLOWED);
  });
});
