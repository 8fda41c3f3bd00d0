// The values a batch or stage declaration gets for what it leaves out.
import type { Architecture } from './batch-options';
import { DEFAULT_LEDGER_RETENTION_DAYS } from './ledger';

/** Defaults applied to a batch declaration; documented on `BatchOptions`. */
export const BATCH_DEFAULTS = {
  enabled: true,
  runtime: 'nodejs24.x',
  architecture: 'arm64' as Architecture,
  memorySize: 256,
  timeout: 60,
  vpc: false,
  logRetentionDays: 30,
  reservedConcurrency: false as number | false,
  overlap: 'skip' as 'skip' | 'allow',
  timezone: 'UTC',
  alarms: true,
  failureAlarmAfter: 1,
  retryAttempts: 1,
  maxEventAgeSeconds: 3600,
  deliveryRetryAttempts: 3,
  durableRetentionDays: 14,
} as const;

/** Defaults applied to a stage declaration; documented on `StageOptions`. */
export const STAGE_DEFAULTS = {
  artifactPrefix: 'batchform',
  ledgerRetentionDays: DEFAULT_LEDGER_RETENTION_DAYS,
} as const;
