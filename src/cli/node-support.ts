// Which Node.js versions the CLI runs on, and the one notice it prints on a version that is
// supported today but not for long. The Lambda functions themselves run on the runtime the batch
// declares (nodejs24.x by default) and the generated workflow on Node 24, whatever runs the CLI.

/** The Node.js support policy; `engines.node` in package.json and the README state the same. */
export const NODE_SUPPORT = {
  /** Oldest major the CLI and the library run on (tested in this repository's CI). */
  minimum: 20,
  /** Majors in AWS's and Node's support windows: recommended, and required by the durable execution SDK. */
  recommended: 22,
  /** Majors past end of life that still work, with why they will stop. */
  deprecated: {
    20: 'Node.js 20 reached end of life in April 2026, and AWS SDK releases after early January 2027 require Node.js 22',
  } as Record<number, string>,
} as const;

/** `engines.node` of package.json, derived from the policy. */
export const ENGINES_NODE = `>= ${NODE_SUPPORT.minimum}.0.0`;

/**
 * What the CLI says about the Node.js it runs on: an error below the minimum, a one-line notice on
 * a deprecated major (in place of the AWS SDK's 8-line warning, printed for each SDK package), nothing
 * otherwise.
 */
export function nodeSupport(version: string): { readonly error?: string; readonly notice?: string } {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) return {};
  if (major < NODE_SUPPORT.minimum) {
    return { error: `batchform needs Node.js ${NODE_SUPPORT.minimum} or later; this is ${version}. Install Node.js ${NODE_SUPPORT.recommended} or 24.` };
  }
  const why = NODE_SUPPORT.deprecated[major];
  if (why !== undefined) {
    return { notice: `batchform: running on Node.js ${version}. ${why}: upgrade to Node.js ${NODE_SUPPORT.recommended} or 24.` };
  }
  return {};
}

/**
 * Applies the policy to this process before any AWS SDK client loads: exits 2 below the minimum,
 * prints the notice once on a deprecated major, and turns off the SDK's own copy of that notice
 * (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`, unless the user set it).
 */
export function applyNodeSupport(proc: Pick<NodeJS.Process, 'version' | 'env' | 'exit'> & { stderr: { write(s: string): unknown } } = process): void {
  const { error, notice } = nodeSupport(proc.version);
  if (error) {
    proc.stderr.write(`${error}\n`);
    proc.exit(2);
    return;
  }
  proc.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (notice) proc.stderr.write(`${notice}\n`);
}
