// A local cache of generated templates: an unchanged declaration skips aws-cdk-lib synthesis.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { sha256Hex } from '../hash';
import type { CfnTemplate } from './synth';

/** Environment variable that turns the cache off when set to `off` (benchmarks, debugging). */
export const TEMPLATE_CACHE_ENV = 'BATCHFORM_TEMPLATE_CACHE';

/** Where the cache lives, relative to the project root (a tool cache, never committed). */
export const TEMPLATE_CACHE_FILE = 'node_modules/.cache/batchform/templates.json';

/** One template to produce: its output file, and everything that determines its content. */
export interface CachedTemplateRequest {
  readonly name: string;
  /** Output file relative to the project root. */
  readonly file: string;
  /** The inputs the template is a pure function of (with the generator's code, see below). */
  readonly inputs: unknown;
}

interface CacheEntry {
  readonly inputs: string;
  readonly output: string;
}

let codeHash: string | undefined;

/**
 * A hash of batchform's own code (every file of the package) and of aws-cdk-lib's version, so any
 * change to the generator, in development or by an upgrade, invalidates every cached template.
 */
export function generatorCodeHash(): string {
  if (codeHash === undefined) {
    const hash = createHash('sha256');
    const root = path.resolve(__dirname, '..');
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|js)$/.test(entry.name)) hash.update(entry.name).update(fs.readFileSync(file));
      }
    };
    walk(root);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    hash.update(String((require('aws-cdk-lib/package.json') as { version: string }).version));
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Returns every requested template, building only those whose inputs, generator code or output
 * file changed since the last run. A template is reused only when the cache says the same inputs
 * produced exactly the file that is on disk now, so a hand-edited or deleted file is rebuilt.
 */
export function cachedTemplates(
  projectDir: string,
  requests: readonly CachedTemplateRequest[],
  build: (names: readonly string[]) => Record<string, CfnTemplate>,
): Record<string, CfnTemplate> {
  const cacheFile = path.join(projectDir, TEMPLATE_CACHE_FILE);
  if (process.env[TEMPLATE_CACHE_ENV] === 'off') return build(requests.map((r) => r.name));
  const cache = readJson<Record<string, CacheEntry>>(cacheFile) ?? {};
  const code = generatorCodeHash();
  const out: Record<string, CfnTemplate> = {};
  const stale: string[] = [];
  const inputsOf = new Map(requests.map((r) => [r.name, sha256Hex(JSON.stringify({ code, inputs: r.inputs }))]));
  for (const r of requests) {
    const entry = cache[r.name];
    const onDisk = entry && entry.inputs === inputsOf.get(r.name) ? readJson<CfnTemplate>(path.join(projectDir, r.file)) : undefined;
    if (onDisk && sha256Hex(JSON.stringify(onDisk)) === entry.output) out[r.name] = onDisk;
    else stale.push(r.name);
  }
  if (stale.length > 0) Object.assign(out, build(stale));
  const next: Record<string, CacheEntry> = {};
  for (const r of requests) {
    const output = stale.includes(r.name) ? sha256Hex(JSON.stringify(out[r.name])) : cache[r.name].output;
    next[r.name] = { inputs: inputsOf.get(r.name)!, output };
  }
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify(next));
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
  return Object.fromEntries(requests.map((r) => [r.name, out[r.name]]));
}
