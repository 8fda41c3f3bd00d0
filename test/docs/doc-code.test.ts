// Every TypeScript code block of README.md and docs/**/*.md compiles against the library, with the
// compiler options a fresh projen project has (projen's TypeScriptProject defaults, with the `lib`
// batchform's component raises to es2022), as a user who pastes it would compile it.
//
// A block is a whole file unless the comment lines right above its fence say otherwise:
//   <!-- ts-check: projenrc -->          a .projenrc.ts excerpt: projen's `typescript` and batchform's
//                                        `Batchform`, `Schedule`, `BatchOptions`, `StageOptions` are imported for it
//   <!-- ts-check: batchform -->         the same, with `project` declared (a `new Batchform(project, ...)` excerpt)
//   <!-- ts-check: batch -->             one batch declaration (an object literal of BatchOptions)
//   <!-- ts-check: batchform-options --> properties of BatchformOptions (e.g. `stages: [...]`)
//   <!-- ts-declare: <declarations> -->  declarations the example leaves to the reader (its own helpers)
// Whole files are checked with projen's noUnusedLocals/noUnusedParameters; excerpts without
// noUnusedLocals (an excerpt's imports are the check's, not the reader's).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { documentationFiles, ROOT } from './doc-files';

const KINDS = ['module', 'projenrc', 'batchform', 'batch', 'batchform-options'] as const;
type Kind = typeof KINDS[number];

interface Block {
  readonly doc: string;
  /** 1-based line of the block's first code line in the doc. */
  readonly line: number;
  readonly kind: Kind;
  readonly declarations: string[];
  readonly code: string;
}

/** The ```ts / ```typescript blocks of a Markdown document, with their ts-check directives. */
export function codeBlocks(doc: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: code block never closed`);
    let kind: Kind = 'module';
    const declarations: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const directive = /^\s*<!-- ts-(check|declare): (.*?) -->\s*$/.exec(lines[j]);
      if (!directive) break;
      if (directive[1] === 'declare') {
        declarations.push(directive[2]);
      } else {
        if (!(KINDS as readonly string[]).includes(directive[2])) {
          throw new Error(`${doc}:${j + 1}: unknown ts-check kind "${directive[2]}" (one of ${KINDS.join(', ')})`);
        }
        kind = directive[2] as Kind;
      }
    }
    const code = lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n');
    blocks.push({ doc, line: i + 2, kind, declarations, code });
    i = end;
  }
  return blocks;
}

const PROJENRC_IMPORTS = "import { typescript } from 'projen';\nimport { Batchform, Schedule, type BatchOptions, type StageOptions } from 'batchform';\n";

/** The file a block is compiled as, and how many lines come before the block's first line. */
function sourceOf(block: Block): { text: string; offset: number } {
  const declared = block.declarations.map((d) => `declare ${d}`).join('\n');
  const wrap = (before: string, after: string): { text: string; offset: number } => ({
    text: `${before}${block.code}\n${after}${declared}\n`,
    offset: before.split('\n').length - 1,
  });
  switch (block.kind) {
    case 'module':
      return wrap('', 'export {};\n');
    case 'projenrc':
      return wrap(PROJENRC_IMPORTS, 'export {};\n');
    case 'batchform':
      return wrap(`${PROJENRC_IMPORTS}declare const project: typescript.TypeScriptProject;\n`, 'export {};\n');
    case 'batch':
      return wrap("import { Schedule, type BatchOptions } from 'batchform';\nexport const example: BatchOptions = (\n", ');\n');
    case 'batchform-options':
      return wrap("import { Schedule, type BatchformOptions } from 'batchform';\nexport const example: Partial<BatchformOptions> = {\n", '};\n');
  }
}

/** projen's TypeScriptProject defaults (node_modules/projen/lib/typescript/typescript.js), lib es2022 as the component sets it. */
function compilerOptions(strictUnused: boolean): ts.CompilerOptions {
  return {
    alwaysStrict: true,
    declaration: true,
    esModuleInterop: true,
    experimentalDecorators: true,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: strictUnused,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: ts.ScriptTarget.ES2020,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    baseUrl: ROOT,
    // The package's subpath exports, resolved to this repository's source.
    paths: {
      'batchform': ['src/index.ts'],
      'batchform/runtime': ['src/runtime/index.ts'],
      'batchform/runtime/durable': ['src/runtime/durable/index.ts'],
      'batchform/local': ['src/local/index.ts'],
      'batchform/schedule': ['src/schedule/index.ts'],
    },
  };
}

/** Compiles the blocks; returns `doc:line: message` for every diagnostic inside a block. */
function compile(blocks: Block[], strictUnused: boolean, dir: string): string[] {
  const files = blocks.map((block, n) => {
    const { text, offset } = sourceOf(block);
    // This repository's own handlers import '../src/...'; a user's import 'batchform/...'.
    const file = path.join(dir, `block-${strictUnused ? 'm' : 'x'}${n}.ts`);
    fs.writeFileSync(file, text.replace(/from '\.\.\/src\//g, `from '${ROOT}/src/`));
    return { block, file, offset };
  });
  if (files.length === 0) return [];
  const program = ts.createProgram(files.map((f) => f.file), compilerOptions(strictUnused));
  const problems: string[] = [];
  for (const { block, file, offset } of files) {
    const source = program.getSourceFile(file)!;
    const codeLines = block.code.split('\n').length;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const at = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line - offset;
      const where = at >= 0 && at < codeLines ? `${block.doc}:${block.line + at}` : `${block.doc}:${block.line} (ts-check ${block.kind} wrapper)`;
      problems.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}

describe('TypeScript in the docs', () => {
  const blocks = documentationFiles().flatMap((doc) => codeBlocks(doc, fs.readFileSync(path.join(ROOT, doc), 'utf8')));

  test('the README and the guides have TypeScript blocks to check (the extraction finds them)', () => {
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((b) => b.doc.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });

  test('every block compiles as a user would compile it', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.doc-code-'));
    try {
      const problems = [
        ...compile(blocks.filter((b) => b.kind === 'module'), true, dir),
        ...compile(blocks.filter((b) => b.kind !== 'module'), false, dir),
      ];
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the check itself', () => {
  test('a block with a type error is reported at its line in the doc', () => {
    const doc = 'x.md';
    const blocks = codeBlocks(doc, [
      'text', '<!-- ts-check: batch -->', '```ts', '{', "  name: 'a',", '  handler: 42,', '}', '```', '',
      '```ts', "import { batch } from 'batchform/runtime';", 'const unused = 1;', 'export const handler = batch(async () => ({}));', '```',
    ].join('\n'));
    expect(blocks.map((b) => [b.kind, b.line])).toEqual([['batch', 4], ['module', 11]]);
    const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.doc-code-'));
    try {
      const batchProblems = compile([blocks[0]], false, dir);
      expect(batchProblems.some((p) => p.startsWith('x.md:6: '))).toBe(true);
      expect(compile([blocks[1]], true, dir)).toEqual([expect.stringMatching(/^x\.md:12: 'unused' is declared but its value is never read/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('an unknown ts-check kind is refused', () => {
    expect(() => codeBlocks('y.md', '<!-- ts-check: nonsense -->\n```ts\nx\n```\n')).toThrow(/y\.md:1: unknown ts-check kind "nonsense"/);
  });
});
