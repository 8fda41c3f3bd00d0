// The Scheduler rules accept what EventBridge Scheduler accepts, and the validated batch carries it.
import { usesScheduler } from '../../src/model/validated';
import { BATCH_RULES } from '../../src/validate/rules';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

const ctx = { stages: [STAGE], fileExists };
const findings = (batch: Record<string, unknown>) =>
  Object.values(BATCH_RULES).flatMap((rule) => rule({ ...BATCH, ...batch } as never, ctx));

describe('Scheduler options', () => {
  test.each([
    [{ timezone: 'Asia/Seoul', flexibleWindowMinutes: 1 }],
    [{ timezone: 'Asia/Seoul', flexibleWindowMinutes: 1440 }],
    [{ timezone: 'Europe/Berlin', startDate: '2027-01-01T00:00:00+01:00', endDate: '2027-01-01T15:10:00+01:00' }],
    [{ timezone: 'America/New_York', startDate: '2027-01-01T05:00:00Z' }],
    [{ timezone: 'Australia/Sydney', schedule: 'at(2027-04-04T02:30:00)' }],
    [{ deliveryRetryAttempts: 0 }],
    [{ deliveryRetryAttempts: 185 }],
    [{ timezone: 'UTC', schedule: 'rate(1 hour)' }],
  ])('%j is accepted', (batch) => {
    expect(findings(batch)).toEqual([]);
  });

  test('a misspelled zone is reported once, not also as a Scheduler option on a UTC batch', () => {
    expect(findings({ timezone: 'Asia/Seol', flexibleWindowMinutes: 5 }).map((f) => f.field)).toEqual(['timezone']);
  });

  test('the validated batch carries the options, dates as UTC instants; only a zone other than UTC uses the Scheduler', () => {
    const [b] = validateDeclarations({
      batches: [{ ...BATCH, timezone: 'Asia/Seoul', flexibleWindowMinutes: 10, startDate: '2027-01-01T00:00:00+09:00', deliveryRetryAttempts: 5 }],
      stages: [STAGE],
    }, { fileExists }).batches;
    expect(b).toMatchObject({ flexibleWindowMinutes: 10, startDate: '2026-12-31T15:00:00.000Z', endDate: undefined, deliveryRetryAttempts: 5 });
    expect(usesScheduler(b)).toBe(true);
    expect(usesScheduler({ timezone: 'UTC' })).toBe(false);
    const [d] = validateDeclarations({ batches: [BATCH], stages: [STAGE] }, { fileExists }).batches;
    expect(d.deliveryRetryAttempts).toBe(3);
  });
});
