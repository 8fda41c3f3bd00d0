// The reports: Markdown for pull requests and job summaries (checked against a fixture), plain text for terminals.
import * as fs from 'fs';
import * as path from 'path';
import { deployStage, renderMarkdownReport, renderTextReport, ResourceChange, StageResult } from '../../src/deploy';
import { change, engineOptions, fakeAws, liveStack, makeProject } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures');

/** A preview of three stacks: one updated (code and schedule), one unchanged, one new. */
async function samplePreview(): Promise<StageResult> {
  const project = makeProject({
    batches: ['daily-stats', 'weekly-report', 'monthly-close'],
    schedules: { 'daily-stats': 'cron(0 16 * * ? *)', 'weekly-report': 'cron(0 0 ? * MON *)', 'monthly-close': 'cron(0 1 L * ? *)' },
  });
  const inputs = project.inputs();
  const weekly = inputs.stacks.find((s) => s.stack.batch === 'weekly-report')!;
  const aws = fakeAws({
    live: [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old'), liveStack('prod-weekly-report', 'UPDATE_COMPLETE', weekly.fingerprint)],
    changeSets: {
      'prod-daily-stats': {
        pages: [
          [change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'Code/S3Key' }, { path: 'Tags' }], 'False')],
          [change('Modify', 'Schedule', 'AWS::Events::Rule', [{ path: 'ScheduleExpression', before: 'cron(10 15 * * ? *)', after: 'cron(0 16 * * ? *)' }, { path: 'Description' }], 'False')],
        ],
      },
      'prod-monthly-close': {
        pages: [[
          change('Add', 'LogGroup', 'AWS::Logs::LogGroup'),
          change('Add', 'Role', 'AWS::IAM::Role'),
          change('Add', 'Function', 'AWS::Lambda::Function'),
          change('Add', 'Schedule', 'AWS::Events::Rule'),
          change('Add', 'InvokePermission', 'AWS::Lambda::Permission'),
        ]],
      },
    },
  });
  return deployStage(inputs, engineOptions(aws.clients, { mode: 'preview' }));
}

test('the Markdown preview of a sample change set matches the fixture', async () => {
  const markdown = renderMarkdownReport(await samplePreview());
  expect(markdown).toBe(fs.readFileSync(path.join(FIXTURES, 'preview.md'), 'utf8'));
});

test('the text report of the same preview matches its fixture', async () => {
  const text = renderTextReport(await samplePreview());
  expect(text).toBe(fs.readFileSync(path.join(FIXTURES, 'preview.txt'), 'utf8'));
});

function result(changes: ResourceChange[]): StageResult {
  return {
    mode: 'deploy',
    stage: 'prod',
    account: '111122223333',
    region: 'ap-northeast-2',
    revision: '4f2a9c1',
    changeSetName: 'batchform-4f2a9c1-20261125T094312Z',
    ok: true,
    stacks: [{ stackName: 'prod-big', batch: 'big', outcome: 'updated', changes, notes: [] }],
  };
}

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
