// Every task batchform generates, run through projen's own task runner and shell (not bash), and the exit codes it returns.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { Batchform } from '../../src/projen/batchform';
import { BATCH, STAGE, scratchProject } from '../fixtures';

const PROJEN = require.resolve('projen/bin/projen');
const CLI = path.resolve(__dirname, '../../src/cli/main.ts');

let dir: string;
beforeAll(() => {
  dir = scratchProject('tasks');
  // A stand-in CLI: records its arguments, exits with $STUB_EXIT.
  fs.writeFileSync(path.join(dir, 'stub.js'), "require('fs').appendFileSync('calls.jsonl', JSON.stringify(process.argv.slice(2)) + '\\n'); process.exit(Number(process.env.STUB_EXIT ?? 0));\n");
  const project = new Project({ name: 'fixture', outdir: dir });
  new Batchform(project, { stages: [STAGE], batches: [BATCH], cliCommand: 'node stub.js', workflows: false });
  // The step the old bootstrap task had: bash syntax projen's shell cannot run (the control of the check below).
  project.addTask('bash-only', { exec: 'test "$(node stub.js)" = "x" || { echo "wrong account" >&2; exit 1; }' });
  project.synth();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function projen(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [PROJEN, ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

function calls(): string[][] {
  const file = path.join(dir, 'calls.jsonl');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  fs.rmSync(file, { force: true });
  return lines.map((l) => JSON.parse(l));
}

test('every task with a batchform step runs through projen\'s shell, passing its arguments on', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks as Record<string, { steps?: Array<{ exec?: string }> }>;
  const ours = Object.entries(tasks).filter(([name, t]) => name !== 'bash-only' && (t.steps ?? []).some((s) => s.exec?.includes('node stub.js'))).map(([name]) => name).sort();
  expect(ours).toEqual(['backfill', 'bootstrap:prod', 'bundle', 'bundle:daily-stats', 'check-github', 'deploy', 'invoke', 'lint:cfn', 'logs', 'package:batches', 'pause', 'preview', 'redrive', 'resume', 'run', 'schedule', 'status']);
  for (const name of ours) {
    calls();
    const run = projen([name, '--stage', 'prod']);
    // A step projen's built-in shell cannot parse fails here ("can't run this command", "command not found").
    expect({ name, status: run.status, stderr: run.stderr.includes("can't run this command") || run.stderr.includes('command not found') }).toEqual({ name, status: 0, stderr: false });
    const made = calls();
    const steps = (tasks[name].steps ?? []).filter((s) => s.exec?.includes('node stub.js')).length;
    expect(made.length).toBeGreaterThanOrEqual(steps);
  }
});

test('the check above can fail: a step in bash syntax does not run through projen\'s shell', () => {
  expect(projen(['bash-only']).status).not.toBe(0);
  calls();
});

test('the operate tasks are one CLI call each with the manifest, then the arguments (npx projen run daily-stats --stage prod --wait)', () => {
  calls();
  expect(projen(['run', 'daily-stats', '--stage', 'prod', '--wait']).status).toBe(0);
  expect(projen(['backfill', 'daily-stats', '--stage', 'prod', '--from', '2026-11-01', '--to', '2026-11-08', '--dry-run']).status).toBe(0);
  expect(calls()).toEqual([
    ['run', '--manifest', 'cfn-out/manifest.json', 'daily-stats', '--stage', 'prod', '--wait'],
    ['backfill', '--manifest', 'cfn-out/manifest.json', 'daily-stats', '--stage', 'prod', '--from', '2026-11-01', '--to', '2026-11-08', '--dry-run'],
  ]);
});

test('bootstrap:<stage> is one CLI call with the stage, the manifest, the template and the arguments', () => {
  calls();
  expect(projen(['bootstrap:prod', '--preview', 'GitHubOwnerId=1']).status).toBe(0);
  expect(calls()).toEqual([['bootstrap', '--stage', 'prod', '--manifest', 'cfn-out/manifest.json', '--template', 'cfn-out/bootstrap.template.json', '--preview', 'GitHubOwnerId=1']]);
});

test('through npx projen, any failing exit code comes back as 1 (the README\'s table says so)', () => {
  expect(projen(['preview', '--stage', 'prod'], { STUB_EXIT: '2' }).status).toBe(1);
  expect(projen(['deploy', '--stage', 'prod'], { STUB_EXIT: '1' }).status).toBe(1);
  expect(projen(['bootstrap:prod'], { STUB_EXIT: '2' }).status).toBe(1);
  calls();
});

test('the real CLI: an unknown stage exits 2 run directly, 1 through projen, with the same message', () => {
  const direct = spawnSync(process.execPath, [require.resolve('tsx/cli'), CLI, 'preview', '--stage', 'nope'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  expect(direct.status).toBe(2);
  expect(direct.stderr).toContain('stage "nope" is not in cfn-out/manifest.json; its stages are: prod');
  const scratch = scratchProject('tasks-real');
  try {
    const project = new Project({ name: 'fixture', outdir: scratch });
    new Batchform(project, { stages: [STAGE], batches: [BATCH], cliCommand: `node ${require.resolve('tsx/cli')} ${CLI}`, workflows: false });
    project.synth();
    for (const task of [['preview', '--stage', 'nope'], ['deploy', '--stage', 'nope']]) {
      const viaProjen = spawnSync(process.execPath, [PROJEN, ...task], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
      expect(viaProjen.status).toBe(1);
      expect(viaProjen.stderr).toContain('stage "nope" is not in cfn-out/manifest.json');
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
