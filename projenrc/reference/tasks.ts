// docs/reference/tasks.md: the projen tasks the Batchform component adds to a user's project, read
// from a throwaway TypeScript project (in a temporary directory, never synthesized to disk) that
// declares one stage and one batch: the tasks it has with the component, minus those it has without.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { javascript, LogLevel, Project, Task, TaskStep, typescript } from 'projen';
import { code, generatedMarker, page, table, text } from './markdown';
import { Batchform } from '../../src/projen/batchform';

/** The names the throwaway project declares, written as placeholders on the page. */
const PLACEHOLDERS: [string, string][] = [['example-stage', '<stage>'], ['example-batch', '<batch>'], ['111122223333', '<account>']];

function placeholders(s: string): string {
  return PLACEHOLDERS.reduce((acc, [from, to]) => acc.split(from).join(to), s);
}

/** One step as the page shows it. */
function stepText(step: TaskStep): string {
  const args = step.receiveArgs ? ' [args...]' : '';
  if (step.exec !== undefined) return code(placeholders(step.exec) + args);
  if (step.spawn !== undefined) return `the ${code(placeholders(step.spawn))} task`;
  if (step.say !== undefined) return `says ${code(step.say)}`;
  if (step.builtin !== undefined) return `projen's ${code(step.builtin)}`;
  return code(JSON.stringify(step));
}

function stepsOf(task: Task): TaskStep[] {
  return [...task.steps];
}

/** The tasks of a project: name, description and steps. */
function snapshot(project: Project): Map<string, { description?: string; steps: TaskStep[] }> {
  return new Map(project.tasks.all.map((t) => [t.name, { description: t.description, steps: stepsOf(t) }]));
}

export interface TasksReference {
  /** Tasks the component adds: name, description, what each runs. */
  readonly added: { name: string; description: string; runs: string[] }[];
  /** Tasks of projen's the component changes, and the steps it adds to them. */
  readonly changed: { name: string; added: string[] }[];
}

/** The tasks `new Batchform(project, ...)` adds to (and changes in) a fresh projen TypeScript project. */
export function componentTasks(): TasksReference {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-docs-tasks-'));
  try {
    fs.mkdirSync(path.join(dir, 'handlers'));
    fs.writeFileSync(path.join(dir, 'handlers/example-batch.ts'), 'export const handler = async () => {};\n');
    const options: typescript.TypeScriptProjectOptions = {
      name: 'my-batches',
      defaultReleaseBranch: 'main',
      outdir: dir,
      devDeps: ['batchform'],
      packageManager: javascript.NodePackageManager.NPM,
      buildWorkflow: false,
      logging: { level: LogLevel.OFF },
    };
    const before = snapshot(new typescript.TypeScriptProject(options));
    const project = new typescript.TypeScriptProject(options);
    const component = new Batchform(project, {
      stages: [{ name: 'example-stage', account: '111122223333', region: 'eu-west-1', artifactBucket: 'example-artifacts', alarmEmails: ['oncall@example.com'] }],
      batches: [{ name: 'example-batch', handler: 'handlers/example-batch.ts', schedule: 'rate(1 day)' }],
    });
    // The per-stage and per-batch tasks are added when the declarations are validated, before synthesis.
    component.preSynthesize();
    const after = snapshot(project);
    const added = [...after].filter(([name]) => !before.has(name)).map(([name, t]) => ({
      name: placeholders(name),
      description: placeholders(t.description ?? ''),
      runs: t.steps.map(stepText),
    }));
    const changed = [...after].filter(([name]) => before.has(name)).flatMap(([name, t]) => {
      const old = before.get(name)!.steps.map((s) => JSON.stringify(s));
      const extra = t.steps.filter((s) => !old.includes(JSON.stringify(s))).map(stepText);
      return extra.length > 0 ? [{ name, added: extra }] : [];
    });
    return { added, changed };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown page of the component's tasks. */
export function renderTasks(ref: TasksReference = componentTasks()): string {
  return page([
    '# Tasks',
    '',
    generatedMarker('the tasks the Batchform component (src/projen/batchform.ts) adds to a fresh projen TypeScript project'),
    '',
    'The projen tasks `new Batchform(project, { ... })` adds to your project, each run as `npx projen <task>`.',
    'Arguments after the task name are passed on where a task shows `[args...]`, e.g. `npx projen deploy --stage prod`.',
    'Tasks that run the batchform CLI also set their own `PATH` (every `node_modules/.bin` up to the file system root),',
    'so they start without npm. The commands and their flags are in [cli.md](cli.md).',
    '',
    ...table(['Task', 'Description', 'Runs'], ref.added.map((t) => [code(t.name), text(t.description), t.runs.join(', then ')])),
    '',
    '`<stage>` and `<batch>` stand for each declared stage and batch: `bootstrap:prod`, `bundle:daily-stats`.',
    '',
    '## Changes to projen\'s own tasks',
    '',
    ...table(['Task', 'Steps added'], ref.changed.map((c) => [code(c.name), c.added.join(', ')])),
  ]);
}
