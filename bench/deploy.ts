// Deploy: AWS calls and simulated wall time of deploying 50 batch stacks, batchform's engine side by
// side with what aws-actions/aws-cloudformation-github-deploy does per stack, against the same
// mocked AWS (aws-sdk-client-mock) on a virtual clock.
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand, DescribeChangeSetCommand,
  DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand, Parameter, Stack, Tag,
  waitUntilChangeSetCreateComplete, waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { batchTemplates, buildManifest } from '../src/template';
import { validateDeclarations } from '../src/validate';
import { bundleBatch, deterministicZip } from '../src/bundle';
import { sha256Hex } from '../src/model/hash';
import { DeployClients, deployStage, DeployInputs, loadDeployInputs, PreparedStack, WaitTiming } from '../src/deploy';
import { DEFAULT_CONCURRENCY } from '../src/deploy/defaults';
import { sha256Base64 } from '../src/deploy/upload';
import { DEFAULT_WAITS } from '../src/aws/waits';
import { formatRatio, formatStats, markdownTable, median, pairedRatios, progress, ratioNumber, ROOT, SectionResult, stats, Stats, tempDir } from './lib';
import { generatedBatch, generatedBatchOptions, STAGE } from './projects';
import { diffTemplates } from './simulated-aws';
import { onVirtualClock } from './virtual-clock';

/** Simulated AWS: every call takes this long (virtual time). */
export const LATENCY_MS = 50;
/** Simulated AWS: how long CloudFormation takes to compute a change set after CreateChangeSet. */
export const CHANGE_SET_MS = 5_000;
/** Simulated AWS: how long executing an update of one batch stack takes (function + rule). */
export const UPDATE_MS = 40_000;

/** The example handler every generated stack's zip is built from (its bytes do not matter here). */
const HANDLER = { handler: 'handlers/weekly-report.ts', runtime: 'nodejs24.x' };

// ---------------------------------------------------------------------------------------------
// A small model of CloudFormation and S3, behind aws-sdk-client-mock.

interface LiveStack {
  readonly name: string;
  readonly id: string;
  status: string;
  templateBody: string;
  parameters: string;
  tags: Tag[];
  /** The executed change set being applied, and when it ends (virtual ms). */
  pending?: { readonly endsAt: number; readonly templateBody: string; readonly parameters: string; readonly tags: Tag[] };
}

interface ChangeSetRecord {
  readonly stackName: string;
  readonly readyAt: number;
  readonly templateBody: string;
  readonly parameters: string;
  readonly tags: Tag[];
  readonly changed: boolean;
  readonly before: string;
}

/** Calls counted by operation, e.g. `CloudFormation.CreateChangeSet`. */
export type CallCounts = Record<string, number>;

const paramsKey = (ps: readonly Parameter[] | undefined): string =>
  JSON.stringify([...(ps ?? [])].map((p) => [p.ParameterKey, p.ParameterValue]).sort());

/**
 * Mocked CloudFormation and S3 clients over a model of `initial` live stacks. Every call waits
 * {@link LATENCY_MS} (on whatever clock `setTimeout` is: the virtual one during a run), then
 * answers from the model's state at that moment. S3 holds every code zip already.
 */
function fakeAws(initial: readonly PreparedStack[]) {
  const cloudFormation = new CloudFormationClient({ region: STAGE.region });
  const s3 = new S3Client({ region: STAGE.region });
  const cfn = mockClient(cloudFormation);
  const s3m = mockClient(s3);
  const calls: CallCounts = {};
  const stacks = new Map<string, LiveStack>();
  const changeSets = new Map<string, ChangeSetRecord>();
  const objects = new Map<string, string>();
  for (const p of initial) {
    stacks.set(p.stack.stackName, {
      name: p.stack.stackName,
      id: `arn:aws:cloudformation:${STAGE.region}:${STAGE.account}:stack/${p.stack.stackName}/00000000-0000-4000-8000-000000000000`,
      status: 'UPDATE_COMPLETE',
      templateBody: p.templateBody,
      parameters: paramsKey(Object.entries(p.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }))),
      tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })),
    });
    objects.set(p.code.key, sha256Base64(p.code.sha256));
  }
  const find = (nameOrId: string): LiveStack | undefined => stacks.get(/:stack\/([^/]+)\//.exec(nameOrId)?.[1] ?? nameOrId);
  const view = (s: LiveStack): Stack => {
    if (s.pending && Date.now() >= s.pending.endsAt) {
      Object.assign(s, { templateBody: s.pending.templateBody, parameters: s.pending.parameters, tags: s.pending.tags, status: 'UPDATE_COMPLETE', pending: undefined });
    }
    return { StackName: s.name, StackId: s.id, StackStatus: s.status as Stack['StackStatus'], CreationTime: new Date(0), Tags: s.tags };
  };
  const notFound = (name: string): Error => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
  const answer = <I, O>(operation: string, f: (input: I) => O) => async (input: I): Promise<O> => {
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    calls[operation] = (calls[operation] ?? 0) + 1;
    return f(input);
  };

  cfn.on(DescribeStacksCommand).callsFake(answer('CloudFormation.DescribeStacks', (input: { StackName?: string }) => {
    if (!input.StackName) return { Stacks: [...stacks.values()].map(view) };
    const s = find(input.StackName);
    if (!s) throw notFound(input.StackName);
    return { Stacks: [view(s)] };
  }));
  cfn.on(CreateChangeSetCommand).callsFake(answer('CloudFormation.CreateChangeSet',
    (input: { StackName: string; ChangeSetName: string; TemplateBody?: string; Parameters?: Parameter[]; Tags?: Tag[] }) => {
      const s = find(input.StackName);
      if (!s) throw notFound(input.StackName);
      const templateBody = input.TemplateBody ?? '';
      const parameters = paramsKey(input.Parameters);
      changeSets.set(`${s.name}/${input.ChangeSetName}`, {
        stackName: s.name, readyAt: Date.now() + CHANGE_SET_MS, templateBody, parameters, tags: input.Tags ?? [],
        changed: templateBody !== s.templateBody || parameters !== s.parameters, before: s.templateBody,
      });
      return { Id: `arn:aws:cloudformation:${STAGE.region}:${STAGE.account}:changeSet/${input.ChangeSetName}/1`, StackId: s.id };
    }));
  cfn.on(DescribeChangeSetCommand).callsFake(answer('CloudFormation.DescribeChangeSet', (input: { StackName: string; ChangeSetName: string }) => {
    const cs = changeSets.get(`${find(input.StackName)?.name}/${input.ChangeSetName}`);
    if (!cs) throw Object.assign(new Error(`ChangeSet [${input.ChangeSetName}] does not exist`), { name: 'ChangeSetNotFoundException' });
    if (Date.now() < cs.readyAt) return { Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE', Changes: [] };
    if (!cs.changed) {
      return { Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', Changes: [], StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set." };
    }
    return { Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: diffTemplates(cs.before, cs.templateBody) };
  }));
  cfn.on(ExecuteChangeSetCommand).callsFake(answer('CloudFormation.ExecuteChangeSet', (input: { StackName: string; ChangeSetName: string }) => {
    const s = find(input.StackName)!;
    const cs = changeSets.get(`${s.name}/${input.ChangeSetName}`)!;
    changeSets.delete(`${s.name}/${input.ChangeSetName}`);
    s.status = 'UPDATE_IN_PROGRESS';
    s.pending = { endsAt: Date.now() + UPDATE_MS, templateBody: cs.templateBody, parameters: cs.parameters, tags: cs.tags.length ? cs.tags : s.tags };
    return {};
  }));
  cfn.on(DeleteChangeSetCommand).callsFake(answer('CloudFormation.DeleteChangeSet', (input: { StackName: string; ChangeSetName: string }) => {
    changeSets.delete(`${find(input.StackName)?.name}/${input.ChangeSetName}`);
    return {};
  }));
  cfn.on(DescribeStackEventsCommand).callsFake(answer('CloudFormation.DescribeStackEvents', () => ({ StackEvents: [] })));
  s3m.on(HeadObjectCommand).callsFake(answer('S3.HeadObject', (input: { Key: string }) => {
    const checksum = objects.get(input.Key);
    if (checksum === undefined) throw new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'Not Found' });
    return { ChecksumSHA256: checksum };
  }));
  s3m.on(PutObjectCommand).callsFake(answer('S3.PutObject', (input: { Key: string; ChecksumSHA256?: string }) => {
    objects.set(input.Key, input.ChecksumSHA256 ?? '');
    return {};
  }));
  // The engine's pre-flight checks: the artifact bucket (HeadBucket) and, when a deploy raises
  // reserved concurrency, the account's Lambda concurrency.
  s3m.on(HeadBucketCommand).callsFake(answer('S3.HeadBucket', () => ({ BucketRegion: STAGE.region })));
  const lambda = new LambdaClient({ region: STAGE.region });
  const lambdam = mockClient(lambda);
  lambdam.on(GetAccountSettingsCommand).callsFake(answer('Lambda.GetAccountSettings', () => ({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
  })));
  return { clients: { cloudFormation, s3, lambda }, calls, restore: () => { cfn.restore(); s3m.restore(); lambdam.restore(); } };
}

// ---------------------------------------------------------------------------------------------
// The two contenders.

/**
 * What aws-actions/aws-cloudformation-github-deploy does for one stack (src/deploy.ts and
 * src/main.ts): DescribeStacks; CreateChangeSet; wait for it (DescribeChangeSet polls); when it
 * fails, DescribeChangeSet + DeleteChangeSet (no-op with `no-fail-on-empty-changeset`), else
 * ExecuteChangeSet and wait for the update (DescribeStacks polls); then DescribeStacks for the
 * outputs. One stack after another: one action step per stack.
 */
async function baselineDeploy(cfn: CloudFormationClient, inputs: DeployInputs, waits: { changeSet: WaitTiming; stack: WaitTiming }): Promise<void> {
  for (const p of inputs.stacks) {
    const name = p.stack.stackName;
    const described = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stackId = described.Stacks![0].StackId!;
    const cs = { StackName: name, ChangeSetName: `${name}-CS` };
    await cfn.send(new CreateChangeSetCommand({
      ...cs,
      TemplateBody: p.templateBody,
      Parameters: Object.entries(p.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      RoleARN: inputs.stage.executionRoleArn,
      Tags: Object.entries(p.stack.tags).map(([Key, Value]) => ({ Key, Value })),
    }));
    let failed = false;
    try {
      await waitUntilChangeSetCreateComplete({ client: cfn, ...waits.changeSet }, cs);
    } catch {
      failed = true;
    }
    if (failed) {
      const status = await cfn.send(new DescribeChangeSetCommand(cs));
      await cfn.send(new DeleteChangeSetCommand(cs));
      if (!/didn't contain changes|No updates are to be performed/.test(status.StatusReason ?? '')) {
        throw new Error(`baseline: change set of ${name} failed: ${status.StatusReason}`);
      }
    } else {
      await cfn.send(new ExecuteChangeSetCommand(cs));
      await waitUntilStackUpdateComplete({ client: cfn, ...waits.stack }, { StackName: stackId });
    }
    await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
  }
}

/** batchform's engine, in deploy mode with its defaults (concurrency, waits). */
async function batchformDeploy(clients: DeployClients, inputs: DeployInputs): Promise<void> {
  const result = await deployStage(inputs, { mode: 'deploy', clients, revision: 'bench00' });
  if (!result.ok) throw new Error(`bench: batchform deploy failed: ${JSON.stringify(result.stacks.filter((s) => s.outcome === 'failed'))}`);
}

// ---------------------------------------------------------------------------------------------
// The project: N generated batches, real batchform templates and manifest, real-looking zips.

/** Writes cfn-out/ (templates + manifest) and dist/batches/ (zips + bundles.json) for `count` batches. */
export async function writeProject(dir: string, count: number): Promise<void> {
  const batches = Array.from({ length: count }, (_, i) => generatedBatchOptions(generatedBatch(i)));
  const validated = validateDeclarations({ batches: batches as never, stages: [STAGE] }, { projectDir: dir, fileExists: () => true });
  const templates = batchTemplates(validated.batches);
  fs.mkdirSync(path.join(dir, 'cfn-out'), { recursive: true });
  for (const [name, t] of Object.entries(templates)) fs.writeFileSync(path.join(dir, 'cfn-out', `${name}.template.json`), `${JSON.stringify(t, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'cfn-out', 'manifest.json'), `${JSON.stringify(buildManifest(validated, 'cfn-out'), null, 2)}\n`);
  // One real bundle, zipped per batch with the batch name added, so every zip (and key) differs.
  const bundle = await bundleBatch({ name: 'handler', ...HANDLER }, { projectDir: ROOT, outdir: path.join(dir, 'build') });
  const js = fs.readFileSync(path.resolve(ROOT, bundle.files[0].path));
  fs.mkdirSync(path.join(dir, 'dist', 'batches'), { recursive: true });
  const bundles = [];
  for (const b of validated.batches) {
    const zip = await deterministicZip([{ name: 'index.js', data: Buffer.concat([js, Buffer.from(`\n// ${b.name}\n`)]) }]);
    const rel = `dist/batches/${b.name}.zip`;
    fs.writeFileSync(path.join(dir, rel), zip);
    bundles.push({ batch: b.name, zip: rel, sha256: sha256Hex(zip), size: zip.length, bundleSize: js.length });
  }
  fs.writeFileSync(path.join(dir, 'dist', 'batches', 'bundles.json'), `${JSON.stringify({ version: 1, bundles }, null, 2)}\n`);
}

/** Changes the schedule of the first `n` batches in their templates and the manifest (a typical edit). */
export function changeSchedules(dir: string, n: number): void {
  const manifestFile = path.join(dir, 'cfn-out', 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { batches: Array<{ name: string; template: string; schedule: string }> };
  for (const b of manifest.batches.slice(0, n)) {
    const file = path.join(dir, b.template);
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: { Schedule: { Properties: { ScheduleExpression: string } } } };
    b.schedule = 'cron(30 4 * * ? *)';
    t.Resources.Schedule.Properties.ScheduleExpression = b.schedule;
    fs.writeFileSync(file, `${JSON.stringify(t, null, 2)}\n`);
  }
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** One scenario's numbers for one contender. */
export interface ContenderResult {
  readonly ms: Stats;
  readonly calls: CallCounts;
  readonly total: number;
  readonly changeSetCalls: number;
}

/** One scenario: how many stacks changed, and each contender's numbers. */
export interface DeployRow {
  readonly label: string;
  readonly changed: number;
  readonly batchform: ContenderResult;
  /** The action's flow with the same waiters as batchform. */
  readonly baseline: ContenderResult;
  /** The action's flow with its own aws-sdk v2 polling (30 s). */
  readonly baselineV2: ContenderResult;
  /** batchform / baseline simulated time, paired per repetition. */
  readonly timeRatio: Stats;
}

/** The raw numbers of the deploy section (read by the analysis). */
export interface DeployRaw {
  readonly stacks: number;
  readonly concurrency: number;
  readonly rows: DeployRow[];
}

const CHANGE_SET_OPS = ['CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet'].map((o) => `CloudFormation.${o}`);

/** Options of {@link runDeploy}. */
export interface DeployBenchOptions {
  readonly stacks: number;
  readonly repetitions: number;
}

/** Runs the three scenarios for both contenders and renders the section. */
export async function runDeploy(options: DeployBenchOptions): Promise<SectionResult> {
  const work = tempDir('deploy');
  try {
    progress(`deploy: generating ${options.stacks} batch stacks`);
    const base = path.join(work, 'base');
    await writeProject(base, options.stacks);
    const deployed = loadDeployInputs({ stage: STAGE.name, projectDir: base }).stacks;
    const scenarios = [
      { label: 'no-op deploy', changed: 0 },
      { label: `${Math.min(5, options.stacks)} stacks changed`, changed: Math.min(5, options.stacks) },
      { label: `all ${options.stacks} changed`, changed: options.stacks },
    ];
    const waits = { changeSet: DEFAULT_WAITS.changeSet, stack: DEFAULT_WAITS.stack };
    // The action as shipped (aws-sdk v2 waiters: a poll every 30 s) for reference.
    const v2Waits = { changeSet: { minDelay: 30, maxDelay: 30, maxWaitTime: 3600 }, stack: { minDelay: 30, maxDelay: 30, maxWaitTime: 3600 } };
    const rows: DeployRow[] = [];
    for (const sc of scenarios) {
      const dir = path.join(work, `changed-${sc.changed}`);
      fs.cpSync(base, dir, { recursive: true });
      changeSchedules(dir, sc.changed);
      const inputs = loadDeployInputs({ stage: STAGE.name, projectDir: dir });
      const contenders = {
        batchform: (c: ReturnType<typeof fakeAws>) => batchformDeploy(c.clients, inputs),
        baseline: (c: ReturnType<typeof fakeAws>) => baselineDeploy(c.clients.cloudFormation, inputs, waits),
        baselineV2: (c: ReturnType<typeof fakeAws>) => baselineDeploy(c.clients.cloudFormation, inputs, v2Waits),
      };
      const results: Record<string, { ms: number[]; calls: CallCounts[] }> = {};
      for (let rep = 0; rep < options.repetitions; rep++) {
        for (const [name, run] of Object.entries(contenders)) {
          const aws = fakeAws(deployed);
          try {
            // The same seed for every contender of a repetition: the same jitter draws.
            const ms = await onVirtualClock(rep + 1, () => run(aws));
            results[name] ??= { ms: [], calls: [] };
            results[name].ms.push(ms);
            results[name].calls.push(aws.calls);
          } finally {
            aws.restore();
          }
        }
      }
      const summarize = (r: { ms: number[]; calls: CallCounts[] }): ContenderResult => {
        const ops = [...new Set(r.calls.flatMap((c) => Object.keys(c)))];
        const total = (c: CallCounts): number => Object.values(c).reduce((a, b) => a + b, 0);
        const changeSet = (c: CallCounts): number => CHANGE_SET_OPS.reduce((n, op) => n + (c[op] ?? 0), 0);
        return {
          ms: stats(r.ms.map((v) => v / 1000)),
          calls: Object.fromEntries(ops.map((op) => [op, median(r.calls.map((c) => c[op] ?? 0))])),
          total: median(r.calls.map(total)),
          changeSetCalls: median(r.calls.map(changeSet)),
        };
      };
      const bf = summarize(results.batchform);
      const bl = summarize(results.baseline);
      const v2 = summarize(results.baselineV2);
      progress(`deploy ${sc.label}: batchform ${bf.total} calls ${bf.ms.median.toFixed(1)} s; baseline ${bl.total} calls ${bl.ms.median.toFixed(1)} s`);
      rows.push({ ...sc, batchform: bf, baseline: bl, baselineV2: v2, timeRatio: stats(pairedRatios(results.batchform.ms, results.baseline.ms)) });
    }

    const calls = (c: ContenderResult): string => `${Math.round(c.total)} (${Math.round(c.changeSetCalls)} change-set)`;
    const summary = rows.flatMap((r) => [
      [`Deploy ${options.stacks} stacks, ${r.label}: AWS calls`, calls(r.batchform), calls(r.baseline), `${ratioNumber(r.batchform.total / r.baseline.total)}×`, 'fewer'],
      [`Deploy ${options.stacks} stacks, ${r.label}: simulated time`, formatStats(r.batchform.ms, 's', 1), formatStats(r.baseline.ms, 's', 1), formatRatio(r.timeRatio), 'faster'],
    ]);
    const opNames = [...new Set(rows.flatMap((r) => [...Object.keys(r.batchform.calls), ...Object.keys(r.baseline.calls)]))].sort();
    const table = markdownTable(
      ['Scenario', 'batchform calls', 'baseline calls', 'batchform time', 'baseline time (same waiters)', 'baseline time (action as shipped: 30 s polls)', 'time ratio'],
      rows.map((r) => [r.label, calls(r.batchform), calls(r.baseline), formatStats(r.batchform.ms, 's', 1), formatStats(r.baseline.ms, 's', 1), formatStats(r.baselineV2.ms, 's', 0), formatRatio(r.timeRatio)]),
    );
    const perOp = markdownTable(
      ['Operation', ...rows.flatMap((r) => [`batchform, ${r.label}`, `baseline, ${r.label}`])],
      opNames.map((op) => [op.replace('CloudFormation.', ''), ...rows.flatMap((r) => [String(Math.round(r.batchform.calls[op] ?? 0)), String(Math.round(r.baseline.calls[op] ?? 0))])]),
    );
    const details = `${table}

Calls per operation (medians; the number of polls depends on the waiters' jitter):

${perOp}

- **Simulated AWS**: \`aws-sdk-client-mock\` on both SDK clients, answering from a small model of
  CloudFormation (stacks, change sets, executions) and S3 (every code zip already stored with its
  SHA-256 checksum). Every call takes ${LATENCY_MS} ms; a change set is computed ${CHANGE_SET_MS / 1000} s after
  CreateChangeSet (a change set with no changes FAILs with CloudFormation's "didn't contain
  changes" reason); an executed update completes ${UPDATE_MS / 1000} s later. Time is virtual
  (\`@sinonjs/fake-timers\` drives \`setTimeout\` and \`Date\`, jumping to the next timer), so these
  durations are realistic yet the runs take milliseconds. The spread comes from the SDK waiters'
  random jitter; \`Math.random\` is seeded per repetition (the same draws for every contender), so
  these numbers are the same on every run of the bench (${options.repetitions} repetitions).
- **Start state**: ${options.stacks} stacks deployed from this commit's generated templates (real
  batchform templates, ${options.stacks} generated batches) with their fingerprint tags. "Changed"
  stacks get a new schedule expression in template and manifest.
- **batchform**: \`deployStage(loadDeployInputs(...), { mode: 'deploy' })\` with its defaults:
  concurrency ${DEFAULT_CONCURRENCY}, waiters ${JSON.stringify(DEFAULT_WAITS.changeSet)} s for change sets and
  ${JSON.stringify(DEFAULT_WAITS.stack)} s for stacks. Its one DescribeStacks lists every stack; stacks
  whose fingerprint tag matches make no other call; the others check their code zip in S3
  (HeadObject) and run one change set each.
- **baseline**: what aws-actions/aws-cloudformation-github-deploy does for one stack, once per
  stack, one after another (one workflow step per stack): DescribeStacks, CreateChangeSet, wait
  (DescribeChangeSet polls), then DescribeChangeSet + DeleteChangeSet when the change set is
  empty, or ExecuteChangeSet and wait (DescribeStacks polls), then DescribeStacks for the outputs.
  It uses the same SDK v3 waiters with the same timings as batchform, so the difference is the
  design (skip unchanged stacks, run stacks in parallel), not polling. The action as shipped uses
  aws-sdk v2 waiters that poll every 30 s; its column uses that.
- It does not upload code (a workflow would add an \`aws s3 cp\` per zip); batchform's HeadObject
  calls are included in its counts.`;
    const raw: DeployRaw = { stacks: options.stacks, concurrency: DEFAULT_CONCURRENCY, rows };
    return { title: 'Deploy', summary, details, raw };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
