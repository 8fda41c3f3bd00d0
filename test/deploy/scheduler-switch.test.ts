// The preview of a batch on EventBridge Scheduler: the zone it runs in, DST markers on its next runs,
// and the warning when a batch moves between a UTC rule and a time zone.
import { change } from './helpers';
import { renderMarkdownReport, renderTextReport, StageResult } from '../../src/deploy';
import { findScheduleChange, scheduleChange } from '../../src/deploy/changes';
import type { ManifestBatch } from '../../src/manifest/manifest';

const batch = {
  name: 'daily-stats', schedule: 'cron(30 2 * * ? *)', timezone: 'America/New_York', enabled: true,
} as ManifestBatch;

function stage(sc: ReturnType<typeof scheduleChange>): StageResult {
  return {
    mode: 'preview',
    stage: 'prod',
    account: '111122223333',
    region: 'us-east-1',
    revision: 'abc1234',
    changeSetName: 'batchform-abc1234',
    ok: true,
    stacks: [{ stackName: 'prod-daily-stats', batch: 'daily-stats', outcome: 'will-update', notes: [], changes: [], schedule: sc }],
  } as StageResult;
}

describe('findScheduleChange on the Scheduler', () => {
  test('rule removed and schedule added is a move to the Scheduler; the reverse a move to the rule', () => {
    expect(findScheduleChange([change('Remove', 'Schedule', 'AWS::Events::Rule'), change('Add', 'LocalTimeSchedule', 'AWS::Scheduler::Schedule')]))
      .toEqual({ changed: true, before: undefined, switched: 'to-scheduler' });
    expect(findScheduleChange([change('Add', 'Schedule', 'AWS::Events::Rule'), change('Remove', 'LocalTimeSchedule', 'AWS::Scheduler::Schedule')]).switched)
      .toBe('to-rule');
  });

  test('a new time zone, start date or window on the schedule is a schedule change; its description is not', () => {
    for (const path of ['ScheduleExpressionTimezone', 'StartDate', 'FlexibleTimeWindow/MaximumWindowInMinutes']) {
      expect(findScheduleChange([change('Modify', 'LocalTimeSchedule', 'AWS::Scheduler::Schedule', [{ path }])])).toMatchObject({ changed: true, switched: undefined });
    }
    expect(findScheduleChange([change('Modify', 'LocalTimeSchedule', 'AWS::Scheduler::Schedule', [{ path: 'Description' }])]).changed).toBe(false);
  });
});

describe('report of a schedule in a time zone', () => {
  const sc = scheduleChange(batch, { now: new Date('2027-03-13T00:00:00Z'), count: 3 });

  test('says which zone the batch runs in and marks the run the spring-forward skips', () => {
    const md = renderMarkdownReport(stage(sc));
    expect(md).toContain('At 02:30, every day (America/New_York). Runs in America/New_York, on EventBridge Scheduler (local time, all year).');
    expect(md).toContain('- 2027-03-13 07:30 UTC · 2027-03-13 02:30 (America/New_York, UTC-05:00)\n');
    expect(md).toContain('- skipped · 2027-03-14 02:30 (America/New_York) · **DST: this local time does not exist (clocks spring forward); the Scheduler skips the run**');
    expect(md).toContain('- 2027-03-15 06:30 UTC · 2027-03-15 02:30 (America/New_York, UTC-04:00) · **DST: clocks changed since the previous run (UTC-05:00 to UTC-04:00)**');
    expect(renderTextReport(stage(sc))).toContain('    skipped  2027-03-14 02:30 (America/New_York)  <- DST: this local time does not exist');
  });

  test('a UTC batch says it runs in UTC on a rule', () => {
    const utc = scheduleChange({ ...batch, timezone: 'UTC' }, { now: new Date('2027-03-13T00:00:00Z'), count: 1 });
    expect(renderMarkdownReport(stage(utc))).toContain('(UTC). Runs in UTC, on an EventBridge rule.');
  });

  test('moving from the UTC rule to the Scheduler warns that a run near the switch can fire twice or be skipped', () => {
    const moved = scheduleChange(batch, { switched: 'to-scheduler', now: new Date('2027-03-13T00:00:00Z'), count: 1 });
    expect(moved.switchNote).toContain('daily-stats moves from the EventBridge rule (UTC) to EventBridge Scheduler (America/New_York)');
    expect(moved.switchNote).toContain('a run due during the update can fire twice');
    expect(moved.switchNote).toContain('skipped or run twice');
    expect(moved.switchNote).toContain('Next run: 2027-03-13 07:30 UTC.');
    expect(renderMarkdownReport(stage(moved))).toContain(`> **Warning:** ${moved.switchNote}`);
    expect(renderTextReport(stage(moved))).toContain(`  warning: ${moved.switchNote}`);
    const back = scheduleChange({ ...batch, timezone: 'UTC' }, { switched: 'to-rule', now: new Date('2027-03-13T00:00:00Z'), count: 1 });
    expect(back.switchNote).toContain('moves from EventBridge Scheduler to an EventBridge rule (UTC)');
    expect(sc.switchNote).toBeUndefined();
  });
});

test('a changed stack without a schedule change still says where its batch runs', () => {
  const result = {
    mode: 'preview',
    stage: 'prod',
    account: '111122223333',
    region: 'us-east-1',
    revision: 'abc1234',
    changeSetName: 'c',
    ok: true,
    stacks: [{ stackName: 'prod-daily-stats', batch: 'daily-stats', outcome: 'will-update', notes: [], changes: [], runsIn: 'America/New_York, on EventBridge Scheduler (local time, all year)' }],
  } as StageResult;
  expect(renderMarkdownReport(result)).toContain('daily-stats runs in America/New_York, on EventBridge Scheduler (local time, all year).');
  expect(renderTextReport(result)).toContain('  daily-stats runs in America/New_York, on EventBridge Scheduler (local time, all year).');
});
