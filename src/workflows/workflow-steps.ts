// The steps the jobs share: the checkout, Node.js, the trusted CLI, and assuming a stage's role through OIDC.
import { github } from 'projen';
import { ACTIONS } from './actions';
import { INSTALL_CLI_SCRIPT } from './install-cli';
import { CLI_ENV } from './workflow-names';
import { Resolved, WorkflowStage } from './workflow-options';

type JobStep = github.workflows.JobStep;

/** Where the build's artifact is unpacked in the credentialed jobs: outside the checkout, so its files never shadow trusted ones. */
export const BUILD_DIR = '${{ runner.temp }}/batchform-build';

/** Role session names: at most 64 of `[\w+=,.@-]`. */
function sessionName(kind: string, stage: string): string {
  return `batchform-${kind}-${stage}`.slice(0, 64);
}

export function checkout(): JobStep {
  // The token is not left in .git/config: no later step pushes, and none should be able to.
  return { name: 'Check out', uses: ACTIONS.checkout.uses, with: { 'persist-credentials': false } };
}

export function setupNode(o: Resolved, cache: boolean): JobStep {
  return {
    name: 'Set up Node.js',
    uses: ACTIONS.setupNode.uses,
    with: { 'node-version': o.nodeVersion, ...(cache && o.packageManager !== 'none' ? { cache: o.packageManager } : {}) },
  };
}

/** The trusted checkout, Node.js and the bundled CLI (its path in `$BATCHFORM_CI`), nothing of the project installed. */
export function trustedCli(o: Resolved, when?: string): JobStep[] {
  const at = (s: JobStep): JobStep => (when ? { ...s, if: when } : s);
  if (o.cli.kind === 'source') {
    const script = o.cli.script;
    return [
      checkout(),
      setupNode(o, true),
      ...o.cli.install.map((command) => ({ name: `Build the CLI from the trusted checkout: ${command}`, run: command })),
      { name: 'Use the CLI just built', run: `echo "${CLI_ENV}=$GITHUB_WORKSPACE/${script}" >> "$GITHUB_ENV"` },
    ].map(at);
  }
  return [
    checkout(),
    setupNode(o, false),
    {
      name: 'Install the batchform CLI the checkout locks (only it, integrity checked)',
      uses: ACTIONS.githubScript.uses,
      env: { LOCKFILE: 'package-lock.json', PACKAGE: 'batchform', DEST: '${{ runner.temp }}/batchform-cli' },
      with: { script: INSTALL_CLI_SCRIPT },
    },
  ].map(at);
}

export function assumeRole(kind: 'preview' | 'deploy', stage: WorkflowStage, roleArn: string, when?: string): JobStep {
  return {
    name: `Assume the ${kind} role of stage ${stage.name} (OIDC)`,
    ...(when ? { if: when } : {}),
    uses: ACTIONS.configureAwsCredentials.uses,
    with: { 'role-to-assume': roleArn, 'aws-region': stage.region, 'role-session-name': sessionName(kind, stage.name) },
  };
}
