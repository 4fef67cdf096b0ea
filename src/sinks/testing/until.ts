/**
 * Waiting in sink tests for what happens on a timer or a socket: poll a condition every few
 * milliseconds, and fail with a message rather than hang when it never holds.
 */

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
