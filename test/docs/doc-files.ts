// The repository's documentation files, for the doc checks.
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');

/** The Markdown files under `dir` (repository-relative, `/`-separated), sorted. */
export function markdownUnder(dir: string): string[] {
  if (!fs.existsSync(path.join(ROOT, dir))) return [];
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? markdownUnder(path.posix.join(dir, e.name)) : e.name.endsWith('.md') ? [path.posix.join(dir, e.name)] : []))
    .sort();
}

/** README.md, CONTRIBUTING.md, ARCHITECTURE.md (those that exist) and every page under docs/. */
export function documentationFiles(): string[] {
  return [...['README.md', 'CONTRIBUTING.md', 'ARCHITECTURE.md'].filter((f) => fs.existsSync(path.join(ROOT, f))), ...markdownUnder('docs')];
}
