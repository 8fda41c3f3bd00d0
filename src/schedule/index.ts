// Public entry point of the schedule module: validate, build, describe and preview EventBridge schedules.
// Named exports only (api/batchform-schedule.api.md).
export { Schedule } from './builder';
export type { CronOptions, RateUnitInput } from './builder';
export { checkSchedule, parseSchedule, ScheduleError } from './expression';
export type { CronFields, LocalDateTime, ParsedSchedule, RateUnit, ScheduleCheck, ScheduleProblem } from './expression';
export { describeSchedule } from './describe';
export { nextRuns } from './next-runs';
export type { RunOptions } from './next-runs';
export { formatInTimeZone, isTimeZone } from './timezone';
/**
 * What the deploy engine's preview imports through this entry (src/deploy/changes.ts, report.ts):
 * not published (stripped from the typings), to be imported from their modules instead.
 * @internal
 */
export { runEvents } from './next-runs';
/** @internal */
export { runRows } from './run-rows';
export { BatchformError, ERROR_KINDS, type BatchformErrorOptions, type ErrorKind, type ErrorWhere } from '../errors/batchform-error';
