// Local fixture of daily-stats for `batchform invoke daily-stats`: without a DATABASE_URL, the run
// gets a throwaway PostgreSQL with the schema and a few demo transactions around the day it rolls up.
import { previousLocalDay } from './daily-stats';
import { throwawayStatsDatabase } from './stats-database.local';
import type { LocalFixture, LocalFixtureContext } from '../src/local/local-invoke';

/** Demo rows: [user id, amount, hours after the rolled-up day's local midnight]. */
const DEMO: Array<[number, string, number]> = [
  [1, '12.50', 0.5], [1, '7.25', 23.9], [2, '100.00', 9], [3, '3.10', 12], [3, '4.90', 18],
  // Outside the day: 10 minutes before its start, and exactly at the next day's start.
  [2, '999.00', -1 / 6], [4, '50.00', 24],
];

export function setup(ctx: LocalFixtureContext): Promise<LocalFixture> {
  return throwawayStatsDatabase(ctx, async (client) => {
    const day = previousLocalDay(ctx.time, ctx.timezone);
    for (const [user, amount, hours] of DEMO) {
      await client.query(
        `INSERT INTO transactions (user_id, amount, created_at)
         VALUES ($1, $2, (($3::date)::timestamp AT TIME ZONE $4) + make_interval(secs => $5))`,
        [user, amount, day, ctx.timezone, hours * 3600],
      );
    }
    return `${DEMO.length} demo transactions around ${day}`;
  });
}
