// Declaration problems where a pull request's author looks on GitHub: annotations on .projenrc.ts, the job summary, and a file for the preview's comment.
import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, Problem } from '../validate/problem';
import { PROBLEMS_FILE_ENV } from '../workflows/batchform-workflow';

/** One problem as the build hands it on (the problems file is a JSON array of these). */
export interface LocatedProblem extends Problem {
  /** The problem on one line, as `npx projen` prints it. */
  readonly text: string;
  /** The file it is declared in, relative to the project root. */
  readonly file: string;
  /** The 1-based line of the field (or of the batch or stage) in that file, when it can be found. */
  readonly line?: number;
}

/** The `.projenrc` files projen runs, in the order it looks for them. */
const PROJENRC_FILES = ['.projenrc.ts', '.projenrc.js', '.projenrc.mjs', '.projenrc.cjs', '.projenrc.json'];

/** The project's `.projenrc` file, relative to `projectDir` (`.projenrc.ts` when none is found). */
export function projenrcFile(projectDir: string): string {
  return PROJENRC_FILES.find((f) => fs.existsSync(path.join(projectDir, f))) ?? PROJENRC_FILES[0];
}

/** `text` matched literally inside a regular expression. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const quoted = (name: string): RegExp => new RegExp(`\\bname\\s*:\\s*(['"\`])${literal(name)}\\1`);
const ANY_NAME = /\bname\s*:\s*['"`]/;

/**
 * The 1-based line of a problem in the declaring source: the line of its field inside the object
 * that names its batch or stage (`name: 'daily-stats'`), else the line of that name, else
 * undefined (a declaration built by code, not written out).
 */
export function locateProblem(source: string, problem: Pick<Problem, 'subject' | 'field'>): number | undefined {
  const subject = /^(?:batch|stage) "(.+)"$/.exec(problem.subject);
  if (!subject) return undefined;
  const lines = source.split('\n');
  const start = lines.findIndex((l) => quoted(subject[1]).test(l));
  if (start < 0) return undefined;
  // The last part of a nested field (`durable.executionTimeout`, `overrides.prod.schedule`).
  const key = problem.field.split(/[.[\]]/).filter(Boolean).pop() ?? problem.field;
  const field = new RegExp(`(^|[\\s{,])['"]?${literal(key)}['"]?\\s*:`);
  for (let i = start; i < lines.length; i++) {
    if (i > start && ANY_NAME.test(lines[i])) break;
    if (field.test(lines[i])) return i + 1;
  }
  return start + 1;
}

/** The problems with their file and line in `projectDir`'s `.projenrc`. */
export function locateProblems(problems: readonly Problem[], projectDir: string): LocatedProblem[] {
  const file = projenrcFile(projectDir);
  let source = '';
  try {
    source = fs.readFileSync(path.join(projectDir, file), 'utf8');
  } catch {
    // No readable .projenrc (a program that synthesizes a project): problems without a line.
  }
  return problems.map((p) => ({ ...p, text: formatProblem(p), file, line: locateProblem(source, p) }));
}

/** A workflow command's message, escaped as the runner unescapes it. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value, escaped as the runner unescapes it. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error` workflow command per problem, annotating the field's line in `.projenrc`. */
export function problemAnnotations(problems: readonly LocatedProblem[]): string[] {
  return problems.map((p) => {
    const where = [`file=${escapeProperty(p.file)}`, ...(p.line ? [`line=${p.line}`] : []), `title=${escapeProperty(`batchform: ${p.subject}, field "${p.field}"`)}`];
    return `::error ${where.join(',')}::${escapeData(`${p.message} Fix: ${p.fix}`)}`;
  });
}

/** The job summary's section: every problem, where it is, and its fix. */
export function problemsSummary(problems: readonly LocatedProblem[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `### batchform: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the batch declarations`,
    '',
    '| Where | Field | Problem | Fix |',
    '|---|---|---|---|',
    ...problems.map((p) => `| ${cell(p.subject)} (${cell(p.file)}${p.line ? `:${p.line}` : ''}) | \`${cell(p.field)}\` | ${cell(p.message)} | ${cell(p.fix)} |`),
    '',
  ].join('\n');
}

/**
 * In a GitHub Actions job (`GITHUB_ACTIONS=true`), reports declaration problems where the author
 * looks: an annotation per problem on stdout, the list in `$GITHUB_STEP_SUMMARY`, and the list as
 * JSON in `$BATCHFORM_PROBLEMS_FILE` when the workflow sets it (the preview's comment counts them).
 * Synchronous: it runs just before the process exits. Does nothing outside GitHub Actions.
 */
export function reportProblemsToGitHub(
  problems: readonly Problem[],
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
  stdout: (text: string) => void = (text) => fs.writeSync(1, text),
): void {
  if (env.GITHUB_ACTIONS !== 'true') return;
  const located = locateProblems(problems, projectDir);
  stdout(`${problemAnnotations(located).join('\n')}\n`);
  if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, problemsSummary(located));
  const file = env[PROBLEMS_FILE_ENV];
  if (file) fs.writeFileSync(file, `${JSON.stringify(located, undefined, 2)}\n`);
}
