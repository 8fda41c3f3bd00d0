// The stage stack (`<stackPrefix>-stage`, cfn-out/stage.template.json): what every batch of a stage
// shares, deployed through the same change sets as the batch stacks, before them. One template
// serves every stage (the manifest passes each stage's values), built from parts: the alarm
// topic, the run ledger's table and its missed-run watchdog.
import { App, Aws, CfnCondition, CfnOutput, CfnParameter, CfnResource, CfnWaitConditionHandle, Fn, Stack } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnFunction, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSubscription, CfnTopic, CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { codeParameters } from './code-parameters';
import { addLedgerTable, LEDGER_LOGICAL_IDS, ledgerTableArn } from './ledger-table';
import { NO_BOUNDARY } from './parameters';
import {
  alarmTopicValues, ledgerValues, STAGE_ALARM_PARAMETERS, STAGE_LEDGER_PARAMETERS, StageStackPartValues, WATCHDOG_PARAMETERS, watchdogValues,
} from './stage-stack-values';
import { CfnTemplate, synthesizeStacks } from './synth';
import { tlsOnly } from './tls-only';
import { MAX_ALARM_EMAILS } from '../model/limits';
import { STAGE_STACK_SUFFIX } from '../model/names';
import { RUNTIME_ENV } from '../model/runtime-env';
import type { ValidatedDeclarations } from '../model/validated';
import { WATCHDOG_ENV, WATCHDOG_FUNCTION, WATCHDOG_SCHEDULE, watchdogLedgerPolicy, watchdogRoleName } from '../model/watchdog';

/** Logical ids of the stage stack's resources and outputs. */
export const STAGE_LOGICAL_IDS = {
  alarmTopicKey: 'AlarmTopicKey',
  alarmTopic: 'AlarmTopic',
  alarmTopicPolicy: 'AlarmTopicPolicy',
  /** `AlarmEmail1` ... `AlarmEmail5`. */
  alarmEmail: 'AlarmEmail',
  /** A resource that costs nothing and does nothing, for a stage none of whose parts creates anything. */
  placeholder: 'StageStack',
  alarmTopicArnOutput: 'AlarmTopicArn',
  watchdogRole: 'WatchdogRole',
  watchdogLogGroup: 'WatchdogLogGroup',
  watchdogFunction: 'WatchdogFunction',
  watchdogSchedule: 'WatchdogSchedule',
  watchdogPermission: 'WatchdogInvokePermission',
} as const;

/** What a part's resources may read: the declarations (every stage's). */
export interface StageStackContext {
  readonly decl: ValidatedDeclarations;
}

/**
 * One part of the stage stack: its parameter values (see {@link StageStackPartValues}) and its
 * resources. `add` declares the part's parameters (the manifest gives their values), conditions,
 * resources and outputs. It returns whether the part always creates a resource in every stage:
 * when no part does, the stack gets a placeholder (CloudFormation refuses a stack without resources).
 */
export interface StageStackPart extends StageStackPartValues {
  add(stack: Stack, ctx: StageStackContext): { readonly alwaysCreates: boolean };
}

/**
 * The stage's alarm topic: one SNS topic for every batch of the stage that has no topic of its
 * own, encrypted with a key CloudWatch may use, with one e-mail subscription per address of the
 * stage's `alarmEmails`. Created only where the manifest passes addresses.
 */
export const alarmTopicPart: StageStackPart = {
  ...alarmTopicValues,
  add(stack) {
    const emails = new CfnParameter(stack, STAGE_ALARM_PARAMETERS.emails, {
      type: 'CommaDelimitedList', default: '', description: `Up to ${MAX_ALARM_EMAILS} e-mail addresses subscribed to the stage's alarm topic ("": no topic)`,
    });
    const topicName = new CfnParameter(stack, STAGE_ALARM_PARAMETERS.topicName, {
      type: 'String',
      description: 'Name of the stage\'s alarm topic: <stackPrefix>-alarms, which the batch stacks\' alarms notify',
      allowedPattern: '^[A-Za-z0-9_-]{1,256}$',
    });
    const create = new CfnCondition(stack, 'CreateAlarmTopic', { expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', emails.valueAsList), '')) });

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key, so the
    // topic gets its own key that allows CloudWatch (and only from this account).
    const key = new CfnKey(stack, STAGE_LOGICAL_IDS.alarmTopicKey, {
      description: Fn.sub('Encrypts the alarm topic ${' + STAGE_ALARM_PARAMETERS.topicName + '} of ${AWS::StackName}'),
      enableKeyRotation: true,
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministers',
            Effect: 'Allow',
            Principal: { AWS: Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'CloudWatchPublishes',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
    });
    key.cfnOptions.condition = create;
    const topic = new CfnTopic(stack, STAGE_LOGICAL_IDS.alarmTopic, {
      topicName: topicName.valueAsString,
      kmsMasterKeyId: key.attrArn,
      displayName: Fn.sub('${AWS::StackName} alarms'),
    });
    topic.cfnOptions.condition = create;
    const policy = new CfnTopicPolicy(stack, STAGE_LOGICAL_IDS.alarmTopicPolicy, {
      topics: [topic.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic.ref,
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
          tlsOnly('sns:Publish', topic.ref),
        ],
      },
    });
    policy.cfnOptions.condition = create;

    // A CommaDelimitedList cannot be iterated in plain CloudFormation: pad it and pick fixed slots.
    const padded = Fn.split(',', Fn.join(',', [Fn.join(',', emails.valueAsList), ','.repeat(MAX_ALARM_EMAILS - 1)]));
    for (let i = 0; i < MAX_ALARM_EMAILS; i++) {
      const address = Fn.select(i, padded);
      const has = new CfnCondition(stack, `HasAlarmEmail${i + 1}`, { expression: Fn.conditionAnd(create, Fn.conditionNot(Fn.conditionEquals(address, ''))) });
      const sub = new CfnSubscription(stack, `${STAGE_LOGICAL_IDS.alarmEmail}${i + 1}`, { topicArn: topic.ref, protocol: 'email', endpoint: address });
      sub.cfnOptions.condition = has;
    }
    const output = new CfnOutput(stack, STAGE_LOGICAL_IDS.alarmTopicArnOutput, { value: topic.ref, description: 'The stage\'s alarm topic, which the batches\' alarms notify' });
    output.condition = create;
    return { alwaysCreates: false };
  },
};

/**
 * The stage's run ledger: one DynamoDB table per stage, `<stackPrefix>-batchform-ledger` (see
 * {@link addLedgerTable}: on-demand, encrypted, point-in-time recovery, TTL, deletion protection,
 * kept when the stack is deleted). Created in every stage: every batch claims its runs there.
 */
export const ledgerPart: StageStackPart = {
  ...ledgerValues,
  add(stack) {
    const tableName = new CfnParameter(stack, STAGE_LEDGER_PARAMETERS.tableName, {
      type: 'String',
      description: 'Name of the stage\'s run ledger table: <stackPrefix>-batchform-ledger, which the batch stacks\' functions write their runs to',
      allowedPattern: '^[A-Za-z0-9_.-]{3,255}$',
    });
    addLedgerTable(stack, { tableName: tableName.valueAsString });
    return { alwaysCreates: true };
  },
};

/**
 * The stage's missed-run watchdog (docs/guides/run-ledger.md, "Missed runs"): a function named
 * after the stage stack (`<stackPrefix>-stage`) that an EventBridge rule of the same name runs
 * every 15 minutes ({@link WATCHDOG_SCHEDULE}); it records in the stage's ledger every scheduled
 * time that passed its grace without a run, and publishes `RunMissed`. Its role
 * (`<stackPrefix>-stage-Watchdog`, which the stage's batch boundary recognizes) carries the stage's
 * permissions boundary and may only read and record runs in the ledger and write its own logs.
 * Its code zip (batchform's watchdog handler and `watchdog.json`, every stage's configuration) is
 * packaged by `package:batches`; the function reads its stage's entry (`BATCHFORM_STAGE`).
 */
export const watchdogPart: StageStackPart = {
  ...watchdogValues,
  add(stack) {
    const stageName = new CfnParameter(stack, WATCHDOG_PARAMETERS.stage, {
      type: 'String', allowedPattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The stage the watchdog watches (its entry in the code zip\'s watchdog.json)',
    });
    const { code, key: codeKey } = codeParameters(stack, {
      bucket: WATCHDOG_PARAMETERS.codeBucket,
      key: WATCHDOG_PARAMETERS.codeKey,
      version: WATCHDOG_PARAMETERS.codeVersion,
      pinsVersion: 'WatchdogPinsCodeVersion',
      zip: 'the watchdog\'s code zip',
      keyShape: '<prefix>/stage/<sha256>.zip',
    });
    // The ledger part (before this one in STAGE_STACK_PARTS) names and creates the table; the
    // function is created after it, so its first pass finds the table.
    const ledgerTable = stack.node.tryFindChild(STAGE_LEDGER_PARAMETERS.tableName) as CfnParameter | undefined;
    const table = stack.node.tryFindChild(LEDGER_LOGICAL_IDS.table) as CfnResource | undefined;
    if (!ledgerTable || !table) throw new Error('the stage stack\'s watchdog part needs the ledger part before it in STAGE_STACK_PARTS.');
    const boundary = new CfnParameter(stack, WATCHDOG_PARAMETERS.permissionsBoundary, {
      type: 'String', default: NO_BOUNDARY, description: `Permissions boundary of the watchdog's role ("${NO_BOUNDARY}": none)`,
    });
    const hasBoundary = new CfnCondition(stack, 'WatchdogHasPermissionsBoundary', { expression: Fn.conditionNot(Fn.conditionEquals(boundary.valueAsString, NO_BOUNDARY)) });

    const logGroup = new CfnLogGroup(stack, STAGE_LOGICAL_IDS.watchdogLogGroup, {
      logGroupName: Fn.sub('/aws/lambda/${AWS::StackName}'),
      retentionInDays: WATCHDOG_FUNCTION.logRetentionDays,
    });
    const ledgerPolicy = watchdogLedgerPolicy(ledgerTableArn(ledgerTable.valueAsString));
    const role = new CfnRole(stack, STAGE_LOGICAL_IDS.watchdogRole, {
      // `<stackPrefix>-stage-Watchdog` (watchdogRoleName): the name the stage's batch boundary lets read every batch's runs.
      roleName: Fn.sub(watchdogRoleName({ stackPrefix: '${AWS::StackName}' }).replace(`-${STAGE_STACK_SUFFIX}-`, '-')),
      permissionsBoundary: Fn.conditionIf(hasBoundary.logicalId, boundary.valueAsString, Aws.NO_VALUE).toString(),
      description: Fn.sub('Execution role of the missed-run watchdog of stage ${' + WATCHDOG_PARAMETERS.stage + '}'),
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      policies: [{
        policyName: 'watchdog',
        policyDocument: {
          Version: ledgerPolicy.Version,
          Statement: [
            { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroup.attrArn },
            ...ledgerPolicy.Statement,
          ],
        },
      }],
    });
    const fn = new CfnFunction(stack, STAGE_LOGICAL_IDS.watchdogFunction, {
      functionName: Aws.STACK_NAME,
      description: Fn.sub('batchform missed-run watchdog of stage ${' + WATCHDOG_PARAMETERS.stage + '}: records scheduled times that passed their grace without a run'),
      code,
      handler: 'index.handler',
      runtime: WATCHDOG_FUNCTION.runtime,
      architectures: [WATCHDOG_FUNCTION.architecture],
      memorySize: WATCHDOG_FUNCTION.memorySize,
      timeout: WATCHDOG_FUNCTION.timeout,
      role: role.attrArn,
      environment: {
        variables: {
          [WATCHDOG_ENV.stage]: stageName.valueAsString,
          [RUNTIME_ENV.ledgerTable]: ledgerTable.valueAsString,
          [RUNTIME_ENV.codeKey]: codeKey.valueAsString,
        },
      },
      loggingConfig: { logGroup: logGroup.ref, logFormat: 'JSON' },
    });
    fn.addResourceDependency(table as CfnResource);
    const rule = new CfnRule(stack, STAGE_LOGICAL_IDS.watchdogSchedule, {
      name: Aws.STACK_NAME,
      description: Fn.sub('Runs the missed-run watchdog of stage ${' + WATCHDOG_PARAMETERS.stage + '} every 15 minutes'),
      scheduleExpression: WATCHDOG_SCHEDULE,
      state: 'ENABLED',
      targets: [{ id: 'Watchdog', arn: fn.attrArn }],
    });
    new CfnPermission(stack, STAGE_LOGICAL_IDS.watchdogPermission, {
      action: 'lambda:InvokeFunction',
      functionName: fn.ref,
      principal: 'events.amazonaws.com',
      sourceArn: rule.attrArn,
      sourceAccount: Aws.ACCOUNT_ID,
    });
    new CfnOutput(stack, 'WatchdogFunctionName', { value: fn.ref, description: 'The stage\'s missed-run watchdog function' });
    return { alwaysCreates: true };
  },
};

/**
 * The parts of the stage stack, in order: the extension point for stage-level resources. A new
 * part is a {@link StageStackPart} appended here, with its values
 * appended to `STAGE_STACK_PART_VALUES` (stage-stack-values.ts); test/template/stage-stack.test.ts
 * checks the two lists name the same parts.
 */
export const STAGE_STACK_PARTS: readonly StageStackPart[] = [alarmTopicPart, ledgerPart, watchdogPart];

/** Adds the stage stack's parts to `stack`. */
export function addStageStackResources(stack: Stack, decl: ValidatedDeclarations, parts: readonly StageStackPart[] = STAGE_STACK_PARTS): void {
  stack.templateOptions.description = `batchform stage stack: what every batch of a stage shares (${parts.map((p) => p.name).join(', ')})`;
  const ctx: StageStackContext = { decl };
  const always = parts.map((p) => p.add(stack, ctx).alwaysCreates).some(Boolean);
  // WaitConditionHandle has no properties, no API and no cost: it keeps a stack without any
  // other resource valid, so every stage has its stage stack whatever its parts create (with the
  // ledger part, which creates its table in every stage, the placeholder is not needed).
  if (!always) new CfnWaitConditionHandle(stack, STAGE_LOGICAL_IDS.placeholder);
}

/** The stage stack's template (one for every stage); `parts` for tests and extensions. */
export function stageTemplate(decl: ValidatedDeclarations, configure?: (app: App) => void, parts?: readonly StageStackPart[]): CfnTemplate {
  return synthesizeStacks(stageStackBuilder(decl, parts), configure)[STAGE_STACK_ID];
}

/** The stage stack's id in a synthesis: cannot clash with a batch (the name is reserved). */
export const STAGE_STACK_ID = STAGE_STACK_SUFFIX;

/** The stage stack's builder, by its id, for {@link synthesizeStacks} beside the batch stacks. */
export function stageStackBuilder(decl: ValidatedDeclarations, parts?: readonly StageStackPart[]): Record<string, (stack: Stack) => void> {
  return { [STAGE_STACK_ID]: (stack) => addStageStackResources(stack, decl, parts) };
}
