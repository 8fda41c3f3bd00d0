// Runs a simulated deploy on a virtual clock: timers and Date jump ahead whenever nothing else can
// run, so minutes of AWS waiting take milliseconds, and Math.random is seeded so runs repeat.
import * as FakeTimers from '@sinonjs/fake-timers';

/** A small seeded PRNG (mulberry32), so the SDK waiters' and retries' jitter is the same in every run of the bench. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Timers fired in a row without the clock moving before a run counts as spinning in place. */
const MAX_TIMERS_AT_ONE_INSTANT = 1_000_000;

/**
 * Runs `task` with `setTimeout` and `Date` on a virtual clock that jumps to the next timer
 * whenever nothing else can run, and `Math.random` seeded, and returns the virtual milliseconds it
 * took. Only valid when all the task's waiting is timers (simulated latencies, the SDK waiters'
 * pauses, the SDK retries' backoff and rate limiter).
 *
 * A delay below 1 ms waits 1 ms, as in Node.js: fake-timers would fire it at the same instant, and
 * the SDK's adaptive rate limiter, which sleeps for the fraction of a token it lacks and then
 * refills by the time that passed, would then spin forever at one instant.
 */
export async function onVirtualClock(seed: number, task: () => Promise<void>): Promise<number> {
  const realSetImmediate = setImmediate;
  const realRandom = Math.random;
  Math.random = seededRandom(seed);
  const clock = FakeTimers.install({ now: Date.UTC(2026, 10, 25, 9, 0, 0), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const fakeSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
    fakeSetTimeout(fn, Math.max(1, Number(ms) || 0), ...rest)) as typeof setTimeout;
  try {
    const start = clock.now;
    let end: number | undefined;
    let failure: unknown;
    task().then(() => { end = clock.now; }, (e: unknown) => { failure = e; end = clock.now; });
    let idle = 0;
    let sameInstant = 0;
    while (end === undefined) {
      if (clock.countTimers() === 0) {
        // Nothing scheduled: let pending promise callbacks run; a task that never schedules again is stuck.
        await new Promise((r) => realSetImmediate(r));
        if (++idle > 10_000) throw new Error('bench: the simulated deploy stalled with no timer pending');
        continue;
      }
      idle = 0;
      const before = clock.now;
      await clock.nextAsync();
      sameInstant = clock.now === before ? sameInstant + 1 : 0;
      if (sameInstant > MAX_TIMERS_AT_ONE_INSTANT) throw new Error(`bench: the simulated deploy fired ${MAX_TIMERS_AT_ONE_INSTANT} timers without the clock moving (a zero-delay loop)`);
    }
    if (failure) throw failure;
    return end - start;
  } finally {
    clock.uninstall();
    Math.random = realRandom;
  }
}
