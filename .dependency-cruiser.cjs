// The layers of src/, checked by `npx projen check:layers` (part of `npx projen test`).
//
// Bottom to top; a folder may import its own layer's folder and any lower layer, never a higher one,
// and folders that share a layer never import each other:
//
//    0. errors                      BatchformError and its kinds (every layer throws it)
//    1. schedule                    schedule expressions: parse, check, next runs, describe
//    2. model                       option and validated types, defaults, names, limits, overrides
//    3. runtime                     the handler helper bundled into every batch (schedule, model only)
//    4. validate                    the rule catalogue: declarations to validated batches and stages
//    5. lint                        cfn-lint over generated templates
//    6. template                    batch templates (aws-cdk-lib, synthesized in memory)
//    7. bootstrap, bundle, manifest generators built on template (bootstrap template, zips, deploy manifest)
//    8. aws                         AWS SDK plumbing
//    9. deploy                      the change-set engine
//   10. workflows, operate, local   the GitHub workflows (sized from the deploy engine's defaults),
//                                   running batches in AWS, running them on this machine
//   11. projen, cli                 the edges: projen components and tasks, the command line
//
// `src/index.ts` and each folder's `index.ts` are public entry points, not layers: they re-export
// across folders (`batchform/template` also carries the manifest, lint, bootstrap and workflow
// builders) and only the top imports them that way.
const LAYERS = [
  ['errors'],
  ['schedule'],
  ['model'],
  ['runtime'],
  ['validate'],
  ['lint'],
  ['template'],
  ['bootstrap', 'bundle', 'manifest'],
  ['aws'],
  ['deploy'],
  ['workflows', 'operate', 'local'],
  ['projen', 'cli'],
];

/** A folder's public entry point (`src/<folder>/index.ts`), exempt from the layer rules as an importer. */
const ENTRY_POINT = '^src/[^/]+/index\\.ts$';
const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  const rules = [];
  if (above.length > 0) {
    rules.push({
      name: `layer-${layer.join('-')}`,
      comment: `${layer.join(', ')} (layer ${i}) may not import a higher layer (${above.join(', ')}) nor the main entry point`,
      severity: 'error',
      from: { path: folders(layer), pathNot: ENTRY_POINT },
      to: { path: [folders(above), '^src/index\\.ts$'] },
    });
  }
  if (layer.length > 1) {
    rules.push({
      name: `layer-${layer.join('-')}-siblings`,
      comment: `${layer.join(', ')} share layer ${i}: none imports another`,
      severity: 'error',
      from: { path: folders(layer), pathNot: ENTRY_POINT },
      to: { path: folders(layer), pathNot: '^src/$1/' },
    });
  }
  return rules;
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no module imports itself through others: move the shared piece down a layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'model-imports-no-folder',
      comment: 'src/model sits under every generator: it imports only src/schedule (the validated schedule type) and src/errors',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: ['^src/model/', '^src/schedule/', '^src/errors/'] },
    },
    {
      name: 'entry-points-from-the-top',
      comment: 'the template entry point re-exports manifest, lint, bootstrap and workflow builders: only the top imports it',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(projen|cli)/', '^src/index\\.ts$'] },
      to: { path: '^src/template/index\\.ts$' },
    },
    {
      name: 'no-construct-libraries-at-run-time',
      comment: 'the deploy engine, operations, AWS plumbing and the handler runtime never load aws-cdk-lib, constructs, projen or esbuild',
      severity: 'error',
      from: { path: '^src/(deploy|operate|aws|runtime)/' },
      to: { path: 'node_modules/(aws-cdk-lib|constructs|projen|esbuild)/' },
    },
    {
      name: 'no-aws-sdk-in-projen-glue',
      comment: 'projen components write files and tasks; they make no AWS calls',
      severity: 'error',
      from: { path: '^src/projen/' },
      to: { path: 'node_modules/@aws-sdk/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a layer may not even name a higher layer's types.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.dev.json' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
