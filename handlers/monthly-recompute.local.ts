// Local fixture of monthly-recompute for `npx projen invoke monthly-recompute`: without a
// DATABASE_URL, the execution gets a throwaway PostgreSQL with the schema and demo transactions
// spread over the month it recomputes.
import { previousLocalMonth } from './monthly-recompute';
import { throwawayStatsDatabase } from './stats-database.local';
import type { LocalFixture, LocalFixtureContext } from '../src/local/local-invoke';

export function setup(ctx: LocalFixtureContext): Promise<LocalFixture> {
  return throwawayStatsDatabase(ctx, async (client) => {
    const { month, days } = previousLocalMonth(ctx.time, ctx.timezone);
    // Three users, a transaction at noon local time on every third day, each.
    await client.query(
      `INSERT INTO transactions (user_id, amount, created_at)
       SELECT u, 10 * u + (d % 7), ((day::date)::timestamp + interval '12 hours') AT TIME ZONE $2
       FROM unnest($1::date[]) WITH ORDINALITY AS t(day, d), generate_series(1, 3) AS u
       WHERE (d + u) % 3 = 0`,
      [days, ctx.timezone],
    );
    return `demo transactions over ${month}`;
  });
}
