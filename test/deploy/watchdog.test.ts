// The stage stack's code, the watchdog's zip, in the deploy engine: checked like a batch's zip (and
// against the watchdog.json "npx projen" generated), uploaded under its hash before the stage
// stack's change set, its key and checked S3 version passed to the stage stack.
import * as fs from 'fs';
import * as path from 'path';
import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, engineOptions, fakeAws, liveStack, makeProject, recordTemplateHashes, TestProject } from './helpers';
import { deployStage, loadDeployInputs } from '../../src/deploy';
import { sha256Base64 } from '../../src/deploy/upload';
import type { Manifest } from '../../src/manifest/manifest';
import { sha256Hex } from '../../src/model/hash';

const CONFIG = '{\n  "version": 1,\n  "stages": {}\n}\n';

/** A project whose stage stack has the watchdog: its template's parameters, the manifest's code entry, the config file and the packaged zip. */
function withWatchdog(options: { batches?: string[]; zip?: string } = {}): TestProject & { zipSha: string } {
  const project = makeProject({ batches: options.batches ?? ['daily-stats'] });
  const dir = project.dir;
  fs.writeFileSync(path.join(dir, 'cfn-out/stage.template.json'), JSON.stringify({
    Parameters: {
      WatchdogStage: { Type: 'String' },
      WatchdogCodeBucket: { Type: 'String' },
      WatchdogCodeKey: { Type: 'String' },
      WatchdogCodeVersion: { Type: 'String', Default: 'unpinned' },
      LedgerTableName: { Type: 'String' },
    },
    Resources: { WatchdogFunction: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Bucket: { Ref: 'WatchdogCodeBucket' }, S3Key: { Ref: 'WatchdogCodeKey' } } } } },
  }, null, 2));
  fs.writeFileSync(path.join(dir, 'cfn-out/watchdog.json'), CONFIG);
  const zip = Buffer.from(options.zip ?? 'zip of the watchdog');
  fs.writeFileSync(path.join(dir, 'dist/batches/stage.zip'), zip);
  const zipSha = sha256Hex(zip);
  const bundlesFile = path.join(dir, 'dist/batches/bundles.json');
  const bundles = JSON.parse(fs.readFileSync(bundlesFile, 'utf8'));
  bundles.watchdog = { batch: 'stage', zip: 'dist/batches/stage.zip', sha256: zipSha, size: zip.length, bundleSize: 10, configSha256: sha256Hex(CONFIG) };
  fs.writeFileSync(bundlesFile, JSON.stringify(bundles, null, 2));
  const stage = project.manifest.stages[0];
  const next: Manifest = {
    ...project.manifest,
    watchdogConfig: 'cfn-out/watchdog.json',
    stages: [{
      ...stage,
      stacks: options.batches?.length === 0 ? [] : stage.stacks,
      stageStack: {
        stackName: 'prod-stage',
        template: 'cfn-out/stage.template.json',
        parameters: { WatchdogStage: 'prod', WatchdogCodeBucket: BUCKET, LedgerTableName: 'prod-batchform-ledger' },
        tags: { 'batchform:stage': 'prod' },
        artifacts: { bucket: BUCKET, keyPrefix: 'batchform/stage' },
        code: { bucket: BUCKET, keyPrefix: 'batchform/stage', bucketParameter: 'WatchdogCodeBucket', keyParameter: 'WatchdogCodeKey' },
      },
    }],
  };
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(next, null, 2));
  recordTemplateHashes(dir, stage.stacks.map((st) => st.batch));
  return { ...project, manifest: next, zipSha, inputs: () => loadDeployInputs({ stage: 'prod', projectDir: dir }) };
}

describe('the watchdog zip in the deploy inputs', () => {
  test('is the stage stack\'s code: checked, keyed <artifactPrefix>/stage/<sha256>.zip, passed as WatchdogCodeKey, part of the fingerprint', () => {
    const project = withWatchdog();
    const stageStack = project.inputs().stageStack!;
    const key = `batchform/stage/${project.zipSha}.zip`;
    expect(stageStack.code).toEqual({ zipPath: path.join(project.dir, 'dist/batches/stage.zip'), sha256: project.zipSha, bucket: BUCKET, key });
    expect(stageStack.parameters).toEqual({ WatchdogStage: 'prod', WatchdogCodeBucket: BUCKET, LedgerTableName: 'prod-batchform-ledger', WatchdogCodeKey: key });
    expect(stageStack.codeVersionParameter).toBe('WatchdogCodeVersion');
    // Another zip is another stage stack to deploy.
    expect(withWatchdog({ zip: 'another watchdog' }).inputs().stageStack!.fingerprint).not.toBe(stageStack.fingerprint);
  });

  test('a stage without batch stacks still needs the watchdog\'s zip', () => {
    const project = withWatchdog({ batches: [] });
    expect(project.inputs().stageStack!.code?.sha256).toBe(project.zipSha);
    fs.rmSync(path.join(project.dir, 'dist/batches/bundles.json'));
    expect(() => project.inputs()).toThrow(/bundles file .*dist\/batches\/bundles\.json not found; run "npx projen package:batches"/);
  });

  test('a zip changed after packaging, a bundles file without it, or a zip packaged from an older watchdog.json is refused before any AWS call', () => {
    const edited = withWatchdog();
    fs.writeFileSync(path.join(edited.dir, 'dist/batches/stage.zip'), 'tampered');
    expect(() => edited.inputs()).toThrow(/stage stack prod-stage: zip dist\/batches\/stage\.zip does not match the sha256 recorded in dist\/batches\/bundles\.json/);

    const unlisted = withWatchdog();
    const file = path.join(unlisted.dir, 'dist/batches/bundles.json');
    const { watchdog: _dropped, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify(rest));
    expect(() => unlisted.inputs()).toThrow(/stage stack prod-stage: the stage watchdog has no zip in dist\/batches\/bundles\.json; run "npx projen package:batches"/);

    const stale = withWatchdog();
    fs.writeFileSync(path.join(stale.dir, 'cfn-out/watchdog.json'), CONFIG.replace('{}', '{ "prod": {} }'));
    expect(() => stale.inputs()).toThrow(/zip dist\/batches\/stage\.zip was packaged from another cfn-out\/watchdog\.json .*run "npx projen package:batches" again/);
  });
});

describe('the watchdog zip in a deploy', () => {
  test('is uploaded under its hash before the stage stack\'s change set, which gets its key and the version S3 gave it', async () => {
    const project = withWatchdog();
    const key = `batchform/stage/${project.zipSha}.zip`;
    const aws = fakeAws({ byName: Object.fromEntries(['prod-stage', 'prod-daily-stats'].map((n) => [n, [liveStack(n, 'CREATE_COMPLETE')]])) });
    const result = await deployStage(project.inputs(), engineOptions(aws.clients));
    expect(result.ok).toBe(true);
    expect(result.stacks[0]).toMatchObject({ stackName: 'prod-stage', code: 'uploaded' });
    expect(aws.s3.commandCalls(PutObjectCommand, { Bucket: BUCKET, Key: key, ChecksumSHA256: sha256Base64(project.zipSha) })).toHaveLength(1);
    const order = aws.sent.map(([op, input]) => `${op} ${input.Key ?? input.StackName ?? ''}`);
    expect(order.indexOf(`PutObject ${key}`)).toBeLessThan(order.indexOf('CreateChangeSet prod-stage'));
    const create = aws.cfn.commandCalls(CreateChangeSetCommand).map((c) => c.args[0].input).find((i) => i.StackName === 'prod-stage')!;
    expect(create.Parameters).toEqual(expect.arrayContaining([
      { ParameterKey: 'WatchdogCodeKey', ParameterValue: key },
      { ParameterKey: 'WatchdogCodeVersion', ParameterValue: 'uploaded-1' },
    ]));
  });

  test('a preview only checks the zip is there, and uploads nothing', async () => {
    const project = withWatchdog();
    const aws = fakeAws({ live: [liveStack('prod-stage', 'UPDATE_COMPLETE', 'old')] });
    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview', drift: false }));
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(HeadObjectCommand, { Key: `batchform/stage/${project.zipSha}.zip` }).length).toBeGreaterThan(0);
    expect(result.stacks[0].notes).toContain(`The new code zip (sha256 ${project.zipSha.slice(0, 12)}…) is not in S3 yet; deploy uploads it.`);
  });
});
