// Deploy time against the job timeout: the deploy engine with its real SDK clients (adaptive retry,
// waiters) deploys and previews N changed stacks at several concurrencies against a simulated AWS
// with CloudFormation-like durations and API throttling, on a virtual clock, and the simulated time
// is set against the job timeouts of src/workflows/job-timeouts.ts. Fails the bench when 100 changed
// stacks at the default concurrency do not fit, or when a measured per-stack time exceeds the
// budget those timeouts assume.
import * as fs from 'fs';
import * as path from 'path';
import { deployStage, DeployInputs, DeployMode, loadDeployInputs, PreparedStack } from '../src/deploy';
import { DEFAULT_CONCURRENCY } from '../src/deploy/defaults';
import {
  DEPLOY_SLOWEST_STACK_MINUTES, DEPLOY_STACK_MINUTES, deployJobTimeoutMinutes, GITHUB_JOB_TIMEOUT_CAP_MINUTES, JOB_SETUP_MINUTES,
  MIN_JOB_TIMEOUT_MINUTES, PREVIEW_SLOWEST_STACK_MINUTES, PREVIEW_STACK_MINUTES, previewJobTimeoutMinutes, SAFETY_FACTOR,
} from '../src/workflows/job-timeouts';
import { changeSchedules, writeProject } from './deploy';
import { markdownTable, median, progress, SectionResult, tempDir } from './lib';
import { STAGE } from './projects';
import { ApiRate, SimulatedAws, SimulatedAwsModel } from './simulated-aws';
import { onVirtualClock } from './virtual-clock';

/** CloudFormation operations the engine reads with, and those it changes things with. */
const READ_OPERATIONS = ['DescribeStacks', 'DescribeChangeSet', 'DescribeStackEvents', 'DescribeStackDriftDetectionStatus', 'DescribeStackResourceDrifts'];
const WRITE_OPERATIONS = ['CreateChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet', 'DeleteStack', 'DetectStackDrift'];

/**
 * Estimated per-account, per-region rate of each CloudFormation operation. AWS does not publish
 * them (its support calls them internal), so these are estimates: 5 reads a second is what users
 * report for DescribeStacks, and the writes are assumed slower.
 */
export const READ_RATE: ApiRate = { perSecond: 5, burst: 10 };
export const WRITE_RATE: ApiRate = { perSecond: 2, burst: 5 };

/** The simulated account's behaviour, with the API rates scaled by `rateScale` (0.5: half the estimates). */
export function cloudFormationModel(rateScale = 1): SimulatedAwsModel {
  const scaled = (r: ApiRate): ApiRate => ({ perSecond: r.perSecond * rateScale, burst: Math.max(1, Math.round(r.burst * rateScale)) });
  return {
    readLatencyMs: 150,
    writeLatencyMs: 400,
    changeSetSeconds: [10, 30],
    createSeconds: { plain: [60, 180], vpc: [120, 300] },
    updateSeconds: { plain: [30, 60], vpc: [40, 90] },
    driftSeconds: [10, 40],
    cloudFormationRates: Object.fromEntries([
      ...READ_OPERATIONS.map((o) => [o, scaled(READ_RATE)]),
      ...WRITE_OPERATIONS.map((o) => [o, scaled(WRITE_RATE)]),
    ]),
  };
}

/** What the stage starts from and what the run does. */
interface Scenario {
  readonly id: 'create' | 'update' | 'preview';
  readonly label: string;
  readonly mode: DeployMode;
  /** Whether the stacks exist before the run (their previous templates deployed, their zips in S3). */
  readonly existing: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'create', label: 'Deploy, first time (every stack created)', mode: 'deploy', existing: false },
  { id: 'update', label: 'Deploy, every stack changed (its function and schedule updated)', mode: 'deploy', existing: true },
  { id: 'preview', label: 'Preview, every stack changed (change sets and drift detection)', mode: 'preview', existing: true },
];

/** One simulated run. */
interface Run {
  readonly minutes: number;
  readonly calls: number;
  readonly throttled: number;
  /** Stacks the engine reported failed (every stack when it could not even list them). */
  readonly failed: number;
  /** Each stack's own minutes (see `SimulatedTraffic.stackSeconds`). */
  readonly stackMinutes: readonly number[];
}

/** One cell of the tables: a scenario, a stack count and a concurrency, over the repetitions. */
export interface TimeoutCell {
  readonly scenario: Scenario['id'];
  readonly stacks: number;
  readonly concurrency: number;
  readonly rateScale: number;
  /** Simulated minutes of each repetition. */
  readonly minutes: number[];
  readonly throttled: number[];
  readonly calls: number[];
  readonly failed: number[];
  readonly stackMeanMinutes: number;
  readonly stackMaxMinutes: number;
}

/** The raw numbers of the section. */
export interface TimeoutsRaw {
  readonly defaultConcurrency: number;
  readonly cells: TimeoutCell[];
}

/** Options of {@link runTimeouts}. */
export interface TimeoutsOptions {
  /** Changed stacks per run; 100 is always measured (the bench's check). */
  readonly sizes: readonly number[];
  /** Concurrencies; the default concurrency is always measured. */
  readonly concurrencies: readonly number[];
  /** Runs per cell, each with its own seed (other durations, other SDK jitter). */
  readonly repetitions: number;
}

const CHECKED_STACKS = 100;

async function simulate(scenario: Scenario, inputs: DeployInputs, deployed: readonly PreparedStack[], concurrency: number, seed: number, rateScale: number): Promise<Run> {
  const aws = new SimulatedAws({ model: cloudFormationModel(rateScale), deployed: scenario.existing ? deployed : [], seed });
  let failed = 0;
  const ms = await onVirtualClock(seed, async () => {
    try {
      const result = await deployStage(inputs, { mode: scenario.mode, clients: aws.clients(), concurrency, revision: 'bench00' });
      failed = result.stacks.filter((s) => s.outcome === 'failed').length;
    } catch (e) {
      // The stacks could not even be listed (throttled past the SDK's retries): every stack failed.
      progress(`timeouts: ${scenario.id} of ${inputs.stacks.length} stacks at concurrency ${concurrency} stopped: ${(e as Error).message}`);
      failed = inputs.stacks.length;
    }
  });
  const t = aws.traffic;
  const sum = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
  return { minutes: ms / 60_000, calls: sum(t.calls), throttled: sum(t.throttled), failed, stackMinutes: t.stackSeconds.map((s) => s / 60) };
}

function jobTimeout(scenario: Scenario['id'], stacks: number, concurrency = DEFAULT_CONCURRENCY): number {
  return scenario === 'preview' ? previewJobTimeoutMinutes(stacks, concurrency) : deployJobTimeoutMinutes(stacks, concurrency);
}

/** The timeout-minutes the generated workflow gives each job today, for comparison. */
const FIXED_TIMEOUT = { create: 60, update: 60, preview: 30 } as const;

const maxOf = (xs: readonly number[]): number => Math.max(...xs);

/** Runs every scenario × size × concurrency, renders the section, and checks the 100-stack case. */
export async function runTimeouts(options: TimeoutsOptions): Promise<SectionResult> {
  const sizes = [...new Set([...options.sizes, CHECKED_STACKS])].sort((a, b) => a - b);
  const concurrencies = [...new Set([...options.concurrencies, DEFAULT_CONCURRENCY])].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1];
  const work = tempDir('timeouts');
  try {
    progress(`timeouts: generating ${largest} batch stacks`);
    const base = path.join(work, 'base');
    await writeProject(base, largest);
    const deployed = loadDeployInputs({ stage: STAGE.name, projectDir: base }).stacks;
    const changedDir = path.join(work, 'changed');
    fs.cpSync(base, changedDir, { recursive: true });
    changeSchedules(changedDir, largest);
    const changed = loadDeployInputs({ stage: STAGE.name, projectDir: changedDir });
    const first = (n: number): DeployInputs => ({ ...changed, stacks: changed.stacks.slice(0, n) });

    const cells: TimeoutCell[] = [];
    const measure = async (scenario: Scenario, stacks: number, concurrency: number, rateScale: number): Promise<TimeoutCell> => {
      const runs: Run[] = [];
      for (let rep = 0; rep < options.repetitions; rep++) {
        runs.push(await simulate(scenario, first(stacks), deployed.slice(0, stacks), concurrency, rep + 1, rateScale));
      }
      const perStack = runs.flatMap((r) => r.stackMinutes);
      const cell: TimeoutCell = {
        scenario: scenario.id, stacks, concurrency, rateScale,
        minutes: runs.map((r) => r.minutes), throttled: runs.map((r) => r.throttled), calls: runs.map((r) => r.calls), failed: runs.map((r) => r.failed),
        stackMeanMinutes: perStack.reduce((a, b) => a + b, 0) / perStack.length,
        stackMaxMinutes: maxOf(perStack),
      };
      progress(`timeouts: ${scenario.id} ${stacks} stacks, concurrency ${concurrency}${rateScale !== 1 ? `, rates ×${rateScale}` : ''}: ` +
        `${median(cell.minutes).toFixed(1)} min, ${median(cell.throttled)} throttled, ${maxOf(cell.failed)} failed`);
      cells.push(cell);
      return cell;
    };
    for (const scenario of SCENARIOS) {
      for (const n of sizes) for (const c of concurrencies) await measure(scenario, n, c, 1);
    }
    // Other traffic in the account, or lower limits than estimated: the checked case at half and a quarter of the rates.
    const sensitivity: TimeoutCell[] = [];
    for (const scale of [0.5, 0.25]) {
      for (const n of [CHECKED_STACKS, largest].filter((x, i, all) => all.indexOf(x) === i)) {
        sensitivity.push(await measure(SCENARIOS[0], n, DEFAULT_CONCURRENCY, scale));
      }
    }

    const at = (s: Scenario['id'], n: number, c: number, scale = 1): TimeoutCell =>
      cells.find((x) => x.scenario === s && x.stacks === n && x.concurrency === c && x.rateScale === scale)!;
    const problems = check(cells, at);

    const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
    const cellText = (cell: TimeoutCell): string => {
      const over = maxOf(cell.minutes) > jobTimeout(cell.scenario, cell.stacks, cell.concurrency) - JOB_SETUP_MINUTES ? ' **over**' : '';
      const failed = maxOf(cell.failed) ? `, ${maxOf(cell.failed)} failed` : '';
      return `${fmt(median(cell.minutes))} (${median(cell.throttled)})${failed}${over}`;
    };
    const scenarioTable = (s: Scenario): string => markdownTable(
      ['Changed stacks', ...concurrencies.map((c) => `concurrency ${c}${c === DEFAULT_CONCURRENCY ? ' (default)' : ''}`),
        `job timeout at ${DEFAULT_CONCURRENCY}`, 'timeout today'],
      sizes.map((n) => [String(n), ...concurrencies.map((c) => cellText(at(s.id, n, c))), `${jobTimeout(s.id, n)} min`, `${FIXED_TIMEOUT[s.id]} min`]),
    );
    const perStack = markdownTable(
      ['Scenario', 'mean per stack', 'slowest stack', 'budget per stack', 'slowest-stack budget'],
      SCENARIOS.map((s) => {
        const of = cells.filter((x) => x.scenario === s.id && x.rateScale === 1);
        const mean = median(of.filter((x) => x.stacks >= 10).map((x) => x.stackMeanMinutes));
        const preview = s.id === 'preview';
        return [s.label, `${mean.toFixed(2)} min`, `${maxOf(of.map((x) => x.stackMaxMinutes)).toFixed(2)} min`,
          `${preview ? PREVIEW_STACK_MINUTES : DEPLOY_STACK_MINUTES} min`, `${preview ? PREVIEW_SLOWEST_STACK_MINUTES : DEPLOY_SLOWEST_STACK_MINUTES} min`];
      }),
    );
    const sensitivityTable = markdownTable(
      ['Changed stacks (first deploy)', 'API rates', 'simulated time', 'throttled calls', 'failed stacks', `job timeout at ${DEFAULT_CONCURRENCY}`],
      [...[CHECKED_STACKS, largest].filter((x, i, all) => all.indexOf(x) === i).map((n) => at('create', n, DEFAULT_CONCURRENCY)), ...sensitivity].map((c) => [
        String(c.stacks), c.rateScale === 1 ? 'as estimated' : `×${c.rateScale}`, `${fmt(median(c.minutes))} min`, String(median(c.throttled)), String(maxOf(c.failed)), `${jobTimeout('create', c.stacks)} min`,
      ]),
    );
    const model = cloudFormationModel();
    const range = (r: readonly [number, number]): string => `${r[0]}–${r[1]} s`;
    const details = `Simulated minutes of the whole run (median of ${options.repetitions} run${options.repetitions === 1 ? '' : 's'}), with the
CloudFormation calls answered \`Throttling\` in brackets; **over** marks a run longer than its job
timeout at that concurrency less the ${JOB_SETUP_MINUTES} minutes of job setup.

${SCENARIOS.map((s) => `**${s.label}**\n\n${scenarioTable(s)}`).join('\n\n')}

Per-stack times (first to last CloudFormation call naming the stack) against the budgets the job
timeouts assume (src/workflows/job-timeouts.ts):

${perStack}

Throttling sensitivity at the default concurrency: the same first deploy with the estimated API
rates halved and quartered (other tools in the account, or lower limits than estimated):

${sensitivityTable}

- **Job timeouts**: \`deployJobTimeoutMinutes(n, c)\` = ${JOB_SETUP_MINUTES} min of setup + ${SAFETY_FACTOR} × n ×
  ${DEPLOY_STACK_MINUTES} min / c + ${DEPLOY_SLOWEST_STACK_MINUTES} min for the slowest stack (the engine's own bounds on a change
  set and its execution), between ${MIN_JOB_TIMEOUT_MINUTES} and GitHub's ${GITHUB_JOB_TIMEOUT_CAP_MINUTES}; the preview's uses ${PREVIEW_STACK_MINUTES} and
  ${PREVIEW_SLOWEST_STACK_MINUTES} min. Sized on every stack of the stage, since a first deploy or a batchform upgrade changes them all.
- **Engine**: \`deployStage\` exactly as the CLI runs it (its default waits; preview with drift
  detection), with the SDK clients \`createDeployClients\` builds (adaptive retry mode, 10
  attempts). The simulated AWS answers from inside each client's middleware stack, after the
  retry and signing steps, so throttled calls are retried, backed off and rate-limited by the SDK
  itself, and the waiters poll as they do against AWS. Time is virtual
  (\`@sinonjs/fake-timers\` drives \`setTimeout\` and \`Date\`), so hours of deploy take seconds.
- **Simulated CloudFormation** (estimates, not measurements): a call takes ${model.readLatencyMs} ms to read,
  ${model.writeLatencyMs} ms to write; a change set is computed in ${range(model.changeSetSeconds)}; executing a create takes
  ${range(model.createSeconds.plain)} (${range(model.createSeconds.vpc)} for a function in a VPC, every third generated batch), an
  update of the function ${range(model.updateSeconds.plain)} (${range(model.updateSeconds.vpc)} in a VPC); a drift detection
  ${range(model.driftSeconds)}. Each stack draws its durations from these ranges by its name and the run's seed,
  so every concurrency deploys the same stacks with the same durations.
- **Throttling**: a token bucket per CloudFormation operation for the account: reads
  (${READ_OPERATIONS.join(', ')}) ${READ_RATE.perSecond}/s with bursts of ${READ_RATE.burst}, writes
  (${WRITE_OPERATIONS.join(', ')}) ${WRITE_RATE.perSecond}/s with bursts of ${WRITE_RATE.burst}; a call
  without a token is answered \`Throttling: Rate exceeded\` (HTTP 400). AWS does not publish these
  rates (its support calls them internal: b3ross/dotenvi#35, convox/rack#1133); 5 DescribeStacks
  a second is what users report (aws/aws-sam-cli#2671); the rest are estimates, hence the
  sensitivity table. S3 and Lambda calls are never throttled here.
- **Not simulated**: rate limits of the services CloudFormation itself calls for each resource
  (IAM, Lambda's control plane), deletes (a VPC function's network interfaces can take about 40
  minutes to go: the slowest-stack budget covers the engine's full bounds), waiting for a stack
  another run left busy.${problems.length ? `\n\n**Check failed**: ${problems.join(' ')}` : ''}`;

    const headline = (s: Scenario): string[] => {
      const cell = at(s.id, CHECKED_STACKS, DEFAULT_CONCURRENCY);
      const limit = jobTimeout(s.id, CHECKED_STACKS);
      return [`${s.id === 'preview' ? 'Preview' : 'Deploy'} ${CHECKED_STACKS} changed stacks (${s.id === 'create' ? 'first deploy' : s.id === 'update' ? 'updates' : 'change sets + drift'}), ` +
        `concurrency ${DEFAULT_CONCURRENCY}: simulated time (slowest of ${cell.minutes.length}) vs job timeout`, `${fmt(maxOf(cell.minutes))} min`, `${limit} min timeout`,
        `${((maxOf(cell.minutes) + JOB_SETUP_MINUTES) / limit).toFixed(2)}× (with setup)`, 'safer'];
    };
    const raw: TimeoutsRaw = { defaultConcurrency: DEFAULT_CONCURRENCY, cells };
    const section: SectionResult = { title: 'Deploy time against the job timeout', summary: SCENARIOS.map(headline), details, raw };
    if (problems.length) {
      process.stdout.write(`\n## ${section.title}\n\n${details}\n`);
      throw new Error(`bench: the job timeouts do not hold: ${problems.join(' ')}`);
    }
    return section;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What must hold for the job timeouts to be right: 100 changed stacks at the default concurrency
 * finish (no failed stack) within the job timeout less its setup, in every scenario and
 * repetition; and no measured per-stack time exceeds the budget the timeouts assume.
 */
function check(cells: readonly TimeoutCell[], at: (s: Scenario['id'], n: number, c: number) => TimeoutCell): string[] {
  const problems: string[] = [];
  for (const s of SCENARIOS) {
    const cell = at(s.id, CHECKED_STACKS, DEFAULT_CONCURRENCY);
    const limit = jobTimeout(s.id, CHECKED_STACKS) - JOB_SETUP_MINUTES;
    if (maxOf(cell.minutes) > limit) problems.push(`${s.label}: ${CHECKED_STACKS} stacks at concurrency ${DEFAULT_CONCURRENCY} took ${maxOf(cell.minutes).toFixed(1)} simulated minutes, over the ${limit} the job timeout leaves after setup.`);
    if (maxOf(cell.failed)) problems.push(`${s.label}: ${maxOf(cell.failed)} of ${CHECKED_STACKS} stacks failed at concurrency ${DEFAULT_CONCURRENCY}.`);
    const of = cells.filter((x) => x.scenario === s.id && x.rateScale === 1);
    // The budget is a mean over many stacks; one or two stacks are only the slowest-stack budget's concern.
    const many = of.filter((x) => x.stacks >= 10);
    const [budget, slowest] = s.id === 'preview' ? [PREVIEW_STACK_MINUTES, PREVIEW_SLOWEST_STACK_MINUTES] : [DEPLOY_STACK_MINUTES, DEPLOY_SLOWEST_STACK_MINUTES];
    const mean = maxOf(many.map((x) => x.stackMeanMinutes));
    if (mean > budget) problems.push(`${s.label}: a stack takes ${mean.toFixed(2)} min on average, over the ${budget}-minute budget per stack in src/workflows/job-timeouts.ts.`);
    const max = maxOf(of.map((x) => x.stackMaxMinutes));
    if (max > slowest) problems.push(`${s.label}: the slowest stack took ${max.toFixed(2)} min, over the ${slowest}-minute slowest-stack budget.`);
  }
  return problems;
}
