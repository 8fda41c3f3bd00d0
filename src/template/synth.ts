// In-memory synthesis of aws-cdk-lib stacks to raw CloudFormation: no bootstrap, no CDK metadata.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';

/** A raw CloudFormation template, as `create-change-set` takes it. */
export type CfnTemplate = Record<string, unknown>;

/** Linux's shared-memory file system: a temporary cloud assembly there never touches a disk. */
const SHARED_MEMORY_DIR = '/dev/shm';

/**
 * Where the throwaway cloud assembly goes: shared memory when the machine has it, since App.synth()
 * writes every template and its metadata to files and reads them back (on a virtual disk, about 1 ms
 * a file), else the system's temporary directory.
 */
function assemblyParentDir(): string {
  try {
    fs.accessSync(SHARED_MEMORY_DIR, fs.constants.W_OK);
    if (fs.statSync(SHARED_MEMORY_DIR).isDirectory()) return SHARED_MEMORY_DIR;
  } catch {
    // No shared memory here (macOS, Windows, some containers): use the temporary directory.
  }
  return os.tmpdir();
}

/**
 * Builds stacks in one throwaway App and returns each stack's template by stack id.
 *
 * The App is configured so templates hold only what the stacks declare: no `CDKMetadata`,
 * no `BootstrapVersion` parameter or rule, no `aws:cdk:path` metadata. The built-in template
 * validation is off here (it costs seconds per regeneration); `lint:cfn` runs it instead.
 */
export function synthesizeStacks(
  build: Record<string, (stack: Stack) => void>,
  configure: (app: App) => void = () => undefined,
): Record<string, CfnTemplate> {
  const outdir = fs.mkdtempSync(path.join(assemblyParentDir(), 'batchform-synth-'));
  try {
    const app = new App({
      outdir,
      analyticsReporting: false,
      treeMetadata: false,
      stackTraces: false,
      builtinCloudFormationValidation: false,
      context: {
        'aws:cdk:enable-path-metadata': false,
        'aws:cdk:disable-version-reporting': true,
        // CDK captures a stack trace per construct (and per CfnElement, for its error messages):
        // templates never hold them, and they were a third of the L1 construction time.
        'aws:cdk:disable-stack-trace': true,
        [DISABLE_CREATION_STACK_TRACES]: true,
      },
    });
    // Lets tests add validation plugins (cdk-nag) to the very App that builds the templates.
    configure(app);
    const ids = Object.keys(build);
    for (const id of ids) {
      const stack = new Stack(app, id, { synthesizer: new BootstraplessSynthesizer(), stackName: id });
      build[id](stack);
    }
    const assembly = app.synth();
    const out: Record<string, CfnTemplate> = {};
    for (const id of ids) out[id] = assembly.getStackByName(id).template as CfnTemplate;
    return out;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
