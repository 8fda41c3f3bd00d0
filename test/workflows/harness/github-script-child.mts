// The process a github-script step runs in: actions/github-script v9's main, with the real @actions/core and
// @actions/github (an Octokit on GITHUB_API_URL, the context from GITHUB_EVENT_PATH): the script is the body of an
// async function given require, github, octokit, getOctokit, context, core, exec, glob and io.
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { context, getOctokit } from '@actions/github';
import * as io from '@actions/io';
import { createRequire } from 'module';
import * as path from 'path';

const AsyncFunction = Object.getPrototypeOf(async () => null).constructor;

/** github-script's wrapRequire: relative ids from the working directory, others resolved from it too. */
function wrapRequire(): NodeRequire {
  const base = createRequire(path.join(process.cwd(), '__github_script__.js'));
  return new Proxy(base, {
    apply: (target, thisArg, [moduleId]: [string]) => {
      if (moduleId.startsWith('.')) return target.apply(thisArg, [path.resolve(moduleId)]);
      return target.apply(thisArg, [target.resolve(moduleId, { paths: [process.cwd()] })]);
    },
    // As in github-script, properties such as require.resolve are not passed through.
    get: () => undefined,
  }) as NodeRequire;
}

/** @actions/glob is not installed in this repository: a script that uses it fails saying so. */
const glob = new Proxy({}, {
  get: (_, prop) => {
    throw new Error(`glob.${String(prop)}: the workflow harness runs github-script without @actions/glob (not installed); add it as a devDependency to model it`);
  },
});

async function main(): Promise<void> {
  const token = core.getInput('github-token', { required: true });
  const debug = core.getBooleanInput('debug');
  const userAgent = core.getInput('user-agent');
  const previews = core.getInput('previews');
  const baseUrl = core.getInput('base-url');
  const opts: Record<string, unknown> = {
    log: debug ? console : undefined,
    userAgent: userAgent || undefined,
    previews: previews ? previews.split(',') : undefined,
  };
  if (baseUrl) opts.baseUrl = baseUrl;
  const github = getOctokit(token, opts);
  const script = core.getInput('script', { required: true });
  const args = {
    require: wrapRequire(),
    __original_require__: createRequire(import.meta.url),
    github,
    octokit: github,
    getOctokit,
    context,
    core,
    exec,
    glob,
    io,
  };
  const fn = new AsyncFunction(...Object.keys(args), script);
  const result = await fn(...Object.values(args));
  const encoding = core.getInput('result-encoding') || 'json';
  let output: unknown;
  switch (encoding) {
    case 'json': output = JSON.stringify(result); break;
    case 'string': output = String(result); break;
    default: throw new Error('"result-encoding" must be either "string" or "json"');
  }
  core.setOutput('result', output);
}

function handleError(err: unknown): void {
  console.error(err);
  core.setFailed(`Unhandled error: ${err}`);
}

process.on('unhandledRejection', handleError);
main().catch(handleError);
