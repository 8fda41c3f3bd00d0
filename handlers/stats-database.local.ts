// The throwaway PostgreSQL both database batches' local fixtures start when no DATABASE_URL is set:
// the stats schema (handlers/daily-stats.sql) and whatever demo rows the fixture seeds.
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import type { LocalFixture, LocalFixtureContext } from '../src/local/local-invoke';
import { startLocalPostgres } from '../src/local/postgres';

/**
 * Without DATABASE_URL: starts a throwaway PostgreSQL, creates the schema, lets `seed` add demo rows
 * (it returns what it added, for the message) and gives the run its URL; stopped after the run.
 */
export async function throwawayStatsDatabase(ctx: LocalFixtureContext, seed: (client: Client) => Promise<string>): Promise<LocalFixture> {
  if (process.env.DATABASE_URL) return {};
  const pg = await startLocalPostgres({ cwd: ctx.projectDir });
  const client = new Client({ connectionString: pg.url });
  try {
    await client.connect();
    await client.query(fs.readFileSync(path.join(ctx.projectDir, 'handlers/daily-stats.sql'), 'utf8'));
    const seeded = await seed(client);
    console.error(`invoke: throwaway PostgreSQL on port ${pg.port} with ${seeded} (${ctx.timezone}); set DATABASE_URL to use your own database.`);
  } catch (e) {
    await pg.stop();
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { env: { DATABASE_URL: pg.url }, teardown: () => pg.stop() };
}
