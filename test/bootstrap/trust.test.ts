// The pure trust helper: the subjects each bootstrap role trusts per subject template, the claim-key
// check, and the gh command that sets a template. test/bootstrap/bootstrap.test.ts checks the
// template's policies resolve to exactly these subjects.
import { checkSubjectClaimKeys, claimKeysParameter, DEPLOY_WORKFLOW_FILE, describeClaimKeys, escapeClaimValue, PREVIEW_WORKFLOW_FILE, subjectTemplateCommand, trustedSubjects } from '../../src/bootstrap/trust';
import { WORKFLOW_FILE } from '../../src/workflows/workflow-file';

const STAGE = { repository: 'acme/batches', environment: 'prod', branch: 'main' } as const;

describe('trustedSubjects', () => {
  test('GitHub\'s default subject: the deploy role trusts the environment, the preview role the deploy branch; nothing trusts pull_request', () => {
    expect(trustedSubjects(STAGE)).toEqual({
      deploy: ['repo:acme/batches:environment:prod'],
      preview: ['repo:acme/batches:ref:refs/heads/main'],
    });
  });

  test('repo,context,ref: the deploy subject carries the environment and the branch', () => {
    expect(trustedSubjects({ ...STAGE, claimKeys: ['repo', 'context', 'ref'] })).toEqual({
      deploy: ['repo:acme/batches:environment:prod:ref:refs/heads/main'],
      preview: ['repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main'],
    });
  });

  test('repo,context,ref,job_workflow_ref: each role also names its workflow file, read from the deploy branch', () => {
    expect(trustedSubjects({ ...STAGE, claimKeys: ['repo', 'context', 'ref', 'job_workflow_ref'] })).toEqual({
      deploy: ['repo:acme/batches:environment:prod:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/batchform.yml@refs/heads/main'],
      preview: ['repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:acme/batches/.github/workflows/batchform-preview.yml@refs/heads/main'],
    });
  });

  test('with the numeric ids, the immutable form follows the name form, ids in the repo segment only', () => {
    expect(trustedSubjects({ ...STAGE, claimKeys: ['repo', 'context', 'ref'], ids: { owner: '123456', repository: '456789' } }).deploy).toEqual([
      'repo:acme/batches:environment:prod:ref:refs/heads/main',
      'repo:acme@123456/batches@456789:environment:prod:ref:refs/heads/main',
    ]);
  });

  test('an environment name with ":" is written as GitHub writes it', () => {
    expect(escapeClaimValue('prod:eu:1')).toBe('prod%3Aeu%3A1');
    expect(trustedSubjects({ ...STAGE, environment: 'prod:eu' }).deploy).toEqual(['repo:acme/batches:environment:prod%3Aeu']);
  });

  test('the deploy workflow file is the one the component writes', () => {
    expect(DEPLOY_WORKFLOW_FILE).toBe(WORKFLOW_FILE);
    expect(PREVIEW_WORKFLOW_FILE).toBe('.github/workflows/batchform-preview.yml');
  });

  test.each([
    [{ ...STAGE, repository: 'https://github.com/acme/batches' }, 'repository "https://github.com/acme/batches" is not OWNER/REPO'],
    [{ ...STAGE, environment: '' }, 'the environment is empty'],
    [{ ...STAGE, branch: '' }, 'the deploy branch is empty'],
    [{ ...STAGE, claimKeys: ['repo'] }, 'claimKeys ["repo"] is not a subject template the bootstrap supports'],
  ])('rejects %j: %s', (options, message) => {
    expect(() => trustedSubjects(options)).toThrow(message);
  });
});

describe('checkSubjectClaimKeys', () => {
  test('accepts each supported template and returns a copy; undefined is GitHub\'s default', () => {
    const keys = ['repo', 'context', 'ref'];
    const checked = checkSubjectClaimKeys(keys);
    expect(checked).toEqual(keys);
    expect(checked).not.toBe(keys);
    expect(checkSubjectClaimKeys(undefined)).toEqual([]);
    expect(checkSubjectClaimKeys(['repo', 'context', 'ref', 'job_workflow_ref'])).toHaveLength(4);
  });

  test('an unknown key is named, with the templates that work and the command that sets one', () => {
    expect(() => checkSubjectClaimKeys(['repo', 'context', 'event_name', 'actor'])).toThrow(
      'batchform: githubSubjectClaimKeys ["repo","context","event_name","actor"] includes "event_name", "actor", which the bootstrap\'s trust cannot match (it builds the subjects of these keys only: repo, context, ref, job_workflow_ref). ' +
      'Fix: use one of [] (GitHub\'s default subject), [\'repo\', \'context\', \'ref\'] or [\'repo\', \'context\', \'ref\', \'job_workflow_ref\'], and set the same keys on the repository ' +
      '(gh api --method PUT repos/OWNER/REPO/actions/oidc/customization/sub -F use_default=false -f \'include_claim_keys[]=repo\' -f \'include_claim_keys[]=context\' -f \'include_claim_keys[]=ref\').');
  });

  test('known keys in an order GitHub would join differently are refused', () => {
    expect(() => checkSubjectClaimKeys(['repo', 'ref', 'context'])).toThrow('is not a subject template the bootstrap supports');
    expect(() => checkSubjectClaimKeys(['repo', 'context'])).toThrow('is not a subject template the bootstrap supports');
  });
});

describe('subject template commands and names', () => {
  test('the gh command sets the keys in order, or GitHub\'s default', () => {
    expect(subjectTemplateCommand('acme/batches', ['repo', 'context', 'ref'])).toBe(
      "gh api --method PUT repos/acme/batches/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref'");
    expect(subjectTemplateCommand('acme/batches', [])).toBe('gh api --method PUT repos/acme/batches/actions/oidc/customization/sub -F use_default=true');
  });

  test('the parameter value and the description of a template', () => {
    expect(claimKeysParameter(['repo', 'context', 'ref'])).toBe('repo,context,ref');
    expect(claimKeysParameter([])).toBe('');
    expect(describeClaimKeys([])).toBe('[] (GitHub\'s default subject)');
    expect(describeClaimKeys(['repo', 'context'])).toBe("['repo', 'context']");
  });
});
