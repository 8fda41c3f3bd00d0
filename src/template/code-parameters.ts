// A function's code as parameters: the artifact bucket, the zip's key and the S3 version the deploy
// checked, pinned when known. Batch stacks and the stage stack's watchdog declare them alike.
import { Aws, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NO_CODE_VERSION } from './parameters';

/** Names and wording of one function's code parameters. */
export interface CodeParameterNames {
  readonly bucket: string;
  readonly key: string;
  readonly version: string;
  /** The condition's logical id: the version is pinned. */
  readonly pinsVersion: string;
  /** What the zip is, in descriptions: `the code zip`, `the watchdog's code zip`. */
  readonly zip: string;
  /** What its key looks like: `<prefix>/<batch>/<sha256>.zip`. */
  readonly keyShape: string;
}

/**
 * Declares the code parameters and returns the function's `code` and the key parameter. The
 * deploy engine passes the S3 version whose SHA-256 it checked (or that it wrote), so an object
 * rewritten under the key afterwards is never the code CloudFormation reads.
 */
export function codeParameters(stack: Stack, names: CodeParameterNames): { readonly code: CfnFunction.CodeProperty; readonly key: CfnParameter } {
  const bucket = new CfnParameter(stack, names.bucket, { type: 'String', description: `Artifact bucket holding ${names.zip}` });
  const key = new CfnParameter(stack, names.key, { type: 'String', description: `Key of ${names.zip}: ${names.keyShape}` });
  const version = new CfnParameter(stack, names.version, {
    type: 'String', default: NO_CODE_VERSION, description: `S3 version of ${names.zip} the deploy checked ("${NO_CODE_VERSION}": the key's current object)`,
  });
  const pins = new CfnCondition(stack, names.pinsVersion, {
    expression: Fn.conditionNot(Fn.conditionEquals(version.valueAsString, NO_CODE_VERSION)),
  });
  return {
    key,
    code: {
      s3Bucket: bucket.valueAsString,
      s3Key: key.valueAsString,
      s3ObjectVersion: Fn.conditionIf(pins.logicalId, version.valueAsString, Aws.NO_VALUE).toString(),
    },
  };
}
