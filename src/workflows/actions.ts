// The GitHub Actions the generated workflows use, pinned to their current major versions in one place.

/**
 * Action references by purpose. Majors current as of November 2026; a project can pin them to
 * commit SHAs with projen's `project.github.actions.set('actions/checkout', 'actions/checkout@<sha>')`.
 */
export const ACTIONS = {
  checkout: 'actions/checkout@v7',
  setupNode: 'actions/setup-node@v7',
  // upload-artifact v7 and download-artifact v8 are the same artifact generation.
  uploadArtifact: 'actions/upload-artifact@v7',
  downloadArtifact: 'actions/download-artifact@v8',
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@v6',
  githubScript: 'actions/github-script@v9',
} as const;

/** actionlint's official image (it bundles shellcheck, so `run:` scripts are checked too). */
export const ACTIONLINT_VERSION = '1.7.12';

/** cfn-lint as installed on the runner; the same version `lint:cfn` is developed against. */
export const CFN_LINT_VERSION = '1.51.0';
