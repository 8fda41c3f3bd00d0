import { javascript, typescript } from 'projen';
import { Batchform, Schedule } from 'batchform';

const project = new typescript.TypeScriptProject({
  name: 'my-batches',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  devDeps: ['batchform'],
  github: true,
  buildWorkflow: false, // batchform's workflow builds, previews and deploys every push
  release: false,       // a repository of batches is deployed, not published to npm
});

new Batchform(project, {
  githubRepository: 'acme/batches',
  stages: [{
    name: 'prod',
    account: '111122223333',
    region: 'ap-northeast-2',
    artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
    alarmEmails: ['oncall@example.com'],
  }],
  batches: [{
    name: 'expire-sessions',
    handler: 'handlers/expire-sessions.ts',
    schedule: Schedule.cron({ minute: '0', hour: '*/6' }), // or 'cron(0 */6 * * ? *)', 'rate(6 hours)'
    timezone: 'Asia/Seoul',                               // 00:00, 06:00, ... Seoul time, all year
  }],
});

project.synth();
export {};

