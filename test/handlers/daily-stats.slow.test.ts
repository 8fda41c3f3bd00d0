import * as fs from 'fs';
import * as path from 'path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { handler, previousLocalDay } from '../../handlers/daily-stats';
import { lambdaContext, scheduledEvent } from '../../src/local/local-invoke';
import { freePort, LocalPostgres, startLocalPostgres } from '../../src/local/postgres';
import { Secret, secretsVariable } from '../../src/model/secrets';
import { resetSecretCache } from '../../src/runtime/secrets';

const ROOT = path.resolve(__dirname, '../..');
const BATCH = { name: 'daily-stats', timeout: 300, memorySize: 512 };
let pg: LocalPostgres;
let db: Client;

beforeAll(async () => {
  pg = await startLocalPostgres({ cwd: ROOT });
  db = new Client({ connectionString: pg.url });
  await db.connect();
  await db.query(fs.readFileSync(path.join(ROOT, 'handlers/daily-stats.sql'), 'utf8'));
}, 120_000);

afterAll(async () => {
  await db?.end();
  await pg?.stop();
});

// The handler's structured logs are asserted where they matter; elsewhere they would only be noise.
let quiet: jest.SpyInstance;
beforeEach(() => { quiet = jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never); });
afterEach(() => quiet.mockRestore());

beforeEach(async () => {
  await db.query('TRUNCATE transactions, daily_user_stats');
  process.env.DATABASE_URL = pg.url;
  process.env.BATCHFORM_TIMEZONE = 'Asia/Seoul';
});

async function addTransactions(rows: Array<[number, string, string]>): Promise<void> {
  for (const [user, amount, at] of rows) {
    await db.query('INSERT INTO transactions (user_id, amount, created_at) VALUES ($1, $2, $3)', [user, amount, at]);
  }
}

async function statsRows(): Promise<Array<{ day: string; user_id: string; tx_count: number; total_amount: string }>> {
  const { rows } = await db.query("SELECT to_char(day, 'YYYY-MM-DD') AS day, user_id::text, tx_count, total_amount::text FROM daily_user_stats ORDER BY day, user_id");
  return rows;
}

// The rule fires at 15:10 UTC = 00:10 the next day in Seoul; that run rolls up the Seoul day before.
const RUN_TIME = new Date('2026-11-25T15:10:00Z');
const run = () => handler(scheduledEvent(RUN_TIME), lambdaContext(BATCH));

describe('daily-stats on a real PostgreSQL', () => {
  test('the rolled-up day is the previous calendar day in the batch time zone', () => {
    expect(previousLocalDay(RUN_TIME, 'Asia/Seoul')).toBe('2026-11-25');
    expect(previousLocalDay(new Date('2026-11-25T14:59:59Z'), 'Asia/Seoul')).toBe('2026-11-24');
    expect(previousLocalDay(RUN_TIME, 'UTC')).toBe('2026-11-24');
    expect(previousLocalDay(new Date('2026-03-01T00:30:00+09:00'), 'Asia/Seoul')).toBe('2026-02-28');
    expect(previousLocalDay(new Date('2028-03-01T00:30:00+09:00'), 'Asia/Seoul')).toBe('2028-02-29');
  });

  test('counts and sums per user exactly within the Seoul day boundaries', async () => {
    await addTransactions([
      [1, '10.00', '2026-11-24T15:00:00Z'], // 2026-11-25 00:00:00 KST: first instant of the day
      [1, '2.50', '2026-11-25T14:59:59Z'], // 23:59:59 KST: last second of the day
      [2, '500.00', '2026-11-24T14:59:59Z'], // 2026-11-24 23:59:59 KST: the day before
      [2, '700.00', '2026-11-25T15:00:00Z'], // 2026-11-26 00:00 KST: the day after
      [3, '1.10', '2026-11-25T03:00:00Z'],
      [3, '2.20', '2026-11-25T04:00:00Z'],
    ]);
    const result = await run();
    expect(result).toMatchObject({ day: '2026-11-25', timezone: 'Asia/Seoul', users: 2 });
    expect(await statsRows()).toEqual([
      { day: '2026-11-25', user_id: '1', tx_count: 2, total_amount: '12.50' },
      { day: '2026-11-25', user_id: '3', tx_count: 2, total_amount: '3.30' },
    ]);
  });

  test('is idempotent: a second run, or a redelivery of the same scheduled time, leaves the same rows', async () => {
    await addTransactions([[1, '10.00', '2026-11-25T01:00:00Z'], [2, '5.00', '2026-11-25T02:00:00Z']]);
    await run();
    const first = await statsRows();
    await run();
    await handler({ ...scheduledEvent(RUN_TIME), id: 'redelivered' }, lambdaContext(BATCH));
    expect(await statsRows()).toEqual(first);
    expect(first).toHaveLength(2);
  });

  test('a rerun converges on corrected data: changed totals update, vanished users are removed', async () => {
    await addTransactions([[1, '10.00', '2026-11-25T01:00:00Z'], [2, '5.00', '2026-11-25T02:00:00Z']]);
    await run();
    await db.query('DELETE FROM transactions WHERE user_id = 2');
    await addTransactions([[1, '1.00', '2026-11-25T05:00:00Z']]);
    await run();
    expect(await statsRows()).toEqual([{ day: '2026-11-25', user_id: '1', tx_count: 2, total_amount: '11.00' }]);
  });

  test('leaves other days alone', async () => {
    await db.query("INSERT INTO daily_user_stats (day, user_id, tx_count, total_amount) VALUES ('2026-11-20', 9, 1, 1.00)");
    await addTransactions([[1, '10.00', '2026-11-25T01:00:00Z']]);
    await run();
    expect((await statsRows()).map((r) => `${r.day}/${r.user_id}`)).toEqual(['2026-11-20/9', '2026-11-25/1']);
  });

  test('an unreachable database fails the run: logged and re-thrown', async () => {
    process.env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${await freePort()}/postgres`;
    const writes: string[] = [];
    const capture = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as never;
    // Powertools writes errors to stderr and the rest to stdout.
    quiet.mockImplementation(capture);
    const spies = [jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      await expect(run()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    const failed = writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.message === 'run failed');
    expect(failed).toMatchObject({ level: 'ERROR', runTime: '2026-11-25T15:10:00.000Z' });
    expect(JSON.stringify(failed.error)).toContain('ECONNREFUSED');
  });

  test('without DATABASE_URL it connects with the RDS secret the batch declares, read once per cold start', async () => {
    delete process.env.DATABASE_URL;
    process.env.AWS_REGION = 'ap-northeast-2';
    process.env.BATCHFORM_SECRETS = secretsVariable({ DATABASE_SECRET: Secret.secretsManager('batchform/daily-stats') });
    resetSecretCache();
    const sm = mockClient(SecretsManagerClient);
    // An RDS-managed secret's shape, pointing at the test's PostgreSQL (which has no TLS).
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: pg.port, username: 'postgres', password: 'postgres', dbname: 'postgres' }) });
    const spies = [jest.spyOn(process.stderr, 'write').mockImplementation((() => true) as never)];
    try {
      // It reached the secret's host and port and insisted on TLS, as it does against RDS.
      await expect(run()).rejects.toThrow('The server does not support SSL connections');
      await expect(run()).rejects.toThrow('The server does not support SSL connections');
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(sm.commandCalls(GetSecretValueCommand)[0].args[0].input).toMatchObject({ SecretId: 'batchform/daily-stats' });
    } finally {
      spies.forEach((s) => s.mockRestore());
      sm.restore();
      delete process.env.BATCHFORM_SECRETS;
    }
  });
});
