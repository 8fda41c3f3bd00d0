// The stage stack: one alarm topic, key and set of e-mail subscriptions per stage, which every
// batch's alarms notify, and the stage's run ledger table; built from parts so more stage-level
// resources can be added.
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildManifest } from '../../src/manifest/manifest';
import { ledgerTableName } from '../../src/model/ledger';
import { stageStackName } from '../../src/model/names';
import { watchdogLedgerPolicy, watchdogRoleName } from '../../src/model/watchdog';
import { batchTemplates } from '../../src/template/batch-template';
import { NO_BOUNDARY } from '../../src/template/parameters';
import { alarmTopicPart, STAGE_STACK_PARTS, StageStackPart, stageTemplate } from '../../src/template/stage-stack';
import { STAGE_STACK_PART_VALUES } from '../../src/template/stage-stack-values';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;
const ofType = (t: Json, type: string) => Object.entries(t.Resources as Json).filter(([, r]) => (r as Json).Type === type);

const decl = validateDeclarations({
  stages: [{ ...STAGE, alarmEmails: ['oncall@example.com', 'data@example.com'] }],
  batches: [
    { ...BATCH, name: 'daily-stats' },
    { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'cron(0 9 ? * MON-FRI *)', timezone: 'Asia/Seoul' },
    { ...BATCH, name: 'long-job', timeout: 900, durable: { executionTimeout: 6 * 3600 } },
  ],
}, { fileExists });
const stage = stageTemplate(decl) as Json;
const batches = batchTemplates(decl.batches) as Record<string, Json>;
const manifest = buildManifest(decl, 'cfn-out');

describe('a stage with 3 batches', () => {
  test('has one alarm key and one alarm topic, in its stage stack, and none in any batch stack', () => {
    expect(ofType(stage, 'AWS::KMS::Key').map(([id]) => id)).toEqual(['AlarmTopicKey']);
    expect(ofType(stage, 'AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(stage.Resources.AlarmTopic.Properties).toMatchObject({ TopicName: { Ref: 'AlarmTopicName' }, KmsMasterKeyId: { 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] } });
    expect(stage.Resources.AlarmTopicKey.Properties.EnableKeyRotation).toBe(true);
    for (const [name, t] of Object.entries(batches)) {
      for (const type of ['AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::SNS::Subscription']) expect([name, ofType(t, type)]).toEqual([name, []]);
    }
  });

  test('subscribes each address once for the whole stage (one confirmation e-mail per address per stage)', () => {
    const subs = ofType(stage, 'AWS::SNS::Subscription');
    expect(subs.map(([id, r]) => [id, r.Condition, r.Properties.Protocol, r.Properties.TopicArn])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [`AlarmEmail${i}`, `HasAlarmEmail${i}`, 'email', { Ref: 'AlarmTopic' }]));
    expect(manifest.stages[0].stageStack?.parameters).toMatchObject({
      AlarmEmails: 'oncall@example.com,data@example.com', AlarmTopicName: 'prod-alarms', LedgerTableName: 'prod-batchform-ledger',
    });
  });

  test('the missed-run, failed-run and dead-letter alarms of every batch notify the stage topic', () => {
    const topicArn = `arn:aws:sns:${STAGE.region}:${STAGE.account}:${manifest.stages[0].stageStack?.parameters.AlarmTopicName}`;
    const actions = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
    for (const stack of manifest.stages[0].stacks) {
      // The manifest passes the stage topic's ARN to the batch template's one alarm target.
      expect([stack.batch, stack.parameters.AlarmTopicArn]).toEqual([stack.batch, topicArn]);
      const t = batches[stack.batch];
      for (const id of ['FailedRunAlarm', 'MissedRunAlarm', 'DeadLettersAlarm', 'DeliveryFailedAlarm']) {
        expect([stack.batch, id, t.Resources[id]?.Properties.AlarmActions]).toEqual([stack.batch, id, actions]);
      }
    }
    // The durable batch's own run alarms too.
    for (const id of ['TimedOutRunAlarm', 'OverlappingRunAlarm', 'StartFailedAlarm']) expect(batches['long-job'].Resources[id].Properties.AlarmActions).toEqual(actions);
  });

  test('the topic admits CloudWatch of this account only, over TLS only', () => {
    const [allow, deny] = stage.Resources.AlarmTopicPolicy.Properties.PolicyDocument.Statement;
    expect(allow).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});

describe('the run ledger', () => {
  const plain = buildManifest(validateDeclarations({
    stages: [STAGE, { ...STAGE, name: 'dev', stackPrefix: 'acme-dev', alarmEmails: ['dev@example.com'] }], batches: [BATCH],
  }, { fileExists }), 'cfn-out');

  test('one table per stage, in its stage stack, created in every stage (no condition), and none in any batch stack', () => {
    expect(ofType(stage, 'AWS::DynamoDB::Table').map(([id]) => id)).toEqual(['RunLedger']);
    expect(stage.Resources.RunLedger.Condition).toBeUndefined();
    for (const [name, t] of Object.entries(batches)) expect([name, ofType(t, 'AWS::DynamoDB::Table')]).toEqual([name, []]);
    // Each stage names its table after its stack prefix, the name every batch stack of the stage writes to.
    expect(plain.stages.map((st) => st.stageStack?.parameters.LedgerTableName)).toEqual(['prod-batchform-ledger', 'acme-dev-batchform-ledger']);
    for (const st of plain.stages) {
      for (const b of st.stacks) expect(b.parameters.LedgerTableName).toBe(st.stageStack?.parameters.LedgerTableName);
    }
    expect(stage.Parameters.LedgerTableName).toMatchObject({ Type: 'String' });
  });

  test('on demand, encrypted, point-in-time recovery, TTL on expiresAt, deletion protection, kept when removed or replaced', () => {
    const table = stage.Resources.RunLedger;
    expect(table.Properties).toEqual({
      TableName: { Ref: 'LedgerTableName' },
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'batch', AttributeType: 'S' }, { AttributeName: 'run', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'batch', KeyType: 'HASH' }, { AttributeName: 'run', KeyType: 'RANGE' }],
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
    });
    expect([table.DeletionPolicy, table.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('its name and ARN are outputs of the stage stack', () => {
    expect(stage.Outputs.RunLedgerTableName.Value).toEqual({ Ref: 'RunLedger' });
    expect(stage.Outputs.RunLedgerTableArn.Value).toEqual({ 'Fn::GetAtt': ['RunLedger', 'Arn'] });
    expect(stage.Outputs.RunLedgerTableName.Condition).toBeUndefined();
  });
});

describe('the stage stack without e-mails', () => {
  test('creates no topic or key there (conditions), and needs no placeholder: the ledger table and the watchdog are created in every stage', () => {
    for (const id of ['AlarmTopicKey', 'AlarmTopic', 'AlarmTopicPolicy']) expect(stage.Resources[id].Condition).toBe('CreateAlarmTopic');
    // Without e-mails the alarm topic's resources are all conditional: the table and the watchdog keep the stack valid.
    const unconditional = Object.entries(stage.Resources as Json).filter(([, r]) => !(r as Json).Condition).map(([id]) => id);
    expect(unconditional).toContain('RunLedger');
    expect(unconditional.filter((id) => !id.startsWith('Watchdog') && id !== 'RunLedger')).toEqual([]);
    expect(stage.Resources.StageStack).toBeUndefined();
    expect((stageTemplate(decl, undefined, [alarmTopicPart]) as Json).Resources.StageStack).toEqual({ Type: 'AWS::CloudFormation::WaitConditionHandle' });
    const plain = buildManifest(validateDeclarations({ stages: [STAGE], batches: [BATCH] }, { fileExists }), 'cfn-out');
    expect(plain.stages[0].stageStack?.parameters.AlarmEmails).toBe('');
    expect(plain.stages[0].stacks[0].parameters.AlarmTopicArn).toBe('none');
  });
});

describe('parts', () => {
  test('the resources and the values name the same parts, in the same order', () => {
    expect(STAGE_STACK_PARTS.map((p) => p.name)).toEqual(STAGE_STACK_PART_VALUES.map((p) => p.name));
    expect(STAGE_STACK_PARTS.map((p) => p.name)).toEqual(['alarm-topic', 'ledger', 'watchdog']);
  });

  test('when no part always creates something, the stack gets a placeholder that costs nothing', () => {
    const t = stageTemplate(decl, undefined, [alarmTopicPart]) as Json;
    expect(t.Resources.StageStack).toEqual({ Type: 'AWS::CloudFormation::WaitConditionHandle' });
    expect(t.Resources.RunLedger).toBeUndefined();
  });

  test('a part added by another module contributes its resources; one that always creates something drops the placeholder', () => {
    const watchdog: StageStackPart = {
      name: 'test-watchdog',
      parameters: () => ({}),
      add(stack) {
        new CfnResource(stack, 'Watchdog', { type: 'AWS::Lambda::Function', properties: { Runtime: 'nodejs22.x' } });
        return { alwaysCreates: true };
      },
    };
    const t = stageTemplate(decl, undefined, [alarmTopicPart, watchdog]) as Json;
    expect(t.Resources.Watchdog.Type).toBe('AWS::Lambda::Function');
    expect(t.Resources.AlarmTopic).toBeDefined();
    expect(t.Resources.StageStack).toBeUndefined();
    expect(t.Description).toContain('alarm-topic, test-watchdog');
  });
});

describe('the missed-run watchdog, in every stage', () => {
  const boundary = 'arn:aws:iam::111122223333:policy/acme-prod-boundary';
  const twoStages = validateDeclarations({
    stages: [
      { ...STAGE, permissionsBoundaryArn: boundary },
      { ...STAGE, name: 'dev', account: '444455556666', artifactBucket: 'dev-artifacts', artifactPrefix: 'builds' },
    ],
    batches: [{ ...BATCH, stages: ['prod', 'dev'] }],
  }, { fileExists });
  const t = stageTemplate(twoStages) as Json;
  const m = buildManifest(twoStages, 'cfn-out');
  const r = t.Resources;

  test('a function named after the stage stack, on the batches\' Node.js runtime, arm64, 128-256 MB, a short timeout, JSON logs in its own log group', () => {
    expect(r.WatchdogFunction.Type).toBe('AWS::Lambda::Function');
    const fn = r.WatchdogFunction.Properties;
    expect(fn).toMatchObject({
      FunctionName: { Ref: 'AWS::StackName' },
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': ['WatchdogRole', 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: 'WatchdogLogGroup' }, LogFormat: 'JSON' },
      Code: {
        S3Bucket: { Ref: 'WatchdogCodeBucket' },
        S3Key: { Ref: 'WatchdogCodeKey' },
        S3ObjectVersion: { 'Fn::If': ['WatchdogPinsCodeVersion', { Ref: 'WatchdogCodeVersion' }, { Ref: 'AWS::NoValue' }] },
      },
    });
    expect(fn.MemorySize).toBeGreaterThanOrEqual(128);
    expect(fn.MemorySize).toBeLessThanOrEqual(256);
    expect(fn.Timeout).toBeLessThanOrEqual(120);
    // Its stage (the entry of watchdog.json it reads) and the ledger table its role may use.
    expect(fn.Environment.Variables).toMatchObject({ BATCHFORM_STAGE: { Ref: 'WatchdogStage' }, BATCHFORM_LEDGER_TABLE: { Ref: 'LedgerTableName' } });
    expect(r.WatchdogLogGroup.Properties).toEqual({ LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}' }, RetentionInDays: 30 });
  });

  test('a rule runs it every 15 minutes, and only that rule of this account may invoke it', () => {
    expect(r.WatchdogSchedule.Properties).toMatchObject({
      Name: { Ref: 'AWS::StackName' },
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [{ Id: 'Watchdog', Arn: { 'Fn::GetAtt': ['WatchdogFunction', 'Arn'] } }],
    });
    expect(r.WatchdogInvokePermission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'WatchdogFunction' },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['WatchdogSchedule', 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  test('its role is <stackPrefix>-stage-Watchdog with the stage\'s boundary, and may only read and record runs in the ledger and write its own logs', () => {
    const role = r.WatchdogRole.Properties;
    expect(role.RoleName).toEqual({ 'Fn::Sub': '${AWS::StackName}-Watchdog' });
    for (const s of twoStages.stages) {
      // The name the batch boundary's watchdog rows recognize.
      expect(`${stageStackName(s)}-Watchdog`).toBe(watchdogRoleName(s));
    }
    expect(role.PermissionsBoundary).toEqual({ 'Fn::If': ['WatchdogHasPermissionsBoundary', { Ref: 'WatchdogPermissionsBoundaryArn' }, { Ref: 'AWS::NoValue' }] });
    expect(t.Conditions.WatchdogHasPermissionsBoundary).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'WatchdogPermissionsBoundaryArn' }, NO_BOUNDARY] }] });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const statements = role.Policies.flatMap((pol: Json) => pol.PolicyDocument.Statement);
    const tableArn = { 'Fn::Sub': ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}', { Table: { Ref: 'LedgerTableName' } }] };
    expect(statements).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['WatchdogLogGroup', 'Arn'] } },
      ...watchdogLedgerPolicy(tableArn).Statement,
    ]);
    expect(statements[1].Action).toEqual(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });

  test('the manifest gives each stage its own values: stage name, ledger table, boundary, artifact bucket; the deploy adds the code key', () => {
    const [prod, dev] = m.stages.map((st) => st.stageStack!);
    expect(prod.parameters).toMatchObject({
      WatchdogStage: 'prod',
      LedgerTableName: ledgerTableName(twoStages.stages[0]),
      WatchdogPermissionsBoundaryArn: boundary,
      WatchdogCodeBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
    });
    expect(dev.parameters).toMatchObject({ WatchdogStage: 'dev', LedgerTableName: 'dev-batchform-ledger', WatchdogPermissionsBoundaryArn: NO_BOUNDARY, WatchdogCodeBucket: 'dev-artifacts' });
    expect(prod.code).toEqual({ bucket: 'batchform-artifacts-111122223333-ap-northeast-2', keyPrefix: 'batchform/stage', bucketParameter: 'WatchdogCodeBucket', keyParameter: 'WatchdogCodeKey' });
    expect(dev.code).toMatchObject({ bucket: 'dev-artifacts', keyPrefix: 'builds/stage' });
    expect(m.watchdogConfig).toBe('cfn-out/watchdog.json');
    for (const st of [prod, dev]) {
      // Every value passed is a parameter of the template; every parameter without a default is passed, but the key the deploy adds.
      for (const name of Object.keys(st.parameters)) expect([name, name in t.Parameters]).toEqual([name, true]);
      const needed = Object.entries(t.Parameters as Json).filter(([, def]) => (def as Json).Default === undefined).map(([name]) => name);
      expect(needed.filter((n) => !(n in st.parameters))).toEqual(['WatchdogCodeKey']);
    }
    // The watchdog reads the ledger part's table name: one parameter, and the function is created after the table.
    expect(Object.keys(t.Parameters).filter((n) => /Ledger/.test(n))).toEqual(['LedgerTableName']);
    expect(t.Resources.WatchdogFunction.DependsOn).toContain('RunLedger');
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('reports no unacknowledged finding on the stage template', () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => stageTemplate(decl, (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))).not.toThrow();
    } finally {
      log.mockRestore();
    }
  });
});
