// The CloudFormation template of one batch: log group, role, function, and what runs it on schedule
// (an EventBridge rule and its invoke permission in UTC, or an EventBridge Scheduler schedule with
// its own role in the batch's time zone).
import { App, Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnEventInvokeConfig, CfnFunction, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { codeParameters } from './code-parameters';
import { addDurableExecutionPolicy, addStarter, addVersionAndAlias, DURABLE_LOGICAL_IDS, durableConfig, LIVE_ALIAS } from './durable-resources';
import { ledgerGrantStatement, ledgerTableArn } from './ledger-table';
import { addAlarms, addDeadLetterQueue, addDeadLetterQueuePolicy, DEAD_LETTER_QUEUE_ID } from './operation-resources';
import { NO_BOUNDARY, PARAMETERS } from './parameters';
import { SCHEDULER_EVENT } from './scheduler-event';
import { STAGE_PARAMETERS } from './stage-parameters';
import { addStageParameters, StageValues } from './stage-template';
import { CfnTemplate, synthesizeStacks } from './synth';
import { BATCH_TAG } from '../model/bootstrap-names';
import { DEFAULT_LEDGER_RETENTION_DAYS, MAX_LEDGER_RETENTION_DAYS } from '../model/ledger';
import { RUNTIME_ENV } from '../model/runtime-env';
import { SECRET_READ_ACTIONS, SECRET_SERVICES, secretResourceArn, SecretSource } from '../model/secrets';
import { Batch, isDurable, usesScheduler } from '../model/validated';
import { batchformEnvironment } from '../validate/rules/function';

/** Logical ids of a batch template's resources: short, readable, stable across regenerations. */
export const LOGICAL_IDS = {
  logGroup: 'LogGroup',
  role: 'Role',
  function: 'Function',
  rule: 'Schedule',
  permission: 'InvokePermission',
  // A new logical id, not the rule's: CloudFormation cannot change a resource's type in place.
  schedule: 'LocalTimeSchedule',
  scheduleGroup: 'ScheduleGroup',
  schedulerRole: 'SchedulerRole',
  deadLetterQueue: DEAD_LETTER_QUEUE_ID,
  invokeConfig: 'InvokeConfig',
} as const;


export { NO_BOUNDARY, PARAMETERS } from './parameters';
export { SCHEDULER_EVENT } from './scheduler-event';

/** Rights a VPC function needs to attach its network interfaces (AWSLambdaVPCAccessExecutionRole). */
export const VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * A string as CloudFormation should see it: wrapped in `Fn::Sub` when it names a pseudo parameter
 * such as `${AWS::Region}`, so one template serves every stage's account and region.
 */
export function withPseudoParameters(value: string): string {
  return /\$\{AWS::[A-Za-z]+\}/.test(value) ? Fn.sub(value) : value;
}

/** Adds one batch's resources, parameters and outputs to `stack`. */
export function addBatchResources(stack: Stack, batch: Batch): void {
  stack.templateOptions.description = `batchform batch "${batch.name}": ${batch.description}`;
  // The stack is named <stackPrefix>-<batch> in each stage; function and rule take that name, so
  // one template serves every stage and the log group name is known before the function exists.
  const functionName = Aws.STACK_NAME;

  const { code, key: codeKey } = codeParameters(stack, {
    bucket: PARAMETERS.codeBucket,
    key: PARAMETERS.codeKey,
    version: PARAMETERS.codeVersion,
    pinsVersion: 'PinsCodeVersion',
    zip: 'the code zip',
    keyShape: '<prefix>/<batch>/<sha256>.zip',
  });

  const logGroup = new CfnLogGroup(stack, LOGICAL_IDS.logGroup, {
    logGroupName: Fn.sub('/aws/lambda/${AWS::StackName}'),
    retentionInDays: batch.logRetentionDays,
  });

  const deadLetters = addDeadLetterQueue(stack);

  // The stage's run ledger: the deploy manifest names each stage's table and retention.
  const ledgerTable = new CfnParameter(stack, PARAMETERS.ledgerTable, {
    type: 'String', minLength: 3, maxLength: 255, allowedPattern: '^[a-zA-Z0-9_.-]+$', description: 'The stage\'s run ledger table (<stackPrefix>-batchform-ledger)',
  });
  const ledgerRetention = new CfnParameter(stack, PARAMETERS.ledgerRetentionDays, {
    type: 'Number', default: DEFAULT_LEDGER_RETENTION_DAYS, minValue: 1, maxValue: MAX_LEDGER_RETENTION_DAYS, description: 'Days the run ledger keeps a run\'s record',
  });

  const statements: Record<string, unknown>[] = [{
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: logGroup.attrArn,
  }, {
    // Lambda sends runs that failed every retry to the dead-letter queue as the function's role.
    Sid: 'DeadLetterFailedRuns',
    Effect: 'Allow',
    Action: 'sqs:SendMessage',
    Resource: deadLetters.attrArn,
  },
  // Claims, leases and ends of its own runs: the ledger partition named after the batch, only.
  ledgerGrantStatement(batch.name, ledgerTableArn(ledgerTable.valueAsString))];
  if (batch.vpc) {
    statements.push({
      Sid: 'AttachToVpc',
      Effect: 'Allow',
      Action: VPC_ACTIONS,
      // EC2 network-interface actions that Lambda performs for the function do not support
      // resource-level scoping at creation time; AWS's managed policy uses "*" as well.
      Resource: '*',
    });
  }
  statements.push(...secretStatements(batch));
  batch.policyStatements.forEach((st) => {
    statements.push({
      Effect: st.effect ?? 'Allow',
      Action: st.actions,
      Resource: st.resources.map(withPseudoParameters),
      ...(st.conditions ? { Condition: st.conditions } : {}),
    });
  });

  const boundary = new CfnParameter(stack, PARAMETERS.permissionsBoundary, {
    type: 'String', default: NO_BOUNDARY, description: `Permissions boundary of the function role ("${NO_BOUNDARY}": none)`,
  });
  const hasBoundary = new CfnCondition(stack, 'HasPermissionsBoundary', { expression: Fn.conditionNot(Fn.conditionEquals(boundary.valueAsString, NO_BOUNDARY)) });
  const role = new CfnRole(stack, LOGICAL_IDS.role, {
    permissionsBoundary: Fn.conditionIf(hasBoundary.logicalId, boundary.valueAsString, Aws.NO_VALUE).toString(),
    description: `Execution role of batchform batch ${batch.name}`,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [{ policyName: 'batch', policyDocument: { Version: '2012-10-17', Statement: statements } }],
    // The boundary caps ledger writes to the partition this tag names (aws:PrincipalTag).
    tags: [{ key: BATCH_TAG, value: batch.name }],
  });
  if (batch.vpc) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the VPC statement uses "*": Lambda creates and describes the function\'s network interfaces with ec2:CreateNetworkInterface/Describe*/DeleteNetworkInterface/Assign/UnassignPrivateIpAddresses, which do not support resource-level scoping here (AWSLambdaVPCAccessExecutionRole uses "*" too). Every other statement names its resources.',
    });
  }

  const values = addStageParameters(stack, batch);

  let vpcConfig: CfnFunction.VpcConfigProperty | undefined;
  if (batch.vpc) {
    const subnets = new CfnParameter(stack, PARAMETERS.subnetIds, {
      type: 'List<AWS::EC2::Subnet::Id>', description: 'Subnets the function runs in',
    });
    const groups = new CfnParameter(stack, PARAMETERS.securityGroupIds, {
      type: 'List<AWS::EC2::SecurityGroup::Id>', description: 'Security groups of the function',
    });
    vpcConfig = { subnetIds: subnets.valueAsList, securityGroupIds: groups.valueAsList };
  }

  const durable = isDurable(batch);
  // A durable function gets a new logical id and a CloudFormation-generated name (its log group is
  // still /aws/lambda/<stack>): durable execution is set only when a function is created, so
  // turning it on or off creates the other function before removing this one, under another name.
  const fn = new CfnFunction(stack, durable ? DURABLE_LOGICAL_IDS.function : LOGICAL_IDS.function, {
    functionName: durable ? undefined : functionName,
    durableConfig: durableConfig(batch),
    description: batch.description,
    code,
    handler: 'index.handler',
    runtime: batch.runtime,
    architectures: [batch.architecture],
    memorySize: values.memorySize,
    timeout: values.timeout,
    role: role.attrArn,
    reservedConcurrentExecutions: values.reservedConcurrency,
    environment: {
      variables: {
        ...batchformEnvironment(batch),
        [RUNTIME_ENV.timezone]: values.timezone,
        [RUNTIME_ENV.ledgerTable]: ledgerTable.valueAsString,
        [RUNTIME_ENV.ledgerRetentionDays]: ledgerRetention.valueAsString,
        [RUNTIME_ENV.overlap]: batch.overlap,
        [RUNTIME_ENV.stack]: Aws.STACK_NAME,
        [RUNTIME_ENV.codeKey]: codeKey.valueAsString,
        ...(batch.durable ? { [RUNTIME_ENV.executionTimeout]: String(batch.durable.executionTimeout) } : {}),
        ...Object.fromEntries(Object.entries(batch.environment).map(([k, v]) => [k, withPseudoParameters(v)])),
        ...values.environment,
      },
    },
    loggingConfig: { logGroup: logGroup.ref, logFormat: 'JSON' },
    vpcConfig,
  });

  // A durable batch: executions run on a published version behind the `live` alias, started by
  // the starter function the schedule invokes (it names each execution after its scheduled time).
  const alias = durable ? addVersionAndAlias(stack, batch, fn, [addDurableExecutionPolicy(stack, role, fn)], values.settingsDigest) : undefined;
  const invokeConfig = new CfnEventInvokeConfig(stack, LOGICAL_IDS.invokeConfig, {
    functionName: fn.ref,
    qualifier: alias ? LIVE_ALIAS : '$LATEST',
    maximumRetryAttempts: batch.retryAttempts,
    maximumEventAgeInSeconds: batch.maxEventAgeSeconds,
    destinationConfig: { onFailure: { destination: deadLetters.attrArn } },
  });
  if (alias) invokeConfig.addResourceDependency(alias);
  const target = alias ? addStarter(stack, batch, alias, deadLetters, hasBoundary, boundary.valueAsString) : fn;

  const runner = usesScheduler(batch)
    ? addScheduler(stack, batch, values, target, deadLetters, hasBoundary, boundary.valueAsString)
    : addRule(stack, batch, values, target, deadLetters);

  if (batch.alarms) {
    addAlarms(stack, batch, {
      functionName: fn.ref,
      delivery: runner.delivery,
      queueName: deadLetters.attrQueueName,
      logGroupName: logGroup.ref,
      ...(alias ? { starterName: target.ref } : {}),
    }, values);
  }

  new CfnOutput(stack, 'FunctionArn', { value: fn.attrArn, description: 'ARN of the batch function' });
  if (alias) {
    new CfnOutput(stack, 'AliasArn', { value: alias.ref, description: 'Qualified ARN (live alias) the durable executions run on' });
    new CfnOutput(stack, 'StarterArn', { value: target.attrArn, description: 'ARN of the function the schedule invokes to start one execution per run' });
  }
  new CfnOutput(stack, runner.output.id, { value: runner.output.arn, description: runner.output.description });
  new CfnOutput(stack, 'LogGroupName', { value: logGroup.ref, description: 'Log group of the batch function' });
  new CfnOutput(stack, 'DeadLetterQueueUrl', { value: deadLetters.ref, description: 'Runs that failed every retry or could not be delivered' });
}

/**
 * Read rights on exactly the batch's secrets: `ssm:GetParameter(s)` on each parameter's ARN,
 * `secretsmanager:GetSecretValue` on each secret's (its random suffix matched by `-??????`), and
 * `kms:Decrypt` on a customer-managed key only through the store that uses it (`kms:ViaService`).
 * The AWS managed keys (`aws/ssm`, `aws/secretsmanager`) need no statement: their key policies let
 * the store decrypt for any principal of the account allowed to read the value.
 */
export function secretStatements(batch: Pick<Batch, 'secrets'>): Record<string, unknown>[] {
  const refs = Object.values(batch.secrets);
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  const sids: Record<SecretSource, string> = { ssm: 'ReadSsmParameters', secretsManager: 'ReadSecrets' };
  return (['ssm', 'secretsManager'] as const).flatMap((source) => {
    const of = refs.filter((r) => r.source === source);
    if (of.length === 0) return [];
    const keys = sorted(of.flatMap((r) => (r.kmsKeyArn ? [r.kmsKeyArn] : [])));
    return [
      { Sid: sids[source], Effect: 'Allow', Action: [...SECRET_READ_ACTIONS[source]], Resource: sorted(of.map(secretResourceArn)).map(withPseudoParameters) },
      ...(keys.length ? [{
        Sid: `Decrypt${sids[source].slice(4)}`,
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keys,
        Condition: { StringEquals: { 'kms:ViaService': Fn.sub(`${SECRET_SERVICES[source]}.\${AWS::Region}.\${AWS::URLSuffix}`) } },
      }] : []),
    ];
  });
}

/** "Runs batchform batch x: cron(...) (zone)", naming the stage's schedule and zone when they are parameters. */
function runsDescription(batch: Batch, values: StageValues): string {
  if (!values.scheduleIsParameter && !values.timezoneIsParameter) {
    return `Runs batchform batch ${batch.name}: ${batch.schedule.expression} (${usesScheduler(batch) ? batch.timezone : 'UTC'})`;
  }
  const schedule = values.scheduleIsParameter ? `\${${STAGE_PARAMETERS.schedule}}` : batch.schedule.expression;
  const zone = values.timezoneIsParameter ? `\${${STAGE_PARAMETERS.timezone}}` : usesScheduler(batch) ? batch.timezone : 'UTC';
  return Fn.sub(`Runs batchform batch ${batch.name}: ${schedule} (${zone})`);
}

/** What runs a batch on schedule, as the alarms and outputs need it. */
interface Runner {
  readonly delivery: { readonly ruleName: string } | { readonly scheduleGroup: string };
  readonly output: { readonly id: string; readonly arn: string; readonly description: string };
}

/**
 * UTC batches: the EventBridge rule, its target's retries and dead letters, the invoke permission.
 * `fn` is what the rule invokes: the batch function, or a durable batch's starter.
 */
function addRule(stack: Stack, batch: Batch, values: StageValues, fn: CfnFunction, deadLetters: CfnQueue): Runner {
  const rule = new CfnRule(stack, LOGICAL_IDS.rule, {
    name: Aws.STACK_NAME,
    description: runsDescription(batch, values),
    scheduleExpression: values.schedule,
    state: values.state,
    targets: [{
      id: 'Function',
      arn: fn.attrArn,
      input: batch.input,
      retryPolicy: { maximumRetryAttempts: batch.deliveryRetryAttempts, maximumEventAgeInSeconds: batch.maxEventAgeSeconds },
      deadLetterConfig: { arn: deadLetters.attrArn },
    }],
  });
  addDeadLetterQueuePolicy(stack, deadLetters, { ruleArn: rule.attrArn });

  new CfnPermission(stack, LOGICAL_IDS.permission, {
    action: 'lambda:InvokeFunction',
    functionName: fn.ref,
    principal: 'events.amazonaws.com',
    sourceArn: rule.attrArn,
    sourceAccount: Aws.ACCOUNT_ID,
  });
  return {
    delivery: { ruleName: rule.ref },
    output: { id: 'RuleArn', arn: rule.attrArn, description: 'ARN of the schedule rule' },
  };
}

/**
 * Batches with a time zone: an EventBridge Scheduler schedule in the batch's own schedule group
 * (named after the stack: the Scheduler's metrics have only a ScheduleGroup dimension, so a group
 * per batch is what lets the delivery alarm name one batch), invoking the function through an
 * execution role that only this schedule can assume and that may only invoke this function.
 */
function addScheduler(
  stack: Stack, batch: Batch, values: StageValues, fn: CfnFunction, deadLetters: CfnQueue, hasBoundary: CfnCondition, boundaryArn: string,
): Runner {
  const group = new CfnScheduleGroup(stack, LOGICAL_IDS.scheduleGroup, { name: Aws.STACK_NAME });
  // The role cannot reference the schedule (the schedule references the role): its ARN is built.
  const scheduleArn = Fn.sub('arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${AWS::StackName}/${AWS::StackName}');
  const role = new CfnRole(stack, LOGICAL_IDS.schedulerRole, {
    permissionsBoundary: Fn.conditionIf(hasBoundary.logicalId, boundaryArn, Aws.NO_VALUE).toString(),
    description: `Scheduler execution role of batchform batch ${batch.name}: invokes its function only`,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': scheduleArn },
        },
      }],
    },
    policies: [{
      policyName: 'invoke',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'InvokeTheBatch', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fn.attrArn }],
      },
    }],
  });

  const schedule = new CfnSchedule(stack, LOGICAL_IDS.schedule, {
    name: Aws.STACK_NAME,
    groupName: group.ref,
    description: runsDescription(batch, values),
    scheduleExpression: values.schedule,
    scheduleExpressionTimezone: values.timezone,
    flexibleTimeWindow: batch.flexibleWindowMinutes === undefined
      ? { mode: 'OFF' }
      : { mode: 'FLEXIBLE', maximumWindowInMinutes: batch.flexibleWindowMinutes },
    startDate: batch.startDate,
    endDate: batch.endDate,
    state: values.state,
    target: {
      arn: fn.attrArn,
      roleArn: role.attrArn,
      input: batch.input ?? Fn.sub(SCHEDULER_EVENT),
      retryPolicy: { maximumRetryAttempts: batch.deliveryRetryAttempts, maximumEventAgeInSeconds: batch.maxEventAgeSeconds },
      deadLetterConfig: { arn: deadLetters.attrArn },
    },
  });
  // The Scheduler sends dead letters as its execution role; the queue policy admits that role.
  addDeadLetterQueuePolicy(stack, deadLetters, { schedulerRoleArn: role.attrArn });
  return {
    delivery: { scheduleGroup: group.ref },
    output: { id: 'ScheduleArn', arn: schedule.attrArn, description: 'ARN of the EventBridge Scheduler schedule' },
  };
}

/** One stack builder per batch, keyed by batch name, for {@link synthesizeStacks}. */
export function batchStackBuilders(batches: readonly Batch[]): Record<string, (stack: Stack) => void> {
  return Object.fromEntries(batches.map((b) => [b.name, (stack: Stack) => addBatchResources(stack, b)]));
}

/** Builds the template of every batch, keyed by batch name, in one synthesis. */
export function batchTemplates(batches: readonly Batch[], configure?: (app: App) => void): Record<string, CfnTemplate> {
  return synthesizeStacks(batchStackBuilders(batches), configure);
}
