// The GitHub Actions the generated workflows use, pinned to commit SHAs (and the actionlint image to its digest) in one place.

/** An action pinned to a full commit SHA, with the release the SHA was read from. */
export interface PinnedAction {
  /** `owner/repo@<40-hex commit SHA>`, what the workflow's `uses:` says. */
  readonly uses: string;
  /** The release tag the SHA is, written beside it in the workflow so a reader (and Dependabot) sees it. */
  readonly version: string;
}

function pin(name: string, sha: string, version: string): PinnedAction {
  return { uses: `${name}@${sha}`, version };
}

/**
 * Action references by purpose. A tag can be moved by whoever controls the action's repository; a
 * commit SHA cannot, so every `uses:` names one (as projen's own release workflow does). Each SHA
 * was read from the action's repository at the tag in `version`; Dependabot's `github-actions`
 * ecosystem updates such pins together with their version comments.
 */
export const ACTIONS = {
  checkout: pin('actions/checkout', '3d3c42e5aac5ba805825da76410c181273ba90b1', 'v7.0.1'),
  setupNode: pin('actions/setup-node', '820762786026740c76f36085b0efc47a31fe5020', 'v7.0.0'),
  uploadArtifact: pin('actions/upload-artifact', 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', 'v7.0.0'),
  // download-artifact v8 reads upload-artifact v7's artifacts (same generation), and takes run-id
  // and github-token to read another run's, which the preview workflow needs.
  downloadArtifact: pin('actions/download-artifact', '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', 'v8.0.1'),
  configureAwsCredentials: pin('aws-actions/configure-aws-credentials', 'e6de054238d6b7531b4efff3b6587d9aade6a06c', 'v6.2.3'),
  githubScript: pin('actions/github-script', 'ed597411d8f924073f98dfc5c65a23a2325f34cd', 'v8.0.0'),
} as const;

/** actionlint's version, and its official image by digest (the image bundles shellcheck, so `run:` scripts are checked too). */
export const ACTIONLINT_VERSION = '1.7.12';
/** `docker://` reference of the actionlint image: the digest Docker Hub serves for {@link ACTIONLINT_VERSION}. */
export const ACTIONLINT_IMAGE: PinnedAction = {
  uses: 'docker://rhysd/actionlint@sha256:b1934ee5f1c509618f2508e6eb47ee0d3520686341fec936f3b79331f9315667',
  version: ACTIONLINT_VERSION,
};

/** cfn-lint as installed on the runner; the same version `lint:cfn` is developed against. */
export const CFN_LINT_VERSION = '1.51.0';
