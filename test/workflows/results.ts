// Reading a scenario's result in a test: find a job, and assert its result with the job's story as the message.
import type { EventResult, JobResult } from './harness';

/** The job `id` of workflow `workflow` (its `name:`); throws, listing what ran, when there is none. */
export const job = (result: EventResult, workflow: string, id: string): JobResult => {
  const found = result.runs.find((r) => r.workflow.name === workflow)?.jobs[id];
  if (!found) throw new Error(`no job ${id} in workflow ${workflow}: ${JSON.stringify(result.runs.map((r) => [r.workflow.name, Object.keys(r.jobs)]))}`);
  return found;
};

/** A job's story: its result, and each step's conclusion with a failed step's output. */
export const story = (j: JobResult): string => `${j.id}: ${j.result}${j.setupError ? ` (${j.setupError})` : ''}\n${j.steps.map((s) => `  ${s.conclusion} ${s.name}${s.conclusion === 'failure' ? `\n${(s.stdout + s.stderr).slice(-2500)}` : ''}`).join('\n')}`;

/** Expects the job's result, failing with its story (so a failed step's output is in the test's message). */
export const expectResult = (j: JobResult, result: JobResult['result']): void => expect(story(j)).toMatch(new RegExp(`^${j.id}: ${result}\\b`));
