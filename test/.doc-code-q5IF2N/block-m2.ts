import { typescript } from 'projen';
import { Batchform, Schedule } from 'batchform';

const project = new typescript.TypeScriptProject({
  name: 'my-batches', defaultReleaseBranch: 'main', devDeps: ['batchform'], buildWorkflow: false, release: false, // as above
});

new Batchform(project, {
  stages: [{
    name: 'prod',
    account: '111122223333',
    region: 'ap-northeast-2',
    artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
    alarmEmails: ['oncall@example.com'],
  }],
  batches: [
    { name: 'expire-sessions', handler: 'handlers/expire-sessions.ts', schedule: Schedule.cron({ minute: '0', hour: '*/6' }) },
  ],
});

project.synth();
export {};

