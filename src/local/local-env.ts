// The environment of a local run: the batch's declared variables and secrets take their values from
// this machine (the fixture, the shell, an ignored .env.local), never from a stage's declarations
// unless the user names the stage, and never from AWS unless asked.
import * as fs from 'fs';
import * as path from 'path';
import { BatchformError } from '../errors/batchform-error';
import type { ManifestBatch } from '../manifest/manifest';

/** The local environment file invoke reads, relative to the project root (ignored by git). */
export const LOCAL_ENV_FILE = '.env.local';

/**
 * Variables that only mean something in Lambda (its CA bundle, the source-map flag the template
 * sets): a local run neither needs a local value for them nor sets them.
 */
/**
 * Where `invoke` keeps the runs it recorded (its local run ledger, src/local/local-ledger.ts),
 * relative to the project root; ignored by git (the Batchform component adds it, and its lock and
 * temporary files, to `.gitignore`).
 */
export const LOCAL_LEDGER_FILE = '.batchform/ledger.json';

export const LAMBDA_ONLY_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/**
 * Reads a `.env`-style file: `NAME=value` lines, `export ` allowed, `#` comments, values in single
 * or double quotes (double-quoted ones with `\n` escapes). Undefined when the file does not exist.
 * @throws BatchformError naming the line that is not `NAME=value`.
 */
export function readEnvFile(file: string): Record<string, string> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const out: Record<string, string> = {};
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(text);
    if (!m) throw new BatchformError('bad-input', `${file}:${i + 1} is not NAME=value. Fix: write one variable per line, e.g. DATABASE_URL=postgres://localhost:5432/dev.`);
    let value = m[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n').replace(/\\"/g, '"') : quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  });
  return out;
}

/** Where a local run's variable or secret came from. */
export type LocalSource = 'fixture' | 'shell' | 'env-file' | 'stage' | 'aws' | 'none';

/** What a local run uses, and from where: names and sources only, never values. */
export interface LocalEnvironment {
  /** The environment file read (relative to the project root), when it exists. */
  readonly envFile?: string;
  /** The fixture used (`handlers/<batch>.local.ts`), when there is one. */
  readonly fixture?: string;
  /** The stage whose declared values the run uses (`--stage`); undefined: none, local values only. */
  readonly stage?: string;
  /** Each declared variable's source, and the fixture's and the file's other variables, by name. */
  readonly variables: Readonly<Record<string, LocalSource>>;
  /** Where secrets come from: this machine, or AWS (`--secrets-from-aws`). */
  readonly secretsFrom: 'local' | 'aws';
  /** Each secret's source (for local secrets), by name. */
  readonly secrets: Readonly<Record<string, LocalSource>>;
}

/** What {@link resolveLocalEnvironment} reads. */
export interface LocalEnvironmentInput {
  /** The batch as the run sees it (with `stage` set: as that stage runs it). */
  readonly batch: ManifestBatch;
  /** The stage named by the user, whose declared values the run then uses. */
  readonly stage?: string;
  /** The shell's environment. */
  readonly shell: Readonly<Record<string, string | undefined>>;
  /** The environment file's variables, and its name for messages. */
  readonly envFile?: { readonly name: string; readonly values: Readonly<Record<string, string>> };
  /** The fixture's variables, and its file for messages. */
  readonly fixture?: { readonly name: string; readonly env: Readonly<Record<string, string>> };
  /** Read secrets from AWS instead of this machine. */
  readonly secretsFromAws?: boolean;
}

/** The environment of a local run, resolved: variables to set, local secret values, and their sources. */
export interface ResolvedLocalEnvironment {
  /** Values of the batch's declared variables (those to set), by name. */
  readonly variables: Record<string, string>;
  /** Local values of the batch's secrets, by name (empty with secretsFromAws). */
  readonly secrets: Record<string, string>;
  readonly report: LocalEnvironment;
}

/** Names the batch declares: its own environment's and (without a stage) every stage's overrides'. */
function declaredNames(batch: ManifestBatch, stage: string | undefined): Map<string, string[]> {
  const by = new Map<string, string[]>();
  const add = (name: string, where: string) => by.set(name, [...(by.get(name) ?? []), where]);
  for (const name of Object.keys(batch.environment)) add(name, stage ? `stage "${stage}"` : 'the batch (every stage)');
  if (!stage) {
    for (const [s, o] of Object.entries(batch.overrides ?? {})) {
      for (const [name, value] of Object.entries(o.environment ?? {})) if (value !== '') add(name, `stage "${s}"`);
    }
  }
  for (const name of LAMBDA_ONLY_VARIABLES) by.delete(name);
  return by;
}

/**
 * Each declared variable's and secret's local value: the fixture's, else the shell's, else the
 * environment file's; with `stage`, a declared variable takes the stage's value (the fixture's still
 * wins). A declared variable with no local value stops the run with how to provide one; a secret
 * without one is reported, and `secret()` fails with the fix only if the handler asks for it.
 *
 * @throws BatchformError (bad input) listing every declared variable without a local value.
 */
export function resolveLocalEnvironment(input: LocalEnvironmentInput): ResolvedLocalEnvironment {
  const { batch, stage, shell } = input;
  const fileName = input.envFile?.name ?? LOCAL_ENV_FILE;
  const local = (name: string): [string, LocalSource] | undefined => {
    if (input.fixture && name in input.fixture.env) return [input.fixture.env[name], 'fixture'];
    if (shell[name] !== undefined) return [shell[name]!, 'shell'];
    if (input.envFile && name in input.envFile.values) return [input.envFile.values[name], 'env-file'];
    return undefined;
  };
  const variables: Record<string, string> = {};
  const variableSources: Record<string, LocalSource> = {};
  const missing: string[] = [];
  for (const [name, where] of declaredNames(batch, stage)) {
    const found: [string, LocalSource] | undefined = stage && !(input.fixture && name in input.fixture.env) ? [batch.environment[name], 'stage'] : local(name);
    if (!found) {
      missing.push(`  - ${name} (declared by ${where.join(', ')}): add ${name}=<local value> to ${fileName} (ignored by git; ${name}= leaves it unset locally), `
        + `export ${name}=<local value> in the shell, return it in env from ${input.fixture?.name ?? batch.handler.replace(/\.(ts|js|mts|mjs)$/, '.local.ts')}, `
        + `or run with --stage ${where.find((w) => w.startsWith('stage '))?.slice(7, -1) ?? '<stage>'} to use that stage's declared value.`);
      continue;
    }
    variableSources[name] = found[1];
    if (found[0] !== '') variables[name] = found[0];
  }
  // What else the run gets from the fixture and the file (the shell's own variables are not listed).
  const secretNames = new Set(Object.keys(batch.secrets ?? {}));
  for (const name of Object.keys(input.fixture?.env ?? {})) if (!(name in variableSources) && !secretNames.has(name)) variableSources[name] = 'fixture';
  for (const name of Object.keys(input.envFile?.values ?? {})) {
    if (!(name in variableSources) && !secretNames.has(name) && shell[name] === undefined) variableSources[name] = 'env-file';
  }
  const secrets: Record<string, string> = {};
  const secretSources: Record<string, LocalSource> = {};
  for (const name of Object.keys(batch.secrets ?? {})) {
    if (input.secretsFromAws) {
      secretSources[name] = 'aws';
    } else {
      // A secret without a local value stops the run only if the handler asks for it (secret()
      // says then how to provide one): a handler may need it on one path only, e.g. the RDS secret
      // where a local DATABASE_URL is not set.
      const found = local(name);
      secretSources[name] = found ? found[1] : 'none';
      if (found) secrets[name] = found[0];
    }
  }
  if (missing.length > 0) {
    throw new BatchformError('bad-input', `invoke: batch "${batch.name}" has no local value for ${missing.length === 1 ? 'one variable' : `${missing.length} variables`}; `
      + `a local run never uses a stage's declared values unless you name the stage (--stage). Provide each:\n${missing.join('\n')}`,
    { where: { batch: batch.name } });
  }
  return {
    variables,
    secrets,
    report: {
      envFile: input.envFile?.name,
      fixture: input.fixture?.name,
      stage,
      variables: variableSources,
      secretsFrom: input.secretsFromAws ? 'aws' : 'local',
      secrets: secretSources,
    },
  };
}

/** The lines `invoke` prints about a run's environment: which environment and which secrets source, by name (never values). */
export function describeLocalEnvironment(e: LocalEnvironment, region?: string): string[] {
  const label = (s: LocalSource) => ({
    'fixture': e.fixture ?? 'the fixture', 'shell': 'the shell', 'env-file': e.envFile ?? LOCAL_ENV_FILE, 'stage': `stage "${e.stage}"`, 'aws': 'AWS', 'none': '',
  })[s];
  const from = [e.envFile, 'the shell', e.fixture].filter((x) => x !== undefined).join(', ');
  const rows = (m: Readonly<Record<string, LocalSource>>) => {
    const width = Math.max(0, ...Object.keys(m).map((k) => k.length));
    return Object.entries(m).map(([k, s]) => `  ${k.padEnd(width)}  ${s === 'none'
      ? `no local value: secret('${k}') fails if the run asks for it (add ${k}=<value> to ${e.envFile ?? LOCAL_ENV_FILE})` : `from ${label(s)}`}`);
  };
  const lines = [e.stage
    ? `invoke: environment: stage "${e.stage}"'s declared values (--stage ${e.stage}), with ${from}`
    : `invoke: environment: local (${from}${e.envFile ? '' : `; no ${LOCAL_ENV_FILE}`}); no stage's declared values (--stage <name> uses them)`];
  lines.push(...rows(e.variables));
  if (Object.keys(e.secrets).length > 0) {
    lines.push(e.secretsFrom === 'aws'
      ? `invoke: secrets: from AWS (--secrets-from-aws), with this shell's AWS credentials${region ? ` in ${region}` : ''}`
      : `invoke: secrets: local (${[e.envFile ?? LOCAL_ENV_FILE, 'the shell', e.fixture].filter((x) => x !== undefined).join(', ')}), never AWS (--secrets-from-aws reads them from AWS)`);
    lines.push(...rows(e.secrets));
  }
  return lines;
}

/** Path of an environment file relative to the project root, for messages. */
export function envFileName(projectDir: string, file: string): string {
  return path.relative(projectDir, path.resolve(projectDir, file)).split(path.sep).join('/') || file;
}
