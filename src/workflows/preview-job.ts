// A stage's preview job: change sets of a pull request's build, from the default branch's trusted CLI, and the sticky comment.
import { github } from 'projen';
import { ACTIONS } from './actions';
import { PULL_REQUEST_SCRIPT } from './pull-request';
import { commentMarker, STICKY_COMMENT_SCRIPT } from './sticky-comment';
import {
  AFTER_PULL_REQUEST_BUILD, BUILD_ARTIFACT, BUILD_FAILED, BUILD_SUCCEEDED, CLI_ENV, HAS_PULL_REQUEST, PROBLEMS_ARTIFACT, PROBLEMS_FILE,
  previewReport, RUNS_ON,
} from './workflow-names';
import { Resolved, WorkflowStage } from './workflow-options';
import { assumeRole, BUILD_DIR, trustedCli } from './workflow-steps';

type Job = github.workflows.Job;
type JobStep = github.workflows.JobStep;
const { JobPermission } = github.workflows;

/** The sticky comment step, for a successful build's report or a failed build's problems. */
function commentStep(stage: WorkflowStage): JobStep {
  return {
    name: 'Comment on the pull request (one comment, updated in place)',
    if: `\${{ !cancelled() && ${HAS_PULL_REQUEST} }}`,
    uses: ACTIONS.githubScript.uses,
    env: {
      REPORT: `\${{ runner.temp }}/${previewReport(stage.name)}`,
      STAGE: stage.name,
      MARKER: commentMarker(stage.name),
      OUTCOME: '${{ steps.preview.outcome }}',
      BUILD: '${{ github.event.workflow_run.conclusion }}',
      BUILD_URL: '${{ github.event.workflow_run.html_url }}',
      PROBLEMS: `\${{ runner.temp }}/batchform-problems/${PROBLEMS_FILE}`,
      NUMBER: '${{ steps.pr.outputs.number }}',
      SHA: '${{ github.event.workflow_run.head_sha }}',
    },
    with: { script: STICKY_COMMENT_SCRIPT },
  };
}

/** The preview job of a stage with a preview role. */
export function previewJob(o: Resolved, stage: WorkflowStage, roleArn: string): Job {
  const inPr = HAS_PULL_REQUEST;
  const built = `${HAS_PULL_REQUEST} && ${BUILD_SUCCEEDED}`;
  return {
    name: `Preview ${stage.name} (change sets, never executed)`,
    if: `${AFTER_PULL_REQUEST_BUILD} && github.event.workflow_run.conclusion != 'cancelled' && github.event.workflow_run.conclusion != 'skipped'`,
    runsOn: RUNS_ON,
    // actions: read downloads the build run's artifacts; id-token: write is the preview role's OIDC token.
    permissions: { actions: JobPermission.READ, contents: JobPermission.READ, pullRequests: JobPermission.WRITE, idToken: JobPermission.WRITE },
    timeoutMinutes: o.previewTimeout(stage.stackCount ?? 1),
    steps: [
      {
        id: 'pr',
        name: 'Which pull request was built (forks are skipped)',
        uses: ACTIONS.githubScript.uses,
        env: { STAGE: stage.name },
        with: { script: PULL_REQUEST_SCRIPT },
      },
      // This workflow is the default branch's, and so is this checkout: the pull request's tree is
      // never checked out here, only its build's data (templates, manifest, zips) is downloaded.
      ...trustedCli(o, inPr),
      {
        name: 'Download the templates and code zips the build made',
        if: built,
        uses: ACTIONS.downloadArtifact.uses,
        with: { 'name': BUILD_ARTIFACT, 'path': BUILD_DIR, 'run-id': '${{ github.event.workflow_run.id }}', 'github-token': '${{ github.token }}' },
      },
      {
        name: 'Download the declaration problems of the failed build',
        if: `${HAS_PULL_REQUEST} && ${BUILD_FAILED}`,
        // A build that failed for another reason (a test) uploaded none.
        continueOnError: true,
        uses: ACTIONS.downloadArtifact.uses,
        with: { 'name': PROBLEMS_ARTIFACT, 'path': '${{ runner.temp }}/batchform-problems', 'run-id': '${{ github.event.workflow_run.id }}', 'github-token': '${{ github.token }}' },
      },
      assumeRole('preview', stage, roleArn, built),
      {
        id: 'preview',
        name: 'Preview the change sets',
        if: built,
        workingDirectory: BUILD_DIR,
        // Change sets and the report name the pull request's head, not the default branch this job runs on.
        env: { BATCHFORM_REVISION: '${{ github.event.workflow_run.head_sha }}' },
        // The CLI also appends its report to the job summary.
        run: `node "$${CLI_ENV}" preview --stage ${stage.name} --report "$RUNNER_TEMP/${previewReport(stage.name)}"`,
      },
      commentStep(stage),
    ],
  };
}
