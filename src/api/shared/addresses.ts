/**
 * Where a backend sends entries: a file path, a TCP `host:port`, an OTLP endpoint. Stricter than
 * Kuma's `govalidator.IsURL` (which takes `http://logs.com` as a TCP address): meshlog dials these
 * itself, so an address without a port could only fail later, on live traffic.
 */
import { isIP } from 'node:net';

const hostname = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** `govalidator.IsFilePath`'s Unix form: absolute, no NUL. */
const unixPath = /^(\/[^/\0]*)+\/?$/;

export function isFilePath(path: string): boolean {
  return unixPath.test(path);
}

/** `host:port`, `ip:port` or `[ipv6]:port`, with a port from 1 to 65535. */
export function isHostPort(address: string): boolean {
  const m = /^(\[([^\]]+)\]|[^:[\]]+):(\d{1,5})$/.exec(address);
  if (!m) return false;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return false;
  if (m[2] !== undefined) return isIP(m[2]) === 6;
  const host = m[1]!;
  return isIP(host) === 4 || hostname.test(host);
}

/** An OTLP/HTTP endpoint: an `http://` or `https://` URL with a host. */
export function isHttpUrl(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
