// The IAM actions a durable function calls on its own executions: granted by its template, and
// left to it by the batch permissions boundary.

/**
 * What a durable batch's function role does on its own function's executions: saving and reading
 * their checkpoints (Lambda's durable functions security guide). The boundary cannot name a role's own function, so it keeps these on the
 * stage's batches; each role's policy grants them on its own function only.
 */
export const DURABLE_EXECUTION_ACTIONS = ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'];
