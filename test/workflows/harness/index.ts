// The workflow harness as a jest test uses it: runScenario runs one event's workflows in a child process (the
// runner needs the ESM-only @actions packages, which jest's CommonJS module system cannot load) and returns the
// result; the GitHub fake, the event builders and the git helpers run in the test's own process.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { GitHubFake } from './github-fake';
import type { EventResult, RepositoryContext, Scenario } from './types';

export * from './types';
export type { Annotation } from './commands';
export { startGitHubFake, GITHUB_ACTIONS_BOT } from './github-fake';
export type { GitHubFake, GitHubFakeOptions, GitHubUser, PullRequestSpec, RepositorySpec, RecordedRequest, TokenPermissions } from './github-fake';
export { pushEvent, pullRequestEvent, workflowDispatchEvent, workflowRunEvent } from './events';
export { createRepository, commitFiles, createPullRequestRefs } from './git-repo';
export { trustFromBootstrapTemplate, oidcSubject } from './trust';
export type { OidcClaims, TrustDecision, TrustFunction } from './trust';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(__dirname, 'cli.mts');

/**
 * The repository and GitHub parts of a scenario, from the fake's repository and the local git repository holding
 * its commits; `repository` overrides (OIDC subject template, environments, default token permissions).
 */
export function scenarioFor(fake: GitHubFake, gitDir: string, repository: Partial<Omit<RepositoryContext, 'gitDir'>> = {}): Pick<Scenario, 'repository' | 'github'> {
  return {
    repository: {
      fullName: fake.repository.fullName,
      id: fake.repository.id,
      ownerId: fake.repository.ownerId,
      private: fake.repository.private,
      defaultBranch: fake.repository.defaultBranch,
      gitDir,
      ...repository,
    },
    github: { url: fake.url, adminKey: fake.adminKey, serverUrl: fake.serverUrl },
  };
}

/** How runScenario runs the child. */
export interface RunScenarioOptions {
  /** Kills the runner process after this long. @default 600 000 (10 minutes) */
  readonly timeoutMs?: number;
}

/**
 * Runs the workflows `scenario.event` triggers and resolves with what happened. Rejects when the harness itself
 * fails (a scenario mistake such as a substitution naming no step, or a bug), with the runner's stderr; a failing
 * workflow is a result, not a rejection.
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<EventResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-scenario-'));
  const input = path.join(dir, 'scenario.json');
  const output = path.join(dir, 'result.json');
  fs.writeFileSync(input, JSON.stringify(scenario));
  return new Promise<EventResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', require.resolve('tsx'), CLI, input, output], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) {
          reject(new Error(`The workflow runner exited with ${signal ?? code}:\n${stderr}`));
        } else {
          resolve(JSON.parse(fs.readFileSync(output, 'utf8')) as EventResult);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
