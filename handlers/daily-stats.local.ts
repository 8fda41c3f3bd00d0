// Local fixture of daily-stats for `batchform invoke daily-stats`: without a DATABASE_URL, the run
// gets a throwaway PostgreSQL with the schema and a few demo transactions around the day it rolls up.
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import type { LocalFixture, LocalFixtureContext } from '../src/local/invoke';
import { startLocalPostgres } from '../src/local/postgres';
import { previousLocalDay } from './daily-stats';

/** Demo rows: [user id, amount, hours after the rolled-up day's local midnight]. */
const DEMO: Array<[number, string, number]> = [
  [1, '12.50', 0.5], [1, '7.25', 23.9], [2, '100.00', 9], [3, '3.10', 12], [3, '4.90', 18],
  // Outside the day: 10 minutes before its start, and exactly at the next day's start.
  [2, '999.00', -1 / 6], [4, '50.00', 24],
];

export async function setup(ctx: LocalFixtureContext): Promise<LocalFixture> {
  if (process.env.DATABASE_URL) return {};
  const pg = await startLocalPostgres({ cwd: ctx.projectDir });
  const client = new Client({ connectionString: pg.url });
  try {
    await client.connect();
    await client.query(fs.readFileSync(path.join(ctx.projectDir, 'handlers/daily-stats.sql'), 'utf8'));
    const day = previousLocalDay(ctx.time, ctx.timezone);
    for (const [user, amount, hours] of DEMO) {
      await client.query(
        `INSERT INTO transactions (user_id, amount, created_at)
         VALUES ($1, $2, (($3::date)::timestamp AT TIME ZONE $4) + make_interval(secs => $5))`,
        [user, amount, day, ctx.timezone, hours * 3600],
      );
    }
    console.error(`invoke: throwaway PostgreSQL on port ${pg.port} with ${DEMO.length} demo transactions around ${day} (${ctx.timezone}); set DATABASE_URL to use your own database.`);
  } catch (e) {
    await pg.stop();
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { env: { DATABASE_URL: pg.url }, teardown: () => pg.stop() };
}
