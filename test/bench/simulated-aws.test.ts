// The bench's simulated AWS and virtual clock (bench/simulated-aws.ts, bench/virtual-clock.ts), on
// which its job-timeout check rests: throttling, the SDK's retries through it, and simulated
// durations. Virtual time only: nothing here measures the machine.
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SimulatedAws, SimulatedAwsModel } from '../../bench/simulated-aws';
import { onVirtualClock } from '../../bench/virtual-clock';
import { deployStage } from '../../src/deploy';
import { makeProject } from '../deploy/helpers';

const MODEL: SimulatedAwsModel = {
  readLatencyMs: 100,
  writeLatencyMs: 100,
  changeSetSeconds: [20, 20],
  createSeconds: { plain: [100, 100], vpc: [100, 100] },
  updateSeconds: { plain: [50, 50], vpc: [50, 50] },
  driftSeconds: [10, 10],
  cloudFormationRates: { DescribeStacks: { perSecond: 1, burst: 2 } },
};

describe('virtual clock', () => {
  test('a delay below 1 ms waits 1 ms, as in Node.js, instead of spinning at one instant', async () => {
    const ms = await onVirtualClock(1, async () => {
      for (let i = 0; i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 0.2));
    });
    expect(ms).toBe(500);
  });

  test('minutes of waiting take virtual time only, and Math.random is seeded', async () => {
    const draws: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const ms = await onVirtualClock(7, async () => {
        draws.push([Math.random(), Math.random()]);
        await new Promise((resolve) => setTimeout(resolve, 30 * 60_000));
      });
      expect(ms).toBe(30 * 60_000);
    }
    expect(draws[0]).toEqual(draws[1]);
  });
});

describe('simulated AWS', () => {
  test('calls beyond an operation\'s token bucket are throttled, and the SDK\'s adaptive retry gets every one through', async () => {
    const aws = new SimulatedAws({ model: MODEL, deployed: [], seed: 1 });
    let answered = 0;
    const ms = await onVirtualClock(1, async () => {
      const { cloudFormation } = aws.clients();
      const results = await Promise.all(Array.from({ length: 6 }, () => cloudFormation.send(new DescribeStacksCommand({}))));
      answered = results.filter((r) => Array.isArray(r.Stacks)).length;
    });
    const { calls, throttled } = aws.traffic;
    expect(answered).toBe(6);
    expect(throttled['CloudFormation.DescribeStacks']).toBeGreaterThanOrEqual(4);
    expect(calls['CloudFormation.DescribeStacks']).toBe(6 + throttled['CloudFormation.DescribeStacks']);
    // A bucket of 2 refilled at 1 a second cannot answer 6 calls in less than 4 seconds.
    expect(ms).toBeGreaterThanOrEqual(4_000);
  });

  test('a first deploy creates the stack in its change set\'s time plus its create\'s, and the waiters\' polling lag', async () => {
    const inputs = makeProject().inputs();
    const aws = new SimulatedAws({ model: MODEL, deployed: [], seed: 1 });
    let outcomes: string[] = [];
    const ms = await onVirtualClock(1, async () => {
      const result = await deployStage(inputs, { mode: 'deploy', clients: aws.clients(), revision: 'test00' });
      outcomes = result.stacks.map((s) => s.outcome);
    });
    expect(outcomes).toEqual(['created']);
    expect(aws.traffic.calls['S3.PutObject']).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(120_000);
    // The change-set waiter polls at most every 10 s, the stack waiter at most every 30 s.
    expect(ms).toBeLessThanOrEqual(120_000 + 10_000 + 30_000 + 5_000);
    const [stackSeconds] = aws.traffic.stackSeconds;
    expect(stackSeconds).toBeGreaterThanOrEqual(120);
  });

  test('an unchanged stack is left alone, with one DescribeStacks', async () => {
    const project = makeProject();
    const inputs = project.inputs();
    const aws = new SimulatedAws({ model: MODEL, deployed: inputs.stacks, seed: 1 });
    let outcomes: string[] = [];
    await onVirtualClock(1, async () => {
      const result = await deployStage(inputs, { mode: 'deploy', clients: aws.clients(), revision: 'test00' });
      outcomes = result.stacks.map((s) => s.outcome);
    });
    expect(outcomes).toEqual(['unchanged']);
    expect(aws.traffic.calls).toEqual({ 'CloudFormation.DescribeStacks': 1 });
  });
});
