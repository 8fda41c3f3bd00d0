// batchform pause / resume end to end: the pause record in the stage's run ledger (dynalite, started
// by this test), scheduled deliveries to the real runtime helper recorded skipped-paused, and
// `resume --catch-up latest|all` invoking exactly the times the pause skipped (Lambda mocked with
// aws-sdk-client-mock; each invoke runs the batch handler against the same ledger), recorded with
// trigger backfill; backfill's skip of succeeded times and --rerun; and the bad inputs.
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ACCOUNT, commandDeps, makeOperateProject, mockOperateClients, NOW, payload, sentEvent } from './helpers';
import { runBackfillCommand, runPauseCommand, runResumeCommand, runRunsCommand } from '../../src/cli/operate-commands';
import type { PauseRecord, RunRecord } from '../../src/model/ledger';
import { batch } from '../../src/runtime';
import { RunLedger } from '../../src/runtime/ledger';
import { LocalDynamo, startDynalite } from '../ledger/dynalite';

const TABLE = 'prod-batchform-ledger';
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/prod-batchform-operator/alice`;
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
const dir = makeOperateProject();
const none = () => undefined;
const quiet = { appendKeys: none, addContext: none, info: none, warn: none, error: none, debug: none } as never;

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(async () => { await dynamo.stop(); });
beforeEach(async () => {
  await dynamo.client.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
  await dynamo.createLedger(TABLE);
});

function context(requestId: string): Context {
  return {
    awsRequestId: requestId,
    logStreamName: `2026/11/25/[$LATEST]${requestId}`,
    getRemainingTimeInMillis: () => 120_000,
  } as Context;
}

/** The deployed batch `name`: its handler over the stage's ledger, counting its runs. */
function deployedBatch(name: string) {
  const ledger = new RunLedger({ tableName: TABLE, batch: name, client: dynamo.client });
  const ran: string[] = [];
  const handler = batch(async (run) => { ran.push(run.time.toISOString()); return { ok: true }; }, { logger: quiet, ledger });
  let requests = 0;
  /** What the schedule delivers at `time` (EventBridge's Scheduled Event). */
  const deliver = (time: string) => handler({
    'version': '0', 'id': `delivery-${time}`, 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'account': ACCOUNT, time, 'region': 'ap-northeast-2', 'resources': [], 'detail': {},
  } as ScheduledEvent, context(`schedule-${++requests}`));
  return { ledger, ran, handler, deliver, invoke: (event: unknown) => handler(event as ScheduledEvent, context(`invoke-${++requests}`)) };
}

/** Mocked clients whose Lambda runs `job`'s handler for each synchronous invoke, and whose ledger is dynalite's. */
function operate(job: ReturnType<typeof deployedBatch>, extra: { now?: Date } = {}) {
  const { clients, mocks } = mockOperateClients();
  mocks.lambda.on(InvokeCommand).callsFake(async (input) => {
    const result = await job.invoke(sentEvent(input));
    return { StatusCode: 200, Payload: payload(result ?? null) };
  });
  const d = commandDeps(dir, { ...clients, dynamodb: dynamo.client }, {
    callerIdentity: async () => ({ account: ACCOUNT, arn: OPERATOR }),
    ...(extra.now ? { now: () => extra.now! } : {}),
  });
  return { ...d, mocks };
}

async function pauseRecord(name: string): Promise<PauseRecord | undefined> {
  return new RunLedger({ tableName: TABLE, batch: name, client: dynamo.client }).pause();
}

const DAYS = ['2026-11-22T03:00:00.000Z', '2026-11-23T03:00:00.000Z', '2026-11-24T03:00:00.000Z', '2026-11-25T03:00:00.000Z'];

describe('pause, then resume --catch-up', () => {
  test('pause records the note and who; the schedule\'s deliveries are skipped-paused; resume --catch-up latest invokes exactly the latest skipped time, which runs as a backfill', async () => {
    const job = deployedBatch('utc-job');
    const paused = operate(job, { now: new Date('2026-11-21T12:00:00Z') });
    expect(await runPauseCommand('utc-job', { ...opts, note: 'orders API migration (OPS-42)' }, paused.deps)).toBe(0);
    expect(paused.out.join('\n')).toBe('utc-job is paused since 2026-11-21T12:00:00.000Z by ' + OPERATOR + ': "orders API migration (OPS-42)" in stage prod. '
      + 'Its scheduled runs are recorded as skipped-paused and do not run (batchform run, backfill and redrive still run it). '
      + 'Resume with: batchform resume utc-job --stage prod [--catch-up latest|all]');
    expect(await pauseRecord('utc-job')).toEqual({ batch: 'utc-job', run: '#pause', paused: true, note: 'orders API migration (OPS-42)', by: OPERATOR, pausedAt: '2026-11-21T12:00:00.000Z' });

    // Four days of the schedule while paused: recorded, not run.
    for (const t of DAYS) await job.deliver(t.replace('.000Z', 'Z'));
    expect(job.ran).toEqual([]);
    for (const t of DAYS) expect(await job.ledger.record(t)).toMatchObject({ status: 'skipped-paused', trigger: 'schedule', error: expect.stringContaining('OPS-42') });

    const resumed = operate(job);
    expect(await runResumeCommand('utc-job', { ...opts, catchUp: 'latest' }, resumed.deps)).toBe(0);
    // Exactly one invoke: the latest skipped time, marked as a backfill.
    const sent = resumed.mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input) as Record<string, unknown>);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ 'detail-type': 'Scheduled Event', 'time': '2026-11-25T03:00:00Z', 'batchformTrigger': 'backfill' });
    expect(sent[0]).not.toHaveProperty('batchformRerun');
    expect(job.ran).toEqual(['2026-11-25T03:00:00.000Z']);
    expect(await job.ledger.record('2026-11-25T03:00:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'backfill' });
    for (const t of DAYS.slice(0, 3)) expect(await job.ledger.record(t)).toMatchObject({ status: 'skipped-paused' });
    expect(resumed.out[0]).toBe(`utc-job is resumed in stage prod (it was paused since 2026-11-21T12:00:00.000Z by ${OPERATOR}: "orders API migration (OPS-42)"); its next scheduled run runs.`);
    expect(resumed.err.join('\n')).toContain('catch-up latest: 4 scheduled time(s) in [2026-11-21T12:00:00.000Z, 2026-11-25T09:43:12.345Z) did not run; running 1: 2026-11-25T03:00:00.000Z');
    // The pause's note, who and when stay, with the resume's.
    expect(await pauseRecord('utc-job')).toMatchObject({ paused: false, note: 'orders API migration (OPS-42)', by: OPERATOR, resumedAt: NOW.toISOString(), resumedBy: OPERATOR });

    // Resumed: the next delivery runs.
    await job.deliver('2026-11-26T03:00:00Z');
    expect(job.ran).toEqual(['2026-11-25T03:00:00.000Z', '2026-11-26T03:00:00.000Z']);

    // runs shows the history: the catch-up as a backfill, the paused times with their note.
    const history = operate(job);
    expect(await runRunsCommand('utc-job', { ...opts, limit: '3' }, history.deps)).toBe(0);
    expect(history.out.join('\n')).toContain('2026-11-25 03:00  succeeded');
    expect(history.out.join('\n')).toMatch(/2026-11-24 03:00 {2}skipped-paused .*schedule\n {2}paused by .*: orders API migration \(OPS-42\)/);
  });

  test('--catch-up all --window 48h runs every time of the window that did not run, oldest first, and no time that ran', async () => {
    const job = deployedBatch('utc-job');
    expect(await runPauseCommand('utc-job', { ...opts, note: 'vendor outage' }, operate(job, { now: new Date('2026-11-21T12:00:00Z') }).deps)).toBe(0);
    for (const t of DAYS.slice(0, 3)) await job.deliver(t.replace('.000Z', 'Z'));
    // The 25th was run by hand while paused (an operator's run still runs): not caught up again.
    await job.invoke({ 'detail-type': 'Scheduled Event', 'time': '2026-11-25T03:00:00Z', 'batchformTrigger': 'run' });
    const resumed = operate(job);
    expect(await runResumeCommand('utc-job', { ...opts, catchUp: 'all', window: '48h' }, resumed.deps)).toBe(0);
    // [NOW - 48h, NOW) holds the 24th and the 25th; the 25th ran; the 22nd and 23rd are outside the window.
    expect(resumed.mocks.lambda.commandCalls(InvokeCommand).map((c) => (sentEvent(c.args[0].input) as { time: string }).time)).toEqual(['2026-11-24T03:00:00Z']);
    expect(await job.ledger.record('2026-11-24T03:00:00.000Z')).toMatchObject({ status: 'succeeded', trigger: 'backfill' });
    expect(await job.ledger.record('2026-11-23T03:00:00.000Z')).toMatchObject({ status: 'skipped-paused' });
  });

  test('--catch-up none (the default) resumes and runs nothing; resuming a batch that is not paused changes nothing', async () => {
    const job = deployedBatch('utc-job');
    expect(await runPauseCommand('utc-job', { ...opts, note: 'n' }, operate(job, { now: new Date('2026-11-21T12:00:00Z') }).deps)).toBe(0);
    await job.deliver('2026-11-22T03:00:00Z');
    const resumed = operate(job);
    expect(await runResumeCommand('utc-job', opts, resumed.deps)).toBe(0);
    expect(resumed.mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect((await pauseRecord('utc-job'))?.paused).toBe(false);
    const again = operate(job);
    expect(await runResumeCommand('utc-job', { ...opts, catchUp: 'latest' }, again.deps)).toBe(0);
    expect(again.out.join('\n')).toBe(`utc-job is not paused in stage prod (resumed at ${NOW.toISOString()} by ${OPERATOR}); nothing to resume, and nothing to catch up (run missed times with batchform backfill).`);
    expect(again.mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('pausing a paused batch replaces its note and says what it replaced', async () => {
    const job = deployedBatch('utc-job');
    await runPauseCommand('utc-job', { ...opts, note: 'first' }, operate(job, { now: new Date('2026-11-21T12:00:00Z') }).deps);
    const second = operate(job);
    expect(await runPauseCommand('utc-job', { ...opts, note: 'second' }, second.deps)).toBe(0);
    expect(second.err).toEqual([`utc-job was already paused since 2026-11-21T12:00:00.000Z by ${OPERATOR}: "first"; its note, who and when are replaced.`]);
    expect(await pauseRecord('utc-job')).toMatchObject({ paused: true, note: 'second', pausedAt: NOW.toISOString() });
  });

  test('a catch-up of more than 100 times asks for --confirm, and changes nothing until given', async () => {
    const job = deployedBatch('utc-job');
    await runPauseCommand('utc-job', { ...opts, note: 'long' }, operate(job, { now: new Date('2026-06-01T00:00:00Z') }).deps);
    const refused = operate(job);
    expect(await runResumeCommand('utc-job', { ...opts, catchUp: 'all' }, refused.deps)).toBe(2);
    expect(refused.err.join('\n')).toContain('the catch-up would run 178 scheduled times of utc-job (cron(0 3 * * ? *)) since 2026-06-01T00:00:00.000Z, more than 100; nothing was changed.');
    expect((await pauseRecord('utc-job'))?.paused).toBe(true);
    expect(refused.mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe('bad input', () => {
  test.each<[string, (deps: ReturnType<typeof operate>['deps']) => Promise<number>, string]>([
    ['pause without --note', (d) => runPauseCommand('utc-job', opts, d), '--note is required'],
    ['a --note too long', (d) => runPauseCommand('utc-job', { ...opts, note: 'x'.repeat(501) }, d), '--note is 501 characters, more than 500'],
    ['an unknown --catch-up', (d) => runResumeCommand('utc-job', { ...opts, catchUp: 'every' }, d), '--catch-up "every" is not one of none, latest, all.'],
    ['a --window that is not a duration', (d) => runResumeCommand('utc-job', { ...opts, catchUp: 'all', window: 'a day' }, d), '--window "a day" is not a duration'],
    ['a --window without a catch-up', (d) => runResumeCommand('utc-job', { ...opts, window: '24h' }, d), '--window bounds a catch-up'],
    ['a catch-up of a constant-input batch', (d) => runResumeCommand('input-job', { ...opts, catchUp: 'latest' }, d), 'batch "input-job" has a constant input'],
    ['an undeclared batch', (d) => runPauseCommand('nightly', { ...opts, note: 'n' }, d), 'batch "nightly" is not declared'],
  ])('%s is bad input and changes nothing', async (_what, run, message) => {
    const job = deployedBatch('utc-job');
    const { deps, err, mocks } = operate(job);
    expect(await run(deps)).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(await pauseRecord('utc-job')).toBeUndefined();
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('credentials for another account change nothing', async () => {
    const job = deployedBatch('utc-job');
    const { deps, err } = operate(job);
    const wrong = { ...deps, callerIdentity: async () => ({ account: '999999999999', arn: 'arn:aws:iam::999999999999:user/bob' }) };
    expect(await runPauseCommand('utc-job', { ...opts, note: 'n' }, wrong)).toBe(2);
    expect(err.join('\n')).toContain('the AWS credentials are for account 999999999999, but stage "prod" is account 111122223333; nothing was changed.');
    expect(await pauseRecord('utc-job')).toBeUndefined();
  });
});

describe('backfill and the run ledger', () => {
  async function seed(records: Array<Partial<RunRecord>>) {
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    for (const r of records) await doc.send(new PutCommand({ TableName: TABLE, Item: { batch: 'utc-job', trigger: 'schedule', ...r } }));
  }

  test('times that already succeeded are skipped and said so; the others run as backfill', async () => {
    const job = deployedBatch('utc-job');
    await seed([{ run: '2026-11-22T03:00:00.000Z', status: 'succeeded', attempts: 1 }, { run: '2026-11-23T03:00:00.000Z', status: 'failed', attempts: 2 }]);
    const b = operate(job);
    expect(await runBackfillCommand('utc-job', { ...opts, from: '2026-11-21T00:00:00Z', to: '2026-11-24T00:00:00Z' }, b.deps)).toBe(0);
    const sent = b.mocks.lambda.commandCalls(InvokeCommand).map((c) => sentEvent(c.args[0].input) as Record<string, unknown>);
    expect(sent.map((e) => [e.time, e.batchformTrigger, e.batchformRerun])).toEqual([['2026-11-21T03:00:00Z', 'backfill', undefined], ['2026-11-23T03:00:00Z', 'backfill', undefined]]);
    expect(b.err.join('\n')).toContain('1 of 3 time(s) already succeeded (the run ledger; batchform runs utc-job --stage prod lists them): skipped. Add --rerun to run them again.');
    expect(await job.ledger.record('2026-11-23T03:00:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 3, trigger: 'backfill' });
    expect(await job.ledger.record('2026-11-22T03:00:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'schedule' });
  });

  test('--rerun runs them too, each as its next attempt (the re-run flag), instead of a duplicate', async () => {
    const job = deployedBatch('utc-job');
    await seed([{ run: '2026-11-22T03:00:00.000Z', status: 'succeeded', attempts: 1 }]);
    const b = operate(job);
    expect(await runBackfillCommand('utc-job', { ...opts, from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z', rerun: true }, b.deps)).toBe(0);
    expect(sentEvent(b.mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input)).toMatchObject({ batchformTrigger: 'backfill', batchformRerun: 1 });
    expect(job.ran).toEqual(['2026-11-22T03:00:00.000Z']);
    expect(await job.ledger.record('2026-11-22T03:00:00.000Z')).toMatchObject({ status: 'succeeded', attempts: 2, trigger: 'backfill' });
  });

  test('a range that all succeeded runs nothing', async () => {
    const job = deployedBatch('utc-job');
    await seed([{ run: '2026-11-22T03:00:00.000Z', status: 'succeeded', attempts: 1 }]);
    const b = operate(job);
    expect(await runBackfillCommand('utc-job', { ...opts, from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' }, b.deps)).toBe(0);
    expect(b.mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(b.out.join('\n')).toContain('already succeeded; nothing to run (add --rerun to run them again)');
  });
});
