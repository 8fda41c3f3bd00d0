import * as fs from 'fs';
import * as path from 'path';
import type { BatchOptions, StageOverrideOptions } from '../../src/model/batch-options';
import type { StageOptions } from '../../src/model/stage-options';
import { OVERRIDE_FIELDS } from '../../src/model/stage-overrides';
import { BatchformValidationError, Problem } from '../../src/validate/problem';
import {
  BATCH_OPTION_KEYS, closestName, DURABLE_OPTION_KEYS, POLICY_STATEMENT_KEYS, STAGE_OPTION_KEYS, STAGE_OVERRIDE_KEYS,
} from '../../src/validate/rules/known-keys';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

function problemsOf(batch: Record<string, unknown>, stage: Record<string, unknown> = {}): string[] {
  try {
    validateDeclarations({ batches: [{ ...BATCH, ...batch } as BatchOptions], stages: [{ ...STAGE, ...stage } as StageOptions] }, { fileExists });
  } catch (e) {
    expect(e).toBeInstanceOf(BatchformValidationError);
    return (e as BatchformValidationError).problems.map((p: Problem) => `${p.subject}, field "${p.field}": ${p.message} Fix: ${p.fix}`);
  }
  return [];
}

/** The property names an interface declares in its source file (readonly name?: ...). */
function interfaceKeys(file: string, name: string): string[] {
  const src = fs.readFileSync(path.join(__dirname, '../../src/model', file), 'utf8');
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(src);
  if (!body) throw new Error(`interface ${name} not found in ${file}`);
  return [...body[1].matchAll(/^ {2}readonly (\w+)\??:/gm)].map((m) => m[1]).sort();
}

describe('known option keys', () => {
  // The compiler already fails when a list misses a key (`satisfies Record<keyof X, true>`); this also
  // reads the interfaces' source, so a key list and its interface cannot drift apart unnoticed.
  test.each([
    ['batch-options.ts', 'BatchOptions', BATCH_OPTION_KEYS],
    ['stage-options.ts', 'StageOptions', STAGE_OPTION_KEYS],
    ['batch-options.ts', 'DurableOptions', DURABLE_OPTION_KEYS],
    ['batch-options.ts', 'PolicyStatementOptions', POLICY_STATEMENT_KEYS],
    ['batch-options.ts', 'StageOverrideOptions', STAGE_OVERRIDE_KEYS],
  ])('%s %s: the list is the interface\'s keys', (file, name, keys) => {
    expect(Object.keys(keys).sort()).toEqual(interfaceKeys(file, name));
  });

  test('the override keys are the fields a stage can override', () => {
    expect(Object.keys(STAGE_OVERRIDE_KEYS).sort()).toEqual([...OVERRIDE_FIELDS].sort());
    const typed: Record<keyof StageOverrideOptions, true> = STAGE_OVERRIDE_KEYS;
    expect(typed).toBeDefined();
  });

  test.each([
    ['timeZone', ['timezone', 'timeout'], 'timezone'],
    ['memory', ['memorySize', 'timeout'], 'memorySize'],
    ['retention', ['executionTimeout', 'retentionDays'], 'retentionDays'],
    ['shedule', ['schedule', 'stages'], 'schedule'],
    ['foo', ['schedule', 'stages'], undefined],
    ['x', ['vpc', 'tags'], undefined],
  ])('closestName(%s) is %s', (word, known, expected) => {
    expect(closestName(word, known)).toBe(expected);
  });
});

describe('unknown option keys are rejected', () => {
  test('a misspelled batch option, with a did-you-mean', () => {
    expect(problemsOf({ timeZone: 'Asia/Seoul' })).toEqual([
      'batch "daily-stats", field "timeZone": unknown option. Fix: did you mean "timezone"?',
    ]);
  });

  test('a key nothing resembles lists the known options', () => {
    expect(problemsOf({ owner: 'data-team' })).toEqual([
      expect.stringMatching(/^batch "daily-stats", field "owner": unknown option\. Fix: remove it; batch options are name, description, handler, schedule, /),
    ]);
  });

  test('a stage option', () => {
    expect(problemsOf({}, { subnetIDs: ['subnet-0123456789abcdef0'] })).toEqual([
      'stage "prod", field "subnetIDs": unknown option. Fix: did you mean "subnetIds"?',
    ]);
  });

  test('nested: durable options, policy statements and per-stage overrides', () => {
    expect(problemsOf({
      timeout: 60,
      durable: { executionTimeout: 3600, retention: 7 },
      policyStatements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'], condition: {} }],
      overrides: { prod: { timeZone: 'Asia/Seoul' } },
    })).toEqual([
      'batch "daily-stats", field "durable.retention": unknown option. Fix: did you mean "retentionDays"?',
      'batch "daily-stats", field "policyStatements[0].condition": unknown option. Fix: did you mean "conditions"?',
      'batch "daily-stats", field "overrides.prod.timeZone": unknown option. Fix: did you mean "timezone"?',
    ]);
  });

  test('a batch option a stage cannot override keeps its own message', () => {
    expect(problemsOf({ overrides: { prod: { handler: 'handlers/other.ts' } } })).toEqual([
      expect.stringContaining('field "overrides.prod.handler": "handler" is not a field a stage can override.'),
    ]);
  });
});
