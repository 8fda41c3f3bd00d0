// The exit-code catalogue: each kind of failure, in each command family, exits with the one code the table gives it, printing a short message.
import * as fs from 'fs';
import * as path from 'path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Command } from 'commander';
import { UnreachableError } from '../../src/aws/faults';
import { buildCiProgram } from '../../src/cli/ci-main';
import { DeployCommandDeps, runDeployCommand } from '../../src/cli/deploy-commands';
import { EXIT_CODE_TABLE, EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes';
import { runProgram } from '../../src/cli/io';
import { buildProgram } from '../../src/cli/main';
import { OperateCommandDeps, runBackfillCommand, runRunCommand, runStatusCommand } from '../../src/cli/operate-commands';
import { IntegrityError } from '../../src/deploy/upload';
import { BatchformError, ERROR_KINDS } from '../../src/errors/batchform-error';
import { change, FAST_WAITS, fakeAws, FakeAwsOptions, liveStack, makeProject, NOW } from '../deploy/helpers';

/** Runs a program as the `batchform` binary does; returns its exit code and what it printed to stderr. */
async function run(program: Command, ...args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { chunks.push(String(c)); return true; });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const log = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { chunks.push(`${a.join(' ')}\n`); });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await runProgram(program, ['node', 'batchform', ...args]);
    return { code: Number(process.exitCode ?? 0), stderr: chunks.join('') };
  } finally {
    process.exitCode = previous;
    write.mockRestore();
    out.mockRestore();
    log.mockRestore();
  }
}

const DEPLOY_DEFAULTS = { manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', concurrency: '8' };

function deployHarness(aws: FakeAwsOptions = {}, deps: Partial<DeployCommandDeps> = {}) {
  const project = makeProject();
  const fake = fakeAws(aws);
  const err: string[] = [];
  const all: DeployCommandDeps = {
    createClients: () => fake.clients,
    callerAccount: async () => '111122223333',
    env: {},
    out: () => undefined,
    err: (t) => err.push(t),
    projectDir: project.dir,
    now: () => NOW,
    waits: FAST_WAITS,
    ...deps,
  };
  return { fake, err, deps: all };
}

function operateHarness(deps: Partial<OperateCommandDeps> = {}) {
  const project = makeProject();
  const err: string[] = [];
  const all: OperateCommandDeps = { callerAccount: async () => '111122223333', out: () => undefined, err: (t) => err.push(t), projectDir: project.dir, now: () => NOW, ...deps };
  return { err, deps: all };
}

const networkDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const awsRefuses = () => Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

test('every error kind has its own exit code, and 0 is success only', () => {
  expect(EXIT_CODES).toEqual({ 'ok': 0, 'run-failed': 1, 'unexpected': 1, 'bad-input': 2, 'unreachable': 3, 'aws': 4, 'integrity': 5 });
  const codes = ERROR_KINDS.map((k) => EXIT_CODES[k]);
  expect(new Set(codes).size).toBe(ERROR_KINDS.length);
  expect(codes).not.toContain(0);
});

/** The rows of the Markdown table headed `| Code | Kind | Meaning | Example |` in `text` (undefined when there is none). */
function exitCodeRows(text: string): { code: number; kind: string; meaning: string; example: string }[] | undefined {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l === '| Code | Kind | Meaning | Example |');
  if (first === -1) return undefined;
  const rows = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    rows.push({ code: Number(cells[0]), kind: cells[1].replace(/^`|`$/g, ''), meaning: cells[2], example: cells[3] });
  }
  return rows;
}

test('the code\'s table: every outcome once, each with the code EXIT_CODES gives it', () => {
  for (const r of EXIT_CODE_TABLE) expect(r.code).toBe(EXIT_CODES[r.kind]);
  expect(EXIT_CODE_TABLE.map((r) => r.kind).sort()).toEqual(Object.keys(EXIT_CODES).sort());
});

// docs/reference/exit-codes.md is generated from EXIT_CODE_TABLE (npx projen docs; test/reference checks it is current).
test('docs/reference/exit-codes.md holds the code\'s table, row for row', () => {
  const page = fs.readFileSync(path.join(__dirname, '../../docs/reference/exit-codes.md'), 'utf8');
  expect(exitCodeRows(page)).toEqual(EXIT_CODE_TABLE.map((r) => ({ ...r })));
});

// The preview-and-deploy guide either links to the page or holds a copy of the table that matches the code's.
test('the preview-and-deploy guide links to the exit-code page, or its own exit-code table is the code\'s', () => {
  const guide = fs.readFileSync(path.join(__dirname, '../../docs/guides/preview-and-deploy.md'), 'utf8');
  const rows = exitCodeRows(guide);
  if (rows === undefined) expect(guide).toContain('(../reference/exit-codes.md)');
  else expect(rows).toEqual(EXIT_CODE_TABLE.map((r) => ({ ...r })));
});

describe('exitCodeFor: the kind decides, whichever class carries it', () => {
  test.each<[string, unknown, number]>([
    ['a BatchformError', new BatchformError('bad-input', 'x'), 2],
    ['UnreachableError', new UnreachableError('https://sts.example', 'checking', networkDown()), 3],
    ['IntegrityError', new IntegrityError('s3://b/k already exists but ...'), 5],
    ['an SDK error (AWS answered)', awsRefuses(), 4],
    ['a RangeError (not ours: unexpected)', new RangeError('x'), 1],
    ['a plain Error (unexpected)', new Error('x'), 1],
  ])('%s', (_label, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  test('a wrapping error keeps the original as cause', () => {
    const cause = networkDown();
    const e = new UnreachableError('https://cloudformation.example', 'listing stacks', cause);
    expect(e.cause).toBe(cause);
    expect(e.kind).toBe('unreachable');
    expect(BatchformError.is(e)).toBe(true);
  });
});

describe('argument errors are bad input (2) in every command', () => {
  const commands = buildProgram().commands.map((c) => c.name());

  test('the commands', () => {
    expect(commands).toEqual(['schedule', 'lint-cfn', 'bundle', 'package', 'invoke', 'preview', 'deploy', 'bootstrap', 'check-github', 'run', 'backfill', 'redrive', 'status', 'logs', 'runs', 'pause', 'resume', 'import-crontab']);
  });

  test.each(commands)('batchform %s --no-such-flag', async (name) => {
    const r = await run(buildProgram(), name, '--no-such-flag');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: unknown option \'--no-such-flag\'');
  });

  test.each(['preview', 'deploy'])('the CI program: batchform %s --no-such-flag', async (name) => {
    expect((await run(buildCiProgram(), name, '--no-such-flag')).code).toBe(2);
  });

  test('an unknown command', async () => {
    const r = await run(buildProgram(), 'deplyo', '--stage', 'prod');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: unknown command \'deplyo\'');
  });

  test('batchform schedule -n 0', async () => {
    const r = await run(buildProgram(), 'schedule', '-n', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be a positive whole number.');
  });

  test('batchform deploy --concurrency 0', async () => {
    const r = await run(buildProgram(), 'deploy', '--stage', 'prod', '--concurrency', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('batchform deploy: --concurrency "0" is not a positive whole number; use e.g. --concurrency 8.\n');
  });

  test('batchform schedule with a manifest that is not there', async () => {
    const r = await run(buildProgram(), 'schedule', '--manifest', '/nonexistent/manifest.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^batchform: manifest \/nonexistent\/manifest\.json not found; run "npx projen"/);
  });

  test('help and version are not errors', async () => {
    expect((await run(buildProgram(), 'deploy', '--help')).code).toBe(0);
  });
});

describe('preview and deploy', () => {
  test('AWS unreachable: 3', async () => {
    const h = deployHarness();
    h.fake.cfn.on(DescribeStacksCommand).rejects(networkDown());
    expect(await runDeployCommand('deploy', { ...DEPLOY_DEFAULTS, stage: 'prod' }, h.deps)).toBe(EXIT_CODES.unreachable);
    expect(h.err[0]).toMatch(/^batchform deploy: stage "prod": cannot reach AWS: \S+ did not answer while /);
  });

  test('AWS answered with an error before any stack: 4', async () => {
    const h = deployHarness();
    h.fake.cfn.on(DescribeStacksCommand).rejects(awsRefuses());
    expect(await runDeployCommand('preview', { ...DEPLOY_DEFAULTS, stage: 'prod' }, h.deps)).toBe(EXIT_CODES.aws);
    expect(h.err[0]).toMatch(/^batchform preview: stage "prod": could not list the CloudFormation stacks .*\(AWS AccessDenied: User is not authorized/);
  });

  test('a failed stack: 1', async () => {
    const h = deployHarness({
      live: [liveStack('prod-daily-stats', 'UPDATE_COMPLETE', 'old')],
      changeSet: { pages: [[change('Modify', 'LogGroup', 'AWS::Logs::LogGroup', [{ path: 'LogGroupName', recreation: 'Always' }], 'True')]] },
    });
    expect(await runDeployCommand('deploy', { ...DEPLOY_DEFAULTS, stage: 'prod', refuseReplacement: 'AWS::Logs::LogGroup' }, h.deps)).toBe(EXIT_CODES['run-failed']);
  });

  test('a code zip in S3 that batchform did not write: 5', async () => {
    const h = deployHarness({ head: () => ({ checksum: 'bm90IHRoZSBzYW1lIGNvbnRlbnQ=' }) });
    expect(await runDeployCommand('deploy', { ...DEPLOY_DEFAULTS, stage: 'prod' }, h.deps)).toBe(EXIT_CODES.integrity);
  });

  test('credentials for another account: 2', async () => {
    const h = deployHarness({}, { callerAccount: async () => '999988887777' });
    expect(await runDeployCommand('deploy', { ...DEPLOY_DEFAULTS, stage: 'prod' }, h.deps)).toBe(EXIT_CODES['bad-input']);
  });
});

describe('operate commands', () => {
  test('an empty backfill range (--to before --from): 2', async () => {
    const h = operateHarness();
    expect(await runBackfillCommand('daily-stats', { manifest: 'cfn-out/manifest.json', stage: 'prod', from: '2026-11-08', to: '2026-11-01', dryRun: true }, h.deps))
      .toBe(EXIT_CODES['bad-input']);
    expect(h.err).toEqual(['batchform backfill: --to 2026-11-01T00:00:00.000Z is not after --from 2026-11-08T00:00:00.000Z; the range is [from, to), so give a later --to.']);
  });

  test('credentials for another account: 2, saying nothing was run', async () => {
    const h = operateHarness({ callerAccount: async () => '999988887777' });
    expect(await runStatusCommand({ manifest: 'cfn-out/manifest.json', bundles: 'dist/batches/bundles.json', stage: 'prod' }, h.deps)).toBe(EXIT_CODES['bad-input']);
    expect(h.err[0]).toContain('; nothing was run. Use credentials for 111122223333');
  });

  test('AWS unreachable: 3', async () => {
    const h = operateHarness({ callerAccount: async () => { throw new UnreachableError('https://sts.ap-northeast-2.amazonaws.com', 'checking the account', networkDown()); } });
    expect(await runRunCommand('daily-stats', { manifest: 'cfn-out/manifest.json', stage: 'prod' }, h.deps)).toBe(EXIT_CODES.unreachable);
    expect(h.err[0]).toMatch(/^batchform run: cannot reach AWS: https:\/\/sts\.ap-northeast-2\.amazonaws\.com did not answer/);
  });

  test('AWS answered with an error: 4', async () => {
    const h = operateHarness({ callerAccount: async () => { throw awsRefuses(); } });
    expect(await runRunCommand('daily-stats', { manifest: 'cfn-out/manifest.json', stage: 'prod' }, h.deps)).toBe(EXIT_CODES.aws);
    expect(h.err).toEqual(['batchform run: AWS AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks']);
  });

  test('an unknown batch: 2', async () => {
    const h = operateHarness();
    expect(await runRunCommand('nightly', { manifest: 'cfn-out/manifest.json', stage: 'prod' }, h.deps)).toBe(EXIT_CODES['bad-input']);
    expect(h.err[0]).toMatch(/^batchform run: batch "nightly" is not declared; stage "prod" has: daily-stats\.$/);
  });
});
