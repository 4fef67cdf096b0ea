/**
 * The policy engine: pure functions from resources and one proxy to what that proxy logs, per
 * inbound and outbound, merged by Kuma's rules with every backend reference resolved. `inspect`,
 * `render` and the pipeline all read its result.
 */
export { describeProxyConfig } from './describe-config.js';
export { discoveredProxy, discoveredTags, findProxies, findProxy, mergeInventory, proxyNotFound, serviceOf } from './inventory.js';
export { buildPolicyContext, type PolicyContext } from './policy-context.js';
export { recordsForProxy } from './records.js';
export { resolveInbound, resolveOutbound, resolveProxy, resolveProxyForInspection, type OutboundDestination } from './resolve.js';
export { inboundsOf, proxyLabels, selectsDestination, selectsInbound, selectsProxy, type Destination, type Inventory } from './selection.js';
export type * from './types.js';
