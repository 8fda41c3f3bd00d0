// What import-crontab prints for the corpus compiles against the library with projen's default compiler options (as a
// user's crontab-batches.ts and handlers/*.ts would). Slow: the compiler loads the library's typings (projen's among them).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { renderImport, renderStub } from '../../src/cli/import-crontab';
import { importCrontab } from '../../src/model/crontab';

const ROOT = path.resolve(__dirname, '../..');
const RESULT = importCrontab(fs.readFileSync(path.join(__dirname, 'corpus.crontab'), 'utf8'));
const MODULE = renderImport(RESULT, { file: 'corpus.crontab' });

/** projen's TypeScriptProject defaults (as in test/runtime/readme-durable-example.test.ts), with batchform resolved to this repository's source. */
const OPTIONS: ts.CompilerOptions = {
  alwaysStrict: true,
  esModuleInterop: true,
  lib: ['lib.es2020.d.ts'],
  module: ts.ModuleKind.CommonJS,
  noFallthroughCasesInSwitch: true,
  noImplicitAny: true,
  noImplicitReturns: true,
  noImplicitThis: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  resolveJsonModule: true,
  strict: true,
  target: ts.ScriptTarget.ES2020,
  noEmit: true,
  types: ['node'],
  baseUrl: ROOT,
  paths: { 'batchform': ['src/index.ts'], 'batchform/runtime': ['src/runtime/index.ts'] },
};

test('the declarations and every handler stub type-check', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.crontab-output-'));
  try {
    const files = [path.join(dir, 'crontab-batches.ts')];
    fs.writeFileSync(files[0], MODULE);
    fs.mkdirSync(path.join(dir, 'handlers'));
    for (const b of RESULT.batches.filter((x) => x.ownsHandler)) {
      const file = path.join(dir, b.handler);
      fs.writeFileSync(file, renderStub(b, RESULT, 'corpus.crontab'));
      files.push(file);
    }
    expect(files.length).toBeGreaterThan(40);
    const program = ts.createProgram(files, OPTIONS);
    const diagnostics = files.flatMap((f) => {
      const source = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
        .map((d) => `${path.relative(dir, f)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    });
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
