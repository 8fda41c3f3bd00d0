// What `npx projen` warns about: declarations that are valid but probably not what was meant.
import { missedRunAlarmWindow } from '../model/missed-run-window';
import { batchForStage, overriddenStages } from '../model/stage-overrides';
import type { Batch, ValidatedDeclarations } from '../model/validated';
import { nextRuns } from '../schedule/next-runs';
import { awsWeekdayNames, numericWeekdays, sameDays, unixWeekdayNames } from '../schedule/weekdays';
import { policyWarnings } from './rules/iam';
import { secretLikeWarnings } from './rules/secret-like';

/**
 * Day-of-week numbers AWS reads differently from Unix crontab: `1-5` is SUN-THU in AWS (1 = SUN) but
 * MON-FRI in a crontab. Valid either way, so a warning; names mean the same in both and silence it.
 */
function weekdayNumbers(b: Batch, subject: string): string[] {
  if (b.schedule.kind !== 'cron') return [];
  const f = b.schedule.fields;
  const dow = f.dayOfWeek;
  if (!numericWeekdays(dow) || sameDays(dow)) return [];
  const withDow = (w: string) => `cron(${f.minutes} ${f.hours} ${f.dayOfMonth} ${f.month} ${w} ${f.year})`;
  const [aws, unix] = [awsWeekdayNames(dow), unixWeekdayNames(dow)];
  return [`${subject}, field "schedule": day-of-week "${dow}" in ${b.schedule.expression} means ${aws} in AWS cron (1 = SUN, 7 = SAT), `
    + `not ${unix} as in Unix crontab. If you meant ${unix}, write ${withDow(unix)}; if ${aws} is right, write ${withDow(aws)} to say so.`];
}

/** The schedule and alarm warnings of a batch as one stage (or every stage) runs it. */
function scheduleWarnings(b: Batch, subject: string, now: Date): string[] {
  const w = missedRunAlarmWindow(b);
  // A schedule whose last run is past never fires again; the template stays valid (a warning,
  // not an error, so a build does not start failing on the day the schedule ends).
  const ended = (b.schedule.kind === 'at' || (b.schedule.kind === 'cron' && b.schedule.fields.year !== '*'))
    && nextRuns(b.schedule, 1, now, { timeZone: b.timezone }).length === 0;
  return [
    ...weekdayNumbers(b, subject),
    ...(ended ? [b.schedule.kind === 'at'
      ? `${subject}: ${b.schedule.expression} in ${b.timezone} is in the past, so it will never run. Set a future date and time, or remove the batch.`
      : `${subject}: ${b.schedule.expression} has no run left (its last year is past), so it will never run again. Change its year field, or remove the batch.`] : []),
    ...(w && !w.supported ? [`${subject} gets no missed-run alarm: ${w.reason}. Its failed-run, delivery and dead-letter alarms still apply.`] : []),
  ];
}

/**
 * One line per warning: schedules with no run left, day-of-week numbers that look like Unix
 * crontab numbering, batches that get no missed-run alarm (a schedule too sparse or finite
 * to watch), IAM statements with whole-service actions or `"*"` resources, and environment
 * variables that look like secrets (names such as PASSWORD or TOKEN, URLs with credentials, long
 * random-looking values: use `secrets` instead). A stage whose overrides
 * bring a warning of their own gets it, naming the stage.
 */
export function declarationWarnings(decl: ValidatedDeclarations, now: Date = new Date()): string[] {
  return decl.batches.flatMap((b) => {
    const subject = `batch "${b.name}"`;
    const own = scheduleWarnings(b, subject, now);
    const staged = overriddenStages(b).flatMap((s) => scheduleWarnings(batchForStage(b, s), subject, now)
      .filter((w) => !own.includes(w))
      .map((w) => w.replace(subject, `${subject} in stage "${s}"`)));
    return [...own, ...staged, ...policyWarnings(b), ...secretLikeWarnings(b)];
  });
}
