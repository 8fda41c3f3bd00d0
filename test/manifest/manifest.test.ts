import { buildManifest } from '../../src/manifest/manifest';
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
    expect(prod.stacks[1].parameters).toEqual({
      CodeS3Bucket: STAGE.artifactBucket,
      AlarmTopicArn: 'none',
      AlarmEmails: '',
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
    expect(manifest.stages[1].stacks[0].parameters).toMatchObject({ AlarmTopicArn: 'none', AlarmEmails: 'a@example.com,b@example.com' });
    const quiet = buildManifest(validateDeclarations({ stages: [{ ...STAGE, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:oncall' }], batches: [BATCH, { ...BATCH, name: 'quiet', alarms: false }] }, { fileExists }), 'cfn-out');
    expect(quiet.stages[0].stacks[0].parameters.AlarmTopicArn).toBe('arn:aws:sns:ap-northeast-2:111122223333:oncall');
    expect(Object.keys(quiet.stages[0].stacks[1].parameters)).toEqual(['CodeS3Bucket', 'PermissionsBoundaryArn', 'LedgerTableName', 'LedgerRetentionDays']);
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
