// The deploy engine's state machine against mocked CloudFormation and S3 clients, one path per test.
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, change, doesNotExist, engineOptions, fakeAws, liveStack, makeProject, stackId, zipChecksum } from './helpers';
import { deployStage, renderTextReport } from '../../src/deploy';
import { compactTemplate } from '../../src/deploy/change-set';
import { FINGERPRINT_TAG } from '../../src/deploy/fingerprint';
import { sha256Base64 } from '../../src/deploy/upload';
import { sha256Hex } from '../../src/model/hash';

const STACK = 'prod-daily-stats';
const CODE_CHANGE = change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'Code/S3Key', before: '"batchform/daily-stats/old.zip"', after: '"batchform/daily-stats/new.zip"' }], 'False');

describe('create', () => {
  test('uploads the zip with its SHA-256, creates a CREATE change set with every parameter, tag and the role, executes it', async () => {
    const project = makeProject();
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({
      byName: { [STACK]: [liveStack(STACK, 'CREATE_COMPLETE', 'whatever')] },
      changeSet: { pages: [[change('Add', 'Function', 'AWS::Lambda::Function'), change('Add', 'Schedule', 'AWS::Events::Rule')]] },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.ok).toBe(true);
    expect(result.stacks[0]).toMatchObject({ stackName: STACK, outcome: 'created', code: 'uploaded', changeSetName: 'batchform-4f2a9c1-20261125T094312Z-r1' });
    const put = aws.s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: `batchform/daily-stats/${prepared.code.sha256}.zip`,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: sha256Base64(prepared.code.sha256),
    });
    const create = aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(create).toMatchObject({
      StackName: STACK,
      ChangeSetType: 'CREATE',
      TemplateBody: compactTemplate(prepared.templateBody),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      RoleARN: 'arn:aws:iam::111122223333:role/batchform-cfn-exec',
    });
    expect(create.Parameters).toEqual([
      { ParameterKey: 'CodeS3Bucket', ParameterValue: BUCKET },
      { ParameterKey: 'CodeS3Key', ParameterValue: `batchform/daily-stats/${prepared.code.sha256}.zip` },
      // The version S3 gave the upload: CloudFormation reads exactly what was written and checked.
      { ParameterKey: 'CodeS3ObjectVersion', ParameterValue: 'uploaded-1' },
    ]);
    expect(create.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'data' }, { Key: FINGERPRINT_TAG, Value: prepared.fingerprint }]));
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    // A new schedule: its next runs (16:00 in the batch's zone, Asia/Seoul) are in the result.
    expect(result.stacks[0].schedule).toMatchObject({ after: 'cron(0 16 * * ? *)', nextRuns: [new Date('2026-11-26T07:00:00Z'), new Date('2026-11-27T07:00:00Z'), new Date('2026-11-28T07:00:00Z')] });
    expect(result.stacks[0].runsIn).toBe('Asia/Seoul, on EventBridge Scheduler (local time, all year)');
  });

  test('a template over 51,200 bytes is uploaded under its hash and passed by URL', async () => {
    const project = makeProject({ bigTemplateBytes: 60_000 });
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({ byName: { [STACK]: [liveStack(STACK, 'CREATE_COMPLETE')] } });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('created');
    const sent = sha256Hex(compactTemplate(prepared.templateBody));
    const key = `batchform/daily-stats/${sent}.template.json`;
    expect(aws.s3.commandCalls(PutObjectCommand, { Key: key, ChecksumSHA256: sha256Base64(sent) })).toHaveLength(1);
    const create = aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(create.TemplateURL).toBe(`https://${BUCKET}.s3.ap-northeast-2.amazonaws.com/${key}?versionId=uploaded-1`);
    expect(create.TemplateBody).toBeUndefined();
  });
});

describe('the checked code version is the one deployed', () => {
  const codeVersion = (aws: ReturnType<typeof fakeAws>) =>
    (aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.Parameters ?? []).find((x) => x.ParameterKey === 'CodeS3ObjectVersion')?.ParameterValue;

  test('an object already in S3 is pinned at the version whose SHA-256 HeadObject checked', async () => {
    const project = makeProject();
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({
      byName: { [STACK]: [liveStack(STACK, 'CREATE_COMPLETE')] },
      head: () => ({ checksum: sha256Base64(prepared.code.sha256), versionId: 'checked-7' }),
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0]).toMatchObject({ outcome: 'created', code: 'present' });
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    // A later PutObject under the key makes a new version; the stack still reads checked-7.
    expect(codeVersion(aws)).toBe('checked-7');
  });

  test('a preview of a zip not uploaded yet passes no version (the template falls back to the key)', async () => {
    const project = makeProject();
    const aws = fakeAws();

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0]).toMatchObject({ outcome: 'will-create', code: 'absent' });
    expect(codeVersion(aws)).toBeUndefined();
  });

  test('an unversioned bucket cannot pin: the deploy goes on and says so', async () => {
    const project = makeProject();
    const aws = fakeAws({ byName: { [STACK]: [liveStack(STACK, 'CREATE_COMPLETE')] }, putVersionId: 'null' });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('created');
    expect(codeVersion(aws)).toBeUndefined();
    expect(result.stacks[0].notes.join('\n')).toMatch(`artifact bucket ${BUCKET} is not versioned`);
  });
});

describe('update', () => {
  test('a live stack with another fingerprint gets an UPDATE change set, described and executed', async () => {
    const project = makeProject();
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old-fingerprint')],
      byName: { [STACK]: [liveStack(STACK, 'UPDATE_COMPLETE')] },
      changeSet: { pages: [[CODE_CHANGE]] },
      head: () => 'absent',
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0]).toMatchObject({
      outcome: 'updated',
      changes: [{ action: 'Modify', logicalId: 'Function', type: 'AWS::Lambda::Function', replacement: 'no', properties: ['Code.S3Key'] }],
    });
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('UPDATE');
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand, { StackName: STACK, ChangeSetName: 'batchform-4f2a9c1-20261125T094312Z-r1' })).toHaveLength(1);
    // The code did not touch the schedule rule, so no next runs are shown.
    expect(result.stacks[0].schedule).toBeUndefined();
  });

  test('a change set with no changes is deleted and the stack reported unchanged', async () => {
    const project = makeProject();
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old-fingerprint')],
      changeSet: { status: 'FAILED', reason: 'The submitted information didn\'t contain changes. Submit different information to create a change set.' },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.ok).toBe(true);
    expect(result.stacks[0]).toMatchObject({ outcome: 'unchanged', unchangedBy: 'change-set' });
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand, { StackName: STACK, ChangeSetName: 'batchform-4f2a9c1-20261125T094312Z-r1' })).toHaveLength(1);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  test('a stack whose fingerprint tag equals the new fingerprint is skipped without a change set or S3 call', async () => {
    const project = makeProject();
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', prepared.fingerprint)] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0]).toMatchObject({ outcome: 'unchanged', unchangedBy: 'fingerprint' });
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('force creates a change set even when the fingerprint matches', async () => {
    const project = makeProject();
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', prepared.fingerprint)], changeSet: { pages: [[CODE_CHANGE]] } });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { force: true }));

    expect(result.stacks[0].outcome).toBe('updated');
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });
});

describe('code upload', () => {
  test('is skipped when an object with the same stored SHA-256 is already under the key', async () => {
    const project = makeProject();
    const checksum = zipChecksum(project, 'daily-stats');
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], head: () => ({ checksum }), changeSet: { pages: [[CODE_CHANGE]] } });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0]).toMatchObject({ outcome: 'updated', code: 'present' });
    expect(aws.s3.commandCalls(HeadObjectCommand)[0].args[0].input).toMatchObject({ ChecksumMode: 'ENABLED' });
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test.each([
    ['another checksum', { checksum: sha256Base64('00'.repeat(32)) }, 'stored SHA-256 checksum is "AAAA'],
    ['no checksum', {}, 'stored SHA-256 checksum is missing'],
  ])('an object under the key with %s is an integrity failure that stops the stack', async (_label, head, message) => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], head: () => head });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.ok).toBe(false);
    expect(result.stacks[0].outcome).toBe('failed');
    expect(result.stacks[0].error).toContain(message);
    expect(result.stacks[0].error).toContain(`s3://${BUCKET}/batchform/daily-stats/`);
    expect(result.stacks[0].error).toContain('aws s3 rm');
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

describe('preview', () => {
  test('describes every page of the change set with property values, deletes it, and writes nothing to S3', async () => {
    const project = makeProject();
    const scheduleChange = change('Modify', 'Schedule', 'AWS::Events::Rule', [{ path: 'ScheduleExpression', before: 'cron(10 15 * * ? *)', after: 'cron(0 16 * * ? *)' }], 'False');
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')],
      changeSet: { pages: [[CODE_CHANGE], [scheduleChange]] },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0]).toMatchObject({ outcome: 'will-update', code: 'absent' });
    expect(result.stacks[0].changes?.map((c) => c.logicalId)).toEqual(['Function', 'Schedule']);
    const describes = aws.sent.filter(([op, input]) => op === 'DescribeChangeSet' && input.IncludePropertyValues === true);
    expect(describes.map(([, input]) => input.NextToken)).toEqual([undefined, '1']);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(result.stacks[0].notes.join('\n')).toContain('is not in S3 yet; deploy uploads it');
    expect(result.stacks[0].schedule).toMatchObject({ before: 'cron(10 15 * * ? *)', after: 'cron(0 16 * * ? *)' });
  });

  test('a CREATE preview deletes its change set but keeps the empty REVIEW_IN_PROGRESS stack (the preview role may not delete stacks)', async () => {
    const project = makeProject();
    const aws = fakeAws({ changeSet: { pages: [[change('Add', 'Function', 'AWS::Lambda::Function')]] } });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0].outcome).toBe('will-create');
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(result.stacks[0].notes).toContain('CloudFormation keeps the new stack as an empty REVIEW_IN_PROGRESS stack (no resources) until the first deploy creates it.');
  });

  test('a template over 51,200 bytes as written but not once compact is previewed inline: no S3 write, no S3 template', async () => {
    const project = makeProject({ extraResources: 120 });
    const [prepared] = project.inputs().stacks;
    expect(Buffer.byteLength(prepared.templateBody)).toBeGreaterThan(51_200);
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], head: () => ({ checksum: zipChecksum(project, 'daily-stats') }) });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0].outcome).toBe('will-update');
    const create = aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(create.TemplateURL).toBeUndefined();
    expect(Buffer.byteLength(create.TemplateBody!)).toBeLessThanOrEqual(51_200);
    expect(JSON.parse(create.TemplateBody!)).toEqual(JSON.parse(prepared.templateBody));
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a template too large to inline that is not yet in S3 is previewed from the preview area, never the artifact prefix', async () => {
    const project = makeProject({ bigTemplateBytes: 60_000 });
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0].outcome).toBe('will-update');
    const sent = sha256Hex(compactTemplate(prepared.templateBody));
    // Looked for where a deploy would have put it, then written to the preview area only.
    expect(aws.s3.commandCalls(HeadObjectCommand, { Key: `batchform/daily-stats/${sent}.template.json` })).toHaveLength(1);
    const puts = aws.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(puts).toEqual([`batchform-preview/${sent}.template.json`]);
    const create = aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(create.TemplateURL).toBe(`https://${BUCKET}.s3.ap-northeast-2.amazonaws.com/batchform-preview/${sent}.template.json?versionId=uploaded-1`);
    expect(result.stacks[0].notes.join('\n')).toMatch('the preview read it from the preview area');
  });

  test('a large template a deploy already uploaded is previewed from there, with no S3 write', async () => {
    const project = makeProject({ bigTemplateBytes: 60_000 });
    const [prepared] = project.inputs().stacks;
    const sent = sha256Hex(compactTemplate(prepared.templateBody));
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')],
      head: (key) => key.endsWith('.template.json') ? { checksum: sha256Base64(sent), versionId: 'deployed-3' } : 'absent',
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0].outcome).toBe('will-update');
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.TemplateURL)
      .toBe(`https://${BUCKET}.s3.ap-northeast-2.amazonaws.com/batchform/daily-stats/${sent}.template.json?versionId=deployed-3`);
  });
});

describe('refusing replacements', () => {
  const replaceLogGroup = change('Modify', 'LogGroup', 'AWS::Logs::LogGroup', [{ path: 'LogGroupName', before: '/aws/lambda/a', after: '/aws/lambda/b', recreation: 'Always' }], 'True');

  test('a deploy that would replace a refused type fails that stack before execution and deletes its change set', async () => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], changeSet: { pages: [[replaceLogGroup]] } });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'] }));

    expect(result.ok).toBe(false);
    expect(result.stacks[0].outcome).toBe('failed');
    expect(result.stacks[0].error).toMatch(/refusing to replace LogGroup \(AWS::Logs::LogGroup, forced by LogGroupName\).*Nothing was executed/);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  test('replacements of other types, and any replacement without the option, go on', async () => {
    for (const refuse of [['AWS::SQS::Queue'], undefined]) {
      const project = makeProject();
      const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], byName: { [STACK]: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')] }, changeSet: { pages: [[replaceLogGroup]] } });
      const result = await deployStage(project.inputs(), engineOptions(aws.clients, { refuseReplacement: refuse }));
      expect(result.stacks[0].outcome).toBe('updated');
      expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    }
  });

  test('a preview only reports the replacement', async () => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], changeSet: { pages: [[replaceLogGroup]] } });
    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview', refuseReplacement: ['AWS::Logs::LogGroup'] }));
    expect(result.stacks[0].outcome).toBe('will-update');
  });
});

describe('faults', () => {
  test('a ROLLBACK_COMPLETE stack (failed first create) is deleted, waited for, then created', async () => {
    const project = makeProject();
    const failed = liveStack(STACK, 'ROLLBACK_COMPLETE');
    const aws = fakeAws({
      live: [failed],
      // Polls by id: the delete waiter sees it deleting, then gone; the create waiter sees the new stack.
      byName: { [STACK]: [liveStack(STACK, 'DELETE_IN_PROGRESS'), doesNotExist(STACK), liveStack(STACK, 'CREATE_COMPLETE')] },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('created');
    expect(result.stacks[0].notes[0]).toContain('was ROLLBACK_COMPLETE (its first create failed); deleted it and created it again');
    expect(aws.cfn.commandCalls(DeleteStackCommand, { StackName: stackId(STACK) })).toHaveLength(1);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('CREATE');
    const order = aws.sent.map(([op]) => op);
    expect(order.indexOf('DeleteStack')).toBeLessThan(order.indexOf('CreateChangeSet'));
  });

  test('preview of a ROLLBACK_COMPLETE stack deletes nothing and says deploy will recreate it', async () => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'ROLLBACK_COMPLETE')] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' }));

    expect(result.stacks[0].outcome).toBe('will-create');
    expect(result.stacks[0].notes[0]).toContain('deploy will delete it and create it again');
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  test('a stack UPDATE_IN_PROGRESS (an interrupted or concurrent run) is waited out, then updated', async () => {
    const project = makeProject();
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_IN_PROGRESS', 'old')],
      byName: { [STACK]: [liveStack(STACK, 'UPDATE_IN_PROGRESS'), liveStack(STACK, 'UPDATE_IN_PROGRESS'), liveStack(STACK, 'UPDATE_COMPLETE', 'old')] },
      changeSet: { pages: [[CODE_CHANGE]] },
    });
    const options = engineOptions(aws.clients);

    const result = await deployStage(project.inputs(), options);

    expect(result.stacks[0].outcome).toBe('updated');
    expect(result.stacks[0].notes[0]).toBe('Waited for the stack\'s UPDATE_IN_PROGRESS (an earlier or concurrent run) to finish; it is now UPDATE_COMPLETE.');
    expect(options.lines[0]).toContain('prod-daily-stats is UPDATE_IN_PROGRESS (an earlier or concurrent run); waiting up to 2 s');
    expect(aws.cfn.commandCalls(DescribeStacksCommand, { StackName: stackId(STACK) }).length).toBeGreaterThanOrEqual(3);
  });

  test('a stack still in progress when the bounded wait ends fails clearly, without a change set', async () => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_IN_PROGRESS', 'old')] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, {
      waits: { stack: { minDelay: 0.001, maxDelay: 0.005, maxWaitTime: 0.05 } },
    }));

    expect(result.stacks[0].outcome).toBe('failed');
    expect(result.stacks[0].error).toMatch(/^prod-daily-stats is still UPDATE_IN_PROGRESS after waiting 50 ms: another deploy may be running/);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  test('UPDATE_ROLLBACK_FAILED stops the stack and says how to continue the rollback', async () => {
    const project = makeProject();
    const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_ROLLBACK_FAILED', 'old')] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('failed');
    expect(result.stacks[0].error).toContain('the stack is UPDATE_ROLLBACK_FAILED');
    expect(result.stacks[0].error).toContain('aws cloudformation continue-update-rollback --stack-name prod-daily-stats');
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a change set FAILED for another reason fails with AWS\'s reason and is deleted', async () => {
    const project = makeProject();
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')],
      changeSet: { status: 'FAILED', reason: 'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template' },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('failed');
    expect(result.stacks[0].error).toContain('change set batchform-4f2a9c1-20261125T094312Z-r1 failed: Template format error: Unresolved resource dependencies [Missing]');
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  test('a failed execution reports the first failed resource events of that execution', async () => {
    const project = makeProject();
    const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 9, 44, s));
    const aws = fakeAws({
      live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')],
      byName: { [STACK]: [liveStack(STACK, 'UPDATE_ROLLBACK_COMPLETE')] },
      changeSet: { pages: [[CODE_CHANGE]] },
      events: {
        [STACK]: (token) => [
          { StackId: stackId(STACK), StackName: STACK, EventId: '6', LogicalResourceId: STACK, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE', Timestamp: at(40), ClientRequestToken: token },
          { StackId: stackId(STACK), StackName: STACK, EventId: '5', LogicalResourceId: STACK, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', ResourceStatusReason: 'The following resource(s) failed to update: [Function].', Timestamp: at(30), ClientRequestToken: token },
          { StackId: stackId(STACK), StackName: STACK, EventId: '4', LogicalResourceId: 'Schedule', ResourceType: 'AWS::Events::Rule', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Resource update cancelled', Timestamp: at(21), ClientRequestToken: token },
          { StackId: stackId(STACK), StackName: STACK, EventId: '3', LogicalResourceId: 'Function', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey"', Timestamp: at(20), ClientRequestToken: token },
          { StackId: stackId(STACK), StackName: STACK, EventId: '2', LogicalResourceId: STACK, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated', Timestamp: at(10), ClientRequestToken: token },
          { StackId: stackId(STACK), StackName: STACK, EventId: '1', LogicalResourceId: 'Function', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'an older run', Timestamp: at(1), ClientRequestToken: 'older-run' },
        ],
      },
    });
    const options = engineOptions(aws.clients);

    const result = await deployStage(project.inputs(), options);

    expect(result.ok).toBe(false);
    expect(result.stacks[0]).toMatchObject({
      outcome: 'failed',
      error: 'the execution failed and the stack is now UPDATE_ROLLBACK_COMPLETE; CloudFormation rolled it back, so the previous version still runs. Fix the cause and deploy again.',
      events: [{ logicalId: 'Function', type: 'AWS::Lambda::Function', status: 'UPDATE_FAILED', reason: 'Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey"', timestamp: at(20) }],
    });
    expect(aws.cfn.commandCalls(DescribeStackEventsCommand, { StackName: stackId(STACK) })).toHaveLength(1);
    expect(options.lines.join('\n')).toContain('Function (AWS::Lambda::Function) UPDATE_FAILED: Resource handler returned message');
    expect(renderTextReport(result)).toContain('S3 Error Code: NoSuchKey');
    // An executed change set belongs to the stack's history; it is not deleted.
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });
});

describe('parallel stacks', () => {
  test('one of three stacks failing does not stop the other two; the stage is not ok', async () => {
    const project = makeProject({ batches: ['alpha', 'beta', 'gamma'] });
    const aws = fakeAws({
      byName: { 'prod-alpha': [liveStack('prod-alpha', 'CREATE_COMPLETE')], 'prod-beta': [liveStack('prod-beta', 'CREATE_COMPLETE')], 'prod-gamma': [liveStack('prod-gamma', 'CREATE_COMPLETE')] },
      changeSets: { 'prod-beta': { status: 'FAILED', reason: 'Parameters: [CodeS3Key] must have values' } },
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { concurrency: 3 }));

    expect(result.stacks.map((s) => [s.stackName, s.outcome])).toEqual([['prod-alpha', 'created'], ['prod-beta', 'failed'], ['prod-gamma', 'created']]);
    expect(result.ok).toBe(false);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand).map((c) => c.args[0].input.StackName).sort()).toEqual(['prod-alpha', 'prod-gamma']);
  });

  test('no more than `concurrency` stacks are in flight at once, and that many are', async () => {
    const project = makeProject({ batches: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const aws = fakeAws({ changeSet: { pages: [[change('Add', 'Function', 'AWS::Lambda::Function')]] } });
    let inFlight = 0;
    let most = 0;
    // A stack is in flight from its HeadObject (its first own call) to its DeleteChangeSet (its last).
    aws.s3.on(HeadObjectCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });
    aws.cfn.on(DeleteChangeSetCommand).callsFake(async () => {
      inFlight--;
      return {};
    });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview', concurrency: 2 }));

    expect(result.stacks.every((s) => s.outcome === 'will-create')).toBe(true);
    expect(most).toBe(2);
    expect(inFlight).toBe(0);
  });
});

test('a no-op deploy of 20 stacks makes one paginated DescribeStacks and nothing else', async () => {
  const batches = Array.from({ length: 20 }, (_v, i) => `batch-${String(i + 1).padStart(2, '0')}`);
  const project = makeProject({ batches });
  const inputs = project.inputs();
  const aws = fakeAws({ live: inputs.stacks.map((s) => liveStack(s.stack.stackName, 'UPDATE_COMPLETE', s.fingerprint)), pageSize: 15 });

  const result = await deployStage(inputs, engineOptions(aws.clients));

  expect(result.ok).toBe(true);
  expect(result.stacks.every((s) => s.outcome === 'unchanged' && s.unchangedBy === 'fingerprint')).toBe(true);
  expect(aws.cfn.calls()).toHaveLength(2);
  expect(aws.sent).toEqual([
    ['DescribeStacks', {}],
    ['DescribeStacks', { NextToken: '15' }],
  ]);
  expect(aws.s3.calls()).toHaveLength(0);
});

test('stacks that cannot be listed fail the whole run with a message about credentials', async () => {
  const project = makeProject();
  const aws = fakeAws();
  aws.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

  await expect(deployStage(project.inputs(), engineOptions(aws.clients))).rejects.toThrow(
    /stage "prod": could not list the CloudFormation stacks of account 111122223333, region ap-northeast-2 \(AWS AccessDenied: User is not authorized.*Check the AWS credentials/,
  );
});

test('an AWS error from a call the engine does not expect is reported with its error code', async () => {
  const project = makeProject();
  const aws = fakeAws({ live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')] });
  aws.cfn.on(CreateChangeSetCommand).rejects(Object.assign(new Error('Requires capabilities : [CAPABILITY_AUTO_EXPAND]'), {
    name: 'InsufficientCapabilitiesException',
    $metadata: { httpStatusCode: 400 },
  }));

  const result = await deployStage(project.inputs(), engineOptions(aws.clients));

  expect(result.stacks[0]).toMatchObject({ outcome: 'failed', error: 'AWS InsufficientCapabilitiesException: Requires capabilities : [CAPABILITY_AUTO_EXPAND]' });
  expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
});

describe('account checks before any change set', () => {
  const missing = Object.assign(new Error('UnknownError'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

  test('a missing artifact bucket fails the preview naming the bucket and the bootstrap', async () => {
    const project = makeProject();
    const aws = fakeAws({ bucket: missing });

    await expect(deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview' })))
      .rejects.toThrow(new RegExp(`artifact bucket ${BUCKET} of stage "prod" does not exist in account 111122223333; run the bootstrap .*npx projen bootstrap:prod`));
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  test('a bucket in another region, or one the role may not read, is named with the fix', async () => {
    const project = makeProject();
    await expect(deployStage(project.inputs(), engineOptions(fakeAws({ bucket: { region: 'us-east-1' } }).clients)))
      .rejects.toThrow(`the artifact bucket ${BUCKET} is in region us-east-1, but stage "prod" deploys to ap-northeast-2`);
    const denied = Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    await expect(deployStage(project.inputs(), engineOptions(fakeAws({ bucket: denied }).clients)))
      .rejects.toThrow(`access denied to the artifact bucket ${BUCKET}`);
  });

  test('a no-op deploy checks neither the bucket nor the account: one DescribeStacks', async () => {
    const project = makeProject();
    const [prepared] = project.inputs().stacks;
    const aws = fakeAws({ bucket: missing, live: [liveStack(STACK, 'UPDATE_COMPLETE', prepared.fingerprint)] });

    const result = await deployStage(project.inputs(), engineOptions(aws.clients));

    expect(result.stacks[0].outcome).toBe('unchanged');
    expect(aws.s3.calls()).toHaveLength(0);
    expect(aws.lambda.calls()).toHaveLength(0);
    expect(aws.sent.map(([op]) => op)).toEqual(['DescribeStacks']);
    // The report names no change set, since none was created.
    expect(renderTextReport(result)).toContain('no change set was needed');
    expect(renderTextReport(result)).not.toContain('batchform-4f2a9c1');
  });

  test('an account that cannot reserve concurrency stops the deploy before any change set, with both fixes', async () => {
    const project = makeProject({ reserved: 1 });
    const aws = fakeAws({ concurrency: { quota: 10, unreserved: 10 } });

    await expect(deployStage(project.inputs(), engineOptions(aws.clients)))
      .rejects.toThrow(/account 111122223333 \(ap-northeast-2\) cannot reserve .*quota is 10, 10 of it unreserved.*so 0 can be reserved; batch "daily-stats" reserves 1.*request a higher "Concurrent executions" quota.*reservedConcurrency: false for those batches/);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('an account with room, or a stack that exists already (it holds its reservation), passes', async () => {
    const project = makeProject({ reserved: 1 });
    const roomy = fakeAws({ concurrency: { quota: 1000, unreserved: 1000 }, byName: { [STACK]: [liveStack(STACK, 'CREATE_COMPLETE', 'x')] } });
    expect((await deployStage(project.inputs(), engineOptions(roomy.clients))).ok).toBe(true);
    const existing = fakeAws({ concurrency: { quota: 10, unreserved: 9 }, live: [liveStack(STACK, 'UPDATE_COMPLETE', 'old')], head: () => ({ checksum: zipChecksum(project, 'daily-stats') }) });
    expect((await deployStage(project.inputs(), engineOptions(existing.clients))).ok).toBe(true);
    expect(existing.lambda.calls()).toHaveLength(0);
  });
});
