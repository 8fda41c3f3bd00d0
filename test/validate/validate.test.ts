import type { BatchOptions } from '../../src/model/batch-options';
import type { StageOptions } from '../../src/model/stage-options';
import { Schedule } from '../../src/schedule/builder';
import { BatchformValidationError, Problem } from '../../src/validate/problem';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

function problemsOf(batches: BatchOptions[], stages: StageOptions[] = [STAGE]): Problem[] {
  try {
    validateDeclarations({ batches, stages }, { fileExists });
  } catch (e) {
    expect(e).toBeInstanceOf(BatchformValidationError);
    return [...(e as BatchformValidationError).problems];
  }
  return [];
}

describe('validateDeclarations: valid input', () => {
  test('fills in every default', () => {
    const { batches, stages } = validateDeclarations({ batches: [BATCH], stages: [STAGE] }, { fileExists });
    expect(batches[0]).toMatchObject({
      name: 'daily-stats',
      enabled: true,
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      memorySize: 256,
      timeout: 60,
      vpc: false,
      logRetentionDays: 30,
      reservedConcurrency: false,
      overlap: 'skip',
      timezone: 'UTC',
      stages: ['prod'],
      description: 'batchform batch daily-stats',
      handler: 'handlers/daily-stats.ts',
    });
    expect(batches[0].schedule).toMatchObject({ kind: 'cron', expression: 'cron(10 15 * * ? *)' });
    expect(stages[0]).toMatchObject({ stackPrefix: 'prod', artifactPrefix: 'batchform', githubEnvironment: 'prod', ledgerRetentionDays: 90 });
  });

  test('takes the typed Schedule helper and serializes input', () => {
    const { batches } = validateDeclarations({
      batches: [{ ...BATCH, schedule: Schedule.rate(5, 'minutes'), input: { a: 1 } }], stages: [STAGE],
    }, { fileExists });
    expect(batches[0].schedule.expression).toBe('rate(5 minutes)');
    expect(batches[0].input).toBe('{"a":1}');
  });

  test('normalizes ./ and backslashes in handler paths', () => {
    const { batches } = validateDeclarations({ batches: [{ ...BATCH, handler: '.\\handlers\\daily-stats.ts' }], stages: [STAGE] }, { fileExists });
    expect(batches[0].handler).toBe('handlers/daily-stats.ts');
  });

  test('checks handler files on disk by default, relative to projectDir', () => {
    const problems = (() => {
      try {
        validateDeclarations({ batches: [BATCH], stages: [STAGE] }, { projectDir: __dirname });
        return [];
      } catch (e) {
        return (e as BatchformValidationError).problems;
      }
    })();
    expect(problems).toEqual([expect.objectContaining({ field: 'handler', message: expect.stringContaining('does not exist') })]);
  });
});

// Each row: a declaration change, the field the problem names, and a fragment of its message.
const BAD_BATCHES: Array<[string, Partial<BatchOptions> & Record<string, unknown>, string, string]> = [
  ['upper-case name', { name: 'DailyStats' }, 'name', 'is not a valid batch name'],
  ['name with underscore', { name: 'daily_stats' }, 'name', 'is not a valid batch name'],
  ['reserved name', { name: 'bootstrap' }, 'name', 'is reserved'],
  ['name too long with prefix', { name: 'a'.repeat(60) }, 'name', 'Lambda allows 64'],
  ['missing handler', { handler: '' }, 'handler', 'is missing'],
  ['handler outside handlers/', { handler: 'src/job.ts' }, 'handler', 'is outside handlers/'],
  ['handler escaping handlers/', { handler: 'handlers/../src/job.ts' }, 'handler', 'is outside handlers/'],
  ['handler not a script', { handler: 'handlers/job.py' }, 'handler', 'is not a TypeScript or JavaScript file'],
  ['handler file absent', { handler: 'handlers/missing.ts' }, 'handler', 'does not exist'],
  ['Unix cron', { schedule: 'cron(0 3 * * *)' }, 'schedule', 'cron(0 3 * * *)'],
  ['schedule not a string', { schedule: 42 as unknown as string }, 'schedule', 'is not a schedule'],
  ['unknown time zone', { timezone: 'Asia/Seol' }, 'timezone', 'is not an IANA time zone'],
  ['timeout over 900', { timeout: 1200 }, 'timeout', "outside Lambda's range"],
  ['timeout zero', { timeout: 0 }, 'timeout', "outside Lambda's range"],
  ['fractional timeout', { timeout: 1.5 }, 'timeout', "outside Lambda's range"],
  ['memory too small', { memorySize: 64 }, 'memorySize', "outside Lambda's range"],
  ['memory too large', { memorySize: 20000 }, 'memorySize', "outside Lambda's range"],
  ['retention not allowed', { logRetentionDays: 10 }, 'logRetentionDays', 'is not a retention'],
  ['deprecated runtime', { runtime: 'nodejs20.x' }, 'runtime', 'deprecated'],
  ['non-Node runtime', { runtime: 'python3.12' }, 'runtime', 'is not a supported Node.js Lambda runtime'],
  ['bad architecture', { architecture: 'x86' as 'arm64' }, 'architecture', 'is not a Lambda architecture'],
  ['zero concurrency', { reservedConcurrency: 0 }, 'reservedConcurrency', 'is not a usable reserved concurrency'],
  ['oversized input', { input: { blob: 'x'.repeat(9000) } }, 'input', 'EventBridge allows 8192'],
  ['input not an object', { input: [1, 2] as unknown as Record<string, unknown> }, 'input', 'is not a JSON object'],
  ['reserved environment name', { environment: { AWS_REGION: 'x' } }, 'environment.AWS_REGION', 'is reserved by Lambda'],
  ['batchform environment name', { environment: { BATCHFORM_TIMEZONE: 'UTC' } }, 'environment.BATCHFORM_TIMEZONE', 'is reserved by batchform'],
  ['bad environment name', { environment: { '1X': 'y' } }, 'environment.1X', 'is not a valid environment variable name'],
  ['environment too big', { environment: { BIG: 'x'.repeat(5000) } }, 'environment', 'Lambda allows 4096'],
  ['description too long', { description: 'd'.repeat(300) }, 'description', 'Lambda allows a string of up to 256'],
  ['empty policy actions', { policyStatements: [{ actions: [], resources: ['*'] }] }, 'policyStatements[0].actions', 'is empty'],
  ['bad policy action', { policyStatements: [{ actions: ['GetObject'], resources: ['*'] }] }, 'policyStatements[0].actions', 'is not an IAM action'],
  ['bad policy resource', { policyStatements: [{ actions: ['s3:GetObject'], resources: ['my-bucket'] }] }, 'policyStatements[0].resources', 'is not an ARN'],
  ['unknown stage', { stages: ['staging'] }, 'stages', 'refers to stage "staging"'],
  ['no stages', { stages: [] }, 'stages', 'deploy nowhere'],
  ['vpc not boolean', { vpc: 'yes' as unknown as boolean }, 'vpc', 'is not true or false'],
  ['aws: tag', { tags: { 'aws:team': 'x' } }, 'tags.aws:team', 'is not a usable tag key'],
];

describe('validateDeclarations: every bad batch field is named with a fix', () => {
  test.each(BAD_BATCHES)('%s', (_title, change, field, fragment) => {
    const problems = problemsOf([{ ...BATCH, ...change } as BatchOptions]);
    const subject = typeof change.name === 'string' ? `batch "${change.name}"` : 'batch "daily-stats"';
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject, field, message: expect.stringContaining(fragment), fix: expect.any(String) }),
    ]));
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(10);
  });
});

const BAD_STAGES: Array<[string, Partial<StageOptions>, string, string]> = [
  ['upper-case stage name', { name: 'Prod' }, 'name', 'is not a valid stage name'],
  ['short account', { account: '1234' }, 'account', 'is not a 12-digit AWS account id'],
  ['bad region', { region: 'seoul' }, 'region', 'is not an AWS region'],
  ['bad bucket', { artifactBucket: 'My_Bucket' }, 'artifactBucket', 'is not a valid S3 bucket name'],
  ['bad prefix', { stackPrefix: '9lives' }, 'stackPrefix', 'cannot start a stack name'],
  ['bad artifact prefix', { artifactPrefix: '/abs/' }, 'artifactPrefix', 'is not a usable S3 key prefix'],
  ['bad subnet id', { subnetIds: ['subnet-xyz'] }, 'subnetIds', 'is not a subnet id'],
  ['bad security group id', { securityGroupIds: ['group-1'] }, 'securityGroupIds', 'is not a security group id'],
  ['bad deploy role', { deployRoleArn: 'batchform-deploy' }, 'deployRoleArn', 'is not an IAM role ARN'],
  ['bad permissions boundary', { permissionsBoundaryArn: 'arn:aws:iam::111122223333:role/x' }, 'permissionsBoundaryArn', 'is not an IAM policy ARN'],
];

describe('validateDeclarations: every bad stage field is named with a fix', () => {
  test.each(BAD_STAGES)('%s', (_title, change, field, fragment) => {
    const stage = { ...STAGE, ...change };
    const problems = problemsOf([{ ...BATCH, stages: undefined }], [stage]);
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: `stage "${stage.name}"`, field, message: expect.stringContaining(fragment) }),
    ]));
  });
});

describe('validateDeclarations: problems across declarations', () => {
  test('duplicate batch names', () => {
    expect(problemsOf([BATCH, { ...BATCH }])).toEqual([
      expect.objectContaining({ subject: 'batch "daily-stats"', field: 'name', message: expect.stringContaining('declared twice') }),
    ]);
  });

  test('duplicate stage names and colliding prefixes', () => {
    const problems = problemsOf([BATCH], [STAGE, { ...STAGE }, { ...STAGE, name: 'other', stackPrefix: 'prod' }]);
    expect(problems.map((p) => `${p.subject}/${p.field}`)).toEqual(['stage "prod"/name', 'stage "other"/stackPrefix']);
  });

  test('VPC batches need subnets and security groups in every stage they deploy to', () => {
    const bare: StageOptions = { ...STAGE, name: 'dev', subnetIds: [], securityGroupIds: undefined };
    const problems = problemsOf([{ ...BATCH, vpc: true }], [STAGE, bare]);
    expect(problems).toEqual([
      expect.objectContaining({ subject: 'batch "daily-stats"', field: 'vpc', message: 'is on, but stage "dev" has no subnetIds.' }),
      expect.objectContaining({ subject: 'batch "daily-stats"', field: 'vpc', message: 'is on, but stage "dev" has no securityGroupIds.' }),
    ]);
    // Deploying only to the stage that has the ids is fine.
    expect(problemsOf([{ ...BATCH, vpc: true, stages: ['prod'] }], [STAGE, bare])).toEqual([]);
  });

  test('lists every problem at once, in one message naming batch and field', () => {
    let error: BatchformValidationError | undefined;
    try {
      validateDeclarations({ batches: [{ ...BATCH, timeout: 1200, memorySize: 1, schedule: 'rate(1 minutes)' }], stages: [STAGE] }, { fileExists });
    } catch (e) {
      error = e as BatchformValidationError;
    }
    expect(error?.problems.map((p) => p.field)).toEqual(['schedule', 'memorySize', 'timeout']);
    expect(error?.message).toMatch(/^batchform: 3 problems in the batch declarations; nothing was written\./);
    expect(error?.message).toContain('batch "daily-stats", field "timeout": 1200 seconds');
    expect(error?.message).toContain('Fix: use 900 or less');
  });

  test('a batch without a usable name is named by its position', () => {
    const problems = problemsOf([BATCH, { ...BATCH, name: '' }]);
    expect(problems[0].subject).toBe('batch #2');
  });
});
