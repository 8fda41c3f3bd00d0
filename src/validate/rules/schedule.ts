// Rules for when a batch runs: a schedule AWS accepts, and a real IANA time zone for it to run in.
import { checkSchedule } from '../../schedule/expression';
import { isTimeZone, suggestTimeZone } from '../../schedule/timezone';
import { BatchRule, show } from './types';

/** The expression a schedule option stands for: a raw string or the typed helper's. */
export function scheduleExpression(schedule: unknown): string | undefined {
  if (typeof schedule === 'string') return schedule;
  if (schedule && typeof schedule === 'object' && typeof (schedule as { expressionString?: unknown }).expressionString === 'string') {
    return (schedule as { expressionString: string }).expressionString;
  }
  return undefined;
}

export const scheduleValid: BatchRule = (batch) => {
  const expression = scheduleExpression(batch.schedule);
  if (expression === undefined) {
    return [{
      field: 'schedule',
      message: `${show(batch.schedule)} is not a schedule.`,
      fix: 'write an AWS expression such as "cron(0 3 * * ? *)" or "rate(1 hour)", or use Schedule.cron({...}) / Schedule.rate(n, unit).',
    }];
  }
  return checkSchedule(expression).problems.map((p) => ({
    field: 'schedule',
    // Quote the whole expression once; the problem itself names the part (minutes, rate unit...).
    message: `${p.message.includes(expression) ? '' : `${show(expression)}: `}${p.message}${/[.!?]$/.test(p.message) ? '' : '.'}`,
    fix: p.fix,
  }));
};

export const timezoneValid: BatchRule = (batch) => {
  if (batch.timezone === undefined || isTimeZone(batch.timezone)) return [];
  const suggestion = typeof batch.timezone === 'string' ? suggestTimeZone(batch.timezone) : undefined;
  return [{
    field: 'timezone',
    message: `${show(batch.timezone)} is not an IANA time zone.`,
    fix: suggestion
      ? `did you mean "${suggestion}"? Use a name from the IANA database such as "Asia/Seoul" or "UTC".`
      : 'use a name from the IANA database such as "Asia/Seoul", "Europe/Berlin" or "UTC".',
  }];
};
