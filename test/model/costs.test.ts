// The cost model and its prices: data with a source and a date, per region where they differ.
import {
  batchAlarmCount, batchAlarmMetricCount, batchFixedCost, DAYS_PER_MONTH, formatUsd, ledgerMonthlyCost, ledgerPerRunCost, perRunCost, runsPerMonth,
  stageFixedCost, watchdogMonthlyCost,
} from '../../src/model/costs';
import { PRICES, PRICES_CHECKED, priceIn } from '../../src/model/prices';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

const decl = (batches: object[], stage: object = {}) =>
  validateDeclarations({ batches: batches as never, stages: [{ ...STAGE, ...stage }] }, { fileExists });

describe('prices', () => {
  test('every price is dated, has a unit and an AWS pricing page as its source', () => {
    expect(PRICES_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [name, p] of Object.entries(PRICES)) {
      expect([name, p.source]).toEqual([name, expect.stringMatching(/^https:\/\/aws\.amazon\.com\/[a-z]+\/pricing\/$/)]);
      expect(p.usd).toBeGreaterThan(0);
      expect(p.unit.length).toBeGreaterThan(0);
    }
  });

  test('a region with its own price uses it; others use the base price', () => {
    expect(priceIn('logsIngestionGb', 'ap-northeast-1')).toBe(0.76);
    expect(priceIn('logsIngestionGb', 'us-east-1')).toBe(0.5);
    expect(priceIn('kmsKeyMonth', 'eu-west-1')).toBe(1);
  });
});

describe('fixed monthly cost', () => {
  test('a daily batch: 4 alarms (failed run, missed run, delivery, dead letters) watching 6 metrics at 0.10 USD, and its logs kept 30 days', () => {
    const d = decl([{ ...BATCH, logRetentionDays: 30 }]);
    const cost = batchFixedCost(d.batches[0], d.stages[0]);
    expect(batchAlarmCount(d.batches[0])).toBe(4);
    // The failed-run alarm's expression watches 3 metrics (consecutive failures, recorded failures, Lambda Errors).
    expect(batchAlarmMetricCount(d.batches[0])).toBe(6);
    expect(cost.lines[0]).toMatchObject({ what: 'CloudWatch alarm metrics', count: 6 });
    expect(cost.lines[0].usdPerMonth).toBeCloseTo(0.6, 6);
    // 365 runs a year, 4 KB each, kept 30 of 30.44 days: ~0.0012 GB stored.
    expect(cost.lines[1].what).toBe('GB of logs kept 30 days');
    expect(cost.lines[1].count).toBeCloseTo((365 / 12) * 4 / 1_048_576 * (30 / 30.4375), 4);
    expect(cost.usdPerMonth).toBeCloseTo(0.6, 3);
    expect(cost).toMatchObject({ region: 'ap-northeast-2', pricesChecked: PRICES_CHECKED });
  });

  test('a monthly batch has its missed-run alarm too (4); a durable one 7; one with maxDuration one more; alarms: false none', () => {
    const d = decl([
      { ...BATCH, name: 'monthly', schedule: 'cron(0 3 1 * ? *)' },
      { ...BATCH, name: 'long', timeout: 900, durable: { executionTimeout: 6 * 3600 } },
      { ...BATCH, name: 'bounded', timeout: 300, maxDuration: 120 },
      { ...BATCH, name: 'quiet', alarms: false },
    ]);
    expect(d.batches.map((b) => batchAlarmCount(b))).toEqual([4, 7, 5, 0]);
  });

  test('the alarm count is the templates\' (every shape)', () => {
    const d = decl([
      BATCH,
      { ...BATCH, name: 'monthly', schedule: 'cron(0 3 1 * ? *)', timezone: 'Asia/Seoul' },
      { ...BATCH, name: 'long', timeout: 900, durable: { executionTimeout: 6 * 3600 } },
      { ...BATCH, name: 'long-monthly', schedule: 'cron(0 3 1 * ? *)', timeout: 900, durable: { executionTimeout: 6 * 3600 } },
      { ...BATCH, name: 'off', enabled: false },
      { ...BATCH, name: 'off-but-staging', enabled: false, overrides: { prod: { enabled: true } } },
      { ...BATCH, name: 'bounded', timeout: 300, maxDuration: 120 },
      { ...BATCH, name: 'bounded-durable', timeout: 900, maxDuration: 7200, durable: { executionTimeout: 6 * 3600 } },
      { ...BATCH, name: 'quiet', alarms: false },
    ]);
    const templates = batchTemplates(d.batches) as Record<string, { Resources: Record<string, { Type: string }> }>;
    for (const b of d.batches) {
      const inTemplate = Object.values(templates[b.name].Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
      expect([b.name, batchAlarmCount(b)]).toEqual([b.name, inTemplate]);
    }
  });

  test('runs per month follow the schedule and the stage\'s overrides', () => {
    const d = decl([{ ...BATCH, schedule: 'rate(1 hour)', overrides: { prod: { enabled: false } } }, { ...BATCH, name: 'weekdays', schedule: 'cron(0 9 ? * MON-FRI *)' }]);
    expect(runsPerMonth(d.batches[0])).toBeCloseTo(730, 0);
    expect(runsPerMonth(d.batches[0], 'prod')).toBe(0);
    expect(runsPerMonth(d.batches[1])).toBeCloseTo(261 / 12, 1);
  });

  test('a busy cron is extrapolated from its first 2,000 runs (every 5 minutes: 8,760 a month)', () => {
    const d = decl([{ ...BATCH, schedule: 'cron(0/5 * * * ? *)' }]);
    expect(runsPerMonth(d.batches[0])).toBeCloseTo(365 * 288 / 12, -1);
  });

  test('a stage costs one KMS key when it e-mails its alarms, nothing otherwise', () => {
    const emails = decl([BATCH, { ...BATCH, name: 'b2' }, { ...BATCH, name: 'b3' }], { alarmEmails: ['oncall@example.com'] });
    expect(stageFixedCost(emails.stages[0], emails)).toMatchObject({ usdPerMonth: 1, lines: [{ what: 'KMS key (alarm topic)', count: 1, usdPerMonth: 1 }] });
    const topic = decl([BATCH], { alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:oncall' });
    expect(stageFixedCost(topic.stages[0], topic)).toMatchObject({ usdPerMonth: 0, lines: [] });
    const own = decl([{ ...BATCH, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:team' }], { alarmEmails: ['oncall@example.com'] });
    expect(stageFixedCost(own.stages[0], own).usdPerMonth).toBe(0);
  });
});

describe('per-run cost', () => {
  test('requests, GB-seconds by architecture, the Scheduler\'s invocation and log ingestion', () => {
    const base = { memoryMb: 1024, durationSeconds: 10, logKb: 0 } as const;
    expect(perRunCost({ ...base, architecture: 'arm64', scheduler: false }, 'us-east-1')).toBeCloseTo(0.0000002 + 10 * 0.0000133334, 12);
    expect(perRunCost({ ...base, architecture: 'x86_64', scheduler: false }, 'us-east-1')).toBeCloseTo(0.0000002 + 10 * 0.0000166667, 12);
    expect(perRunCost({ ...base, architecture: 'arm64', scheduler: true }, 'us-east-1')).toBeCloseTo(0.0000002 + 10 * 0.0000133334 + 0.000001, 12);
    expect(perRunCost({ ...base, logKb: 1_048_576, architecture: 'arm64', scheduler: false }, 'ap-northeast-1')).toBeCloseTo(0.0000002 + 10 * 0.0000133334 + 0.76, 9);
  });

  test('USD reads with two decimals, more under a cent', () => {
    expect([formatUsd(0.2), formatUsd(-3), formatUsd(0.0004), formatUsd(0.000213), formatUsd(0)]).toEqual(['0.20', '-3.00', '0.0004', '0.00021', '0.00']);
  });
});

describe('the run ledger and the watchdog', () => {
  test('a run with the lease: 4 write request units and 1 read request unit', () => {
    expect(ledgerPerRunCost('us-east-1')).toBeCloseTo(5 * 0.000000625 + 0.000000125, 15);
    expect(ledgerPerRunCost('us-east-1', { writes: 2, reads: 1 })).toBeCloseTo(2 * 0.000000625 + 0.000000125, 15);
  });

  test('an hourly batch and an every-5-minutes batch per month: requests, then records kept 90 days and their backup', () => {
    const hourly = ledgerMonthlyCost(DAYS_PER_MONTH * 24, 'us-east-1');
    expect(hourly.lines.map((l) => l.what)).toEqual(['ledger write request units', 'ledger read request units', 'GB of run records kept 90 days', 'GB of point-in-time-recovery backup']);
    expect(hourly.lines[0]).toMatchObject({ count: 3652.5, usdPerMonth: expect.closeTo(3652.5 * 0.000000625, 10) });
    // 730.5 runs a month kept 90 of 30.44 days at 0.5 KB each: ~1 MB.
    expect(hourly.lines[2].usdPerMonth).toBeCloseTo((730.5 * (90 / 30.4375) * 0.5) / 1_048_576 * 0.25, 10);
    expect(hourly.usdPerMonth).toBeCloseTo(0.0028, 4);
    expect(ledgerMonthlyCost(DAYS_PER_MONTH * 288, 'us-east-1').usdPerMonth).toBeCloseTo(0.0341, 4);
  });

  test('the watchdog: 2,922 passes a month at 256 MB for 1 s, and one Query per batch per pass', () => {
    const one = watchdogMonthlyCost(1, 'us-east-1');
    const ten = watchdogMonthlyCost(10, 'us-east-1');
    expect(one.lines[0]).toMatchObject({ count: 2922 });
    expect(one.lines[0].usdPerMonth).toBeCloseTo(2922 * perRunCost({ memoryMb: 256, durationSeconds: 1, architecture: 'arm64', scheduler: false }, 'us-east-1'), 10);
    expect(ten.lines[1]).toMatchObject({ count: 29220, usdPerMonth: expect.closeTo(29220 * 0.000000125, 10) });
    expect(ten.usdPerMonth).toBeCloseTo(0.0196, 4);
  });
});
