// Deploy inputs: the manifest, templates and zips are checked before any AWS call, every problem listed at once.
import * as fs from 'fs';
import * as path from 'path';
import { BUCKET, makeProject, recordTemplateHashes } from './helpers';
import { DeployInputError, loadDeployInputs } from '../../src/deploy';
import { FINGERPRINT_TAG, stackFingerprint } from '../../src/deploy/fingerprint';

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof DeployInputError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a DeployInputError');
}

test('prepares each stack: code key from the zip hash, every parameter, tags with the fingerprint', () => {
  const project = makeProject({ batches: ['daily-stats', 'weekly-report'] });
  const bundles = JSON.parse(fs.readFileSync(path.join(project.dir, 'dist/batches/bundles.json'), 'utf8'));
  const inputs = project.inputs();

  expect(inputs.stage.name).toBe('prod');
  expect(inputs.stacks.map((s) => s.stack.stackName)).toEqual(['prod-daily-stats', 'prod-weekly-report']);
  const [daily] = inputs.stacks;
  expect(daily.code).toMatchObject({ bucket: BUCKET, key: `batchform/daily-stats/${bundles.bundles[0].sha256}.zip`, sha256: bundles.bundles[0].sha256 });
  expect(daily.parameters).toEqual({ CodeS3Bucket: BUCKET, CodeS3Key: daily.code.key });
  expect(daily.tags[FINGERPRINT_TAG]).toBe(daily.fingerprint);
  expect(daily.fingerprint).toBe(stackFingerprint({
    templateBody: daily.templateBody,
    parameters: daily.parameters,
    codeSha256: daily.code.sha256,
    tags: daily.stack.tags,
    roleArn: 'arn:aws:iam::111122223333:role/batchform-cfn-exec',
  }));
  expect(daily.batch?.schedule).toBe('cron(0 16 * * ? *)');
});

test('an unknown stage is bad input naming the stages there are', () => {
  const project = makeProject();
  expect(problems(() => loadDeployInputs({ stage: 'qa', projectDir: project.dir }))).toEqual([
    'stage "qa" is not in cfn-out/manifest.json; its stages are: prod. Pass one of them with --stage.',
  ]);
});

test('a missing manifest or bundles file says how to create it', () => {
  const project = makeProject();
  expect(problems(() => loadDeployInputs({ stage: 'prod', projectDir: project.dir, manifestFile: 'nope.json' }))[0])
    .toMatch(/^manifest .*nope\.json not found; run "npx projen" to generate it\.$/);
  fs.rmSync(path.join(project.dir, 'dist/batches/bundles.json'));
  expect(problems(() => project.inputs())[0]).toMatch(/^bundles file .*bundles\.json not found; run "npx projen package:batches"/);
});

test('every stack problem is listed at once: missing zip, stale zip, missing template, parameter mismatch', () => {
  const project = makeProject({ batches: ['a', 'b', 'c', 'd'] });
  fs.rmSync(path.join(project.dir, 'dist/batches/a.zip'));
  fs.writeFileSync(path.join(project.dir, 'dist/batches/b.zip'), 'changed after packaging');
  fs.rmSync(path.join(project.dir, 'cfn-out/c.template.json'));
  const templateD = path.join(project.dir, 'cfn-out/d.template.json');
  const d = JSON.parse(fs.readFileSync(templateD, 'utf8'));
  d.Parameters = { CodeS3Key: { Type: 'String' }, SubnetIds: { Type: 'CommaDelimitedList' } };
  fs.writeFileSync(templateD, JSON.stringify(d));
  // As "npx projen" would record it, so only the parameter mismatch is left to find.
  recordTemplateHashes(project.dir, ['a', 'b', 'd']);

  expect(problems(() => project.inputs())).toEqual([
    'stage "prod", stack prod-a: zip dist/batches/a.zip (listed in dist/batches/bundles.json) not found; run "npx projen package:batches".',
    'stage "prod", stack prod-b: zip dist/batches/b.zip does not match the sha256 recorded in dist/batches/bundles.json (changed since packaging); run "npx projen package:batches" again.',
    'stage "prod", stack prod-c: template cfn-out/c.template.json not found; run "npx projen" to generate it.',
    'stage "prod", stack prod-d: the manifest passes parameter CodeS3Bucket, which template cfn-out/d.template.json does not declare; run "npx projen" so both are regenerated together.',
    'stage "prod", stack prod-d: template cfn-out/d.template.json needs parameter SubnetIds, which the manifest does not give; run "npx projen" so both are regenerated together.',
  ]);
});

test('a manifest or bundles file naming files outside the project (a pull request\'s build, previewed with AWS credentials) is refused before any read', () => {
  const project = makeProject({ batches: ['a'] });
  const manifestFile = path.join(project.dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').split('cfn-out/a.template.json').join('../../../etc/passwd'));
  const bundlesFile = path.join(project.dir, 'dist/batches/bundles.json');
  const bundles = JSON.parse(fs.readFileSync(bundlesFile, 'utf8'));
  bundles.bundles[0].zip = '/etc/hostname';
  fs.writeFileSync(bundlesFile, JSON.stringify(bundles));
  expect(problems(() => project.inputs())).toEqual([
    'stage "prod", stack prod-a: template ../../../etc/passwd is outside the project directory; run "npx projen" to regenerate the manifest.',
    'stage "prod", stack prod-a: zip /etc/hostname (listed in dist/batches/bundles.json) is outside the project directory; run "npx projen package:batches" again.',
  ]);
});

test('the error message lists all problems on separate lines', () => {
  const error = new DeployInputError(['first problem.', 'second problem.']);
  expect(error.message).toBe('2 problems:\n  - first problem.\n  - second problem.');
});

test('a stage with no stacks needs no bundles file', () => {
  const project = makeProject();
  const manifestFile = path.join(project.dir, 'cfn-out/manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.stages[0].stacks = [];
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  fs.rmSync(path.join(project.dir, 'dist/batches/bundles.json'));
  expect(project.inputs().stacks).toEqual([]);
});
