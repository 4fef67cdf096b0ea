/**
 * The `log_name` of meshlog's gRPC loggers: it reaches the agent in every ALS stream's
 * `Identifier`, and says which part of the proxy's policy the stream's entries are for.
 *
 * - `meshlog:inbound:ADDRESS:PORT`, `meshlog:outbound:SERVICE` (or `meshlog:outbound:ADDRESS:PORT`):
 *   entries a `MeshAccessLog` rule of that listener sends to the agent (`tcp`, `store`, and
 *   OTLP/HTTP backends); the agent resolves the same policies for the listener and applies the
 *   rule, its formats and backends. `meshlog:` followed by the listener's name in `ProxyLogConfig`.
 * - `meshlog:records`: entries `AccessLogRecord`s want, whatever the listener; they go to the store.
 */
import type { Direction } from '../model/entry.js';

export const recordsLogName = 'meshlog:records';
const prefix = 'meshlog:';

export type ParsedLogName =
  | { readonly kind: 'listener'; readonly direction: Direction /** The listener's name in `ProxyLogConfig`. */; readonly listener: string }
  | { readonly kind: 'records' };

/** `listener` is a `ListenerLogConfig` of the policy engine, or anything with its name and direction. */
export function listenerLogName(listener: { readonly name: string; readonly direction: Direction }): string {
  // Listener names already start with their direction; one that does not is given it.
  const name = listener.name.startsWith(`${listener.direction}:`) ? listener.name : `${listener.direction}:${listener.name}`;
  return `${prefix}${name}`;
}

/** What a log name says, or undefined when it is not one of meshlog's (Istio's, Kuma's, ...). */
export function parseLogName(logName: string): ParsedLogName | undefined {
  if (logName === recordsLogName) return { kind: 'records' };
  if (!logName.startsWith(prefix)) return undefined;
  const listener = logName.slice(prefix.length);
  const direction = listener.slice(0, listener.indexOf(':'));
  if ((direction !== 'inbound' && direction !== 'outbound') || listener.length === direction.length + 1) return undefined;
  return { kind: 'listener', direction, listener };
}
