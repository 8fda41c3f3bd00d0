// projen glue: the tasks that operate deployed batches (run, backfill, redrive, status, logs, pause, resume), each one CLI call with the arguments passed on (no AWS calls here).
import type { Project } from 'projen';
import { addCliTask } from './cli-task';

/** The operate commands, each with what its task does. */
const OPERATE_TASKS = {
  run: 'Run a deployed batch now with the event its schedule sends: npx projen run <batch> --stage <s> [--time ISO] [--wait] [--steps]',
  backfill: 'Run a deployed batch once per scheduled time of a range, in order, resumable: npx projen backfill <batch> --stage <s> --from ISO --to ISO [--dry-run]',
  redrive: 'Re-run the runs in a batch\'s dead-letter queue, deleting each only after its re-run succeeded: npx projen redrive <batch> --stage <s> [--list]',
  status: 'Every batch of a stage: deployed at this commit, last runs, next run, alarms, dead letters: npx projen status --stage <s> [--json] [--steps]',
  logs: 'A deployed batch\'s log events, readable; one run by its scheduled time: npx projen logs <batch> --stage <s> [--since 1h] [--run ISO] [--follow]',
  pause: 'Pause a deployed batch\'s schedule in a stage, with why (its runs are recorded as skipped): npx projen pause <batch> --stage <s> --note "<why>"',
  resume: 'Resume a paused batch, running the times it skipped as a backfill: npx projen resume <batch> --stage <s> [--catch-up none|latest|all] [--window 24h]',
} as const;

/** Adds `run`, `backfill`, `redrive`, `status`, `logs`, `pause` and `resume`: `batchform <command> --manifest <manifest>` with the task's arguments after it. */
export function addOperateTasks(project: Project, cli: string, manifestPath: string): void {
  for (const [name, description] of Object.entries(OPERATE_TASKS)) {
    addCliTask(project, name, { description, exec: `${cli} ${name} --manifest ${manifestPath}`, receiveArgs: true });
  }
}
