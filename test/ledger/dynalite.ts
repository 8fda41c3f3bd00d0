// A real DynamoDB-compatible server for the ledger's tests: dynalite (DynamoDB's API over LevelDB,
// in memory) on a free loopback port, started and stopped by the tests themselves, with the
// ledger's table created as the template declares it (keys, on-demand billing).
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_KEYS } from '../../src/model/ledger';

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Creates a ledger table (keys as the template's) and returns its name. */
  createLedger(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tables = 0;

export async function startDynalite(): Promise<LocalDynamo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (e?: Error) => (e ? reject(e) : resolve())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'ap-northeast-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    client,
    endpoint,
    async createLedger(name = `prod-batchform-ledger-${++tables}`) {
      await client.send(new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_KEYS.partition, AttributeType: 'S' }, { AttributeName: LEDGER_KEYS.sort, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_KEYS.partition, KeyType: 'HASH' }, { AttributeName: LEDGER_KEYS.sort, KeyType: 'RANGE' }],
      }));
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
