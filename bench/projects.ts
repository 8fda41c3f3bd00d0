// Throwaway projects for the regenerate measurement: the same N scheduled batches declared with
// batchform in a projen project, and written as a CDK app the way a CDK user would (L2
// constructs), plus an empty projen project as the floor. batchform comes from its npm package,
// installed as npm installs it, so every measurement runs what a user runs.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { benchEnv, linkNodeModules, ROOT, tempDir, timeCommand, writeFiles } from './lib';

let tarball: string | undefined;

/** This repository's library packed as npm publishes it (`lib/` compiled first), once per bench run. */
export function packedLibrary(): string {
  if (tarball === undefined) {
    const work = tempDir('pack');
    // Throws, with the compiler's output, if lib/ does not compile.
    timeCommand('npx', ['projen', 'compile'], { cwd: ROOT, env: benchEnv() });
    const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`bench: npm pack failed: ${packed.stderr}`);
    tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
    process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
  }
  return tarball;
}

/**
 * node_modules as npm leaves it after \`npm install batchform\`: the packed library unpacked into
 * node_modules/batchform with its \`batchform\` command in node_modules/.bin, next to links to every
 * other package of this repository. One copy of projen serves both .projenrc.ts and batchform, as
 * in a user's project (a link to this repository's src/ would load a second projen).
 */
export function installBatchform(dir: string): void {
  const modules = path.join(dir, 'node_modules');
  const bin = path.join(modules, '.bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const e of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (e !== 'batchform' && e !== '.bin') fs.symlinkSync(path.join(ROOT, 'node_modules', e), path.join(modules, e), 'dir');
  }
  for (const e of fs.readdirSync(path.join(ROOT, 'node_modules', '.bin'))) {
    fs.symlinkSync(fs.readlinkSync(path.join(ROOT, 'node_modules', '.bin', e)), path.join(bin, e));
  }
  fs.mkdirSync(path.join(modules, 'batchform'));
  const r = spawnSync('tar', ['xzf', packedLibrary(), '-C', path.join(modules, 'batchform'), '--strip-components=1']);
  if (r.status !== 0) throw new Error(`bench: could not unpack ${packedLibrary()}: ${r.stderr}`);
  const cli = path.join(modules, 'batchform', 'lib', 'cli', 'main.js');
  fs.chmodSync(cli, 0o755);
  fs.symlinkSync('../batchform/lib/cli/main.js', path.join(bin, 'batchform'));
}

/** One generated batch: enough variety (VPC or not, schedules, environment) to be realistic. */
export interface GeneratedBatch {
  readonly name: string;
  readonly schedule: string;
  readonly vpc: boolean;
  readonly timeout: number;
  readonly memorySize: number;
}

/** The i-th generated batch (0-based); every third one runs in the VPC. */
export function generatedBatch(i: number): GeneratedBatch {
  return {
    name: `job-${String(i + 1).padStart(3, '0')}`,
    schedule: `cron(${(i * 7) % 60} ${i % 24} * * ? *)`,
    vpc: i % 3 === 0,
    timeout: 60 + (i % 10) * 30,
    memorySize: 256 * (1 + (i % 4)),
  };
}

/** The same stage values as the repository's own .projenrc.ts (AWS documentation ids). */
export const STAGE = {
  name: 'prod',
  account: '111122223333',
  region: 'ap-northeast-2',
  artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};

/** A tiny handler: what each batch's code is in every generated project. */
const HANDLER = (name: string): string =>
  `export const handler = async (): Promise<{ batch: string }> => ({ batch: '${name}' });\n`;

/**
 * A handler of its own for the i-th batch, as a real batch would be: it uses `pg` and batchform's
 * runtime helper (imported from this repository's source), and its query and log differ per
 * batch, so every bundle is distinct.
 */
export const DISTINCT_HANDLER = (name: string, i: number): string => `import { Client } from 'pg';
import { batch } from 'batchform/runtime';

export const handler = batch(async (run) => {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query('SELECT $1::int AS job, $2::text AS name, now() - make_interval(mins => $1) AS since', [${i + 1}, '${name}']);
    run.logger.info('${name} done', { rows: result.rowCount, scheduled: run.time.toISOString() });
    return { job: ${i + 1}, rows: result.rowCount };
  } finally {
    await client.end();
  }
});
`;

/** projen options shared by the empty and the batchform project, so their difference is batchform. */
const PROJEN_PROJECT = (name: string, devDeps: readonly string[] = []): string => `new typescript.TypeScriptProject({
  name: '${name}',
  devDeps: ${JSON.stringify(devDeps)},
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenrcTsOptions: { runner: TypeScriptRunner.tsx() },
  github: false,
  eslint: false,
  release: false,
  sampleCode: false,
})`;

const PROJEN_IMPORTS = `import { javascript, typescript } from 'projen';
import { TypeScriptRunner } from 'projen/lib/typescript';
`;

/** An empty projen TypeScript project: the floor of any regeneration. */
export function createEmptyProject(): string {
  const dir = tempDir('empty');
  writeFiles(dir, {
    '.projenrc.ts': `${PROJEN_IMPORTS}
const project = ${PROJEN_PROJECT('bench-empty')};
project.synth();
`,
  });
  linkNodeModules(dir);
  return dir;
}

/** The batch declaration (batchform's `BatchOptions`) of a generated batch. */
export function generatedBatchOptions(b: GeneratedBatch): Record<string, unknown> {
  return {
    name: b.name,
    description: `Generated batch ${b.name}`,
    handler: `handlers/${b.name}.ts`,
    schedule: b.schedule,
    vpc: b.vpc,
    timeout: b.timeout,
    memorySize: b.memorySize,
    environment: { JOB_NAME: b.name },
  };
}

/** Options of the generated projects. */
export interface ProjectOptions {
  /** Every batch gets its own {@link DISTINCT_HANDLER} (pg + the runtime helper) instead of a tiny one. */
  readonly distinctHandlers?: boolean;
}

/** A projen project declaring `count` batches with batchform, one handler file each. */
export function createBatchformProject(count: number, options: ProjectOptions = {}): string {
  const dir = tempDir(`batchform-${count}`);
  const batches = Array.from({ length: count }, (_, i) => generatedBatch(i));
  writeFiles(dir, {
    '.projenrc.ts': `${PROJEN_IMPORTS}import { Batchform } from 'batchform';

const project = ${PROJEN_PROJECT(`bench-batchform-${count}`, ['batchform'])};
new Batchform(project, {
  stages: [${JSON.stringify(STAGE)}],
  batches: ${JSON.stringify(batches.map(generatedBatchOptions), null, 2)},
});
project.synth();
`,
    ...Object.fromEntries(batches.map((b, i) => [`handlers/${b.name}.ts`, options.distinctHandlers ? DISTINCT_HANDLER(b.name, i) : HANDLER(b.name)])),
  });
  installBatchform(dir);
  return dir;
}

/**
 * A CDK app with `count` stacks, one per batch, written as a CDK user would: L2 `lambda.Function`
 * with its `logs.LogGroup`, an `events.Rule` with a `targets.LambdaFunction` target, and the same
 * operations resources batchform generates (dead-letter queue, async retry config, four alarms).
 * Code comes from `lambda.Code.fromAsset` of a tiny directory per batch, so synth stages (copies
 * and hashes) one asset per stack: what a CDK user with prebuilt handler code pays. With
 * `distinctHandlers`, each function is instead a `NodejsFunction` of its own TypeScript handler
 * ({@link DISTINCT_HANDLER}), bundled by esbuild at synth, one bundle per function: what a CDK user
 * writing TypeScript handlers pays.
 */
export function createCdkApp(count: number, options: ProjectOptions = {}): string {
  const dir = tempDir(`cdk-${count}`);
  const nodejs = options.distinctHandlers ?? false;
  const batches = Array.from({ length: count }, (_, i) => generatedBatch(i));
  writeFiles(dir, {
    'cdk.json': JSON.stringify({ app: 'npx tsx app.ts' }, null, 2) + '\n',
    'app.ts': `import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
${nodejs ? "import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';\n" : ''}import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

interface BatchProps extends StackProps {
  readonly name: string;
  readonly schedule: string;
  readonly vpc: boolean;
  readonly timeout: number;
  readonly memorySize: number;
}

const STAGE = ${JSON.stringify(STAGE)};

class BatchStack extends Stack {
  constructor(scope: Construct, id: string, props: BatchProps) {
    super(scope, id, props);
    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_MONTH });
    const deadLetters = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const network = props.vpc ? {
      vpc: ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'],
        privateSubnetIds: STAGE.subnetIds,
        privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60718', 'rtb-0f1e2d3c4b5a69788'],
      }),
      securityGroups: STAGE.securityGroupIds.map((sg, i) => ec2.SecurityGroup.fromSecurityGroupId(this, 'Sg' + i, sg)),
    } : {};
    const fn = new ${nodejs ? 'NodejsFunction' : 'lambda.Function'}(this, 'Function', {
      functionName: id,
      description: 'Generated batch ' + props.name,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
${nodejs ? `      entry: 'handlers/' + props.name + '.ts',
      handler: 'handler',
      projectRoot: __dirname,
      depsLockFilePath: 'package-lock.json',
      // pg's optional native binding is left out, as batchform's bundles leave it out.
      bundling: { externalModules: ['@aws-sdk/*', 'pg-native'] },` : `      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/' + props.name),`}
      memorySize: props.memorySize,
      timeout: Duration.seconds(props.timeout),
      reservedConcurrentExecutions: 1,
      environment: { JOB_NAME: props.name },
      logGroup,
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(deadLetters),
      ...network,
    });
    const rule = new events.Rule(this, 'Schedule', {
      ruleName: id,
      schedule: events.Schedule.expression(props.schedule),
      targets: [new targets.LambdaFunction(fn, {
        deadLetterQueue: deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      })],
    });
    // Alarm on any data point above zero, no data being fine: the failed-run, delivery and dead-letter alarms.
    const anyDatapoint = {
      threshold: 1, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    fn.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, 'FailedRunAlarm', anyDatapoint);
    fn.metricInvocations({ period: Duration.days(1) }).createAlarm(this, 'MissedRunAlarm', {
      threshold: 1, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    new cloudwatch.Metric({
      namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName },
      statistic: 'Sum', period: Duration.minutes(5),
    }).createAlarm(this, 'DeliveryFailedAlarm', anyDatapoint);
    deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }).createAlarm(this, 'DeadLettersAlarm', anyDatapoint);
  }
}

const BATCHES: BatchProps[] = ${JSON.stringify(batches)};
const app = new App();
for (const b of BATCHES) new BatchStack(app, STAGE.name + '-' + b.name, b);
app.synth();
`,
    ...(nodejs
      ? {
        'package-lock.json': '{ "name": "bench-cdk", "lockfileVersion": 3, "requires": true, "packages": {} }\n',
        ...Object.fromEntries(batches.map((b, i) => [`handlers/${b.name}.ts`, DISTINCT_HANDLER(b.name, i)])),
      }
      : Object.fromEntries(batches.map((b) => [`handlers/${b.name}/index.js`,
        `exports.handler = async () => ({ batch: '${b.name}' });\n`]))),
  });
  // Its handlers import batchform's runtime helper, from the same installed package.
  if (nodejs) installBatchform(dir);
  else linkNodeModules(dir);
  return dir;
}
