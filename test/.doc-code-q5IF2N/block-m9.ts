// handlers/daily-stats.ts
import { Client, ClientConfig } from 'pg';
import { batch, secret } from 'batchform/runtime';

interface RdsSecret { host: string; port?: number; username: string; password: string; dbname?: string }

/** DATABASE_URL when set (local runs), else the RDS secret, read once per cold start. */
export async function connectionConfig(env = process.env): Promise<ClientConfig> {
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL };
  const s = JSON.parse(await secret('DATABASE_SECRET')) as RdsSecret;
  return { host: s.host, port: s.port ?? 5432, user: s.username, password: s.password, database: s.dbname ?? 'postgres', ssl: { rejectUnauthorized: true } };
}

export const handler = batch(async (run) => {
  const client = new Client({ ...(await connectionConfig()), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    // ... the job, for the day before run.time
    run.logger.info('connected', { day: run.time.toISOString().slice(0, 10) });
  } finally {
    await client.end();
  }
});
export {};

