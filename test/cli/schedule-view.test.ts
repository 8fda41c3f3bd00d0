import { renderScheduleView } from '../../src/cli/schedule-view';
import type { ManifestBatch } from '../../src/manifest/manifest';

const base: ManifestBatch = {
  name: 'daily-stats', description: 'd', handler: 'handlers/daily-stats.ts', template: 'cfn-out/daily-stats.template.json',
  schedule: 'cron(10 15 * * ? *)', timezone: 'Asia/Seoul', enabled: true, vpc: true, runtime: 'nodejs24.x',
  architecture: 'arm64', timeout: 300, memorySize: 512, alarms: true, environment: {},
};
const now = new Date('2026-11-25T12:00:00Z');

describe('schedule view', () => {
  test('shows the schedule in words, the missed-run alarm and the next runs in UTC and the batch time zone', () => {
    expect(renderScheduleView([base], { now, count: 2 })).toBe([
      'daily-stats: cron(10 15 * * ? *)',
      '  At 15:10, every day (UTC)',
      '  missed-run alarm: after 25 hours without a run',
      '  next runs (UTC, and in Asia/Seoul):',
      '    2026-11-25 15:10 UTC   2026-11-26 00:10 (Asia/Seoul, UTC+09:00)',
      '    2026-11-26 15:10 UTC   2026-11-27 00:10 (Asia/Seoul, UTC+09:00)',
    ].join('\n'));
  });

  test('shows the local wall time moving across a DST change while UTC stays put', () => {
    const ny = renderScheduleView([{ ...base, name: 'ny', schedule: 'cron(30 6 * * ? *)', timezone: 'America/New_York' }], { now: new Date('2026-10-31T00:00:00Z'), count: 2 });
    expect(ny).toContain('2026-10-31 06:30 UTC   2026-10-31 02:30 (America/New_York, UTC-04:00)');
    expect(ny).toContain('2026-11-01 06:30 UTC   2026-11-01 01:30 (America/New_York, UTC-05:00)');
  });

  test('says when a batch is disabled, has no missed-run alarm, or runs on a rate', () => {
    expect(renderScheduleView([{ ...base, enabled: false }], { now })).toContain('the rule is disabled: no runs.');
    expect(renderScheduleView([{ ...base, schedule: 'cron(0 0 L * ? *)' }], { now, count: 1 })).toContain('no missed-run alarm: its longest gap between runs (31 days) exceeds');
    const rate = renderScheduleView([{ ...base, schedule: 'rate(5 minutes)', timezone: 'UTC' }], { now, count: 1 });
    expect(rate).toContain('rate schedules start when the rule is created');
    expect(rate).toContain('  next runs (UTC):\n    2026-11-25 12:05 UTC');
  });
});
