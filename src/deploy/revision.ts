// Names a run's change sets after the commit that made them, so a person can tell which push created one.
import { execFileSync } from 'child_process';

/**
 * The short commit id: `BATCHFORM_REVISION` when set (the preview workflow runs on the default
 * branch for a pull request's build, whose head it names), else `GITHUB_SHA` in GitHub Actions,
 * else `git rev-parse --short HEAD`, else `local`. Only letters and digits are kept (change set
 * names allow little else).
 *
 * @example
 * shortRevision({ GITHUB_SHA: '4f2a9c1d0e...' }) // "4f2a9c1"
 */
export function shortRevision(env: NodeJS.ProcessEnv = process.env, git: () => string = gitHead): string {
  let sha = env.BATCHFORM_REVISION || env.GITHUB_SHA || '';
  if (!sha) {
    try {
      sha = git();
    } catch {
      sha = '';
    }
  }
  const clean = sha.replace(/[^A-Za-z0-9]/g, '').slice(0, 7);
  return clean || 'local';
}

function gitHead(): string {
  return execFileSync('git', ['rev-parse', '--short=7', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/**
 * `batchform-<revision>-<UTC time to the second>`, e.g. `batchform-4f2a9c1-20261125T094312Z`:
 * starts with a letter and holds only letters, digits and hyphens, as CloudFormation requires.
 */
export function changeSetName(revision: string, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `batchform-${revision}-${stamp}`;
}
