// docs/reference/options.md: every option type the main entry point (src/index.ts) exports, read
// from the TSDoc of src/ with the TypeScript compiler's parser (no build, no type-check).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { code, fence, generatedMarker, page, table } from './markdown';

/** Reads a source file by path relative to the repository root; tests give other contents. */
export type ReadSource = (relativePath: string) => string | undefined;

export const ROOT = path.resolve(__dirname, '../..');

export const readRepoFile: ReadSource = (rel) => {
  const file = path.join(ROOT, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
};

/** The option types the page starts with, in this order; any other exported `*Options` follows. */
const ORDER = ['BatchformOptions', 'StageOptions', 'BatchOptions', 'StageOverrideOptions', 'DurableOptions', 'PolicyStatementOptions', 'CronOptions'];

interface Doc {
  readonly text: string;
  readonly tags: { readonly name: string; readonly text: string }[];
}

interface Declaration {
  readonly name: string;
  readonly file: string;
  readonly node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
  readonly source: ts.SourceFile;
}

function tidy(text: string): string {
  return text
    .replace(/\{@link\s+([^}\s|]+)(?:\s*\|\s*([^}]+))?\s*\}/g, (_m, target: string, label?: string) => code(label?.trim() ?? target))
    .replace(/\*\\\//g, '*/')
    .trim();
}

/** The TSDoc right above a node: its text and its block tags. */
export function docOf(node: ts.Node): Doc {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const doc = docs[docs.length - 1];
  if (!doc) return { text: '', tags: [] };
  return {
    text: tidy(ts.getTextOfJSDocComment(doc.comment) ?? ''),
    tags: (doc.tags ?? []).map((t) => ({ name: t.tagName.text, text: tidy(ts.getTextOfJSDocComment(t.comment) ?? '') })),
  };
}

/** Reads and parses source files, once each. */
export class Sources {
  private readonly parsed = new Map<string, ts.SourceFile>();
  constructor(private readonly read: ReadSource = readRepoFile) {}

  file(rel: string): ts.SourceFile {
    let sf = this.parsed.get(rel);
    if (!sf) {
      const text = this.read(rel);
      if (text === undefined) throw new Error(`docs: ${rel} not found`);
      sf = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      this.parsed.set(rel, sf);
    }
    return sf;
  }

  /** `./x` from `src/a/b.ts` as a repository path (`src/a/x.ts`, or `src/a/x/index.ts`). */
  resolve(from: string, specifier: string): string {
    const base = path.posix.join(path.posix.dirname(from), specifier);
    return this.read(`${base}.ts`) !== undefined ? `${base}.ts` : `${base}/index.ts`;
  }

  /** The interface or type alias `name` declared in `rel` or re-exported from another file. */
  declaration(rel: string, name: string): Declaration | undefined {
    const sf = this.file(rel);
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name) {
        return { name, file: rel, node: st, source: sf };
      }
    }
    for (const st of sf.statements) {
      if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
      for (const el of st.exportClause.elements) {
        if (el.name.text !== name) continue;
        const target = this.resolve(rel, (st.moduleSpecifier as ts.StringLiteral).text);
        return this.declaration(target, el.propertyName?.text ?? el.name.text);
      }
    }
    return undefined;
  }

  /** Every type the entry point exports: name and the file it comes from. */
  exportedTypes(entry: string): { name: string; from: string; original: string }[] {
    const out: { name: string; from: string; original: string }[] = [];
    for (const st of this.file(entry).statements) {
      if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
      const from = this.resolve(entry, (st.moduleSpecifier as ts.StringLiteral).text);
      for (const el of st.exportClause.elements) out.push({ name: el.name.text, from, original: el.propertyName?.text ?? el.name.text });
    }
    return out;
  }
}

/** `'x' (why)`, `{} - why`, `false // why`: the value and the words after it. */
export function splitValue(text: string): { value?: string; note?: string } {
  if (text === '-' || text.startsWith('- ')) return { note: text.replace(/^-\s*/, '') };
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\'' || c === '"' || c === '`') {
      quote = c;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (depth === 0 && c === ' ') {
      const rest = text.slice(i + 1);
      if (rest.startsWith('(')) return { value: text.slice(0, i), note: rest };
      if (rest.startsWith('- ')) return { value: text.slice(0, i), note: rest.slice(2) };
      if (rest.startsWith('// ')) return { value: text.slice(0, i), note: rest.slice(3) };
      // A literal followed by words: `'*' unless ...`.
      if (/^[A-Za-z]/.test(rest) && /^('[^']*'|"[^"]*"|-?\d+(\.\d+)?|true|false|\[.*\]|\{.*\})$/.test(text.slice(0, i))) {
        return { value: text.slice(0, i), note: rest };
      }
    }
  }
  return { value: text };
}

function valueText(text: string): string {
  const { value, note } = splitValue(text);
  if (value === undefined) return note ?? '';
  if (value.includes('\n')) return text;
  return note ? `${code(value)} ${note.startsWith('(') ? note : `(${note})`}` : code(value);
}

function anchor(type: string, member?: string): string {
  // GitHub's heading anchors: lowercase, punctuation dropped (`### BatchOptions.name` is #batchoptionsname).
  return `${type}${member ?? ''}`.toLowerCase();
}

/** The type's text, with the documented types it names linked. */
function typeText(text: string, documented: Set<string>): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const named = [...new Set(flat.match(/\b[A-Z][A-Za-z0-9]+\b/g) ?? [])].filter((n) => documented.has(n));
  return [code(flat), ...named.map((n) => `([${n}](#${anchor(n)}))`)].join(' ');
}

function examples(doc: Doc): string[] {
  const all = doc.tags.filter((t) => t.name === 'example').map((t) => t.text);
  if (all.length > 1 && all.every((ex) => !ex.includes('\n'))) return ['', 'Examples:', '', ...all.map((ex) => `- ${valueText(ex)}`)];
  const lines: string[] = [];
  for (const ex of all) {
    if (ex.includes('\n')) lines.push('', 'Example:', '', ...fence(ex));
    else lines.push('', `Example: ${valueText(ex)}`);
  }
  return lines;
}

function renderInterface(d: Declaration & { node: ts.InterfaceDeclaration }, documented: Set<string>): string[] {
  if (d.node.heritageClauses?.length) {
    throw new Error(`docs: ${d.file}: ${d.name} extends another type; teach projenrc/reference/options.ts to list inherited members`);
  }
  const doc = docOf(d.node);
  const lines = [`## ${d.name}`, '', `Declared in ${code(d.file)}.`, '', doc.text, ...examples(doc), ''];
  const members = d.node.members.filter(ts.isPropertySignature);
  const rows = members.map((m) => {
    const name = m.name.getText(d.source);
    const mdoc = docOf(m);
    const def = mdoc.tags.find((t) => t.name === 'default');
    return [`[${name}](#${anchor(d.name, name)})`, typeText(m.type?.getText(d.source) ?? 'unknown', documented), m.questionToken ? (def ? valueText(def.text) : 'optional') : '**required**'];
  });
  lines.push(...table(['Option', 'Type', 'Default'], rows));
  for (const m of members) {
    const name = m.name.getText(d.source);
    const mdoc = docOf(m);
    const def = mdoc.tags.find((t) => t.name === 'default');
    lines.push(
      '', `### ${d.name}.${name}`, '',
      `${typeText(m.type?.getText(d.source) ?? 'unknown', documented)}, ${m.questionToken ? 'optional' : '**required**'}.`,
      '', mdoc.text || '(no description)',
    );
    if (def) lines.push('', `Default: ${valueText(def.text)}`);
    lines.push(...examples(mdoc));
  }
  return lines;
}

function renderAlias(d: Declaration & { node: ts.TypeAliasDeclaration }): string[] {
  const doc = docOf(d.node);
  // As declared (with the TSDoc of each member of a union), without `export`.
  const declared = d.node.getText(d.source).replace(/^export\s+/, '');
  return [`## ${d.name}`, '', `Declared in ${code(d.file)}.`, '', doc.text, '', ...fence(declared)];
}

/** The Markdown page of every option type `src/index.ts` exports, and the type aliases their options name. */
export function renderOptions(read: ReadSource = readRepoFile): string {
  const sources = new Sources(read);
  const exported = sources.exportedTypes('src/index.ts');
  const declarations = exported
    .map((e) => sources.declaration(e.from, e.original))
    .filter((d): d is Declaration => d !== undefined);
  const interfaces = declarations
    .filter((d): d is Declaration & { node: ts.InterfaceDeclaration } => ts.isInterfaceDeclaration(d.node) && d.name.endsWith('Options'))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const aliases = declarations.filter((d): d is Declaration & { node: ts.TypeAliasDeclaration } => ts.isTypeAliasDeclaration(d.node));
  // The aliases an option's type names (e.g. WorkflowCli, Architecture).
  const named = new Set(interfaces.flatMap((d) => d.node.members.filter(ts.isPropertySignature)
    .flatMap((m) => m.type?.getText(d.source).match(/\b[A-Z][A-Za-z0-9]+\b/g) ?? [])));
  const usedAliases = aliases.filter((a) => named.has(a.name)).sort((a, b) => a.name.localeCompare(b.name));
  const documented = new Set([...interfaces, ...usedAliases].map((d) => d.name));

  const lines = [
    '# Options',
    '',
    generatedMarker('the TSDoc of the option types src/index.ts exports'),
    '',
    'Every option of the types `.projenrc.ts` passes to batchform (`import { Batchform } from \'batchform\'`), with its type,',
    'its default and examples, as the TSDoc in the source states them. A test (test/reference/reference.test.ts) fails when',
    'the source changes and this page does not.',
    '',
    ...[...interfaces, ...usedAliases].map((d) => `- [${d.name}](#${anchor(d.name)})`),
  ];
  for (const d of interfaces) lines.push('', ...renderInterface(d, documented));
  if (usedAliases.length > 0) {
    lines.push('', '# Types the options name');
    for (const a of usedAliases) lines.push('', ...renderAlias(a));
  }
  return page(lines);
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}
