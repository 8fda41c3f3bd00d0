import { batchForStage } from '../../src/model/stage-overrides';
import { Schedule } from '../../src/schedule/builder';
import { BatchformValidationError } from '../../src/validate/problem';
import { validateDeclarations } from '../../src/validate/validate';
import { declarationWarnings } from '../../src/validate/warnings';
import { BATCH, fileExists, STAGE } from '../fixtures';

const STAGING = { ...STAGE, name: 'staging' };
const validate = (batch: Record<string, unknown>) =>
  validateDeclarations({ stages: [STAGE, STAGING], batches: [{ ...BATCH, ...batch }] }, { fileExists });
const problems = (batch: Record<string, unknown>): string[] => {
  try {
    validate(batch);
    return [];
  } catch (e) {
    return (e as BatchformValidationError).problems.map((p) => `${p.field}: ${p.message}`);
  }
};

describe('per-stage overrides: validation', () => {
  test('a valid override (typed Schedule helper too) lands in the model with only the fields it sets', () => {
    const [b] = validate({ overrides: { staging: { schedule: Schedule.rate(6, 'hours'), enabled: false, environment: { MODE: 'dry' } } } }).batches;
    expect(b.overrides.staging).toEqual({ schedule: { kind: 'rate', expression: 'rate(6 hours)', value: 6, unit: 'hour' }, enabled: false, environment: { MODE: 'dry' } });
    expect(b.overrides).not.toHaveProperty('prod');
    expect(batchForStage(b, 'staging').schedule.expression).toBe('rate(6 hours)');
  });

  test('a value is judged with the stage\'s other values: a cron that fires only in the stage\'s zone', () => {
    // 02:30 on the spring-forward Sunday does not exist in New York; the same at() in Seoul is fine.
    expect(problems({ timezone: 'Asia/Seoul', schedule: 'at(2027-03-14T02:30:00)', overrides: { staging: { timezone: 'America/New_York' } } }))
      .toEqual(['overrides.staging.timezone: "at(2027-03-14T02:30:00)" does not exist in America/New_York: the clocks spring forward over it, so the Scheduler would never run it.']);
  });

  test('a problem of the batch itself is reported once, not again for each stage', () => {
    expect(problems({ memorySize: 64, overrides: { staging: { timeout: 30 } } })).toEqual(['memorySize: 64 MB is outside Lambda\'s range.']);
  });

  test('every problem of every stage at once', () => {
    expect(problems({ overrides: { staging: { memorySize: 20000, timeout: 0 }, prod: { schedule: 'rate(0 hours)' }, qa: {} } })).toHaveLength(4);
  });

  test('Etc/UTC keeps a Scheduler batch on the Scheduler in UTC', () => {
    expect(problems({ timezone: 'Asia/Seoul', overrides: { staging: { timezone: 'Etc/UTC' } } })).toEqual([]);
  });

  test('a stage whose overrides make the batch monthly is not warned about: the watchdog watches any cadence', () => {
    const decl = validate({ overrides: { staging: { schedule: 'cron(0 3 1 * ? *)' } } });
    expect(declarationWarnings(decl)).toEqual([]);
  });
});
