/**
 * Kuma's placeholders. Kuma substitutes them into the Envoy config with static values per
 * listener; here they are resolved per entry from the context, which lets inbound traffic name
 * its real client (Kuma prints `unknown` and the proxy's own address there).
 */
import { formatAddress } from '../envoy/entry-fields.js';
import { commonOf, type OperatorDef, simple } from './als-entry.js';
import type { Evaluator, FormatContext } from './types.js';

const unknown = 'unknown';

/** `JoinHostPort(ip, "0")`, as Kuma prints `%KUMA_SOURCE_ADDRESS%`. */
function withZeroPort(ip: string): string {
  return ip.includes(':') ? `[${ip}]:0` : `${ip}:0`;
}

function stripPort(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.indexOf(':');
  // One colon: host:port. More: a bare IPv6 address.
  return colon >= 0 && address.indexOf(':', colon + 1) < 0 ? address.slice(0, colon) : address;
}

/**
 * On inbound traffic the source is the client: the context's peer when routing identified it,
 * else the entry's downstream address. On outbound traffic it is this proxy, printed as Kuma does.
 */
function sourceAddress(withPort: boolean): Evaluator {
  return (entry, context) => {
    if (context.direction === 'inbound') {
      const peer = context.peer?.address;
      if (peer) return withPort ? peer : stripPort(peer);
      const remote = formatAddress(commonOf(entry)?.downstreamRemoteAddress, withPort);
      if (remote) return remote;
    }
    const own = context.proxy.address ?? '';
    return withPort ? withZeroPort(own) : own;
  };
}

const sourceService = (context: FormatContext): string =>
  context.direction === 'outbound' ? (context.proxy.service ?? unknown) : (context.peer?.service ?? unknown);

const destinationService = (context: FormatContext): string =>
  context.direction === 'inbound' ? (context.proxy.service ?? unknown) : (context.peer?.service ?? unknown);

const directions = { inbound: 'INBOUND', outbound: 'OUTBOUND', unspecified: 'UNSPECIFIED' } as const;

export const kumaOperators: Record<string, OperatorDef> = {
  KUMA_MESH: simple((_e, context) => context.proxy.mesh ?? ''),
  KUMA_ZONE: simple((_e, context) => context.proxy.zone ?? ''),
  KUMA_WORKLOAD: simple((_e, context) => context.proxy.workload ?? ''),
  KUMA_SOURCE_SERVICE: simple((_e, context) => sourceService(context)),
  KUMA_DESTINATION_SERVICE: simple((_e, context) => destinationService(context)),
  KUMA_SOURCE_ADDRESS: simple(sourceAddress(true)),
  KUMA_SOURCE_ADDRESS_WITHOUT_PORT: simple(sourceAddress(false)),
  KUMA_TRAFFIC_DIRECTION: simple((_e, context) => directions[context.direction]),
};
