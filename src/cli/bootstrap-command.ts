// CLI command that previews or deploys a stage's one-time bootstrap stack and prints the stage options to paste into .projenrc.ts.
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import type { BootstrapClients, BootstrapResult } from '../deploy';
import { describeFailure, EXIT_CODES, EXIT_HELP, exitCodeFor, outcomeOf } from './exit-codes';
import { CommandIo, engine, knownStages, resolveIo } from './io';
import { BOOTSTRAP_TEMPLATE_FILE, DEFAULT_MANIFEST_PATH, DEFAULT_OUTDIR } from '../manifest/manifest';
import { BOOTSTRAP_OUTPUTS, BOOTSTRAP_STACK_ID } from '../model/bootstrap-names';
import { sha256Hex } from '../model/hash';


/** The options `bootstrap` takes, as commander parses them. */
export interface BootstrapCommandOptions {
  readonly stage?: string;
  readonly manifest: string;
  readonly template: string;
  readonly preview?: boolean;
}

/** What the command reaches outside itself; tests replace these. */
export interface BootstrapCommandDeps extends CommandIo {
  /** @default CloudFormation and IAM clients for the stage's region (SDK default chain, adaptive retries) */
  readonly createClients?: (region: string) => BootstrapClients;
  /** Makes this run's change-set name unique. @default 6 random hex digits */
  readonly runId?: string;
}

function createClients(region: string): BootstrapClients {
  const config = engine().clientConfig(region);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { CloudFormationClient } = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const { IAMClient } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const deadline = engine().callDeadlineOf();
  return {
    cloudFormation: engine().boundCalls(new CloudFormationClient(config), deadline),
    iam: engine().boundCalls(new IAMClient(config), deadline),
  };
}

/** `Name=value` arguments as template parameters. */
export function parseParameterArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(a);
    if (!m) throw new (engine().DeployInputError)([`"${a}" is not a Name=value template parameter, e.g. GitHubOwnerId=123456.`]);
    out[m[1]] = m[2];
  }
  return out;
}

/** The report: what changed (or would), then the stage options to paste. */
export function renderBootstrapResult(r: BootstrapResult, stageName: string): string {
  const lines: string[] = [];
  const what = {
    'unchanged': `${r.stackName} is up to date (the change set had no changes).`,
    'created': `${r.stackName} created.`,
    'updated': `${r.stackName} updated.`,
    'will-create': `${r.stackName} would be created (preview: nothing was changed).`,
    'will-update': `${r.stackName} would be updated (preview: nothing was changed).`,
  }[r.outcome];
  lines.push(what);
  if (r.outcome.startsWith('will-')) {
    for (const c of r.changes) lines.push(`  ${c.action.padEnd(7)} ${c.logicalId} (${c.type})${c.replacement === 'yes' ? ' REPLACED' : ''}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  const options = engine().stageOptionsFromOutputs(r.outputs);
  if (Object.keys(options).length) {
    lines.push('', `Stage options for "${stageName}" in .projenrc.ts (then run "npx projen"):`);
    for (const [k, v] of Object.entries(options)) lines.push(`  ${k}: '${v}',`);
  }
  if (r.outputs[BOOTSTRAP_OUTPUTS.operatorRoleArn]) {
    lines.push('', `Operators assume ${r.outputs[BOOTSTRAP_OUTPUTS.operatorRoleArn]} to run batchform run, backfill, redrive, status and logs.`);
  }
  if (!Object.keys(options).length && r.outcome === 'will-create') {
    lines.push('', 'Run without --preview to create it; it then prints the stage options to paste into .projenrc.ts.');
  }
  return lines.join('\n');
}

/**
 * Runs `bootstrap` and returns the exit code (see {@link EXIT_CODES}): 2 for a bad stage,
 * template, parameter or the wrong account; 1 when the change set or its execution failed; 3 when
 * AWS could not be reached; 4 when AWS answered with an error.
 */
export async function runBootstrapCommand(opts: BootstrapCommandOptions, args: readonly string[], deps: BootstrapCommandDeps = {}): Promise<number> {
  const { out, err, projectDir, callerAccount } = resolveIo(deps);
  const fail = (message: string, code: number): number => {
    err(`batchform bootstrap: ${message}`);
    return code;
  };
  let stage;
  let templateBody;
  let parameters;
  try {
    const manifestFile = path.resolve(projectDir, opts.manifest);
    const manifest = engine().readDeployManifest(manifestFile);
    if (!opts.stage) return fail(`--stage is required; ${knownStages(manifestFile)}.`, EXIT_CODES['bad-input']);
    stage = engine().findStage(manifest, opts.stage, opts.manifest);
    const templateFile = path.resolve(projectDir, opts.template);
    if (!fs.existsSync(templateFile)) throw new (engine().DeployInputError)([`bootstrap template ${opts.template} not found; run "npx projen" to generate it.`]);
    templateBody = fs.readFileSync(templateFile, 'utf8');
    // An administrator runs this template: it must be the one "npx projen" generated and recorded.
    const { hashes, shown } = engine().templateCheck(projectDir, opts.template);
    const tampered = typeof hashes === 'string' ? hashes : engine().templateHashProblem(hashes, shown, BOOTSTRAP_STACK_ID, opts.template, sha256Hex(templateBody));
    if (tampered) throw new (engine().DeployInputError)([`bootstrap ${tampered}`]);
    parameters = parseParameterArgs(args);
  } catch (e) {
    if (outcomeOf(e) === 'bad-input') return fail(describeFailure(e), EXIT_CODES['bad-input']);
    throw e;
  }

  try {
    const account = await callerAccount(stage.region);
    const wrong = engine().wrongAccount(account, stage, 'an administrator of that account');
    if (wrong) return fail(wrong, EXIT_CODES['bad-input']);
    const result = await engine().bootstrapStage(stage, {
      clients: (deps.createClients ?? createClients)(stage.region),
      templateBody,
      preview: opts.preview ?? false,
      parameters,
      waits: deps.waits,
      now: deps.now,
      runId: deps.runId,
      log: err,
    });
    out(renderBootstrapResult(result, stage.name));
    return EXIT_CODES.ok;
  } catch (e) {
    const events = e instanceof engine().ExecutionError ? e.events.map((ev) => `\n  ${ev.logicalId} (${ev.type}) ${ev.status}: ${ev.reason}`).join('') : '';
    return fail(`${describeFailure(e)}${events}`, exitCodeFor(e));
  }
}

/** Adds `bootstrap` to the program. */
export function registerBootstrapCommand(program: Command, deps: BootstrapCommandDeps = {}): void {
  program.command('bootstrap')
    .description('create or update a stage\'s one-time bootstrap stack (GitHub OIDC trust, artifact bucket, roles) with administrator credentials, and print the stage options')
    .argument('[parameters...]', 'more template parameters as Name=value, e.g. GitHubOwnerId=123 GitHubRepositoryId=456')
    .option('--stage <stage>', 'the stage, as named in .projenrc.ts (required)')
    .option('--preview', 'create, describe and delete the change set; change nothing')
    .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
    .option('--template <file>', 'the generated bootstrap template', `${DEFAULT_OUTDIR}/${BOOTSTRAP_TEMPLATE_FILE}`)
    .addHelpText('after', `\n${EXIT_HELP}`)
    .action(async (args: string[], opts: BootstrapCommandOptions) => {
      process.exitCode = await runBootstrapCommand(opts, args, deps);
    });
}
