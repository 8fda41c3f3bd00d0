// Ledger: the time the run ledger adds to a run. The runtime helper's own RunLedger claims and
// finishes runs against a real dynalite (DynamoDB's API on LevelDB, in memory) in its own process
// on loopback, with the SDK client a batch uses: claim + finish without the lease (overlap:
// 'allow', 2 UpdateItems), with it (overlap: 'skip', the default, 4 UpdateItems), and a duplicate
// delivery (a failed conditional UpdateItem, then the count: 2 UpdateItems). One GetItem gives the
// bare round trip of one request. Loopback is not DynamoDB: these are a floor of the SDK's work
// plus a local round trip, not the service's latency.
import { ChildProcess, spawn } from 'child_process';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER_KEYS } from '../src/model/ledger';
import { RunLedger } from '../src/runtime/ledger';
import { markdownTable, progress, ROOT, SectionResult } from './lib';

/** A dynalite server in a child process (so its work is not on the client's event loop). */
async function startDynalite(): Promise<{ endpoint: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, ['-e',
    "require('dynalite')({ createTableMs: 0 }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });"], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`dynalite exited (${code}) before listening`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Milliseconds at the p-th percentile (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** One measured operation: its timings and how many requests each one sent. */
export interface LedgerCase {
  readonly id: 'get' | 'allow' | 'skip' | 'duplicate';
  readonly label: string;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly requests: number;
  readonly n: number;
}

/** Options of {@link runLedger}. */
export interface LedgerBenchOptions {
  /** Measured runs of each case. */
  readonly runs: number;
  /** Unrecorded runs of each case first (connection set-up, JIT). */
  readonly warmup?: number;
}

export async function runLedger(options: LedgerBenchOptions): Promise<SectionResult> {
  const server = await startDynalite();
  const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'ap-northeast-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let requests = 0;
  client.middlewareStack.add((next) => async (args) => {
    requests++;
    return next(args);
  }, { step: 'initialize', name: 'benchCountRequests' });
  try {
    const tableName = 'bench-batchform-ledger';
    await client.send(new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LEDGER_KEYS.partition, AttributeType: 'S' }, { AttributeName: LEDGER_KEYS.sort, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LEDGER_KEYS.partition, KeyType: 'HASH' }, { AttributeName: LEDGER_KEYS.sort, KeyType: 'RANGE' }],
    }));
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const allow = new RunLedger({ tableName, batch: 'bench-allow', overlap: 'allow', client: doc });
    const skip = new RunLedger({ tableName, batch: 'bench-skip', overlap: 'skip', client: doc });
    const duplicate = new RunLedger({ tableName, batch: 'bench-duplicate', overlap: 'skip', client: doc });
    const total = options.runs + (options.warmup ?? 20);
    const base = Date.parse('2027-01-01T00:00:00Z');
    const time = (i: number) => new Date(base + i * 60_000);
    const request = (i: number) => ({ scheduledTime: time(i), owner: `req-${i}`, timeoutMs: 900_000, trigger: 'schedule' as const });
    // The duplicate case needs a run that succeeded: one, delivered again and again.
    await duplicate.finish(await duplicate.claim(request(0)));

    const cases: Array<{ id: LedgerCase['id']; label: string; op: (i: number) => Promise<unknown> }> = [
      { id: 'get', label: 'One GetItem (the bare round trip of one request)', op: (i) => doc.send(new GetCommand({ TableName: tableName, Key: { batch: 'bench-allow', run: time(i).toISOString() } })) },
      { id: 'allow', label: 'Claim + finish, `overlap: \'allow\'` (no lease)', op: async (i) => allow.finish(await allow.claim(request(i))) },
      { id: 'skip', label: 'Claim + finish with the lease, `overlap: \'skip\'` (the default)', op: async (i) => skip.finish(await skip.claim(request(i))) },
      { id: 'duplicate', label: 'A duplicate delivery of a run that succeeded', op: () => duplicate.claim({ ...request(0), owner: 'another-delivery' }) },
    ];
    const samples = new Map<LedgerCase['id'], number[]>(cases.map((c) => [c.id, []]));
    const counts = new Map<LedgerCase['id'], number>();
    // Interleaved, one of each case per round, so a machine that slows down moves them together.
    for (let i = 0; i < total; i++) {
      for (const c of cases) {
        const before = requests;
        const start = process.hrtime.bigint();
        await c.op(i + 1);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        counts.set(c.id, requests - before);
        if (i >= total - options.runs) samples.get(c.id)!.push(ms);
      }
      if ((i + 1) % 50 === 0) progress(`ledger: ${i + 1}/${total} rounds`);
    }
    const results: LedgerCase[] = cases.map((c) => {
      const v = samples.get(c.id)!;
      const sorted = [...v].sort((a, b) => a - b);
      return {
        id: c.id, label: c.label, n: v.length, requests: counts.get(c.id)!,
        medianMs: percentile(v, 50), p95Ms: percentile(v, 95), minMs: sorted[0], maxMs: sorted[sorted.length - 1],
      };
    });
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    const byId = (id: LedgerCase['id']) => results.find((r) => r.id === id)!;
    const details = `${markdownTable(['Operation', 'Requests', 'Median', 'p95', 'Min–max', 'Runs'],
      results.map((r) => [r.label, String(r.requests), f(r.medianMs), f(r.p95Ms), `${f(r.minMs)}–${f(r.maxMs)}`, String(r.n)]))}

What it measures: \`RunLedger\` (src/runtime/ledger.ts), the code a batch runs, with the SDK's
DynamoDB document client, against dynalite in its own Node.js process on 127.0.0.1; every run a
new scheduled time, the cases interleaved round by round. A normal run reads the batch's pause
record (1 GetItem), then claims and finishes: 3 UpdateItems without the lease (claim, finish, the
count of failed runs in a row), 5 with it (and take and free the lease). A duplicate delivery pays
the pause read, a failed conditional write and the count.

**This is not DynamoDB's latency.** Loopback has no network and dynalite no replication, so on
an idle machine these figures are a floor: the SDK's work (signing, marshalling, parsing) plus a
local round trip; on a loaded machine (see the load average above) they also carry its queueing,
mostly in the p95. In AWS each request is a round trip to DynamoDB in the function's region, for
which AWS states "consistent, single-digit millisecond latency at any scale"
(https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/dynamodb.html): a run with
the lease adds 6 such round trips (a duplicate delivery 3), i.e. roughly 10–60 ms per run, whatever
the run's length; the measured figures here are the client's share of that.`;
    return {
      title: 'Ledger',
      summary: [
        ['Ledger: claim + finish with the lease, per run (dynalite on loopback; a floor, not DynamoDB)', `${f(byId('skip').medianMs)} (p95 ${f(byId('skip').p95Ms)})`, 'no ledger: 0 ms', '—', 'time'],
        ['Ledger: claim + finish without the lease, per run (dynalite on loopback)', `${f(byId('allow').medianMs)} (p95 ${f(byId('allow').p95Ms)})`, 'no ledger: 0 ms', '—', 'time'],
        ['Ledger: a duplicate delivery (dynalite on loopback)', `${f(byId('duplicate').medianMs)} (p95 ${f(byId('duplicate').p95Ms)})`, 'a second run of the handler', '—', 'time'],
      ],
      details,
      raw: results,
    };
  } finally {
    client.destroy();
    server.stop();
  }
}
