/**
 * Human durations (`250ms`, `15m`, `1h30m`, `7d`) and time points (relative durations, Unix seconds or RFC 3339),
 * as the CLI flags and the `/api/v1` query parameters accept them.
 */

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/**
 * A point in time in milliseconds since the epoch: a duration means that long before `now`
 * (`15m`), a bare number is Unix seconds (`1764547200`, `1764547200.25`), otherwise an RFC 3339
 * timestamp (`2026-11-22T10:00:00Z`). A date or time without a zone is UTC, never the local zone
 * of whichever machine parses it. Undefined when it is none of these.
 */
export function parseTimePoint(text: string, now: number = Date.now()): number | undefined {
  const trimmed = text.trim();
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return now - ago;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.floor(Number(trimmed) * 1000);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/i.exec(trimmed);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Byte sizes (`500MiB`, `2GB`, `1048576`) for retention flags. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$/i.exec(text.trim());
  if (!m) return undefined;
  const factors: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
    tb: 1e12,
    tib: 1024 ** 4,
  };
  return Math.floor(Number(m[1]) * factors[(m[2] ?? 'b').toLowerCase()]!);
}
