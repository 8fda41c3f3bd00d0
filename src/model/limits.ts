// AWS's limits on what a batch declares, as the rules check them and the templates rely on them.

/** CloudWatch Logs' allowed retention values, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** EventBridge's limit on a target's constant input, in characters. */
export const MAX_INPUT_CHARS = 8192;
/** Lambda's limit on the total size of environment variables, in bytes. */
export const MAX_ENVIRONMENT_BYTES = 4096;
/** Lambda's limit on a function description, in characters. */
export const MAX_DESCRIPTION_CHARS = 256;
/** Lambda's limit on function names, which are `<stackPrefix>-<batch>`. */
export const MAX_FUNCTION_NAME = 64;
/** How many addresses a batch template can subscribe (one condition per slot). */
export const MAX_ALARM_EMAILS = 5;
