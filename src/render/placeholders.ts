/**
 * Kuma's placeholders (`%KUMA_MESH%`, ...). Envoy does not know them, so, as Kuma's control plane
 * does (`InterpolateKumaValues`), they are replaced with static values per listener when the
 * config is rendered, with a plain replace-all; every other `%OPERATOR%` is left for Envoy.
 */

import type { InventoryProxy } from '../api/dataplane/model.js';
import type { ListenerLogConfig } from '../policy/types.js';

export type PlaceholderValues = Readonly<Record<string, string>>;

const unknown = 'unknown';

/** `JoinHostPort(ip, "0")`. */
function withZeroPort(ip: string): string {
  return ip.includes(':') ? `[${ip}]:0` : `${ip}:0`;
}

/** Kuma 2.x's identifying name of the proxy: its (first) `kuma.io/service`, else `unknown`. */
export function proxyService(proxy: InventoryProxy): string {
  return proxy.gatewayTags?.['kuma.io/service'] ?? proxy.inbounds.map((i) => i.tags['kuma.io/service']).find((s) => s !== undefined) ?? unknown;
}

/** Kuma's workload KRI when the proxy carries a `kuma.io/workload` tag, else empty as in Kuma. */
function workloadKri(proxy: InventoryProxy): string {
  const tags = proxy.inbounds[0]?.tags ?? proxy.gatewayTags ?? {};
  const workload = tags['kuma.io/workload'];
  if (!workload) return '';
  return `kri_wl_${proxy.mesh}_${proxy.zone ?? ''}_${tags['k8s.kuma.io/namespace'] ?? ''}_${workload}_`;
}

/**
 * Kuma's static values. On inbound the source is not known when the config is generated: Kuma
 * prints `unknown` and the proxy's own address there, and so does this.
 */
export function placeholderValues(proxy: InventoryProxy, listener: ListenerLogConfig): PlaceholderValues {
  return {
    KUMA_MESH: proxy.mesh,
    KUMA_ZONE: proxy.zone ?? '',
    KUMA_WORKLOAD: workloadKri(proxy),
    KUMA_SOURCE_SERVICE: listener.direction === 'outbound' ? proxyService(proxy) : unknown,
    KUMA_DESTINATION_SERVICE: listener.service || unknown,
    KUMA_SOURCE_ADDRESS: withZeroPort(proxy.address),
    KUMA_SOURCE_ADDRESS_WITHOUT_PORT: proxy.address,
    KUMA_TRAFFIC_DIRECTION: listener.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
  };
}

/** Replaces each `%KUMA_X%`; a `%` inside a value is doubled so that Envoy prints it literally. */
export function interpolate(text: string, values: PlaceholderValues): string {
  if (!text.includes('%KUMA_')) return text;
  let out = text;
  for (const [name, value] of Object.entries(values)) out = out.replaceAll(`%${name}%`, value.replaceAll('%', '%%'));
  return out;
}
