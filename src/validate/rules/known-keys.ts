// Unknown option keys: .projenrc.ts may run untyped (tsx, ts-node --transpile-only), so a misspelled
// option such as `timeZone` would be silently ignored. Every key is checked against the one list of
// known keys below; the compiler keeps each list equal to its interface (a missing or extra key fails
// `satisfies`), and test/validate/known-keys.test.ts checks the lists against the interfaces' keys.
import type { BatchOptions, DurableOptions, PolicyStatementOptions, StageOverrideOptions } from '../../model/batch-options';
import type { StageOptions } from '../../model/stage-options';
import { editDistance } from '../../schedule/timezone';
import type { Finding } from '../problem';
import { isRecord, type BatchRule, type StageRule } from './types';

/** Every key of {@link BatchOptions}. */
export const BATCH_OPTION_KEYS = {
  name: true,
  description: true,
  handler: true,
  schedule: true,
  enabled: true,
  input: true,
  runtime: true,
  architecture: true,
  memorySize: true,
  timeout: true,
  durable: true,
  environment: true,
  secrets: true,
  vpc: true,
  logRetentionDays: true,
  policyStatements: true,
  reservedConcurrency: true,
  overlap: true,
  timezone: true,
  flexibleWindowMinutes: true,
  startDate: true,
  endDate: true,
  deliveryRetryAttempts: true,
  missedRunGraceMinutes: true,
  tags: true,
  alarms: true,
  alarmTopicArn: true,
  failureAlarmAfter: true,
  maxDuration: true,
  retryAttempts: true,
  maxEventAgeSeconds: true,
  stages: true,
  overrides: true,
} as const satisfies Record<keyof BatchOptions, true>;

/** Every key of {@link StageOptions}. */
export const STAGE_OPTION_KEYS = {
  name: true,
  account: true,
  region: true,
  stackPrefix: true,
  artifactBucket: true,
  artifactPrefix: true,
  subnetIds: true,
  securityGroupIds: true,
  deployRoleArn: true,
  previewRoleArn: true,
  executionRoleArn: true,
  permissionsBoundaryArn: true,
  assumableRoleArns: true,
  operatorPrincipals: true,
  driftDetection: true,
  githubEnvironment: true,
  alarmTopicArn: true,
  alarmEmails: true,
  ledgerRetentionDays: true,
  tags: true,
} as const satisfies Record<keyof StageOptions, true>;

/** Every key of {@link DurableOptions}. */
export const DURABLE_OPTION_KEYS = {
  executionTimeout: true,
  retentionDays: true,
} as const satisfies Record<keyof DurableOptions, true>;

/** Every key of {@link PolicyStatementOptions}. */
export const POLICY_STATEMENT_KEYS = {
  effect: true,
  actions: true,
  resources: true,
  conditions: true,
} as const satisfies Record<keyof PolicyStatementOptions, true>;

/** Every key of {@link StageOverrideOptions} (the same as OVERRIDE_FIELDS; a test checks it). */
export const STAGE_OVERRIDE_KEYS = {
  schedule: true,
  enabled: true,
  timezone: true,
  environment: true,
  memorySize: true,
  timeout: true,
  reservedConcurrency: true,
} as const satisfies Record<keyof StageOverrideOptions, true>;

/** The known name closest to `word` (case-insensitive edit distance), when at most `allowed` edits away. */
export function closestWithin(word: string, known: Iterable<string>, allowed: number): string | undefined {
  const wanted = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(wanted, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/**
 * The known name `word` is most likely a misspelling of: case-insensitive edit distance of at most
 * one edit per three characters (at least one), the closest first; undefined when none is that close.
 *
 * @example closestName('timeZone', ['timezone', 'timeout']) // "timezone"
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const wanted = word.toLowerCase();
  const close = closestWithin(word, known, Math.max(1, Math.floor(wanted.length / 3)));
  if (close !== undefined) return close;
  // A shortened or lengthened name: `retention` for `retentionDays`, `timeoutSeconds` for `timeout`.
  return wanted.length >= 4 ? known.find((k) => k.toLowerCase().startsWith(wanted) || wanted.startsWith(k.toLowerCase())) : undefined;
}

/**
 * Findings for each key of `value` not in `known`, as `field` `<prefix><key>`, with a did-you-mean
 * when a known key is close, otherwise the list of known keys. Not an object: nothing (shape rules say so).
 */
export function unknownKeys(value: unknown, known: Readonly<Record<string, true>>, prefix: string, what: string): Finding[] {
  if (!isRecord(value)) return [];
  const names = Object.keys(known);
  return Object.keys(value).filter((k) => !Object.prototype.hasOwnProperty.call(known, k)).map((k) => {
    const near = closestName(k, names);
    return {
      field: `${prefix}${k}`,
      message: 'unknown option.',
      fix: near
        ? `did you mean "${near}"?`
        : `remove it; ${what} options are ${names.join(', ')}.`,
    };
  });
}

/**
 * A batch's keys, its durable options' keys and each policy statement's keys are all known ones.
 * Per-stage overrides are checked by overridesValid, which also knows which fields a stage may override.
 */
export const batchKeysKnown: BatchRule = (batch) => [
  ...unknownKeys(batch, BATCH_OPTION_KEYS, '', 'batch'),
  ...unknownKeys(batch.durable, DURABLE_OPTION_KEYS, 'durable.', 'durable'),
  ...(Array.isArray(batch.policyStatements)
    ? batch.policyStatements.flatMap((s, i) => unknownKeys(s, POLICY_STATEMENT_KEYS, `policyStatements[${i}].`, 'policy statement'))
    : []),
];

/** A stage's keys are all known ones. */
export const stageKeysKnown: StageRule = (stage) => unknownKeys(stage, STAGE_OPTION_KEYS, '', 'stage');
