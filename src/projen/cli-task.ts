// projen glue: the tasks that run the batchform CLI, each with a PATH that costs a `node` start instead of an `npx` one.
import type { Project, Task, TaskOptions } from 'projen';

/**
 * What `node --print` evaluates for a batchform task's PATH: every `node_modules/.bin` from the
 * task's directory up to the file system root, then the PATH the task was started with. That is
 * the PATH projen's own `$(npx -c "node --print process.env.PATH")` gives (npm's run-script PATH),
 * without npm's node-gyp shim directory, which no batchform command builds with.
 */
export const TASK_PATH_EXPRESSION =
  "(p=>{const o=[];for(let d=process.cwd();;d=p.dirname(d)){o.push(p.join(d,'node_modules','.bin'));if(d===p.dirname(d))break}return [...o,process.env.PATH].join(p.delimiter)})(require('path'))";

/**
 * The environment of every task that runs the batchform CLI. projen evaluates its project-wide
 * `PATH=$(npx -c ...)` before each task, which starts npm (0.8 s measured on a 2-core machine); a
 * task's own PATH replaces it before evaluation, so batchform's tasks start in the time of one
 * `node` process (about 0.06 s) and still find `batchform` (and `tsx`, `cfn-lint`) as before.
 */
export const CLI_TASK_ENV: Readonly<Record<string, string>> = { PATH: `$(node --print "${TASK_PATH_EXPRESSION}")` };

/** Adds a task that runs the batchform CLI, with {@link CLI_TASK_ENV} under the task's own variables. */
export function addCliTask(project: Project, name: string, options: TaskOptions): Task {
  return project.addTask(name, { ...options, env: { ...CLI_TASK_ENV, ...options.env } });
}
