// Small pure parts of the deploy engine: fingerprint, change rows, stack statuses, change set names, the pool.
import type { Change } from '@aws-sdk/client-cloudformation';
import { change } from './helpers';
import { mapWithConcurrency } from '../../src/aws/pool';
import { classifyStatus } from '../../src/aws/stack-state';
import { resolveWaits } from '../../src/aws/waits';
import { findScheduleChange, resourceChanges } from '../../src/deploy/changes';
import { stackFingerprint } from '../../src/deploy/fingerprint';
import { grantsMore, permissionChange } from '../../src/deploy/iam-diff';
import { CHANGE_SET_NAME, changeSetName, shortRevision } from '../../src/deploy/revision';
import { sha256Base64 } from '../../src/deploy/upload';
import { secretsOf } from '../../src/deploy/values';

describe('stackFingerprint', () => {
  const base = { templateBody: '{"Resources":{}}', parameters: { A: '1', B: '2' }, codeSha256: 'ab'.repeat(32), tags: { team: 'data' }, roleArn: 'arn:role' };

  test('ignores key order and the fingerprint tag itself', () => {
    const fp = stackFingerprint(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(stackFingerprint({ ...base, parameters: { B: '2', A: '1' } })).toBe(fp);
    expect(stackFingerprint({ ...base, tags: { 'team': 'data', 'batchform:fingerprint': 'x' } })).toBe(fp);
  });

  test.each([
    ['template', { templateBody: '{"Resources":{"X":{}}}' }],
    ['a parameter', { parameters: { A: '1', B: '3' } }],
    ['the code hash', { codeSha256: 'cd'.repeat(32) }],
    ['a tag', { tags: { team: 'ops' } }],
    ['the execution role', { roleArn: undefined }],
  ])('changes with %s', (_what, changed) => {
    expect(stackFingerprint({ ...base, ...changed })).not.toBe(stackFingerprint(base));
  });
});

test('sha256Base64 is the base64 of the digest bytes, as S3 stores it', () => {
  // sha256("") in hex and base64
  expect(sha256Base64('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
});

describe('resourceChanges', () => {
  test('maps action, ids, replacement and dotted property paths, once each', () => {
    const rows = resourceChanges([
      change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'Code/S3Key' }, { path: 'Code/S3Key' }, { path: 'Tags' }], 'Conditional'),
      change('Remove', 'Old', 'AWS::SQS::Queue'),
      { Type: 'Resource' } as Change,
    ]);
    expect(rows).toEqual([
      { action: 'Modify', logicalId: 'Function', type: 'AWS::Lambda::Function', replacement: 'conditional', properties: ['Code.S3Key', 'Tags'] },
      { action: 'Remove', logicalId: 'Old', type: 'AWS::SQS::Queue', replacement: undefined, properties: [], loses: "the queue's messages (waiting and in flight)" },
    ]);
  });

  test('a NoEcho parameter hides the values it causes and any value containing what it was given', () => {
    const secrets = secretsOf(JSON.stringify({ Parameters: { Token: { Type: 'String', NoEcho: true }, Plain: { Type: 'String' } } }), { Token: 's3cr3t-value', Plain: 'open' });
    expect(secrets).toEqual({ parameters: ['Token'], values: ['s3cr3t-value'] });
    const [row] = resourceChanges([change('Modify', 'Rule', 'AWS::Events::Rule', [
      { path: 'Targets/0/Input', before: '"****"', after: '"x"', parameter: 'Token' },
      { path: 'Description', before: '"old"', after: '"uses s3cr3t-value"' },
      { path: 'State', before: '"ENABLED"', after: '"DISABLED"', parameter: 'Plain' },
    ], 'False')], secrets);
    expect(row.values).toEqual([
      { path: 'Targets.0.Input', change: 'Modify', hidden: true },
      { path: 'Description', change: 'Modify', hidden: true },
      { path: 'State', change: 'Modify', before: 'ENABLED', after: 'DISABLED' },
    ]);
  });

  test('a replacement names the properties that force it; a retained resource loses nothing', () => {
    const [replaced, retained] = resourceChanges([
      change('Modify', 'Logs', 'AWS::Logs::LogGroup', [{ path: 'LogGroupName', recreation: 'Always' }, { path: 'RetentionInDays' }], 'True'),
      change('Remove', 'Queue', 'AWS::SQS::Queue', [], undefined, { PolicyAction: 'Retain' }),
    ]);
    expect(replaced).toMatchObject({ replacedBy: ['LogGroupName'], loses: "the log group's history (every log event in it)" });
    expect(retained).toMatchObject({ retained: true });
    expect(retained.loses).toBeUndefined();
  });
});

describe('permissionChange', () => {
  const policy = (statements: object[]) => JSON.stringify({ Properties: { PolicyName: 'p', PolicyDocument: JSON.stringify({ Statement: statements }) } });
  test('a widened resource is an added Allow statement and the narrower one removed; order of actions does not matter', () => {
    const p = permissionChange({
      Action: 'Modify',
      ResourceType: 'AWS::IAM::Policy',
      BeforeContext: policy([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::b/in/*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }]),
      AfterContext: policy([{ Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: 'arn:aws:s3:::b/*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }]),
    })!;
    expect(p.added).toEqual([{ policy: 'p', effect: 'Allow', actions: ['s3:ListBucket', 's3:GetObject'], resources: ['arn:aws:s3:::b/*'] }]);
    expect(p.removed).toEqual([{ policy: 'p', effect: 'Allow', actions: ['s3:GetObject', 's3:ListBucket'], resources: ['arn:aws:s3:::b/in/*'] }]);
    expect(grantsMore(p)).toBe(true);
  });
  test('only removing statements or adding a Deny grants nothing new; an unchanged document is no change', () => {
    const before = policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
    const narrowed = permissionChange({ Action: 'Modify', ResourceType: 'AWS::IAM::Policy', BeforeContext: before, AfterContext: policy([{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]) })!;
    expect(grantsMore(narrowed)).toBe(false);
    expect(permissionChange({ Action: 'Modify', ResourceType: 'AWS::IAM::Policy', BeforeContext: before, AfterContext: before })).toBeUndefined();
    expect(permissionChange({ Action: 'Modify', ResourceType: 'AWS::Lambda::Function', BeforeContext: before, AfterContext: before })).toBeUndefined();
  });
  test('who may reach a batch: a queue policy\'s new principal, a widened invoke permission, a role\'s trust policy', () => {
    const props = (p: object) => JSON.stringify({ Properties: p });
    const queue = permissionChange({
      Action: 'Modify',
      ResourceType: 'AWS::SQS::QueuePolicy',
      BeforeContext: props({ PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: 'arn:q' }] } }),
      AfterContext: props({
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: 'arn:q' },
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sqs:ReceiveMessage', Resource: 'arn:q' },
          ],
        },
      }),
    })!;
    expect(queue.added).toEqual([{ policy: 'queue policy', effect: 'Allow', actions: ['sqs:ReceiveMessage'], resources: ['arn:q'], principal: '{"AWS":"arn:aws:iam::444455556666:root"}' }]);
    expect(queue.removed).toEqual([]);
    expect(grantsMore(queue)).toBe(true);

    // Dropping SourceArn lets every rule of every account invoke the function: one statement out, a wider one in.
    const invoke = permissionChange({
      Action: 'Modify',
      ResourceType: 'AWS::Lambda::Permission',
      BeforeContext: props({ Action: 'lambda:InvokeFunction', FunctionName: 'arn:fn', Principal: 'events.amazonaws.com', SourceArn: 'arn:rule', SourceAccount: '111122223333' }),
      AfterContext: props({ Action: 'lambda:InvokeFunction', FunctionName: 'arn:fn', Principal: 'events.amazonaws.com' }),
    })!;
    expect(invoke.added).toEqual([{ policy: 'invoke permission', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: ['arn:fn'], principal: 'events.amazonaws.com' }]);
    expect(invoke.removed[0]).toMatchObject({ condition: '{"aws:SourceArn":"arn:rule","aws:SourceAccount":"111122223333"}' });

    const trust = (service: string) => props({ AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] } });
    const role = permissionChange({ Action: 'Modify', ResourceType: 'AWS::IAM::Role', BeforeContext: trust('lambda.amazonaws.com'), AfterContext: trust('ec2.amazonaws.com') })!;
    expect(role.added).toEqual([{ policy: 'trust policy', effect: 'Allow', actions: ['sts:AssumeRole'], resources: [], principal: '{"Service":"ec2.amazonaws.com"}' }]);
  });

  test('the report names the principal of a resource policy statement', () => {
    const rc = change('Modify', 'DeadLetterQueuePolicy', 'AWS::SQS::QueuePolicy', [{ path: 'PolicyDocument', before: '{}', after: '{}' }], 'False', {
      BeforeContext: JSON.stringify({ Properties: { PolicyDocument: { Statement: [] } } }),
      AfterContext: JSON.stringify({ Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: 'arn:q' }] } } }),
    });
    const [c] = resourceChanges([rc]);
    // The document's own leaf values are not repeated: the permissions table shows the change.
    expect(c.values).toBeUndefined();
    expect(c.permissions?.added).toEqual([{ policy: 'queue policy', effect: 'Allow', actions: ['sqs:*'], resources: ['arn:q'], principal: '*' }]);
  });
  test('a NoEcho parameter value inside a statement is not kept', () => {
    const p = permissionChange({
      Action: 'Add',
      ResourceType: 'AWS::IAM::Policy',
      AfterContext: policy([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:::secret:db-Xy9Secret' }]),
    }, { parameters: ['SecretName'], values: ['Xy9Secret'] })!;
    expect(p.added[0].resources).toEqual(['arn:aws:secretsmanager:::secret:db-(hidden)']);
  });
  test('a managed policy attached to a role grants more', () => {
    const role = (arns: string[]) => JSON.stringify({ Properties: { ManagedPolicyArns: arns } });
    const p = permissionChange({ Action: 'Modify', ResourceType: 'AWS::IAM::Role', BeforeContext: role([]), AfterContext: role(['arn:aws:iam::aws:policy/AdministratorAccess']) })!;
    expect(p.managedAdded).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(grantsMore(p)).toBe(true);
  });
});

describe('findScheduleChange', () => {
  test('a new rule is a schedule change with no before', () => {
    expect(findScheduleChange([change('Add', 'Schedule', 'AWS::Events::Rule')])).toEqual({ changed: true, before: undefined });
  });
  test('a changed expression gives the live one, unquoted', () => {
    expect(findScheduleChange([change('Modify', 'Schedule', 'AWS::Events::Rule', [{ path: 'ScheduleExpression', before: '"cron(0 3 * * ? *)"' }])]))
      .toEqual({ changed: true, before: 'cron(0 3 * * ? *)' });
  });
  test('a rule whose description alone changes, or another resource, is not a schedule change', () => {
    expect(findScheduleChange([
      change('Modify', 'Schedule', 'AWS::Events::Rule', [{ path: 'Description' }]),
      change('Modify', 'Function', 'AWS::Lambda::Function', [{ path: 'ScheduleExpression' }]),
    ]).changed).toBe(false);
  });
});

test.each([
  [undefined, 'absent'],
  ['REVIEW_IN_PROGRESS', 'review'],
  ['CREATE_COMPLETE', 'ready'],
  ['UPDATE_ROLLBACK_COMPLETE', 'ready'],
  ['ROLLBACK_COMPLETE', 'failed-create'],
  ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'busy'],
  ['DELETE_IN_PROGRESS', 'busy'],
  ['UPDATE_ROLLBACK_FAILED', 'stuck'],
  ['DELETE_FAILED', 'stuck'],
])('classifyStatus(%s) is %s', (status, condition) => {
  expect(classifyStatus(status)).toBe(condition);
});

describe('change set names', () => {
  test('name the commit, the UTC second and the run', () => {
    expect(changeSetName('4f2a9c1', new Date('2026-11-25T09:43:12.345Z'), 'r1')).toBe('batchform-4f2a9c1-20261125T094312Z-r1');
  });
  test('two runs started in the same second get different names, each within CloudFormation\'s pattern and length', () => {
    const at = new Date('2026-11-25T09:43:12Z');
    const names = new Set(Array.from({ length: 50 }, () => changeSetName('4f2a9c1', at)));
    expect(names.size).toBe(50);
    for (const n of names) expect(n).toMatch(CHANGE_SET_NAME);
    const longest = changeSetName('x'.repeat(200), at, 'y'.repeat(200));
    expect(longest.length).toBeLessThanOrEqual(128);
    expect(longest).toMatch(CHANGE_SET_NAME);
    expect(changeSetName('!!', at, '--')).toMatch(/^batchform-local-20261125T094312Z-[0-9a-f]{6}$/);
  });
  test('take the short commit from GITHUB_SHA, else git, else "local"', () => {
    expect(shortRevision({ GITHUB_SHA: '4f2a9c1d0e5b6a7980' }, () => 'unused')).toBe('4f2a9c1');
    expect(shortRevision({}, () => 'b7c8d9e\n')).toBe('b7c8d9e');
    expect(shortRevision({}, () => {
      throw new Error('not a git repository');
    })).toBe('local');
  });
});

test('resolveWaits fills defaults and rejects bounds the SDK waiters would refuse', () => {
  expect(resolveWaits({ stack: { maxWaitTime: 60 } }).stack).toEqual({ minDelay: 5, maxDelay: 30, maxWaitTime: 60 });
  expect(() => resolveWaits({ changeSet: { minDelay: 20, maxDelay: 10 } })).toThrow(/waits.changeSet needs 0 < minDelay <= maxDelay/);
});

describe('mapWithConcurrency', () => {
  test('starts at most `limit` tasks, starts the next as one finishes, keeps input order', async () => {
    const releases: Array<() => void> = [];
    const started: number[] = [];
    const promise = mapWithConcurrency([0, 1, 2, 3, 4], 2, (n) => {
      started.push(n);
      return new Promise<number>((resolve) => releases.push(() => resolve(n * 10)));
    });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    releases[1]();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    releases[0]();
    releases[2]();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    releases[3]();
    releases[4]();
    expect(await promise).toEqual([0, 10, 20, 30, 40]);
  });

  test('rejects a limit that is not a positive whole number', async () => {
    await expect(mapWithConcurrency([1], 0, async (n) => n)).rejects.toThrow('concurrency must be a positive whole number, got 0');
  });
});
