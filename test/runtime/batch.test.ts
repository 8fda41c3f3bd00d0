import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { batch } from '../../src/runtime';
import { schedulerEvent } from '../../src/template/scheduler-event';

function context(remainingMs: number): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'prod-job',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:111122223333:function:prod-job',
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/prod-job',
    logStreamName: 's',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const event: ScheduledEvent = {
  'version': '0',
  'id': 'e1',
  'detail-type': 'Scheduled Event',
  'source': 'aws.events',
  'account': '111122223333',
  'time': '2026-11-25T15:10:00Z',
  'region': 'ap-northeast-2',
  'resources': [],
  'detail': {},
};

function spyLogger() {
  const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  const lines: Array<{ level: string; message: string; extra: unknown[] }> = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    jest.spyOn(logger, level).mockImplementation(((message: string, ...extra: unknown[]) => {
      lines.push({ level, message, extra });
    }) as never);
  }
  return { logger, lines };
}

describe('batch runtime helper', () => {
  beforeEach(() => {
    process.env.BATCHFORM_BATCH = 'job';
    process.env.BATCHFORM_TIMEZONE = 'Asia/Seoul';
  });

  test("gives the run the Scheduled Event's time, so redeliveries compute the same window", async () => {
    const { logger } = spyLogger();
    const seen: Date[] = [];
    const handler = batch(async (run) => {
      seen.push(run.time);
      expect(run.scheduled).toBe(true);
      expect(run.batch).toBe('job');
      expect(run.timezone).toBe('Asia/Seoul');
      expect(run.input).toBeUndefined();
      return 'ok';
    }, { logger });
    await expect(handler(event, context(60_000))).resolves.toBe('ok');
    await handler({ ...event, id: 'e2-redelivered' }, context(60_000));
    expect(seen.map((d) => d.toISOString())).toEqual(['2026-11-25T15:10:00.000Z', '2026-11-25T15:10:00.000Z']);
  });

  test('reads the scheduled time from the event the Scheduler delivers for a batch with a time zone', async () => {
    const { logger } = spyLogger();
    // The template's SCHEDULER_EVENT as the Scheduler fills it in.
    const filled = schedulerEvent(new Date('2026-11-25T15:10:00Z'), { id: 'e3', account: '111122223333', region: 'ap-northeast-2', scheduleName: 'prod-job' });
    expect(filled).toMatchObject({ source: 'aws.scheduler', account: '111122223333', resources: ['arn:aws:scheduler:ap-northeast-2:111122223333:schedule/prod-job/prod-job'] });
    const handler = batch(async (run) => ({ scheduled: run.scheduled, time: run.time.toISOString() }), { logger });
    await expect(handler(filled, context(60_000))).resolves.toEqual({ scheduled: true, time: '2026-11-25T15:10:00.000Z' });
  });

  test('passes a constant input through and uses the clock for its time', async () => {
    const { logger } = spyLogger();
    const before = Date.now();
    const handler = batch<{ report: string }>(async (run) => ({ input: run.input, scheduled: run.scheduled, t: run.time.getTime() }), { logger });
    const r = (await handler({ report: 'weekly' }, context(60_000))) as { input: unknown; scheduled: boolean; t: number };
    expect(r.input).toEqual({ report: 'weekly' });
    expect(r.scheduled).toBe(false);
    expect(r.t).toBeGreaterThanOrEqual(before);
  });

  test('logs and re-throws errors so Lambda counts the run as failed', async () => {
    const { logger, lines } = spyLogger();
    const handler = batch(async () => {
      throw new Error('db down');
    }, { logger });
    await expect(handler(event, context(60_000))).rejects.toThrow('db down');
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ message: 'run failed' });
  });

  test('warns once when the remaining time gets short', async () => {
    const { logger, lines } = spyLogger();
    const handler = batch(async () => new Promise((r) => setTimeout(r, 120)), { logger, warnRemainingMs: 100 });
    await handler(event, context(150));
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['run is close to its timeout']);
    const quick = spyLogger();
    await batch(async () => 'fast', { logger: quick.logger, warnRemainingMs: 100 })(event, context(60_000));
    expect(quick.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  test('puts the batch name and run time on every log line', async () => {
    const logger = new Logger({ serviceName: 'test' });
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as never);
    try {
      await batch(async (run) => run.logger.info('working'), { logger })(event, context(60_000));
    } finally {
      spy.mockRestore();
    }
    const lines = writes.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message)).toEqual(['run started', 'working', 'run succeeded']);
    for (const l of lines) expect(l).toMatchObject({ batch: 'job', runTime: '2026-11-25T15:10:00.000Z' });
  });
});
