// This repository's own generated templates: what its example batches are allowed to do.
import * as fs from 'fs';
import * as path from 'path';

type Json = Record<string, any>;
const ROOT = path.resolve(__dirname, '../..');
const template = (name: string): Json => JSON.parse(fs.readFileSync(path.join(ROOT, 'cfn-out', `${name}.template.json`), 'utf8'));
const statements = (t: Json): Json[] => t.Resources.Role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);

describe('generated templates of the example batches', () => {
  test('daily-stats may read exactly its database secret (declared by reference), and attach to the VPC', () => {
    const st = statements(template('daily-stats'));
    expect(st.map((s) => s.Sid ?? s.Action)).toEqual(['WriteOwnLogs', 'DeadLetterFailedRuns', 'OwnLedgerRecords', 'AttachToVpc', 'ReadSecrets']);
    expect(st[4]).toEqual({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:batchform/daily-stats-??????' }],
    });
    expect(template('daily-stats').Resources.Function.Properties.VpcConfig).toBeDefined();
    // The function gets the reference, never a value.
    expect(template('daily-stats').Resources.Function.Properties.Environment.Variables.BATCHFORM_SECRETS)
      .toBe('{"DATABASE_SECRET":{"source":"secretsManager","name":"batchform/daily-stats"}}');
  });

  test('weekly-report has no VPC rights and no secret', () => {
    const t = template('weekly-report');
    expect(statements(t).map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'DeadLetterFailedRuns', 'OwnLedgerRecords']);
    expect(JSON.stringify(t.Resources.Role)).not.toMatch(/ec2:|secretsmanager:/);
    expect(t.Resources.Function.Properties.VpcConfig).toBeUndefined();
  });
});
