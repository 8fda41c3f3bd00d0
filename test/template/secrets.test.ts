// Secrets by reference: the function's role may read exactly the declared secrets (as IAM evaluates
// it, within the batch permissions boundary), the function gets only the references, and no value
// reaches a generated file or a report.
import * as fs from 'fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Project } from 'projen';
import { deployStage, renderMarkdownReport, renderTextReport } from '../../src/deploy';
import type { BatchOptions } from '../../src/model/batch-options';
import { Secret } from '../../src/model/secrets';
import { Batchform } from '../../src/projen/batchform';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { change, engineOptions, fakeAws, makeProject } from '../deploy/helpers';
import { BATCH, fileExists, listFiles, scratchProject, STAGE } from '../fixtures';
import { decide, DEFAULT_KEY_POLICY, deployedBootstrap, resolve } from '../iam/simulate';

type Json = Record<string, any>;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** What the stores hold: only the mocked stores ever see these. */
const DB_PASSWORD_CONTENT = 'Pw-7f3a9c1e-stored-in-secrets-manager';
const API_KEY_CONTENT = 'Key-b5d8e2f0-stored-in-ssm';

const WITH_SECRETS: BatchOptions = {
  ...BATCH,
  secrets: {
    DB_PASSWORD: Secret.secretsManager('prod/db', { field: 'password' }),
    DB_USER: Secret.secretsManager('prod/db', { field: 'username' }),
    API_KEY: Secret.ssm('/app/api-key', { kmsKeyArn: KEY }),
  },
};
const template = batchTemplates(validateDeclarations({ batches: [WITH_SECRETS], stages: [STAGE] }, { fileExists }).batches)['daily-stats'] as Json;
const statements = (t: Json): Json[] => t.Resources.Role.Properties.Policies[0].PolicyDocument.Statement;

describe('the template of a batch with secrets', () => {
  test('grants read on exactly the declared parameter and secret, and decrypt with the named key through SSM only', () => {
    expect(statements(template).filter((s) => /Read|Decrypt/.test(s.Sid ?? ''))).toEqual([
      {
        Sid: 'ReadSsmParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/api-key' }],
      },
      {
        Sid: 'DecryptSsmParameters',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: [KEY],
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.${AWS::URLSuffix}' } } },
      },
      {
        // Two fields of one secret: one resource.
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-??????' }],
      },
    ]);
  });

  test('the function gets the references in BATCHFORM_SECRETS, no variable per secret', () => {
    const vars = template.Resources.Function.Properties.Environment.Variables;
    expect(JSON.parse(vars.BATCHFORM_SECRETS)).toEqual({
      DB_PASSWORD: { source: 'secretsManager', name: 'prod/db', field: 'password' },
      DB_USER: { source: 'secretsManager', name: 'prod/db', field: 'username' },
      API_KEY: { source: 'ssm', name: '/app/api-key' },
    });
    expect(Object.keys(vars)).not.toEqual(expect.arrayContaining(['DB_PASSWORD']));
  });

  test('full ARNs are granted as written (a secret\'s partial ARN gets its suffix pattern); a batch without secrets gets no statement', () => {
    const t = batchTemplates(validateDeclarations({
      batches: [{
        ...BATCH,
        secrets: {
          SHARED_DB: Secret.secretsManager(`arn:aws:secretsmanager:${REGION}:444455556666:secret:shared/db-AbCdEf`),
          SHARED_API: Secret.secretsManager(`arn:aws:secretsmanager:${REGION}:444455556666:secret:shared/api`),
          SHARED_KEY: Secret.ssm(`arn:aws:ssm:${REGION}:444455556666:parameter/shared/key`),
        },
      }, { ...BATCH, name: 'plain' }],
      stages: [STAGE],
    }, { fileExists }).batches) as Record<string, Json>;
    expect(statements(t['daily-stats']).filter((s) => /^Read/.test(s.Sid ?? '')).map((s) => s.Resource)).toEqual([
      [`arn:aws:ssm:${REGION}:444455556666:parameter/shared/key`],
      [`arn:aws:secretsmanager:${REGION}:444455556666:secret:shared/api-??????`, `arn:aws:secretsmanager:${REGION}:444455556666:secret:shared/db-AbCdEf`],
    ]);
    expect(JSON.stringify(t.plain)).not.toMatch(/ssm:|secretsmanager:|kms:Decrypt|BATCHFORM_SECRETS/);
  });

  test('an RDS-managed secret\'s name (rds!db-<id>) is granted like any other', () => {
    const t = batchTemplates(validateDeclarations({
      batches: [{ ...BATCH, secrets: { DATABASE_SECRET: Secret.secretsManager('rds!db-0123abcd-4567-89ef-0123-456789abcdef') } }], stages: [STAGE],
    }, { fileExists }).batches)['daily-stats'] as Json;
    expect(statements(t).find((s) => s.Sid === 'ReadSecrets')?.Resource)
      .toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:rds!db-0123abcd-4567-89ef-0123-456789abcdef-??????' }]);
  });

  test('cdk-nag AwsSolutions reports no unacknowledged finding', () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => batchTemplates(validateDeclarations({ batches: [WITH_SECRETS], stages: [STAGE] }, { fileExists }).batches,
        (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))).not.toThrow();
    } finally {
      log.mockRestore();
    }
  });
});

describe('the function role, as IAM evaluates it (within the batch permissions boundary)', () => {
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-daily-stats-Role-XYZ`;
  const values = {
    'AWS::AccountId': ACCOUNT,
    'AWS::Region': REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'prod-daily-stats',
    'LogGroup.Arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/prod-daily-stats:*`,
    'DeadLetterQueue.Arn': `arn:aws:sqs:${REGION}:${ACCOUNT}:prod-daily-stats-DeadLetterQueue-Q`,
    'LedgerTableName': 'prod-batchform-ledger',
  };
  const policy = resolve(template.Resources.Role.Properties.Policies[0].PolicyDocument, values);
  const boundary = deployedBootstrap().boundary;
  // A KMS key decides with its key policy too: the default one lets the account's IAM policies decide.
  const asRole = (action: string, resource: string, context?: Record<string, string>) => decide({
    principal: ROLE,
    action,
    resource,
    account: ACCOUNT,
    identityPolicies: [policy],
    boundary,
    context,
    resourcePolicy: action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined,
  });
  const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
  const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;

  test('reads the declared secret (whatever its random suffix) and the declared parameter', async () => {
    expect(await asRole('secretsmanager:GetSecretValue', secretArn('prod/db-AbCdEf'))).toBe('Allowed');
    expect(await asRole('secretsmanager:GetSecretValue', secretArn('prod/db-x1Y2z3'))).toBe('Allowed');
    expect(await asRole('ssm:GetParameter', parameterArn('/app/api-key'))).toBe('Allowed');
    expect(await asRole('ssm:GetParameters', parameterArn('/app/api-key'))).toBe('Allowed');
  });

  test('not a secret or parameter with a similar name, another account\'s, nor any other action on them', async () => {
    for (const other of ['prod/db2-AbCdEf', 'prod/db-old-AbCdEf', 'prod/dbAbCdEf', 'prod/db-AbCdE', 'staging/db-AbCdEf']) {
      expect(await asRole('secretsmanager:GetSecretValue', secretArn(other))).not.toBe('Allowed');
    }
    expect(await asRole('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:444455556666:secret:prod/db-AbCdEf`)).not.toBe('Allowed');
    for (const other of ['/app/api-key2', '/app/api-key/child', '/app/other', '/app']) {
      expect(await asRole('ssm:GetParameter', parameterArn(other))).not.toBe('Allowed');
    }
    expect(await asRole('ssm:GetParametersByPath', parameterArn('/app'))).not.toBe('Allowed');
    expect(await asRole('ssm:PutParameter', parameterArn('/app/api-key'))).not.toBe('Allowed');
    expect(await asRole('secretsmanager:PutSecretValue', secretArn('prod/db-AbCdEf'))).not.toBe('Allowed');
    expect(await asRole('secretsmanager:ListSecrets', '*')).not.toBe('Allowed');
  });

  test('decrypts with the named key only through SSM in its region, and no other key', async () => {
    expect(await asRole('kms:Decrypt', KEY, { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` })).toBe('Allowed');
    expect(await asRole('kms:Decrypt', KEY)).not.toBe('Allowed');
    expect(await asRole('kms:Decrypt', KEY, { 'kms:ViaService': `s3.${REGION}.amazonaws.com` })).not.toBe('Allowed');
    expect(await asRole('kms:Decrypt', KEY.replace('1234abcd', '9999abcd'), { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` })).not.toBe('Allowed');
  });
});

describe('no secret value in any generated file or report', () => {

  test('every file npx projen writes (templates, manifest, hashes, tasks) carries the references, never the value', () => {
    const dir = scratchProject('secrets');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const project = new Project({ name: 'fixture', outdir: dir });
      // The control: a value written into environment does reach the generated files (so the search below can fail).
      new Batchform(project, { stages: [STAGE], batches: [{ ...WITH_SECRETS, environment: { CONTROL_VALUE: 'control-4a7e-in-environment' } }], cliCommand: 'batchform' });
      project.synth();
      const files = listFiles(dir);
      const generated = Object.keys(files).filter((f) => !f.startsWith('handlers/'));
      expect(generated).toEqual(expect.arrayContaining(['cfn-out/daily-stats.template.json', 'cfn-out/manifest.json', 'cfn-out/bootstrap.template.json']));
      const all = generated.map((f) => files[f]).join('\n');
      expect(all).toContain('control-4a7e-in-environment');
      for (const content of [DB_PASSWORD_CONTENT, API_KEY_CONTENT]) expect(all).not.toContain(content);
      // The manifest names the references, for invoke and operators.
      expect(JSON.parse(files['cfn-out/manifest.json']).batches[0].secrets.DB_PASSWORD).toEqual({ source: 'secretsManager', name: 'prod/db', field: 'password' });
    } finally {
      log.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the preview of moving a password from environment to secrets shows the new permission, never the value (Markdown and text)', async () => {
    const project = makeProject({ batches: ['daily-stats'] });
    const references = JSON.stringify(template.Resources.Function.Properties.Environment.Variables.BATCHFORM_SECRETS);
    const role = (statementList: object[]) => JSON.stringify({ Properties: { Policies: [{ PolicyName: 'batch', PolicyDocument: { Version: '2012-10-17', Statement: statementList } }] } });
    const read = { Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-??????` };
    const aws = fakeAws({
      changeSets: {
        'prod-daily-stats': {
          pages: [[
            change('Modify', 'Function', 'AWS::Lambda::Function', [
              { path: 'Environment/Variables/DB_PASSWORD', before: `"${DB_PASSWORD_CONTENT}"` },
              { path: 'Environment/Variables/BATCHFORM_SECRETS', after: references },
            ], 'False'),
            change('Modify', 'Role', 'AWS::IAM::Role', [{ path: 'Policies/0/PolicyDocument/Statement/2' }], 'False',
              { BeforeContext: role([]), AfterContext: role([read]) }),
          ]],
        },
      },
    });
    const preview = await deployStage(project.inputs(), engineOptions(aws.clients, { mode: 'preview', sleep: async () => undefined }));
    const md = renderMarkdownReport(preview);
    const text = renderTextReport(preview);
    expect(md).toContain('secretsmanager:GetSecretValue');
    expect(text).toContain('secretsmanager:GetSecretValue');
    for (const report of [md, text]) {
      for (const content of [DB_PASSWORD_CONTENT, API_KEY_CONTENT]) expect(report).not.toContain(content);
    }
  });
});
