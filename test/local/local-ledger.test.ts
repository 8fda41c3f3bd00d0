// invoke's local run ledger: RunLedger itself on a JSON file whose store answers the ledger's
// commands as DynamoDB does. Every scenario runs twice, on the file and on a real dynalite table,
// and the two must decide the same (run / duplicate / next attempt / take-over / overlap) and keep
// the same records; the expression evaluator is checked against dynalite on the edge cases.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetCommand, PutCommand, UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalLedgerFile, localLedger } from '../../src/local/local-ledger';
import { HEALTH_SORT_KEY, LEASE_SORT_KEY } from '../../src/model/ledger';
import { Claim, RunLedger } from '../../src/runtime/ledger';
import { LocalDynamo, startDynalite } from '../ledger/dynalite';

let dynamo: LocalDynamo;
let dir: string;
beforeAll(async () => {
  dynamo = await startDynalite();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-local-ledger-'));
});
afterAll(async () => {
  await dynamo.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A clock the test moves by hand. */
function clock(start = Date.parse('2027-02-01T00:10:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

let files = 0;
/** One ledger on the file and one on dynalite, sharing a clock. */
async function both(batch: string): Promise<{ file: RunLedger; table: RunLedger; store: LocalLedgerFile; advance: (ms: number) => void }> {
  const c = clock();
  const filePath = path.join(dir, `ledger-${++files}.json`);
  const tableName = await dynamo.createLedger();
  return {
    file: localLedger(batch, filePath, c.now),
    table: new RunLedger({ tableName, batch, client: dynamo.client, now: c.now }),
    store: new LocalLedgerFile(filePath, c.now),
    advance: c.advance,
  };
}

const T1 = new Date('2027-02-01T00:10:00Z');
const T2 = new Date('2027-02-01T00:15:00Z');
const claimOf = (owner: string, time = T1, extra: { force?: boolean; timeoutMs?: number } = {}) => ({
  scheduledTime: time, owner, timeoutMs: extra.timeoutMs ?? 60_000, trigger: 'run' as const, requestId: owner, force: extra.force,
});

test('the file decides every claim as DynamoDB does and keeps the same records', async () => {
  const { file, table, advance } = await both('daily-stats');
  const decisions: Array<[string, Claim, Claim]> = [];
  const step = async (label: string, fn: (l: RunLedger) => Promise<Claim>) => {
    decisions.push([label, await fn(file), await fn(table)]);
  };
  // First delivery runs; a second (another owner) while it runs is a duplicate.
  let a1: Claim | undefined;
  let b1: Claim | undefined;
  await step('first', async (l) => {
    const c = await l.claim(claimOf('a'));
    if (l === file) a1 = c; else b1 = c;
    return c;
  });
  await step('while running', (l) => l.claim(claimOf('b')));
  // A second scheduled time while T1 holds the lease: skipped for overlap.
  await step('overlap', (l) => l.claim(claimOf('c', T2)));
  advance(1000);
  await file.finish(a1!, new Error('boom'));
  await table.finish(b1!, new Error('boom'));
  // A failed run's re-run is attempt 2; after it succeeded, a re-run is a duplicate; --force is attempt 3.
  let a2: Claim | undefined;
  let b2: Claim | undefined;
  await step('after failure', async (l) => {
    const c = await l.claim(claimOf('d'));
    if (l === file) a2 = c; else b2 = c;
    return c;
  });
  advance(1000);
  await file.finish(a2!);
  await table.finish(b2!);
  await step('after success', (l) => l.claim(claimOf('e')));
  await step('forced', (l) => l.claim(claimOf('f', T1, { force: true })));
  // A forced claim never takes over a running one; past its deadline anyone does.
  await step('forced while running', (l) => l.claim(claimOf('g', T1, { force: true })));
  advance(61_000);
  await step('past the deadline', (l) => l.claim(claimOf('h')));

  for (const [label, onFile, onTable] of decisions) expect({ label, claim: onFile }).toEqual({ label, claim: onTable });
  expect(decisions.map(([label, c]) => `${label}: ${c.outcome}${c.outcome === 'run' ? ` ${c.attempt}` : c.outcome === 'duplicate' ? ` ${c.status}` : ''}`)).toEqual([
    'first: run 1',
    'while running: duplicate running',
    'overlap: skipped-overlap',
    'after failure: run 2',
    'after success: duplicate succeeded',
    'forced: run 3',
    'forced while running: duplicate running',
    'past the deadline: run 4',
  ]);
  for (const key of [T1, T2]) expect(await file.record(key)).toEqual(await table.record(key));
  expect(await file.lease()).toEqual(await table.lease());
});

test('the records keep the RunRecord shape, in the project file', async () => {
  const { file, store } = await both('weekly-report');
  const c = await file.claim(claimOf('local-1'));
  await file.finish(c, new Error('connection refused'));
  const [record] = store.records('weekly-report');
  expect(record).toMatchObject({ batch: 'weekly-report', run: '2027-02-01T00:10:00.000Z', status: 'failed', attempts: 1, trigger: 'run', owner: 'local-1', error: 'Error: connection refused', durationMs: 0 });
  const content = JSON.parse(fs.readFileSync(store.file, 'utf8'));
  expect(Object.keys(content.items['weekly-report'])).toEqual(['2027-02-01T00:10:00.000Z', LEASE_SORT_KEY, HEALTH_SORT_KEY]);
});

test('a record past its expiresAt is dropped at the next write, as DynamoDB\'s TTL deletes it', async () => {
  const { file, store, advance } = await both('hourly');
  await file.finish(await file.claim(claimOf('x')));
  advance(91 * 86_400_000);
  await file.claim(claimOf('y', T2));
  expect(store.records('hourly').map((r) => r.run)).toEqual([T2.toISOString()]);
});

test('a file that is not the ledger\'s JSON stops the run with how to fix it', async () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"runs": []}');
  await expect(localLedger('daily-stats', bad).claim(claimOf('z'))).rejects.toThrow(
    `invoke: cannot read the local ledger ${bad} (not a version 1 ledger); it is not the local ledger's JSON: delete ${bad} (it only records local runs) or fix it.`);
});

describe('the expression evaluator agrees with dynalite', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['a missing attribute is not equal to a value', '#s <> :v', {}],
    ['a missing attribute is not less than a value', '#n < :one', {}],
    ['IN', '#s IN (:v, :w)', { status: 'failed' }],
    ['BETWEEN', '#n BETWEEN :zero AND :one', { n: 1 }],
    ['NOT and parentheses', 'NOT (#s = :v AND attribute_exists(#n))', { status: 'running', n: 0 }],
    ['numbers compare as numbers', '#n < :ten', { n: 9 }],
    ['strings compare as strings', '#s > :v', { status: 'succeeded' }],
  ];
  const bindings = { names: { '#s': 'status', '#n': 'n' }, values: { ':v': 'running', ':w': 'failed', ':one': 1, ':zero': 0, ':ten': 10 } };
  test.each(cases)('%s', async (_label, condition, item) => {
    const tableName = await dynamo.createLedger();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const key = { batch: 'b', run: 'r' };
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, ...item } }));
    const store = new LocalLedgerFile(path.join(dir, `eval-${++files}.json`));
    await store.send(new UpdateCommand({ TableName: 'local', Key: key, UpdateExpression: 'SET #s = :v', ExpressionAttributeNames: { '#s': 'seed' }, ExpressionAttributeValues: { ':v': 1 } }));
    const update = (s: { send: (c: UpdateCommand) => Promise<unknown> }, extraItem: boolean) => s.send(new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: extraItem ? `SET ${Object.keys(item).map((k) => `${k} = :${k}x`).join(', ') || 'seed = :one'}` : 'SET checked = :one',
      ...(extraItem ? {} : {
        ConditionExpression: condition,
        ExpressionAttributeNames: Object.fromEntries(Object.entries(bindings.names).filter(([n]) => condition.includes(n))),
      }),
      ExpressionAttributeValues: extraItem
        ? { ...Object.fromEntries(Object.entries(item).map(([k, v]) => [`:${k}x`, v])), ':one': 1 }
        : { ...Object.fromEntries(Object.entries(bindings.values).filter(([v]) => new RegExp(`${v}\\b`).test(condition))), ':one': 1 },
    })).then(() => true, (e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
      return false;
    });
    await update(store, true);
    const onTable = await update(doc, false);
    const onFile = await update(store, false);
    expect(onFile).toBe(onTable);
    expect((await store.send(new GetCommand({ TableName: 'local', Key: key }))).Item?.checked).toBe(onTable ? 1 : undefined);
  });
});
