// The checks of `check-github`: each reads a stage's GitHub settings and says whether they let in what its bootstrap roles trust, and nothing more.
import * as fs from 'fs';
import * as path from 'path';
import { GitHubAnswer, GitHubApi } from './github-api';
import { DEPLOY_WORKFLOW_FILE, describeClaimKeys, PREVIEW_WORKFLOW_FILE, subjectTemplateCommand, trustedSubjects } from '../bootstrap/trust';
import type { ManifestStage } from '../manifest/manifest';
import { ACTIONS } from '../workflows/actions';

/** A check's verdict. `warn` does not fail the command. */
export type CheckStatus = 'pass' | 'fail' | 'warn';

/** One finding: which setting, its verdict, what GitHub says, and, unless it passed, exactly what to change. */
export interface Finding {
  readonly check: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly fix?: string;
}

/** What the checks compare GitHub against: the stage and what its bootstrap trusts. */
export interface Expected {
  readonly repository: string;
  readonly owner: string;
  readonly stage: ManifestStage;
  readonly environment: string;
  readonly branch: string;
  readonly claimKeys: readonly string[];
  readonly projectDir: string;
}


/** The repository as GitHub returns it (GET /repos/{owner}/{repo}), the fields the checks read. */
export interface RepositoryInfo {
  readonly default_branch: string;
  readonly id: number;
  readonly owner: { readonly id: number; readonly login: string };
}

export const settings = (repository: string, page: string) => `https://github.com/${repository}/settings/${page}`;

/** A failed check for an answer the token was not allowed to read (403/404 on a settings endpoint). */
function unreadable(check: string, answer: GitHubAnswer, what: string, where: string): Finding {
  return {
    check,
    status: 'fail',
    message: `GitHub answered HTTP ${answer.status} while ${what}${answer.body?.message ? ` (${answer.body.message})` : ''}, so this could not be checked.`,
    fix: `run with the token of a repository administrator (GH_TOKEN=$(gh auth token) after gh auth login as one), or check ${where} by hand.`,
  };
}

/** One check: reads what it needs from GitHub and returns its findings. */
export type Check = (api: GitHubApi, x: Expected, repo: RepositoryInfo) => Promise<Finding[]>;

/** The preview workflow runs on workflow_run, which GitHub runs from the default branch: it must be the deploy branch. */
const defaultBranch: Check = async (_api, x, repo) => {
  if (repo.default_branch === x.branch) {
    return [{ check: 'default branch', status: 'pass', message: `${x.branch} is the default branch, so the preview workflow (workflow_run) runs there with a token for refs/heads/${x.branch}, as the preview role expects.` }];
  }
  return [{
    check: 'default branch',
    status: 'fail',
    message: `the default branch is ${repo.default_branch}, not the deploy branch ${x.branch}: GitHub runs the preview workflow (workflow_run) from ${repo.default_branch}, with a token for refs/heads/${repo.default_branch}, which the preview role does not trust.`,
    fix: `make ${x.branch} the default branch (${settings(x.repository, '')} → Default branch, or gh api --method PATCH repos/${x.repository} -f default_branch=${x.branch}), or set deployBranch: '${repo.default_branch}' in .projenrc.ts, then npx projen and npx projen bootstrap:${x.stage.name}.`,
  }];
};

const environmentPath = (x: Expected) => `/repos/${x.repository}/environments/${encodeURIComponent(x.environment)}`;

/** The commands that create the environment deployable from the deploy branch only. */
function environmentCommands(x: Expected): string {
  const env = `repos/${x.repository}/environments/${encodeURIComponent(x.environment)}`;
  return `gh api --method PUT ${env} -F 'deployment_branch_policy[protected_branches]=false' -F 'deployment_branch_policy[custom_branch_policies]=true' && ` +
    `gh api --method POST ${env}/deployment-branch-policies -f name=${x.branch} -f type=branch`;
}

/**
 * The environment exists, only the deploy branch may deploy to it (protected branches that are
 * exactly it, or custom policies naming exactly it), and (warning only) it has required reviewers.
 */
const environment: Check = async (api, x) => {
  const what = `reading environment "${x.environment}"`;
  const answer = await api.get(environmentPath(x), what);
  if (answer.status === 404) {
    return [{
      check: 'environment',
      status: 'fail',
      message: `environment "${x.environment}" does not exist. The first deploy job naming it would create it with no rules at all: any branch's job could deploy.`,
      fix: environmentCommands(x),
    }];
  }
  if (answer.status !== 200) return [unreadable('environment', answer, what, settings(x.repository, 'environments'))];
  const env = answer.body as {
    protection_rules?: Array<{ type: string; reviewers?: unknown[] }>;
    deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  };
  return [
    { check: 'environment', status: 'pass', message: `environment "${x.environment}" exists.` },
    await deploymentBranches(api, x, env.deployment_branch_policy ?? null),
    reviewers(x, env.protection_rules ?? []),
  ];
};

/** Whether a deployment-branch pattern (Ruby `File.fnmatch`, as GitHub documents: `*` does not match `/`) matches `name`. */
export function branchPatternMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') { re += '.*'; i++; } else if (c === '*') {re += '[^/]*';} else if (c === '?') {re += '[^/]';} else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else {re += c.replace(/[.+^${}()|\\/]/g, '\\$&');}
  }
  return new RegExp(`^${re}$`).test(name);
}

/** Who else can deploy: the verdict, failing when the environment's rule is the only thing keeping them out. */
function others(x: Expected, who: string[], fix: string): Finding {
  const pinned = x.claimKeys.includes('ref');
  return {
    check: 'deployment branches',
    status: pinned ? 'warn' : 'fail',
    message: `besides ${x.branch}, ${who.join(', ')} may deploy to environment "${x.environment}". ` + (pinned
      ? 'The deploy role still refuses them (the subject template includes the ref), but their jobs get the environment\'s secrets and approvals.'
      : 'With GitHub\'s default subject (environment only) this rule is all that keeps their jobs from the deploy role.'),
    fix,
  };
}

/** The environment's deployment-branch policy, as GitHub returns it (null: no restriction). */
type BranchPolicy = { protected_branches: boolean; custom_branch_policies: boolean } | null;

async function deploymentBranches(api: GitHubApi, x: Expected, policy: BranchPolicy): Promise<Finding> {
  const page = settings(x.repository, 'environments');
  if (!policy) {
    return others(x, ['every branch and tag (no restriction)'], environmentCommands(x));
  }
  if (policy.protected_branches) {
    const what = 'listing protected branches';
    const branches: string[] = [];
    for (let n = 1; ; n++) {
      const answer = await api.get(`/repos/${x.repository}/branches?protected=true&per_page=100&page=${n}`, what);
      if (answer.status !== 200) return unreadable('deployment branches', answer, what, page);
      branches.push(...(answer.body as Array<{ name: string }>).map((b) => b.name));
      if ((answer.body as unknown[]).length < 100) break;
    }
    const customInstead = `or switch the environment to the deploy branch alone: ${environmentCommands(x)}`;
    if (!branches.length) {
      return others(x, ['every branch (no branch is protected, and GitHub then lets all branches deploy)'], `protect ${x.branch} (${settings(x.repository, 'branches')}), ${customInstead}`);
    }
    if (!branches.includes(x.branch)) {
      return {
        check: 'deployment branches',
        status: 'fail',
        message: `environment "${x.environment}" allows protected branches only, and ${x.branch} is not protected: its deploy jobs are rejected (protected: ${branches.join(', ')}).`,
        fix: `protect ${x.branch} (${settings(x.repository, 'branches')}), ${customInstead}`,
      };
    }
    const rest = branches.filter((b) => b !== x.branch);
    if (rest.length) return others(x, rest.map((b) => `protected branch ${b}`), `switch the environment to the deploy branch alone: ${environmentCommands(x)}`);
    return { check: 'deployment branches', status: 'pass', message: `only protected branches may deploy to "${x.environment}", and ${x.branch} is the only protected branch.` };
  }

  const what = `listing the deployment branch policies of environment "${x.environment}"`;
  const policies: Array<{ id: number; name: string; type?: string }> = [];
  for (let n = 1; ; n++) {
    const answer = await api.get(`${environmentPath(x)}/deployment-branch-policies?per_page=100&page=${n}`, what);
    if (answer.status !== 200) return unreadable('deployment branches', answer, what, page);
    const body = answer.body as { total_count: number; branch_policies: typeof policies };
    policies.push(...body.branch_policies);
    if (!body.branch_policies.length || policies.length >= body.total_count) break;
  }
  const exact = policies.find((p) => (p.type ?? 'branch') === 'branch' && p.name === x.branch);
  const allowsBranch = policies.some((p) => (p.type ?? 'branch') === 'branch' && branchPatternMatches(p.name, x.branch));
  const rest = policies.filter((p) => p !== exact);
  const policyPath = `repos/${x.repository}/environments/${encodeURIComponent(x.environment)}/deployment-branch-policies`;
  if (!allowsBranch) {
    return {
      check: 'deployment branches',
      status: 'fail',
      message: `no deployment branch policy of environment "${x.environment}" matches ${x.branch}, so its deploy jobs are rejected` +
        `${policies.length ? ` (policies: ${policies.map((p) => `${p.type ?? 'branch'} ${p.name}`).join(', ')})` : ' (there are none)'}.`,
      fix: `gh api --method POST ${policyPath} -f name=${x.branch} -f type=branch`,
    };
  }
  if (rest.length) {
    return others(x, rest.map((p) => `${p.type ?? 'branch'} pattern "${p.name}"`),
      `${exact ? '' : `gh api --method POST ${policyPath} -f name=${x.branch} -f type=branch && `}${rest.map((p) => `gh api --method DELETE ${policyPath}/${p.id}`).join(' && ')}`);
  }
  return { check: 'deployment branches', status: 'pass', message: `only ${x.branch} may deploy to environment "${x.environment}".` };
}

function reviewers(x: Expected, rules: Array<{ type: string; reviewers?: unknown[] }>): Finding {
  const count = rules.filter((r) => r.type === 'required_reviewers').reduce((n, r) => n + (r.reviewers?.length ?? 0), 0);
  if (count > 0) return { check: 'required reviewers', status: 'pass', message: `each deploy to "${x.environment}" waits for one of ${count} required reviewer${count === 1 ? '' : 's'}.` };
  return {
    check: 'required reviewers',
    status: 'warn',
    message: `environment "${x.environment}" has no required reviewers: every push to ${x.branch} deploys without a person's approval.`,
    fix: `add reviewers in ${settings(x.repository, 'environments')} → ${x.environment} → Required reviewers (optional; GitHub offers them on private repositories only on some plans).`,
  };
}

/** The subject template GitHub applies equals the one the bootstrap trusts; the immutable form is named when GitHub uses it. */
const subjectTemplate: Check = async (api, x, repo) => {
  const what = 'reading the OIDC subject template';
  const answer = await api.get(`/repos/${x.repository}/actions/oidc/customization/sub`, what);
  const page = `${settings(x.repository, 'actions')} (OpenID Connect)`;
  if (answer.status !== 200) return [unreadable('OIDC subject', answer, what, page)];
  const template = answer.body as { use_default: boolean; include_claim_keys?: string[]; use_immutable_subject?: boolean; sub_claim_prefix?: string };
  let keys: string[] = [];
  let source = 'GitHub\'s default';
  if (!template.use_default && template.include_claim_keys?.length) {
    keys = template.include_claim_keys;
    source = 'the repository\'s template';
  } else if (!template.use_default) {
    // use_default false without keys: the organization's template applies (GitHub's default when it has none).
    const org = await api.get(`/orgs/${x.owner}/actions/oidc/customization/sub`, 'reading the organization\'s OIDC subject template');
    if (org.status === 200 && org.body?.include_claim_keys?.length) {
      keys = org.body.include_claim_keys;
      source = `organization ${x.owner}'s template`;
    } else if (org.status !== 200 && org.status !== 404) {
      return [unreadable('OIDC subject', org, `reading organization ${x.owner}'s OIDC subject template (the repository uses it)`, `https://github.com/organizations/${x.owner}/settings/actions`)];
    }
  }
  const expected = describeClaimKeys(x.claimKeys);
  const subjects = trustedSubjects({ repository: x.repository, environment: x.environment, branch: x.branch, claimKeys: x.claimKeys });
  const findings: Finding[] = [];
  if (keys.join(',') === x.claimKeys.join(',')) {
    findings.push({
      check: 'OIDC subject',
      status: 'pass',
      message: `tokens use ${source} ${describeClaimKeys(keys)}, as the bootstrap expects: the deploy role trusts ${subjects.deploy.join(', ')}; the preview role ${subjects.preview.join(', ')}.`,
    });
  } else {
    findings.push({
      check: 'OIDC subject',
      status: 'fail',
      message: `tokens use ${source} ${describeClaimKeys(keys)}, but the bootstrap template trusts subjects of ${expected}, so no token matches (the deploy role expects ${subjects.deploy[0]}).`,
      fix: `set the repository's template: ${subjectTemplateCommand(x.repository, x.claimKeys)}; or set githubSubjectClaimKeys: ${JSON.stringify(keys).replace(/"/g, '\'')} in .projenrc.ts, then npx projen and npx projen bootstrap:${x.stage.name}.`,
    });
  }
  const names = `repo:${x.repository}`;
  const prefix = template.sub_claim_prefix || (template.use_immutable_subject ? `repo:${x.owner}@${repo.owner.id}/${x.repository.split('/')[1]}@${repo.id}` : names);
  if (prefix !== names) {
    findings.push({
      check: 'immutable subject',
      status: 'warn',
      message: `tokens start with the immutable ${prefix}, which the roles trust only when the stage was bootstrapped with both numeric ids (this check cannot see the deployed stack).`,
      fix: `make sure the bootstrap has them: AWS_PROFILE=<admin> npx projen bootstrap:${x.stage.name} GitHubOwnerId=${repo.owner.id} GitHubRepositoryId=${repo.id}`,
    });
  }
  return findings;
};

/** The `uses:` references of the generated workflows on disk, or the ones batchform writes when none is there. */
function actionsUsed(projectDir: string): string[] {
  const files = [DEPLOY_WORKFLOW_FILE, PREVIEW_WORKFLOW_FILE].map((f) => path.join(projectDir, f)).filter((f) => fs.existsSync(f));
  const uses = files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)/gm)].map((m) => m[1]));
  const actions = (uses.length ? uses : Object.values(ACTIONS).map((a) => a.uses)).filter((u) => !u.startsWith('./') && !u.startsWith('docker://'));
  return [...new Set(actions)].sort();
}

/** Whether an allowed-actions pattern (`owner/repo@ref`, `owner/*`, `owner/repo@*`) allows `action`. */
function actionPatternAllows(pattern: string, action: string): boolean {
  const re = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`, 'i').test(action) || (!pattern.includes('@') && new RegExp(`^${re}@`, 'i').test(action));
}

/**
 * Actions are enabled and allow the actions the workflows use (and their pinning). No setting is
 * specific to `workflow_run`: a workflow it triggers runs when Actions run at all, its file is on
 * the default branch and the workflow is not disabled (the next check).
 */
const actionsSettings: Check = async (api, x) => {
  const what = 'reading the repository\'s Actions permissions';
  const page = `${settings(x.repository, 'actions')} → Actions permissions`;
  const answer = await api.get(`/repos/${x.repository}/actions/permissions`, what);
  if (answer.status !== 200) return [unreadable('Actions permissions', answer, what, page)];
  const permissions = answer.body as { enabled: boolean; allowed_actions?: string; sha_pinning_required?: boolean };
  if (!permissions.enabled) {
    return [{ check: 'Actions permissions', status: 'fail', message: 'GitHub Actions is disabled for this repository: no workflow runs, neither the build nor the preview nor the deploy.', fix: `enable it: gh api --method PUT repos/${x.repository}/actions/permissions -F enabled=true -f allowed_actions=all (or in ${page}).` }];
  }
  const used = actionsUsed(x.projectDir);
  const findings: Finding[] = [];
  if (permissions.allowed_actions === 'local_only') {
    findings.push({ check: 'Actions permissions', status: 'fail', message: `only actions of this repository may run, but the workflows use ${used.join(', ')}.`, fix: `allow them in ${page} (e.g. "Allow ${x.owner}, and select non-${x.owner}, actions" listing them).` });
  } else if (permissions.allowed_actions === 'selected') {
    const sel = await api.get(`/repos/${x.repository}/actions/permissions/selected-actions`, 'reading the allowed actions');
    if (sel.status !== 200) return [unreadable('Actions permissions', sel, 'reading the allowed actions', page)];
    const allowed = sel.body as { github_owned_allowed?: boolean; verified_allowed?: boolean; patterns_allowed?: string[] };
    const byGitHub = (a: string) => allowed.github_owned_allowed && /^(actions|github)\//i.test(a);
    const byPattern = (a: string) => (allowed.patterns_allowed ?? []).some((p) => actionPatternAllows(p, a));
    const refused = used.filter((a) => !byGitHub(a) && !byPattern(a));
    if (refused.length) {
      findings.push({
        check: 'Actions permissions',
        status: allowed.verified_allowed ? 'warn' : 'fail',
        message: `the repository allows selected actions only, and no rule names ${refused.join(', ')}` +
          (allowed.verified_allowed ? ' (they run only if GitHub counts their owner as a verified creator).' : ', so the workflows using them fail.'),
        fix: `add ${refused.map((a) => `${a.split('@')[0]}@*`).join(', ')} to the allowed actions in ${page}.`,
      });
    }
  }
  if (permissions.sha_pinning_required) {
    const unpinned = used.filter((a) => !/@[0-9a-f]{40}$/i.test(a));
    if (unpinned.length) {
      findings.push({
        check: 'Actions permissions',
        status: 'fail',
        message: `the repository requires actions pinned to a full commit SHA, but the workflows use ${unpinned.join(', ')}.`,
        fix: `pin each in .projenrc.ts, e.g. project.github!.actions.set('${unpinned[0].split('@')[0]}', '${unpinned[0].split('@')[0]}@<40-character commit SHA>'), then npx projen.`,
      });
    }
  }
  if (!findings.length) findings.push({ check: 'Actions permissions', status: 'pass', message: `Actions is enabled and allows the actions the workflows use (${used.join(', ')}).` });
  return findings;
};

/**
 * The stage's workflows are enabled, and the preview workflow's file is on the default branch
 * (GitHub starts a workflow_run workflow only from the default branch's copy).
 */
const workflows: Check = async (api, x, repo) => {
  const files = [
    ...(x.stage.deployRoleArn ? [DEPLOY_WORKFLOW_FILE] : []),
    ...(x.stage.previewRoleArn ? [PREVIEW_WORKFLOW_FILE] : []),
  ];
  const findings: Finding[] = [];
  for (const file of files) {
    const name = path.posix.basename(file);
    if (file === PREVIEW_WORKFLOW_FILE) {
      const what = `reading ${file} on ${repo.default_branch}`;
      const content = await api.get(`/repos/${x.repository}/contents/${file}?ref=${encodeURIComponent(repo.default_branch)}`, what);
      if (content.status === 404) {
        findings.push({ check: 'workflows', status: 'fail', message: `${file} is not on the default branch ${repo.default_branch}, so no preview runs (GitHub starts workflow_run workflows from the default branch's copy only).`, fix: `merge the regenerated ${file} (npx projen writes it) into ${repo.default_branch}.` });
        continue;
      }
      if (content.status !== 200) {
        findings.push(unreadable('workflows', content, what, `https://github.com/${x.repository}/blob/${repo.default_branch}/${file}`));
        continue;
      }
    }
    const what = `reading workflow ${name}`;
    const answer = await api.get(`/repos/${x.repository}/actions/workflows/${encodeURIComponent(name)}`, what);
    if (answer.status === 404) {
      findings.push({ check: 'workflows', status: 'fail', message: `GitHub knows no workflow ${file} in ${x.repository} yet.`, fix: `push the regenerated ${file} (npx projen writes it) to ${x.branch}.` });
    } else if (answer.status !== 200) {
      findings.push(unreadable('workflows', answer, what, `https://github.com/${x.repository}/actions`));
    } else if (answer.body?.state !== 'active') {
      findings.push({ check: 'workflows', status: 'fail', message: `workflow ${file} is ${answer.body?.state ?? 'not active'}, so it does not run.`, fix: `gh workflow enable ${name} -R ${x.repository}` });
    } else {
      findings.push({ check: 'workflows', status: 'pass', message: `${file} is active${file === PREVIEW_WORKFLOW_FILE ? ` and on the default branch ${repo.default_branch}` : ''}.` });
    }
  }
  return findings;
};

/** Every check, in the order the report lists them. */
export const CHECKS: readonly Check[] = [defaultBranch, environment, subjectTemplate, actionsSettings, workflows];

/** The report: one line per finding (and its fix), then a summary. */
export function renderFindings(x: Pick<Expected, 'repository' | 'stage' | 'environment' | 'branch' | 'claimKeys'>, findings: readonly Finding[]): string {
  const lines = [`batchform check-github: ${x.repository}, stage ${x.stage.name} (environment "${x.environment}", deploy branch ${x.branch}, subject template ${describeClaimKeys(x.claimKeys)})`];
  const width = Math.max(...findings.map((f) => f.check.length));
  for (const f of findings) {
    lines.push(`${f.status.toUpperCase().padEnd(4)}  ${f.check.padEnd(width)}  ${f.message}`);
    if (f.fix && f.status !== 'pass') lines.push(`${' '.repeat(6 + width)}  fix: ${f.fix}`);
  }
  const failed = findings.filter((f) => f.status === 'fail').length;
  const warned = findings.filter((f) => f.status === 'warn').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(failed ? `${plural(failed, 'check')} failed${warned ? `, ${plural(warned, 'warning')}` : ''}: fix ${failed === 1 ? 'it' : 'them'} and run again.`
    : `All checks passed${warned ? ` (${plural(warned, 'warning')})` : ''}.`);
  return lines.join('\n');
}

