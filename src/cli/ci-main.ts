#!/usr/bin/env node
// The commands the credentialed workflow jobs run (preview, deploy), as a program small enough to ship as one bundled file.
import { Command } from 'commander';
import { registerDeployCommands } from './deploy-commands';
import { runProgram } from './io';
import { applyNodeSupport } from './node-support';

/**
 * The `batchform` program of the workflow's preview and deploy jobs: only `preview` and `deploy`,
 * which need the AWS SDK but neither aws-cdk-lib, projen nor esbuild. The package ships it bundled
 * with its dependencies as `lib/batchform-ci.cjs`, so those jobs run it without installing the
 * project (they never run the project's own code, nor its install scripts).
 */
export function buildCiProgram(): Command {
  const program = new Command('batchform')
    .description('batchform preview and deploy (the workflow jobs\' build: run "batchform --help" of the installed package for every command)')
    .showHelpAfterError();
  registerDeployCommands(program);
  return program;
}

if (require.main === module) {
  applyNodeSupport();
  void runProgram(buildCiProgram(), process.argv);
}
