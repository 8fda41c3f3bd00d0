// Evaluates workflow expressions and template tokens with GitHub's own parser and evaluator
// (@actions/expressions, @actions/workflow-parser), adding the status functions and hashFiles the runner provides.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';

/** The names a workflow expression may use. */
export const CONTEXT_NAMES = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];

/** What the status functions answer where the expression is evaluated (a job's `if` or a step's). */
export interface StatusFunctions {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
  /** hashFiles(...patterns) relative to GITHUB_WORKSPACE; undefined where the runner has no workspace (job `if`). */
  hashFiles?(patterns: string[]): string;
}

/** Plain JSON-like context values by context name. */
export type Contexts = Record<string, unknown>;

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

function fromData(value: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(value, data.replacer) ?? 'null');
}

/** Evaluates one expression (without `${{ }}`) to a plain value; throws the evaluator's error with the expression. */
export function evaluateExpression(expression: string, contexts: Contexts, status: StatusFunctions): unknown {
  const functions = new Map<string, { name: string; minArgs: number; maxArgs: number; call: (...args: data.ExpressionData[]) => data.ExpressionData }>([
    ['success', { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.success()) }],
    ['failure', { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.failure()) }],
    ['cancelled', { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.cancelled()) }],
    ['always', { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) }],
    ['hashfiles', { name: 'hashFiles', minArgs: 1, maxArgs: 255, call: (...args) => {
      if (!status.hashFiles) throw new Error('hashFiles() is only available in steps');
      return new data.StringData(status.hashFiles(args.map((a) => a.coerceString())));
    } }],
  ]);
  try {
    const tokens = new Lexer(expression).lex().tokens;
    const parsed = new Parser(tokens, CONTEXT_NAMES, [...functions.values()].map(({ name, minArgs, maxArgs }) => ({ name, minArgs, maxArgs }))).parse();
    const dictionary = new data.Dictionary(...Object.entries(contexts).map(([key, value]) => ({ key, value: toData(value) })));
    return fromData(new Evaluator(parsed, dictionary, functions as never).evaluate());
  } catch (e) {
    throw new Error(`The expression \${{ ${expression} }} failed: ${(e as Error).message}`);
  }
}

/** GitHub's truthiness: false, 0, '', null (and NaN) are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  return true;
}

/** A value as the runner puts it in a string (env, inputs, scripts): booleans and numbers printed, null empty, objects as JSON. */
export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

/** Evaluates a template token (a value of the workflow file, expressions included) to a plain value. */
export function evaluateToken(token: TemplateToken | undefined, contexts: Contexts, status: StatusFunctions): unknown {
  if (!token) return undefined;
  if (isBasicExpression(token)) return evaluateExpression(token.expression, contexts, status);
  if (isString(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isSequence(token)) {
    const out: unknown[] = [];
    for (let i = 0; i < token.count; i++) out.push(evaluateToken(token.get(i), contexts, status));
    return out;
  }
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const pair of token) out[String(evaluateToken(pair.key, contexts, status))] = evaluateToken(pair.value, contexts, status);
    return out;
  }
  return null;
}

/** Evaluates a mapping token (env, with, outputs) to string values. */
export function evaluateStringMap(token: TemplateToken | undefined, contexts: Contexts, status: StatusFunctions): Record<string, string> {
  const value = evaluateToken(token, contexts, status);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`Expected a mapping, got ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asString(v)]));
}
