// CLI command `check-github`: checks a stage's GitHub settings (environment, deployment branches, OIDC subject template, Actions) against what its bootstrap roles trust.
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { badInput, describeFailure, EXIT_CODES, EXIT_HELP, exitCodeFor } from './exit-codes';
import { DEFAULT_GITHUB_API_URL, GitHubAnswer, GitHubApi } from './github-api';
import { CHECKS, Expected, Finding, renderFindings, RepositoryInfo } from './github-checks';
import { checkSubjectClaimKeys } from '../bootstrap/trust';
import { BatchformError } from '../errors/batchform-error';
import { BOOTSTRAP_TEMPLATE_FILE, DEFAULT_MANIFEST_PATH, DEFAULT_OUTDIR, readManifest } from '../manifest/manifest';
import { BOOTSTRAP_PARAMETERS, REPOSITORY_PATTERN } from '../model/bootstrap-names';

export { branchPatternMatches, renderFindings } from './github-checks';
export type { CheckStatus, Finding } from './github-checks';

/** Exit codes of `check-github`, named as before: a view of {@link EXIT_CODES}, which has every code. */
export const CHECK_GITHUB_EXIT = {
  /** Every check passed (warnings allowed). */
  ok: EXIT_CODES.ok,
  /** At least one check failed: a setting lets more in than the bootstrap expects, or keeps the workflows out. */
  failed: EXIT_CODES['run-failed'],
  /** Bad input: no token, a token GitHub refuses, unknown stage, missing manifest or template, unknown repository. */
  badInput: EXIT_CODES['bad-input'],
  /** GitHub could not be reached, answered 5xx or rate-limited the token: nothing was decided. */
  unreachable: EXIT_CODES.unreachable,
} as const;

/** The options `check-github` takes, as commander parses them. */
export interface CheckGithubOptions {
  readonly stage?: string;
  readonly manifest: string;
  readonly template: string;
  /** `OWNER/REPO`; defaults to the bootstrap template's `GitHubRepository` default (the `githubRepository` option). */
  readonly repository?: string;
}

/** What the command reaches outside itself; tests replace these. */
export interface CheckGithubDeps {
  /**
   * Where the token (`GH_TOKEN`, else `GITHUB_TOKEN`) and `GITHUB_API_URL` come from.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /** @default stdout */
  readonly out?: (text: string) => void;
  /** @default stderr */
  readonly err?: (text: string) => void;
  /** @default process.cwd() */
  readonly projectDir?: string;
  /**
   * Milliseconds one GitHub request may take.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/**
 * Runs `check-github` and returns its exit code (see {@link CHECK_GITHUB_EXIT}). The report goes to
 * `out`; bad input and an unreachable GitHub go to `err`. The token is sent to GitHub only.
 */
export async function runCheckGithubCommand(opts: CheckGithubOptions, deps: CheckGithubDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`));
  const err = deps.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const projectDir = deps.projectDir ?? process.cwd();
  const fail = (message: string, code: number): number => {
    err(`batchform check-github: ${message}`);
    return code;
  };

  let expected: Expected;
  let token: string;
  try {
    expected = readExpected(opts, projectDir);
    token = env.GH_TOKEN || env.GITHUB_TOKEN || '';
    if (!token) {
      throw badInput('no GitHub token: set GH_TOKEN (or GITHUB_TOKEN) to a token of a repository administrator, e.g. ' +
        `GH_TOKEN=$(gh auth token) npx batchform check-github --stage ${expected.stage.name} (it reads the environment's rules, the OIDC subject template and the Actions settings; it changes nothing).`);
    }
  } catch (e) {
    if (BatchformError.is(e)) return fail(describeFailure(e), exitCodeFor(e));
    throw e;
  }

  const api = new GitHubApi({ baseUrl: env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL, token, timeoutMs: deps.timeoutMs });
  let findings: Finding[];
  let repo: RepositoryInfo;
  try {
    const answer = await api.get(`/repos/${expected.repository}`, `reading repository ${expected.repository}`);
    if (answer.status === 404) {
      throw badInput(`repository ${expected.repository} was not found, or the token cannot see it. Fix: pass --repository OWNER/REPO as GitHub spells it, with a token that can read it.`);
    }
    expectOk(answer, `reading repository ${expected.repository}`);
    repo = answer.body as RepositoryInfo;
    findings = [];
    for (const check of CHECKS) findings.push(...await check(api, expected, repo));
  } catch (e) {
    if (BatchformError.is(e)) return fail(describeFailure(e), exitCodeFor(e));
    throw e;
  }

  out(renderFindings(expected, findings));
  return findings.some((f) => f.status === 'fail') ? CHECK_GITHUB_EXIT.failed : CHECK_GITHUB_EXIT.ok;
}

/** The stage from the manifest, and the repository, branch and subject template from the bootstrap template. */
function readExpected(opts: CheckGithubOptions, projectDir: string): Expected {
  const manifestFile = path.resolve(projectDir, opts.manifest);
  let manifest;
  try {
    manifest = readManifest(manifestFile);
  } catch (e) {
    throw badInput((e as Error).message, { cause: e });
  }
  const names = manifest.stages.map((s) => s.name);
  const known = names.length ? `its stages are: ${names.join(', ')}` : 'it declares no stages';
  if (!opts.stage) throw badInput(`--stage is required; ${known}.`);
  const stage = manifest.stages.find((s) => s.name === opts.stage);
  if (!stage) throw badInput(`stage "${opts.stage}" is not in ${opts.manifest}; ${known}.`);

  const templateFile = path.resolve(projectDir, opts.template);
  if (!fs.existsSync(templateFile)) throw badInput(`bootstrap template ${opts.template} not found; run "npx projen" to generate it.`);
  let parameters: Record<string, { Default?: string }>;
  try {
    parameters = (JSON.parse(fs.readFileSync(templateFile, 'utf8')) as { Parameters?: typeof parameters }).Parameters ?? {};
  } catch (e) {
    throw badInput(`bootstrap template ${opts.template} is not valid JSON (${(e as Error).message}); run "npx projen" to generate it.`, { cause: e });
  }
  const keysParameter = parameters[BOOTSTRAP_PARAMETERS.subjectClaimKeys];
  if (!keysParameter) throw badInput(`bootstrap template ${opts.template} has no ${BOOTSTRAP_PARAMETERS.subjectClaimKeys} parameter (an older batchform wrote it); run "npx projen", then "npx projen bootstrap:${stage.name}".`);
  const repository = opts.repository ?? parameters[BOOTSTRAP_PARAMETERS.repository]?.Default;
  if (!repository) throw badInput('no repository: pass --repository OWNER/REPO, or set githubRepository in .projenrc.ts and run "npx projen".');
  if (!new RegExp(REPOSITORY_PATTERN).test(repository)) throw badInput(`--repository "${repository}" is not OWNER/REPO, e.g. acme/batches.`);
  let claimKeys: string[];
  try {
    claimKeys = checkSubjectClaimKeys(keysParameter.Default ? keysParameter.Default.split(',') : [], BOOTSTRAP_PARAMETERS.subjectClaimKeys);
  } catch (e) {
    throw badInput(`${opts.template}: ${(e as Error).message}`, { cause: e });
  }
  return {
    repository,
    owner: repository.split('/')[0],
    stage,
    environment: stage.githubEnvironment,
    branch: parameters[BOOTSTRAP_PARAMETERS.branch]?.Default || 'main',
    claimKeys,
    projectDir,
  };
}


/** Turns an answer that is neither OK nor handled by the caller into a failed-check error. */
function expectOk(answer: GitHubAnswer, what: string): void {
  if (answer.status < 200 || answer.status >= 300) {
    throw badInput(`GitHub answered HTTP ${answer.status} while ${what}${answer.body?.message ? `: ${answer.body.message}` : ''}.`);
  }
}


/** Adds `check-github` to the program. */
export function registerCheckGithubCommand(program: Command, deps: CheckGithubDeps = {}): void {
  program.command('check-github')
    .description('check the stage\'s GitHub settings against what its bootstrap roles trust: default branch, environment and its deployment branches, required reviewers, OIDC subject template, Actions permissions and workflows (reads only; token from GH_TOKEN or GITHUB_TOKEN)')
    .option('--stage <stage>', 'the stage, as named in .projenrc.ts (required)')
    .option('--repository <owner/repo>', 'the repository (default: the bootstrap template\'s GitHubRepository, from githubRepository)')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .option('--template <file>', 'the generated bootstrap template', `${DEFAULT_OUTDIR}/${BOOTSTRAP_TEMPLATE_FILE}`)
    .addHelpText('after', `\n${EXIT_HELP}\nGITHUB_API_URL selects another API (GitHub Enterprise Server: https://HOST/api/v3).`)
    .action(async (opts: CheckGithubOptions) => {
      process.exitCode = await runCheckGithubCommand(opts, deps);
    });
}
