// What one step reads and writes while it runs, as the runner handles it: the per-step file command files, the
// processes it starts (each in its own process group, killable on timeout), the workflow commands in their output,
// and a core-like API for the in-process action stand-ins that goes through the same files and commands.
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Annotation } from './commands.ts';
import { formatWorkflowCommand, maskLine, parseKeyValueFile, parsePathFile, parseWorkflowCommand, REGISTERED_COMMANDS } from './commands.ts';

/** What a job keeps across its steps. */
export interface JobState {
  readonly workspace: string;
  readonly annotations: Annotation[];
  /** Values masked in every later output line (secrets, the token, ::add-mask::). */
  readonly masks: Set<string>;
  /** Env exported by GITHUB_ENV for later steps. */
  readonly exportedEnv: Record<string, string>;
  /** Directories from GITHUB_PATH, last added first on PATH. */
  readonly prependPath: string[];
  summary: string;
  /** ::stop-commands:: token while command processing is paused. */
  stopToken?: string;
  /** Process groups started by the job's steps, killed when the job ends (the runner's orphan cleanup). */
  readonly processGroups: Set<number>;
}

/** How a process run ended. */
export interface ProcessEnd {
  readonly exitCode: number | null;
  /** The process could not be started (the message is already an error annotation). */
  readonly startError?: string;
}

const SUMMARY_LIMIT = 1024 * 1024;

/** The I/O of one step. */
export class StepIO {
  readonly files: { readonly output: string; readonly env: string; readonly path: string; readonly summary: string; readonly state: string };
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly outputs: Record<string, string> = {};
  /** A workflow or file command failed, which fails the step (the runner's CommandResult). */
  commandFailed = false;
  /** Why the step was stopped, if it was. */
  cancelled?: 'step-timeout' | 'job-timeout';
  private readonly running = new Set<number>();

  constructor(readonly stepId: string, readonly job: JobState, fileCommandDir: string) {
    fs.mkdirSync(fileCommandDir, { recursive: true });
    const suffix = crypto.randomUUID();
    const file = (prefix: string) => {
      const p = path.join(fileCommandDir, `${prefix}${suffix}`);
      fs.writeFileSync(p, '');
      return p;
    };
    this.files = { output: file('set_output_'), env: file('set_env_'), path: file('add_path_'), summary: file('step_summary_'), state: file('save_state_') };
  }

  /** Handles one line a process (or a stand-in) printed: masks it, records it, processes a workflow command in it. */
  line(stream: 'stdout' | 'stderr', text: string): void {
    const command = this.job.stopToken
      ? parseWorkflowCommand(text, new Set([this.job.stopToken]))
      : parseWorkflowCommand(text, REGISTERED_COMMANDS);
    if (command?.command === 'add-mask') {
      for (const value of [command.data, ...command.data.split(/\r?\n/)]) if (value.trim()) this.job.masks.add(value);
      (stream === 'stdout' ? this.stdout : this.stderr).push('::add-mask::***');
      return;
    }
    (stream === 'stdout' ? this.stdout : this.stderr).push(maskLine(text, this.job.masks));
    if (!command) return;
    if (this.job.stopToken) {
      if (command.command === this.job.stopToken.toLowerCase()) this.job.stopToken = undefined;
      return;
    }
    const annotate = (level: Annotation['level']) => {
      const p = command.properties;
      const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
      let file = p.file;
      if (file) {
        const rel = path.relative(this.job.workspace, path.resolve(this.job.workspace, file));
        if (!rel.startsWith('..') && !path.isAbsolute(rel)) file = rel;
      }
      const annotation: Annotation = {
        level,
        message: maskLine(command.data, this.job.masks),
        ...(file ? { file } : {}),
        ...(num(p.line ?? p.endLine) !== undefined ? { line: num(p.line ?? p.endLine) } : {}),
        ...(num(p.endLine) !== undefined ? { endLine: num(p.endLine) } : {}),
        ...(num(p.col ?? p.endColumn) !== undefined && num(p.line ?? p.endLine) !== undefined ? { col: num(p.col ?? p.endColumn) } : {}),
        ...(num(p.endColumn) !== undefined && num(p.line ?? p.endLine) !== undefined ? { endColumn: num(p.endColumn) } : {}),
        ...(p.title ? { title: maskLine(p.title, this.job.masks) } : {}),
        step: this.stepId,
      };
      this.job.annotations.push(annotation);
    };
    switch (command.command) {
      case 'error': return annotate('error');
      case 'warning': return annotate('warning');
      case 'notice': return annotate('notice');
      case 'stop-commands':
        if (!command.data || REGISTERED_COMMANDS.has(command.data.toLowerCase()) || command.data.toLowerCase() === 'pause-logging') {
          this.fail(`Unable to process command '${text}' successfully. The stop-commands token must not be empty or a command name.`);
          return;
        }
        this.job.stopToken = command.data;
        if (command.data.length > 6) this.job.masks.add(command.data);
        return;
      case 'set-output': {
        const name = command.properties.name;
        if (!name) return this.fail(`Unable to process command '${text}' successfully. Required field 'name' is missing in ##[set-output] command.`);
        this.job.annotations.push({ level: 'warning', message: 'The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/', step: this.stepId });
        this.outputs[name] = command.data;
        return;
      }
      case 'save-state':
        this.job.annotations.push({ level: 'warning', message: 'The `save-state` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/', step: this.stepId });
        return;
      case 'set-env':
      case 'add-path':
        return this.fail(`Unable to process command '${text}' successfully. The \`${command.command}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`);
      default:
        return; // debug, group, endgroup, echo, add-matcher, remove-matcher: logging only here
    }
  }

  /** Records an error annotation and fails the step. */
  fail(message: string): void {
    this.job.annotations.push({ level: 'error', message: maskLine(message, this.job.masks), step: this.stepId });
    this.commandFailed = true;
  }

  /** Runs a process as a step's: own process group, output through `line`, stopped by `cancel`. */
  runProcess(file: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<ProcessEnd> {
    if (!fs.existsSync(options.cwd) || !fs.statSync(options.cwd).isDirectory()) {
      const message = `An error occurred trying to start process '${file}' with working directory '${options.cwd}'. No such file or directory`;
      this.job.annotations.push({ level: 'error', message, step: this.stepId });
      return Promise.resolve({ exitCode: null, startError: message });
    }
    return new Promise((resolve) => {
      const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let settled = false;
      child.on('error', (e) => {
        if (settled) return;
        settled = true;
        const message = `An error occurred trying to start process '${file}' with working directory '${options.cwd}'. ${e.message}`;
        this.job.annotations.push({ level: 'error', message, step: this.stepId });
        resolve({ exitCode: null, startError: message });
      });
      if (child.pid === undefined) return;
      const pid = child.pid;
      this.running.add(pid);
      this.job.processGroups.add(pid);
      const pending = { stdout: '', stderr: '' };
      const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        const text = pending[stream] + chunk.toString('utf8');
        const lines = text.split('\n');
        pending[stream] = lines.pop() ?? '';
        for (const l of lines) this.line(stream, l.replace(/\r$/, ''));
      };
      child.stdout.on('data', feed('stdout'));
      child.stderr.on('data', feed('stderr'));
      let openStreams = 2;
      let exitCode: number | null | undefined;
      const finish = () => {
        if (settled || exitCode === undefined) return;
        settled = true;
        for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) this.line(stream, pending[stream]);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ exitCode });
      };
      const ended = () => {
        openStreams--;
        if (openStreams === 0) finish();
      };
      child.stdout.once('end', ended);
      child.stderr.once('end', ended);
      child.on('exit', (code) => {
        this.running.delete(pid);
        exitCode = code;
        if (openStreams === 0) finish();
        // Background processes may keep the pipes open: read what is there, then stop waiting (the runner does too).
        else setTimeout(finish, 200);
      });
    });
  }

  /** Stops the step's running processes: SIGINT to the group, SIGKILL 2.5 s later (the runner's escalation, shortened). */
  cancel(reason: 'step-timeout' | 'job-timeout'): void {
    this.cancelled = this.cancelled ?? reason;
    for (const pid of this.running) {
      signalGroup(pid, 'SIGINT');
      setTimeout(() => signalGroup(pid, 'SIGKILL'), 2500).unref();
    }
  }

  // The @actions/core calls the stand-ins make, through the same channels a real action's would.

  info(message: string): void {
    for (const l of message.split('\n')) this.line('stdout', l);
  }

  annotation(level: 'error' | 'warning' | 'notice', message: string, properties: Record<string, string | number | undefined> = {}): void {
    this.line('stdout', formatWorkflowCommand(level, properties, message));
  }

  /** core.setFailed: an error annotation; the caller returns exit code 1. */
  setFailed(message: string): void {
    this.annotation('error', message);
  }

  setSecret(value: string): void {
    this.line('stdout', formatWorkflowCommand('add-mask', {}, value));
  }

  setOutput(name: string, value: string): void {
    fs.appendFileSync(this.files.output, keyValueEntry(name, value));
  }

  exportVariable(name: string, value: string): void {
    fs.appendFileSync(this.files.env, keyValueEntry(name, value));
  }

  addPath(dir: string): void {
    fs.appendFileSync(this.files.path, `${dir}\n`);
  }

  /**
   * After the step: processes the file commands (even when the step failed, as the runner does) into the job state
   * and this step's outputs; a malformed file fails the step with the runner's message.
   */
  processFileCommands(): void {
    const guarded = (name: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        this.fail(`Unable to process file command '${name}' successfully.`);
        this.fail((e as Error).message);
      }
    };
    guarded('env', () => {
      for (const [k, v] of parseKeyValueFile(fs.readFileSync(this.files.env, 'utf8'))) {
        if (k.toUpperCase() === 'NODE_OPTIONS') {
          this.job.annotations.push({ level: 'error', message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.", step: this.stepId });
          continue;
        }
        this.job.exportedEnv[k] = v;
      }
    });
    guarded('path', () => {
      for (const dir of parsePathFile(fs.readFileSync(this.files.path, 'utf8'))) {
        const i = this.job.prependPath.indexOf(dir);
        if (i >= 0) this.job.prependPath.splice(i, 1);
        this.job.prependPath.push(dir);
      }
    });
    guarded('output', () => {
      for (const [k, v] of parseKeyValueFile(fs.readFileSync(this.files.output, 'utf8'))) this.outputs[k] = v;
    });
    guarded('step_summary', () => {
      const size = fs.statSync(this.files.summary).size;
      if (size > SUMMARY_LIMIT) {
        this.job.annotations.push({ level: 'error', message: `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ${SUMMARY_LIMIT / 1024}k, got ${Math.floor(size / 1024)}k. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary`, step: this.stepId });
      } else if (size > 0) {
        this.job.summary += fs.readFileSync(this.files.summary, 'utf8').split('\n').map((l) => maskLine(l, this.job.masks)).join('\n');
      }
    });
  }
}

/** A `NAME<<delimiter` entry, as @actions/core writes file commands (a random delimiter). */
function keyValueEntry(name: string, value: string): string {
  const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Sends a signal to a process group the harness started; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
