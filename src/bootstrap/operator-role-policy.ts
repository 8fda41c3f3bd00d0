// The IAM policy of the operator role, from the one list of what each operate command calls.
import { arn, stackArns, Statement } from './policy-parts';
import { BOOTSTRAP_PARAMETERS } from '../model/bootstrap-names';
import { LEDGER_TABLE_SUFFIX, PAUSE_ATTRIBUTES } from '../model/ledger';

/**
 * What a durable batch's runs are followed with: finding a run's execution by name and listing the
 * running ones (ListDurableExecutionsByFunction, on the function), reading its outcome
 * (GetDurableExecution) and its steps (GetDurableExecutionHistory), both on the execution, whose
 * ARN extends a version's: `function:<name>:<version>/durable-execution/<name>/<id>`.
 */
export const FOLLOW_EXECUTION_ACTIONS = ['lambda:ListDurableExecutionsByFunction', 'lambda:GetDurableExecution'] as const;

/**
 * What each operate command calls, by IAM action: the README's table and the operator role's
 * policy come from this one list. `sts:GetCallerIdentity` (the account check) needs no permission.
 * The `lambda:*Durable*` actions are called for durable batches only.
 */
export const OPERATE_ACTIONS = {
  run: ['cloudformation:DescribeStacks', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS, 'lambda:GetDurableExecutionHistory'],
  backfill: ['cloudformation:DescribeStacks', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS, 'dynamodb:Query'],
  redrive: ['cloudformation:DescribeStacks', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS],
  status: ['cloudformation:DescribeStacks', 'cloudformation:ListStacks', 'dynamodb:Query', 'dynamodb:GetItem', 'cloudwatch:DescribeAlarms', 'sqs:GetQueueAttributes', ...FOLLOW_EXECUTION_ACTIONS, 'lambda:GetDurableExecutionHistory'],
  logs: ['cloudformation:DescribeStacks', 'logs:FilterLogEvents'],
  runs: ['dynamodb:Query'],
  pause: ['dynamodb:UpdateItem'],
  resume: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'cloudformation:DescribeStacks', 'lambda:InvokeFunction', ...FOLLOW_EXECUTION_ACTIONS],
} as const;

/**
 * The operator role (`batchform run`, `backfill`, `redrive`, `status`, `logs`, `runs`, `pause`, `resume`): invoke this stage's
 * batch functions, list and read their durable executions (not stop them), read and delete their dead letters, read their stacks, alarms and logs, each
 * scoped to `<StackPrefix>-*`; it reads the stage's run ledger (`runs`, `status`, `backfill`) and writes
 * only the pause fields in it (`pause`, `resume`); "*" only for cloudformation:ListStacks. It cannot
 * change any stack, function, schedule, queue or alarm, nor read code or write artifacts.
 */
export function operatorStatements(): Statement[] {
  const prefix = `\${${BOOTSTRAP_PARAMETERS.stackPrefix}}`;
  return [
    { Sid: 'ReadBatchStacks', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: stackArns() },
    // status finds the stacks of removed batches by name (names and statuses, no tags or outputs);
    // IAM authorizes ListStacks only on "*". Their tags are then read with DescribeStacks above.
    { Sid: 'FindUndeclaredStacks', Effect: 'Allow', Action: 'cloudformation:ListStacks', Resource: '*' },
    { Sid: 'RunBatches', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arn('lambda', `function:${prefix}-*`) },
    {
      // Listing is authorized on the function, reading one execution on its ARN, which extends a
      // version's (function:<name>:<version>/durable-execution/...): the qualified form names it.
      Sid: 'FollowDurableExecutions',
      Effect: 'Allow',
      Action: ['lambda:ListDurableExecutionsByFunction', 'lambda:GetDurableExecution', 'lambda:GetDurableExecutionHistory'],
      Resource: [arn('lambda', `function:${prefix}-*`), arn('lambda', `function:${prefix}-*:*`)],
    },
    {
      Sid: 'RedriveDeadLetters',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: arn('sqs', `${prefix}-*`),
    },
    { Sid: 'ReadAlarms', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: arn('cloudwatch', `alarm:${prefix}-*`) },
    { Sid: 'ReadLogs', Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: arn('logs', `log-group:/aws/lambda/${prefix}-*`) },
    // Run history (batchform runs, backfill's succeeded times, resume's catch-up): reads of the stage's run ledger.
    { Sid: 'ReadRunLedger', Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:GetItem'], Resource: arn('dynamodb', `table/${prefix}-${LEDGER_TABLE_SUFFIX}`) },
    {
      // batchform pause / resume: updates naming the pause fields only, so never a run's status,
      // attempts or lease (IAM has no condition on a sort key's value, so "only the #pause item"
      // is held by the attributes; the runtime treats an item without a status as no run). An
      // update without attribute names, or one returning the whole item, is not allowed.
      Sid: 'PauseBatches',
      Effect: 'Allow',
      Action: 'dynamodb:UpdateItem',
      Resource: arn('dynamodb', `table/${prefix}-${LEDGER_TABLE_SUFFIX}`),
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...PAUSE_ATTRIBUTES] },
        'Null': { 'dynamodb:Attributes': 'false' },
        'StringEqualsIfExists': { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
      },
    },
  ];
}
