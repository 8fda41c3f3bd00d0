// handlers/expire-sessions.ts
import { batch } from 'batchform/runtime';

export const handler = batch(async (run) => {
  run.logger.info('expiring', { before: run.time.toISOString() });
  return { expired: 0 };
});
export {};

