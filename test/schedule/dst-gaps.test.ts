// Schedule gaps across both DST changes: the gap scan must reach the autumn change even for
// sub-hourly schedules, whose first 12,000 runs end weeks before it.
import { parseSchedule } from '../../src/schedule/expression';
import { longestGap, offsetChanges } from '../../src/schedule/gaps';
import { nextRuns } from '../../src/schedule/next-runs';

/** The 2027 DST changes (UTC instants) of each zone, as published in the IANA database. */
const CHANGES: Record<string, { spring: string; autumn: string }> = {
  'America/New_York': { spring: '2027-03-14T07:00:00Z', autumn: '2027-11-07T06:00:00Z' },
  'Europe/London': { spring: '2027-03-28T01:00:00Z', autumn: '2027-10-31T01:00:00Z' },
  // Southern hemisphere: clocks fall back in April and spring forward in October.
  'Australia/Sydney': { spring: '2027-10-02T16:00:00Z', autumn: '2027-04-03T16:00:00Z' },
};
const SCHEDULES: Record<string, number> = { 'cron(0/5 * * * ? *)': 5, 'cron(0/30 * * * ? *)': 30, 'cron(0 * * * ? *)': 60 };

/** The longest gap between runs from a day before a change to a day after, by listing every run: the ground truth. */
function gapAround(expression: string, timeZone: string, change: string): number {
  const at = Date.parse(change);
  const runs = nextRuns(expression, 2000, new Date(at - 86400_000), { timeZone }).filter((r) => r.getTime() <= at + 86400_000);
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, (runs[i].getTime() - runs[i - 1].getTime()) / 1000);
  return longest;
}

test('offsetChanges finds both 2027 changes of each zone, to the minute', () => {
  for (const [zone, { spring, autumn }] of Object.entries(CHANGES)) {
    const found = offsetChanges(zone, Date.parse('2027-01-01T00:00:00Z'), Date.parse('2028-01-01T00:00:00Z')).map((t) => new Date(t).toISOString());
    expect(found.sort()).toEqual([spring, autumn].map((d) => new Date(d).toISOString()).sort());
  }
  expect(offsetChanges('UTC', 0, Date.parse('2028-01-01T00:00:00Z'))).toEqual([]);
});

describe.each(Object.keys(CHANGES))('%s', (zone) => {
  test.each(Object.entries(SCHEDULES))('%s: the longest gap is the one at a DST change', (expression, minutes) => {
    const spring = gapAround(expression, zone, CHANGES[zone].spring);
    const autumn = gapAround(expression, zone, CHANGES[zone].autumn);
    // When the clocks fall back the Scheduler runs the repeated hour once, so the gap is an hour longer than usual.
    expect(autumn).toBe(minutes * 60 + 3600);
    expect(spring).toBeGreaterThanOrEqual(minutes * 60);
    const gap = longestGap(parseSchedule(expression), zone).longestGapSeconds;
    expect(gap).toBe(Math.max(spring, autumn));
  });
});

test('in UTC the longest gap stays the schedule\'s own interval (no DST)', () => {
  expect(longestGap(parseSchedule('cron(0/5 * * * ? *)'), 'UTC').longestGapSeconds).toBe(300);
});
