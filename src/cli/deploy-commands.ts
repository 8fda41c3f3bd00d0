// CLI commands that preview or deploy one stage's stacks through CloudFormation change sets.
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { describeFailure, EXIT_CODES, EXIT_HELP, outcomeOf, reportFailure } from './exit-codes';
import { CommandIo, engine, knownStages, resolveIo } from './io';
import { DEFAULT_BUNDLES_PATH } from '../bundle/paths';
import type { DeployClients, DeployMode, Sleep } from '../deploy';
import { DEFAULT_CONCURRENCY, DRIFT_DETECTION_DEFAULTS } from '../deploy/defaults';
import { DEFAULT_MANIFEST_PATH } from '../manifest/manifest';
import { cfnResourceTypes, describeResourceTypeProblem, resourceTypeProblems } from '../validate/resource-types';
import { MAX_COMMENT_LENGTH } from '../workflows/sticky-comment';


/** Longest `--report` file: a GitHub comment's limit, less room for the marker and footer the workflow adds. */
export const REPORT_FILE_LENGTH = MAX_COMMENT_LENGTH - 1_000;

/** Exit codes of `preview` and `deploy`, named as before: a view of {@link EXIT_CODES}, which has every code. */
export const DEPLOY_EXIT = {
  /** Every stack succeeded (unchanged included). */
  ok: EXIT_CODES.ok,
  /** At least one stack failed. */
  failed: EXIT_CODES['run-failed'],
  /** Bad input: unknown stage, missing manifest / bundles / zip, bad option value. */
  badInput: EXIT_CODES['bad-input'],
} as const;

/** The options `preview` and `deploy` take, as commander parses them. */
export interface DeployCommandOptions {
  readonly stage?: string;
  readonly manifest: string;
  readonly bundles: string;
  /** A positive whole number, as typed. */
  readonly concurrency: string;
  readonly report?: string;
  readonly force?: boolean;
  /** Comma-separated resource types a deploy must not replace. */
  readonly refuseReplacement?: string;
  /** Deploy: delete the stacks of batches no longer declared (`--allow-removal`). */
  readonly allowRemoval?: boolean;
  /** Preview: `false` from `--no-drift` skips drift detection. */
  readonly drift?: boolean;
  /** Preview: seconds to wait for each stack's drift detection, as typed. */
  readonly driftWait?: string;
  /** `false` from `--no-concurrency-check` skips the account's Lambda concurrency check. */
  readonly concurrencyCheck?: boolean;
}

/** What the commands reach outside themselves; tests replace these. */
export interface DeployCommandDeps extends CommandIo {
  /**
   * Clients for the stage's region.
   * @default createDeployClients (SDK default credential chain, adaptive retries)
   */
  readonly createClients?: (region: string) => DeployClients;
  /**
   * Environment: `GITHUB_SHA` names change sets, `GITHUB_STEP_SUMMARY` receives the Markdown report.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How the preview pauses between drift-detection polls.
   * @default setTimeout
   */
  readonly sleep?: Sleep;
  /**
   * Makes this run's change-set names unique (see `DeployStageOptions.runId`).
   * @default 6 random hex digits
   */
  readonly runId?: string;
}

/**
 * Runs `preview` or `deploy` and returns the exit code (see {@link DEPLOY_EXIT}); prints the
 * text report, writes the Markdown one to `--report` and appends it to `$GITHUB_STEP_SUMMARY`.
 */
export async function runDeployCommand(mode: DeployMode, opts: DeployCommandOptions, deps: DeployCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const { out, err, projectDir, callerAccount } = resolveIo(deps);
  const fail = (message: string): number => {
    err(`batchform ${mode}: ${message}`);
    return DEPLOY_EXIT.badInput;
  };

  if (!opts.stage) {
    return fail(`--stage is required; ${knownStages(path.resolve(projectDir, opts.manifest))}.`);
  }
  if (!/^\d+$/.test(opts.concurrency) || Number(opts.concurrency) < 1) {
    return fail(`--concurrency "${opts.concurrency}" is not a positive whole number; use e.g. --concurrency ${DEFAULT_CONCURRENCY}.`);
  }
  const refuseReplacement = opts.refuseReplacement?.split(',').map((t) => t.trim()).filter(Boolean);
  const [badType] = refuseReplacement === undefined ? [] : resourceTypeProblems(refuseReplacement, cfnResourceTypes());
  if (badType !== undefined) {
    return fail(`--refuse-replacement ${describeResourceTypeProblem(badType)}; use e.g. --refuse-replacement AWS::Logs::LogGroup,AWS::SQS::Queue.`);
  }
  if (opts.driftWait !== undefined && !(/^\d+(\.\d+)?$/.test(opts.driftWait) && Number(opts.driftWait) > 0)) {
    return fail(`--drift-wait "${opts.driftWait}" is not a positive number of seconds; use e.g. --drift-wait ${DRIFT_DETECTION_DEFAULTS.maxWaitTime}, or --no-drift to skip drift detection.`);
  }
  let inputs;
  try {
    inputs = engine().loadDeployInputs({ stage: opts.stage, manifestFile: opts.manifest, bundlesFile: opts.bundles, projectDir });
  } catch (e) {
    if (outcomeOf(e) === 'bad-input') return fail(describeFailure(e));
    throw e;
  }

  // The --report file becomes the pull-request comment, so it is kept within a comment's size;
  // the job summary always gets the whole report.
  const publish = (markdown: string, fitted = markdown) => {
    if (opts.report) {
      const file = path.resolve(projectDir, opts.report);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, fitted);
    }
    if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  };

  const clients = (deps.createClients ?? engine().createDeployClients)(inputs.stage.region);
  try {
    // Credentials for another account would create every stack there, or fail in confusing ways.
    const account = await callerAccount(inputs.stage.region);
    const message = engine().wrongAccount(account, inputs.stage, `the stage's ${mode === 'preview' ? 'previewRoleArn' : 'deployRoleArn'}`);
    if (message) {
      err(`batchform ${mode}: ${message}`);
      publish(engine().renderFatalMarkdown(mode, inputs.stage.name, message));
      return DEPLOY_EXIT.badInput;
    }
    const result = await engine().deployStage(inputs, {
      mode,
      clients,
      concurrency: Number(opts.concurrency),
      revision: engine().shortRevision(env),
      runId: deps.runId,
      now: deps.now,
      waits: deps.waits,
      force: opts.force,
      refuseReplacement,
      concurrencyCheck: opts.concurrencyCheck !== false,
      allowRemoval: mode === 'deploy' && opts.allowRemoval === true,
      drift: opts.drift === false ? false : { maxWaitTime: opts.driftWait === undefined ? undefined : Number(opts.driftWait) },
      sleep: deps.sleep,
      log: err,
    });
    out(engine().renderTextReport(result));
    const full = engine().renderMarkdownReport(result);
    // Rendered again, shortened, only when the whole report does not fit the comment.
    publish(full, full.length <= REPORT_FILE_LENGTH ? full : engine().renderMarkdownReport(result, { maxLength: REPORT_FILE_LENGTH, fullReport: 'the job summary of this run' }));
    if (result.ok) return EXIT_CODES.ok;
    // A failed stack is a failed run, unless its code zip in S3 is not what batchform wrote.
    return result.stacks.some((s) => s.errorKind === 'integrity') ? EXIT_CODES.integrity : EXIT_CODES['run-failed'];
  } catch (e) {
    publish(engine().renderFatalMarkdown(mode, inputs.stage.name, describeFailure(e)));
    return reportFailure(mode, err, e);
  }
}

/** Adds `preview` and `deploy` to the program. */
export function registerDeployCommands(program: Command, deps: DeployCommandDeps = {}): void {
  const descriptions: Record<DeployMode, string> = {
    preview: 'create a change set per changed stack of a stage, describe it, then delete it; uploads nothing and executes nothing',
    deploy: 'upload the code zips, then create and execute a change set per changed stack of a stage, in parallel',
  };
  for (const mode of ['preview', 'deploy'] as const) {
    const command = program.command(mode)
      .description(descriptions[mode])
      .option('--stage <stage>', 'the stage, as named in .projenrc.ts (required)')
      .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
      .option('--bundles <file>', 'the list of packaged zips', DEFAULT_BUNDLES_PATH)
      .option('--concurrency <n>', 'stacks handled at once', String(DEFAULT_CONCURRENCY))
      .option('--report <file>', 'also write the Markdown report to this file')
      .option('--force', 'create change sets even for stacks whose fingerprint matches (e.g. to undo console edits)')
      .option('--no-concurrency-check', 'skip the check (lambda:GetAccountSettings) that new stacks can reserve their Lambda concurrency');
    if (mode === 'preview') {
      command
        .option('--no-drift', 'skip drift detection (which asks CloudFormation what was changed outside it in each changed live stack)')
        .option('--drift-wait <seconds>', `seconds to wait for each stack's drift detection before reporting it unchecked (default ${DRIFT_DETECTION_DEFAULTS.maxWaitTime})`);
    }
    if (mode === 'deploy') {
      command.option('--refuse-replacement <types>', 'comma-separated resource types never to replace, e.g. AWS::Logs::LogGroup,AWS::SQS::Queue: such a stack fails before execution');
      command.option('--allow-removal', 'delete the stacks of batches no longer declared (removed or renamed), once every other stack succeeded; without it such a deploy deploys nothing and exits 2');
    }
    command
      .addHelpText('after', `\n${EXIT_HELP}`)
      .action(async (opts: DeployCommandOptions) => {
        process.exitCode = await runDeployCommand(mode, opts, deps);
      });
  }
}
