// batchform/template: everything generated from validated declarations (CloudFormation templates
// authored with aws-cdk-lib, the bootstrap template, the deploy manifest, the workflow, cfn-lint).
export * from './synth';
export * from './batch-template';
export * from '../manifest/manifest';
export * from '../lint/cfn-lint';
export * from '../bootstrap/bootstrap-template';
export * from '../workflows/batchform-workflow';
