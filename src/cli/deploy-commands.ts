// CLI commands that preview or deploy one stage's stacks through CloudFormation change sets.
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { DEFAULT_BUNDLES_PATH } from '../bundle/package';
import { DEFAULT_MANIFEST_PATH } from '../manifest/manifest';
import { MAX_COMMENT_LENGTH } from '../workflows/sticky-comment';
import {
  callerAccount,
  createDeployClients,
  DEFAULT_CONCURRENCY,
  DeployClients,
  DeployInputError,
  DeployMode,
  deployStage,
  DeployWaits,
  loadDeployInputs,
  readDeployManifest,
  renderFatalMarkdown,
  renderMarkdownReport,
  renderTextReport,
  shortRevision,
  wrongAccount,
} from '../deploy';

/** Longest `--report` file: a GitHub comment's limit, less room for the marker and footer the workflow adds. */
export const REPORT_FILE_LENGTH = MAX_COMMENT_LENGTH - 1_000;

/** Exit codes of `preview` and `deploy`. */
export const DEPLOY_EXIT = {
  /** Every stack succeeded (unchanged included). */
  ok: 0,
  /** At least one stack failed, or the stacks could not be listed. */
  failed: 1,
  /** Bad input: unknown stage, missing manifest / bundles / zip, bad option value. */
  badInput: 2,
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
}

/** What the commands reach outside themselves; tests replace these. */
export interface DeployCommandDeps {
  /**
   * Clients for the stage's region.
   * @default createDeployClients (SDK default credential chain, adaptive retries)
   */
  readonly createClients?: (region: string) => DeployClients;
  /**
   * The account the credentials belong to; checked against the stage's before any stack is touched.
   * @default STS GetCallerIdentity in the stage's region
   */
  readonly callerAccount?: (region: string) => Promise<string>;
  /**
   * Environment: `GITHUB_SHA` names change sets, `GITHUB_STEP_SUMMARY` receives the Markdown report.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where the text report goes.
   * @default stdout
   */
  readonly out?: (text: string) => void;
  /**
   * Where progress and errors go.
   * @default stderr
   */
  readonly err?: (text: string) => void;
  /**
   * Paths in the options are relative to this.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default DEFAULT_WAITS */
  readonly waits?: DeployWaits;
}

function knownStages(manifestFile: string): string {
  try {
    const names = readDeployManifest(manifestFile).stages.map((s) => s.name);
    return names.length ? `its stages are: ${names.join(', ')}` : 'it declares no stages';
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Runs `preview` or `deploy` and returns the exit code (see {@link DEPLOY_EXIT}); prints the
 * text report, writes the Markdown one to `--report` and appends it to `$GITHUB_STEP_SUMMARY`.
 */
export async function runDeployCommand(mode: DeployMode, opts: DeployCommandOptions, deps: DeployCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`));
  const err = deps.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const projectDir = deps.projectDir ?? process.cwd();
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
  let inputs;
  try {
    inputs = loadDeployInputs({ stage: opts.stage, manifestFile: opts.manifest, bundlesFile: opts.bundles, projectDir });
  } catch (e) {
    if (e instanceof DeployInputError) return fail(e.message);
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

  const clients = (deps.createClients ?? createDeployClients)(inputs.stage.region);
  try {
    // Credentials for another account would create every stack there, or fail in confusing ways.
    const account = await (deps.callerAccount ?? callerAccount)(inputs.stage.region);
    const message = wrongAccount(account, inputs.stage, `the stage's ${mode === 'preview' ? 'previewRoleArn' : 'deployRoleArn'}`);
    if (message) {
      err(`batchform ${mode}: ${message}`);
      publish(renderFatalMarkdown(mode, inputs.stage.name, message));
      return DEPLOY_EXIT.badInput;
    }
    const result = await deployStage(inputs, {
      mode,
      clients,
      concurrency: Number(opts.concurrency),
      revision: shortRevision(env),
      now: deps.now,
      waits: deps.waits,
      force: opts.force,
      log: err,
    });
    out(renderTextReport(result));
    publish(renderMarkdownReport(result), renderMarkdownReport(result, { maxLength: REPORT_FILE_LENGTH, fullReport: 'the job summary of this run' }));
    return result.ok ? DEPLOY_EXIT.ok : DEPLOY_EXIT.failed;
  } catch (e) {
    const message = (e as Error).message;
    err(`batchform ${mode}: ${message}`);
    publish(renderFatalMarkdown(mode, inputs.stage.name, message));
    return DEPLOY_EXIT.failed;
  }
}

/** Adds `preview` and `deploy` to the program. */
export function registerDeployCommands(program: Command, deps: DeployCommandDeps = {}): void {
  const descriptions: Record<DeployMode, string> = {
    preview: 'create a change set per changed stack of a stage, describe it, then delete it; uploads nothing and executes nothing',
    deploy: 'upload the code zips, then create and execute a change set per changed stack of a stage, in parallel',
  };
  for (const mode of ['preview', 'deploy'] as const) {
    program.command(mode)
      .description(descriptions[mode])
      .option('--stage <stage>', 'the stage, as named in .projenrc.ts (required)')
      .option('--manifest <file>', 'the generated manifest', DEFAULT_MANIFEST_PATH)
      .option('--bundles <file>', 'the list of packaged zips', DEFAULT_BUNDLES_PATH)
      .option('--concurrency <n>', 'stacks handled at once', String(DEFAULT_CONCURRENCY))
      .option('--report <file>', 'also write the Markdown report to this file')
      .option('--force', 'create change sets even for stacks whose fingerprint matches (e.g. to undo console edits)')
      .addHelpText('after', '\nExit codes: 0 every stack succeeded or was unchanged; 1 a stack failed; 2 bad input.')
      .action(async (opts: DeployCommandOptions) => {
        process.exitCode = await runDeployCommand(mode, opts, deps);
      });
  }
}
