// Runs independent tasks with at most N in flight (p-limit is ESM-only, and this build is CommonJS).

/** Throws unless `limit` is a usable concurrency (a positive whole number). */
export function checkConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive whole number, got ${limit}`);
}

/**
 * Maps `items` through `task` with at most `limit` tasks running at once, keeping input order in
 * the result. A rejected task rejects the whole call once every started task has settled, so
 * callers that want one failure not to stop the others catch inside `task`.
 *
 * @param limit a positive whole number.
 * @example
 * await mapWithConcurrency([1, 2, 3], 2, async (n) => n * 2); // [2, 4, 6]
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  checkConcurrency(limit);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
