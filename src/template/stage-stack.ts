// The stage stack (`<stackPrefix>-stage`, cfn-out/stage.template.json): what every batch of a stage
// shares, deployed through the same change sets as the batch stacks, before them. One template
// serves every stage (the manifest passes each stage's values), built from parts: the alarm
// topic and the run ledger's table; the ledger's watchdog adds its own the same way.
import { App, Aws, CfnCondition, CfnOutput, CfnParameter, CfnWaitConditionHandle, Fn, Stack } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnSubscription, CfnTopic, CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { addLedgerTable } from './ledger-table';
import { alarmTopicValues, ledgerValues, STAGE_ALARM_PARAMETERS, STAGE_LEDGER_PARAMETERS, StageStackPartValues } from './stage-stack-values';
import { CfnTemplate, synthesizeStacks } from './synth';
import { tlsOnly } from './tls-only';
import { MAX_ALARM_EMAILS } from '../model/limits';
import { STAGE_STACK_SUFFIX } from '../model/names';
import type { ValidatedDeclarations } from '../model/validated';

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
 * The parts of the stage stack, in order: the extension point for stage-level resources. A new
 * part (the run ledger's watchdog) is a {@link StageStackPart} appended here, with its values
 * appended to `STAGE_STACK_PART_VALUES` (stage-stack-values.ts); test/template/stage-stack.test.ts
 * checks the two lists name the same parts.
 */
export const STAGE_STACK_PARTS: readonly StageStackPart[] = [alarmTopicPart, ledgerPart];

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
