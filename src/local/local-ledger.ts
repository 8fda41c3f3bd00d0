// The run ledger of local runs: `invoke` claims and finishes its runs with the very RunLedger the
// deployed batches use (src/runtime/ledger.ts), its records kept in a JSON file in the project
// instead of a DynamoDB table. The file answers the ledger's document-client commands the way
// DynamoDB does: it evaluates their condition and update expressions (the subset of DynamoDB's
// expression language the ledger writes: comparisons, IN, BETWEEN, attribute_exists,
// attribute_not_exists, AND/OR/NOT; SET with if_not_exists and +/-, REMOVE, ADD), so the rules of
// a claim (run, duplicate, next attempt, take-over after the deadline, --force) live in one place.
import * as fs from 'fs';
import * as path from 'path';
import { BatchformError } from '../errors/batchform-error';
import { LEDGER_KEYS, RunRecord } from '../model/ledger';
import { LedgerStore, RunLedger } from '../runtime/ledger';

/** One item of the ledger: a run's record, a batch's lease or its pause record. */
type Item = Record<string, unknown>;

/** The file's content: items by batch, then by sort key (`run`). */
interface LedgerFileContent {
  readonly version: 1;
  readonly items: Record<string, Record<string, Item>>;
}

/** The condition check DynamoDB fails with, by the name the ledger recognizes. */
function conditionFailed(): Error {
  const e = new Error('The conditional request failed');
  e.name = 'ConditionalCheckFailedException';
  return e;
}

// ---- DynamoDB's expression language (the subset the ledger writes) ----

type Token = { readonly kind: 'name' | 'value' | 'word' | 'op'; readonly text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|[=<>(),+-]))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expression);
    if (!m) throw new Error(`local ledger: cannot read the expression at "${expression.slice(at)}"`);
    at = re.lastIndex;
    tokens.push(m[1] ? { kind: 'name', text: m[1] } : m[2] ? { kind: 'value', text: m[2] } : m[3] ? { kind: 'word', text: m[3] } : { kind: 'op', text: m[4] });
  }
  return tokens;
}

/** The names and values an expression refers to (`#x`, `:x`). */
interface Bindings {
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A reader of one expression's tokens. */
class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[], private readonly bindings: Bindings, private readonly source: string) {}

  peek(): Token | undefined {
    return this.tokens[this.at];
  }

  /** Whether the next token is `text` (a keyword, case-insensitive, or an operator); consumes it if so. */
  accept(text: string): boolean {
    const t = this.peek();
    if (t && (t.kind === 'op' || t.kind === 'word') && t.text.toUpperCase() === text) {
      this.at++;
      return true;
    }
    return false;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw new Error(`local ledger: expected "${text}" in "${this.source}"`);
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  /** An attribute's name: `#x` (from the names) or a plain word. */
  attribute(): string {
    const t = this.tokens[this.at++];
    if (t?.kind === 'name') {
      const name = this.bindings.names[t.text];
      if (name === undefined) throw new Error(`local ledger: ${t.text} is not in ExpressionAttributeNames`);
      return name;
    }
    if (t?.kind === 'word') return t.text;
    throw new Error(`local ledger: expected an attribute in "${this.source}"`);
  }

  /** A `:x` value. */
  value(): unknown {
    const t = this.tokens[this.at++];
    if (t?.kind !== 'value' || !(t.text in this.bindings.values)) throw new Error(`local ledger: ${t?.text ?? 'end'} is not in ExpressionAttributeValues`);
    return this.bindings.values[t.text];
  }

  /** A value or an attribute's value in `item` (undefined when it has none). */
  operand(item: Item): unknown {
    return this.peek()?.kind === 'value' ? this.value() : item[this.attribute()];
  }
}

/** DynamoDB's order of two values of one type (numbers, strings); undefined when they cannot be compared. */
function order(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function same(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates a ConditionExpression on `item` (`{}` when there is none). */
export function evaluateCondition(expression: string, bindings: Bindings, item: Item): boolean {
  const r = new Reader(tokenize(expression), bindings, expression);
  const or = (): boolean => {
    let v = and();
    while (r.accept('OR')) v = and() || v;
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (r.accept('AND')) v = not() && v;
    return v;
  };
  const not = (): boolean => (r.accept('NOT') ? !not() : primary());
  const primary = (): boolean => {
    if (r.accept('(')) {
      const v = or();
      r.expect(')');
      return v;
    }
    const word = r.peek();
    if (word?.kind === 'word' && ['attribute_exists', 'attribute_not_exists'].includes(word.text) && r.accept(word.text.toUpperCase())) {
      r.expect('(');
      const exists = r.attribute() in item;
      r.expect(')');
      return word.text === 'attribute_exists' ? exists : !exists;
    }
    const left = r.operand(item);
    if (r.accept('IN')) {
      r.expect('(');
      const list = [r.operand(item)];
      while (r.accept(',')) list.push(r.operand(item));
      r.expect(')');
      return list.some((v) => same(left, v));
    }
    if (r.accept('BETWEEN')) {
      const low = r.operand(item);
      r.expect('AND');
      const high = r.operand(item);
      const a = order(left, low);
      const b = order(left, high);
      return a !== undefined && b !== undefined && a >= 0 && b <= 0;
    }
    const op = ['=', '<>', '<=', '>=', '<', '>'].find((o) => r.accept(o));
    if (!op) throw new Error(`local ledger: expected a comparison in "${expression}"`);
    const right = r.operand(item);
    // A missing attribute compares false, except that it is not equal to anything (as in DynamoDB).
    if (op === '=') return same(left, right);
    if (op === '<>') return !same(left, right);
    const c = order(left, right);
    if (c === undefined) return false;
    return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  };
  const result = or();
  if (!r.done()) throw new Error(`local ledger: unexpected "${r.peek()?.text}" in "${expression}"`);
  return result;
}

/** Applies an UpdateExpression to a copy of `item` and returns it. */
export function applyUpdate(expression: string, bindings: Bindings, item: Item): Item {
  const r = new Reader(tokenize(expression), bindings, expression);
  const next: Item = { ...item };
  const clauses = ['SET', 'REMOVE', 'ADD', 'DELETE'];
  const clauseAhead = () => clauses.some((c) => r.peek()?.kind === 'word' && r.peek()!.text.toUpperCase() === c);
  // Every right-hand side reads the item as it was before the update, as DynamoDB does.
  const term = (): unknown => {
    const t = r.peek();
    if (t?.kind === 'word' && t.text === 'if_not_exists' && r.accept('IF_NOT_EXISTS')) {
      r.expect('(');
      const current = item[r.attribute()];
      r.expect(',');
      const fallback = sum();
      r.expect(')');
      return current !== undefined ? current : fallback;
    }
    return r.operand(item);
  };
  const sum = (): unknown => {
    let v = term();
    for (;;) {
      const sign = r.accept('+') ? 1 : r.accept('-') ? -1 : 0;
      if (sign === 0) return v;
      const w = term();
      if (typeof v !== 'number' || typeof w !== 'number') throw new Error(`local ledger: + and - need numbers in "${expression}"`);
      v = v + sign * w;
    }
  };
  while (!r.done()) {
    const clause = clauses.find((c) => r.accept(c));
    if (!clause) throw new Error(`local ledger: expected SET, REMOVE, ADD or DELETE in "${expression}"`);
    do {
      if (clauseAhead()) break;
      const name = r.attribute();
      if (clause === 'SET') {
        r.expect('=');
        next[name] = sum();
      } else if (clause === 'REMOVE') {
        delete next[name];
      } else if (clause === 'ADD') {
        const add = r.value();
        if (typeof add !== 'number') throw new Error(`local ledger: ADD of a non-number to ${name} is not supported`);
        next[name] = (typeof item[name] === 'number' ? item[name] as number : 0) + add;
      } else {
        throw new Error('local ledger: DELETE is not supported');
      }
    } while (r.accept(','));
  }
  return next;
}

// ---- the file ----

/** Waits `ms` milliseconds, blocking (the file's lock is taken synchronously). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A ledger kept in one JSON file: answers RunLedger's `UpdateCommand` and `GetCommand` as DynamoDB
 * does. Each write holds a lock file (`<file>.lock`) while it reads, checks and rewrites the file
 * (atomically, by rename), so two `invoke`s of one time at once still run it once. Records whose
 * `expiresAt` passed are dropped at the next write, as DynamoDB's TTL deletes them.
 */
export class LocalLedgerFile implements LedgerStore {
  constructor(
    /** The file's absolute path. */
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  async send(command: { readonly input: object }): Promise<{ Attributes?: Item; Item?: Item }> {
    const input = command.input as {
      readonly Key?: Record<string, string>;
      readonly UpdateExpression?: string;
      readonly ConditionExpression?: string;
      readonly ExpressionAttributeNames?: Record<string, string>;
      readonly ExpressionAttributeValues?: Record<string, unknown>;
      readonly ReturnValues?: string;
    };
    const batch = input.Key?.[LEDGER_KEYS.partition];
    const run = input.Key?.[LEDGER_KEYS.sort];
    if (batch === undefined || run === undefined) throw new Error(`local ledger: a command without the key (${LEDGER_KEYS.partition}, ${LEDGER_KEYS.sort})`);
    if (input.UpdateExpression === undefined) {
      const item = this.read().items[batch]?.[run];
      return item ? { Item: { ...item } } : {};
    }
    const bindings = { names: input.ExpressionAttributeNames ?? {}, values: input.ExpressionAttributeValues ?? {} };
    return this.locked(() => {
      const content = this.read();
      const current = content.items[batch]?.[run] ?? {};
      if (input.ConditionExpression && !evaluateCondition(input.ConditionExpression, bindings, current)) throw conditionFailed();
      const updated = { ...applyUpdate(input.UpdateExpression!, bindings, current), ...input.Key };
      this.write({ version: 1, items: { ...content.items, [batch]: { ...content.items[batch], [run]: updated } } });
      return input.ReturnValues === 'ALL_NEW' ? { Attributes: { ...updated } } : {};
    });
  }

  /** Every run's record of `batch` (not its lease nor its pause), by scheduled time. */
  records(batch: string): RunRecord[] {
    return Object.entries(this.read().items[batch] ?? {})
      .filter(([run]) => !run.startsWith('#'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, item]) => item as unknown as RunRecord);
  }

  private read(): LedgerFileContent {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, items: {} };
      throw this.fail('read', e);
    }
    try {
      const content = JSON.parse(text) as LedgerFileContent;
      if (content?.version !== 1 || typeof content.items !== 'object' || content.items === null) throw new Error('not a version 1 ledger');
      return content;
    } catch (e) {
      throw this.fail('read', e, `it is not the local ledger's JSON: delete ${this.file} (it only records local runs) or fix it`);
    }
  }

  private write(content: LedgerFileContent): void {
    const nowSeconds = this.now() / 1000;
    const items = Object.fromEntries(Object.entries(content.items).map(([batch, runs]) => [batch,
      Object.fromEntries(Object.entries(runs).filter(([, item]) => !(typeof item[LEDGER_KEYS.ttl] === 'number' && (item[LEDGER_KEYS.ttl] as number) < nowSeconds)))]));
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, items }, null, 2)}\n`);
      fs.renameSync(tmp, this.file);
    } catch (e) {
      throw this.fail('write', e);
    }
  }

  /** Runs `fn` holding `<file>.lock`; a lock older than 30 s is a crashed writer's and is taken over. */
  private locked<T>(fn: () => T): T {
    const lock = `${this.file}.lock`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    for (let waited = 0; ; waited += 20) {
      try {
        fs.closeSync(fs.openSync(lock, 'wx'));
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw this.fail('lock', e);
        const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > 30_000) fs.rmSync(lock, { force: true });
        else if (waited > 10_000) throw this.fail('lock', new Error(`${lock} is held`), `another invoke holds it; if none runs, delete ${lock}`);
        else sleepSync(20);
      }
    }
    try {
      return fn();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }

  private fail(what: string, cause: unknown, fix?: string): BatchformError {
    return new BatchformError('bad-input', `invoke: cannot ${what} the local ledger ${this.file} (${(cause as Error)?.message ?? cause}); ${fix ?? 'check its directory is writable, or run with --no-ledger'}.`, { cause });
  }
}

/**
 * The ledger a local run of `batch` uses: RunLedger itself, on the project's ledger file, taking
 * the batch's overlap lease (a second `invoke` of another time while one runs is skipped, as
 * `overlap: 'skip'` does in AWS).
 */
export function localLedger(batch: string, file: string, now: () => number = Date.now): RunLedger {
  return new RunLedger({ tableName: file, batch, overlap: 'skip', store: new LocalLedgerFile(file, now), now });
}
