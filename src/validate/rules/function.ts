// Rules for the function's settings: runtime, architecture, sizes, input, environment, retention.
import { PSEUDO_PARAMETERS } from './iam';
import { BatchRule, isIntIn, show, stagesOf, when } from './types';
import type { BatchOptions } from '../../model/batch-options';
import { BATCH_DEFAULTS, STAGE_DEFAULTS } from '../../model/declaration-defaults';
import { ledgerTableName } from '../../model/ledger';
import { MAX_DESCRIPTION_CHARS, MAX_ENVIRONMENT_BYTES, MAX_INPUT_CHARS, RETENTION_DAYS } from '../../model/limits';
import { stackName, stackPrefixOf } from '../../model/names';
import { RUNTIME_ENV, runtimeEnvironment } from '../../model/runtime-env';
import { SecretReference, secretsVariable } from '../../model/secrets';
import type { StageOptions } from '../../model/stage-options';
import { regionFacts } from '../regions';

/** Node.js runtimes Lambda supports without deprecation warnings (cfn-lint W2531). */
export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];
/** Lambda's rule for environment variable names: a letter, then at least one letter, digit or underscore. */
export const ENVIRONMENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/** Variables the template sets on every function besides batchform's runtime ones (a batch may override them). */
export const FIXED_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;
/** Environment variable names Lambda sets itself and refuses to take. */
export const RESERVED_ENVIRONMENT = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
  // batchform's own, set from the batch's name and time zone (NODE_OPTIONS may be overridden).
  ...Object.values(RUNTIME_ENV),
];

export const descriptionLength: BatchRule = (batch) =>
  when(batch.description !== undefined && (typeof batch.description !== 'string' || batch.description.length > MAX_DESCRIPTION_CHARS), {
    field: 'description',
    message: `is ${typeof batch.description === 'string' ? `${batch.description.length} characters` : show(batch.description)}; Lambda allows a string of up to ${MAX_DESCRIPTION_CHARS}.`,
    fix: `shorten it to one line of ${MAX_DESCRIPTION_CHARS} characters or fewer.`,
  });

export const runtimeSupported: BatchRule = (batch) =>
  when(batch.runtime !== undefined && !SUPPORTED_RUNTIMES.includes(batch.runtime), {
    field: 'runtime',
    message: `${show(batch.runtime)} is not a supported Node.js Lambda runtime${/^nodejs(1\d|20)\.x$/.test(String(batch.runtime)) ? ' (it is deprecated)' : ''}.`,
    fix: `use one of ${SUPPORTED_RUNTIMES.join(', ')}, or leave runtime out for ${SUPPORTED_RUNTIMES[SUPPORTED_RUNTIMES.length - 1]}.`,
  });

export const architectureValid: BatchRule = (batch) =>
  when(batch.architecture !== undefined && batch.architecture !== 'arm64' && batch.architecture !== 'x86_64', {
    field: 'architecture',
    message: `${show(batch.architecture)} is not a Lambda architecture.`,
    fix: 'use "arm64" (the default) or "x86_64".',
  });

export const memoryInRange: BatchRule = (batch) =>
  when(batch.memorySize !== undefined && !isIntIn(batch.memorySize, 128, 10240), {
    field: 'memorySize',
    message: `${show(batch.memorySize)} MB is outside Lambda's range.`,
    fix: 'use a whole number of MB from 128 to 10240.',
  });

export const timeoutInRange: BatchRule = (batch) =>
  when(batch.timeout !== undefined && !isIntIn(batch.timeout, 1, 900), {
    field: 'timeout',
    message: `${show(batch.timeout)} seconds is outside Lambda's range (1-900 s, 15 minutes at most).`,
    fix: typeof batch.timeout !== 'number' || batch.timeout <= 900
      ? 'use a whole number of seconds from 1 to 900.'
      // timeout bounds one invocation, durable or not; a durable batch's whole run may last up to 366 days.
      : batch.durable !== undefined
        ? 'use 900 or less: even a durable batch runs each invocation for at most 900 s. Make its steps shorter; durable.executionTimeout bounds the whole run.'
        : `use 900 or less. For a longer job make the batch durable (durable: { executionTimeout: ${Math.max(3600, Math.ceil(batch.timeout / 3600) * 3600)} }, with timeout: 900): its run is made of checkpointed steps and may last up to 366 days; or split the job into smaller runs (e.g. a more frequent schedule over smaller windows).`,
  });

export const retentionAllowed: BatchRule = (batch) => {
  if (batch.logRetentionDays === undefined || RETENTION_DAYS.includes(batch.logRetentionDays)) return [];
  const n = Number(batch.logRetentionDays);
  const nearest = RETENTION_DAYS.reduce((a, b) => (Math.abs(b - n) < Math.abs(a - n) ? b : a));
  return [{
    field: 'logRetentionDays',
    message: `${show(batch.logRetentionDays)} is not a retention CloudWatch Logs allows.`,
    fix: `use one of ${RETENTION_DAYS.join(', ')}${Number.isFinite(n) ? ` (nearest: ${nearest})` : ''}.`,
  }];
};

export const concurrencyValid: BatchRule = (batch) =>
  when(batch.reservedConcurrency !== undefined && batch.reservedConcurrency !== false && !isIntIn(batch.reservedConcurrency, 1, 1000), {
    field: 'reservedConcurrency',
    message: `${show(batch.reservedConcurrency)} is not a usable reserved concurrency.`,
    fix: batch.reservedConcurrency === 0
      ? 'use enabled: false to stop a batch; reserved concurrency 0 would throttle every run.'
      : 'use a whole number from 1 (runs never overlap, the default) to 1000.',
  });

export const inputSize: BatchRule = (batch) => {
  if (batch.input === undefined) return [];
  if (batch.input === null || typeof batch.input !== 'object' || Array.isArray(batch.input)) {
    return [{ field: 'input', message: `${show(batch.input)} is not a JSON object.`, fix: 'pass an object, e.g. { report: "weekly" }, or leave input out.' }];
  }
  let json: string;
  try {
    json = JSON.stringify(batch.input);
  } catch (e) {
    return [{ field: 'input', message: `cannot be serialized to JSON (${(e as Error).message}).`, fix: 'use plain JSON values: no cycles, BigInts or functions.' }];
  }
  return when(json.length > MAX_INPUT_CHARS, {
    field: 'input',
    message: `is ${json.length} characters as JSON; EventBridge allows ${MAX_INPUT_CHARS}.`,
    fix: 'pass a smaller input, e.g. a key the handler uses to load the rest from S3 or SSM.',
  });
};

function isBatchform(key: string): boolean {
  return (Object.values(RUNTIME_ENV) as string[]).includes(key);
}

/** Whether `secrets` is a record of references a variable can be written from (the secrets rule checks the rest). */
function secretsShaped(secrets: unknown): secrets is Record<string, SecretReference> {
  return !!secrets && typeof secrets === 'object' && !Array.isArray(secrets)
    && Object.values(secrets).every((r) => !!r && typeof r === 'object' && typeof (r as SecretReference).name === 'string');
}

/**
 * Environment variables every batch function gets besides the batch's own: its name, time zone and
 * (with secrets) the references to its secrets.
 */
export function batchformEnvironment(batch: {
  readonly name: string;
  readonly timezone?: string;
  readonly secrets?: unknown;
}): Record<string, string> {
  const secrets: Record<string, string> = secretsShaped(batch.secrets) && Object.keys(batch.secrets).length > 0
    ? { [RUNTIME_ENV.secrets]: secretsVariable(batch.secrets) } : {};
  return { ...runtimeEnvironment({ name: batch.name, timezone: batch.timezone ?? BATCH_DEFAULTS.timezone }), ...secrets, ...FIXED_ENVIRONMENT };
}

/**
 * The run-ledger variables the template sets as a stage deploys the batch (table, retention,
 * overlap policy, the stack name of its metrics, code zip key, a durable batch's execution
 * timeout), counted in its size.
 */
export function ledgerEnvironment(
  batch: Pick<BatchOptions, 'name' | 'overlap' | 'durable'>,
  stage: Pick<StageOptions, 'name' | 'stackPrefix' | 'artifactPrefix' | 'ledgerRetentionDays'>,
): Record<string, string> {
  return {
    [RUNTIME_ENV.ledgerTable]: ledgerTableName({ stackPrefix: stackPrefixOf(stage) }),
    [RUNTIME_ENV.ledgerRetentionDays]: String(stage.ledgerRetentionDays ?? STAGE_DEFAULTS.ledgerRetentionDays),
    [RUNTIME_ENV.overlap]: batch.overlap ?? BATCH_DEFAULTS.overlap,
    [RUNTIME_ENV.stack]: stackName({ stackPrefix: stackPrefixOf(stage) }, batch.name),
    // <artifactPrefix>/<batch>/<sha256>.zip
    [RUNTIME_ENV.codeKey]: `${stage.artifactPrefix ?? STAGE_DEFAULTS.artifactPrefix}/${batch.name}/${'0'.repeat(64)}.zip`,
    ...(batch.durable ? { [RUNTIME_ENV.executionTimeout]: String(batch.durable.executionTimeout) } : {}),
  };
}

/** What placeholders depend on: the stage's account, region and stack prefix. */
type StageWhere = Pick<StageOptions, 'name' | 'account' | 'region' | 'stackPrefix'>;

/** The value a placeholder takes in a stage's stack (the partition from aws-cdk-lib's region facts). */
function pseudoValue(name: string, stage: StageWhere, batchName: string): string | undefined {
  switch (name) {
    case 'AWS::Region': return String(stage.region);
    case 'AWS::AccountId': return String(stage.account);
    case 'AWS::StackName': return stackName({ stackPrefix: stackPrefixOf(stage) }, batchName);
    case 'AWS::Partition': return regionFacts()[String(stage.region)]?.partition ?? 'aws';
    case 'AWS::URLSuffix': return regionFacts()[String(stage.region)]?.domainSuffix ?? 'amazonaws.com';
    default: return undefined;
  }
}

/** A value with its `${AWS::...}` placeholders filled in as CloudFormation does in that stage's stack. */
export function substitutePlaceholders(value: string, stage: StageWhere, batchName: string): string {
  return value.replace(PLACEHOLDER, (m, name: string) => pseudoValue(name, stage, batchName) ?? m);
}

/** The size Lambda counts: every name and value, placeholders substituted as in that stage. */
function environmentBytes(env: Record<string, string>, stage: StageOptions | undefined, batchName: string): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(
    stage ? substitutePlaceholders(String(v), stage, batchName) : String(v),
  ), 0);
}

/** A `${...}` placeholder, as Fn::Sub reads it. */
const PLACEHOLDER = /\$\{([^}]*)\}/g;

export const environmentValid: BatchRule = (batch, ctx) => {
  const env = batch.environment ?? {};
  const findings = Object.entries(env).flatMap(([key, value]) => [
    ...when(!ENVIRONMENT_NAME.test(key), {
      field: `environment.${key}`,
      message: `"${key}" is not a valid environment variable name; Lambda takes names of at least two characters: a letter, then letters, digits and underscores.`,
      fix: 'use a name such as "REPORT_BUCKET".',
    }),
    ...when(RESERVED_ENVIRONMENT.includes(key), {
      field: `environment.${key}`,
      message: `"${key}" is reserved by ${isBatchform(key) ? 'batchform' : 'Lambda'}.`,
      fix: `rename the variable; ${isBatchform(key) ? 'batchform sets this one itself' : 'Lambda sets this one itself'}.`,
    }),
    ...when(typeof value !== 'string', {
      field: `environment.${key}`,
      message: `the value ${show(value)} is not a string.`,
      fix: `write it as a string, e.g. "${String(value)}".`,
    }),
    ...[...new Set([...(typeof value === 'string' ? value.matchAll(PLACEHOLDER) : [])].map((m) => m[0]))]
      .filter((p) => !PSEUDO_PARAMETERS.includes(p.slice(2, -1)))
      .map((p) => ({
        field: `environment.${key}`,
        message: `${show(value)} holds the placeholder ${p}, which CloudFormation does not substitute in a batch template.`,
        fix: `use only \${${PSEUDO_PARAMETERS.join('}, ${')}}, or write the value out.`,
      })),
  ]);
  if (findings.length > 0 || typeof batch.name !== 'string') return findings;
  const ownOf = (stage: StageOptions | undefined) => ({ ...batchformEnvironment(batch), ...(stage ? ledgerEnvironment(batch, stage) : {}) });
  const stages = stagesOf(batch, ctx);
  const each = (stages.length ? stages : [undefined]).map((stage) => ({ own: ownOf(stage), stage }));
  const bytes = Math.max(...each.map(({ own, stage }) => environmentBytes({ ...own, ...env }, stage, batch.name)));
  const ownBytes = Math.max(...each.map(({ own, stage }) => environmentBytes(own, stage, batch.name)));
  const own = each[0].own;
  return when(bytes > MAX_ENVIRONMENT_BYTES, {
    field: 'environment',
    message: `is ${bytes} bytes with the ${ownBytes} of batchform's own variables (${Object.keys(own).join(', ')}) and placeholders filled in; Lambda allows ${MAX_ENVIRONMENT_BYTES} in all.`,
    fix: 'move large values to SSM Parameter Store or Secrets Manager and pass their names.',
  });
};
