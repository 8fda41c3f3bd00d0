// `invoke` in a project whose stage declares DATABASE_URL (and a secret): the run uses the local
// value (.env.local, the shell, the fixture) and says so; without one it stops and says how to provide
// one; only --stage uses the declared value; secrets come from .env.local, never from AWS.
import * as fs from 'fs';
import * as path from 'path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { buildProgram } from '../../src/cli/main';
import { readEnvFile, resolveLocalEnvironment } from '../../src/local/local-env';
import { buildManifest, ManifestBatch } from '../../src/manifest/manifest';
import { Secret } from '../../src/model/secrets';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, STAGE } from '../fixtures';

const ROOT = path.resolve(__dirname, '../..');
const RUNTIME = path.join(ROOT, 'src/runtime').split(path.sep).join('/');
const PROD_URL = 'postgres://app@prod-db.internal:5432/app';

let dir: string;
let manifestFile: string;
const ssm = mockClient(SSMClient);

beforeEach(() => {
  ssm.reset();
  // Under the repository's ignored dist/, so the bundle finds the AWS SDK Lambda would provide.
  fs.mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, 'dist', '.invoke-local-env-'));
  fs.mkdirSync(path.join(dir, 'handlers'));
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), [
    `import { batch, secret } from '${RUNTIME}';`,
    'export const handler = batch(async () => ({ url: process.env.DATABASE_URL, key: await secret(\'API_KEY\') }));',
    '',
  ].join('\n'));
  const decl = validateDeclarations({
    stages: [STAGE],
    batches: [{ ...BATCH, environment: { DATABASE_URL: PROD_URL }, secrets: { API_KEY: Secret.ssm('/app/api-key') } }],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  manifestFile = path.join(dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(buildManifest(decl, 'cfn-out')));
  delete process.env.DATABASE_URL;
  delete process.env.API_KEY;
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.DATABASE_URL;
});

/** Runs `batchform invoke daily-stats <args>` in the project; what it printed to stderr, and the result. */
async function invoke(...args: string[]): Promise<{ said: string; result?: { url?: string; key?: string }; error?: string }> {
  const said: string[] = [];
  let result: { url?: string; key?: string } | undefined;
  const cwd = process.cwd();
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    if (typeof a[0] === 'string' && a[0].startsWith('{')) result = JSON.parse(a[0]);
  });
  const err = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { said.push(a.join(' ')); });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const logs = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    process.chdir(dir);
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'daily-stats', '--manifest', manifestFile, ...args]);
    return { said: said.join('\n'), result };
  } catch (e) {
    return { said: said.join('\n'), error: (e as Error).message };
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    err.mockRestore();
    out.mockRestore();
    logs.mockRestore();
  }
}

test('the local DATABASE_URL from .env.local, and the secret from it, not the stage\'s value nor AWS; it says which', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), '# local only\nDATABASE_URL=postgres://localhost:5432/dev\nexport API_KEY="local-key"\n');
  const run = await invoke();
  expect(run.error).toBeUndefined();
  expect(run.result).toEqual({ url: 'postgres://localhost:5432/dev', key: 'local-key' });
  expect(run.said).toContain('invoke: environment: local (.env.local, the shell); no stage\'s declared values (--stage <name> uses them)\n  DATABASE_URL  from .env.local');
  expect(run.said).toContain('invoke: secrets: local (.env.local, the shell), never AWS (--secrets-from-aws reads them from AWS)\n  API_KEY  from .env.local');
  // Names and sources only: no value is printed.
  expect(run.said).not.toMatch(/localhost:5432|local-key|prod-db/);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
});

test('the shell\'s value wins over .env.local, and says so', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), 'DATABASE_URL=postgres://localhost:5432/dev\nAPI_KEY=local-key\n');
  process.env.DATABASE_URL = 'postgres://shell-db:5432/dev';
  const run = await invoke();
  expect(run.result?.url).toBe('postgres://shell-db:5432/dev');
  expect(run.said).toContain('  DATABASE_URL  from the shell');
  // The run's variables are put back afterwards.
  expect(process.env.DATABASE_URL).toBe('postgres://shell-db:5432/dev');
  expect(process.env.API_KEY).toBeUndefined();
});

test('a fixture\'s value wins over both, and the fixture is named', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), 'DATABASE_URL=postgres://localhost:5432/dev\nAPI_KEY=local-key\n');
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.local.ts'),
    'export async function setup() { return { env: { DATABASE_URL: process.env.DATABASE_URL + "-throwaway" } }; }\n');
  const run = await invoke();
  // The fixture saw .env.local's value while it set up (as it would the shell's).
  expect(run.result?.url).toBe('postgres://localhost:5432/dev-throwaway');
  expect(run.said).toContain('invoke: environment: local (.env.local, the shell, handlers/daily-stats.local.ts)');
  expect(run.said).toContain('  DATABASE_URL  from handlers/daily-stats.local.ts');
});

test('no local value: it stops before the handler runs and says how to provide one', async () => {
  const run = await invoke();
  expect(run.result).toBeUndefined();
  expect(run.error).toBe('invoke: batch "daily-stats" has no local value for one variable; a local run never uses a stage\'s declared values unless you name the stage'
    + ' (--stage). Provide each:\n'
    + '  - DATABASE_URL (declared by the batch (every stage)): add DATABASE_URL=<local value> to .env.local (ignored by git; DATABASE_URL= leaves it unset locally),'
    + ' export DATABASE_URL=<local value> in the shell, return it in env from handlers/daily-stats.local.ts, or run with --stage <stage> to use that stage\'s declared value.');
  expect(run.error).not.toContain('prod-db');
});

test('--stage uses the stage\'s declared value, and says so', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), 'DATABASE_URL=postgres://localhost:5432/dev\nAPI_KEY=local-key\n');
  const run = await invoke('--stage', 'prod');
  expect(run.result).toEqual({ url: PROD_URL, key: 'local-key' });
  expect(run.said).toContain('invoke: environment: stage "prod"\'s declared values (--stage prod), with .env.local, the shell\n  DATABASE_URL  from stage "prod"');
});

test('a secret without a local value fails only when the handler asks for it, with the fix; AWS is not called', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), 'DATABASE_URL=postgres://localhost:5432/dev\n');
  const run = await invoke();
  expect(run.said).toContain('  API_KEY  no local value: secret(\'API_KEY\') fails if the run asks for it (add API_KEY=<value> to .env.local)');
  expect(run.error).toContain('secret("API_KEY") (SSM Parameter Store parameter "/app/api-key"): no local value, and a local run never reads AWS unless asked.');
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
});

test('--secrets-from-aws reads the secret from AWS (mocked SSM), and says so', async () => {
  fs.writeFileSync(path.join(dir, '.env.local'), 'DATABASE_URL=postgres://localhost:5432/dev\nAPI_KEY=ignored-local\n');
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/app/api-key', Value: 'key-from-ssm' } });
  const region = process.env.AWS_REGION;
  process.env.AWS_REGION = 'ap-northeast-2';
  try {
    const run = await invoke('--secrets-from-aws');
    expect(run.result).toEqual({ url: 'postgres://localhost:5432/dev', key: 'key-from-ssm' });
    expect(run.said).toContain('invoke: secrets: from AWS (--secrets-from-aws), with this shell\'s AWS credentials in ap-northeast-2\n  API_KEY  from AWS');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  } finally {
    if (region === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = region;
  }
});

describe('the local environment file and resolution', () => {
  test('.env.local: comments, export, quotes, inline comments; a bad line is named', () => {
    const file = path.join(dir, '.env.local');
    fs.writeFileSync(file, '# c\n\nexport A=1\nB="two words"\nC=\'x#y\'\nD=plain # note\nE=\n');
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'two words', C: 'x#y', D: 'plain', E: '' });
    expect(readEnvFile(path.join(dir, 'missing'))).toBeUndefined();
    fs.writeFileSync(file, 'A=1\nnot a line\n');
    expect(() => readEnvFile(file)).toThrow(`${file}:2 is not NAME=value.`);
  });

  test('a variable only a stage declares needs a local value too; NAME= leaves it unset; Lambda-only variables need none', () => {
    const batch = {
      name: 'b',
      handler: 'handlers/b.ts',
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      overrides: { prod: { environment: { REPORT_BUCKET: 'reports-prod' } } },
    } as unknown as ManifestBatch;
    expect(() => resolveLocalEnvironment({ batch, shell: {} })).toThrow('  - REPORT_BUCKET (declared by stage "prod"): add REPORT_BUCKET=<local value> to .env.local');
    expect(() => resolveLocalEnvironment({ batch, shell: {} })).toThrow('or run with --stage prod to use that stage\'s declared value.');
    const resolved = resolveLocalEnvironment({ batch, shell: {}, envFile: { name: '.env.local', values: { REPORT_BUCKET: '' } } });
    expect(resolved.variables).toEqual({});
    expect(resolved.report.variables).toEqual({ REPORT_BUCKET: 'env-file' });
  });
});
