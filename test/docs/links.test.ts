// Every link of the documentation resolves: a relative link to a file of the repository (and its
// #anchor to a heading of that file, as GitHub slugs headings), and the README's links also on the
// npm page, which shows the README alone: there every link is absolute (this repository on
// GitHub, mapped back to its file here) or an anchor of the README itself.
import * as fs from 'fs';
import * as path from 'path';
import { documentationFiles, ROOT } from './doc-files';

const REPOSITORY = 'https://github.com/batchform/batchform';

/** GitHub's heading anchors: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fence = !fence;
    const heading = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** The links of a Markdown file outside code: [text](target) and [text]: target. */
export function links(markdown: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  let fence = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fence = !fence;
    if (fence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) found.push({ target: m[1], line: i + 1 });
    const ref = /^\s*\[[^\]]+\]:\s+(\S+)/.exec(prose);
    if (ref) found.push({ target: ref[1], line: i + 1 });
  });
  return found;
}

/** What is wrong with one link of `file`, or undefined when it resolves. */
function problem(file: string, target: string): string | undefined {
  let local: string;
  if (target.startsWith(`${REPOSITORY}/blob/main/`) || target.startsWith(`${REPOSITORY}/tree/main/`)) {
    local = target.slice(`${REPOSITORY}/blob/main/`.length);
  } else if (/^[a-z]+:/i.test(target)) {
    return undefined; // another site: not checked offline
  } else if (file === 'README.md' && !target.startsWith('#')) {
    return `the README is also the npm page, where a relative link does not resolve: link ${REPOSITORY}/blob/main/${target}`;
  } else {
    local = target.startsWith('#') ? `${file}${target}` : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
  }
  const [filePart, anchor] = local.split('#');
  const full = path.join(ROOT, filePart);
  if (!fs.existsSync(full)) return `${filePart} does not exist`;
  if (anchor === undefined) return undefined;
  if (!filePart.endsWith('.md')) return undefined;
  return anchors(fs.readFileSync(full, 'utf8')).has(anchor) ? undefined : `${filePart} has no heading #${anchor}`;
}

test('every link in README.md, CONTRIBUTING.md, ARCHITECTURE.md and docs/ resolves', () => {
  const problems: string[] = [];
  for (const file of documentationFiles()) {
    for (const { target, line } of links(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      const p = problem(file, target);
      if (p) problems.push(`${file}:${line}: ${target}: ${p}`);
    }
  }
  expect(problems).toEqual([]);
});

test('the checker catches a missing file, a missing anchor and a relative link in the README', () => {
  expect(problem('docs/guides/x.md', '../getting-started.md#no-such-heading')).toMatch(/has no heading #no-such-heading/);
  expect(problem('docs/guides/x.md', 'nowhere.md')).toBe('docs/guides/nowhere.md does not exist');
  expect(problem('README.md', 'docs/getting-started.md')).toMatch(/npm page/);
  expect(problem('README.md', `${REPOSITORY}/blob/main/docs/no-such-page.md`)).toBe('docs/no-such-page.md does not exist');
  expect([...anchors('# A `b.ts` title\n## Repeat\n## Repeat\n```\n# not a heading\n```\n')]).toEqual(['a-bts-title', 'repeat', 'repeat-1']);
});
