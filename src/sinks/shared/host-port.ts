/**
 * `host:port` addresses as backends give them (`logging.backend:5000`, `[::1]:4317`), parsed
 * without I/O so that a bad address is a validation error, not a connect failure at run time.
 */

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The address, or a lower-case phrase saying what is wrong with it. */
export function parseHostPort(address: string): HostPort | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(address);
  if (!m) return `must be 'host:port', got ${JSON.stringify(address)}`;
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) return `port must be between 1 and 65535, got ${m[3]}`;
  return { host: m[1] ?? m[2]!, port };
}
