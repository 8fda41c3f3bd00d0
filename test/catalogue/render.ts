// Runs the catalogue: the problems each case produces, and the docs page listing them.
import { BASE_BATCH, BASE_STAGE, CASES, CatalogueCase } from './cases';
import type { BatchOptions } from '../../src/model/batch-options';
import type { StageOptions } from '../../src/model/stage-options';
import { BatchformValidationError, formatProblem } from '../../src/validate/problem';
import { validateDeclarations } from '../../src/validate/validate';

/** The declarations of a case. */
export function declarationsOf(c: CatalogueCase): { batches: BatchOptions[]; stages: StageOptions[] } {
  return {
    batches: [{ ...BASE_BATCH, ...(c.batch ?? {}) } as BatchOptions],
    stages: [{ ...BASE_STAGE, ...(c.stage ?? {}) } as StageOptions, ...(c.otherStage ? [{ ...BASE_STAGE, ...c.otherStage } as StageOptions] : [])],
  };
}

/** The problem lines a case produces (empty when it is valid). */
export function problemLines(c: CatalogueCase): string[] {
  try {
    validateDeclarations(declarationsOf(c), { fileExists: (rel) => rel === 'handlers/daily-stats.ts' });
    return [];
  } catch (e) {
    if (!(e instanceof BatchformValidationError)) throw e;
    return e.problems.map(formatProblem);
  }
}

function declarationText(c: CatalogueCase): string {
  const parts = [
    ...Object.entries(c.batch ?? {}).map(([k, v]) => `batch.${k}: ${JSON.stringify(v)}`),
    ...Object.entries(c.stage ?? {}).map(([k, v]) => `stage.${k}: ${JSON.stringify(v)}`),
  ];
  const text = parts.join(', ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The Markdown docs page of the catalogue (docs/reference/bad-declarations.md). */
export function renderCatalogue(): string {
  const lines = [
    '# Rejected declarations',
    '',
    '<!-- Generated from test/catalogue/cases.ts by `npx projen docs`; do not edit. -->',
    '',
    'Every declaration below makes `npx projen` exit non-zero and write nothing. Each starts from a valid',
    'batch (`daily-stats`, `cron(10 15 * * ? *)`) and stage (`prod`) and changes one thing; the block under it is',
    'exactly what the user sees (after the line `batchform: N problem(s) in the batch declarations; nothing was written.`).',
    `The tests (test/catalogue/catalogue.slow.test.ts) check every message word for word. ${CASES.length} cases.`,
  ];
  // One section per group, in the order the groups first appear in the catalogue.
  const groups = [...new Set(CASES.map((c) => c.group))];
  const anchor = (g: string) => g.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
  lines.push('', ...groups.map((g) => `- [${g}](#${anchor(g)}) (${CASES.filter((c) => c.group === g).length})`));
  let n = 0;
  for (const group of groups) {
    lines.push('', `## ${group}`);
    for (const c of CASES.filter((x) => x.group === group)) {
      lines.push('', `${++n}. **${c.title}** — \`${declarationText(c)}\``, '', '   ```');
      for (const l of c.expected) lines.push(`   - ${l}`);
      lines.push('   ```');
    }
  }
  return lines.join('\n') + '\n';
}

// docs/reference/bad-declarations.md is written by `npx projen docs` (projenrc/reference/pages.ts).
if (require.main === module && process.argv.includes('--print-actual')) {
  for (const c of CASES) console.log(JSON.stringify({ title: c.title, actual: problemLines(c) }));
}
