// The shapes a scenario hands the workflow runner and the result it gets back: plain JSON, so a jest test (CommonJS)
// and the runner (ESM, in a child process) share them.
import type { Annotation } from './commands';
import type { TokenPermissions } from './github-fake';

/** The event as the runner sees it: its name, the webhook payload (GITHUB_EVENT_PATH) and GITHUB_SHA / GITHUB_REF. */
export interface ResolvedEvent {
  readonly name: string;
  readonly payload: Record<string, any>;
  /** GITHUB_SHA: the commit the run is for (the merge commit on pull_request, the default branch head on workflow_run). */
  readonly sha: string;
  /** GITHUB_REF, e.g. `refs/heads/main`, `refs/pull/7/merge`. */
  readonly ref: string;
  /** GITHUB_HEAD_REF / GITHUB_BASE_REF (pull_request events only). */
  readonly headRef?: string;
  readonly baseRef?: string;
  /** @default 'octocat' */
  readonly actor?: string;
  /** Files the push or pull request changed, for `paths:` filters; a workflow with such a filter needs it. */
  readonly changedFiles?: readonly string[];
}

/** The repository the workflows run in, and where its git history is on this machine. */
export interface RepositoryContext {
  /** OWNER/NAME. */
  readonly fullName: string;
  readonly id: number;
  readonly ownerId: number;
  readonly private: boolean;
  readonly defaultBranch: string;
  /** A local git repository (work tree or bare) holding every commit the scenario's events name. */
  readonly gitDir: string;
  /** The repository's OIDC subject template (`include_claim_keys`); unset: GitHub's default `repo:O/R:<context>`. */
  readonly oidcSubjectClaimKeys?: readonly string[];
  /** The repository uses immutable OIDC subjects (`repo:OWNER@OWNER_ID/NAME@REPO_ID:...`). */
  readonly oidcImmutableSubject?: boolean;
  /**
   * Deployment branch policies of environments: a job naming the environment from a ref none of the patterns
   * matches fails before its steps, as on GitHub. Environments not listed have no protection rules.
   * @example { prod: ['main'] }
   */
  readonly environments?: Record<string, readonly string[]>;
  /** The default GITHUB_TOKEN permissions of the repository when a workflow sets none. @default 'restricted' */
  readonly defaultTokenPermissions?: 'restricted' | 'permissive';
}

/** Replaces what a named step does with a cheaper `run:` command; always recorded in the result. */
export interface StepSubstitution {
  /** The workflow's file path or `name:`; unset: any triggered workflow. */
  readonly workflow?: string;
  /** The job id; unset: any job. */
  readonly job?: string;
  /** The step's `id:` or its `name:` (as written). */
  readonly step: string;
  /** The bash script to run instead (with the step's env, working directory and shell). */
  readonly run: string;
  /** Why, for the record (e.g. "the build is tested elsewhere"). */
  readonly reason: string;
}

/** A substitution as applied. */
export interface SubstitutionRecord extends StepSubstitution {
  readonly workflowPath: string;
  readonly jobId: string;
  readonly stepId: string;
  /** The step's `run:` script or `uses:` reference as the workflow has it. */
  readonly original: string;
  /** False when the step was skipped (its `if:` was false or its job did not run). */
  readonly ran: boolean;
}

/** A module export the runner loads in its own process, because functions do not cross the JSON boundary. */
export interface ModuleRef {
  /** Path of a .ts/.mts/.js module (absolute, or relative to the repository root). */
  readonly module: string;
  /** The export's name. @default 'default' */
  readonly export?: string;
  /** When set, the export is a factory called with these arguments to make the function. */
  readonly args?: readonly unknown[];
}

/** How configure-aws-credentials decides whether a role may be assumed. */
export type TrustSpec =
  /** trustFromBootstrapTemplate(template, parameters, account, region). */
  | { readonly bootstrapTemplate: object; readonly parameters: Record<string, string>; readonly account: string; readonly region?: string }
  /** A TrustFunction export (or a factory of one, with args). */
  | ModuleRef;

/** Everything one event needs to run: the JSON the jest side hands the runner process. */
export interface Scenario {
  readonly repository: RepositoryContext;
  readonly event: ResolvedEvent;
  /** The GitHub fake the jobs talk to (see startGitHubFake). */
  readonly github: { readonly url: string; readonly adminKey: string; readonly serverUrl: string };
  /** Workflow files; unset: every `.github/workflows/*.y*ml` of the repository at the event's sha, as GitHub reads them. */
  readonly workflows?: ReadonlyArray<{ readonly path: string; readonly text: string }>;
  readonly secrets?: Record<string, string>;
  readonly vars?: Record<string, string>;
  readonly substitutions?: readonly StepSubstitution[];
  /** Multiplies every `timeout-minutes` (1 minute = 60 000 ms × timeScale). @default 1 */
  readonly timeScale?: number;
  /** Unset: configure-aws-credentials fails every assume (there is no AWS). */
  readonly trust?: TrustSpec;
  /** Extra env configure-aws-credentials exports with the credentials, e.g. the AWS fake's AWS_ENDPOINT_URL. */
  readonly awsEnv?: Record<string, string>;
  /** actionlintWithShellcheck for the actionlint image. @default { module: 'test/workflows/harness/actionlint.ts', export: 'actionlintWithShellcheck' } */
  readonly actionlint?: ModuleRef;
  /** Where the runner keeps workspaces and temp dirs; unset: a new temp dir, deleted afterwards. */
  readonly workDir?: string;
}

/** One step as it ran. */
export interface StepResult {
  readonly id: string;
  readonly name: string;
  readonly uses?: string;
  readonly run?: string;
  /** Before continue-on-error. */
  readonly outcome: 'success' | 'failure' | 'cancelled' | 'skipped';
  /** After continue-on-error. */
  readonly conclusion: 'success' | 'failure' | 'cancelled' | 'skipped';
  readonly exitCode: number | null;
  /** Output with secrets masked, workflow command lines included as printed. */
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  /** Set when a scenario substitution replaced the step's command. */
  readonly substitutedBy?: string;
  readonly durationMs: number;
}

/** One job as it ended. */
export interface JobResult {
  readonly id: string;
  readonly name: string;
  readonly result: 'success' | 'failure' | 'skipped' | 'cancelled';
  readonly steps: StepResult[];
  readonly outputs: Record<string, string>;
  readonly annotations: Annotation[];
  /** The job summary: every step's GITHUB_STEP_SUMMARY, concatenated. */
  readonly summary: string;
  /** The GITHUB_TOKEN's permissions (`metadata: read` always; fork pull requests downgraded). */
  readonly permissions: TokenPermissions;
  readonly environment?: string;
  readonly concurrency?: { readonly group: string; readonly cancelInProgress: boolean };
  readonly timeoutMinutes: number;
  readonly timedOut: boolean;
  /** The claims of the OIDC token the job could request; unset without `id-token: write`. */
  readonly oidcClaims?: Record<string, string>;
  /** Why the job failed before its first step (an action that cannot be resolved, an environment's branch policy). */
  readonly setupError?: string;
}

/** One workflow run. */
export interface WorkflowRunResult {
  readonly workflow: { readonly path: string; readonly name: string };
  readonly runId: number;
  readonly runNumber: number;
  readonly event: string;
  readonly conclusion: 'success' | 'failure' | 'cancelled';
  /** The workflow file's errors (a run GitHub fails without starting a job). */
  readonly errors: string[];
  readonly jobs: Record<string, JobResult>;
  readonly concurrency?: { readonly group: string; readonly cancelInProgress: boolean };
  readonly artifacts: Array<{ readonly id: number; readonly name: string; readonly files: string[]; readonly size: number }>;
  /** What GitHub puts in a workflow_run event about this run. */
  readonly headSha: string;
  readonly headBranch: string | null;
}

/** Everything one event did. */
export interface EventResult {
  readonly event: ResolvedEvent;
  readonly runs: WorkflowRunResult[];
  /** Workflow files the event did not trigger, and why. */
  readonly notTriggered: Array<{ readonly path: string; readonly reason: string }>;
  readonly substitutions: SubstitutionRecord[];
}
