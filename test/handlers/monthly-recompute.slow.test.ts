// The durable example batch on a real PostgreSQL (started by the test), run as whole durable
// executions by the durable execution SDK's local runner: a crash mid-way through a chunk resumes
// at that chunk without redoing the chunks before it, and the month's rows come out the same as an
// uninterrupted run's, and the same again when the whole month is run twice.
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { chunked, handler, previousLocalMonth } from '../../handlers/monthly-recompute';
import { runDurableExecution } from '../../src/local/local-durable-run';
import { LocalPostgres, startLocalPostgres } from '../../src/local/postgres';
import { schedulerEvent } from '../../src/template/scheduler-event';

const ROOT = path.resolve(__dirname, '../..');
const BATCH = { name: 'monthly-recompute' };
// 01:00 on 1 December in Seoul: the run recomputes November 2026.
const RUN_TIME = new Date('2026-11-30T16:00:00Z');
const EVENT = schedulerEvent(RUN_TIME, { id: 'monthly-recompute-20261130T160000Z', account: '111122223333', region: 'ap-northeast-2', scheduleName: 'prod-monthly-recompute' }) as unknown as Record<string, unknown>;
let pg: LocalPostgres;
let db: Client;

beforeAll(async () => {
  pg = await startLocalPostgres({ cwd: ROOT });
  db = new Client({ connectionString: pg.url });
  await db.connect();
  await db.query(fs.readFileSync(path.join(ROOT, 'handlers/daily-stats.sql'), 'utf8'));
  // A crash while writing 17 November, once: the sequence is not rolled back with the transaction
  // that fails, so the retry of that chunk goes through.
  await db.query(`
    CREATE SEQUENCE crash_once;
    CREATE FUNCTION crash_on_nov_17() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.day = DATE '2026-11-17' AND current_setting('test.crash', true) IS DISTINCT FROM 'off' AND nextval('crash_once') = 1 THEN
        RAISE EXCEPTION 'connection lost while writing %', NEW.day;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER crash_on_nov_17 BEFORE INSERT ON daily_user_stats FOR EACH ROW EXECUTE FUNCTION crash_on_nov_17();`);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await pg?.stop();
});

let quiet: jest.SpyInstance;
beforeEach(async () => {
  quiet = jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
  await db.query('TRUNCATE transactions, daily_user_stats');
  await db.query('ALTER SEQUENCE crash_once RESTART');
  process.env.DATABASE_URL = pg.url;
  process.env.BATCHFORM_TIMEZONE = 'Asia/Seoul';
  // Every day of November (Seoul) gets transactions of two or three users, and the days around it one each.
  await db.query(`
    INSERT INTO transactions (user_id, amount, created_at)
    SELECT u, u * 10 + d, (DATE '2026-11-01' + d - 1)::timestamp AT TIME ZONE 'Asia/Seoul' + interval '13 hours'
    FROM generate_series(0, 31) AS d, generate_series(1, 3) AS u
    WHERE (d + u) % 4 <> 0`);
  // A stale row for a user with no transactions that day (removed), and one outside the month (kept).
  await db.query("INSERT INTO daily_user_stats (day, user_id, tx_count, total_amount) VALUES ('2026-11-10', 99, 5, 5.00), ('2026-10-15', 99, 1, 1.00)");
});
afterEach(() => quiet.mockRestore());

async function statsRows(): Promise<string[]> {
  const { rows } = await db.query("SELECT to_char(day, 'YYYY-MM-DD') || ' ' || user_id || ' ' || tx_count || ' ' || total_amount AS r FROM daily_user_stats ORDER BY day, user_id");
  return rows.map((r) => r.r as string);
}

/** The rows an uninterrupted recompute gives, computed straight from the transactions in SQL. */
async function expectedRows(): Promise<string[]> {
  const { rows } = await db.query(`
    SELECT to_char(d, 'YYYY-MM-DD') || ' ' || user_id || ' ' || count(*) || ' ' || sum(amount) AS r
    FROM (SELECT (created_at AT TIME ZONE 'Asia/Seoul')::date AS d, user_id, amount FROM transactions) t
    WHERE d >= DATE '2026-11-01' AND d < DATE '2026-12-01'
    GROUP BY d, user_id ORDER BY d, user_id`);
  return ['2026-10-15 99 1 1.00', ...rows.map((r) => r.r as string)];
}

describe('monthly-recompute (durable) on a real PostgreSQL', () => {
  test('the month is the previous local month, in chunks of a week', () => {
    const { month, days } = previousLocalMonth(RUN_TIME, 'Asia/Seoul');
    expect(month).toBe('2026-11');
    expect([days[0], days[days.length - 1], days.length]).toEqual(['2026-11-01', '2026-11-30', 30]);
    expect(previousLocalMonth(RUN_TIME, 'UTC').month).toBe('2026-10');
    expect(previousLocalMonth(new Date('2028-03-01T00:30:00+09:00'), 'Asia/Seoul').days).toHaveLength(29);
    expect(chunked(days, 7).map((c) => c.length)).toEqual([7, 7, 7, 7, 2]);
  });

  test('a crash mid-way through a chunk resumes at that chunk; the chunks before it are not redone', async () => {
    const run = await runDurableExecution(BATCH, handler, EVENT);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ month: '2026-11', days: 30, chunks: 5 });
    // 15 and 16 November were written before the crash on the 17th; chunk-3 ran again from its start.
    const ran = run.steps.filter((s) => s.event === 'ran').map((s) => `${s.step}#${s.attempt}`);
    expect(ran).toEqual(['chunk-1#1', 'chunk-2#1', 'chunk-3#1', 'chunk-3#2', 'chunk-4#1', 'chunk-5#1']);
    expect(run.operations.find((o) => o.name === 'chunk-3')).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    expect(JSON.parse(run.operations.find((o) => o.name === 'chunk-1')!.checkpoint!)).toEqual({ from: '2026-11-01', to: '2026-11-07', userDays: expect.any(Number) });
    expect(await statsRows()).toEqual(await expectedRows());
  });

  test('a crash that ends the invocation: the next invocation replays the checkpointed chunks and resumes', async () => {
    await db.query("ALTER DATABASE postgres SET test.crash = 'off'");
    try {
      const run = await runDurableExecution(BATCH, handler, EVENT, { failAt: 'chunk-4' });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.invocations).toBe(2);
      const second = run.steps.filter((s) => s.invocation === 2).map((s) => `${s.step} ${s.event}`);
      expect(second).toEqual(['chunk-1 replayed', 'chunk-2 replayed', 'chunk-3 replayed', 'chunk-4 ran', 'chunk-5 ran']);
      expect(await statsRows()).toEqual(await expectedRows());
    } finally {
      await db.query('ALTER DATABASE postgres RESET test.crash');
    }
  });

  test('idempotent end to end: the month run again (a new execution) leaves the same rows', async () => {
    await runDurableExecution(BATCH, handler, EVENT);
    const first = await statsRows();
    const again = await runDurableExecution(BATCH, handler, { ...EVENT, id: 'rerun' });
    expect(again.status).toBe('SUCCEEDED');
    expect(await statsRows()).toEqual(first);
    expect(first).toEqual(await expectedRows());
    expect(first).not.toContain('2026-11-10 99 5 5.00');
  });
});
