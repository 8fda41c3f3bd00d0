// The reference pages under docs/reference/ are what the code generates (projenrc/reference/): each is
// rendered in memory and compared with the committed file, so a change to the options' TSDoc, the CLI's
// commands, the component's tasks, the exit codes, the IAM policies or the catalogue fails here until
// `npx projen docs` is run. The other tests show that each page follows its source.
import * as fs from 'fs';
import * as path from 'path';
import { Fn } from 'aws-cdk-lib';
import { renderCli } from '../../projenrc/reference/cli';
import { renderExitCodes } from '../../projenrc/reference/exit-codes';
import { bootstrapPolicies, renderIam, valueText } from '../../projenrc/reference/iam';
import { readRepoFile, renderOptions, splitValue } from '../../projenrc/reference/options';
import { referencePages } from '../../projenrc/reference/pages';
import { componentTasks, renderTasks, TasksReference } from '../../projenrc/reference/tasks';
import { EXIT_CODE_TABLE } from '../../src/cli/exit-codes';
import { buildProgram } from '../../src/cli/main';
import type { DurableOptions } from '../../src/model/batch-options';
import { BATCHFORM_OPTION_KEYS } from '../../src/projen/batchform';
import type { BatchformOptions } from '../../src/projen/batchform';
import { CASES } from '../catalogue/cases';
import { renderCatalogue } from '../catalogue/render';

const ROOT = path.resolve(__dirname, '../..');

/** Throws, naming the first differing line and the fix, when the committed page is not the generated one. */
function expectCurrent(file: string, generated: string): void {
  const full = path.join(ROOT, file);
  const committed = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
  if (committed === generated) return;
  if (committed === undefined) throw new Error(`${file} does not exist. Run npx projen docs and commit docs/reference/.`);
  const a = committed.split('\n');
  const b = generated.split('\n');
  let i = 0;
  while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++;
  throw new Error([
    `${file} is not what the code generates (first difference at line ${i + 1}):`,
    `  committed: ${JSON.stringify(a[i] ?? '<end of file>')}`,
    `  generated: ${JSON.stringify(b[i] ?? '<end of file>')}`,
    'Run npx projen docs and commit docs/reference/.',
  ].join('\n'));
}

describe('every generated page is current', () => {
  const pages = referencePages();

  test('the pages', () => {
    expect(pages.map((p) => p.file)).toEqual([
      'docs/reference/README.md', 'docs/reference/options.md', 'docs/reference/cli.md', 'docs/reference/tasks.md',
      'docs/reference/exit-codes.md', 'docs/reference/iam.md', 'docs/reference/bad-declarations.md',
    ]);
    // Nothing else in docs/reference/ that the generator does not write.
    expect(fs.readdirSync(path.join(ROOT, 'docs/reference')).sort()).toEqual(pages.map((p) => path.basename(p.file)).sort());
  });

  test.each(pages.map((p) => [p.file, p] as const))('%s', (file, p) => {
    const text = p.render();
    expect(text.split('\n')[2]).toMatch(/^<!-- Generated from .* by `npx projen docs`; do not edit\. -->$/);
    expectCurrent(file, text);
  });

  test('a stale page fails with the line that differs and the fix', () => {
    expect(() => expectCurrent('docs/reference/exit-codes.md', renderExitCodes().replace('| 2 |', '| 22 |')))
      .toThrow(/docs\/reference\/exit-codes\.md is not what the code generates \(first difference at line \d+\):[\s\S]*Run npx projen docs/);
  });
});

describe('options.md follows the TSDoc', () => {
  const page = renderOptions();
  // Every key of BatchformOptions: the component's own list, which the compiler keeps complete.
  const BATCHFORM_OPTIONS: Record<keyof BatchformOptions, true> = BATCHFORM_OPTION_KEYS;
  const DURABLE_OPTIONS: Record<keyof DurableOptions, true> = { executionTimeout: true, retentionDays: true };

  test('a section for every option (the compiler keeps these key lists complete)', () => {
    for (const key of Object.keys(BATCHFORM_OPTIONS)) expect(page).toContain(`\n### BatchformOptions.${key}\n`);
    for (const key of Object.keys(DURABLE_OPTIONS)) expect(page).toContain(`\n### DurableOptions.${key}\n`);
    for (const type of ['StageOptions', 'BatchOptions', 'StageOverrideOptions', 'PolicyStatementOptions', 'CronOptions', 'WorkflowCli', 'Architecture']) {
      expect(page).toContain(`\n## ${type}\n`);
    }
  });

  test('type, default and example of an option', () => {
    const section = page.slice(page.indexOf('### BatchOptions.memorySize'), page.indexOf('### BatchOptions.timeout'));
    expect(section).toContain('`number`, optional.');
    expect(section).toContain('Memory for the function, in MB (128-10240).');
    expect(section).toContain('Default: `256`');
    expect(page).toContain('| [reservedConcurrency](#batchoptionsreservedconcurrency) | `number \\| false` | `false` (none reserved) |');
  });

  test('a new option, or a changed default, in the source changes the page', () => {
    const edited = (from: string, to: string) => renderOptions((rel) => {
      const text = readRepoFile(rel);
      if (rel !== 'src/model/batch-options.ts' || text === undefined) return text;
      expect(text).toContain(from);
      return text.replace(from, to);
    });
    const added = edited('  readonly retentionDays?: number;\n}', '  readonly retentionDays?: number;\n  /**\n   * Something new.\n   * @default 7\n   */\n  readonly somethingNew?: number;\n}');
    expect(added).not.toBe(page);
    expect(added).toContain('### DurableOptions.somethingNew\n\n`number`, optional.\n\nSomething new.\n\nDefault: `7`');
    expect(edited('   * Memory for the function, in MB (128-10240).\n   * @default 256', '   * Memory for the function, in MB (128-10240).\n   * @default 512'))
      .toContain('| [memorySize](#batchoptionsmemorysize) | `number` | `512` |');
  });

  test.each<[string, { value?: string; note?: string }]>([
    ["'cfn-out'", { value: "'cfn-out'" }],
    ["'batchform' (the installed package's bin)", { value: "'batchform'", note: "(the installed package's bin)" }],
    ["{} - the batch's environment", { value: '{}', note: "the batch's environment" }],
    ['- no boundary', { note: 'no boundary' }],
    ["{ kind: 'source', install: ['npm ci'] } // this repository", { value: "{ kind: 'source', install: ['npm ci'] }", note: 'this repository' }],
    ["'*' unless `weekDay` is given", { value: "'*'", note: 'unless `weekDay` is given' }],
    ['6 * 3600', { value: '6 * 3600' }],
  ])('default or example %s: value and note', (text, expected) => {
    expect(splitValue(text)).toEqual(expected);
  });
});

describe('cli.md follows the command definitions', () => {
  const page = renderCli();

  test('every command, argument and flag', () => {
    for (const c of buildProgram().commands) {
      expect(page).toContain(`\n## batchform ${c.name()}\n`);
      for (const o of c.options) expect(page).toContain(`| \`${o.flags}\` |`);
      for (const a of c.registeredArguments) expect(page).toContain(a.name());
    }
    expect(page).toContain('| `--concurrency <n>` | stacks handled at once | `8` |');
    expect(page).toContain('| `<batch>` | yes | batch name |  |');
  });

  test('a new flag changes the page', () => {
    const program = buildProgram();
    program.commands.find((c) => c.name() === 'status')!.option('--brand-new <x>', 'a flag the page has not seen', 'y')
      .addHelpText('after', 'Example: batchform status --brand-new z');
    const changed = renderCli(program);
    expect(changed).not.toBe(page);
    expect(changed).toContain('| `--brand-new <x>` | a flag the page has not seen | `y` |');
    expect(changed).toContain('More from `--help`:\n\n```\nExample: batchform status --brand-new z\n```');
  });
});

describe('tasks.md: the tasks the component adds to a fresh project', () => {
  let ref: TasksReference;
  beforeAll(() => {
    ref = componentTasks();
  });

  test('the component\'s tasks, with placeholders for the declared stage and batch, and none of projen\'s or this repository\'s', () => {
    const names = ref.added.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['lint:cfn', 'schedule', 'bundle', 'package:batches', 'invoke', 'preview', 'deploy', 'bootstrap:<stage>', 'bundle:<batch>', 'check-github', 'run', 'status']));
    for (const own of ['build', 'test', 'compile', 'docs', 'check:layers', 'bundle:ci', 'test:slow']) expect(names).not.toContain(own);
    expect(ref.added.find((t) => t.name === 'deploy')!.runs).toEqual(['`batchform deploy --manifest cfn-out/manifest.json [args...]`']);
    expect(ref.changed.map((c) => c.name)).toContain('test');
  });

  test('a task added to the component changes the page', () => {
    const page = renderTasks(ref);
    const more = renderTasks({ ...ref, added: [...ref.added, { name: 'new-task', description: 'new', runs: ['`batchform new`'] }] });
    expect(more).not.toBe(page);
    expect(more).toContain('| `new-task` | new | `batchform new` |');
  });
});

describe('iam.md follows the policy builders', () => {
  const page = renderIam();

  test('every statement of every role, by Sid', () => {
    const sids = JSON.stringify(bootstrapPolicies().map((p) => p.statements)).match(/"Sid":"[A-Za-z0-9]+"/g)!.map((s) => s.slice(7, -1));
    expect(sids.length).toBeGreaterThan(40);
    for (const sid of sids) expect(page).toContain(`| \`${sid}\``);
    expect(page).toContain('| `PassExecutionRole` | Allow | `iam:PassRole` | `<ExecutionRole.Arn>` | `StringEquals` `iam:PassedToService`: `cloudformation.amazonaws.com` |');
    expect(page).toContain('| `AssumeNoRole` (only when not `HasAssumableRoles`) | Deny | `sts:*` | `*` |  |');
  });

  test('who may assume the deploy and preview roles, for every subject template', () => {
    expect(page).toContain("| `[] (GitHub's default subject)` | `repo:OWNER/REPO:environment:<environment>` | `repo:OWNER/REPO:ref:refs/heads/<deployBranch>` |");
    expect(page).toContain('.github/workflows/batchform-preview.yml@refs/heads/<deployBranch>` |');
  });

  test('a changed statement changes the page', () => {
    const policies = bootstrapPolicies();
    policies[0].statements.push({ Sid: 'SomethingNew', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const changed = renderIam(policies);
    expect(changed).not.toBe(page);
    expect(changed).toContain('| `SomethingNew` | Allow | `s3:GetObject` | `*` |  |');
  });

  test('CloudFormation values as text', () => {
    expect(valueText({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${StackPrefix}-*' }))
      .toBe('arn:aws:lambda:<region>:<account>:function:<StackPrefix>-*');
    expect(valueText({ 'Fn::Sub': ['${Bucket}/${ArtifactPrefix}/*', { Bucket: { 'Fn::GetAtt': ['Bucket', 'Arn'] } }] })).toBe('<Bucket.Arn>/<ArtifactPrefix>/*');
    expect(valueText({ 'Fn::Join': ['', [{ Ref: 'X' }, '/*']] })).toBe('<X>/*');
    expect(typeof Fn.ref('X')).toBe('string');
  });
});

test('bad-declarations.md: one section per group, every case once, in the catalogue\'s order within its group', () => {
  const page = renderCatalogue();
  const headings = page.split('\n').filter((l) => l.startsWith('## '));
  expect(headings).toEqual([...new Set(CASES.map((c) => `## ${c.group}`))]);
  const titles = [...page.matchAll(/^\d+\. \*\*(.+?)\*\* — /gm)].map((m) => m[1]);
  expect(titles).toEqual([...new Set(CASES.map((c) => c.group))].flatMap((g) => CASES.filter((c) => c.group === g).map((c) => c.title)));
});

test('exit-codes.md holds the code\'s table, row for row', () => {
  const page = renderExitCodes();
  for (const r of EXIT_CODE_TABLE) expect(page).toContain(`| ${r.code} | \`${r.kind}\` |`);
});
