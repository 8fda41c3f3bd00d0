// The run ledger's least privilege, evaluated as IAM evaluates it (@cloud-copilot/iam-simulate):
// a batch role (its generated template's policy, under the stage's boundary) reads and writes only
// its own partition (dynamodb:LeadingKeys); even a batch that declares dynamodb:* on * is held to
// it by the boundary; a role without the batchform:batch tag gets nothing; the operator role reads
// the ledger and writes only the pause fields (never a run's status or the lease); the preview
// role reads nothing of the ledger; the stage's missed-run watchdog (its role named
// <stackPrefix>-stage-Watchdog) queries and records every batch's runs, and nothing else.
import { PAUSE_ATTRIBUTES } from '../../src/model/ledger';
import { watchdogLedgerPolicy, watchdogRoleName } from '../../src/model/watchdog';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';
import { ALLOW, BOOTSTRAP_ARNS, decide, deployedBootstrap, DENY, NOT_ALLOWED, resolve } from './simulate';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';
const LEDGER = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/prod-batchform-ledger`;
const OTHER_STAGE_LEDGER = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/staging-batchform-ledger`;
const ROLE_A = `arn:aws:iam::${ACCOUNT}:role/prod-daily-stats-Role-ABC123`;
const ROLE_B = `arn:aws:iam::${ACCOUNT}:role/prod-weekly-report-Role-DEF456`;

const stack = deployedBootstrap();

/** Batch `name`'s role policy as its generated template gives it, deployed to stage prod. */
function rolePolicies(name: string, extra: Partial<typeof BATCH> = {}): any[] {
  const decl = validateDeclarations({ batches: [{ ...BATCH, name, ...extra }], stages: [STAGE] }, { fileExists });
  const template = batchTemplates(decl.batches)[name] as Record<string, any>;
  const stackName = `prod-${name}`;
  const values = {
    'AWS::AccountId': ACCOUNT,
    'AWS::Region': REGION,
    'AWS::Partition': 'aws',
    'AWS::StackName': stackName,
    'LogGroup.Arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${stackName}`,
    'DeadLetterQueue.Arn': `arn:aws:sqs:${REGION}:${ACCOUNT}:${stackName}-DeadLetterQueue-XYZ`,
    'LedgerTableName': 'prod-batchform-ledger',
    'PermissionsBoundaryArn': BOOTSTRAP_ARNS.boundary,
  };
  const role = resolve(template.Resources.Role.Properties, values, { HasPermissionsBoundary: true });
  expect(role.Tags).toEqual([{ Key: 'batchform:batch', Value: name }]);
  return role.Policies.map((p: { PolicyDocument: unknown }) => p.PolicyDocument);
}

/** The context of a ledger request by a role tagged `tag` on the partitions `keys`. */
const ctx = (tag: string | undefined, keys: string[] | undefined) => ({
  ...(tag ? { 'aws:PrincipalTag/batchform:batch': tag } : {}),
  ...(keys ? { 'dynamodb:LeadingKeys': keys } : {}),
});

/** [what, principal, tag, policies, action, resource, leading keys, decision] */
type Row = [string, string, string | undefined, () => any[], string, string, string[] | undefined, string];

const A = () => rolePolicies('daily-stats');
const B = () => rolePolicies('weekly-report');
const EVERYTHING = () => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] }];

describe('batch roles in the run ledger (template policy + stage boundary)', () => {
  test.each<Row>([
    ['batch A claims its own run', ROLE_A, 'daily-stats', A, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], ALLOW],
    ['batch A reads its own lease', ROLE_A, 'daily-stats', A, 'dynamodb:GetItem', LEDGER, ['daily-stats'], ALLOW],
    ['batch A cannot write batch B\'s records', ROLE_A, 'daily-stats', A, 'dynamodb:UpdateItem', LEDGER, ['weekly-report'], DENY],
    ['nor read them', ROLE_A, 'daily-stats', A, 'dynamodb:GetItem', LEDGER, ['weekly-report'], DENY],
    ['nor put an item over them', ROLE_A, 'daily-stats', A, 'dynamodb:PutItem', LEDGER, ['weekly-report'], DENY],
    ['nor scan the table (no leading key)', ROLE_A, 'daily-stats', A, 'dynamodb:Scan', LEDGER, undefined, DENY],
    ['nor delete its own records', ROLE_A, 'daily-stats', A, 'dynamodb:DeleteItem', LEDGER, ['daily-stats'], DENY],
    ['nor touch the table itself', ROLE_A, 'daily-stats', A, 'dynamodb:DeleteTable', LEDGER, undefined, DENY],
    ['nor write another stage\'s ledger (its grant names this stage\'s table)', ROLE_A, 'daily-stats', A, 'dynamodb:UpdateItem', OTHER_STAGE_LEDGER, ['daily-stats'], NOT_ALLOWED],
    ['batch B writes its own records', ROLE_B, 'weekly-report', B, 'dynamodb:UpdateItem', LEDGER, ['weekly-report'], ALLOW],
    ['batch B cannot write batch A\'s', ROLE_B, 'weekly-report', B, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], DENY],
    // Whatever a merged pull request declares, the boundary holds a batch to its own partition.
    ['a batch declaring dynamodb:* on * still writes only its own partition', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], ALLOW],
    ['not batch B\'s', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:UpdateItem', LEDGER, ['weekly-report'], DENY],
    ['not several partitions at once', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:GetItem', LEDGER, ['daily-stats', 'weekly-report'], DENY],
    ['no scan, query or export of the ledger', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:Query', LEDGER, ['weekly-report'], DENY],
    ['no ledger rights at all for a role without the batchform:batch tag', ROLE_A, undefined, EVERYTHING, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], DENY],
    ['its own tables stay its own business', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-orders`, undefined, ALLOW],
    ['a batch cannot query even its own partition (only the watchdog queries)', ROLE_A, 'daily-stats', EVERYTHING, 'dynamodb:Query', LEDGER, ['daily-stats'], DENY],
  ])('%s', async (_what, principal, tag, policies, action, resource, keys, decision) => {
    expect(await decide({
      principal, action, resource, account: ACCOUNT, identityPolicies: policies(), boundary: stack.boundary, context: { ...ctx(tag, keys), 'aws:PrincipalArn': principal },
    })).toBe(decision);
  });
});

const WATCHDOG = `arn:aws:iam::${ACCOUNT}:role/${watchdogRoleName({ stackPrefix: 'prod' })}`;
const STAGING_WATCHDOG = `arn:aws:iam::${ACCOUNT}:role/${watchdogRoleName({ stackPrefix: 'staging' })}`;
/** The watchdog role's policy as the stage stack grants it: this stage's ledger only. */
const W = () => [watchdogLedgerPolicy([LEDGER, `${LEDGER}/index/*`])];

describe("the stage's watchdog role in the run ledger (its policy + the stage boundary; no batchform:batch tag)", () => {
  test.each<Row>([
    ["queries batch A's scheduled times", WATCHDOG, undefined, W, 'dynamodb:Query', LEDGER, ['daily-stats'], ALLOW],
    ["queries batch B's", WATCHDOG, undefined, W, 'dynamodb:Query', LEDGER, ['weekly-report'], ALLOW],
    ["reads batch B's pause record", WATCHDOG, undefined, W, 'dynamodb:GetItem', LEDGER, ['weekly-report'], ALLOW],
    ["records a missed run in batch A's partition (a conditional UpdateItem)", WATCHDOG, undefined, W, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], ALLOW],
    ['cannot put items (only conditional updates)', WATCHDOG, undefined, EVERYTHING, 'dynamodb:PutItem', LEDGER, ['daily-stats'], DENY],
    ['nor delete records', WATCHDOG, undefined, EVERYTHING, 'dynamodb:DeleteItem', LEDGER, ['daily-stats'], DENY],
    ['nor scan the table', WATCHDOG, undefined, EVERYTHING, 'dynamodb:Scan', LEDGER, undefined, DENY],
    ['nor touch the table itself', WATCHDOG, undefined, EVERYTHING, 'dynamodb:DeleteTable', LEDGER, undefined, DENY],
    ["nor write another stage's ledger (its policy names this stage's table)", WATCHDOG, undefined, W, 'dynamodb:UpdateItem', OTHER_STAGE_LEDGER, ['daily-stats'], NOT_ALLOWED],
    ["another stage's watchdog gets nothing in this stage's ledger", STAGING_WATCHDOG, undefined, EVERYTHING, 'dynamodb:UpdateItem', LEDGER, ['daily-stats'], DENY],
    ['nor does it query it', STAGING_WATCHDOG, undefined, EVERYTHING, 'dynamodb:Query', LEDGER, ['daily-stats'], DENY],
  ])('%s', async (_what, principal, tag, policies, action, resource, keys, decision) => {
    expect(await decide({
      principal, action, resource, account: ACCOUNT, identityPolicies: policies(), boundary: stack.boundary, context: { ...ctx(tag, keys), 'aws:PrincipalArn': principal },
    })).toBe(decision);
  });
});

describe('each layer holds on its own', () => {
  test('the template\'s grant alone (a stage without the boundary) confines batch A to its partition', async () => {
    const asA = (keys: string[]) => decide({ principal: ROLE_A, action: 'dynamodb:UpdateItem', resource: LEDGER, account: ACCOUNT, identityPolicies: A(), context: ctx('daily-stats', keys) });
    expect(await asA(['daily-stats'])).toBe(ALLOW);
    expect(await asA(['weekly-report'])).toBe(NOT_ALLOWED);
  });
});

describe('the preview role and the run ledger', () => {
  test.each([
    ['dynamodb:GetItem', ['daily-stats']],
    ['dynamodb:Query', ['daily-stats']],
    ['dynamodb:Scan', undefined],
    ['dynamodb:ExportTableToPointInTime', undefined],
  ] as Array<[string, string[] | undefined]>)('cannot %s the ledger, even if granted it later', async (action, keys) => {
    const asPreview = (identityPolicies: any[]) => decide({
      principal: BOOTSTRAP_ARNS.previewRole, action, resource: LEDGER, account: ACCOUNT, identityPolicies, context: ctx(undefined, keys),
    });
    expect(await asPreview(stack.preview)).not.toBe(ALLOW);
    // Explicitly: an Allow attached to the role later does not open it.
    expect(await asPreview([...stack.preview, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] }])).toBe(DENY);
  });
});

describe('the operator role and the run ledger (batchform runs, pause, resume)', () => {
  const ONCALL = `arn:aws:iam::${ACCOUNT}:role/oncall`;
  const operator = deployedBootstrap({ operatorPrincipals: [ONCALL] });
  const PAUSE = [...PAUSE_ATTRIBUTES];
  /** [what, action, resource, dynamodb:Attributes, dynamodb:ReturnValues, decision] */
  type OperatorRow = [string, string, string, string[] | undefined, string | undefined, string];
  test.each<OperatorRow>([
    ['pauses a batch: an update of the pause fields', 'dynamodb:UpdateItem', LEDGER, PAUSE, 'UPDATED_OLD', ALLOW],
    ['resumes it: fewer of the pause fields, nothing returned', 'dynamodb:UpdateItem', LEDGER, ['batch', 'run', 'paused', 'resumedAt', 'resumedBy'], 'NONE', ALLOW],
    ['reads the pause record', 'dynamodb:GetItem', LEDGER, undefined, undefined, ALLOW],
    ['queries the runs (runs, backfill, the catch-up)', 'dynamodb:Query', LEDGER, undefined, undefined, ALLOW],
    // It cannot forge a run: a run's status, attempts, owner, trigger or the lease's fields are not pause fields.
    ['cannot write a run\'s status', 'dynamodb:UpdateItem', LEDGER, ['batch', 'run', 'status'], 'NONE', NOT_ALLOWED],
    ['cannot write a run\'s attempts or trigger beside the pause fields', 'dynamodb:UpdateItem', LEDGER, [...PAUSE, 'attempts', 'trigger'], 'NONE', NOT_ALLOWED],
    ['cannot take or free the overlap lease', 'dynamodb:UpdateItem', LEDGER, ['batch', 'run', 'holder', 'owner', 'until'], 'NONE', NOT_ALLOWED],
    ['cannot change a record\'s TTL', 'dynamodb:UpdateItem', LEDGER, ['batch', 'run', 'expiresAt'], 'NONE', NOT_ALLOWED],
    ['cannot update without naming its attributes', 'dynamodb:UpdateItem', LEDGER, undefined, undefined, NOT_ALLOWED],
    ['cannot read a whole item back through an update', 'dynamodb:UpdateItem', LEDGER, PAUSE, 'ALL_NEW', NOT_ALLOWED],
    ['cannot put an item', 'dynamodb:PutItem', LEDGER, PAUSE, undefined, NOT_ALLOWED],
    ['cannot delete a record', 'dynamodb:DeleteItem', LEDGER, ['batch', 'run'], undefined, NOT_ALLOWED],
    ['cannot write in batches at once', 'dynamodb:BatchWriteItem', LEDGER, PAUSE, undefined, NOT_ALLOWED],
    ['cannot scan the table', 'dynamodb:Scan', LEDGER, undefined, undefined, NOT_ALLOWED],
    ['cannot pause a batch of another stage', 'dynamodb:UpdateItem', OTHER_STAGE_LEDGER, PAUSE, 'UPDATED_OLD', NOT_ALLOWED],
  ])('%s', async (_what, action, resource, attributes, returnValues, decision) => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.operatorRole,
      action,
      resource,
      account: ACCOUNT,
      identityPolicies: operator.operator,
      context: { ...(attributes ? { 'dynamodb:Attributes': attributes } : {}), ...(returnValues ? { 'dynamodb:ReturnValues': returnValues } : {}) },
    })).toBe(decision);
  });

  test('the preview role cannot pause a batch either', async () => {
    expect(await decide({
      principal: BOOTSTRAP_ARNS.previewRole,
      action: 'dynamodb:UpdateItem',
      resource: LEDGER,
      account: ACCOUNT,
      identityPolicies: operator.preview,
      context: { 'dynamodb:Attributes': PAUSE, 'dynamodb:ReturnValues': 'NONE' },
    })).not.toBe(ALLOW);
  });
});
