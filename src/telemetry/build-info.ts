/**
 * What this build of meshlog is: the version from `package.json` (never written by hand anywhere
 * else), for `meshlog version`, `meshlog --version`, `/api/v1/server` and `meshlog_build_info`.
 */
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  /** The Node.js version running this process (`v20.19.0`). */
  readonly node: string;
}

let cached: BuildInfo | undefined;

/** Read once: `package.json` is two folders up from this file both in `src/telemetry/` and in `dist/telemetry/`. */
export function buildInfo(): BuildInfo {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version !== 'string') throw new Error('package.json has no version.');
    cached = { version: pkg.version, node: process.version };
  }
  return cached;
}
