import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildManifest, readManifest } from '../../src/manifest/manifest';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

const decl = validateDeclarations({
  stages: [
    { ...STAGE, tags: { owner: 'platform' } },
    { ...STAGE, name: 'dev', account: '444455556666', stackPrefix: 'acme-dev', artifactPrefix: 'code', subnetIds: [], securityGroupIds: [], alarmEmails: ['a@example.com', 'b@example.com'] },
  ],
  batches: [
    { ...BATCH, vpc: true, stages: ['prod'], timezone: 'Asia/Seoul', tags: { team: 'data' } },
    { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'rate(7 days)' },
  ],
}, { fileExists });
const manifest = buildManifest(decl, 'cfn-out');

describe('manifest', () => {
  test('lists every batch with its schedule and time zone for the CLI', () => {
    expect(manifest.version).toBe(1);
    expect(manifest.batches.map((b) => [b.name, b.schedule, b.timezone, b.template, b.handler])).toEqual([
      ['daily-stats', 'cron(10 15 * * ? *)', 'Asia/Seoul', 'cfn-out/daily-stats.template.json', 'handlers/daily-stats.ts'],
      ['weekly-report', 'rate(7 days)', 'UTC', 'cfn-out/weekly-report.template.json', 'handlers/weekly-report.ts'],
    ]);
  });

  test('lists per stage only the stacks that deploy there, named <stackPrefix>-<batch>', () => {
    expect(manifest.stages.map((s) => [s.name, s.stacks.map((st) => st.stackName)])).toEqual([
      ['prod', ['prod-daily-stats', 'prod-weekly-report']],
      ['dev', ['acme-dev-weekly-report']],
    ]);
  });

  test('gives parameter values per stage, list parameters comma-joined, and where the code goes', () => {
    const prod = manifest.stages[0];
    // daily-stats deploys only to prod, which has no alarm e-mails: its template takes no AlarmEmails.
    expect(prod.stacks[0].parameters).toEqual({
      CodeS3Bucket: STAGE.artifactBucket,
      SubnetIds: 'subnet-0a1b2c3d4e5f60718',
      SecurityGroupIds: 'sg-0123456789abcdef0',
      AlarmTopicArn: 'none',
      PermissionsBoundaryArn: 'no-permissions-boundary',
      // The stage's run ledger, named after its stack prefix, and how long it keeps a run.
      LedgerTableName: 'prod-batchform-ledger',
      LedgerRetentionDays: '90',
    });
    // No stack takes e-mail addresses any more: the stage stack does.
    expect(prod.stacks[1].parameters).toEqual({
      CodeS3Bucket: STAGE.artifactBucket,
      AlarmTopicArn: 'none',
      PermissionsBoundaryArn: 'no-permissions-boundary',
      LedgerTableName: 'prod-batchform-ledger',
      LedgerRetentionDays: '90',
    });
    expect(manifest.stages[1].stacks[0].parameters).toMatchObject({ LedgerTableName: 'acme-dev-batchform-ledger' });
    expect(prod.stacks[0].code).toEqual({
      bucket: STAGE.artifactBucket, keyPrefix: 'batchform/daily-stats', bucketParameter: 'CodeS3Bucket', keyParameter: 'CodeS3Key',
    });
    expect(manifest.stages[1].stacks[0].code.keyPrefix).toBe('code/weekly-report');
  });

  test('passes each stage\'s alarm target, and none for batches that opt out', () => {
    // An e-mail stage: its batches notify the stage stack's one topic, which subscribes the addresses.
    expect(manifest.stages[1].stacks[0].parameters.AlarmTopicArn).toBe('arn:aws:sns:ap-northeast-2:444455556666:acme-dev-alarms');
    expect(manifest.stages[1].stageStack?.parameters).toMatchObject({
      AlarmEmails: 'a@example.com,b@example.com', AlarmTopicName: 'acme-dev-alarms', LedgerTableName: 'acme-dev-batchform-ledger',
    });
    expect(manifest.stages[0].stageStack?.parameters).toMatchObject({ AlarmEmails: '', AlarmTopicName: 'prod-alarms', LedgerTableName: 'prod-batchform-ledger' });
    const quiet = buildManifest(validateDeclarations({ stages: [{ ...STAGE, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:oncall' }], batches: [BATCH, { ...BATCH, name: 'quiet', alarms: false }] }, { fileExists }), 'cfn-out');
    expect(quiet.stages[0].stacks[0].parameters.AlarmTopicArn).toBe('arn:aws:sns:ap-northeast-2:111122223333:oncall');
    expect(Object.keys(quiet.stages[0].stacks[1].parameters)).toEqual(['CodeS3Bucket', 'PermissionsBoundaryArn', 'LedgerTableName', 'LedgerRetentionDays']);
  });

  test('lists each stage\'s stage stack, named <stackPrefix>-stage, with one template for every stage', () => {
    expect(manifest.stages.map((st) => st.stageStack)).toEqual([
      {
        stackName: 'prod-stage',
        template: 'cfn-out/stage.template.json',
        // The stage's run ledger table is named after its stack prefix, as every batch stack of the stage names it.
        parameters: {
          AlarmEmails: '', AlarmTopicName: 'prod-alarms', LedgerTableName: 'prod-batchform-ledger', WatchdogStage: 'prod', WatchdogCodeBucket: STAGE.artifactBucket, WatchdogPermissionsBoundaryArn: 'no-permissions-boundary',
        },
        tags: { 'owner': 'platform', 'batchform:stage': 'prod' },
        artifacts: { bucket: STAGE.artifactBucket, keyPrefix: 'batchform/stage' },
        // The watchdog's zip: <artifactPrefix>/stage/<sha256>.zip, its key passed by the deploy.
        code: { bucket: STAGE.artifactBucket, keyPrefix: 'batchform/stage', bucketParameter: 'WatchdogCodeBucket', keyParameter: 'WatchdogCodeKey' },
      },
      {
        stackName: 'acme-dev-stage',
        template: 'cfn-out/stage.template.json',
        parameters: {
          AlarmEmails: 'a@example.com,b@example.com', AlarmTopicName: 'acme-dev-alarms', LedgerTableName: 'acme-dev-batchform-ledger', WatchdogStage: 'dev', WatchdogCodeBucket: STAGE.artifactBucket, WatchdogPermissionsBoundaryArn: 'no-permissions-boundary',
        },
        tags: { 'batchform:stage': 'dev' },
        artifacts: { bucket: STAGE.artifactBucket, keyPrefix: 'code/stage' },
        code: { bucket: STAGE.artifactBucket, keyPrefix: 'code/stage', bucketParameter: 'WatchdogCodeBucket', keyParameter: 'WatchdogCodeKey' },
      },
    ]);
  });

  test('a batch\'s own alarmTopicArn wins, placeholders filled per stage; a stage whose batches all have their own creates no topic', () => {
    const own = buildManifest(validateDeclarations({
      stages: [{ ...STAGE, alarmEmails: ['oncall@example.com'] }],
      batches: [{ ...BATCH, alarmTopicArn: 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:data-oncall' }],
    }, { fileExists }), 'cfn-out');
    expect(own.stages[0].stacks[0].parameters.AlarmTopicArn).toBe('arn:aws:sns:ap-northeast-2:111122223333:data-oncall');
    expect(own.stages[0].stageStack?.parameters.AlarmEmails).toBe('');
  });

  test('passes the stage\'s permissions boundary to every stack', () => {
    const bounded = buildManifest(validateDeclarations({
      stages: [{ ...STAGE, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary' }], batches: [BATCH],
    }, { fileExists }), 'cfn-out');
    expect(bounded.stages[0].stacks[0].parameters.PermissionsBoundaryArn).toBe('arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary');
  });

  test('merges stage, batch and batchform tags', () => {
    expect(manifest.stages[0].stacks[0].tags).toEqual({
      'owner': 'platform', 'team': 'data', 'batchform:batch': 'daily-stats', 'batchform:stage': 'prod',
    });
  });

  test('records driftDetection only for a stage that turned it off (absent means on)', () => {
    expect(manifest.stages.map((s) => s.driftDetection)).toEqual([undefined, undefined]);
    const off = buildManifest(validateDeclarations({ stages: [{ ...STAGE, driftDetection: false }], batches: [BATCH] }, { fileExists }), 'cfn-out');
    expect(off.stages[0].driftDetection).toBe(false);
  });

  test('round-trips through JSON without losing fields', () => {
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });
});

describe('a manifest that is not what batchform writes is refused with an accurate message', () => {
  const write = (content: unknown): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-manifest-'));
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const stage = (stacks: unknown[]) => ({ name: 'prod', account: '111122223333', region: 'eu-west-1', artifactBucket: 'b', artifactPrefix: 'batchform', stacks });
  const stack = { stackName: 'prod-a', batch: 'a', template: 'cfn-out/a.template.json', parameters: {}, tags: {}, code: { bucket: 'b', keyPrefix: 'p', bucketParameter: 'B', keyParameter: 'K' } };

  test('a stack without code names where, not a TypeError', () => {
    const { code: _code, ...noCode } = stack;
    const file = write({ version: 1, batches: [], stages: [stage([stack, noCode])] });
    expect(() => readManifest(file)).toThrow(`manifest ${file} is version 1 but not shaped as batchform writes it: stages[0].stacks[1].code is missing, not an object`);
  });

  test('a stage stack whose code lacks its key parameter, or a watchdog configuration that is not a path, names where', () => {
    const stageStack = { stackName: 'prod-stage', template: 'cfn-out/stage.template.json', parameters: {}, tags: {}, code: { bucket: 'b', keyPrefix: 'batchform/stage', bucketParameter: 'B' } };
    const file = write({ version: 1, batches: [], stages: [{ ...stage([stack]), stageStack }], watchdogConfig: 7 });
    expect(() => readManifest(file)).toThrow('stages[0].stageStack.code.keyParameter is missing, not a string; watchdogConfig is number, not a string');
    // A stage stack without code (a manifest from before the watchdog) is still read.
    const { code: _code, ...older } = stageStack;
    expect(readManifest(write({ version: 1, batches: [], stages: [{ ...stage([stack]), stageStack: older }] })).stages[0].stageStack).toEqual(older);
  });

  test('a wrong shape is not called "not a version 1 manifest (version 1)"', () => {
    const file = write({ version: 1, batches: {}, stages: [] });
    let message = '';
    try {
      readManifest(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('batches is object, not a list');
    expect(message).not.toMatch(/not a version 1/);
  });

  test('another version names it', () => {
    expect(() => readManifest(write({ version: 2, batches: [], stages: [] }))).toThrow(/is version 2, but this batchform reads version 1/);
    expect(() => readManifest(write({ batches: [], stages: [] }))).toThrow(/is missing its "version", but this batchform reads version 1/);
    expect(() => readManifest(write([1]))).toThrow(/is not a batchform manifest \(it holds a list, not an object\)/);
  });
});
