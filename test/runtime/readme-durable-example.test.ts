// The README's durable handler example compiles against the library with projen's default compiler
// options (noUnusedParameters, noUnusedLocals, strict...), as a user's project would compile it.
// The helpers the example leaves undeclared are declared; only the example's own diagnostics count.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/** The README's `// handlers/monthly-recompute.ts` code block (the durable example). */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const example = blocks.find((b) => b.startsWith('// handlers/monthly-recompute.ts') && b.includes('durableBatch'));
  if (!example) throw new Error('README: no ```ts block starting with // handlers/monthly-recompute.ts');
  return example;
}

test('the README durable example type-checks with projen\'s default tsconfig', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.readme-example-'));
  try {
    const file = path.join(dir, 'monthly-recompute.ts');
    fs.writeFileSync(file, `${readmeExample()}
declare function planChunks(time: Date): Promise<string[]>;
declare function recompute(chunk: string): Promise<number>;
declare const tenants: string[];
declare function reindex(tenant: string): Promise<void>;
`);
    // projen's TypeScriptProject defaults (node_modules/projen/lib/typescript/typescript.js), with
    // batchform/runtime/durable resolved to this repository's source.
    const options: ts.CompilerOptions = {
      alwaysStrict: true,
      declaration: true,
      esModuleInterop: true,
      experimentalDecorators: true,
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
      strictNullChecks: true,
      strictPropertyInitialization: true,
      stripInternal: true,
      target: ts.ScriptTarget.ES2020,
      noEmit: true,
      types: ['node'],
      baseUrl: ROOT,
      paths: { 'batchform/runtime/durable': ['src/runtime/durable/index.ts'] },
    };
    const program = ts.createProgram([file], options);
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
