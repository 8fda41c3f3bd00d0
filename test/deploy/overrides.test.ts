// Per-stage overrides through the deploy engine: a real generated template and manifest, one
// change set per stage with that stage's parameters, fingerprints per stage, secrets hidden.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { change, engineOptions, fakeAws, liveStack, recordTemplateHashes } from './helpers';
import { deployStage, loadDeployInputs, renderMarkdownReport, renderTextReport } from '../../src/deploy';
import { buildManifest, stageTemplatePath, templatePath } from '../../src/manifest/manifest';
import type { BatchOptions } from '../../src/model/batch-options';
import { watchdogConfigJson } from '../../src/model/watchdog';
import { batchTemplates } from '../../src/template/batch-template';
import { stageTemplate } from '../../src/template/stage-stack';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

const STAGING = { ...STAGE, name: 'staging' };
const DAILY: BatchOptions = {
  ...BATCH,
  environment: { REPORT_BUCKET: 'reports-prod', API_TOKEN: 'tok-prod-5f3a' },
  reservedConcurrency: 1,
  overrides: { staging: { schedule: 'cron(0 3 ? * MON *)', enabled: false, memorySize: 1024, reservedConcurrency: false, environment: { REPORT_BUCKET: 'reports-staging', API_TOKEN: 'tok-staging-9c1e' } } },
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Generates cfn-out/ and a packaged zip for `batch` in a scratch project, as `npx projen` and `package:batches` would. */
function generate(batch: BatchOptions): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-overrides-deploy-'));
  dirs.push(dir);
  const decl = validateDeclarations({ stages: [STAGE, STAGING], batches: [batch] }, { fileExists });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  for (const [name, t] of Object.entries(batchTemplates(decl.batches))) fs.writeFileSync(path.join(dir, templatePath('cfn-out', name)), JSON.stringify(t, null, 2));
  fs.writeFileSync(path.join(dir, stageTemplatePath('cfn-out')), JSON.stringify(stageTemplate(decl), null, 2));
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify(buildManifest(decl, 'cfn-out'), null, 2));
  recordTemplateHashes(dir, decl.batches.map((b) => b.name));
  fs.mkdirSync(path.join(dir, 'dist/batches'), { recursive: true });
  const zip = Buffer.from('zip of daily-stats');
  fs.writeFileSync(path.join(dir, 'dist/batches/daily-stats.zip'), zip);
  // The stage watchdog's configuration and zip.
  const config = watchdogConfigJson(decl);
  fs.writeFileSync(path.join(dir, 'cfn-out/watchdog.json'), config);
  const watchdogZip = Buffer.from('zip of the watchdog');
  fs.writeFileSync(path.join(dir, 'dist/batches/stage.zip'), watchdogZip);
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  fs.writeFileSync(path.join(dir, 'dist/batches/bundles.json'), JSON.stringify({
    version: 1,
    bundles: [{
      batch: 'daily-stats', zip: 'dist/batches/daily-stats.zip', sha256: sha(zip), size: zip.length, bundleSize: 10,
    }],
    watchdog: { batch: 'stage', zip: 'dist/batches/stage.zip', sha256: sha(watchdogZip), size: watchdogZip.length, bundleSize: 10, configSha256: sha(config) },
  }));
  return dir;
}

/** The parameters of the batch stack's change set (the stage stack's comes first). */
const sentParameters = (aws: ReturnType<typeof fakeAws>, stackName: string) =>
  Object.fromEntries((aws.cfn.commandCalls(CreateChangeSetCommand)
    .find((c) => c.args[0].input.StackName === stackName)!.args[0].input.Parameters ?? [])
    .map((p) => [p.ParameterKey, p.ParameterValue]));

describe('per-stage overrides in the deploy engine', () => {
  const dir = generate(DAILY);

  test.each([
    ['prod', { ScheduleExpression: 'cron(10 15 * * ? *)', ScheduleState: 'ENABLED', MemorySize: '256', ReservedConcurrency: '1', EnvReportBucket: 'reports-prod', EnvApiToken: 'tok-prod-5f3a' }],
    ['staging', { ScheduleExpression: 'cron(0 3 ? * MON *)', ScheduleState: 'DISABLED', MemorySize: '1024', ReservedConcurrency: '0', EnvReportBucket: 'reports-staging', EnvApiToken: 'tok-staging-9c1e' }],
  ])('stage %s: the change set carries that stage\'s parameters', async (stage, expected) => {
    const stackName = `${stage}-daily-stats`;
    const aws = fakeAws({ byName: { [stackName]: [liveStack(stackName, 'CREATE_COMPLETE')], [`${stage}-stage`]: [liveStack(`${stage}-stage`, 'CREATE_COMPLETE')] } });
    const result = await deployStage(loadDeployInputs({ stage, projectDir: dir }), engineOptions(aws.clients));
    expect(result.stacks.map((st) => st.stackName)).toEqual([`${stage}-stage`, stackName]);
    expect(result.stacks[1]).toMatchObject({ stackName, outcome: 'created' });
    expect(sentParameters(aws, stackName)).toMatchObject(expected);
  });

  test('the preview shows the stage\'s schedule and values, and hides its environment', async () => {
    const aws = fakeAws({
      live: [liveStack('staging-daily-stats', 'UPDATE_COMPLETE', 'old')],
      changeSet: {
        pages: [[
          change('Modify', 'Function', 'AWS::Lambda::Function', [
            { path: 'MemorySize', before: '256', after: '1024', parameter: 'MemorySize' },
            { path: 'Environment/Variables/API_TOKEN', before: '"tok-prod-5f3a"', after: '"tok-staging-9c1e"', parameter: 'EnvApiToken' },
          ], 'False'),
          change('Modify', 'Schedule', 'AWS::Events::Rule', [
            { path: 'ScheduleExpression', before: '"cron(10 15 * * ? *)"', after: '"cron(0 3 ? * MON *)"', parameter: 'ScheduleExpression' },
            { path: 'State', before: '"ENABLED"', after: '"DISABLED"', parameter: 'ScheduleState' },
          ], 'False'),
        ]],
      },
    });
    const result = await deployStage(loadDeployInputs({ stage: 'staging', projectDir: dir }), engineOptions(aws.clients, { mode: 'preview' }));
    const text = renderTextReport(result);
    const markdown = renderMarkdownReport(result);
    for (const report of [text, markdown]) {
      expect(report).toMatch(/MemorySize.*256.*1024/);
      expect(report).toContain('cron(0 3 ? * MON *)');
      expect(report).not.toContain('tok-staging-9c1e');
      expect(report).not.toContain('tok-prod-5f3a');
    }
    expect(text).toContain('  In stage staging: schedule cron(0 3 ? * MON *), disabled, memory 1024 MB, no reserved concurrency, environment REPORT_BUCKET, API_TOKEN (values hidden).\n');
    expect(markdown).toContain('In stage staging: schedule cron(0 3 ? \\* MON \\*), disabled, memory 1024 MB, no reserved concurrency, environment REPORT\\_BUCKET, API\\_TOKEN (values hidden).');
    // The schedule shown is staging's, in staging's state: disabled, so no next runs.
    expect(result.stacks.find((st) => st.batch === 'daily-stats')?.schedule).toMatchObject({ after: 'cron(0 3 ? * MON *)', enabled: false, nextRuns: [] });
  });

  test('a stage\'s fingerprint changes with its parameters only', () => {
    const before = (stage: string) => loadDeployInputs({ stage, projectDir: dir }).stacks[0];
    const other = generate({ ...DAILY, overrides: { staging: { ...DAILY.overrides!.staging, memorySize: 2048 } } });
    const after = (stage: string) => loadDeployInputs({ stage, projectDir: other }).stacks[0];
    expect(after('staging').templateBody).toBe(before('staging').templateBody);
    expect(after('staging').parameters.MemorySize).toBe('2048');
    expect(after('staging').fingerprint).not.toBe(before('staging').fingerprint);
    expect(after('prod').fingerprint).toBe(before('prod').fingerprint);
  });

  test('a durable batch: one stage\'s override changes that stage\'s fingerprint and published version only', () => {
    const DURABLE_DAILY: BatchOptions = { ...DAILY, durable: { executionTimeout: 3600 } };
    const dirBefore = generate(DURABLE_DAILY);
    const dirAfter = generate({ ...DURABLE_DAILY, overrides: { staging: { ...DAILY.overrides!.staging, memorySize: 2048 } } });
    const stack = (stage: string, d: string) => loadDeployInputs({ stage, projectDir: d }).stacks[0];
    // The template every stage shares is unchanged: prod sends exactly what it sent before.
    expect(stack('prod', dirAfter).templateBody).toBe(stack('prod', dirBefore).templateBody);
    expect(stack('prod', dirAfter).parameters).toEqual(stack('prod', dirBefore).parameters);
    expect(stack('prod', dirAfter).fingerprint).toBe(stack('prod', dirBefore).fingerprint);
    // Staging's own settings digest changes, which the version's description carries: a new version there.
    expect(stack('staging', dirAfter).parameters.StageSettingsDigest).not.toBe(stack('staging', dirBefore).parameters.StageSettingsDigest);
    expect(stack('staging', dirAfter).fingerprint).not.toBe(stack('staging', dirBefore).fingerprint);
    const template = JSON.parse(stack('staging', dirAfter).templateBody);
    expect(JSON.stringify(template.Resources.Version.Properties.Description)).toContain('${StageSettingsDigest}');
  });

  test('a stage with reservedConcurrency: false reserves nothing: no concurrency check in a small account', async () => {
    const small = { concurrency: { quota: 10, unreserved: 10 } };
    const staging = fakeAws(small);
    await deployStage(loadDeployInputs({ stage: 'staging', projectDir: dir }), engineOptions(staging.clients));
    expect(staging.lambda.commandCalls(GetAccountSettingsCommand)).toHaveLength(0);
    const prod = fakeAws(small);
    await expect(deployStage(loadDeployInputs({ stage: 'prod', projectDir: dir }), engineOptions(prod.clients)))
      .rejects.toThrow(/batch "daily-stats" reserves 1 .*overrides: \{ prod: \{ reservedConcurrency: false \} \}/);
  });

  test('a batch as declared by default reserves nothing: a new account (concurrency quota 10) takes it, no concurrency check', async () => {
    const plain = generate(BATCH);
    const inputs = loadDeployInputs({ stage: 'prod', projectDir: plain });
    expect(JSON.parse(inputs.stacks[0].templateBody).Resources.Function.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    const small = fakeAws({ concurrency: { quota: 10, unreserved: 10 } });
    await deployStage(inputs, engineOptions(small.clients));
    expect(small.lambda.commandCalls(GetAccountSettingsCommand)).toHaveLength(0);
    expect(small.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });
});
