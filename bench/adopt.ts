// Adopt: `npx projen` of a user's projen TypeScript project with batchform installed from its npm
// package (the main entry a `.projenrc.ts` imports, with its published typings), against the same
// project without batchform, under projen's default runner (ts-node, which type-checks
// `.projenrc.ts` and every typing it imports) and under tsx (no type-check).
import * as fs from 'fs';
import {
  benchEnv, formatRatio, formatStats, interleave, markdownTable, pairedRatios, progress, Sample,
  SectionResult, stats, tempDir, timeCommand, writeFiles,
} from './lib';
import { generatedBatch, generatedBatchOptions, installBatchform, STAGE } from './projects';

/** Options of {@link runAdopt}. */
export interface AdoptOptions {
  readonly sizes: readonly number[];
  readonly repetitions: number;
}

const RUNNERS = { 'ts-node': 'TypeScriptRunner.tsNode()', 'tsx': 'TypeScriptRunner.tsx()' } as const;
type Runner = keyof typeof RUNNERS;

function project(runner: Runner, count: number | undefined): string {
  const dir = tempDir(`adopt-${runner}-${count ?? 'none'}`);
  const batches = Array.from({ length: count ?? 0 }, (_, i) => generatedBatch(i));
  writeFiles(dir, {
    '.projenrc.ts': `import { javascript, typescript } from 'projen';
import { TypeScriptRunner } from 'projen/lib/typescript';
${count === undefined ? '' : "import { Batchform } from 'batchform';\n"}
const project = new typescript.TypeScriptProject({
  name: 'bench-adopt', defaultReleaseBranch: 'main', packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true, projenrcTsOptions: { runner: ${RUNNERS[runner]} },
  github: false, eslint: false, release: false, sampleCode: false,
  devDeps: ['batchform'],
});
${count === undefined ? '' : `new Batchform(project, {
  stages: [${JSON.stringify(STAGE)}],
  batches: ${JSON.stringify(batches.map(generatedBatchOptions))},
});`}
project.synth();
`,
    ...Object.fromEntries(batches.map((b) => [`handlers/${b.name}.ts`, 'export const handler = async (): Promise<void> => {};\n'])),
  });
  installBatchform(dir);
  // First synthesis writes .projen/tasks.json, which `npx projen` needs.
  timeCommand('npx', ['tsx', '.projenrc.ts'], { cwd: dir, env: benchEnv({ PROJEN_DISABLE_POST: 'true' }) });
  return dir;
}

/** Packs this repository's library (compiling lib/ first) and measures every runner and size. */
export function runAdopt(options: AdoptOptions): SectionResult {
  const rows: string[][] = [];
  const summary: string[][] = [];
  const raw: Record<string, unknown> = {};
  const dirs: string[] = [];
  try {
    for (const runner of Object.keys(RUNNERS) as Runner[]) {
      const without = project(runner, undefined);
      dirs.push(without);
      for (const size of options.sizes) {
        progress(`adopt: ${runner}, ${size} batches`);
        const withDir = project(runner, size);
        dirs.push(withDir);
        const env = benchEnv();
        const samples = interleave({
          without: () => timeCommand('npx', ['projen', '--no-post'], { cwd: without, env }),
          with: () => timeCommand('npx', ['projen', '--no-post'], { cwd: withDir, env }),
        }, { repetitions: options.repetitions }) as Record<'with' | 'without', Sample[]>;
        const secs = (s: Sample[]): number[] => s.map((x) => x.seconds);
        const ratio = stats(pairedRatios(secs(samples.with), secs(samples.without)));
        raw[`${runner}-${size}`] = { with: secs(samples.with), without: secs(samples.without) };
        rows.push([runner, String(size), formatStats(stats(secs(samples.with)), 's'), formatStats(stats(secs(samples.without)), 's'), formatRatio(ratio)]);
        summary.push([`\`npx projen\` of a projen TypeScript project with batchform from npm (${size} batches) vs without it, ${runner}`,
          `${stats(secs(samples.with)).median.toFixed(2)} s`, `${stats(secs(samples.without)).median.toFixed(2)} s`, formatRatio(ratio), 'time']);
      }
    }
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  return {
    title: 'Adopt: npx projen with batchform from npm vs without it',
    summary,
    details: `A projen \`TypeScriptProject\` (no GitHub, ESLint or release, so the difference is batchform) whose
\`.projenrc.ts\` imports \`batchform\` from the packed library (\`npm pack\`, unpacked into node_modules as npm
installs it), against the same project without the import and the component. ts-node is projen's
default runner and type-checks \`.projenrc.ts\` with every typing it imports; tsx only transpiles.
Template cache off (every batch synthesized). ${options.repetitions} interleaved runs each.

${markdownTable(['runner', 'batches', 'with batchform', 'without', 'ratio'], rows)}
`,
    raw,
  };
}
