// Names a run's change sets after the commit that made them, so a person can tell which push created one.
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';

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

/** A run id: 6 random lower-case hex digits, so two runs started in the same second name their change sets apart. */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

/** CloudFormation's rule for change set names: a letter, then letters, digits and hyphens, at most 128 characters. */
export const CHANGE_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/**
 * `batchform-<revision>-<UTC time to the second>-<run id>`, e.g.
 * `batchform-4f2a9c1-20261125T094312Z-3fa9c2`: unique per run (two deploys started in the same
 * second do not collide), starts with a letter and holds only letters, digits and hyphens within
 * 128 characters, as CloudFormation requires (other characters of the revision or run id are dropped).
 */
export function changeSetName(revision: string, at: Date, runId: string = newRunId()): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const clean = (x: string, max: number) => x.replace(/[^A-Za-z0-9]/g, '').slice(0, max);
  return ['batchform', clean(revision, 40) || 'local', stamp, clean(runId, 32) || newRunId()].join('-');
}
