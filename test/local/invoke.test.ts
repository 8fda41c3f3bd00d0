import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { invokeLocally, lambdaContext, scheduledEvent } from '../../src/local/local-invoke';
import type { ManifestBatch } from '../../src/manifest/manifest';

const ROOT = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'cfn-out/manifest.json'), 'utf8')) as { batches: ManifestBatch[] };
const batch = (name: string) => manifest.batches.find((b) => b.name === name)!;

describe('scheduledEvent and lambdaContext', () => {
  test('build the EventBridge Scheduled Event for a time, on the minute', () => {
    const e = scheduledEvent(new Date('2026-11-25T15:10:00.123Z'), { account: '111122223333', region: 'ap-northeast-2', ruleName: 'prod-daily-stats' });
    expect(e).toMatchObject({
      'version': '0',
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': '111122223333',
      'time': '2026-11-25T15:10:00Z',
      'region': 'ap-northeast-2',
      'detail': {},
      'resources': ['arn:aws:events:ap-northeast-2:111122223333:rule/prod-daily-stats'],
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('count the remaining time down from the batch timeout', () => {
    const ctx = lambdaContext({ name: 'x', timeout: 30, memorySize: 256 }, Date.now() - 10_000);
    expect(ctx.getRemainingTimeInMillis()).toBeLessThanOrEqual(20_000);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(19_000);
    expect(ctx.memoryLimitInMB).toBe('256');
  });
});

describe('invokeLocally', () => {
  test('runs the bundled weekly-report with its constant input', async () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
    try {
      const run = await invokeLocally(batch('weekly-report'), { projectDir: ROOT });
      expect(run.event).toEqual({ report: 'weekly' });
      expect(run.result).toMatchObject({ report: 'weekly', from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    } finally {
      spy.mockRestore();
    }
  });

  test('runs daily-stats against a throwaway PostgreSQL when no DATABASE_URL is set', async () => {
    delete process.env.DATABASE_URL;
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const run = await invokeLocally(batch('daily-stats'), { projectDir: ROOT, time: new Date('2026-11-25T15:10:00Z') });
      // daily-stats runs in Asia/Seoul: it gets the event its Scheduler schedule delivers.
      expect(run.event).toMatchObject({ 'detail-type': 'Scheduled Event', 'source': 'aws.scheduler', 'time': '2026-11-25T15:10:00Z' });
      expect(run.result).toEqual({
        day: '2026-11-25',
        timezone: 'Asia/Seoul',
        users: 3,
        stats: [
          { userId: '1', txCount: 2, totalAmount: '19.75' },
          { userId: '2', txCount: 1, totalAmount: '100.00' },
          { userId: '3', txCount: 2, totalAmount: '8.00' },
        ],
      });
      expect(process.env.DATABASE_URL).toBeUndefined();
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  }, 120_000);

  test('fails a run that outlives the batch timeout, like Lambda', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-invoke-'));
    try {
      fs.mkdirSync(path.join(dir, 'handlers'));
      fs.writeFileSync(path.join(dir, 'handlers/slow.ts'), 'export const handler = () => new Promise((r) => setTimeout(r, 3000));\n');
      const slow: ManifestBatch = { ...batch('weekly-report'), name: 'slow', handler: 'handlers/slow.ts', timeout: 1, input: undefined };
      await expect(invokeLocally(slow, { projectDir: dir })).rejects.toThrow('Task timed out after 1 seconds');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
