import { renderScheduleView } from '../../src/cli/schedule-view';
import { batchesOfStage } from '../../src/manifest/manifest';
import type { ManifestBatch } from '../../src/manifest/manifest';

const base: ManifestBatch = {
  name: 'daily-stats',
  description: 'd',
  handler: 'handlers/daily-stats.ts',
  template: 'cfn-out/daily-stats.template.json',
  schedule: 'cron(10 0 * * ? *)',
  timezone: 'Asia/Seoul',
  enabled: true,
  vpc: true,
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  timeout: 300,
  memorySize: 512,
  alarms: true,
  environment: {},
};
const now = new Date('2026-11-25T12:00:00Z');

describe('schedule view', () => {
  test('shows where and in which zone it runs, the schedule in words, the missed-run alarm and the next runs in UTC and the batch time zone', () => {
    expect(renderScheduleView([base], { now, count: 2 })).toBe([
      'daily-stats: cron(10 0 * * ? *)',
      '  runs in Asia/Seoul on EventBridge Scheduler (local time, all year)',
      '  At 00:10, every day (Asia/Seoul)',
      '  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run',
      '  next runs (UTC, and in Asia/Seoul):',
      '    2026-11-25 15:10 UTC   2026-11-26 00:10 (Asia/Seoul, UTC+09:00)',
      '    2026-11-26 15:10 UTC   2026-11-27 00:10 (Asia/Seoul, UTC+09:00)',
    ].join('\n'));
  });

  test('a UTC batch says it runs in UTC on a rule, and its local column is left out', () => {
    const utc = renderScheduleView([{ ...base, schedule: 'cron(10 15 * * ? *)', timezone: 'UTC' }], { now, count: 1 });
    expect(utc).toBe([
      'daily-stats: cron(10 15 * * ? *)',
      '  runs in UTC on an EventBridge rule',
      '  At 15:10, every day (UTC)',
      '  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run',
      '  next runs (UTC):',
      '    2026-11-25 15:10 UTC',
    ].join('\n'));
  });

  test('in a zone the local time stays put across DST and the view marks the change, the skipped run and the run made once', () => {
    const ny = { ...base, name: 'ny', schedule: 'cron(30 1 * * ? *)', timezone: 'America/New_York' };
    const fall = renderScheduleView([ny], { now: new Date('2027-11-06T00:00:00Z'), count: 3 });
    expect(fall).toContain('    2027-11-06 05:30 UTC   2027-11-06 01:30 (America/New_York, UTC-04:00)\n');
    expect(fall).toContain('    2027-11-07 05:30 UTC   2027-11-07 01:30 (America/New_York, UTC-04:00)  <- DST: this local time happens twice (clocks fall back); the Scheduler runs once, at the first');
    expect(fall).toContain('    2027-11-08 06:30 UTC   2027-11-08 01:30 (America/New_York, UTC-05:00)  <- DST: clocks changed since the previous run (UTC-04:00 to UTC-05:00)');
    const spring = renderScheduleView([{ ...ny, schedule: 'cron(30 2 * * ? *)' }], { now: new Date('2027-03-13T00:00:00Z'), count: 2 });
    expect(spring).toContain('    skipped                2027-03-14 02:30 (America/New_York)  <- DST: this local time does not exist (clocks spring forward); the Scheduler skips the run');
    expect(spring).toContain('    2027-03-15 06:30 UTC   2027-03-15 02:30 (America/New_York, UTC-04:00)  <- DST: clocks changed since the previous run (UTC-05:00 to UTC-04:00)');
  });

  test('a DST change between --from and the first listed run marks that run; none when the clocks did not change', () => {
    const ny = { ...base, name: 'ny', schedule: 'cron(30 9 * * ? *)', timezone: 'America/New_York' };
    // Clocks spring forward in New York at 2027-03-14 07:00 UTC (02:00 local).
    const across = renderScheduleView([ny], { now: new Date('2027-03-14T06:00:00Z'), count: 2 });
    expect(across).toContain('    2027-03-14 13:30 UTC   2027-03-14 09:30 (America/New_York, UTC-04:00)  <- DST: clocks changed since 2027-03-14 06:00 UTC (UTC-05:00 to UTC-04:00)\n');
    expect(across.endsWith('    2027-03-15 13:30 UTC   2027-03-15 09:30 (America/New_York, UTC-04:00)')).toBe(true);
    const after = renderScheduleView([ny], { now: new Date('2027-03-14T08:00:00Z'), count: 1 });
    expect(after).not.toContain('<- DST');
  });

  test('shows the flexible window, start and end dates, and a one-time run', () => {
    const text = renderScheduleView([{ ...base, flexibleWindowMinutes: 15, startDate: '2027-01-01T00:00:00.000Z', endDate: '2027-02-01T00:00:00.000Z' }], { now, count: 1 });
    expect(text).toContain('  flexible window: each run starts within 15 minutes of its time');
    expect(text).toContain('  runs from 2027-01-01 00:00 UTC until 2027-02-01 00:00 UTC');
    // The start is 09:00 in Seoul on 1 January: the first run is 00:10 on the 2nd.
    expect(text).toContain('    2027-01-01 15:10 UTC   2027-01-02 00:10 (Asia/Seoul, UTC+09:00)');
    const once = renderScheduleView([{ ...base, schedule: 'at(2027-06-01T09:00:00)', timezone: 'Europe/Berlin' }], { now, count: 3 });
    expect(once).toContain('  Once, at 09:00 on 2027-06-01 (Europe/Berlin)');
    // The watchdog knows a one-time schedule's time too.
    expect(once).toContain('  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run');
    expect(once).toContain('    2027-06-01 07:00 UTC   2027-06-01 09:00 (Europe/Berlin, UTC+02:00)');
    expect(renderScheduleView([{ ...base, schedule: 'at(2026-01-01T09:00:00)' }], { now })).toContain('no more runs: its one time has passed.');
  });

  test('says when a batch is disabled, that its missed runs are watched at any cadence, or that it runs on a rate', () => {
    expect(renderScheduleView([{ ...base, enabled: false }], { now })).toContain('the schedule is disabled: no runs.');
    expect(renderScheduleView([{ ...base, enabled: false, timezone: 'UTC' }], { now })).toContain('the rule is disabled: no runs.');
    expect(renderScheduleView([{ ...base, schedule: 'cron(0 0 L * ? *)' }], { now, count: 1 })).toContain('  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run');
    expect(renderScheduleView([{ ...base, alarms: false }], { now, count: 1 })).not.toContain('missed-run alarm');
    const rate = renderScheduleView([{ ...base, schedule: 'rate(5 minutes)', timezone: 'UTC' }], { now, count: 1 });
    expect(rate).toContain('rate schedules start when the rule is created');
    expect(rate).toContain('  next runs (UTC):\n    2026-11-25 12:05 UTC');
  });
});

describe('schedule view per stage', () => {
  const overridden: ManifestBatch = { ...base, overrides: { staging: { schedule: 'rate(6 hours)', timezone: 'Europe/Berlin' }, dev: { enabled: false } } };
  const manifest = {
    version: 1,
    batches: [overridden, { ...base, name: 'prod-only' }],
    stages: ['prod', 'staging', 'dev'].map((name) => ({
      name,
      account: '111122223333',
      region: 'ap-northeast-2',
      artifactBucket: 'b',
      artifactPrefix: 'batchform',
      githubEnvironment: name,
      stacks: [{ batch: 'daily-stats' }, ...(name === 'prod' ? [{ batch: 'prod-only' }] : [])] as never[],
    })),
  };

  test('--stage shows the stage\'s effective schedule, zone and state, only for batches deployed there', () => {
    const staging = batchesOfStage(manifest, 'staging');
    expect(staging.map((b) => b.name)).toEqual(['daily-stats']);
    const text = renderScheduleView(staging, { now, count: 2, stage: 'staging' });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'daily-stats in stage staging: rate(6 hours)',
      '  runs in Europe/Berlin on EventBridge Scheduler (local time, all year)',
      '  Every 6 hours',
      '  missed-run alarm: when the stage\'s watchdog finds a scheduled time without a run',
    ]);
    expect(renderScheduleView(batchesOfStage(manifest, 'dev'), { now, count: 2, stage: 'dev' })).toContain('daily-stats in stage dev (disabled): cron(10 0 * * ? *)');
    expect(renderScheduleView(batchesOfStage(manifest, 'prod'), { now, count: 1, stage: 'prod' })).toMatch(/^daily-stats in stage prod: cron\(10 0 \* \* \? \*\)\n {2}runs in Asia\/Seoul/);
  });

  test('without --stage a batch names the stages that differ', () => {
    expect(renderScheduleView([overridden], { now, count: 1 })).toContain('  differs in stages staging (schedule, timezone), dev (enabled): see --stage staging\n');
  });

  test('an unknown stage is an error naming the stages there are', () => {
    expect(() => batchesOfStage(manifest, 'stagin')).toThrow('stage "stagin" is not in the manifest; its stages are: prod, staging, dev. Pass one of them with --stage.');
  });
});
