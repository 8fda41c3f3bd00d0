// docs/reference/cli.md: every command, argument and flag of the `batchform` CLI, from the commander
// definitions (src/cli/main.ts buildProgram()).
import type { Argument, Command, Option } from 'commander';
import { code, fence, generatedMarker, page, table, text } from './markdown';
import { EXIT_HELP } from '../../src/cli/exit-codes';
import { buildProgram } from '../../src/cli/main';

function defaultText(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => code(String(v))).join(', ');
  return code(String(value));
}

function optionRow(o: Option): string[] {
  const notes: string[] = [];
  if (o.mandatory) notes.push('required');
  if (o.variadic) notes.push('repeatable');
  const def = o.defaultValueDescription ? o.defaultValueDescription : defaultText(o.defaultValue);
  return [code(o.flags), [text(o.description), ...notes.map((n) => `(${n})`)].join(' '), def];
}

function argumentRow(a: Argument): string[] {
  const name = a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`;
  return [code(name), a.required ? 'yes' : 'no', text(a.description), a.defaultValueDescription ?? defaultText(a.defaultValue)];
}

function renderCommand(program: Command, c: Command): string[] {
  const lines = [`## ${program.name()} ${c.name()}`, '', text(c.description()), '', `Usage: ${code(`${program.name()} ${c.name()} ${c.usage()}`)}`];
  const args = c.registeredArguments;
  if (args.length > 0) lines.push('', ...table(['Argument', 'Required', 'Description', 'Default'], args.map(argumentRow)));
  const options = c.options.filter((o) => !o.hidden);
  if (options.length > 0) lines.push('', ...table(['Option', 'Description', 'Default'], options.map(optionRow)));
  const after = afterHelp(c);
  if (after) lines.push('', 'More from `--help`:', '', ...fence(after));
  return lines;
}

/** What `addHelpText('after', ...)` adds to a command's help, without the exit-code line (exit-codes.md has it). */
function afterHelp(c: Command): string {
  const written: string[] = [];
  (c as unknown as NodeJS.EventEmitter).emit('afterHelp', { error: false, command: c, write: (s: string) => written.push(s) });
  return written.join('').split('\n').filter((l) => l.trim() !== EXIT_HELP).join('\n').trim();
}

/** The Markdown page of a CLI program (by default batchform's own). */
export function renderCli(program: Command = buildProgram()): string {
  const commands = program.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  return page([
    '# The batchform CLI',
    '',
    generatedMarker('the command definitions in src/cli (buildProgram() in src/cli/main.ts)'),
    '',
    `${program.description()}. Run it as ${code('npx batchform <command>')}; most commands also have a projen task`,
    '(see [tasks.md](tasks.md)). Every command prints its own help with `--help`, and exits with the codes in',
    '[exit-codes.md](exit-codes.md). Paths are relative to the project root.',
    '',
    ...table(['Command', 'What it does'], commands.map((c) => [`[${c.name()}](#${anchor(program, c)})`, text(c.description())])),
    ...commands.flatMap((c) => ['', ...renderCommand(program, c)]),
  ]);
}

function anchor(program: Command, c: Command): string {
  return `${program.name()}-${c.name()}`.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}
