/**
 * Who is on the other side of an inbound request: from the peer certificate's URI SAN (Kuma
 * `spiffe://MESH/SERVICE`, Istio `spiffe://TRUST_DOMAIN/ns/NS/sa/ACCOUNT`) or, when both ends
 * send their logs to meshlog, from the proxy whose IP the request came from.
 */

export interface SpiffeIdentity {
  readonly uri: string;
  /** Kuma: the service. Istio: the service account (often named after the service). */
  readonly service?: string;
  readonly namespace?: string;
  readonly trustDomain: string;
}

export function parseSpiffe(uri: string | null | undefined): SpiffeIdentity | undefined {
  if (!uri?.startsWith('spiffe://')) return undefined;
  const [trustDomain = '', ...path] = uri.slice('spiffe://'.length).split('/');
  if (path.length === 1 && path[0]) return { uri, trustDomain, service: path[0] };
  const ns = path.indexOf('ns');
  const sa = path.indexOf('sa');
  return {
    uri,
    trustDomain,
    ...(ns >= 0 && path[ns + 1] ? { namespace: path[ns + 1] } : {}),
    ...(sa >= 0 && path[sa + 1] ? { service: path[sa + 1] } : {}),
  };
}
