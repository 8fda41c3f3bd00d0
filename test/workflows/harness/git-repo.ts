// Builds the local git repository a scenario's workflows run against: commits of given files on branches, and the
// refs GitHub keeps for a pull request (refs/pull/N/head and the test merge commit at refs/pull/N/merge).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const IDENTITY = { GIT_AUTHOR_NAME: 'Scenario', GIT_AUTHOR_EMAIL: 'scenario@example.invalid', GIT_COMMITTER_NAME: 'Scenario', GIT_COMMITTER_EMAIL: 'scenario@example.invalid' };

function git(dir: string, args: string[], input?: string): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', input, env: { ...process.env, ...IDENTITY }, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** Creates an empty repository whose default branch is `branch` (default `main`) in `dir` (default: a new temp dir, the caller deletes it); returns its directory. */
export function createRepository(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-repo-')), branch = 'main'): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', branch]);
  return dir;
}

/**
 * Commits `files` (path → content; null deletes) on `branch`, on top of `parent` (default: the branch's tip, or
 * nothing for a new branch); returns the commit's SHA. Files not named stay as they were in the parent.
 */
export function commitFiles(
  dir: string, branch: string, files: Record<string, string | null>, o: { message?: string; parent?: string } = {},
): string {
  const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-index-')), 'index');
  const env = { ...process.env, ...IDENTITY, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', input, env, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  let parent = o.parent;
  if (!parent) {
    try {
      parent = run(['rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
    } catch {
      parent = undefined;
    }
  }
  if (parent) run(['read-tree', parent]);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) {
      run(['update-index', '--force-remove', file]);
    } else {
      const blob = run(['hash-object', '-w', '--stdin'], content);
      run(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
    }
  }
  const tree = run(['write-tree']);
  const sha = run(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', o.message ?? 'scenario commit']);
  run(['update-ref', `refs/heads/${branch}`, sha]);
  fs.rmSync(path.dirname(index), { recursive: true, force: true });
  return sha;
}

/**
 * Makes the refs GitHub keeps for pull request `number`: refs/pull/N/head at `headSha` and refs/pull/N/merge at a
 * test merge commit of the head into `baseSha`; returns the merge commit's SHA (GITHUB_SHA of pull_request runs).
 */
export function createPullRequestRefs(dir: string, number: number, baseSha: string, headSha: string): string {
  const tree = git(dir, ['merge-tree', '--write-tree', baseSha, headSha]).split('\n')[0];
  const merge = git(dir, ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', `Merge ${headSha} into ${baseSha}`]);
  git(dir, ['update-ref', `refs/pull/${number}/head`, headSha]);
  git(dir, ['update-ref', `refs/pull/${number}/merge`, merge]);
  return merge;
}
