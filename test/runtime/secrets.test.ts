// secret(): each reference resolved through Powertools Parameters once per cold start (mocked SSM and
// Secrets Manager, calls counted), fields of JSON values, refresh after a rotation, clear errors, and
// local values that never reach AWS.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { secretsVariable, Secret } from '../../src/model/secrets';
import { LOCAL_SECRETS, resetSecretCache, secret } from '../../src/runtime/secrets';

const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
const RDS_SECRET = JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 5432, username: 'stats', password: 'pw-from-secrets-manager' });

beforeEach(() => {
  ssm.reset();
  secrets.reset();
  resetSecretCache();
  process.env.AWS_REGION = 'ap-northeast-2';
  process.env.BATCHFORM_SECRETS = secretsVariable({
    DB_PASSWORD: Secret.secretsManager('prod/db', { field: 'password' }),
    DB_HOST: Secret.secretsManager('prod/db', { field: 'host' }),
    DB_PORT: Secret.secretsManager('prod/db', { field: 'port' }),
    API_KEY: Secret.ssm('/app/api-key'),
  });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/app/api-key', Type: 'SecureString', Value: 'key-from-ssm' } });
  secrets.on(GetSecretValueCommand).resolves({ Name: 'prod/db', SecretString: RDS_SECRET });
});

afterAll(() => {
  delete process.env.BATCHFORM_SECRETS;
});

test('an SSM SecureString is fetched decrypted, once per cold start however often it is read', async () => {
  expect(await secret('API_KEY')).toBe('key-from-ssm');
  expect(await secret('API_KEY')).toBe('key-from-ssm');
  await Promise.all([secret('API_KEY'), secret('API_KEY')]);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/app/api-key', WithDecryption: true });
  // A new execution environment (a cold start) fetches again.
  resetSecretCache();
  await secret('API_KEY');
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
});

test('fields of one Secrets Manager secret: one fetch for all of them; numbers come back as text', async () => {
  const [password, host, port] = await Promise.all([secret('DB_PASSWORD'), secret('DB_HOST'), secret('DB_PORT')]);
  expect({ password, host, port }).toEqual({ password: 'pw-from-secrets-manager', host: 'db.internal', port: '5432' });
  expect(await secret('DB_PASSWORD')).toBe('pw-from-secrets-manager');
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toMatchObject({ SecretId: 'prod/db' });
});

test('refresh fetches the rotated value and caches it in place of the old one', async () => {
  expect(await secret('DB_PASSWORD')).toBe('pw-from-secrets-manager');
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: 'rotated' }) });
  expect(await secret('DB_PASSWORD')).toBe('pw-from-secrets-manager');
  expect(await secret('DB_PASSWORD', { refresh: true })).toBe('rotated');
  expect(await secret('DB_PASSWORD')).toBe('rotated');
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

test('a failed fetch is not cached: the next read tries again', async () => {
  ssm.on(GetParameterCommand).rejectsOnce(new Error('throttled')).resolves({ Parameter: { Value: 'key-from-ssm' } });
  await expect(secret('API_KEY')).rejects.toThrow();
  expect(await secret('API_KEY')).toBe('key-from-ssm');
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
});

test('an undeclared name, a missing field and a value that is not JSON fail with the fix, naming no value', async () => {
  await expect(secret('DB_PASSWROD')).rejects.toThrow('secret("DB_PASSWROD"): the batch declares no secret "DB_PASSWROD"; its secrets are DB_PASSWORD, DB_HOST, DB_PORT, API_KEY.');
  process.env.BATCHFORM_SECRETS = secretsVariable({ USER: Secret.secretsManager('prod/db', { field: 'user' }), KEY: Secret.ssm('/app/api-key', { field: 'k' }) });
  const missing = await secret('USER').catch((e: Error) => e.message);
  expect(missing).toBe('Secrets Manager secret "prod/db" (field "user"): the value has no field "user"; its fields are engine, host, port, username, password.');
  expect(missing).not.toContain('pw-from-secrets-manager');
  await expect(secret('KEY')).rejects.toThrow('SSM Parameter Store parameter "/app/api-key" (field "k"): the value is not JSON, so it has no field "k".');
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
});

test('local values (set by invoke) are used and AWS is never called', async () => {
  const g = globalThis as Record<symbol, unknown>;
  g[LOCAL_SECRETS] = { DB_PASSWORD: 'local-pw' };
  try {
    expect(await secret('DB_PASSWORD')).toBe('local-pw');
    await expect(secret('API_KEY')).rejects.toThrow('secret("API_KEY") (SSM Parameter Store parameter "/app/api-key"): no local value, and a local run never reads AWS unless asked.'
      + ' Fix: add API_KEY=<local value> to .env.local (ignored by git), export API_KEY in the shell, or run invoke with --secrets-from-aws.');
  } finally {
    delete g[LOCAL_SECRETS];
  }
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
});
