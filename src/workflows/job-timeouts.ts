// How long the generated workflow lets a stage's preview and deploy jobs run, sized from the number of stacks they may handle.
//
// The budgets below come from the benchmark's simulated deploy (bench/timeouts.ts: the engine's
// real SDK clients, adaptive retries and waiters against a simulated CloudFormation with
// CloudFormation-like durations and API throttling, on a virtual clock), which also checks them:
// it fails when a measured per-stack time exceeds its budget, or when 100 changed stacks at the
// default concurrency do not finish within the job timeout these functions give.
import { DEFAULT_CONCURRENCY } from '../deploy/defaults';

/** GitHub-hosted runners stop any job after 6 hours, whatever `timeout-minutes` says. */
export const GITHUB_JOB_TIMEOUT_CAP_MINUTES = 360;

/** No job gets less, even one with no stack: a runner that is slow to set up is not a hung deploy. */
export const MIN_JOB_TIMEOUT_MINUTES = 15;

/**
 * Minutes for the steps before the preview or deploy itself: setting up Node.js and its npm
 * cache, installing the project (a full `npm ci` of a fresh user project took 36-46 s in the
 * bench, more on a busy runner or registry), downloading the build's artifact, and assuming the
 * stage's role.
 */
export const JOB_SETUP_MINUTES = 10;

/**
 * What the per-stack budgets are multiplied by: the simulated durations are estimates of
 * CloudFormation, not measurements of it, and a timeout that fires mid-deploy leaves stacks
 * executing with nobody reporting on them, while a generous one only delays noticing a hung job.
 */
export const SAFETY_FACTOR = 2;

/**
 * Minutes of one deploy slot a changed stack takes, on average, in the worst common case: a first
 * deploy, where every stack is created (change set 10-30 s, then a create of 1-3 minutes, 2-5 in a
 * VPC, and the waiters' polling lag). Simulated mean: about 2.7 min per stack; an update of the
 * function takes about 1.5.
 */
export const DEPLOY_STACK_MINUTES = 3;

/**
 * The longest one stack may legitimately take in a deploy: the engine's own bounds on waiting for
 * a change set (10 min) and for its execution (60 min; deleting or replacing a VPC function waits
 * for Lambda to release its network interfaces, often about 40 minutes). The job outlasts them, so
 * the engine, not GitHub's cancellation, reports a stack that takes longer.
 */
export const DEPLOY_SLOWEST_STACK_MINUTES = 70;

/**
 * Minutes of one preview slot a changed stack takes on average: its change set (10-30 s), with its
 * drift detection beside it (10-40 s), then reading and deleting the change set. Simulated mean:
 * about 0.5 min per stack.
 */
export const PREVIEW_STACK_MINUTES = 1;

/**
 * The longest one stack may legitimately take in a preview: the engine's bound on waiting for a
 * change set (10 min); its drift detection, within a 1-minute budget, runs beside it.
 */
export const PREVIEW_SLOWEST_STACK_MINUTES = 10;

/**
 * Minutes for a stage job handling `stackCount` stacks at `concurrency`: setup, plus the pool's
 * running time, bounded as list scheduling is (every stack's time divided among the slots, plus
 * the slowest single stack), with the safety factor on the per-stack part, between the floor and
 * GitHub's cap.
 */
function jobMinutes(job: string, stackCount: number, concurrency: number, stackMinutes: number, slowestMinutes: number): number {
  if (!Number.isInteger(stackCount) || stackCount < 0) {
    throw new RangeError(`${job} job timeout: the stack count must be a whole number of stacks (0 or more), got ${stackCount}; pass the number of batch stacks the stage deploys.`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`${job} job timeout: the concurrency must be a positive whole number, got ${concurrency}; pass the --concurrency the job runs with (default ${DEFAULT_CONCURRENCY}).`);
  }
  const stacks = stackCount === 0 ? 0 : SAFETY_FACTOR * (stackCount * stackMinutes) / concurrency + slowestMinutes;
  const minutes = Math.ceil(JOB_SETUP_MINUTES + stacks);
  return Math.min(GITHUB_JOB_TIMEOUT_CAP_MINUTES, Math.max(MIN_JOB_TIMEOUT_MINUTES, minutes));
}

/**
 * `timeout-minutes` of a stage's deploy job that may create or update `stackCount` stacks (size it
 * on every stack of the stage: a batchform upgrade or a first deploy changes them all).
 *
 * At concurrency 8: 81 minutes for one stack, 155 for 100, 230 for 200; from about 375 stacks on,
 * GitHub's 360-minute cap is reached and a deploy that changes every stack may not fit: raise the
 * concurrency, or split the stage.
 *
 * @param stackCount the stage's batch stacks, 0 or more.
 * @param concurrency stacks the deploy handles at once (`deploy --concurrency`).
 * @default concurrency {@link DEFAULT_CONCURRENCY}
 * @returns whole minutes, from {@link MIN_JOB_TIMEOUT_MINUTES} to {@link GITHUB_JOB_TIMEOUT_CAP_MINUTES}.
 * @throws RangeError when `stackCount` is not a whole number ≥ 0 or `concurrency` not a whole number ≥ 1.
 * @example deployJobTimeoutMinutes(100, 8) // 155
 */
export function deployJobTimeoutMinutes(stackCount: number, concurrency: number = DEFAULT_CONCURRENCY): number {
  return jobMinutes('deploy', stackCount, concurrency, DEPLOY_STACK_MINUTES, DEPLOY_SLOWEST_STACK_MINUTES);
}

/**
 * `timeout-minutes` of a stage's preview job that may preview `stackCount` changed stacks.
 *
 * At concurrency 8: 21 minutes for one stack, 45 for 100, 70 for 200.
 *
 * @param stackCount the stage's batch stacks, 0 or more.
 * @param concurrency stacks the preview handles at once (`preview --concurrency`).
 * @default concurrency {@link DEFAULT_CONCURRENCY}
 * @returns whole minutes, from {@link MIN_JOB_TIMEOUT_MINUTES} to {@link GITHUB_JOB_TIMEOUT_CAP_MINUTES}.
 * @throws RangeError when `stackCount` is not a whole number ≥ 0 or `concurrency` not a whole number ≥ 1.
 * @example previewJobTimeoutMinutes(100, 8) // 45
 */
export function previewJobTimeoutMinutes(stackCount: number, concurrency: number = DEFAULT_CONCURRENCY): number {
  return jobMinutes('preview', stackCount, concurrency, PREVIEW_STACK_MINUTES, PREVIEW_SLOWEST_STACK_MINUTES);
}
