import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;

function templatesFor(...batches: Array<Partial<typeof BATCH> & Record<string, unknown>>): Record<string, Json> {
  const decl = validateDeclarations({ batches: batches.map((b) => ({ ...BATCH, ...b })), stages: [STAGE] }, { fileExists });
  return batchTemplates(decl.batches) as Record<string, Json>;
}

const both = templatesFor(
  {
    name: 'daily-stats',
    vpc: true,
    timeout: 300,
    memorySize: 512,
    logRetentionDays: 90,
    environment: { MODE: 'full' },
    policyStatements: [{ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:db-AbCdEf'] }],
  },
  { name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'rate(7 days)', enabled: false, input: { report: 'weekly' } },
);
const vpc = both['daily-stats'];
const plain = both['weekly-report'];

function resourcesOf(t: Json, type: string): Json[] {
  return Object.values(t.Resources as Json).filter((r: Json) => r.Type === type);
}

describe('batch template', () => {
  test('is raw CloudFormation: no CDK bootstrap, metadata or projen marker', () => {
    for (const t of [vpc, plain]) {
      const text = JSON.stringify(t);
      expect(text).not.toContain('CDKMetadata');
      expect(text).not.toContain('BootstrapVersion');
      expect(text).not.toContain('aws:cdk:path');
      expect(Object.keys(t)).not.toContain('//');
      expect(Object.keys(t).sort()).toEqual(['Conditions', 'Description', 'Outputs', 'Parameters', 'Resources']);
      expect(t.Rules).toBeUndefined();
    }
  });

  test('has the five core resources under short stable logical ids', () => {
    expect(Object.fromEntries(Object.entries(vpc.Resources as Json).map(([id, r]) => [id, (r as Json).Type]))).toMatchObject({
      LogGroup: 'AWS::Logs::LogGroup',
      Role: 'AWS::IAM::Role',
      Function: 'AWS::Lambda::Function',
      Schedule: 'AWS::Events::Rule',
      InvokePermission: 'AWS::Lambda::Permission',
    });
    expect(Object.keys(vpc.Resources).every((id) => /^[A-Z][A-Za-z0-9]{2,30}$/.test(id))).toBe(true);
    // Regenerating gives byte-identical output.
    expect(JSON.stringify(templatesFor({ name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'rate(7 days)', enabled: false, input: { report: 'weekly' } })['weekly-report'])).toBe(JSON.stringify(plain));
  });

  test('names the log group /aws/lambda/<function name>, with retention, before the function', () => {
    expect(vpc.Resources.LogGroup.Properties).toEqual({ LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}' }, RetentionInDays: 90 });
    expect(vpc.Resources.Function.Properties.FunctionName).toEqual({ Ref: 'AWS::StackName' });
    // The function refers to the log group, so CloudFormation creates the group first.
    expect(vpc.Resources.Function.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: 'LogGroup' }, LogFormat: 'JSON' });
    expect(plain.Resources.LogGroup.Properties.RetentionInDays).toBe(30);
  });

  test('function: code from parameters, runtime, architecture, sizes, environment, concurrency', () => {
    const p = vpc.Resources.Function.Properties;
    // The version the deploy checked, so a key rewritten after the check is not what runs.
    expect(p.Code).toEqual({
      S3Bucket: { Ref: 'CodeS3Bucket' },
      S3Key: { Ref: 'CodeS3Key' },
      S3ObjectVersion: { 'Fn::If': ['PinsCodeVersion', { Ref: 'CodeS3ObjectVersion' }, { Ref: 'AWS::NoValue' }] },
    });
    expect(vpc.Parameters.CodeS3ObjectVersion).toMatchObject({ Type: 'String', Default: 'unpinned' });
    expect(p).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 300,
      Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
    });
    // Nothing reserved by default: the run ledger keeps runs from overlapping, and new accounts (quota 10) can deploy.
    expect(p).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(p.Environment.Variables).toEqual({
      BATCHFORM_BATCH: 'daily-stats',
      BATCHFORM_TIMEZONE: 'UTC',
      NODE_OPTIONS: '--enable-source-maps',
      MODE: 'full',
      BATCHFORM_LEDGER_TABLE: { Ref: 'LedgerTableName' },
      BATCHFORM_LEDGER_RETENTION_DAYS: { Ref: 'LedgerRetentionDays' },
      BATCHFORM_OVERLAP: 'skip',
      BATCHFORM_STACK: { Ref: 'AWS::StackName' },
      BATCHFORM_CODE_KEY: { Ref: 'CodeS3Key' },
    });
    expect(p.VpcConfig).toEqual({ SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } });
    expect(vpc.Parameters.SubnetIds.Type).toBe('List<AWS::EC2::Subnet::Id>');
    expect(vpc.Parameters.SecurityGroupIds.Type).toBe('List<AWS::EC2::SecurityGroup::Id>');
  });

  test('reservedConcurrency: false reserves none (for accounts whose quota leaves nothing to reserve)', () => {
    const t = templatesFor({ reservedConcurrency: false })['daily-stats'];
    const [fn] = resourcesOf(t, 'AWS::Lambda::Function');
    expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  test('reservedConcurrency stays an option: a number reserves that much', () => {
    const [fn] = resourcesOf(templatesFor({ reservedConcurrency: 3 })['daily-stats'], 'AWS::Lambda::Function');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(3);
  });

  test('overlap: \'allow\' reaches the runtime through BATCHFORM_OVERLAP', () => {
    const [fn] = resourcesOf(templatesFor({ overlap: 'allow' })['daily-stats'], 'AWS::Lambda::Function');
    expect(fn.Properties.Environment.Variables.BATCHFORM_OVERLAP).toBe('allow');
  });

  test('the run ledger: the stage\'s table and retention as parameters, a grant on the batch\'s own partition, the role tagged with the batch', () => {
    expect(vpc.Parameters.LedgerTableName).toMatchObject({ Type: 'String', MinLength: 3 });
    expect(vpc.Parameters.LedgerRetentionDays).toMatchObject({ Type: 'Number', Default: 90, MinValue: 1, MaxValue: 3653 });
    const role = vpc.Resources.Role.Properties;
    expect(role.Policies[0].PolicyDocument.Statement.find((s: Json) => s.Sid === 'OwnLedgerRecords')).toEqual({
      Sid: 'OwnLedgerRecords',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::Sub': ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}', { Table: { Ref: 'LedgerTableName' } }] },
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['daily-stats'] } },
    });
    expect(role.Tags).toEqual([{ Key: 'batchform:batch', Value: 'daily-stats' }]);
  });

  test('a non-VPC batch has no VPC config, parameters or rights', () => {
    expect(plain.Resources.Function.Properties.VpcConfig).toBeUndefined();
    expect(Object.keys(plain.Parameters).sort()).toEqual(['AlarmTopicArn', 'CodeS3Bucket', 'CodeS3Key', 'CodeS3ObjectVersion', 'LedgerRetentionDays', 'LedgerTableName', 'PermissionsBoundaryArn']);
    expect(JSON.stringify(plain.Resources.Role)).not.toContain('ec2:');
  });

  test('role: trusted by Lambda only; logs to its own group; VPC rights; declared statements; nothing else', () => {
    const role = vpc.Resources.Role.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    // The stage's permissions boundary (from the bootstrap stack), or none.
    expect(role.PermissionsBoundary).toEqual({ 'Fn::If': ['HasPermissionsBoundary', { Ref: 'PermissionsBoundaryArn' }, { Ref: 'AWS::NoValue' }] });
    expect(vpc.Parameters.PermissionsBoundaryArn).toMatchObject({ Type: 'String', Default: 'no-permissions-boundary' });
    const statements = role.Policies[0].PolicyDocument.Statement;
    expect(statements).toHaveLength(5);
    expect(statements[0]).toEqual({ Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] } });
    expect(statements[1]).toEqual({ Sid: 'DeadLetterFailedRuns', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } });
    expect(statements[2].Sid).toBe('OwnLedgerRecords');
    expect(statements[3].Action).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']));
    expect(statements[4]).toEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:db-AbCdEf'] });
    expect(plain.Resources.Role.Properties.Policies[0].PolicyDocument.Statement.map((s: Json) => s.Sid)).toEqual(['WriteOwnLogs', 'DeadLetterFailedRuns', 'OwnLedgerRecords']);
  });

  test('rule: schedule, state and the function as target with the constant input', () => {
    expect(vpc.Resources.Schedule.Properties).toMatchObject({
      Name: { Ref: 'AWS::StackName' },
      ScheduleExpression: 'cron(10 15 * * ? *)',
      State: 'ENABLED',
      Targets: [{ Id: 'Function', Arn: { 'Fn::GetAtt': ['Function', 'Arn'] } }],
    });
    expect(vpc.Resources.Schedule.Properties.Targets[0].Input).toBeUndefined();
    expect(plain.Resources.Schedule.Properties).toMatchObject({
      ScheduleExpression: 'rate(7 days)',
      State: 'DISABLED',
      Targets: [{ Id: 'Function', Arn: { 'Fn::GetAtt': ['Function', 'Arn'] }, Input: '{"report":"weekly"}' }],
    });
  });

  test('permission: events.amazonaws.com may invoke, scoped by SourceArn and SourceAccount', () => {
    expect(vpc.Resources.InvokePermission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'Function' },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['Schedule', 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  test('outputs: function ARN, rule ARN, log group name, dead-letter queue', () => {
    expect(vpc.Outputs).toEqual({
      DeadLetterQueueUrl: { Description: 'Runs that failed every retry or could not be delivered', Value: { Ref: 'DeadLetterQueue' } },
      FunctionArn: { Description: 'ARN of the batch function', Value: { 'Fn::GetAtt': ['Function', 'Arn'] } },
      RuleArn: { Description: 'ARN of the schedule rule', Value: { 'Fn::GetAtt': ['Schedule', 'Arn'] } },
      LogGroupName: { Description: 'Log group of the batch function', Value: { Ref: 'LogGroup' } },
    });
  });

  test('each template carries only its own batch', () => {
    expect(resourcesOf(vpc, 'AWS::Lambda::Function')).toHaveLength(1);
    expect(JSON.stringify(vpc)).not.toContain('weekly');
  });
});
