// What `npx projen` warns about: declarations that are valid but probably not what was meant.
import { regionFacts } from './regions';
import { operatorRoleArn } from '../model/bootstrap-names';
import { batchForStage, overriddenStages } from '../model/stage-overrides';
import type { Batch, Stage, ValidatedDeclarations } from '../model/validated';
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
  // A schedule whose last run is past never fires again; the template stays valid (a warning,
  // not an error, so a build does not start failing on the day the schedule ends).
  const ended = (b.schedule.kind === 'at' || (b.schedule.kind === 'cron' && b.schedule.fields.year !== '*'))
    && nextRuns(b.schedule, 1, now, { timeZone: b.timezone }).length === 0;
  return [
    ...weekdayNumbers(b, subject),
    ...(ended ? [b.schedule.kind === 'at'
      ? `${subject}: ${b.schedule.expression} in ${b.timezone} is in the past, so it will never run. Set a future date and time, or remove the batch.`
      : `${subject}: ${b.schedule.expression} has no run left (its last year is past), so it will never run again. Change its year field, or remove the batch.`] : []),
    ...pastDates(b, subject, now),
  ];
}

/**
 * How far in the past the Scheduler still takes a StartDate. Its documentation (API CreateSchedule,
 * StartDate: "The date, in UTC, after which the schedule can begin invoking its target",
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html) states no
 * limit; the service answers an older one with ValidationException "The StartDate you specify
 * cannot be earlier than 5 minutes ago." (reproduced in moto's Scheduler emulation,
 * https://github.com/getmoto/moto/pull/8172 and /pull/8178). CloudFormation sends StartDate on
 * every create and update of the schedule, so each of them fails.
 */
const START_DATE_GRACE_MS = 5 * 60_000;

/**
 * Start and end dates already past. Warnings, not errors: the declaration was valid when written,
 * and a build should not start failing on the day a date passes; but the next deploy that creates
 * or changes the schedule fails (past startDate), or the schedule never runs again (past endDate).
 */
function pastDates(b: Batch, subject: string, now: Date): string[] {
  const past = (iso: string | undefined, grace: number) => iso !== undefined && Date.parse(iso) < now.getTime() - grace;
  return [
    ...(past(b.startDate, START_DATE_GRACE_MS) ? [`${subject}, field "startDate": ${b.startDate} is in the past; EventBridge Scheduler refuses a StartDate `
      + 'more than 5 minutes ago, so creating this schedule, and every later change to it, fails. Remove startDate (the schedule then runs from deployment) '
      + 'or set a future one.'] : []),
    ...(past(b.endDate, 0) ? [`${subject}, field "endDate": ${b.endDate} is in the past, so the schedule will never run again. `
      + 'Set a later endDate, remove it, or remove the batch.'] : []),
  ];
}

/**
 * A stage whose batches may assume its operator role (`assumableRoleArns` names it): a batch could
 * then invoke every batch of the stage, receive and delete their dead letters (which the
 * permissions boundary denies a batch) and read their logs, as on-call does.
 * Valid (a batch may legitimately drive others), so a warning.
 */
function operatorRoleAssumable(stage: Stage): string[] {
  const partition = regionFacts()[stage.region]?.partition ?? 'aws';
  const operator = operatorRoleArn(partition, stage.account, stage.stackPrefix);
  return stage.assumableRoleArns.includes(operator)
    ? [`stage "${stage.name}", field "assumableRoleArns": lists the stage's operator role ${operator}, so every batch of the stage may act as its operators `
      + '(invoke any batch, receive and delete their dead letters, read their logs), beyond what the permissions boundary leaves a batch. '
      + 'Remove it unless a batch must drive the others.']
    : [];
}

/**
 * One line per warning: schedules with no run left, day-of-week numbers that look like Unix
 * crontab numbering, stages whose batches may assume the operator role, batches that get no missed-run alarm (a schedule too sparse or finite
 * to watch), IAM statements with whole-service actions or `"*"` resources, and environment
 * variables that look like secrets (names such as PASSWORD or TOKEN, URLs with credentials, long
 * random-looking values: use `secrets` instead). A stage whose overrides
 * bring a warning of their own gets it, naming the stage.
 */
export function declarationWarnings(decl: ValidatedDeclarations, now: Date = new Date()): string[] {
  return [...decl.stages.flatMap(operatorRoleAssumable), ...decl.batches.flatMap((b) => {
    const subject = `batch "${b.name}"`;
    const own = scheduleWarnings(b, subject, now);
    const staged = overriddenStages(b).flatMap((s) => scheduleWarnings(batchForStage(b, s), subject, now)
      .filter((w) => !own.includes(w))
      .map((w) => w.replace(subject, `${subject} in stage "${s}"`)));
    return [...own, ...staged, ...policyWarnings(b), ...secretLikeWarnings(b)];
  })];
}
