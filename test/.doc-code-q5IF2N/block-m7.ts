import { Batchform, Secret } from 'batchform';

new Batchform(project, {
  stages: [/* ... */],
  batches: [{
    name: 'nightly-sync',
    handler: 'handlers/nightly-sync.ts',
    schedule: 'cron(0 3 * * ? *)',
    secrets: {
      // One field of a JSON secret (here an RDS-managed secret's password).
      DB_PASSWORD: Secret.secretsManager('prod/db', { field: 'password' }),
      // An SSM SecureString parameter (decrypted when read).
      API_KEY: Secret.ssm('/app/api-key'),
    },
  }],
});
export {};
declare const project: import('projen').typescript.TypeScriptProject;
