// `batchform invoke --time` on a batch whose constant input replaces the Scheduled Event says so.
import * as path from 'path';
import { buildProgram } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '../..');

test('invoke --time warns when the batch has a constant input', async () => {
  const errors: string[] = [];
  const err = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { errors.push(a.join(' ')); });
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'weekly-report', '--time', '2026-11-23T00:00:00Z',
      '--manifest', path.join(ROOT, 'cfn-out/manifest.json')]);
  } finally {
    err.mockRestore();
    log.mockRestore();
    out.mockRestore();
  }
  expect(errors).toContain('batchform: warning: batch "weekly-report" has a constant input, which the handler receives instead of the Scheduled Event, so --time does not reach it (run.time is the invocation time; only a local fixture sees --time). Fix: drop --time, or remove input from the batch to get the Scheduled Event.');
});
