// refuseReplacement / --refuse-replacement: real CloudFormation resource types only, so a typo cannot turn the guard off.
import { Project } from 'projen';
import { Batchform } from '../../src/projen/batchform';
import { cfnResourceTypes, describeResourceTypeProblem, resourceTypeProblems } from '../../src/validate/resource-types';
import { BATCH, STAGE } from '../fixtures';

const known = cfnResourceTypes();

describe('the resource types aws-cdk-lib knows, read offline', () => {
  test('include the types a batch stack has, and not made-up ones', () => {
    expect(known).toBeDefined();
    for (const t of ['AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::Lambda::Function', 'AWS::Scheduler::Schedule', 'AWS::Events::Rule']) expect(known!.has(t)).toBe(true);
    expect(known!.has('AWS::Logs::Loggroup')).toBe(false);
    expect(known!.size).toBeGreaterThan(1000);
  });
});

describe('resourceTypeProblems', () => {
  test.each([
    ['AWS::Logs::Loggroup', 'is not a CloudFormation resource type', 'AWS::Logs::LogGroup'],
    ['AWS::SQS::Queues', 'is not a CloudFormation resource type', 'AWS::SQS::Queue'],
    ['AWS::Lambda::Fucntion', 'is not a CloudFormation resource type', 'AWS::Lambda::Function'],
    ['LogGroup', 'is not of the form Namespace::Service::Type of a CloudFormation resource type', 'AWS::Logs::LogGroup'],
    ['AWS::Nothing::AtAll', 'is not a CloudFormation resource type', undefined],
  ])('%s: %s, did you mean %s', (value, message, suggestion) => {
    expect(resourceTypeProblems([value], known)).toEqual([{ value, message, suggestion }]);
  });

  test('real types pass, and so do registry extensions outside the AWS namespaces (no offline list holds them)', () => {
    expect(resourceTypeProblems(['AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'MongoDB::Atlas::Cluster', 'Custom::Thing::Here'], known)).toEqual([]);
  });

  test('a string instead of a list (untyped .projenrc.ts) is a problem, not a TypeError', () => {
    expect(resourceTypeProblems('AWS::Logs::LogGroup', known)).toEqual([{ value: 'AWS::Logs::LogGroup', message: 'is not a list of resource types' }]);
  });

  test('without the list (a CLI installed without aws-cdk-lib) only the shape is checked', () => {
    expect(resourceTypeProblems(['AWS::Logs::Loggroup'], undefined)).toEqual([]);
    expect(resourceTypeProblems(['LogGroup'], undefined)).toEqual([{ value: 'LogGroup', message: 'is not of the form Namespace::Service::Type of a CloudFormation resource type', suggestion: undefined }]);
  });

  test('described as one clause with the did-you-mean', () => {
    expect(describeResourceTypeProblem(resourceTypeProblems(['AWS::Logs::Loggroup'], known)[0]))
      .toBe('"AWS::Logs::Loggroup" is not a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?)');
  });
});

describe('Batchform refuseReplacement', () => {
  const construct = (refuseReplacement: unknown) => () =>
    new Batchform(new Project({ name: 'x', outdir: '/tmp/batchform-never-written' }), { stages: [STAGE], batches: [BATCH], refuseReplacement: refuseReplacement as string[] });

  test('a misspelled type stops npx projen with the did-you-mean', () => {
    expect(construct(['AWS::Logs::Loggroup'])).toThrow('batchform: refuseReplacement "AWS::Logs::Loggroup" is not a CloudFormation resource type (did you mean "AWS::Logs::LogGroup"?). '
      + 'Fix: name types as CloudFormation does, e.g. "AWS::Logs::LogGroup".');
  });

  test('one string instead of a list: a clear error, not a TypeError', () => {
    expect(construct('AWS::Logs::LogGroup')).toThrow('batchform: refuseReplacement "AWS::Logs::LogGroup" is not a list of resource types. Fix: write a list, e.g. ["AWS::Logs::LogGroup"].');
  });

  test('real types are accepted', () => {
    expect(construct(['AWS::Logs::LogGroup', 'AWS::SQS::Queue'])).not.toThrow();
  });
});
