// The operate commands read a batch as its stage runs it: the stage's schedule, time zone and enabled state (per-stage overrides), through scheduleFor.
import * as fs from 'fs';
import * as path from 'path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, commandDeps, makeOperateProject, mockOperateClients, NOW, outputsOf, REGION, sentEvent } from './helpers';
import { runBackfillCommand, runRunCommand, runStatusCommand } from '../../src/cli/operate-commands';
import type { Manifest } from '../../src/manifest/manifest';
import { BatchStatus } from '../../src/operate';

const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };

/** The fixture, with stage prod running utc-job at 02:30 New York time and input-job disabled. */
function projectWithOverrides(): string {
  const dir = makeOperateProject();
  const file = path.join(dir, 'cfn-out/manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  const batches = m.batches.map((b) => (b.name === 'utc-job'
    ? { ...b, overrides: { prod: { schedule: 'cron(30 2 * * ? *)', timezone: 'America/New_York' }, staging: { schedule: 'cron(0 9 * * ? *)' } } }
    : b.name === 'input-job' ? { ...b, overrides: { prod: { enabled: false } } } : b));
  fs.writeFileSync(file, JSON.stringify({ ...m, batches }));
  return dir;
}

test('backfill lists the stage\'s scheduled times, not the declared ones', async () => {
  const { deps, out } = commandDeps(projectWithOverrides(), {} as never);
  expect(await runBackfillCommand('utc-job', { ...opts, from: '2026-11-01T00:00:00Z', to: '2026-11-03T00:00:00Z', dryRun: true }, deps)).toBe(0);
  expect(out[0].split('\n')[0]).toContain('of cron(30 2 * * ? *) (America/New_York)');
  expect(out[0].split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z']);
});

test('run sends the event of the stage\'s schedule: a stage that runs the batch in a time zone sends the Scheduler\'s payload', async () => {
  const { clients, mocks } = mockOperateClients();
  // Deployed in prod on the Scheduler: the stack's output is the schedule's ARN.
  mocks.cfn.on(DescribeStacksCommand, { StackName: 'prod-utc-job' }).resolves({
    Stacks: [{ StackName: 'prod-utc-job', StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Outputs: outputsOf('zoned-job').map((o) => ({ ...o, OutputValue: o.OutputValue.replace(/zoned-job/g, 'utc-job') })) }],
  });
  mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  const { deps } = commandDeps(projectWithOverrides(), clients);
  expect(await runRunCommand('utc-job', { ...opts, time: '2026-11-24T07:30:00Z' }, deps)).toBe(0);
  expect(sentEvent(mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input)).toMatchObject({
    source: 'aws.scheduler',
    resources: [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/prod-utc-job/prod-utc-job`],
  });
});

test('status shows the stage\'s next run and enabled state', async () => {
  const { clients, mocks } = mockOperateClients();
  mocks.cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  const { deps, out } = commandDeps(projectWithOverrides(), clients);
  expect(await runStatusCommand({ ...opts, json: true, bundles: 'dist/batches/bundles.json' }, deps)).toBe(0);
  const batches = (JSON.parse(out[0]) as { batches: BatchStatus[] }).batches;
  expect(batches.find((b) => b.batch === 'utc-job')).toMatchObject({ nextRun: '2026-11-26T07:30:00.000Z', enabled: true });
  expect(batches.find((b) => b.batch === 'input-job')).toMatchObject({ enabled: false });
  expect(batches.find((b) => b.batch === 'input-job')).not.toHaveProperty('nextRun');
});
