/**
 * Exponential backoff with jitter, shared by every sink's retries (and so by the tcp sink's
 * reconnects): many sinks failing against one peer at once should not retry in lockstep.
 */

export interface RetryPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** The delay never grows beyond this. */
  readonly maxMs: number;
  /** Growth per consecutive failure. */
  readonly multiplier: number;
  /** Up to this fraction of each delay is taken off at random (0: none, 1: "full jitter"). */
  readonly jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { initialMs: 100, maxMs: 5_000, multiplier: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (1 for the first retry). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped * (1 - policy.jitter * random()));
}
