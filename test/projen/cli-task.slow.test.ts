// The PATH every batchform task evaluates instead of projen's `$(npx -c ...)`, run through projen's own task runner.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { Batchform } from '../../src/projen/batchform';
import { CLI_TASK_ENV, TASK_PATH_EXPRESSION } from '../../src/projen/cli-task';
import { BATCH, STAGE, scratchProject } from '../fixtures';

const PROJEN = require.resolve('projen/bin/projen');

let dir: string;
let fakeBin: string;
beforeAll(() => {
  dir = scratchProject('cli-task');
  // The CLI as npm installs it: a command in node_modules/.bin, recording the PATH it ran with.
  const bin = path.join(dir, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'batchform-stub'), `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(path.join(dir, 'paths.txt'))}, process.env.PATH + '\\n');\n`, { mode: 0o755 });
  // An npx that records each call and fails: projen's project-wide PATH is `$(npx -c ...)`.
  fakeBin = path.join(dir, 'fake-bin');
  fs.mkdirSync(fakeBin);
  fs.writeFileSync(path.join(fakeBin, 'npx'), `#!/bin/sh\necho called >> ${JSON.stringify(path.join(dir, 'npx-calls.txt'))}\nexit 1\n`, { mode: 0o755 });
  const project = new Project({ name: 'fixture', outdir: dir });
  new Batchform(project, { stages: [STAGE], batches: [BATCH], cliCommand: 'batchform-stub', workflows: false });
  project.tasks.addEnvironment('PATH', '$(npx -c "node --print process.env.PATH")');
  // A task of the project's own, which keeps projen's PATH (the control of the check below).
  project.addTask('plain', { exec: 'node -e 0' });
  project.synth();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a task through projen with the fake npx first on PATH and no node_modules/.bin on it. */
function projenTask(name: string): { status: number | null; npxCalls: number; paths: string[] } {
  for (const f of ['npx-calls.txt', 'paths.txt']) fs.rmSync(path.join(dir, f), { force: true });
  const PATH = [fakeBin, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
  const r = spawnSync(process.execPath, [PROJEN, name], { cwd: dir, env: { ...process.env, PATH }, encoding: 'utf8', timeout: 60_000 });
  const lines = (f: string): string[] => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n') : []);
  return { status: r.status, npxCalls: lines('npx-calls.txt').length, paths: lines('paths.txt') };
}

describe('the PATH of batchform tasks', () => {
  test('lists every node_modules/.bin from the working directory up to the root, then the PATH it was given', () => {
    const nested = path.join(dir, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    const r = spawnSync(process.execPath, ['--print', TASK_PATH_EXPRESSION], { cwd: nested, env: { ...process.env, PATH: '/x:/y' }, encoding: 'utf8' });
    const ancestors: string[] = [];
    for (let d = fs.realpathSync(nested); ; d = path.dirname(d)) {
      ancestors.push(path.join(d, 'node_modules', '.bin'));
      if (d === path.dirname(d)) break;
    }
    expect(r.stdout.trim().split(path.delimiter)).toEqual([...ancestors, '/x', '/y']);
  });

  test('every task that runs the CLI evaluates it instead of the project-wide npx -c', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks as Record<string, { env?: Record<string, string>; steps?: Array<{ exec?: string }> }>;
    const ours = Object.entries(tasks).filter(([, t]) => (t.steps ?? []).some((s) => s.exec?.startsWith('batchform-stub ')));
    expect(ours.length).toBeGreaterThanOrEqual(14);
    for (const [name, t] of ours) expect({ name, env: t.env }).toEqual({ name, env: CLI_TASK_ENV });
  });

  test('a batchform task finds the CLI in node_modules/.bin without starting npx', () => {
    const run = projenTask('schedule');
    expect(run.status).toBe(0);
    expect(run.npxCalls).toBe(0);
    expect(run.paths).toHaveLength(1);
    expect(run.paths[0].split(path.delimiter)[0]).toBe(path.join(fs.realpathSync(dir), 'node_modules', '.bin'));
  });

  test('the check above can fail: a task of the project\'s own still evaluates npx -c', () => {
    expect(projenTask('plain').npxCalls).toBe(1);
  });
});
