// The stage's run ledger table, as a self-contained piece of template: added to the stage stack
// (its `ledger` part, stage-stack.ts), and the grant each batch role gets on its own records.
import { CfnDeletionPolicy, CfnOutput, Fn } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { LEDGER_BATCH_ACTIONS, LEDGER_KEYS } from '../model/ledger';

/** Logical ids and outputs of the ledger table, stable across regenerations. */
export const LEDGER_LOGICAL_IDS = {
  table: 'RunLedger',
  tableNameOutput: 'RunLedgerTableName',
  tableArnOutput: 'RunLedgerTableArn',
} as const;

/** Options of {@link addLedgerTable}. */
export interface LedgerTableOptions {
  /**
   * The table's name: `ledgerTableName(stage)` (`<stackPrefix>-batchform-ledger`), or a reference
   * to a parameter with that value in a template that serves every stage (the stage stack's
   * `LedgerTableName`).
   */
  readonly tableName: string;
}

/**
 * Adds the stage's run ledger to `scope`: one DynamoDB table, on-demand, encrypted with DynamoDB's
 * AWS-managed key `aws/dynamodb` (no key of batchform's to pay for or manage; its key policy lets
 * DynamoDB use it for this account), point-in-time recovery on, TTL on
 * `expiresAt` (the runtime writes each record's expiry from the stage's `ledgerRetentionDays`),
 * deletion protection on and kept when the stack is deleted or the table replaced (it is the run
 * history), and outputs with its name and ARN.
 *
 * Keys: `batch` (partition: the batch's name, so `dynamodb:LeadingKeys` confines each batch role
 * to its own records) and `run` (sort: the scheduled time in ISO 8601 UTC, or `#lease`).
 */
export function addLedgerTable(scope: Construct, options: LedgerTableOptions): CfnTable {
  const table = new CfnTable(scope, LEDGER_LOGICAL_IDS.table, {
    tableName: options.tableName,
    billingMode: 'PAY_PER_REQUEST',
    attributeDefinitions: [
      { attributeName: LEDGER_KEYS.partition, attributeType: 'S' },
      { attributeName: LEDGER_KEYS.sort, attributeType: 'S' },
    ],
    keySchema: [
      { attributeName: LEDGER_KEYS.partition, keyType: 'HASH' },
      { attributeName: LEDGER_KEYS.sort, keyType: 'RANGE' },
    ],
    sseSpecification: { sseEnabled: true },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveSpecification: { attributeName: LEDGER_KEYS.ttl, enabled: true },
    deletionProtectionEnabled: true,
  });
  table.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  table.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  new CfnOutput(scope, LEDGER_LOGICAL_IDS.tableNameOutput, { value: table.ref, description: 'The stage\'s run ledger (one record per batch and scheduled time)' });
  new CfnOutput(scope, LEDGER_LOGICAL_IDS.tableArnOutput, { value: table.attrArn, description: 'ARN of the stage\'s run ledger' });
  return table;
}

/** `arn:<partition>:dynamodb:<region>:<account>:table/<name>` in the stack's own account and region. */
export function ledgerTableArn(tableName: string): string {
  return Fn.sub('arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}', { Table: tableName });
}

/**
 * The statement a batch's function role gets on the ledger: reading and conditionally updating
 * its own records (partition = its name) and nothing else: no Scan (which has no leading key),
 * no Query, no other batch's partition.
 */
export function ledgerGrantStatement(batchName: string, tableArn: string): Record<string, unknown> {
  return {
    Sid: 'OwnLedgerRecords',
    Effect: 'Allow',
    Action: LEDGER_BATCH_ACTIONS,
    Resource: tableArn,
    Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [batchName] } },
  };
}
