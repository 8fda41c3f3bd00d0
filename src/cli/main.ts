#!/usr/bin/env node
// The batchform command line: schedule view, lint, bundle/package/invoke, change-set preview/deploy, bootstrap and its GitHub settings check, operating deployed batches (run, backfill, redrive, status, logs), and importing a crontab.
import { Command, InvalidArgumentError } from 'commander';
import { registerBootstrapCommand } from './bootstrap-command';
import { readCliManifest, registerBundleCommands, selectBatches, stageBatches } from './bundle-commands';
import { registerCheckGithubCommand } from './check-github-command';
import { registerDeployCommands } from './deploy-commands';
import { badInput, EXIT_CODES } from './exit-codes';
import { registerImportCrontabCommand } from './import-crontab';
import { runProgram } from './io';
import { applyNodeSupport } from './node-support';
import { registerOperateCommands } from './operate-commands';
import { renderScheduleView } from './schedule-view';
import { formatLintResult, lintTemplates, findTemplates } from '../lint/cfn-lint';
import { DEFAULT_MANIFEST_PATH, DEFAULT_OUTDIR } from '../manifest/manifest';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number.');
  return n;
}

function isoTime(value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new InvalidArgumentError('must be an ISO 8601 date or time, e.g. 2027-03-13 or 2027-03-13T12:00:00Z.');
  }
  return d;
}

/** Builds the CLI program; `main` runs it (split so tests can drive the program). */
export function buildProgram(): Command {
  const program = new Command('batchform')
    .description('Scheduled batch jobs on AWS Lambda: schedules, templates, lint')
    .showHelpAfterError();

  program.command('schedule')
    .description('show every batch, the zone it runs in, its schedule in words, and its next run times in UTC and its time zone (DST changes marked)')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .option('-n, --count <n>', 'run times per batch', positiveInt, 5)
    .option('--batch <name>', 'only this batch')
    .option('--stage <name>', 'the batches of this stage, with its overrides (schedule, enabled, time zone) applied')
    .option('--from <iso>', 'list runs after this moment instead of now, e.g. just before a DST change (2027-03-13T00:00:00Z)', isoTime)
    .action((opts: { manifest: string; count: number; batch?: string; stage?: string; from?: Date }) => {
      const manifest = readCliManifest(opts.manifest);
      const selected = selectBatches(manifest, opts.batch ? [opts.batch] : []);
      const batches = opts.stage === undefined ? selected : stageBatches(manifest, opts.stage, selected);
      if (opts.stage !== undefined && opts.batch && batches.length === 0) throw badInput(`batch "${opts.batch}" does not deploy to stage "${opts.stage}".`);
      console.log(renderScheduleView(batches, { count: opts.count, now: opts.from, stage: opts.stage }));
    });

  program.command('lint-cfn')
    .description('lint CloudFormation templates: cfn-lint when on PATH, else the offline validator; fails on any error or warning')
    .argument('[paths...]', 'template files or directories of *.template.json', [DEFAULT_OUTDIR])
    .option('--engine <engine>', 'auto | cfn-lint | offline', 'auto')
    .action((paths: string[], opts: { engine: string }) => {
      if (!['auto', 'cfn-lint', 'offline'].includes(opts.engine)) {
        throw badInput(`--engine "${opts.engine}" is not one of auto, cfn-lint, offline.`);
      }
      const templates = paths.flatMap(findTemplates);
      const result = lintTemplates(templates, { engine: opts.engine as 'auto' });
      console.log(formatLintResult(result));
      if (!result.ok) process.exitCode = EXIT_CODES['run-failed'];
    });

  registerBundleCommands(program);
  registerDeployCommands(program);
  registerBootstrapCommand(program);
  registerCheckGithubCommand(program);
  registerOperateCommands(program);
  registerImportCrontabCommand(program);
  return program;
}

/** Runs the CLI with `argv` (as in process.argv); an error prints one line and exits with its code (see `EXIT_CODES`). */
export async function main(argv: string[]): Promise<void> {
  await runProgram(buildProgram(), argv);
}

if (require.main === module) {
  applyNodeSupport();
  void main(process.argv);
}
