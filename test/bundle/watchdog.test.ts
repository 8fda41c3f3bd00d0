// The stage watchdog's code zip: batchform's own watchdog handler bundled with `watchdog.json`,
// byte-identical across builds, time zones and projects, listed in bundles.json; and the bundled
// handler itself, run in plain Node (Lambda's module path: only @aws-sdk) against dynalite.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { packageBatches } from '../../src/bundle/package';
import { packageWatchdog, watchdogEntry, watchdogZip } from '../../src/bundle/watchdog';
import { sha256Hex } from '../../src/bundle/zip';
import { WatchdogConfigFile, watchdogConfigJson } from '../../src/model/watchdog';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';
import { LocalDynamo, startDynalite } from '../ledger/dynalite';

const ROOT = path.resolve(__dirname, '../..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-watchdog-zip-'));
const originalTz = process.env.TZ;
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  process.env.TZ = originalTz;
});

const decl = validateDeclarations({
  stages: [STAGE, { ...STAGE, name: 'staging', stackPrefix: 'acme-staging' }],
  batches: [{ ...BATCH, stages: ['prod', 'staging'] }, { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'cron(0 9 ? * MON *)', stages: ['prod'] }],
}, { fileExists });
const configJson = watchdogConfigJson(decl);

/** The files of a zip (stored or deflated entries), by name, from its central directory. */
function unzip(zip: Buffer): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 46)) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const name = zip.subarray(at + 46, at + 46 + zip.readUInt16LE(at + 28)).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files[name] = method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data);
  }
  return files;
}

describe('the watchdog zip', () => {
  test('holds index.js and watchdog.json (every stage\'s configuration, as generated), nothing else', async () => {
    const { zip } = await watchdogZip(configJson);
    const files = unzip(zip);
    expect(Object.keys(files).sort()).toEqual(['index.js', 'watchdog.json']);
    expect(files['watchdog.json'].toString('utf8')).toBe(configJson);
    expect(Object.keys((JSON.parse(configJson) as WatchdogConfigFile).stages)).toEqual(['prod', 'staging']);
    // The AWS SDK is the Lambda runtime's; everything else is bundled.
    expect(files['index.js'].toString('utf8')).toContain('require("@aws-sdk/client-dynamodb")');
  });

  test('is byte-identical across builds and time zones, and from any project folder', async () => {
    const configFile = path.join(out, 'watchdog.json');
    fs.writeFileSync(configFile, configJson);
    const shas: string[] = [];
    for (const tz of ['UTC', 'Asia/Seoul', 'Pacific/Honolulu']) {
      // Node re-reads TZ when it changes, so local-time getters (used by zip timestamps) follow it.
      process.env.TZ = tz;
      shas.push((await packageWatchdog(configFile, { projectDir: out, outdir: 'dist' })).sha256);
    }
    process.env.TZ = originalTz;
    // A project elsewhere (not batchform's repository): the handler is found next to the bundling module, not in the project.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-user-project-'));
    try {
      fs.copyFileSync(configFile, path.join(elsewhere, 'watchdog.json'));
      shas.push((await packageWatchdog('watchdog.json', { projectDir: elsewhere, outdir: 'dist/batches' })).sha256);
      expect(fs.existsSync(path.join(elsewhere, 'dist/batches/stage.zip'))).toBe(true);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(shas[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(shas).size).toBe(1);
    // Another configuration is another zip.
    expect(sha256Hex((await watchdogZip(configJson.replace('"graceMinutes": 15', '"graceMinutes": 16'))).zip)).not.toBe(shas[0]);
  });

  test('its entry is batchform\'s own module beside the bundling one (src/runtime here, lib/runtime once installed)', () => {
    expect(watchdogEntry()).toBe(path.join(ROOT, 'src', 'runtime', 'watchdog-lambda.ts'));
  });

  test('packaging lists it in bundles.json as `watchdog`, with the SHA-256 of the configuration it holds', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-watchdog-pkg-'));
    try {
      fs.mkdirSync(path.join(project, 'cfn-out'));
      fs.writeFileSync(path.join(project, 'cfn-out/watchdog.json'), configJson);
      const result = await packageBatches([], { projectDir: project, outdir: 'dist/batches', cache: false, watchdogConfig: 'cfn-out/watchdog.json' });
      const listed = JSON.parse(fs.readFileSync(path.join(project, 'dist/batches/bundles.json'), 'utf8'));
      expect(listed.watchdog).toEqual(result.watchdog);
      const zip = fs.readFileSync(path.join(project, listed.watchdog.zip));
      expect(listed.watchdog).toMatchObject({ batch: 'stage', zip: 'dist/batches/stage.zip', sha256: sha256Hex(zip), size: zip.length, configSha256: sha256Hex(configJson) });
      // Without a configuration there is no watchdog entry (older manifests).
      const plain = await packageBatches([], { projectDir: project, outdir: 'other', cache: false });
      expect(plain.watchdog).toBeUndefined();
      await expect(packageBatches([], { projectDir: project, outdir: 'x', cache: false, watchdogConfig: 'cfn-out/missing.json' })).rejects.toThrow(/cfn-out\/missing\.json not found; run "npx projen"/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('the bundled watchdog handler, in plain Node', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => { dynamo = await startDynalite(); });
  afterAll(async () => { await dynamo.stop(); });

  test('reads its stage from BATCHFORM_STAGE and watchdog.json beside it, and records missed times in the table BATCHFORM_LEDGER_TABLE names', async () => {
    const HOUR = 3_600_000;
    const table = await dynamo.createLedger();
    // An hourly batch with no grace: the look-back of one pass (6 hours) holds exactly 6 scheduled times.
    const config: WatchdogConfigFile = {
      version: 1,
      stages: {
        prod: {
          stage: 'prod',
          tableName: 'not-this-table',
          retentionDays: 90,
          batches: [{ batch: 'hourly', stack: 'prod-hourly', schedule: 'cron(0 * * * ? *)', timezone: 'UTC', enabled: true, graceMinutes: 0, keyedBy: 'scheduled-time' }],
        },
      },
    };
    // One of them ran.
    const ran = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR).toISOString();
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    await doc.send(new PutCommand({ TableName: table, Item: { batch: 'hourly', run: ran, status: 'succeeded', attempts: 1, trigger: 'schedule' } }));

    const dir = fs.mkdtempSync(path.join(out, 'lambda-'));
    const files = unzip((await watchdogZip(JSON.stringify(config))).zip);
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
    // Lambda's runtime provides only @aws-sdk/* on its module path.
    const runtimeModules = path.join(dir, 'runtime', 'node_modules');
    fs.mkdirSync(runtimeModules, { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules/@aws-sdk'), path.join(runtimeModules, '@aws-sdk'));
    const script = `require(${JSON.stringify(path.join(dir, 'index.js'))}).handler({}).then((r) => process.stdout.write('RESULT ' + JSON.stringify(r)))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH,
        NODE_PATH: runtimeModules,
        BATCHFORM_STAGE: 'prod',
        BATCHFORM_LEDGER_TABLE: table,
        AWS_REGION: 'ap-northeast-2',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      },
    });
    const summary = JSON.parse(stdout.slice(stdout.indexOf('RESULT ') + 'RESULT '.length));
    expect(summary.stage).toBe('prod');
    expect(summary.batches).toBe(1);
    expect(summary.missed.hourly).toHaveLength(5);
    expect(summary.missed.hourly).not.toContain(ran);
    // The RunMissed metric line the function logs (embedded metric format).
    expect(stdout).toContain('"RunMissed":5');
    const items = (await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: '#b = :b', ExpressionAttributeNames: { '#b': 'batch' }, ExpressionAttributeValues: { ':b': 'hourly' } }))).Items ?? [];
    expect(items.filter((i) => i.status === 'missed').map((i) => i.run).sort()).toEqual([...summary.missed.hourly].sort());
  }, 30_000);
});
