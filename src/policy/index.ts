/**
 * The policy engine: pure functions from resources and one proxy to what that proxy logs, per
 * inbound and outbound, merged by Kuma's rules with every backend reference resolved. `inspect`,
 * `render` and the pipeline all read its result.
 */
export { describeProxyConfig, describeRecords } from './describe-config.js';
export { discoveredProxy, discoveredTags, findProxies, findProxy, mergeInventory, proxyNotFound, serviceOf } from './inventory.js';
export { buildPolicyContext, type PolicyContext } from './policy-context.js';
export { recordsForProxy } from './records.js';
export { type OutboundDestination, resolveInbound, resolveOutbound, resolveProxy, resolveProxyForInspection } from './resolve.js';
export { type Destination, type Inventory, inboundsOf, proxyLabels, selectsDestination, selectsInbound, selectsProxy } from './selection.js';
export type * from './types.js';
