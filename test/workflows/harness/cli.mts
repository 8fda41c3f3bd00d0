// The runner's process entry: `node --import tsx cli.mts <scenario.json> <result.json>` loads the scenario's module
// references (trust function, actionlint), runs the event and writes the EventResult as JSON. Jest (CommonJS) cannot
// load the ESM-only @actions packages, so tests reach the runner through this process (see index.ts).
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { ActionlintFunction } from './actions.mts';
import { runEvent } from './runner.mts';
import type { TrustFunction } from './trust.ts';
import { trustFromBootstrapTemplate } from './trust.ts';
import type { ModuleRef, Scenario } from './types.ts';

async function load(ref: ModuleRef): Promise<unknown> {
  const file = path.resolve(ref.module);
  if (!fs.existsSync(file)) throw new Error(`The scenario names the module ${ref.module} (${file}), which does not exist`);
  const mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  const name = ref.export ?? 'default';
  let value = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'function') throw new Error(`${ref.module} has no function export '${name}'`);
  if (ref.args) value = await (value as (...a: unknown[]) => unknown)(...ref.args);
  if (typeof value !== 'function') throw new Error(`${ref.module}#${name}(...args) did not return a function`);
  return value;
}

async function main(): Promise<void> {
  const [scenarioPath, resultPath] = process.argv.slice(2);
  if (!scenarioPath || !resultPath) throw new Error('usage: cli.mts <scenario.json> <result.json>');
  const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as Scenario;
  let trust: TrustFunction | undefined;
  if (scenario.trust && 'bootstrapTemplate' in scenario.trust) {
    trust = trustFromBootstrapTemplate(scenario.trust.bootstrapTemplate, scenario.trust.parameters, scenario.trust.account, scenario.trust.region);
  } else if (scenario.trust) {
    trust = await load(scenario.trust) as TrustFunction;
  }
  const actionlintRef: ModuleRef = scenario.actionlint ?? { module: 'test/workflows/harness/actionlint.ts', export: 'actionlintWithShellcheck' };
  let actionlint: ActionlintFunction | undefined;
  const { trust: _spec, actionlint: _ref, ...rest } = scenario;
  const result = await runEvent({
    ...rest,
    ...(trust ? { trust } : {}),
    actionlint: async () => {
      actionlint = actionlint ?? await load(actionlintRef) as ActionlintFunction;
      return actionlint;
    },
  });
  fs.writeFileSync(resultPath, JSON.stringify(result, null, 1));
}

// A promise nothing can settle any more would otherwise end the process with code 0 and no result.
process.on('beforeExit', () => {
  process.stderr.write('The workflow runner stopped with work pending (a bug of the harness: a promise nothing settles)\n');
  process.exit(3);
});

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
