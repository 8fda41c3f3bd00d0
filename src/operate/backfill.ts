// Backfills a batch: one synchronous run per scheduled time of a range, in order, with bounded concurrency, stopping at the first failure, resumable from a state file.
import * as fs from 'fs';
import * as path from 'path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DurableRunOutcome, durableFailure, ExecutionWait, runDurable } from './durable-executions';
import { invokeRun, RunOutcome } from './invoke-run';
import type { StageSchedule } from './stage-schedule';
import type { BatchTarget } from './target';
import { mapWithConcurrency } from '../aws/pool';
import type { RunTrigger } from '../model/ledger';

/** Where backfill state files live, relative to the project root (git-ignored with node_modules). */
export const BACKFILL_STATE_DIR = 'node_modules/.cache/batchform/backfill';

/** The times a backfill of one range has finished, so running the same command again resumes. */
export interface BackfillState {
  readonly version: 1;
  readonly stage: string;
  readonly batch: string;
  readonly from: string;
  readonly to: string;
  /** ISO times whose run succeeded. */
  readonly done: string[];
  /**
   * A durable batch: the execution started for each ISO time not yet done, so a resumed backfill
   * waits for one still running, counts one that has since succeeded, and re-runs one that failed.
   */
  readonly started?: Record<string, string>;
}

/** The state file of one backfill: one per stage, batch and exact range. */
export function backfillStateFile(projectDir: string, stage: string, batch: string, from: Date, to: Date): string {
  const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '');
  return path.join(projectDir, BACKFILL_STATE_DIR, `${stage}--${batch}--${stamp(from)}--${stamp(to)}.json`);
}

function readState(file: string): { done: Set<string>; started: Map<string, string> } {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BackfillState>;
    if (s.version !== 1) throw new Error('another version');
    const started = s.started && typeof s.started === 'object' ? Object.entries(s.started).filter(([, v]) => typeof v === 'string') : [];
    return { done: new Set(Array.isArray(s.done) ? s.done : []), started: new Map(started) };
  } catch {
    return { done: new Set(), started: new Map() };
  }
}

/** The times already done in a state file; none when it is absent or unreadable (then every time runs again). */
export function readBackfillState(file: string): Set<string> {
  return readState(file).done;
}

function writeBackfillState(file: string, state: BackfillState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Options of {@link backfill}. */
export interface BackfillOptions {
  readonly lambda: LambdaClient;
  /** The scheduled times, in order (from {@link scheduledTimes}). */
  readonly times: readonly Date[];
  readonly from: Date;
  readonly to: Date;
  /** Runs at once. @default 1: runs never overlap */
  readonly concurrency?: number;
  /** Go on after a failed run (and report every failure at the end) instead of stopping at the first. @default false */
  readonly continueOnFailure?: boolean;
  /** The state file; see {@link backfillStateFile}. */
  readonly stateFile: string;
  /** Forget the times a previous run of this range finished, and run them all again. @default false */
  readonly restart?: boolean;
  /** Progress, one line per run. */
  readonly log?: (line: string) => void;
  /** @default crypto.randomUUID */
  readonly id?: () => string;
  /** A durable batch: how its executions are polled (the pause function in tests). */
  readonly waits?: Partial<ExecutionWait>;
  /** What the run ledger records as having started each run. @default 'backfill' */
  readonly trigger?: RunTrigger;
  /**
   * Times (ISO) the ledger says already ran, to run again as their next attempt: each one's re-run
   * number (`batchformRerun`). A durable batch's ended execution is re-run as `-r<n>` whatever this says.
   * @default none: a time that ran is recorded as a duplicate delivery
   */
  readonly rerun?: ReadonlyMap<string, number>;
}

/** One run of a backfill: a plain batch's invoke, or a durable batch's execution. */
export type BackfillOutcome = RunOutcome | DurableRunOutcome;

/** Why a run of a backfill failed, in one line; undefined when it succeeded. */
export function runFailure(o: BackfillOutcome): string | undefined {
  if ('how' in o) return durableFailure(o);
  return o.ok ? undefined : o.error ?? `${o.functionError} ${o.result ?? ''}`.trim();
}

/** What a backfill did. */
export interface BackfillResult {
  /** Every time of the range, in order. */
  readonly times: readonly Date[];
  /** Times a previous run had finished, skipped this time. */
  readonly skipped: readonly Date[];
  /** Outcomes of the runs made now, in the order of their times. */
  readonly outcomes: readonly BackfillOutcome[];
  /** Times not run because the backfill stopped at a failure. */
  readonly notRun: readonly Date[];
  readonly ok: boolean;
}

/**
 * Runs the batch once per time, synchronously (each run's result is waited for), at most
 * `concurrency` at once and started in order. After a failure no new run starts unless
 * `continueOnFailure`. Every success is recorded in the state file as it happens; running the
 * same range again skips those times. When every time of the range is done the file is removed,
 * so the next backfill of the range runs it all again (e.g. after a fix).
 *
 * A durable batch: each time's execution is started through the starter (a time that has run
 * before is re-run as `-r<n>`) and waited for to its end; only SUCCEEDED is a success. The state
 * file also records each execution started, so a resumed backfill waits for one still running and
 * counts one that has succeeded since, instead of starting another.
 */
export async function backfill(target: BatchTarget, schedule: StageSchedule, options: BackfillOptions): Promise<BackfillResult> {
  const log = options.log ?? (() => undefined);
  if (options.restart) fs.rmSync(options.stateFile, { force: true });
  const { done, started } = readState(options.stateFile);
  const skipped = options.times.filter((t) => done.has(t.toISOString()));
  const todo = options.times.filter((t) => !done.has(t.toISOString()));
  if (skipped.length) log(`${skipped.length} of ${options.times.length} times already done (${options.stateFile}); running the other ${todo.length}`);

  const save = () => writeBackfillState(options.stateFile, {
    version: 1,
    stage: target.stage.name,
    batch: target.batch.name,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    done: options.times.map((t) => t.toISOString()).filter((t) => done.has(t)),
    ...(started.size ? { started: Object.fromEntries([...started].filter(([t]) => !done.has(t))) } : {}),
  });
  let stopped = false;
  const outcomes: Array<BackfillOutcome | undefined> = await mapWithConcurrency(todo, options.concurrency ?? 1, async (time, i) => {
    if (stopped) return undefined;
    const key = time.toISOString();
    const o: BackfillOutcome = target.durable
      ? await runDurable(target, schedule, time, {
        lambda: options.lambda,
        wait: true,
        id: options.id,
        waits: options.waits,
        accept: started.get(key),
        trigger: options.trigger ?? 'backfill',
        onExecution: (e) => {
          if (started.get(key) === e.name) return;
          started.set(key, e.name);
          save();
        },
      })
      : await invokeRun(target, schedule, time, { lambda: options.lambda, mode: 'wait', id: options.id, log, trigger: options.trigger ?? 'backfill', rerun: options.rerun?.get(key) });
    const what = 'how' in o && o.execution ? ` (execution ${o.execution.name}${o.how === 'accepted' ? ', done by an earlier backfill' : ''})` : '';
    log(`[${i + 1 + skipped.length}/${options.times.length}] ${key} ${o.ok ? `succeeded${what}` : `FAILED: ${runFailure(o)}`}`);
    if (o.ok) {
      done.add(time.toISOString());
      save();
    } else if (!options.continueOnFailure) {
      stopped = true;
    }
    return o;
  });
  const made = outcomes.filter((o): o is BackfillOutcome => o !== undefined);
  const notRun = todo.filter((_t, i) => outcomes[i] === undefined);
  const ok = made.every((o) => o.ok) && notRun.length === 0;
  if (options.times.every((t) => done.has(t.toISOString()))) fs.rmSync(options.stateFile, { force: true });
  return { times: options.times, skipped, outcomes: made, notRun, ok };
}

/** The summary for people: counts, each failure, and how to resume. */
export function renderBackfillResult(target: BatchTarget, r: BackfillResult, resumeCommand: string): string {
  const failed = r.outcomes.filter((o) => !o.ok);
  const succeeded = r.outcomes.length - failed.length;
  const lines = [`${target.stackName}: ${r.times.length} scheduled times; ${succeeded} succeeded now, ${r.skipped.length} done before, ${failed.length} failed, ${r.notRun.length} not run.`];
  for (const f of failed) lines.push(`  failed ${f.time.toISOString()}: ${runFailure(f)}`);
  if (!r.ok) lines.push(`Fix the cause, then resume with the same command (the ${r.skipped.length + succeeded} done times are skipped): ${resumeCommand}`);
  return lines.join('\n');
}
