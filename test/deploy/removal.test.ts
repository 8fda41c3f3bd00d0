// Removing and renaming batches: the stacks of this project and stage that the manifest no longer
// declares are previewed as deletions, refused by a deploy without the allowance, deleted with it;
// a stack of another project or stage, or one without batchform's tags, is never touched.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateChangeSetCommand, DeleteStackCommand, DescribeStackResourcesCommand, ExecuteChangeSetCommand, Stack, StackResource,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { doesNotExist, engineOptions, FAST_WAITS, fakeAws, FakeAwsOptions, liveStack, makeProject, NOW, stackId } from './helpers';
import { Answer, Loopback, queryError, queryResult, Seen, startLoopback } from './loopback';
import { DEPLOY_EXIT, runDeployCommand } from '../../src/cli/deploy-commands';
import { BatchformError, deployStage, renderMarkdownReport, renderTextReport } from '../../src/deploy';

const PROJECT = 'acme-batches';
const OLD = 'prod-old-report';

/** A live batch stack with batchform's tags (any left out with `undefined`). */
function tagged(name: string, tags: { project?: string; stage?: string; batch?: string }, status = 'CREATE_COMPLETE'): Stack {
  const list = [
    ['batchform:project', tags.project],
    ['batchform:stage', tags.stage],
    ['batchform:batch', tags.batch],
  ].filter(([, v]) => v !== undefined).map(([Key, Value]) => ({ Key, Value }));
  return { ...liveStack(name, status), Tags: list as Stack['Tags'] };
}

/** This project's removed batch, and every stack that looks like one but must never be touched. */
const REMOVED = tagged(OLD, { project: PROJECT, stage: 'prod', batch: 'old-report' });
const LOOKALIKES: Stack[] = [
  // Same prefix and stage, another project.
  tagged('prod-their-batch', { project: 'someone-else', stage: 'prod', batch: 'their-batch' }),
  // Same prefix and project, another stage (stage prod-eu, prefix prod-eu).
  tagged('prod-eu-old-report', { project: PROJECT, stage: 'prod-eu', batch: 'old-report' }),
  // Same prefix, no tags at all (made by hand, or deployed before stacks carried the project tag).
  liveStack('prod-made-by-hand', 'CREATE_COMPLETE'),
  // Same prefix, stage tag but no project tag.
  tagged('prod-legacy', { stage: 'prod', batch: 'legacy' }),
  // This project's tags but no batch tag (not a batch stack).
  tagged('prod-network', { project: PROJECT, stage: 'prod' }),
  // Another prefix altogether.
  tagged('staging-old-report', { project: PROJECT, stage: 'staging', batch: 'old-report' }),
  // The empty stack a preview of an open pull request leaves (no resources, runs nothing).
  tagged('prod-proposed', { project: PROJECT, stage: 'prod', batch: 'proposed' }, 'REVIEW_IN_PROGRESS'),
];

/** The removed stack's resources as DescribeStackResources lists them (a durable batch). */
const RESOURCES: Partial<StackResource>[] = [
  { LogicalResourceId: 'LogGroup', ResourceType: 'AWS::Logs::LogGroup', PhysicalResourceId: '/aws/lambda/prod-old-report', ResourceStatus: 'CREATE_COMPLETE' },
  { LogicalResourceId: 'DeadLetterQueue', ResourceType: 'AWS::SQS::Queue', PhysicalResourceId: 'https://sqs/q', ResourceStatus: 'CREATE_COMPLETE' },
  { LogicalResourceId: 'DurableFunction', ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'prod-old-report', ResourceStatus: 'CREATE_COMPLETE' },
  { LogicalResourceId: 'Role', ResourceType: 'AWS::IAM::Role', PhysicalResourceId: 'prod-old-report-Role-1', ResourceStatus: 'CREATE_COMPLETE' },
];

/** Fake AWS where the declared batch is up to date, the removed one is live, and the look-alikes are around. */
function world(project: ReturnType<typeof makeProject>, extra: FakeAwsOptions = {}, declaredLive = true) {
  const current = declaredLive ? project.inputs().stacks.map((p) => liveStack(p.stack.stackName, 'CREATE_COMPLETE', p.fingerprint)) : [];
  const aws = fakeAws({
    live: [...current, REMOVED, ...LOOKALIKES],
    // The delete waiter polls by id: deleting, then gone.
    byName: { [OLD]: [tagged(OLD, { project: PROJECT, stage: 'prod', batch: 'old-report' }, 'DELETE_IN_PROGRESS'), doesNotExist(OLD)] },
    ...extra,
  });
  aws.cfn.on(DescribeStackResourcesCommand, { StackName: stackId(OLD) }).resolves({ StackResources: RESOURCES as StackResource[] });
  return aws;
}

const deletedNames = (aws: ReturnType<typeof fakeAws>) => aws.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.StackName);

describe('a batch removed from the declarations', () => {
  test('is previewed as a deletion, first in the danger section of both reports, with what is lost; nothing is deleted', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project);

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-daily-stats', 'unchanged'], [OLD, 'will-delete']]);
    const removal = result.stacks[1];
    expect(removal.batch).toBe('old-report');
    expect(removal.removal?.loses).toEqual([
      'its log history (every event in log group /aws/lambda/prod-old-report)',
      'its queued dead letters (runs that failed every retry and were not redriven)',
      'its durable execution history (and executions still running stop)',
    ]);
    expect(removal.notes.join(' ')).toContain('its schedule still runs it');
    expect(removal.notes.join(' ')).toContain('batchform:allow-removal');
    expect(result.ok).toBe(true);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);

    const md = renderMarkdownReport(result);
    const danger = md.slice(md.indexOf('### ⚠️ Destructive changes'));
    expect(danger.split('\n')[2]).toBe('- ⚠️ **stack will be deleted**: `prod-old-report` (batch `old-report`, no longer declared): loses its log history ' +
      '(every event in log group /aws/lambda/prod-old-report); its queued dead letters (runs that failed every retry and were not redriven); ' +
      'its durable execution history (and executions still running stop).');
    expect(md).toContain('| `prod-old-report` | will be deleted | batch no longer declared |');
    expect(md).toContain('**2 stacks: 1 to delete, 1 unchanged.**');
    const text = renderTextReport(result);
    const lines = text.split('\n');
    expect(lines[lines.indexOf('⚠️ destructive changes:') + 1]).toMatch(/^ {2}⚠️ stack will be deleted: prod-old-report \(batch old-report, no longer declared\): loses its log history/);
    for (const other of [...LOOKALIKES.map((s) => s.StackName!)]) {
      expect(md).not.toContain(other);
      expect(text).not.toContain(other);
    }
  });

  test('comes before the resources a declared stack removes or replaces', async () => {
    const project = makeProject({ project: PROJECT });
    // The declared stack changes: its queue is replaced.
    const withChange = fakeAws({
      live: [liveStack('prod-daily-stats', 'CREATE_COMPLETE', 'old'), REMOVED],
      changeSet: { pages: [[{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'DeadLetterQueue', ResourceType: 'AWS::SQS::Queue', Replacement: 'True', Details: [] } }]] },
    });

    const result = await deployStage(project.inputs(), engineOptions(withChange.clients, { mode: 'preview' }));

    const text = renderTextReport(result);
    const start = text.indexOf('⚠️ destructive changes:');
    const section = text.slice(start).split('\n').slice(1, 3);
    expect(section[0]).toContain('stack will be deleted: prod-old-report');
    expect(section[1]).toContain('replaced: DeadLetterQueue (AWS::SQS::Queue) in prod-daily-stats');
    // Its resources could not be read (not mocked): what every batch stack holds is said.
    expect(result.stacks[1].removal?.loses[0]).toBe('its log history (every event in log group /aws/lambda/prod-old-report)');
  });

  test('a deploy without the allowance refuses before any write: nothing deployed, nothing deleted, a bad-input error naming the stack', async () => {
    const project = makeProject({ project: PROJECT });
    // The declared stack has a change too: it is not deployed either.
    const aws = fakeAws({ live: [liveStack('prod-daily-stats', 'CREATE_COMPLETE', 'old'), REMOVED, ...LOOKALIKES] });

    const run = deployStage(project.inputs(), engineOptions(aws.clients));

    await expect(run).rejects.toThrow(BatchformError);
    await expect(run).rejects.toMatchObject({ kind: 'bad-input' });
    await expect(run).rejects.toThrow('stage "prod": refusing to delete the stack of a batch no longer declared: prod-old-report (batch "old-report"). ' +
      'Deleting loses its log history, queued dead letters and, for a durable batch, its execution history. Nothing was deployed');
    await expect(run).rejects.toThrow(/--allow-removal/);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a deploy with the allowance deletes it, waits until it is gone, and touches no look-alike', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project);
    const options = engineOptions(aws.clients, { allowRemoval: true });

    const result = await deployStage(project.inputs(), options);

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-daily-stats', 'unchanged'], [OLD, 'deleted']]);
    expect(result.ok).toBe(true);
    expect(deletedNames(aws)).toEqual([stackId(OLD)]);
    // Waited: polled by id until CloudFormation said it no longer exists.
    expect(aws.sent.filter(([op, input]) => op === 'DescribeStacks' && input.StackName === stackId(OLD)).length).toBeGreaterThanOrEqual(2);
    expect(options.lines).toContain(`${OLD}: deleted`);
    expect(renderMarkdownReport(result)).toContain('- ⚠️ **stack deleted**: `prod-old-report` (batch `old-report`, no longer declared)');
  });

  test('a look-alike alone (another project, another stage, no tags, a preview\'s empty stack) is never listed, even by an allowed deploy', async () => {
    const project = makeProject({ project: PROJECT });
    const current = project.inputs().stacks.map((p) => liveStack(p.stack.stackName, 'CREATE_COMPLETE', p.fingerprint));
    const aws = fakeAws({ live: [...current, ...LOOKALIKES] });

    const preview = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));
    const deploy = await deployStage(project.inputs(), engineOptions(aws.clients, { allowRemoval: true }));

    expect(preview.stacks.map((s) => s.stackName)).toEqual(['prod-daily-stats']);
    expect(deploy.stacks.map((s) => s.stackName)).toEqual(['prod-daily-stats']);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    // And a deploy without the allowance is not refused for any of them.
    await expect(deployStage(project.inputs(), engineOptions(aws.clients))).resolves.toMatchObject({ ok: true });
  });

  test('a manifest without a project identity (older) looks for no removals at all', async () => {
    const project = makeProject();
    const current = project.inputs().stacks.map((p) => liveStack(p.stack.stackName, 'CREATE_COMPLETE', p.fingerprint));
    const aws = fakeAws({ live: [...current, REMOVED] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks.map((s) => s.stackName)).toEqual(['prod-daily-stats']);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  test('removing the last batch of a stage still finds its stack', async () => {
    const project = makeProject({ project: PROJECT, batches: [] });
    const aws = world(project);

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { allowRemoval: true }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([[OLD, 'deleted']]);
    expect(deletedNames(aws)).toEqual([stackId(OLD)]);
  });

  test('a deletion that fails is a failed stack with what to do', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project, {
      byName: { [OLD]: [tagged(OLD, { project: PROJECT, stage: 'prod', batch: 'old-report' }, 'DELETE_FAILED')] },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { allowRemoval: true }));

    const s = result.stacks[1];
    expect(s.outcome).toBe('failed');
    expect(s.error).toContain('deleting the stack of removed batch "old-report": prod-old-report could not be deleted (DELETE_FAILED)');
    expect(s.error).toContain(`aws cloudformation delete-stack --stack-name ${OLD}`);
    expect(result.ok).toBe(false);
  });

  test('a deletion still in progress after the wait bound fails the stack, saying so', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project, {
      byName: { [OLD]: [tagged(OLD, { project: PROJECT, stage: 'prod', batch: 'old-report' }, 'DELETE_IN_PROGRESS')] },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, {
      allowRemoval: true, waits: { ...FAST_WAITS, stack: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 0.05 } },
    }));

    expect(result.stacks[1].outcome).toBe('failed');
    expect(result.stacks[1].error).toMatch(/prod-old-report is still DELETE_IN_PROGRESS after 50 ms/);
  });
});

describe('a renamed batch', () => {
  test('is previewed as a removal plus a creation, with a warning in both reports', async () => {
    const project = makeProject({ project: PROJECT, batches: ['new-report'] });
    const aws = world(project, {}, false);

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-new-report', 'will-create'], [OLD, 'will-delete']]);
    const md = renderMarkdownReport(result);
    expect(md).toContain('- ⚠️ **rename?** `prod-old-report` removed and `prod-new-report` created: a renamed batch is a removal plus a creation: ' +
      'the new stack starts empty');
    expect(md.indexOf('**stack will be deleted**')).toBeLessThan(md.indexOf('**rename?**'));
    expect(renderTextReport(result)).toContain('  ⚠️ rename? prod-old-report removed and prod-new-report created: a renamed batch is a removal plus a creation');
  });

  test('an allowed deploy creates the new stack first, then deletes the old one', async () => {
    const project = makeProject({ project: PROJECT, batches: ['new-report'] });
    const aws = world(project, {
      byName: {
        'prod-new-report': [liveStack('prod-new-report', 'CREATE_COMPLETE')],
        [OLD]: [tagged(OLD, { project: PROJECT, stage: 'prod', batch: 'old-report' }, 'DELETE_IN_PROGRESS'), doesNotExist(OLD)],
      },
    }, false);

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { allowRemoval: true }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-new-report', 'created'], [OLD, 'deleted']]);
    const order = aws.sent.map(([op]) => op);
    expect(order.indexOf('ExecuteChangeSet')).toBeLessThan(order.indexOf('DeleteStack'));
    expect(deletedNames(aws)).toEqual([stackId(OLD)]);
  });

  test('when the new stack fails, the old one is kept (never neither name)', async () => {
    const project = makeProject({ project: PROJECT, batches: ['new-report'] });
    const aws = world(project, { changeSet: { status: 'FAILED', reason: 'Template format error' } }, false);

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { allowRemoval: true }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-new-report', 'failed'], [OLD, 'will-delete']]);
    expect(result.stacks[1].notes.join(' ')).toContain('Not deleted: prod-new-report failed');
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    // Only the empty REVIEW_IN_PROGRESS stack of the failed create may be cleaned up; never the old stack.
    expect(deletedNames(aws)).not.toContain(stackId(OLD));
    expect(deletedNames(aws)).not.toContain(OLD);
  });
});

describe('the deploy command', () => {
  const DEFAULTS = { manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', concurrency: '8' };

  function harness(aws: ReturnType<typeof fakeAws>, dir: string) {
    const err: string[] = [];
    const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-summary-')), 'summary.md');
    return {
      err,
      summary,
      deps: {
        createClients: () => aws.clients,
        callerAccount: async () => '111122223333',
        env: { GITHUB_SHA: '4f2a9c1', GITHUB_STEP_SUMMARY: summary },
        out: () => undefined,
        err: (t: string) => err.push(t),
        projectDir: dir,
        now: () => NOW,
        waits: FAST_WAITS,
      },
    };
  }

  test('exits 2 without --allow-removal, saying why and how, with the refusal in the job summary', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project);
    const h = harness(aws, project.dir);

    expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod' }, h.deps)).toBe(DEPLOY_EXIT.badInput);

    expect(h.err.join('\n')).toContain('refusing to delete the stack of a batch no longer declared: prod-old-report');
    expect(fs.readFileSync(h.summary, 'utf8')).toContain('refusing to delete the stack of a batch no longer declared');
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  test('deletes with --allow-removal and exits 0', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project);
    const h = harness(aws, project.dir);

    expect(await runDeployCommand('deploy', { ...DEFAULTS, stage: 'prod', allowRemoval: true }, h.deps)).toBe(DEPLOY_EXIT.ok);

    expect(deletedNames(aws)).toEqual([stackId(OLD)]);
  });

  test('a preview exits 0 and lists the deletion', async () => {
    const project = makeProject({ project: PROJECT });
    const aws = world(project);
    const h = harness(aws, project.dir);

    expect(await runDeployCommand('preview', { ...DEFAULTS, stage: 'prod', report: 'preview.md' }, h.deps)).toBe(DEPLOY_EXIT.ok);

    expect(fs.readFileSync(path.join(project.dir, 'preview.md'), 'utf8')).toContain('**stack will be deleted**: `prod-old-report`');
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});

describe('through the real SDK stack (loopback CloudFormation fake)', () => {
  let fake: Loopback | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  /** A stack as DescribeStacks lists it, with its tags. */
  const member = (name: string, status: string, tags: Record<string, string>) =>
    `<member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/${name}/1</StackId>` +
    `<StackStatus>${status}</StackStatus><CreationTime>2026-11-25T00:00:00Z</CreationTime><Tags>` +
    Object.entries(tags).map(([k, v]) => `<member><Key>${k}</Key><Value>${v}</Value></member>`).join('') + '</Tags></member>';

  /** A region with the declared stack (up to date), the removed one and two look-alikes; DeleteStack makes a stack gone. */
  function region(fingerprint: string) {
    const deleted = new Set<string>();
    const listing = [
      member('prod-daily-stats', 'CREATE_COMPLETE', { 'batchform:fingerprint': fingerprint }),
      member(OLD, 'UPDATE_COMPLETE', { 'batchform:project': PROJECT, 'batchform:stage': 'prod', 'batchform:batch': 'old-report' }),
      member('prod-their-batch', 'CREATE_COMPLETE', { 'batchform:project': 'someone-else', 'batchform:stage': 'prod', 'batchform:batch': 'their-batch' }),
      member('prod-eu-old-report', 'CREATE_COMPLETE', { 'batchform:project': PROJECT, 'batchform:stage': 'prod-eu', 'batchform:batch': 'old-report' }),
    ];
    return (r: Seen): Answer => {
      const name = (r.params.get('StackName') ?? '').replace(/^arn:.*:stack\/([^/]+)\/.*$/, '$1');
      switch (r.operation) {
        case 'DescribeStacks':
          if (!name) return queryResult('DescribeStacks', `<Stacks>${listing.join('')}</Stacks>`);
          return deleted.has(name) ? queryError(400, 'ValidationError', `Stack with id ${name} does not exist`) : queryResult('DescribeStacks', `<Stacks>${listing.find((m) => m.includes(`<StackName>${name}<`))}</Stacks>`);
        case 'DescribeStackResources':
          return queryResult('DescribeStackResources', '<StackResources><member><LogicalResourceId>LogGroup</LogicalResourceId>' +
            `<PhysicalResourceId>/aws/lambda/${name}</PhysicalResourceId><ResourceType>AWS::Logs::LogGroup</ResourceType>` +
            '<ResourceStatus>CREATE_COMPLETE</ResourceStatus><Timestamp>2026-11-25T00:00:00Z</Timestamp><StackName>x</StackName></member></StackResources>');
        case 'DeleteStack':
          deleted.add(name);
          return queryResult('DeleteStack');
        default:
          return queryError(400, 'Unexpected', `the fake does not know ${r.operation}`);
      }
    };
  }

  test('preview lists the deletion; deploy refuses without the allowance and deletes only that stack with it', async () => {
    const project = makeProject({ project: PROJECT });
    const fingerprint = project.inputs().stacks[0].fingerprint;
    fake = await startLoopback(region(fingerprint));

    const preview = await deployStage(project.inputs(), engineOptions(fake.clients, { mode: 'preview' }));
    expect(preview.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-daily-stats', 'unchanged'], [OLD, 'will-delete']]);
    expect(preview.stacks[1].removal?.loses).toEqual(['its log history (every event in log group /aws/lambda/prod-old-report)']);

    await expect(deployStage(project.inputs(), engineOptions(fake.clients))).rejects.toMatchObject({ kind: 'bad-input' });
    expect(fake.seen.filter((s) => s.operation === 'DeleteStack')).toHaveLength(0);

    const deploy = await deployStage(project.inputs(), engineOptions(fake.clients, { allowRemoval: true }));
    expect(deploy.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-daily-stats', 'unchanged'], [OLD, 'deleted']]);
    expect(fake.seen.filter((s) => s.operation === 'DeleteStack').map((s) => s.params.get('StackName'))).toEqual([
      'arn:aws:cloudformation:ap-northeast-2:111122223333:stack/prod-old-report/1',
    ]);
  });
});
