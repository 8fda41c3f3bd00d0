// The IAM policy of the deploy role: change sets of the stage's stacks, run as the execution role.
import { Fn } from 'aws-cdk-lib';
import {
  artifactObjects, CHANGE_SET_READS, createChangeSetsAsExecutionRole, listArtifacts, listStacks, parameterTypeChecks,
  passExecutionRole, PolicyScope, readLambdaAccountSettings, stackArns, Statement,
} from './policy-parts';
import { BOOTSTRAP_PARAMETERS, STAGE_TAG } from '../model/bootstrap-names';

/**
 * The deploy role (pushes to `main`): manage and execute change sets of this stage's stacks,
 * always with the execution role; write code zips under the artifact prefix; pass only the
 * execution role. It cannot create any batch resource itself: CloudFormation does, as the
 * execution role.
 */
export function deployStatements(scope: PolicyScope): Statement[] {
  return [
    createChangeSetsAsExecutionRole(scope),
    {
      Sid: 'ManageChangeSets',
      Effect: 'Allow',
      Action: [...CHANGE_SET_READS, 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet'],
      Resource: stackArns(),
    },
    {
      // A stack whose first create failed (ROLLBACK_COMPLETE) holds no resources and must be
      // deleted before it can be created again; so must the empty REVIEW_IN_PROGRESS stack a
      // CREATE change set leaves when it turns out to have nothing to do; and an allowed deploy
      // deletes the stacks of batches no longer declared. Only stacks tagged with this stage (every
      // batch stack is), so a stage whose stack prefix starts another's (prod, prod-eu) never
      // deletes the other's stacks.
      Sid: 'DeleteStageStacks',
      Effect: 'Allow',
      Action: 'cloudformation:DeleteStack',
      Resource: stackArns(),
      Condition: { StringEquals: { [`aws:ResourceTag/${STAGE_TAG}`]: Fn.ref(BOOTSTRAP_PARAMETERS.stageName) } },
    },
    listStacks(),
    readLambdaAccountSettings(),
    parameterTypeChecks(),
    {
      Sid: 'WriteArtifacts',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: artifactObjects(scope.bucketArn),
    },
    listArtifacts(scope),
    passExecutionRole(scope),
  ];
}
