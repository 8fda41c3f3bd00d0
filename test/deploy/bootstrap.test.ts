// `batchform bootstrap` against mocked CloudFormation and IAM clients: preview, create, update, an existing OIDC provider, outputs, account checks.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, FAST_WAITS, REGION, change, doesNotExist, stackId } from './helpers';
import { runBootstrapCommand } from '../../src/cli/bootstrap-command';

const STACK = 'batchform-bootstrap-prod';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const OUTPUTS = [
  { OutputKey: 'DeployRoleArn', OutputValue: `arn:aws:iam::${ACCOUNT}:role/batchform/prod-deploy` },
  { OutputKey: 'PreviewRoleArn', OutputValue: `arn:aws:iam::${ACCOUNT}:role/batchform/prod-preview` },
  { OutputKey: 'ExecutionRoleArn', OutputValue: `arn:aws:iam::${ACCOUNT}:role/batchform/prod-cfn-exec` },
  { OutputKey: 'PermissionsBoundaryArn', OutputValue: `arn:aws:iam::${ACCOUNT}:policy/batchform/prod-batch-boundary` },
  { OutputKey: 'ArtifactBucket', OutputValue: 'acme-artifacts' },
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-bootstrap-'));
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  fs.writeFileSync(path.join(dir, 'cfn-out/manifest.json'), JSON.stringify({
    version: 1,
    batches: [],
    stages: [{
      name: 'prod',
      account: ACCOUNT,
      region: REGION,
      artifactBucket: 'acme-artifacts',
      artifactPrefix: 'batchform',
      stackPrefix: 'prod',
      githubEnvironment: 'Prod env',
      operatorPrincipals: [`arn:aws:iam::${ACCOUNT}:role/oncall`, `arn:aws:iam::${ACCOUNT}:root`],
      stacks: [],
    }],
  }));
  fs.writeFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'), JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }, null, 2));
  // As "npx projen" records it.
  const sha256 = createHash('sha256').update(fs.readFileSync(path.join(dir, 'cfn-out/bootstrap.template.json'))).digest('hex');
  fs.writeFileSync(path.join(dir, 'cfn-out/template-hashes.json'), JSON.stringify({ version: 1, generator: 'test', templates: { bootstrap: { inputs: 'test', sha256 } } }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stack(status: string, outputs = OUTPUTS): Stack {
  return { StackName: STACK, StackId: stackId(STACK), StackStatus: status as Stack['StackStatus'], CreationTime: new Date(), Outputs: outputs };
}

/** Mocked clients: DescribeStacks answers `states` in turn (the last repeats); the account has `providers`. */
function fake(states: Array<Stack | Error>, providers: string[] = [], changeSet: { status?: string; reason?: string } = {}) {
  const cloudFormation = new CloudFormationClient({ region: REGION });
  const iam = new IAMClient({ region: REGION });
  const cfn = mockClient(cloudFormation);
  const iamm = mockClient(iam);
  let n = 0;
  cfn.on(DescribeStacksCommand).callsFake(() => {
    const s = states[Math.min(n++, states.length - 1)];
    return s instanceof Error ? Promise.reject(s) : Promise.resolve({ Stacks: [s] });
  });
  cfn.on(CreateChangeSetCommand).resolves({ StackId: stackId(STACK) });
  cfn.on(DescribeChangeSetCommand).resolves({
    Status: (changeSet.status ?? 'CREATE_COMPLETE') as 'CREATE_COMPLETE',
    StatusReason: changeSet.reason,
    Changes: [change('Add', 'Bucket', 'AWS::S3::Bucket'), change('Add', 'DeployRole', 'AWS::IAM::Role')],
  });
  cfn.on(ExecuteChangeSetCommand).resolves({});
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn.on(DeleteStackCommand).resolves({});
  iamm.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: providers.map((Arn) => ({ Arn })) });
  const out: string[] = [];
  const err: string[] = [];
  const deps = {
    createClients: () => ({ cloudFormation, iam }),
    callerAccount: () => Promise.resolve(ACCOUNT),
    out: (t: string) => out.push(t),
    err: (t: string) => err.push(t),
    projectDir: dir,
    waits: FAST_WAITS,
    now: () => new Date('2026-11-25T09:43:12Z'),
    runId: 'r1',
  };
  const parameters = () => {
    const sent = cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.Parameters ?? [];
    return Object.fromEntries(sent.map((p) => [p.ParameterKey, p.ParameterValue]));
  };
  return { cfn, iam: iamm, deps, out, err, parameters };
}

const OPTS = { stage: 'prod', manifest: 'cfn-out/manifest.json', template: 'cfn-out/bootstrap.template.json' };

test('create: a CREATE change set with the stage\'s values, executed, waited for; prints the stage options from the outputs', async () => {
  const operator = { OutputKey: 'OperatorRoleArn', OutputValue: `arn:aws:iam::${ACCOUNT}:role/batchform/prod-operate` };
  const f = fake([doesNotExist(STACK), stack('CREATE_IN_PROGRESS'), stack('CREATE_COMPLETE', [...OUTPUTS, operator])]);

  expect(await runBootstrapCommand(OPTS, ['GitHubOwnerId=123', 'GitHubRepositoryId=456'], f.deps)).toBe(0);

  const create = f.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
  expect(create).toMatchObject({ StackName: STACK, ChangeSetType: 'CREATE', Capabilities: ['CAPABILITY_NAMED_IAM'] });
  // Sent compact, and the environment with its space reaches CloudFormation as is (no shell in between).
  expect(create.TemplateBody).toBe('{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket"}}}');
  expect(f.parameters()).toEqual({
    StackPrefix: 'prod',
    StageName: 'prod',
    GitHubEnvironment: 'Prod env',
    AssumableRoleArns: '',
    ArtifactBucketName: 'acme-artifacts',
    ArtifactPrefix: 'batchform',
    ExistingOidcProviderArn: '',
    GitHubOwnerId: '123',
    GitHubRepositoryId: '456',
    DriftDetection: 'true',
    // The stage's operatorPrincipals, so the stack creates the operator role.
    OperatorPrincipals: `arn:aws:iam::${ACCOUNT}:role/oncall,arn:aws:iam::${ACCOUNT}:root`,
  });
  expect(f.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  expect(f.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  const text = f.out.join('\n');
  expect(text).toContain(`${STACK} created.`);
  expect(text).toContain('Stage options for "prod" in .projenrc.ts');
  expect(text).toContain(`  deployRoleArn: 'arn:aws:iam::${ACCOUNT}:role/batchform/prod-deploy',`);
  expect(text).toContain(`  permissionsBoundaryArn: 'arn:aws:iam::${ACCOUNT}:policy/batchform/prod-batch-boundary',`);
  expect(text).toContain("  artifactBucket: 'acme-artifacts',");
  expect(text).toContain(`Operators assume arn:aws:iam::${ACCOUNT}:role/batchform/prod-operate to run batchform run, backfill, redrive, status and logs.`);
});

test('an existing GitHub OIDC provider is found and passed, not created a second time', async () => {
  const f = fake([doesNotExist(STACK), stack('CREATE_COMPLETE')], [`arn:aws:iam::${ACCOUNT}:oidc-provider/example.com`, PROVIDER]);

  expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(0);

  expect(f.parameters().ExistingOidcProviderArn).toBe(PROVIDER);
  expect(f.out.join('\n')).toContain(`already has a GitHub OIDC provider (${PROVIDER})`);
});

test('a stack that created the provider keeps it (passing its ARN back would delete it)', async () => {
  const f = fake([stack('UPDATE_COMPLETE', [...OUTPUTS, { OutputKey: 'OidcProviderArn', OutputValue: PROVIDER }])], [PROVIDER]);

  expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(0);

  expect(f.parameters().ExistingOidcProviderArn).toBe('');
  expect(f.iam.commandCalls(ListOpenIDConnectProvidersCommand)).toHaveLength(0);
});

test('update: an UPDATE change set on the existing stack', async () => {
  const f = fake([stack('UPDATE_COMPLETE')]);
  expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(0);
  expect(f.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('UPDATE');
  expect(f.out.join('\n')).toContain(`${STACK} updated.`);
});

test('client tokens, as the batch stacks send them: CreateChangeSet, ExecuteChangeSet and the delete of a failed first create each carry one, the same on every retry of the run', async () => {
  const tokens = async (): Promise<{ create?: string; execute?: string; delete?: string }> => {
    const f = fake([stack('ROLLBACK_COMPLETE'), doesNotExist(STACK), stack('CREATE_COMPLETE')]);
    expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(0);
    return {
      create: f.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ClientToken,
      execute: f.cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input.ClientRequestToken,
      delete: f.cfn.commandCalls(DeleteStackCommand)[0].args[0].input.ClientRequestToken,
    };
  };
  const first = await tokens();
  expect(first.create).toMatch(/^create-[0-9a-f]{40}$/);
  expect(first.execute).toMatch(/^execute-[0-9a-f]{40}$/);
  expect(first.delete).toMatch(/^delete-[0-9a-f]{40}$/);
  // Derived from the change set's name (the run's time) and the stack: a rerun of the same run sends the same tokens.
  expect(await tokens()).toEqual(first);
});

test('preview: the empty stack a CREATE change set made is deleted with a client token too', async () => {
  const f = fake([doesNotExist(STACK)]);
  expect(await runBootstrapCommand({ ...OPTS, preview: true }, [], f.deps)).toBe(0);
  expect(f.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ClientToken).toMatch(/^create-[0-9a-f]{40}$/);
  expect(f.cfn.commandCalls(DeleteStackCommand)[0].args[0].input.ClientRequestToken).toMatch(/^discard-[0-9a-f]{40}$/);
});

test('preview: describes the change set, then deletes it (and the empty stack it made); executes nothing', async () => {
  const f = fake([doesNotExist(STACK)]);

  expect(await runBootstrapCommand({ ...OPTS, preview: true }, [], f.deps)).toBe(0);

  expect(f.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  expect(f.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  expect(f.cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
  const text = f.out.join('\n');
  expect(text).toContain('would be created (preview: nothing was changed)');
  expect(text).toMatch(/Add\s+DeployRole \(AWS::IAM::Role\)/);
});

test('no changes: the change set is deleted and the outputs printed again', async () => {
  const f = fake([stack('UPDATE_COMPLETE')], [], { status: 'FAILED', reason: "The submitted information didn't contain changes." });
  expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(0);
  expect(f.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  expect(f.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  expect(f.out.join('\n')).toContain('is up to date');
  expect(f.out.join('\n')).toContain("artifactBucket: 'acme-artifacts'");
});

test('a failed bootstrap says the step, AWS\'s error code and what it cleaned up', async () => {
  const f = fake([doesNotExist(STACK)]);
  f.cfn.on(DescribeChangeSetCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeChangeSet'),
    { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

  const code = await runBootstrapCommand(OPTS, [], f.deps);

  expect(code).toBe(4);
  const message = f.err.filter((l) => l.startsWith('batchform bootstrap:')).join('\n');
  expect(message).toContain(`bootstrap of ${STACK} failed while waiting for change set batchform-bootstrap-20261125T094312Z-r1 to be computed (AWS error code AccessDenied)`);
  expect(message).toContain('AWS AccessDenied: User is not authorized');
  expect(message).toContain(`Cleanup: deleted change set batchform-bootstrap-20261125T094312Z-r1 of ${STACK}; deleted the empty REVIEW_IN_PROGRESS stack ${STACK}.`);
  // The AccessDenied answer ended the wait at once: the waiter did not poll on until its maxWaitTime.
  expect(f.cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(1);
});

test('a bootstrap failing before any change set says so, with the step', async () => {
  const f = fake([Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })]);
  expect(await runBootstrapCommand(OPTS, [], f.deps)).toBe(4);
  const message = f.err.filter((l) => l.startsWith('batchform bootstrap:')).join('\n');
  expect(message).toContain(`failed while reading stack ${STACK} (DescribeStacks) (AWS error code Throttling)`);
  expect(message).toContain('Cleanup: nothing to clean up');
});

test('a bootstrap template edited by hand after generation exits 2 before any AWS call', async () => {
  const file = path.join(dir, 'cfn-out/bootstrap.template.json');
  const generated = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, generated.replace('AWS::S3::Bucket', 'AWS::IAM::User'));
  try {
    const f = fake([stack('UPDATE_COMPLETE')]);
    let checked = 0;
    const code = await runBootstrapCommand(OPTS, [], { ...f.deps, callerAccount: async () => String(++checked) });
    expect(code).toBe(2);
    expect(f.err.join('\n')).toContain('batchform bootstrap: bootstrap template cfn-out/bootstrap.template.json is not the file "npx projen" generated');
    expect(f.cfn.calls()).toHaveLength(0);
    expect(checked).toBe(0);
  } finally {
    fs.writeFileSync(file, generated);
  }
});

test('credentials for another account exit 2 naming both accounts, before any CloudFormation call', async () => {
  const f = fake([stack('UPDATE_COMPLETE')]);
  const code = await runBootstrapCommand(OPTS, [], { ...f.deps, callerAccount: () => Promise.resolve('444455556666') });
  expect(code).toBe(2);
  expect(f.err.join('\n')).toMatch(/credentials are for account 444455556666, but stage "prod" is account 111122223333/);
  expect(f.cfn.calls()).toHaveLength(0);
});

test('a bad Name=value argument or an unknown stage exits 2', async () => {
  const f = fake([stack('UPDATE_COMPLETE')]);
  expect(await runBootstrapCommand(OPTS, ['not-a-pair'], f.deps)).toBe(2);
  expect(f.err.join('\n')).toContain('"not-a-pair" is not a Name=value template parameter');
  expect(await runBootstrapCommand({ ...OPTS, stage: 'dev' }, [], f.deps)).toBe(2);
  expect(f.err.join('\n')).toContain('stage "dev" is not in cfn-out/manifest.json; its stages are: prod');
});

test('the README\'s bootstrap command without credentials fails in under 10 s, saying there are none', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-nocreds-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    // No instance metadata service here; point it at a closed loopback port so the chain's last step ends at once.
    AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const started = Date.now();
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.resolve(__dirname, '../../src/cli/main.ts'), 'bootstrap', '--stage', 'prod'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  const seconds = (Date.now() - started) / 1000;
  fs.rmSync(home, { recursive: true, force: true });
  expect(run.status).toBe(4); // AWS (no credentials)
  expect(run.stderr).toMatch(/batchform bootstrap: the account check \(sts:GetCallerIdentity at https:\/\/sts\.ap-northeast-2\.amazonaws\.com\) found no AWS credentials/);
  expect(run.stderr).toContain('set AWS_PROFILE');
  expect(seconds).toBeLessThan(10);
});
