// Typed helpers that write AWS schedule expressions, mirroring aws-cdk-lib's aws_events.Schedule.

import { RATE_UNIT_NAMES } from './rate-expression';
import type { RateUnit } from './schedule-types';

/**
 * Fields of a cron schedule, as AWS cron strings (e.g. `'0'`, `'*\/15'`, `'MON-FRI'`, `'L'`).
 * Times are in the batch's time zone (UTC unless it declares one). Same names and defaults as aws-cdk-lib's `CronOptions`.
 */
export interface CronOptions {
  /** Minutes 0-59. @default '*' (every minute) */
  readonly minute?: string;
  /** Hours 0-23, in the batch's time zone. @default '*' */
  readonly hour?: string;
  /** Day of month 1-31, `L`, `15W`... Cannot be combined with `weekDay`. @default '*' unless `weekDay` is given, then '?' */
  readonly day?: string;
  /** Month 1-12 or JAN-DEC. @default '*' */
  readonly month?: string;
  /** Day of week 1-7 (1 = SUN) or SUN-SAT, `6L`, `3#2`... Cannot be combined with `day`. @default '?' */
  readonly weekDay?: string;
  /** Year 1970-2199. @default '*' */
  readonly year?: string;
}

/** Rate units accepted by {@link Schedule.rate}; the singular/plural form written out is chosen from the value. */
export type RateUnitInput = RateUnit | 'minutes' | 'hours' | 'days';

const RATE_UNITS = RATE_UNIT_NAMES as Readonly<Record<RateUnitInput, RateUnit>>;

/**
 * A schedule expression for an EventBridge scheduled rule or EventBridge Scheduler schedule.
 *
 * The factories only catch programming errors; everything AWS would reject is reported, all at once,
 * by `checkSchedule` when the batch is validated.
 *
 * @example
 * Schedule.cron({ minute: '0', hour: '3' }).expressionString        // "cron(0 3 * * ? *)"
 * Schedule.cron({ minute: '0', hour: '9', weekDay: 'MON-FRI' }).expressionString // "cron(0 9 ? * MON-FRI *)"
 * Schedule.rate(1, 'hours').expressionString                        // "rate(1 hour)"
 */
export class Schedule {
  /**
   * A cron schedule, in the batch's time zone. Unspecified `minute`, `hour`, `month`, `year` are `*`; the day fields
   * follow AWS's "exactly one `?`" rule: neither given gives day `*` and weekDay `?`, `weekDay`
   * given makes day `?`, `day` given makes weekDay `?`.
   *
   * @throws Error when both `day` and `weekDay` are given.
   */
  static cron(options: CronOptions): Schedule {
    if (options.day !== undefined && options.weekDay !== undefined) {
      throw new Error(
        `Schedule.cron: cannot supply both day ("${options.day}") and weekDay ("${options.weekDay}"); AWS needs ? in one of them, so use at most one`,
      );
    }
    const minute = options.minute ?? '*';
    const hour = options.hour ?? '*';
    const day = options.day ?? (options.weekDay !== undefined ? '?' : '*');
    const month = options.month ?? '*';
    const weekDay = options.weekDay ?? '?';
    const year = options.year ?? '*';
    return new Schedule(`cron(${minute} ${hour} ${day} ${month} ${weekDay} ${year})`);
  }

  /**
   * A fixed-interval schedule. Either form of the unit is accepted; the expression uses the
   * singular for 1 (`rate(1 hour)`) and the plural otherwise (`rate(2 hours)`), as AWS requires.
   *
   * @param value a positive whole number of `unit`s.
   * @throws RangeError when `value` is not a positive integer or `unit` is not a known unit.
   */
  static rate(value: number, unit: RateUnitInput): Schedule {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`Schedule.rate: value must be a positive whole number, got ${value}`);
    }
    const singular = RATE_UNITS[unit];
    if (singular === undefined) {
      throw new RangeError(`Schedule.rate: unit must be minute(s), hour(s) or day(s), got "${unit}"`);
    }
    return new Schedule(`rate(${value} ${singular}${value === 1 ? '' : 's'})`);
  }

  /**
   * A one-time schedule, `at(yyyy-mm-ddThh:mm:ss)`, local time in the batch's time zone; only for
   * batches with a time zone (EventBridge Scheduler). Validated with the batch.
   *
   * @param localDateTime the date and time, without zone, e.g. `'2027-01-04T09:00:00'`.
   * @example Schedule.at('2027-01-04T09:00:00').expressionString // "at(2027-01-04T09:00:00)"
   */
  static at(localDateTime: string): Schedule {
    return new Schedule(`at(${localDateTime})`);
  }

  /**
   * A raw expression, passed through unchanged (validated later by `checkSchedule`).
   *
   * @example Schedule.expression('cron(0 12 ? * 3#2 *)')
   */
  static expression(expression: string): Schedule {
    return new Schedule(expression);
  }

  /** The expression to put in the rule's `ScheduleExpression`, e.g. `cron(0 3 * * ? *)`. */
  readonly expressionString: string;

  private constructor(expressionString: string) {
    this.expressionString = expressionString;
  }

  /** The expression string. */
  toString(): string {
    return this.expressionString;
  }
}
