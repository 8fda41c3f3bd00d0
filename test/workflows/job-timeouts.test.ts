import { DEFAULT_WAITS } from '../../src/aws/waits';
import { DEFAULT_CONCURRENCY, DRIFT_DETECTION_DEFAULTS } from '../../src/deploy/defaults';
import {
  DEPLOY_SLOWEST_STACK_MINUTES, DEPLOY_STACK_MINUTES, deployJobTimeoutMinutes, GITHUB_JOB_TIMEOUT_CAP_MINUTES, JOB_SETUP_MINUTES,
  MIN_JOB_TIMEOUT_MINUTES, PREVIEW_SLOWEST_STACK_MINUTES, PREVIEW_STACK_MINUTES, previewJobTimeoutMinutes, SAFETY_FACTOR,
} from '../../src/workflows/job-timeouts';

const JOBS = { deploy: deployJobTimeoutMinutes, preview: previewJobTimeoutMinutes } as const;

describe.each(Object.entries(JOBS))('%s job timeout', (_job, timeout) => {
  test('never shrinks as stacks are added, at every concurrency', () => {
    for (const concurrency of [1, 2, 4, DEFAULT_CONCURRENCY, 16, 32]) {
      let previous = timeout(0, concurrency);
      for (let stacks = 1; stacks <= 1000; stacks++) {
        const minutes = timeout(stacks, concurrency);
        expect(minutes).toBeGreaterThanOrEqual(previous);
        previous = minutes;
      }
    }
  });

  test('never grows as the concurrency rises', () => {
    for (const stacks of [1, 10, 100, 300]) {
      expect(timeout(stacks, 16)).toBeLessThanOrEqual(timeout(stacks, 8));
      expect(timeout(stacks, 8)).toBeLessThanOrEqual(timeout(stacks, 1));
    }
  });

  test('no stack gets the floor, and nothing goes below it', () => {
    expect(timeout(0)).toBe(MIN_JOB_TIMEOUT_MINUTES);
    for (const stacks of [0, 1, 2, 5]) {
      for (const concurrency of [1, 64]) expect(timeout(stacks, concurrency)).toBeGreaterThanOrEqual(MIN_JOB_TIMEOUT_MINUTES);
    }
  });

  test('is capped at GitHub\'s 360 minutes', () => {
    expect(timeout(10_000)).toBe(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
    expect(timeout(10_000, 1)).toBe(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
    expect(GITHUB_JOB_TIMEOUT_CAP_MINUTES).toBe(360);
  });

  test('is whole minutes', () => {
    for (const stacks of [0, 1, 3, 7, 99, 100, 101]) expect(Number.isInteger(timeout(stacks))).toBe(true);
  });

  test.each([
    [-1, 8, /the stack count must be a whole number of stacks \(0 or more\), got -1/],
    [2.5, 8, /got 2\.5/],
    [Number.NaN, 8, /got NaN/],
    [10, 0, /the concurrency must be a positive whole number, got 0; pass the --concurrency the job runs with \(default \d+\)/],
    [10, 1.5, /got 1\.5/],
  ])('rejects %p stacks at concurrency %p, saying what to pass', (stacks, concurrency, message) => {
    expect(() => timeout(stacks, concurrency)).toThrow(message);
  });
});

describe('100 changed stacks fit', () => {
  // The simulated deploy (bench/timeouts.ts, the bench's check) takes about 37 minutes for a first
  // deploy of 100 stacks at concurrency 8, 20 for updates, and 7 for a preview; the timeout leaves
  // room for each stack's budget, twice over, plus the slowest stack and the job's setup.
  test('the deploy job: 100 stacks at the budget per stack, twice over, plus the slowest stack and setup', () => {
    const minutes = deployJobTimeoutMinutes(100);
    expect(minutes).toBeGreaterThanOrEqual(JOB_SETUP_MINUTES + SAFETY_FACTOR * Math.ceil(100 / DEFAULT_CONCURRENCY) * DEPLOY_STACK_MINUTES);
    expect(minutes).toBeGreaterThanOrEqual(JOB_SETUP_MINUTES + 100 * DEPLOY_STACK_MINUTES / DEFAULT_CONCURRENCY + DEPLOY_SLOWEST_STACK_MINUTES);
    expect(minutes).toBeLessThan(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
    expect(minutes).toBeGreaterThan(60); // what the generated workflow gave every deploy job before
  });

  test('the preview job likewise', () => {
    const minutes = previewJobTimeoutMinutes(100);
    expect(minutes).toBeGreaterThanOrEqual(JOB_SETUP_MINUTES + SAFETY_FACTOR * Math.ceil(100 / DEFAULT_CONCURRENCY) * PREVIEW_STACK_MINUTES);
    expect(minutes).toBeLessThan(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
  });

  test('the documented figures', () => {
    expect([1, 100, 200].map((n) => deployJobTimeoutMinutes(n, 8))).toEqual([81, 155, 230]);
    expect([1, 100, 200].map((n) => previewJobTimeoutMinutes(n, 8))).toEqual([21, 45, 70]);
    // "from about 375 stacks on, GitHub's cap is reached" at concurrency 8
    expect(deployJobTimeoutMinutes(370, 8)).toBeLessThan(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
    expect(deployJobTimeoutMinutes(375, 8)).toBe(GITHUB_JOB_TIMEOUT_CAP_MINUTES);
  });
});

describe('the slowest-stack budgets are the engine\'s own wait bounds', () => {
  test('deploy: waiting for a change set, then for its execution', () => {
    expect(DEPLOY_SLOWEST_STACK_MINUTES * 60).toBe(DEFAULT_WAITS.changeSet.maxWaitTime + DEFAULT_WAITS.stack.maxWaitTime);
  });

  test('preview: waiting for a change set, with the drift detection budget inside it', () => {
    expect(PREVIEW_SLOWEST_STACK_MINUTES * 60).toBe(DEFAULT_WAITS.changeSet.maxWaitTime);
    expect(DRIFT_DETECTION_DEFAULTS.maxWaitTime).toBeLessThanOrEqual(DEFAULT_WAITS.changeSet.maxWaitTime);
  });
});
