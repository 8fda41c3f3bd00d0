// handlers/monthly-recompute.ts
import { durableBatch } from 'batchform/runtime/durable';

export const handler = durableBatch(async (run) => {
  const chunks = await run.step('plan', async () => planChunks(run.time));
  for (const [i, chunk] of chunks.entries()) {
    await run.step(`chunk-${i + 1}`, () => recompute(chunk)); // checkpointed: never redone once done
  }
  await run.wait({ minutes: 30 });                            // no compute billed while waiting
  const done = await run.map(tenants, (t, _i, item) => item.step(`tenant-${t}`, () => reindex(t)), { concurrency: 4 });
  return { tenants: done.successCount };
});
export {};
declare function reindex(tenant: string): Promise<void>;
declare const tenants: string[];
declare function recompute(chunk: string): Promise<number>;
declare function planChunks(time: Date): Promise<string[]>;
