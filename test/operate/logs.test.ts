// batchform logs: FilterLogEvents paged to the end, --since durations, one run's lines by its scheduled time, --follow polling without repeats, Powertools JSON rendered.
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { commandDeps, makeOperateProject, mockOperateClients, NOW } from './helpers';
import { runLogsCommand } from '../../src/cli/operate-commands';
import { renderLogLine } from '../../src/operate/log-lines';
import { parseSince } from '../../src/operate/logs';

const dir = makeOperateProject();
const opts = { stage: 'prod', manifest: 'cfn-out/manifest.json' };
const line = (message: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  level: 'INFO',
  message,
  timestamp: '2026-11-25T03:00:01.000Z',
  service: 'utc-job',
  function_request_id: 'r-1',
  cold_start: true,
  batch: 'utc-job',
  runTime: '2026-11-25T03:00:00.000Z',
  ...extra,
});

test('reads every page (nextToken) from --since to now, in order, rendered', async () => {
  const { clients, mocks } = mockOperateClients();
  mocks.logs.on(FilterLogEventsCommand)
    .resolvesOnce({ events: [{ eventId: '1', timestamp: 1, message: line('run started', { scheduled: true }) }], nextToken: 'page-2' })
    .resolvesOnce({ events: [{ eventId: '2', timestamp: 2, message: 'plain text from console.log\n' }], nextToken: 'page-3' })
    .resolvesOnce({ events: [{ eventId: '3', timestamp: 3, message: line('run failed', { level: 'ERROR', error: { name: 'Error', message: 'db down', stack: 'Error: db down\n    at x' } }) }] });
  const { deps, out } = commandDeps(dir, clients);
  expect(await runLogsCommand('utc-job', { ...opts, since: '2h' }, deps)).toBe(0);
  const calls = mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
  expect(calls.map((c) => c.nextToken)).toEqual([undefined, 'page-2', 'page-3']);
  expect(calls[0]).toMatchObject({ logGroupName: '/aws/lambda/prod-utc-job', startTime: NOW.getTime() - 2 * 3_600_000, filterPattern: undefined });
  expect(out).toEqual([
    '2026-11-25T03:00:01.000Z INFO run started scheduled=true run=2026-11-25T03:00:00.000Z',
    'plain text from console.log',
    '2026-11-25T03:00:01.000Z ERROR run failed error="Error: db down" run=2026-11-25T03:00:00.000Z',
  ]);
});

test('--run: only the lines of the run scheduled at that time, however late it ran (a backfill logs today)', async () => {
  const { clients, mocks } = mockOperateClients();
  mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });
  const { deps, err } = commandDeps(dir, clients);
  expect(await runLogsCommand('utc-job', { ...opts, run: '2026-11-20T03:00:00Z' }, deps)).toBe(0);
  expect(mocks.logs.commandCalls(FilterLogEventsCommand)[0].args[0].input).toMatchObject({
    filterPattern: '{ $.runTime = "2026-11-20T03:00:00.000Z" }',
    startTime: new Date('2026-11-20T02:59:00Z').getTime(),
    endTime: undefined,
  });
  expect(err).toEqual(['no log events in /aws/lambda/prod-utc-job since 2026-11-20T02:59:00.000Z for the run 2026-11-20T03:00:00.000Z.']);
});

test('--follow polls from the newest event seen and prints each event once', async () => {
  const { clients, mocks } = mockOperateClients();
  const T = NOW.getTime() - 60_000;
  const a = { eventId: 'a', timestamp: T, message: 'first' };
  const b = { eventId: 'b', timestamp: T + 1000, message: 'second' };
  const c = { eventId: 'c', timestamp: T + 1000, message: 'third, same millisecond, arrived late' };
  mocks.logs.on(FilterLogEventsCommand).resolvesOnce({ events: [a, b] }).resolvesOnce({ events: [b, c] }).resolves({ events: [c] });
  const controller = new AbortController();
  let polls = 0;
  const sleep = async () => {
    if (++polls === 3) controller.abort();
  };
  const { deps, out } = commandDeps(dir, clients, { sleep, signal: controller.signal });
  expect(await runLogsCommand('utc-job', { ...opts, follow: true }, deps)).toBe(0);
  expect(out).toEqual(['first', 'second', 'third, same millisecond, arrived late']);
  const starts = mocks.logs.commandCalls(FilterLogEventsCommand).map((x) => x.args[0].input.startTime);
  expect(starts).toEqual([NOW.getTime() - 3_600_000, T + 1000, T + 1000]);
});

test('--since takes durations and ISO times; anything else is bad input', async () => {
  expect(parseSince('30m', NOW)).toEqual(new Date(NOW.getTime() - 30 * 60_000));
  expect(parseSince('1w', NOW)).toEqual(new Date(NOW.getTime() - 7 * 86_400_000));
  expect(parseSince('2026-11-24T00:00:00Z', NOW)).toEqual(new Date('2026-11-24T00:00:00Z'));
  const { clients } = mockOperateClients();
  const { deps, err } = commandDeps(dir, clients);
  expect(await runLogsCommand('utc-job', { ...opts, since: 'an hour' }, deps)).toBe(2);
  expect(err).toEqual(['batchform logs: --since "an hour" is neither a duration nor an ISO time; use e.g. --since 30m, 1h, 2d, 1w or 2026-11-25T03:00:00Z.']);
});

test('Lambda\'s JSON platform lines read like its text format', () => {
  expect(renderLogLine('{"time":"2026-11-25T03:00:02.000Z","type":"platform.report","record":{"requestId":"r-1","metrics":{"durationMs":812.5,"billedDurationMs":813,"memorySizeMB":256,"maxMemoryUsedMB":90},"status":"success"}}'))
    .toBe('2026-11-25T03:00:02.000Z REPORT r-1 duration=812.5ms billed=813ms memory=90/256MB');
  expect(renderLogLine('{"time":"2026-11-25T03:15:00.000Z","type":"platform.runtimeDone","record":{"requestId":"r-1","status":"timeout"}}'))
    .toBe('2026-11-25T03:15:00.000Z RUNTIMEDONE r-1 status=timeout');
  expect(renderLogLine('{not json')).toBe('{not json');
});
