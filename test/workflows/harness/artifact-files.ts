// Which files actions/upload-artifact uploads for a `path:` input and under which names: @actions/glob's pattern
// rules (search path = literal prefix, implicit descendants, hidden files skipped) and the artifact's root directory
// (the least common ancestor of the search paths, or a lone file's directory), rewritten here for the harness.
import * as fs from 'fs';
import * as path from 'path';

/** The slice of minimatch (what @actions/glob matches with; installed here as a dependency of other packages) used here. */
interface MinimatchLike {
  readonly set: unknown[][];
  match(path: string): boolean;
  matchOne(file: string[], pattern: unknown[], partial: boolean): boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Minimatch } = require('minimatch') as { Minimatch: new (pattern: string, options: Record<string, boolean>) => MinimatchLike };

/** The files to upload and the directory their artifact names are relative to. */
export interface ArtifactSearch {
  readonly files: string[];
  readonly rootDirectory: string;
  readonly searchPaths: string[];
}

interface Pattern {
  readonly negate: boolean;
  readonly segments: string[];
  readonly searchPath: string;
  readonly directoryOnly: boolean;
  readonly matcher: MinimatchLike;
  readonly implicit: boolean;
}

function literalOf(segment: string): string {
  let literal = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\' && i + 1 < segment.length) {
      literal += segment[++i];
    } else if (c === '*' || c === '?') {
      return '';
    } else if (c === '[' && i + 1 < segment.length) {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) {
        literal += c;
        continue;
      }
      const set = segment.slice(i + 1, close);
      if (set.length > 1) return '';
      literal += set;
      i = close;
    } else {
      literal += c;
    }
  }
  return literal;
}

function globEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/(\[)(?=[^/]+\])/g, '[[]').replace(/\?/g, '[?]').replace(/\*/g, '[*]');
}

function makePattern(raw: string, cwd: string, implicit = false, negateOverride?: boolean): Pattern {
  let pattern = raw.trim();
  let negate = false;
  while (pattern.startsWith('!')) {
    negate = !negate;
    pattern = pattern.slice(1).trim();
  }
  if (negateOverride !== undefined) negate = negateOverride;
  const literalSegments = pattern.split('/').filter((s, i) => s !== '' || i === 0).map(literalOf);
  if (literalSegments.some((s, i) => (s === '.' && i !== 0) || s === '..')) {
    throw new Error(`Invalid pattern '${pattern}'. Relative pathing '.' and '..' is not allowed.`);
  }
  if (pattern === '.' || pattern.startsWith('./')) pattern = globEscape(cwd) + pattern.slice(1);
  else if (!pattern.startsWith('/')) pattern = `${globEscape(cwd)}/${pattern}`;
  pattern = pattern.replace(/\/+/g, '/');
  const directoryOnly = pattern.length > 1 && pattern.endsWith('/');
  if (directoryOnly) pattern = pattern.slice(0, -1);
  const segments = pattern.split('/');
  segments[0] = '/';
  const literals: string[] = [];
  for (const s of segments.map((x, i) => (i === 0 ? '/' : literalOf(x)))) {
    if (s === '') break;
    literals.push(s);
  }
  const searchPath = literals.length === 1 ? '/' : `/${literals.slice(1).join('/')}`;
  const matcher = new Minimatch(pattern, { dot: true, nobrace: true, nocomment: true, noext: true, nonegate: true });
  return { negate, segments, searchPath, directoryOnly, matcher, implicit };
}

function matches(p: Pattern, item: string): boolean {
  let candidate = item;
  if (p.segments[p.segments.length - 1] === '**' && !p.implicit && !candidate.endsWith('/')) candidate += '/';
  return p.matcher.match(candidate);
}

function partialMatches(p: Pattern, item: string): boolean {
  if (item === '/') return true;
  // minimatch's partial matching: could a descendant of `item` match?
  return p.matcher.matchOne(item.split('/'), p.matcher.set[0], true);
}

/** Search paths without duplicates and without those under another one (@actions/glob getSearchPaths). */
function searchPathsOf(patterns: Pattern[]): string[] {
  const included = new Set<string>();
  const all = new Set(patterns.filter((p) => !p.negate).map((p) => p.searchPath));
  const result: string[] = [];
  for (const p of patterns.filter((x) => !x.negate)) {
    if (included.has(p.searchPath)) continue;
    let ancestor = false;
    for (let dir = path.dirname(p.searchPath), prev = p.searchPath; dir !== prev; prev = dir, dir = path.dirname(dir)) {
      if (all.has(dir)) {
        ancestor = true;
        break;
      }
    }
    if (!ancestor) {
      result.push(p.searchPath);
      included.add(p.searchPath);
    }
  }
  return result;
}

function leastCommonAncestor(paths: string[]): string {
  const split = paths.map((p) => path.normalize(p).split(path.sep));
  const common: string[] = [];
  for (let i = 0; i < Math.min(...split.map((s) => s.length)); i++) {
    if (split.some((s) => s[i] !== split[0][i])) break;
    common.push(split[0][i]);
  }
  return paths[0].startsWith('/') ? path.join('/', ...common) : path.join(...common);
}

/**
 * Finds what upload-artifact would upload for `input` (its `path:` input, one pattern a line, `#` comments) in
 * `cwd` (GITHUB_WORKSPACE).
 *
 * @param includeHiddenFiles the `include-hidden-files` input (default false: files and directories starting with `.` are skipped)
 */
export function findFilesToUpload(input: string, cwd: string, includeHiddenFiles = false): ArtifactSearch {
  const userPatterns = input.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => makePattern(l, cwd));
  const patterns: Pattern[] = [];
  for (const p of userPatterns) {
    patterns.push(p);
    if (p.directoryOnly || p.segments[p.segments.length - 1] !== '**') {
      patterns.push(makePattern(`${p.segments.join('/').replace(/^\/\//, '/')}/**`, cwd, true, p.negate));
    }
  }
  const files: string[] = [];
  const stack = searchPathsOf(patterns).filter((p) => fs.existsSync(p)).reverse();
  while (stack.length) {
    const item = stack.pop()!;
    const matched = patterns.reduce((acc, p) => {
      const m = matches(p, item) ? (p.directoryOnly ? 'dir' : 'all') : 'none';
      if (p.negate) return m === 'none' ? acc : 'none';
      return m === 'none' ? acc : acc === 'all' ? 'all' : m;
    }, 'none' as 'none' | 'dir' | 'all');
    const partial = matched !== 'none' || patterns.some((p) => !p.negate && partialMatches(p, item));
    if (!partial) continue;
    let stats: fs.Stats;
    try {
      stats = fs.statSync(item);
    } catch {
      continue; // broken symlink: omitted, as upload-artifact's glob options say
    }
    if (!includeHiddenFiles && path.basename(item).startsWith('.')) continue;
    if (stats.isDirectory()) {
      stack.push(...fs.readdirSync(item).sort().reverse().map((x) => path.join(item, x)));
    } else if (matched === 'all') {
      files.push(item);
    }
  }
  const searchPaths = searchPathsOf(userPatterns);
  let rootDirectory: string;
  if (searchPaths.length > 1) rootDirectory = leastCommonAncestor(searchPaths);
  else if (files.length === 1 && searchPaths[0] === files[0]) rootDirectory = path.dirname(files[0]);
  else rootDirectory = searchPaths[0];
  return { files, rootDirectory, searchPaths };
}

const INVALID_PATH_CHARACTERS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n'];

/** upload-artifact's name check (@actions/artifact validateArtifactName); throws its message. */
export function validateArtifactName(name: string): void {
  if (!name) throw new Error('Provided artifact name input during validation is empty');
  const bad = [...INVALID_PATH_CHARACTERS, '\\', '/'].find((c) => name.includes(c));
  if (bad) throw new Error(`The artifact name is not valid: ${name}. Contains the following character: ${JSON.stringify(bad)}`);
}

/** The artifact-relative name of each file, checked as @actions/artifact checks uploaded paths. */
export function artifactEntries(search: ArtifactSearch): Array<{ source: string; name: string }> {
  return search.files.map((file) => {
    if (!file.startsWith(search.rootDirectory.endsWith('/') ? search.rootDirectory : `${search.rootDirectory}/`)) {
      throw new Error(`The rootDirectory: ${search.rootDirectory} is not a parent directory of the file: ${file}`);
    }
    const name = path.relative(search.rootDirectory, file);
    const bad = INVALID_PATH_CHARACTERS.find((c) => name.includes(c));
    if (bad) throw new Error(`The path for one of the files in artifact is not valid: ${name}. Contains the following character: ${JSON.stringify(bad)}`);
    return { source: file, name };
  });
}
