// The build job: every pull request and push, untrusted code, no AWS access; lints, builds, tests and uploads the artifact.
import { github } from 'projen';
import { ACTIONLINT_IMAGE, ACTIONS, CFN_LINT_VERSION } from './actions';
import { BUILD_ARTIFACT, PROBLEMS_ARTIFACT, PROBLEMS_FILE, PROBLEMS_FILE_ENV, RUNS_ON } from './workflow-names';
import { Resolved } from './workflow-options';
import { checkout, setupNode } from './workflow-steps';

type Job = github.workflows.Job;
const { JobPermission } = github.workflows;

const ANTI_TAMPER = [
  'git add --all',
  'if ! git diff --cached --quiet; then',
  '  git diff --cached --stat',
  '  echo "::error title=Generated files are out of date::The build changed files that are committed. Run npx projen, commit the result and push."',
  '  exit 1',
  'fi',
].join('\n');

/** The build job, linting `lintedFiles` (the workflows batchform writes). */
export function buildJob(o: Resolved, lintedFiles: readonly string[]): Job {
  return {
    name: 'Build, test and package',
    runsOn: RUNS_ON,
    // Pull-request code runs here: it gets a read-only token and no OIDC token, so nothing it does reaches AWS.
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 30,
    steps: [
      checkout(),
      // The files batchform writes, not every workflow of the project: projen's own (release,
      // upgrade) are projen's to fix, and a project may have others it does not lint.
      {
        name: 'Lint the batchform workflows (actionlint with shellcheck)',
        uses: ACTIONLINT_IMAGE.uses,
        with: { args: ['-color', ...lintedFiles].join(' ') },
      },
      setupNode(o, true),
      { name: 'Install dependencies', run: o.install },
      { name: 'Install cfn-lint', run: `pipx install cfn-lint==${CFN_LINT_VERSION}` },
      // The real cfn-lint through the lint:cfn wrapper; --engine makes a missing cfn-lint an error.
      { name: 'Lint templates (cfn-lint)', run: `${o.projen} lint:cfn --engine cfn-lint` },
      {
        id: 'build',
        name: 'Build: regenerate, compile, test, package',
        // A declaration problem is annotated on .projenrc.ts, listed in the job summary and written here for the preview's comment.
        env: { [PROBLEMS_FILE_ENV]: `\${{ runner.temp }}/${PROBLEMS_FILE}` },
        run: `${o.projen} build`,
      },
      { name: 'Fail if generated files differ from the commit', run: ANTI_TAMPER },
      {
        name: 'Upload the templates and code zips',
        uses: ACTIONS.uploadArtifact.uses,
        with: {
          'name': BUILD_ARTIFACT,
          'path': o.artifactPaths.join('\n'),
          'if-no-files-found': 'error',
          'retention-days': 7,
          'overwrite': true,
        },
      },
      {
        name: 'Upload the declaration problems (for the pull request\'s comment)',
        if: "failure() && steps.build.outcome == 'failure'",
        uses: ACTIONS.uploadArtifact.uses,
        with: {
          'name': PROBLEMS_ARTIFACT,
          'path': `\${{ runner.temp }}/${PROBLEMS_FILE}`,
          'if-no-files-found': 'ignore',
          'retention-days': 7,
          'overwrite': true,
        },
      },
    ],
  };
}
