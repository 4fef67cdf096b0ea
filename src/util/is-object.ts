/**
 * The one test for "a JSON object" that validators run on input not yet known to fit its schema:
 * not null and not an array, which `typeof` alone lets through.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
