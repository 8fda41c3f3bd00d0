// daily-stats: rolls up the previous day's transactions (in the batch's time zone) per user into
// daily_user_stats. Idempotent: a rerun for the same scheduled time leaves the same rows.
import { Client, ClientConfig } from 'pg';
import { batch, localDate, secret } from '../src/runtime';

/** One user's totals for the day. */
export interface UserStats {
  readonly userId: string;
  readonly txCount: number;
  readonly totalAmount: string;
}

/** The calendar day before `time`'s local day in `timeZone`, as YYYY-MM-DD. */
export function previousLocalDay(time: Date, timeZone: string): string {
  return localDate(time, timeZone, -1);
}

/** The fields of an RDS-managed secret (Secrets Manager) the connection needs. */
interface RdsSecret {
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

/**
 * Where to connect: DATABASE_URL when set (a local run: .env.local, the shell or the fixture's
 * throwaway database), else the RDS secret the batch declares as DATABASE_SECRET, read once per
 * cold start.
 */
export async function connectionConfig(env: NodeJS.ProcessEnv = process.env): Promise<ClientConfig> {
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL };
  const s = JSON.parse(await secret('DATABASE_SECRET')) as RdsSecret;
  // RDS certificates verify against Lambda's bundle (NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem).
  return { host: s.host, port: s.port ?? 5432, user: s.username, password: s.password, database: s.dbname ?? 'postgres', ssl: { rejectUnauthorized: true } };
}

/**
 * Recomputes one local day's stats in one transaction: upserts every user with transactions that
 * day and removes rows of users who no longer have any, so reruns converge on the same rows.
 */
export async function rollUpDay(client: Client, day: string, timeZone: string): Promise<UserStats[]> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ user_id: string; tx_count: number; total_amount: string }>(
      `WITH bounds AS (
         SELECT ($1::date)::timestamp AT TIME ZONE $2 AS lo, ($1::date + 1)::timestamp AT TIME ZONE $2 AS hi
       ), totals AS (
         SELECT t.user_id, count(*)::int AS tx_count, sum(t.amount) AS total_amount
         FROM transactions t, bounds b
         WHERE t.created_at >= b.lo AND t.created_at < b.hi
         GROUP BY t.user_id
       )
       INSERT INTO daily_user_stats (day, user_id, tx_count, total_amount, computed_at)
       SELECT $1::date, user_id, tx_count, total_amount, now() FROM totals
       ON CONFLICT (day, user_id) DO UPDATE
         SET tx_count = EXCLUDED.tx_count, total_amount = EXCLUDED.total_amount, computed_at = EXCLUDED.computed_at
       RETURNING user_id::text, tx_count, total_amount::text`,
      [day, timeZone],
    );
    await client.query(
      'DELETE FROM daily_user_stats WHERE day = $1::date AND NOT (user_id = ANY($2::bigint[]))',
      [day, rows.map((r) => r.user_id)],
    );
    await client.query('COMMIT');
    return rows
      .map((r) => ({ userId: r.user_id, txCount: r.tx_count, totalAmount: r.total_amount }))
      .sort((a, b) => Number(a.userId) - Number(b.userId));
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export const handler = batch(async (run) => {
  const day = previousLocalDay(run.time, run.timezone);
  const client = new Client({ ...(await connectionConfig()), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const stats = await rollUpDay(client, day, run.timezone);
    run.logger.info('rolled up', { day, timezone: run.timezone, users: stats.length });
    return { day, timezone: run.timezone, users: stats.length, stats };
  } finally {
    await client.end();
  }
});
