// Local fixture of monthly-recompute for `npx projen invoke monthly-recompute`: without a
// DATABASE_URL, the execution gets a throwaway PostgreSQL with the schema and demo transactions
// spread over the month it recomputes.
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import type { LocalFixture, LocalFixtureContext } from '../src/local/invoke';
import { startLocalPostgres } from '../src/local/postgres';
import { previousLocalMonth } from './monthly-recompute';

export async function setup(ctx: LocalFixtureContext): Promise<LocalFixture> {
  if (process.env.DATABASE_URL) return {};
  const pg = await startLocalPostgres({ cwd: ctx.projectDir });
  const client = new Client({ connectionString: pg.url });
  const { month, days } = previousLocalMonth(ctx.time, ctx.timezone);
  try {
    await client.connect();
    await client.query(fs.readFileSync(path.join(ctx.projectDir, 'handlers/daily-stats.sql'), 'utf8'));
    // Three users, a transaction at noon local time on every third day, each.
    await client.query(
      `INSERT INTO transactions (user_id, amount, created_at)
       SELECT u, 10 * u + (d % 7), ((day::date)::timestamp + interval '12 hours') AT TIME ZONE $2
       FROM unnest($1::date[]) WITH ORDINALITY AS t(day, d), generate_series(1, 3) AS u
       WHERE (d + u) % 3 = 0`,
      [days, ctx.timezone],
    );
    console.error(`invoke: throwaway PostgreSQL on port ${pg.port} with demo transactions over ${month} (${ctx.timezone}); set DATABASE_URL to use your own database.`);
  } catch (e) {
    await pg.stop();
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { env: { DATABASE_URL: pg.url }, teardown: () => pg.stop() };
}
