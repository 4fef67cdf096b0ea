/**
 * How a sink's `write` tells the delivery queue that retrying is pointless. Any other error is
 * taken as transient and the batch is retried with backoff.
 */

/** The peer refused the batch for good (OTLP `INVALID_ARGUMENT`, HTTP 400): drop and count it. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

export function isPermanentDeliveryError(error: unknown): error is PermanentDeliveryError {
  return error instanceof PermanentDeliveryError;
}

/** A short description of any thrown value, for `stats().lastError` and log fields. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
