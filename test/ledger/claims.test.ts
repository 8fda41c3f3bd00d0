// The run ledger against a real DynamoDB-compatible server (dynalite, started by this test):
// exactly one run per scheduled time whatever the deliveries, a failed run's retry as the next
// attempt, the overlap lease (skip and allow), and a crashed run that never blocks the next.
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { startDynalite, LocalDynamo } from './dynalite';
import { pauseBatch, resumeBatch } from '../../src/operate/pause';
import { batch } from '../../src/runtime';
import { RunLedger, RunLedgerOptions } from '../../src/runtime/ledger';

const none = () => undefined;
const quiet = { appendKeys: none, addContext: none, info: none, warn: none, error: none, debug: none } as never;

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(async () => { await dynamo.stop(); });

function context(requestId: string, remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'prod-daily-stats',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:111122223333:function:prod-daily-stats',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/prod-daily-stats',
    logStreamName: `2027/02/01/[$LATEST]${requestId}`,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function scheduled(time: string, extra: Record<string, unknown> = {}): ScheduledEvent {
  return {
    'version': '0',
    'id': `delivery-${Math.random()}`,
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    'account': '111122223333',
    time,
    'region': 'ap-northeast-2',
    'resources': [],
    'detail': {},
    ...extra,
  } as ScheduledEvent;
}

/** A clock the test moves by hand. */
function clock(start = Date.parse('2027-02-01T00:10:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

async function ledgerFor(batchName: string, options: Partial<RunLedgerOptions> = {}): Promise<RunLedger> {
  const tableName = await dynamo.createLedger();
  return new RunLedger({ tableName, batch: batchName, client: dynamo.client, ...options });
}

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { opened, open };
}

describe('exactly one run per scheduled time', () => {
  test('20 concurrent deliveries of one scheduled time run the handler once; the other 19 are counted on its record', async () => {
    const ledger = await ledgerFor('daily-stats');
    let runs = 0;
    const hold = gate();
    const handler = batch(async () => {
      runs++;
      // The run holds until every other delivery has decided, so they all find it running.
      await hold.opened;
      return { rows: 42 };
    }, { logger: quiet, ledger });
    let settled = 0;
    const deliveries = Array.from({ length: 20 }, (_, i) => handler(scheduled('2027-02-01T00:10:00Z'), context(`req-${i}`)).then((r) => {
      if (++settled === 19) hold.open();
      return r;
    }));
    const results = await Promise.all(deliveries);
    expect(runs).toBe(1);
    expect(results.filter((r) => r !== undefined)).toEqual([{ rows: 42 }]);
    const record = await ledger.record('2027-02-01T00:10:00.000Z');
    expect(record).toMatchObject({ batch: 'daily-stats', run: '2027-02-01T00:10:00.000Z', status: 'succeeded', attempts: 1, duplicates: 19, trigger: 'schedule' });
    expect(record?.requestId).toMatch(/^req-\d+$/);
    expect(record?.logStream).toBe(`2027/02/01/[$LATEST]${record?.requestId}`);
    expect(typeof record?.durationMs).toBe('number');
    expect(record?.endedAt).toBeDefined();
  });

  test('a delivery after the run succeeded does nothing and is counted', async () => {
    const ledger = await ledgerFor('daily-stats');
    let runs = 0;
    const handler = batch(async () => { runs++; }, { logger: quiet, ledger });
    await handler(scheduled('2027-02-01T00:10:00Z'), context('first'));
    await handler(scheduled('2027-02-01T00:10:00Z'), context('late-duplicate'));
    expect(runs).toBe(1);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1, requestId: 'first' });
  });

  test('a failed run\'s retry is the next attempt of the same record, and its success clears the error', async () => {
    const ledger = await ledgerFor('daily-stats');
    let calls = 0;
    const handler = batch(async () => {
      if (++calls === 1) throw new Error('connection reset by the database');
      return 'ok';
    }, { logger: quiet, ledger });
    await expect(handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'))).rejects.toThrow('connection reset');
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'failed', attempts: 1, error: 'Error: connection reset by the database' });
    // Lambda's retry of an asynchronous invoke keeps the request id.
    await expect(handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'))).resolves.toBe('ok');
    const record = await ledger.record('2027-02-01T00:10:00.000Z');
    expect(record).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(record?.error).toBeUndefined();
    expect(calls).toBe(2);
  });

  test('a long error is kept short', async () => {
    const ledger = await ledgerFor('daily-stats');
    const handler = batch(async () => { throw new Error('x'.repeat(5000)); }, { logger: quiet, ledger });
    await expect(handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'))).rejects.toThrow();
    expect((await ledger.record('2027-02-01T00:10:00.000Z'))?.error).toHaveLength(300);
  });

  test('an operator\'s deliberate re-run (batchformRerun) runs a scheduled time that succeeded again, as its next attempt', async () => {
    const ledger = await ledgerFor('daily-stats');
    let runs = 0;
    const handler = batch(async () => { runs++; }, { logger: quiet, ledger });
    await handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await handler(scheduled('2027-02-01T00:10:00Z', { batchformRerun: 1, batchformTrigger: 'run' }), context('req-2'));
    expect(runs).toBe(2);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 2, trigger: 'run' });
  });

  test('records carry a TTL from the retention: now + retentionDays', async () => {
    const t = clock();
    const ledger = await ledgerFor('daily-stats', { now: t.now, retentionDays: 30 });
    await batch(async () => undefined, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    expect((await ledger.record('2027-02-01T00:10:00.000Z'))?.expiresAt).toBe(Math.floor(t.now() / 1000) + 30 * 86_400);
  });

  test('batches keep apart: the same scheduled time runs once per batch', async () => {
    const tableName = await dynamo.createLedger();
    let runs = 0;
    for (const name of ['daily-stats', 'weekly-report']) {
      const ledger = new RunLedger({ tableName, batch: name, client: dynamo.client });
      await batch(async () => { runs++; }, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context(`req-${name}`));
    }
    expect(runs).toBe(2);
  });
});

describe('the overlap policy', () => {
  test('skip (the default): a run that starts while the previous one runs is skipped and recorded with why', async () => {
    const ledger = await ledgerFor('daily-stats');
    const hold = gate();
    const entered = gate();
    const ran: string[] = [];
    const handler = batch(async (run) => {
      ran.push(run.time.toISOString());
      entered.open();
      await hold.opened;
    }, { logger: quiet, ledger });
    const first = handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await entered.opened;
    await expect(handler(scheduled('2027-02-01T00:15:00Z'), context('req-2'))).resolves.toBeUndefined();
    hold.open();
    await first;
    expect(ran).toEqual(['2027-02-01T00:10:00.000Z']);
    const skipped = await ledger.record('2027-02-01T00:15:00.000Z');
    expect(skipped).toMatchObject({ status: 'skipped-overlap', attempts: 1 });
    expect(skipped?.error).toMatch(/^the run of 2027-02-01T00:10:00.000Z was still running \(its lease lasts until \d{4}-.*\); overlap: 'skip'$/);
    // A duplicate of the skipped time does not run it later either.
    await handler(scheduled('2027-02-01T00:15:00Z'), context('req-3'));
    expect(ran).toHaveLength(1);
    // Once the first run ended, the next scheduled time runs.
    await handler(scheduled('2027-02-01T00:20:00Z'), context('req-4'));
    expect(ran).toEqual(['2027-02-01T00:10:00.000Z', '2027-02-01T00:20:00.000Z']);
    expect(await ledger.lease()).toMatchObject({ holder: '2027-02-01T00:20:00.000Z', owner: 'req-4' });
  });

  test('allow: overlapping runs both run, and no lease is taken', async () => {
    const ledger = await ledgerFor('daily-stats', { overlap: 'allow' });
    const hold = gate();
    const entered = gate();
    const ran: string[] = [];
    const handler = batch(async (run) => {
      ran.push(run.time.toISOString());
      if (ran.length === 1) {
        entered.open();
        await hold.opened;
      }
    }, { logger: quiet, ledger });
    const first = handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await entered.opened;
    await handler(scheduled('2027-02-01T00:15:00Z'), context('req-2'));
    hold.open();
    await first;
    expect(ran).toEqual(['2027-02-01T00:10:00.000Z', '2027-02-01T00:15:00.000Z']);
    expect(await ledger.lease()).toBeUndefined();
  });

  test('a crashed run\'s lease expires after its timeout: the next scheduled time runs, and Lambda\'s retry of the crashed run is its second attempt', async () => {
    const t = clock();
    const ledger = await ledgerFor('daily-stats', { now: t.now });
    const ran: string[] = [];
    const handler = batch(async (run) => { ran.push(run.time.toISOString()); }, { logger: quiet, ledger });
    // The 00:10 run claims its time and the lease for its 60 s, then its function is killed: nothing records an end.
    const crashed = await ledger.claim({ scheduledTime: new Date('2027-02-01T00:10:00Z'), owner: 'req-crashed', timeoutMs: 60_000, trigger: 'schedule' });
    expect(crashed).toMatchObject({ outcome: 'run', attempt: 1 });

    t.advance(30_000); // within the crashed run's timeout: the lease holds
    await handler(scheduled('2027-02-01T00:10:30Z'), context('req-early'));
    expect(ran).toEqual([]);
    expect(await ledger.record('2027-02-01T00:10:30.000Z')).toMatchObject({ status: 'skipped-overlap' });

    t.advance(31_000); // past it: the lease expired
    await handler(scheduled('2027-02-01T00:11:00Z'), context('req-next'));
    expect(ran).toEqual(['2027-02-01T00:11:00.000Z']);
    expect(await ledger.record('2027-02-01T00:11:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1 });

    // The crashed run's record stayed "running"; Lambda retries the invoke with the same request id.
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'running', attempts: 1 });
    await handler(scheduled('2027-02-01T00:10:00Z'), context('req-crashed'));
    expect(ran).toEqual(['2027-02-01T00:11:00.000Z', '2027-02-01T00:10:00.000Z']);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  test('a duplicate delivery of a crashed run takes it over once its deadline passed, not before', async () => {
    const t = clock();
    const ledger = await ledgerFor('daily-stats', { now: t.now });
    await ledger.claim({ scheduledTime: new Date('2027-02-01T00:10:00Z'), owner: 'req-crashed', timeoutMs: 60_000, trigger: 'schedule' });
    t.advance(59_000);
    expect(await ledger.claim({ scheduledTime: new Date('2027-02-01T00:10:00Z'), owner: 'req-dup', timeoutMs: 60_000, trigger: 'schedule' }))
      .toMatchObject({ outcome: 'duplicate', status: 'running', duplicates: 1 });
    t.advance(2_000);
    expect(await ledger.claim({ scheduledTime: new Date('2027-02-01T00:10:00Z'), owner: 'req-dup2', timeoutMs: 60_000, trigger: 'schedule' }))
      .toMatchObject({ outcome: 'run', attempt: 2 });
  });
});

describe('a paused batch (batchform pause / resume)', () => {
  const who = 'arn:aws:sts::111122223333:assumed-role/prod-batchform-operator/alice';

  test('scheduled deliveries are recorded skipped-paused with the note and do not run; an operator\'s run still runs; after resume the schedule runs and a catch-up runs the skipped time', async () => {
    const ledger = await ledgerFor('daily-stats');
    const target = { tableName: ledger.tableName, batch: 'daily-stats' };
    const seen: unknown[] = [];
    const handler = batch(async (run) => { seen.push(run.event); return 'ran'; }, { logger: quiet, ledger });
    await pauseBatch(dynamo.client, target, { note: 'orders API migration', by: who, now: new Date('2027-02-01T00:00:00Z') });

    expect(await handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'))).toBeUndefined();
    expect(await handler(scheduled('2027-02-02T00:10:00Z'), context('req-2'))).toBeUndefined();
    // A second delivery of a skipped time changes nothing on it: counted.
    await handler(scheduled('2027-02-02T00:10:00Z'), context('req-2b'));
    expect(seen).toHaveLength(0);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({
      status: 'skipped-paused',
      attempts: 0,
      trigger: 'schedule',
      durationMs: 0,
      error: `paused by ${who} at 2027-02-01T00:00:00.000Z: orders API migration`,
    });
    expect(await ledger.record('2027-02-02T00:10:00.000Z')).toMatchObject({ status: 'skipped-paused', duplicates: 1 });

    // A pause stops the schedule, not the people: batchform run runs it, and the handler never sees the ledger's fields.
    expect(await handler(scheduled('2027-02-02T12:00:00Z', { batchformTrigger: 'run' }), context('req-3'))).toBe('ran');
    expect(seen[0]).not.toHaveProperty('batchformTrigger');
    expect(await ledger.record('2027-02-02T12:00:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'run' });

    await resumeBatch(dynamo.client, target, { by: who, now: new Date('2027-02-03T00:00:00Z') });
    expect(await handler(scheduled('2027-02-03T00:10:00Z'), context('req-4'))).toBe('ran');
    // The schedule's own late delivery of a skipped time is still a duplicate; a catch-up (backfill trigger) runs it as its first attempt.
    expect(await handler(scheduled('2027-02-01T00:10:00Z'), context('req-5'))).toBeUndefined();
    expect(await handler(scheduled('2027-02-01T00:10:00Z', { batchformTrigger: 'backfill' }), context('req-6'))).toBe('ran');
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'backfill', requestId: 'req-6', duplicates: 1 });
    expect((await ledger.record('2027-02-01T00:10:00.000Z'))?.error).toBeUndefined();
    expect(seen).toHaveLength(3);
  });

  test('a time that already ran keeps its record when a paused delivery comes: counted as a duplicate', async () => {
    const ledger = await ledgerFor('daily-stats');
    let runs = 0;
    const handler = batch(async () => { runs++; }, { logger: quiet, ledger });
    await handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await pauseBatch(dynamo.client, { tableName: ledger.tableName, batch: 'daily-stats' }, { note: 'n', by: who, now: new Date('2027-02-01T00:11:00Z') });
    await handler(scheduled('2027-02-01T00:10:00Z'), context('req-2'));
    expect(runs).toBe(1);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, duplicates: 1 });
  });

  test('another batch\'s pause does not pause this one', async () => {
    const ledger = await ledgerFor('daily-stats');
    await pauseBatch(dynamo.client, { tableName: ledger.tableName, batch: 'weekly-report' }, { note: 'n', by: who, now: new Date('2027-02-01T00:00:00Z') });
    let runs = 0;
    await batch(async () => { runs++; }, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    expect(runs).toBe(1);
  });

  test('the only attributes an operator may write (the pause fields) never make a run\'s record: a scheduled time holding them still runs', async () => {
    const ledger = await ledgerFor('daily-stats');
    // What the operator role could write on a scheduled time's key: its policy allows the pause attributes only.
    await DynamoDBDocumentClient.from(dynamo.client).send(new UpdateCommand({
      TableName: ledger.tableName,
      Key: { batch: 'daily-stats', run: '2027-02-01T00:10:00.000Z' },
      UpdateExpression: 'SET paused = :t, note = :n',
      ExpressionAttributeValues: { ':t': true, ':n': 'forged' },
    }));
    let runs = 0;
    await batch(async () => { runs++; }, { logger: quiet, ledger })(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    expect(runs).toBe(1);
    expect(await ledger.record('2027-02-01T00:10:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  test('an operator\'s backfill runs a time skipped for overlap; the schedule\'s duplicate of it does not', async () => {
    const t = clock();
    const ledger = await ledgerFor('daily-stats', { now: t.now });
    const hold = gate();
    let runs = 0;
    const handler = batch(async () => { runs++; if (runs === 1) await hold.opened; }, { logger: quiet, ledger });
    const first = handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'));
    await new Promise((r) => setImmediate(r));
    while (!(await ledger.lease())) await new Promise((r) => setImmediate(r));
    await handler(scheduled('2027-02-01T00:15:00Z'), context('req-2'));
    hold.open();
    await first;
    expect(await ledger.record('2027-02-01T00:15:00.000Z')).toMatchObject({ status: 'skipped-overlap' });
    await handler(scheduled('2027-02-01T00:15:00Z'), context('req-3'));
    expect(runs).toBe(1);
    await handler(scheduled('2027-02-01T00:15:00Z', { batchformTrigger: 'backfill' }), context('req-4'));
    expect(runs).toBe(2);
    expect(await ledger.record('2027-02-01T00:15:00.000Z')).toMatchObject({ status: 'succeeded', trigger: 'backfill' });
  });
});

describe('when the ledger cannot be written', () => {
  test('a missing table fails the run before the handler, naming the table and the fix', async () => {
    const ledger = new RunLedger({ tableName: 'prod-no-such-ledger', batch: 'daily-stats', client: dynamo.client });
    let runs = 0;
    const handler = batch(async () => { runs++; }, { logger: quiet, ledger });
    await expect(handler(scheduled('2027-02-01T00:10:00Z'), context('req-1'))).rejects.toThrow(
      /batch "daily-stats": the run ledger failed claiming 2027-02-01T00:10:00.000Z \(ResourceNotFoundException: .*\); the stage's ledger table prod-no-such-ledger does not exist: deploy the stage .*stage stack <stackPrefix>-stage holds the ledger table/,
    );
    expect(runs).toBe(0);
  });

  test('without a ledger table in the environment (a local run), the handler runs unrecorded', () => {
    expect(RunLedger.fromEnvironment('daily-stats', {})).toBeUndefined();
    const ledger = RunLedger.fromEnvironment('daily-stats', { BATCHFORM_LEDGER_TABLE: 'prod-batchform-ledger', BATCHFORM_OVERLAP: 'allow', BATCHFORM_LEDGER_RETENTION_DAYS: '30' });
    expect(ledger).toMatchObject({ tableName: 'prod-batchform-ledger', batch: 'daily-stats', overlap: 'allow' });
  });
});
