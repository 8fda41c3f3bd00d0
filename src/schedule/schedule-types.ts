// The shapes of a checked schedule expression and of its problems, shared by the expression checker,
// the cron field parser and the run-time maths.

/** Unit of a `rate(...)` expression, in its singular form. */
export type RateUnit = 'minute' | 'hour' | 'day';

/** The six fields of an AWS cron expression, as written (whitespace removed, case kept). */
export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

/**
 * A schedule AWS accepts. `expression` is normalized (surrounding and repeated whitespace removed)
 * and is what to put in the rule's `ScheduleExpression`.
 */
export type ParsedSchedule =
  | { kind: 'cron'; expression: string; fields: CronFields }
  | { kind: 'rate'; expression: string; value: number; unit: RateUnit }
  /** A one-time EventBridge Scheduler schedule, `at(yyyy-mm-ddThh:mm:ss)`, in the schedule's time zone. */
  | { kind: 'at'; expression: string; local: LocalDateTime };

/** A wall-clock date and time with no zone (month 1-12), as an `at()` expression writes it. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** A problem found in a schedule: which part, what is wrong (quoting the bad value), and how to fix it. */
export interface ScheduleProblem {
  /**
   * `expression` (overall shape), `minutes`, `hours`, `day-of-month`, `month`, `day-of-week`,
   * `year`, `rate value` or `rate unit`.
   */
  field: string;
  /** What is wrong, quoting the offending value. */
  message: string;
  /** What to write instead. */
  fix: string;
}

/** Outcome of {@link checkSchedule}: `schedule` is set if and only if `problems` is empty. */
export interface ScheduleCheck {
  schedule?: ParsedSchedule;
  problems: ScheduleProblem[];
}
