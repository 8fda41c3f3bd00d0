// The reports: Markdown for pull requests and job summaries (checked against a fixture), plain text for terminals.
import * as fs from 'fs';
import * as path from 'path';
import { change, engineOptions, fakeAws, liveStack, makeProject } from './helpers';
import { deployStage, renderMarkdownReport, renderTextReport, ResourceChange, StageResult } from '../../src/deploy';

const FIXTURES = path.join(__dirname, 'fixtures');

/** Secret values the sample change set carries: none may reach a report. */
const SECRETS = ['old-token-4c1d', 'new-token-9e2b', 'hunter2-db-pass', 'console-token-77aa', 'typed-in-console-pw'];

/** A role's properties as a change set context shows them. */
function roleContext(statements: object[]): string {
  return JSON.stringify({ Properties: { Policies: [{ PolicyName: 'batch', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] } });
}

const READ_INPUT = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-prod/in/*' };
const SCAN_TABLE = { Effect: 'Allow', Action: ['dynamodb:Scan'], Resource: 'arn:aws:dynamodb:ap-northeast-2:111122223333:table/stats' };
const WRITE_OUTPUT = { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::data-prod/out/*' };

/** What drift detection finds in the live `prod-daily-stats`: edits in the console, one of them a secret. */
const DAILY_DRIFT = [
  {
    LogicalResourceId: 'Function',
    ResourceType: 'AWS::Lambda::Function',
    StackResourceDriftStatus: 'MODIFIED' as const,
    PropertyDifferences: [
      { PropertyPath: '/Timeout', ExpectedValue: '60', ActualValue: '300', DifferenceType: 'NOT_EQUAL' as const },
      { PropertyPath: '/Environment/Variables/API_TOKEN', ExpectedValue: SECRETS[0], ActualValue: SECRETS[3], DifferenceType: 'NOT_EQUAL' as const },
    ],
  },
  {
    LogicalResourceId: 'Schedule',
    ResourceType: 'AWS::Events::Rule',
    StackResourceDriftStatus: 'MODIFIED' as const,
    PropertyDifferences: [
      // Fed by the NoEcho parameter: hidden by its path, though the live value holds no known secret.
      { PropertyPath: '/Targets/0/Input', ExpectedValue: '"{\\"password\\":\\"****\\"}"', ActualValue: `"{\\"password\\":\\"${SECRETS[4]}\\"}"`, DifferenceType: 'NOT_EQUAL' as const },
    ],
  },
  { LogicalResourceId: 'ErrorsAlarm', ResourceType: 'AWS::CloudWatch::Alarm', StackResourceDriftStatus: 'DELETED' as const, PropertyDifferences: [] },
];

/**
 * A preview of three stacks: one updated (values, a secret environment variable and NoEcho
 * parameter, a permissions change, a replaced log group, a removed queue, a schedule, and
 * resources changed by hand), one unchanged, one new.
 */
async function samplePreview(): Promise<StageResult> {
  const project = makeProject({
    batches: ['daily-stats', 'weekly-report', 'monthly-close'],
    schedules: { 'daily-stats': 'cron(0 16 * * ? *)', 'weekly-report': 'cron(0 0 ? * MON *)', 'monthly-close': 'cron(0 1 L * ? *)' },
    secretParameter: { name: 'DbPassword', value: SECRETS[2] },
  });
  const inputs = project.inputs();
  const weekly = inputs.stacks.find((s) => s.stack.batch === 'weekly-report')!;
  const aws = fakeAws({
    live: [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old'), liveStack('prod-weekly-report', 'UPDATE_COMPLETE', weekly.fingerprint)],
    drift: { 'prod-daily-stats': { statuses: ['DETECTION_IN_PROGRESS', 'DETECTION_COMPLETE'], pages: [DAILY_DRIFT.slice(0, 2), DAILY_DRIFT.slice(2)] } },
    changeSets: {
      'prod-daily-stats': {
        pages: [
          [
            change('Remove', 'DeadLetterQueue', 'AWS::SQS::Queue'),
            change('Modify', 'Function', 'AWS::Lambda::Function', [
              { path: 'Code/S3Key', before: '"batchform/daily-stats/3f1a.zip"', after: '"batchform/daily-stats/6d22.zip"' },
              { path: 'MemorySize', before: '128', after: '256' },
              { path: 'Environment/Variables/API_TOKEN', before: `"${SECRETS[0]}"`, after: `"${SECRETS[1]}"` },
              { path: 'Tags' },
            ], 'False'),
            change('Modify', 'Role', 'AWS::IAM::Role', [
              { path: 'Policies/0/PolicyDocument/Statement/1/Action/0', before: '"dynamodb:Scan"', after: '"s3:PutObject"' },
            ], 'False', { BeforeContext: roleContext([READ_INPUT, SCAN_TABLE]), AfterContext: roleContext([READ_INPUT, WRITE_OUTPUT]) }),
            change('Modify', 'LogGroup', 'AWS::Logs::LogGroup', [
              { path: 'LogGroupName', before: '"/aws/lambda/prod-daily-stats"', after: '"/aws/lambda/prod-daily-stats-v2"', recreation: 'Always' },
            ], 'True'),
          ],
          [change('Modify', 'Schedule', 'AWS::Events::Rule', [
            { path: 'ScheduleExpression', before: '"cron(10 15 * * ? *)"', after: '"cron(0 16 * * ? *)"' },
            { path: 'Description', before: '"Rolls up yesterday\'s transactions into the reporting table, every day at 15:10 UTC"', after: '"Rolls up yesterday\'s transactions into the reporting table, every day at 16:00 Asia/Seoul"' },
            { path: 'Targets/0/Input', before: '"{\\"password\\":\\"****\\"}"', after: `"{\\"password\\":\\"${SECRETS[2]}\\"}"`, parameter: 'DbPassword' },
          ], 'False')],
        ],
      },
      'prod-monthly-close': {
        pages: [[
          change('Add', 'LogGroup', 'AWS::Logs::LogGroup'),
          change('Add', 'Role', 'AWS::IAM::Role', [], undefined, { AfterContext: roleContext([READ_INPUT]) }),
          change('Add', 'Function', 'AWS::Lambda::Function'),
          change('Add', 'Schedule', 'AWS::Events::Rule'),
          change('Add', 'InvokePermission', 'AWS::Lambda::Permission'),
        ]],
      },
    },
  });
  return deployStage(inputs, engineOptions(aws.clients, { mode: 'preview', sleep: async () => undefined }));
}

test('the preview shows before → after values and never a secret value', async () => {
  const preview = await samplePreview();
  const md = renderMarkdownReport(preview);
  const text = renderTextReport(preview);
  expect(md).toContain('- `Function` `MemorySize`: `128` → `256`');
  expect(text).toContain('Function MemorySize: 128 -> 256');
  for (const report of [md, text]) {
    for (const secret of SECRETS) expect(report).not.toContain(secret);
  }
  expect(md).toContain('- `Function` `Environment.Variables.API_TOKEN`: (changed, value hidden)');
  expect(md).toContain('- `Schedule` `Targets.0.Input`: (changed, value hidden)');
  expect(text).toContain('Schedule Targets.0.Input: (changed, value hidden)');
  // Drift: the console-set environment value and the NoEcho-fed rule input show as changed only.
  expect(md).toContain('  - `Timeout`: template `60` → live `300`\n  - `Environment.Variables.API_TOKEN`: (changed, value hidden)');
  expect(md).toContain('  - `Targets.0.Input`: (changed, value hidden)');
  expect(text).toContain('    Environment.Variables.API_TOKEN: (changed, value hidden)');
  expect(text).toContain('    Targets.0.Input: (changed, value hidden)');
});

test('a long value folds into <details> with its before and after', async () => {
  const md = renderMarkdownReport(await samplePreview());
  expect(md).toContain('- `Schedule` `Description`: long value, see below');
  expect(md).toMatch(/<details><summary><code>Schedule<\/code> <code>Description<\/code>: before → after<\/summary>\n\nBefore:\n\n```\nRolls up yesterday's transactions into the reporting table, every day at 15:10 UTC\n```/);
});

test('resources changed by hand come right after the destructive changes, each saying whether this change overwrites it', async () => {
  const preview = await samplePreview();
  const md = renderMarkdownReport(preview);
  const at = (s: string) => md.indexOf(s);
  expect(at('**⚠️ Changed outside CloudFormation:** `prod-daily-stats` `Function` (changed by hand), `prod-daily-stats` `Schedule` (changed by hand), `prod-daily-stats` `ErrorsAlarm` (deleted by hand).'))
    .toBeLessThan(at('| Stack | Result | Details |'));
  expect(at('### ⚠️ Destructive changes')).toBeLessThan(at('### ⚠️ Changed outside CloudFormation (drift)'));
  expect(at('### ⚠️ Changed outside CloudFormation (drift)')).toBeLessThan(at('### Permissions'));
  expect(md).toContain('- ⚠️ **changed by hand**: `Function` (`AWS::Lambda::Function`) in `prod-daily-stats`: this change updates it, so the deploy may overwrite the hand change.');
  expect(md).toContain('- ⚠️ **deleted by hand**: `ErrorsAlarm` (`AWS::CloudWatch::Alarm`) in `prod-daily-stats`: this change does not touch it; it stays missing until its stack is fixed.');
  const text = renderTextReport(preview);
  expect(text.split('\n')[3]).toBe('⚠️ changed outside CloudFormation: prod-daily-stats Function (changed by hand), prod-daily-stats Schedule (changed by hand), prod-daily-stats ErrorsAlarm (deleted by hand)');
  expect(text).toContain('⚠️ changed outside CloudFormation (drift):\n  ⚠️ changed by hand: Function (AWS::Lambda::Function) in prod-daily-stats: this change updates it');
});

test('removals and replacements come first, with the forcing property and what is lost', async () => {
  const preview = await samplePreview();
  const md = renderMarkdownReport(preview);
  const danger = md.indexOf('### ⚠️ Destructive changes');
  expect(danger).toBeGreaterThan(0);
  expect(danger).toBeLessThan(md.indexOf('### `prod-daily-stats`'));
  expect(md).toContain('- ⚠️ **removed**: `DeadLetterQueue` (`AWS::SQS::Queue`) in `prod-daily-stats`: loses the queue\'s messages (waiting and in flight).\n' +
    '- ⚠️ **replaced**: `LogGroup` (`AWS::Logs::LogGroup`) in `prod-daily-stats`: forced by `LogGroupName`; loses the log group\'s history (every log event in it).');
  const text = renderTextReport(preview);
  expect(text).toContain('⚠️ destructive changes:\n  ⚠️ removed: DeadLetterQueue (AWS::SQS::Queue) in prod-daily-stats: loses the queue\'s messages');
  expect(text.indexOf('⚠️ destructive changes')).toBeLessThan(text.indexOf('prod-daily-stats: will be updated'));
});

test('a role change lists statements added and removed, and the top says it grants new permissions', async () => {
  const preview = await samplePreview();
  const md = renderMarkdownReport(preview);
  expect(md).toContain('**⚠️ Grants new permissions:** `prod-daily-stats` `Role` (1 statement added, 1 removed), `prod-monthly-close` `Role` (1 statement added).');
  expect(md).toContain('| added | Allow | s3:PutObject, s3:DeleteObject | arn:aws:s3:::data-prod/out/* | batch |');
  expect(md).toContain('| removed | Allow | dynamodb:Scan | arn:aws:dynamodb:ap-northeast-2:111122223333:table/stats | batch |');
  expect(md).not.toContain('| added | Allow | s3:GetObject | arn:aws:s3:::data-prod/in/* | batch |\n| removed');
  const text = renderTextReport(preview);
  expect(text.split('\n')[2]).toBe('⚠️ grants new permissions: prod-daily-stats Role (1 statement added, 1 removed), prod-monthly-close Role (1 statement added)');
  expect(text).toMatch(/\+ added +Allow +s3:PutObject, s3:DeleteObject +arn:aws:s3:::data-prod\/out\/\* +batch/);
});

/** Compares a report with its fixture; `UPDATE_FIXTURES=1 npx jest test/deploy/report.test.ts` rewrites the fixture instead. */
function expectFixture(name: string, report: string): void {
  const file = path.join(FIXTURES, name);
  if (process.env.UPDATE_FIXTURES === '1') fs.writeFileSync(file, report);
  expect(report).toBe(fs.readFileSync(file, 'utf8'));
}

test('the Markdown preview of a sample change set matches the fixture', async () => {
  expectFixture('preview.md', renderMarkdownReport(await samplePreview()));
});

test('the text report of the same preview matches its fixture', async () => {
  expectFixture('preview.txt', renderTextReport(await samplePreview()));
});

describe('a report over a comment\'s size', () => {
  test('keeps the summary, destructive changes and permissions, and names the stack sections it left out', async () => {
    const sample = await samplePreview();
    const whole = renderMarkdownReport(sample);
    // Every changed stack section made huge, as a preview of a hundred changed stacks would be.
    const big: StageResult = { ...sample, stacks: sample.stacks.map((s) => s.outcome === 'unchanged' ? s : { ...s, notes: [...s.notes, 'n'.repeat(40_000)] }) };
    const full = renderMarkdownReport(big);
    const fitted = renderMarkdownReport(big, { maxLength: 60_000, fullReport: 'the job summary' });

    expect(full.length).toBeGreaterThan(60_000);
    expect(fitted.length).toBeLessThanOrEqual(60_000);
    for (const kept of ['**3 stacks: 1 to create, 1 to update, 1 unchanged.**', '**⚠️ Grants new permissions:**', '**⚠️ Changed outside CloudFormation:**',
      '### ⚠️ Destructive changes', '### ⚠️ Changed outside CloudFormation (drift)', '  - `Timeout`: template `60` → live `300`', '### Permissions', '| `prod-weekly-report` | unchanged |']) {
      expect(fitted).toContain(kept);
    }
    // The first section fits, the second does not: it is named, and where the whole report is.
    expect(fitted).toContain('### `prod-daily-stats`: will be updated');
    expect(fitted).not.toContain('### `prod-monthly-close`');
    expect(fitted).toMatch(/Shortened to fit:\*\* the 1 section of `prod-monthly-close` is left out here; the whole report is in the job summary\.\n$/);
    // Under the limit, nothing changes.
    expect(renderMarkdownReport(sample, { maxLength: 60_000 })).toBe(whole);
  });

  test('with no room for any stack section, the summary, danger and permissions still stand', async () => {
    const sample = await samplePreview();
    const fitted = renderMarkdownReport(sample, { maxLength: 1_000 });
    expect(fitted).toContain('### ⚠️ Destructive changes');
    expect(fitted).toContain('### ⚠️ Changed outside CloudFormation (drift)');
    expect(fitted).toContain('### Permissions');
    expect(fitted).toContain('the 2 sections of `prod-daily-stats`, `prod-monthly-close` are left out here');
    expect(fitted).not.toContain('### `prod-daily-stats`');
  });
});

function result(changes: ResourceChange[]): StageResult {
  return {
    mode: 'deploy',
    stage: 'prod',
    account: '111122223333',
    region: 'ap-northeast-2',
    revision: '4f2a9c1',
    changeSetName: 'batchform-4f2a9c1-20261125T094312Z-r1',
    ok: true,
    stacks: [{ stackName: 'prod-big', batch: 'big', outcome: 'updated', changes, notes: [] }],
  };
}

test('a resource policy statement shows whom it lets in', () => {
  const queuePolicy: ResourceChange = {
    action: 'Modify',
    logicalId: 'DeadLetterQueuePolicy',
    type: 'AWS::SQS::QueuePolicy',
    replacement: 'no',
    properties: ['PolicyDocument'],
    permissions: { added: [{ policy: 'queue policy', effect: 'Allow', actions: ['sqs:ReceiveMessage'], resources: ['arn:q'], principal: '*' }], removed: [], managedAdded: [], managedRemoved: [] },
  };
  const md = renderMarkdownReport(result([queuePolicy]));
  expect(md).toContain('| added | Allow | sqs:ReceiveMessage | arn:q | queue policy for * |');
  expect(md).toContain('**⚠️ Grants new permissions:** `prod-big` `DeadLetterQueuePolicy`');
  expect(renderTextReport(result([queuePolicy]))).toContain('queue policy for *');
});

test('a resource table of more than ten rows folds into <details>; ten rows stay open', () => {
  const rows = (n: number) => Array.from({ length: n }, (_v, i) => ({ action: 'Modify', logicalId: `R${i}`, type: 'AWS::SQS::Queue', replacement: 'no' as const, properties: ['Tags'] }));
  expect(renderMarkdownReport(result(rows(11)))).toContain('<details><summary>11 resource changes</summary>\n\n| Action |');
  expect(renderMarkdownReport(result(rows(10)))).not.toContain('<details>');
});

test('table cells escape pipes and line breaks', () => {
  const md = renderMarkdownReport(result([{ action: 'Modify', logicalId: 'Fn', type: 'AWS::Lambda::Function', replacement: 'conditional', properties: ['A|B', 'C\nD'] }]));
  expect(md).toContain('| Modify | `Fn` | `AWS::Lambda::Function` | conditional | A\\|B, C D |');
  expect(md).toContain('| `prod-big` | updated | 1 modified (1 maybe replaced) |');
});

test('a failed stack shows its error and the events that explain it', () => {
  const failed: StageResult = {
    ...result([]),
    ok: false,
    stacks: [{
      stackName: 'prod-daily-stats',
      batch: 'daily-stats',
      outcome: 'failed',
      notes: [],
      error: 'the execution failed and the stack is now UPDATE_ROLLBACK_COMPLETE; fix the cause and deploy again.',
      events: [{ timestamp: new Date('2026-11-25T09:44:20Z'), logicalId: 'Function', type: 'AWS::Lambda::Function', status: 'UPDATE_FAILED', reason: 'S3 Error Code: NoSuchKey' }],
    }],
  };
  const md = renderMarkdownReport(failed);
  expect(md).toContain('**1 stack: 1 failed.**');
  expect(md).toContain('### `prod-daily-stats`: failed\n\n> The execution failed and the stack is now UPDATE_ROLLBACK_COMPLETE; fix the cause and deploy again.');
  expect(md).toContain('| 2026-11-25 09:44:20 | `Function` | `AWS::Lambda::Function` | UPDATE_FAILED | S3 Error Code: NoSuchKey |');
  expect(renderTextReport(failed)).toContain('prod-daily-stats: failed\n  the execution failed');
});

test('turning durable on or off reads as the function replaced, with what each side loses', async () => {
  const project = makeProject({ batches: ['nightly-reindex', 'monthly-close'] });
  const aws = fakeAws({
    live: [liveStack('prod-nightly-reindex', 'UPDATE_COMPLETE', 'old'), liveStack('prod-monthly-close', 'UPDATE_COMPLETE', 'old')],
    changeSets: {
      // durable turned on: the plain function goes, the durable one comes.
      'prod-nightly-reindex': {
        pages: [[
          change('Add', 'DurableFunction', 'AWS::Lambda::Function'),
          change('Add', 'LiveAlias', 'AWS::Lambda::Alias'),
          change('Remove', 'Function', 'AWS::Lambda::Function'),
        ]],
      },
      // durable turned off.
      'prod-monthly-close': {
        pages: [[
          change('Add', 'Function', 'AWS::Lambda::Function'),
          change('Remove', 'DurableFunction', 'AWS::Lambda::Function'),
        ]],
      },
    },
  });
  const preview = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));
  const md = renderMarkdownReport(preview);
  expect(md).toContain('- ⚠️ **removed**: `Function` (`AWS::Lambda::Function`) in `prod-nightly-reindex`: loses a run in flight (it stops); turning durable on replaces this function with DurableFunction.');
  expect(md).toContain('- ⚠️ **removed**: `DurableFunction` (`AWS::Lambda::Function`) in `prod-monthly-close`: loses its durable executions still running (they stop) and the history of finished ones; turning durable off replaces it with a plain Function.');
  expect(renderTextReport(preview)).toContain('removed: DurableFunction (AWS::Lambda::Function) in prod-monthly-close: loses its durable executions still running');
});
