// The options of the batchform workflows, and the same with every default filled in.
import { DEFAULT_ALLOW_REMOVAL_LABEL, DEFAULT_ALLOW_REPLACEMENT_LABEL } from './allow-replacement';
import { deployJobTimeoutMinutes, previewJobTimeoutMinutes } from './job-timeouts';
import type { Stage } from '../model/validated';

/** The stage fields the workflows read, and how many stacks the stage deploys (which sizes the job timeouts). */
export type WorkflowStage = Pick<Stage, 'name' | 'region' | 'githubEnvironment' | 'previewRoleArn' | 'deployRoleArn'> & {
  /**
   * Batch stacks of the stage.
   * @default 1
   */
  readonly stackCount?: number;
};

/**
 * How the jobs that hold AWS credentials get the batchform CLI. They never install the project:
 * its install scripts and its code are whatever the commit says, and on a pull request that is
 * the author's.
 */
export type WorkflowCli =
  /** The `batchform` package the trusted checkout's package-lock.json locks, its tarball checked against the lock's integrity. */
  | { readonly kind: 'package' }
  /**
   * Commands run in the trusted checkout that leave the bundled CLI at `script` (this repository,
   * whose CLI is its own source).
   */
  | { readonly kind: 'source'; readonly install: readonly string[]; readonly script: string };

/** Options of {@link batchformWorkflows}. */
export interface BatchformWorkflowOptions {
  /**
   * Paths the build uploads for the preview and deploy jobs: the templates and manifest, and the
   * packaged code zips.
   * @example ['cfn-out/', 'dist/batches/*.zip', 'dist/batches/bundles.json']
   */
  readonly artifactPaths: readonly string[];
  /**
   * How the credentialed jobs get the CLI.
   * @default { kind: 'package' }
   */
  readonly cli?: WorkflowCli;
  /**
   * The branch whose pushes deploy; the preview workflow runs from the default branch, which
   * batchform takes to be this one.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * How the workflow runs projen.
   * @default 'npx projen'
   */
  readonly projenCommand?: string;
  /**
   * Installs dependencies exactly as locked (the build job only).
   * @default 'npm ci'
   */
  readonly installCommand?: string;
  /**
   * The package manager whose cache `actions/setup-node` restores in the build (`'none'`: no cache).
   * @default 'npm'
   */
  readonly packageManager?: 'npm' | 'yarn' | 'pnpm' | 'none';
  /**
   * Node.js version on the runners.
   * @default '24'
   */
  readonly nodeVersion?: string;
  /**
   * Resource types the deploy jobs never replace (`deploy --refuse-replacement`), unless a pull
   * request merged into the deployed commit carried {@link allowReplacementLabel} when it was merged.
   * @default [] (replacements are allowed)
   * @example ['AWS::Logs::LogGroup', 'AWS::SQS::Queue']
   */
  readonly refuseReplacement?: readonly string[];
  /**
   * The pull-request label that allows replacing the refused types in the deploy of its merge.
   * @default 'batchform:allow-replacement'
   */
  readonly allowReplacementLabel?: string;
  /**
   * The pull-request label that allows the deploy of its merge to delete the stacks of removed
   * (or renamed) batches (`deploy --allow-removal`); without it such a deploy deploys nothing.
   * @default 'batchform:allow-removal'
   */
  readonly allowRemovalLabel?: string;
  /**
   * Minutes a stage's deploy job may run, from its stack count.
   * @default deployJobTimeoutMinutes (sized from the stack count at the default concurrency)
   */
  readonly deployTimeoutMinutes?: (stackCount: number) => number;
  /**
   * Minutes a stage's preview job may run, from its stack count.
   * @default previewJobTimeoutMinutes (sized from the stack count at the default concurrency)
   */
  readonly previewTimeoutMinutes?: (stackCount: number) => number;
}

/** {@link BatchformWorkflowOptions} with every default applied: what the jobs are built from. */
export interface Resolved {
  readonly artifactPaths: readonly string[];
  readonly cli: WorkflowCli;
  readonly branch: string;
  readonly projen: string;
  readonly install: string;
  readonly packageManager: string;
  readonly nodeVersion: string;
  readonly refuseReplacement: readonly string[];
  readonly allowReplacementLabel: string;
  readonly allowRemovalLabel: string;
  readonly deployTimeout: (stackCount: number) => number;
  readonly previewTimeout: (stackCount: number) => number;
}

export function resolveWorkflowOptions(o: BatchformWorkflowOptions): Resolved {
  return {
    artifactPaths: o.artifactPaths,
    cli: o.cli ?? { kind: 'package' },
    branch: o.branch ?? 'main',
    projen: o.projenCommand ?? 'npx projen',
    install: o.installCommand ?? 'npm ci',
    packageManager: o.packageManager ?? 'npm',
    nodeVersion: o.nodeVersion ?? '24',
    refuseReplacement: o.refuseReplacement ?? [],
    allowReplacementLabel: o.allowReplacementLabel ?? DEFAULT_ALLOW_REPLACEMENT_LABEL,
    allowRemovalLabel: o.allowRemovalLabel ?? DEFAULT_ALLOW_REMOVAL_LABEL,
    deployTimeout: o.deployTimeoutMinutes ?? ((n) => deployJobTimeoutMinutes(n)),
    previewTimeout: o.previewTimeoutMinutes ?? ((n) => previewJobTimeoutMinutes(n)),
  };
}
