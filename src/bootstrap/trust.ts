// Which GitHub OIDC subjects (`sub` claims) the bootstrap's deploy and preview roles trust, as pure data shared by the template, the component and `check-github`.
import { REPOSITORY_PATTERN } from '../model/bootstrap-names';

/** The workflow whose deploy jobs (on pushes to the deploy branch, in the stage's environment) assume the deploy role. */
export const DEPLOY_WORKFLOW_FILE = '.github/workflows/batchform.yml';

/**
 * The workflow whose preview job assumes the preview role. It runs on `workflow_run` (when the
 * `batchform` workflow completes for a pull request), which GitHub always runs from the default
 * branch with the default branch's copy of this file, so its token names `refs/heads/<default branch>`.
 */
export const PREVIEW_WORKFLOW_FILE = '.github/workflows/batchform-preview.yml';

/**
 * The OIDC subject templates the bootstrap can trust, each the repository's `include_claim_keys`
 * as GitHub takes them (GitHub joins the keys in this order, so the order is part of the template):
 *
 * - `[]`: GitHub's default subject. The deploy role trusts `repo:O/R:environment:<env>`: any job
 *   naming the environment, so only the environment's deployment-branch rule keeps other branches
 *   out. The preview role trusts `repo:O/R:ref:refs/heads/<branch>`: any job on the deploy branch
 *   without an environment.
 * - `['repo', 'context', 'ref']`: the deploy subject carries the environment AND the branch
 *   (`repo:O/R:environment:prod:ref:refs/heads/main`), so a job in the environment on another
 *   branch is refused by AWS whatever the environment's rules say.
 * - `['repo', 'context', 'ref', 'job_workflow_ref']`: also the workflow file and the ref it was
 *   read from (`...:job_workflow_ref:O/R/.github/workflows/batchform.yml@refs/heads/main`), so
 *   other workflows of the branch (a release workflow, a scheduled one) cannot assume either role.
 */
export const SUBJECT_CLAIM_KEY_SETS: readonly (readonly string[])[] = [
  [],
  ['repo', 'context', 'ref'],
  ['repo', 'context', 'ref', 'job_workflow_ref'],
];

/** The claim keys batchform's templates are made of. */
const KNOWN_KEYS = new Set(SUBJECT_CLAIM_KEY_SETS.flat());

/** The bootstrap parameter's value of a claim-key list: the keys joined with commas (`''` for GitHub's default). */
export function claimKeysParameter(keys: readonly string[]): string {
  return keys.join(',');
}

/** `['repo', 'context', 'ref']` as code, `[] (GitHub's default subject)` for none. */
export function describeClaimKeys(keys: readonly string[]): string {
  return keys.length ? `[${keys.map((k) => `'${k}'`).join(', ')}]` : '[] (GitHub\'s default subject)';
}

/** The supported templates, as a fix lists them. */
const SUPPORTED = ((all) => `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`)(SUBJECT_CLAIM_KEY_SETS.map(describeClaimKeys));

/**
 * The `gh api` command that sets `repository`'s OIDC subject template to `keys` (`[]`: GitHub's
 * default). A repository administrator runs it; it changes the subject of every OIDC token the
 * repository's workflows request, for every cloud they log in to.
 */
export function subjectTemplateCommand(repository: string, keys: readonly string[]): string {
  const endpoint = `gh api --method PUT repos/${repository}/actions/oidc/customization/sub`;
  if (!keys.length) return `${endpoint} -F use_default=true`;
  return `${endpoint} -F use_default=false ${keys.map((k) => `-f 'include_claim_keys[]=${k}'`).join(' ')}`;
}

/**
 * Checks a claim-key list against the templates the bootstrap supports and returns a copy.
 * @param field what the list is called in the message (an option name)
 * @throws Error naming the unknown key, or the unsupported list, and the lists that work
 */
export function checkSubjectClaimKeys(keys: readonly string[] | undefined, field = 'githubSubjectClaimKeys'): string[] {
  if (keys === undefined) return [];
  const shown = `${field} ${JSON.stringify(keys)}`;
  const unknown = keys.filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length) {
    throw new Error(`batchform: ${shown} includes ${unknown.map((k) => JSON.stringify(k)).join(', ')}, which the bootstrap's trust cannot match (it builds the subjects of these keys only: ${[...KNOWN_KEYS].join(', ')}). ` +
      `Fix: use one of ${SUPPORTED}, and set the same keys on the repository (${subjectTemplateCommand('OWNER/REPO', ['repo', 'context', 'ref'])}).`);
  }
  if (!SUBJECT_CLAIM_KEY_SETS.some((set) => claimKeysParameter(set) === claimKeysParameter(keys))) {
    throw new Error(`batchform: ${shown} is not a subject template the bootstrap supports (GitHub joins the keys in the order given, and the deploy subject must keep the repository and the environment). ` +
      `Fix: use one of ${SUPPORTED}, in that order.`);
  }
  return [...keys];
}

/**
 * A claim value as GitHub writes it into the subject: every `:` becomes `%3A` (an environment
 * named `prod:eu` appears as `environment:prod%3Aeu`).
 */
export function escapeClaimValue(value: string): string {
  return value.replace(/:/g, '%3A');
}

/** The stage settings {@link trustedSubjects} derives the subjects from. */
export interface TrustedSubjectsOptions {
  /** `OWNER/REPO`, as GitHub spells it. */
  readonly repository: string;
  /** The GitHub environment of the stage's deploy jobs (the stage's `githubEnvironment`, by default its name). */
  readonly environment: string;
  /**
   * The branch whose pushes deploy. It must also be the repository's default branch: the preview
   * workflow runs on `workflow_run`, which GitHub runs from the default branch.
   */
  readonly branch: string;
  /**
   * The repository's OIDC subject template, one of {@link SUBJECT_CLAIM_KEY_SETS}.
   * @default [] (GitHub's default subject)
   */
  readonly claimKeys?: readonly string[];
  /**
   * The numeric ids of the owner and the repository (`gh api repos/OWNER/REPO --jq '.owner.id, .id'`),
   * when the roles also trust GitHub's immutable subjects (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`).
   * @default - names only
   */
  readonly ids?: { readonly owner: string; readonly repository: string };
}

/** The exact `sub` values each role trusts (IAM `StringEquals`, no wildcard). */
export interface TrustedSubjects {
  /** The deploy jobs of {@link DEPLOY_WORKFLOW_FILE}: in the stage's environment (and, customized, on the deploy branch). */
  readonly deploy: string[];
  /** The preview job of {@link PREVIEW_WORKFLOW_FILE}: a `workflow_run` job on the deploy branch, without an environment. */
  readonly preview: string[];
}

/**
 * The subjects the bootstrap stack of a stage trusts, exactly as the template's policies resolve
 * them: the name form `repo:OWNER/REPO:...` always, and with `ids` also the immutable form (GitHub
 * keeps the ids in the `repo` segment of a customized subject too). No `pull_request` subject is
 * trusted: pull-request builds run without AWS access.
 *
 * | claimKeys | deploy | preview |
 * | --- | --- | --- |
 * | `[]` | `repo:O/R:environment:<env>` | `repo:O/R:ref:refs/heads/<branch>` |
 * | `repo,context,ref` | `repo:O/R:environment:<env>:ref:refs/heads/<branch>` | `repo:O/R:ref:refs/heads/<branch>:ref:refs/heads/<branch>` |
 * | `...,job_workflow_ref` | the above `:job_workflow_ref:O/R/.github/workflows/batchform.yml@refs/heads/<branch>` | the above `:job_workflow_ref:O/R/.github/workflows/batchform-preview.yml@refs/heads/<branch>` |
 *
 * (`context` is what follows the repository in GitHub's default subject: `environment:<env>` for a
 * job with an environment, else `ref:<ref>`.)
 *
 * @throws Error when the repository is not `OWNER/REPO`, the environment or branch is empty, or the claim keys are not a supported template
 * @example
 * trustedSubjects({ repository: 'acme/batches', environment: 'prod', branch: 'main', claimKeys: ['repo', 'context', 'ref'] })
 * // { deploy: ['repo:acme/batches:environment:prod:ref:refs/heads/main'],
 * //   preview: ['repo:acme/batches:ref:refs/heads/main:ref:refs/heads/main'] }
 */
export function trustedSubjects(options: TrustedSubjectsOptions): TrustedSubjects {
  const { repository, environment, branch } = options;
  if (!new RegExp(REPOSITORY_PATTERN).test(repository)) throw new Error(`trustedSubjects: repository "${repository}" is not OWNER/REPO, e.g. "acme/batches".`);
  if (!environment) throw new Error('trustedSubjects: the environment is empty; the deploy role trusts only jobs in the stage\'s environment.');
  if (!branch) throw new Error('trustedSubjects: the deploy branch is empty.');
  const keys = checkSubjectClaimKeys(options.claimKeys, 'claimKeys');
  const [owner, name] = repository.split('/');
  const prefixes = [`repo:${repository}`, ...(options.ids ? [`repo:${owner}@${options.ids.owner}/${name}@${options.ids.repository}`] : [])];
  const ref = `refs/heads/${branch}`;
  const subjects = (context: string, workflowFile: string): string[] => prefixes.map((prefix) => {
    let sub = `${prefix}:${context}`;
    if (keys.includes('ref')) sub += `:ref:${ref}`;
    if (keys.includes('job_workflow_ref')) sub += `:job_workflow_ref:${repository}/${workflowFile}@${ref}`;
    return sub;
  });
  return {
    deploy: subjects(`environment:${escapeClaimValue(environment)}`, DEPLOY_WORKFLOW_FILE),
    preview: subjects(`ref:${ref}`, PREVIEW_WORKFLOW_FILE),
  };
}
