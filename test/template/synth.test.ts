import * as fs from 'fs';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { synthesizeStacks } from '../../src/template/synth';

/** The directory of the throwaway cloud assembly a stack is being built in. */
const assemblyOf = (stack: Stack): string => (stack.node.root as App).outdir;

describe('synthesizeStacks', () => {
  test('returns each stack\'s raw template, building it in shared memory when there is any, and leaves nothing behind', () => {
    let outdir = '';
    const templates = synthesizeStacks({
      first: (stack) => {
        outdir = assemblyOf(stack);
        new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' });
      },
      second: (stack) => new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' }),
    });
    expect(templates).toEqual({
      first: { Resources: { Queue: { Type: 'AWS::SQS::Queue' } } },
      second: { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } },
    });
    expect(outdir).toMatch(/batchform-synth-/);
    if (fs.existsSync('/dev/shm')) expect(outdir.startsWith('/dev/shm/')).toBe(true);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('leaves no temporary cloud assembly behind when a stack fails to build', () => {
    let outdir = '';
    expect(() => synthesizeStacks({
      broken: (stack) => {
        outdir = assemblyOf(stack);
        throw new Error('broken stack');
      },
    })).toThrow('broken stack');
    expect(outdir).toMatch(/batchform-synth-/);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
