import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commentMarker, MAX_COMMENT_LENGTH, STICKY_COMMENT_SCRIPT } from '../../src/workflows/sticky-comment';

interface Comment { id: number; issue: number; body: string; user: { type: string; login: string }; html_url: string }

/** An in-memory pull request thread behind the slice of Octokit the script uses. */
function fakeGitHub(comments: Comment[]) {
  const calls: string[] = [];
  let next = 1000;
  const api = {
    paginate: async (fn: (p: any) => Promise<{ data: Comment[] }>, params: any) => (await fn(params)).data,
    rest: {
      issues: {
        listComments: async (p: { issue_number: number }) => {
          calls.push('list');
          return { data: comments.filter((c) => c.issue === p.issue_number) };
        },
        updateComment: async (p: { comment_id: number; body: string }) => {
          calls.push(`update ${p.comment_id}`);
          const c = comments.find((x) => x.id === p.comment_id)!;
          c.body = p.body;
          return { data: c };
        },
        createComment: async (p: { issue_number: number; body: string }) => {
          const c: Comment = { id: next++, issue: p.issue_number, body: p.body, user: { type: 'Bot', login: 'github-actions[bot]' }, html_url: 'https://example.invalid/c' };
          calls.push(`create ${c.id}`);
          comments.push(c);
          return { data: c };
        },
      },
    },
  };
  return { api, calls };
}

const context = {
  repo: { owner: 'acme', repo: 'batches' },
  serverUrl: 'https://github.com',
  runId: 42,
};
const core = { info: () => undefined };

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-comment-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the script as actions/github-script does: an async function body with these names in scope. */
async function run(gh: ReturnType<typeof fakeGitHub>['api'], stage: string, report: string | undefined, outcome = 'success', build: { conclusion?: string; problems?: unknown } = {}): Promise<void> {
  const file = path.join(dir, `batchform-preview-${stage}.md`);
  if (report === undefined) fs.rmSync(file, { force: true });
  else fs.writeFileSync(file, report);
  const problems = path.join(dir, 'batchform-problems.json');
  fs.rmSync(problems, { force: true });
  if (build.problems !== undefined) fs.writeFileSync(problems, typeof build.problems === 'string' ? build.problems : JSON.stringify(build.problems));
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
  const fn = new AsyncFunction('require', 'github', 'context', 'core', 'process', STICKY_COMMENT_SCRIPT);
  await fn(require, gh, context, core, {
    env: {
      REPORT: file,
      STAGE: stage,
      MARKER: commentMarker(stage),
      OUTCOME: outcome,
      BUILD: build.conclusion ?? 'success',
      BUILD_URL: 'https://github.com/acme/batches/actions/runs/41',
      PROBLEMS: problems,
      NUMBER: '7',
      SHA: 'abcdef0123456789',
    },
  });
}

describe('the sticky preview comment', () => {
  test('is created once, then updated in place on every push', async () => {
    const comments: Comment[] = [];
    const { api, calls } = fakeGitHub(comments);
    await run(api, 'prod', '### prod\n\n1 stack changes');
    await run(api, 'prod', '### prod\n\n2 stacks change');
    await run(api, 'prod', '### prod\n\nno changes');
    expect(calls.filter((c) => c !== 'list')).toEqual(['create 1000', 'update 1000', 'update 1000']);
    expect(comments).toHaveLength(1);
    expect(comments[0].body.startsWith('<!-- batchform-preview:prod -->\n### prod')).toBe(true);
    expect(comments[0].body).toContain('no changes');
    expect(comments[0].body).not.toContain('2 stacks change');
    expect(comments[0].body).toContain('abcdef0');
    expect(comments[0].body).toContain('https://github.com/acme/batches/actions/runs/42');
  });

  test('each stage keeps its own comment', async () => {
    const comments: Comment[] = [];
    const { api } = fakeGitHub(comments);
    await run(api, 'prod', 'prod report');
    await run(api, 'staging', 'staging report');
    await run(api, 'prod', 'prod report 2');
    expect(comments.map((c) => c.body.split('\n')[0])).toEqual(['<!-- batchform-preview:prod -->', '<!-- batchform-preview:staging -->']);
    expect(comments[0].body).toContain('prod report 2');
  });

  test('is found by the github-actions[bot] identity only: another bot quoting the marker is left alone', async () => {
    const other: Comment = { id: 3, issue: 7, body: `${commentMarker('prod')}\nsomeone else`, user: { type: 'Bot', login: 'renovate[bot]' }, html_url: '' };
    const comments = [other];
    const { api, calls } = fakeGitHub(comments);
    await run(api, 'prod', 'report');
    expect(calls).toEqual(['list', 'create 1000']);
    expect(other.body).toContain('someone else');
  });

  test('replaces a stale preview by "the build of <sha> failed: N problems" with the problems as plain text', async () => {
    const comments: Comment[] = [];
    const { api, calls } = fakeGitHub(comments);
    await run(api, 'prod', '### prod\n\n1 stack changes');
    const problems = [
      { text: 'batch "daily-stats", field "timeout": 901 is over 900 seconds. Fix: use at most 900.' },
      { text: 'batch "x", field "memorySize": `![img](https://evil.example)` Fix: none.' },
    ];
    await run(api, 'prod', '### prod\n\n1 stack changes', 'skipped', { conclusion: 'failure', problems });
    expect(calls.filter((c) => c !== 'list')).toEqual(['create 1000', 'update 1000']);
    const body = comments[0].body;
    expect(body).toContain('**The build of abcdef0 failed: 2 problems in the batch declarations**');
    expect(body).not.toContain('1 stack changes');
    expect(body).toContain('  batch "daily-stats", field "timeout": 901 is over 900 seconds. Fix: use at most 900.');
    // Inside a text block, without the backticks that could end it.
    expect(body).toContain('```text\n');
    expect(body).toContain('  batch "x", field "memorySize": ![img](https://evil.example) Fix: none.\n```');
    expect(body).toContain('(https://github.com/acme/batches/actions/runs/41)');
  });

  test('a build that failed without a problems file (a test failed), or with a malformed one, still says the build failed', async () => {
    const comments: Comment[] = [];
    const { api } = fakeGitHub(comments);
    await run(api, 'prod', undefined, 'skipped', { conclusion: 'failure' });
    expect(comments[0].body).toContain('**The build of abcdef0 failed**, so nothing was previewed');
    await run(api, 'prod', undefined, 'skipped', { conclusion: 'failure', problems: '{not json' });
    expect(comments[0].body).toContain('**The build of abcdef0 failed**, so nothing was previewed');
  });

  test('never edits a person\'s comment that quotes the marker, nor a comment on another pull request', async () => {
    const human: Comment = { id: 1, issue: 7, body: `${commentMarker('prod')}\nquoted`, user: { type: 'User', login: 'alice' }, html_url: '' };
    const elsewhere: Comment = { id: 2, issue: 8, body: `${commentMarker('prod')}\nold`, user: { type: 'Bot', login: 'github-actions[bot]' }, html_url: '' };
    const comments = [human, elsewhere];
    const { api, calls } = fakeGitHub(comments);
    await run(api, 'prod', 'report');
    expect(calls).toEqual(['list', 'create 1000']);
    expect(human.body).toContain('quoted');
    expect(elsewhere.body).toContain('old');
  });

  test('says the preview ended without a report, and how, when there is none', async () => {
    const comments: Comment[] = [];
    const { api } = fakeGitHub(comments);
    await run(api, 'prod', undefined, 'failure');
    expect(comments[0].body).toMatch(/The preview of abcdef0 ended \(failure\) before writing a report/);
  });

  test('cuts a report that would exceed GitHub\'s comment limit', async () => {
    const comments: Comment[] = [];
    const { api } = fakeGitHub(comments);
    await run(api, 'prod', 'x'.repeat(MAX_COMMENT_LENGTH * 2));
    expect(comments[0].body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(comments[0].body).toContain('(cut: the full report is in the [job summary]');
  });
});
