// AWS list prices batchform's cost figures use, as data: each with its unit, the page it is from,
// and the prices of regions that differ from the base (us-east-1). No code here but the lookup.
// Update by editing this file (and PRICES_CHECKED); docs/guides/costs.md is computed from it.

/** When the prices below were last checked against their source pages (ISO date). */
export const PRICES_CHECKED = '2026-12-07';

/** One list price. */
export interface Price {
  /** USD per {@link unit}, in us-east-1 and every region not listed in {@link regions}. */
  readonly usd: number;
  readonly unit: string;
  /** The AWS pricing page the price is from. */
  readonly source: string;
  /** USD per unit in regions whose price differs from {@link usd}, by region code. */
  readonly regions?: Readonly<Record<string, number>>;
  /** Free tiers and conditions that change what is paid. */
  readonly note?: string;
}

/** The prices, by what they price. */
export const PRICES = {
  kmsKeyMonth: {
    usd: 1,
    unit: 'customer managed KMS key per month',
    source: 'https://aws.amazon.com/kms/pricing/',
    note: 'each automatic rotation adds 1 USD/month for the first two rotations (a key rotated yearly costs 2 USD/month in its second year, 3 USD from its third); a key scheduled for deletion costs nothing',
  },
  alarmMonth: {
    usd: 0.10,
    unit: 'standard-resolution CloudWatch alarm (one metric) per month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    note: 'the first 10 alarm metrics of an account are free each month',
  },
  snsEmail: {
    usd: 0.00002,
    unit: 'SNS e-mail notification',
    source: 'https://aws.amazon.com/sns/pricing/',
    note: '2 USD per 100,000 after 1,000 free each month; a topic and its subscriptions cost nothing by themselves',
  },
  schedulerInvocation: {
    usd: 0.000001,
    unit: 'EventBridge Scheduler invocation',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    note: '1 USD per million after 14 million free each month; an EventBridge rule on a schedule (UTC batches) costs nothing',
  },
  logsStorageGbMonth: {
    usd: 0.03,
    unit: 'GB-month of CloudWatch Logs storage (standard class, compressed)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    regions: { 'ap-northeast-1': 0.033 },
    note: 'the first 5 GB (ingestion and storage together) of an account are free each month',
  },
  logsIngestionGb: {
    usd: 0.50,
    unit: 'GB of CloudWatch Logs ingested (standard class)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    regions: { 'ap-northeast-1': 0.76 },
  },
  lambdaRequest: {
    usd: 0.0000002,
    unit: 'Lambda request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    note: '0.20 USD per million; the first million requests and 400,000 GB-seconds of an account are free each month',
  },
  lambdaGbSecondX86: {
    usd: 0.0000166667,
    unit: 'Lambda GB-second, x86_64',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    unit: 'Lambda GB-second, arm64',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  sqsRequest: {
    usd: 0.0000004,
    unit: 'SQS standard queue request',
    source: 'https://aws.amazon.com/sqs/pricing/',
    note: '0.40 USD per million after 1 million free each month; a batch\'s dead-letter queue is used only by runs that failed every retry',
  },
  // DynamoDB (the stage's run ledger, an on-demand table of the Standard class): its on-demand
  // page, https://aws.amazon.com/dynamodb/pricing/on-demand/, checked on PRICES_CHECKED.
  dynamodbWriteRequest: {
    usd: 0.000000625,
    unit: 'DynamoDB on-demand write request unit (one standard write of an item up to 1 KB), Standard table class',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
    note: '0.625 USD per million; on-demand requests have no free tier (the free 25 write and 25 read capacity units are provisioned capacity)',
  },
  dynamodbReadRequest: {
    usd: 0.000000125,
    unit: 'DynamoDB on-demand read request unit (one strongly consistent read of up to 4 KB), Standard table class',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
    note: '0.125 USD per million; an eventually consistent read costs half a unit',
  },
  dynamodbStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month of DynamoDB table storage (Standard table class; each item counts 100 bytes more than its data)',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
    note: 'the first 25 GB of an account in each region are free each month',
  },
  dynamodbPitrGbMonth: {
    usd: 0.20,
    unit: 'GB-month of DynamoDB continuous backups (point-in-time recovery), by the table\'s size',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
  },
} as const satisfies Record<string, Price>;

/** What a price is for: a key of {@link PRICES}. */
export type PriceName = keyof typeof PRICES;

/** The price in `region`: the region's own where it differs, else the base price. */
export function priceIn(name: PriceName, region: string): number {
  const p: Price = PRICES[name];
  return p.regions?.[region] ?? p.usd;
}
