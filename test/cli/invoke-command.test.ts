// `batchform invoke`: --time on a batch whose constant input replaces the Scheduled Event says so;
// --stage runs the batch as that stage declares it; without it, declared variables take local values.
import * as fs from 'fs';
import * as path from 'path';
import { buildProgram } from '../../src/cli/main';
import { buildManifest } from '../../src/manifest/manifest';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, scratchProject, STAGE } from '../fixtures';

const ROOT = path.resolve(__dirname, '../..');

test('invoke --time warns when the batch has a constant input', async () => {
  const errors: string[] = [];
  const err = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { errors.push(a.join(' ')); });
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'weekly-report', '--time', '2026-11-23T00:00:00Z', '--no-ledger',
      '--manifest', path.join(ROOT, 'cfn-out/manifest.json')]);
  } finally {
    err.mockRestore();
    log.mockRestore();
    out.mockRestore();
  }
  expect(errors).toContain('batchform: warning: batch "weekly-report" has a constant input, which the handler receives instead of the Scheduled Event, so --time does not reach it (run.time is the invocation time; only a local fixture sees --time). Fix: drop --time, or remove input from the batch to get the Scheduled Event.');
});

test('invoke --stage runs the batch with that stage\'s environment and zone; without it, the local value', async () => {
  const dir = scratchProject('invoke-stage');
  fs.writeFileSync(path.join(dir, '.env.local'), 'MODE=local\n');
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'),
    'export const handler = async () => ({ mode: process.env.MODE, zone: process.env.BATCHFORM_TIMEZONE, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE });\n');
  const decl = validateDeclarations({
    stages: [STAGE, { ...STAGE, name: 'staging' }],
    batches: [{ ...BATCH, timezone: 'Asia/Seoul', environment: { MODE: 'full' }, overrides: { staging: { timezone: 'Europe/Berlin', memorySize: 1024, environment: { MODE: 'dry' } } } }],
  }, { projectDir: dir });
  fs.mkdirSync(path.join(dir, 'cfn-out'));
  const manifestFile = path.join(dir, 'cfn-out/manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(buildManifest(decl, 'cfn-out')));
  const results: unknown[] = [];
  const cwd = process.cwd();
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { if (typeof a[0] === 'string' && a[0].startsWith('{')) results.push(JSON.parse(a[0])); });
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    process.chdir(dir);
    for (const stage of [[], ['--stage', 'staging']]) {
      await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'daily-stats', '--manifest', manifestFile, ...stage]);
    }
    await expect(buildProgram().parseAsync(['node', 'batchform', 'invoke', 'daily-stats', '--manifest', manifestFile, '--stage', 'qa']))
      .rejects.toThrow('stage "qa" is not in the manifest; its stages are: prod, staging.');
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    err.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(results).toEqual([
    { mode: 'local', zone: 'Asia/Seoul', memory: '256' },
    { mode: 'dry', zone: 'Europe/Berlin', memory: '1024' },
  ]);
});

test('invoke of the durable example shows each step, its checkpoint and the replays after --fail-at, offline', async () => {
  delete process.env.DATABASE_URL;
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await buildProgram().parseAsync(['node', 'batchform', 'invoke', 'monthly-recompute', '--time', '2026-11-30T16:00:00Z', '--fail-at', 'chunk-2', '--no-ledger',
      '--manifest', path.join(ROOT, 'cfn-out/manifest.json')]);
  } finally {
    err.mockRestore();
    log.mockRestore();
    out.mockRestore();
  }
  const text = lines.join('\n');
  expect(text).toContain('  invocation 1: step chunk-1: runs\n  invocation 1: step chunk-2: runs\n' +
    '  invocation 1: step chunk-2: simulated crash (--fail-at); the execution suspends and resumes in a new invocation\n' +
    '  invocation 2: step chunk-1: replayed from its checkpoint (not run again)\n' +
    '  invocation 2: step chunk-2: runs (attempt 2, resumed after the failure)\n');
  expect(text).toContain('monthly-recompute: execution monthly-recompute-20261130T160000Z SUCCEEDED after 2 invocation(s)');
  expect(text).toMatch(/ {2}chunk-1 {2}STEP {5}SUCCEEDED {2}\{"from":"2026-11-01","to":"2026-11-07","userDays":\d+\}/);
  expect(text).toMatch(/ {2}chunk-2 {2}STEP {5}SUCCEEDED {2}attempts 2 {2}\{"from":"2026-11-08"/);
  expect(process.exitCode ?? 0).toBe(0);
}, 120_000);

test('--fail-at on a plain batch says it has no steps', async () => {
  await expect(buildProgram().exitOverride().parseAsync(['node', 'batchform', 'invoke', 'weekly-report', '--fail-at', 'x',
    '--manifest', path.join(ROOT, 'cfn-out/manifest.json')])).rejects.toThrow('--fail-at: batch "weekly-report" is not durable; only a durable batch has steps to resume from.');
});
