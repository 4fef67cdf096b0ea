/**
 * Where a sink sends entries, checked without I/O so that a bad address is a validation error,
 * not a connect failure on live traffic: a file path, a `host:port`, an `http(s)://` URL. Stricter
 * than Kuma's `govalidator.IsURL` (which takes `http://logs.com` as a TCP address): meshlog dials
 * these itself, so an address without a port could only fail later. The validators and the
 * sinks' `create()` read an address through the same function, so what validates is what dials.
 */
import { isIP } from 'node:net';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const hostname = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** `govalidator.IsFilePath`'s Unix form: absolute, no NUL. */
const unixPath = /^(\/[^/\0]*)+\/?$/;

export function isFilePath(path: string): boolean {
  return unixPath.test(path);
}

/** `host:port`, `ip:port` or `[ipv6]:port` with a port from 1 to 65535; undefined for anything else. */
export function parseHostPort(address: string): HostPort | undefined {
  const m = /^(\[([^\]]+)\]|[^:[\]]+):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  if (m[2] !== undefined) return isIP(m[2]) === 6 ? { host: m[2], port } : undefined;
  const host = m[1]!;
  return isIP(host) === 4 || hostname.test(host) ? { host, port } : undefined;
}

export function isHostPort(address: string): boolean {
  return parseHostPort(address) !== undefined;
}

/** An `http://` or `https://` URL with a host; undefined for anything else. */
export function parseHttpUrl(endpoint: string): URL | undefined {
  try {
    const url = new URL(endpoint);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function isHttpUrl(endpoint: string): boolean {
  return parseHttpUrl(endpoint) !== undefined;
}
