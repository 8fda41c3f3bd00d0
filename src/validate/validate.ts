// Turns declarations into validated batches and stages, or throws one error listing every problem.
import * as fs from 'fs';
import * as path from 'path';
import { BatchformValidationError, Problem } from './problem';
import { BATCH_RULES, RuleContext, STAGE_RULES } from './rules';
import type { BatchOptions, StageOverrideOptions } from '../model/batch-options';
import { BATCH_DEFAULTS, STAGE_DEFAULTS } from '../model/declaration-defaults';
import { stackPrefixOf } from '../model/names';
import type { StageOptions } from '../model/stage-options';
import { Batch, Stage, StageOverride, ValidatedDeclarations } from '../model/validated';
import { parseSchedule } from '../schedule/expression';
import { normalizeHandlerPath } from './rules/handler';
import { scheduleExpression } from './rules/schedule-rules';
import { stageOverlaps } from './rules/stage-overlaps';

/** What validation reads besides the declarations. */
export interface ValidateOptions {
  /**
   * Directory handler paths are relative to.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Replaces the file-system check of handler files (tests).
   * @default - checks `projectDir/<handler>` on disk
   */
  readonly fileExists?: (relativePath: string) => boolean;
}

/** Declarations as written in .projenrc.ts. */
export interface Declarations {
  readonly batches: readonly BatchOptions[];
  readonly stages: readonly StageOptions[];
}

function batchSubject(b: BatchOptions, index: number): string {
  return typeof b.name === 'string' && b.name ? `batch "${b.name}"` : `batch #${index + 1}`;
}

/** Problems that involve more than one declaration: duplicate names and prefixes. */
function crossProblems(decl: Declarations): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  decl.batches.forEach((b, i) => {
    const first = seen.get(b.name);
    if (first !== undefined) {
      problems.push({
        subject: batchSubject(b, i),
        field: 'name',
        message: `"${b.name}" is declared twice (batches #${first + 1} and #${i + 1}).`,
        fix: 'give each batch a unique name; names become stack and function names.',
      });
    } else {
      seen.set(b.name, i);
    }
  });
  const stageNames = new Set<string>();
  for (const s of decl.stages) {
    if (stageNames.has(s.name)) {
      problems.push({ subject: `stage "${s.name}"`, field: 'name', message: 'is declared twice.', fix: 'give each stage a unique name.' });
    }
    stageNames.add(s.name);
  }
  problems.push(...stageOverlaps(decl.stages));
  return problems;
}

/**
 * Checks every declaration against the rule catalogue and returns the validated model.
 *
 * @throws BatchformValidationError listing every problem, when any declaration is invalid.
 */
export function validateDeclarations(decl: Declarations, options: ValidateOptions = {}): ValidatedDeclarations {
  const projectDir = options.projectDir ?? process.cwd();
  const ctx: RuleContext = {
    stages: decl.stages,
    fileExists: options.fileExists ?? ((rel) => fs.existsSync(path.join(projectDir, rel)) && fs.statSync(path.join(projectDir, rel)).isFile()),
  };
  const problems: Problem[] = [
    ...decl.stages.flatMap((s) => Object.values(STAGE_RULES).flatMap((rule) =>
      rule(s, ctx).map((f) => ({ subject: `stage "${s.name}"`, ...f })))),
    ...decl.batches.flatMap((b, i) => Object.values(BATCH_RULES).flatMap((rule) =>
      rule(b, ctx).map((f) => ({ subject: batchSubject(b, i), ...f })))),
    ...crossProblems(decl),
  ];
  if (problems.length > 0) throw new BatchformValidationError(problems);

  const stages: Stage[] = decl.stages.map((s) => ({
    name: s.name,
    account: s.account,
    region: s.region,
    stackPrefix: stackPrefixOf(s),
    artifactBucket: s.artifactBucket,
    artifactPrefix: s.artifactPrefix ?? STAGE_DEFAULTS.artifactPrefix,
    subnetIds: [...(s.subnetIds ?? [])],
    securityGroupIds: [...(s.securityGroupIds ?? [])],
    deployRoleArn: s.deployRoleArn,
    previewRoleArn: s.previewRoleArn,
    executionRoleArn: s.executionRoleArn,
    permissionsBoundaryArn: s.permissionsBoundaryArn,
    assumableRoleArns: [...(s.assumableRoleArns ?? [])],
    operatorPrincipals: [...(s.operatorPrincipals ?? [])],
    driftDetection: s.driftDetection ?? true,
    githubEnvironment: s.githubEnvironment ?? s.name,
    alarmTopicArn: s.alarmTopicArn,
    alarmEmails: [...(s.alarmEmails ?? [])],
    ledgerRetentionDays: s.ledgerRetentionDays ?? STAGE_DEFAULTS.ledgerRetentionDays,
    tags: { ...(s.tags ?? {}) },
  }));
  const batches: Batch[] = decl.batches.map((b) => batchOf(b, stages));
  return { batches, stages };
}

/** A declaration that passed every rule, with its defaults filled in. */
function batchOf(b: BatchOptions, stages: readonly Stage[]): Batch {
  const alarms = b.alarms ?? BATCH_DEFAULTS.alarms;
  const stageNames = b.stages ? [...b.stages] : stages.map((s) => s.name);
  return {
    name: b.name,
    description: b.description ?? `batchform batch ${b.name}`,
    handler: normalizeHandlerPath(b.handler),
    schedule: parseSchedule(scheduleExpression(b.schedule)!),
    enabled: b.enabled ?? BATCH_DEFAULTS.enabled,
    input: b.input === undefined ? undefined : JSON.stringify(b.input),
    runtime: b.runtime ?? BATCH_DEFAULTS.runtime,
    architecture: b.architecture ?? BATCH_DEFAULTS.architecture,
    memorySize: b.memorySize ?? BATCH_DEFAULTS.memorySize,
    timeout: b.timeout ?? BATCH_DEFAULTS.timeout,
    durable: b.durable === undefined ? undefined : {
      executionTimeout: b.durable.executionTimeout,
      retentionDays: b.durable.retentionDays ?? BATCH_DEFAULTS.durableRetentionDays,
    },
    environment: { ...(b.environment ?? {}) },
    secrets: Object.fromEntries(Object.entries(b.secrets ?? {}).map(([k, r]) => [k, {
      source: r.source,
      name: r.name,
      ...(r.field !== undefined ? { field: r.field } : {}),
      ...(r.kmsKeyArn !== undefined ? { kmsKeyArn: r.kmsKeyArn } : {}),
    }])),
    vpc: b.vpc ?? BATCH_DEFAULTS.vpc,
    logRetentionDays: b.logRetentionDays ?? BATCH_DEFAULTS.logRetentionDays,
    policyStatements: [...(b.policyStatements ?? [])],
    reservedConcurrency: b.reservedConcurrency ?? BATCH_DEFAULTS.reservedConcurrency,
    overlap: b.overlap ?? BATCH_DEFAULTS.overlap,
    timezone: b.timezone ?? BATCH_DEFAULTS.timezone,
    tags: { ...(b.tags ?? {}) },
    alarms,
    alarmTopicArn: b.alarmTopicArn,
    failureAlarmAfter: b.failureAlarmAfter ?? BATCH_DEFAULTS.failureAlarmAfter,
    maxDuration: b.maxDuration,
    retryAttempts: b.retryAttempts ?? BATCH_DEFAULTS.retryAttempts,
    maxEventAgeSeconds: b.maxEventAgeSeconds ?? BATCH_DEFAULTS.maxEventAgeSeconds,
    deliveryRetryAttempts: b.deliveryRetryAttempts ?? BATCH_DEFAULTS.deliveryRetryAttempts,
    flexibleWindowMinutes: b.flexibleWindowMinutes,
    missedRunGraceMinutes: b.missedRunGraceMinutes,
    startDate: b.startDate === undefined ? undefined : new Date(b.startDate).toISOString(),
    endDate: b.endDate === undefined ? undefined : new Date(b.endDate).toISOString(),
    stages: stageNames,
    overrides: Object.fromEntries(Object.entries(b.overrides ?? {}).map(([stage, o]) => [stage, stageOverrideOf(o)])),
  };
}

/** A stage's overrides that passed every rule, with only the fields it sets. */
function stageOverrideOf(o: StageOverrideOptions): StageOverride {
  const expression = scheduleExpression(o.schedule);
  const set: StageOverride = {
    schedule: expression === undefined ? undefined : parseSchedule(expression),
    enabled: o.enabled,
    timezone: o.timezone,
    environment: o.environment === undefined ? undefined : { ...o.environment },
    memorySize: o.memorySize,
    timeout: o.timeout,
    reservedConcurrency: o.reservedConcurrency,
  };
  return Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined)) as StageOverride;
}
