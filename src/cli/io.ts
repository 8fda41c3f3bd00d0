// What the AWS commands (preview, deploy, bootstrap) reach outside themselves, with the defaults a terminal gets; tests replace them.
import { Command, CommanderError } from 'commander';
import { describeFailure, exitCodeFor } from './exit-codes';
import type { DeployWaits } from '../deploy';

/** The deploy engine (and the AWS SDK), loaded when a command first needs it, not at CLI start; shared by every AWS command. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const engine = (): typeof import('../deploy') => require('../deploy') as typeof import('../deploy');

/** Outputs, paths, clock and credentials check shared by the AWS commands. */
export interface CommandIo {
  /**
   * The account the credentials belong to; checked against the stage's before any stack is touched.
   * @default STS GetCallerIdentity in the stage's region
   */
  readonly callerAccount?: (region: string) => Promise<string>;
  /**
   * Where the report goes.
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

/** {@link CommandIo} with its defaults filled in (the clock and waits stay optional: the engine defaults them). */
export function resolveIo(io: CommandIo) {
  return {
    out: io.out ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`)),
    err: io.err ?? ((t: string) => process.stderr.write(`${t}\n`)),
    projectDir: io.projectDir ?? process.cwd(),
    callerAccount: io.callerAccount ?? engine().callerAccount,
  };
}

/** "its stages are: a, b" for a `--stage is required` message, or why the manifest could not be read. */
export function knownStages(manifestFile: string): string {
  try {
    const names = engine().readDeployManifest(manifestFile).stages.map((s) => s.name);
    return names.length ? `its stages are: ${names.join(', ')}` : 'it declares no stages';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Makes the parser throw instead of exiting, in `command` and every subcommand, so its usage errors get the bad-input code. */
function throwOnParseErrors(command: Command): void {
  command.exitOverride();
  command.commands.forEach(throwOnParseErrors);
}

/**
 * Runs a CLI program with `argv` (as in process.argv) and sets the exit code of what it threw (see
 * `EXIT_CODES`): a usage error (unknown command or option, a bad option value) is bad input, which
 * the parser has already printed; any other error prints one line.
 */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  throwOnParseErrors(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) console.error(`batchform: ${describeFailure(e)}`);
    process.exitCode = exitCodeFor(e);
  }
}
