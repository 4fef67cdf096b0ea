/**
 * The one-core throughput loop the in-process benchmarks share.
 */

/** Runs `work` repeatedly for about `seconds` (after a short warm-up) and returns calls per second. */
export function perSecond(seconds: number, work: () => void): number {
  const warmUntil = performance.now() + Math.min(200, seconds * 200);
  while (performance.now() < warmUntil) for (let i = 0; i < 100; i++) work();
  let calls = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) work();
    calls += 200;
    now = performance.now();
  }
  return Math.round(calls / ((now - start) / 1000));
}
