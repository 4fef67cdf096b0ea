/**
 * Which AccessLogRecords select a proxy of the inventory: a discovered proxy by its identity's
 * workload and labels (as the collector does), a declared `Dataplane` by a workload made from its
 * tags (`kuma.io/workload` or its service, `k8s.kuma.io/namespace`, `kuma.io/zone`).
 */

import { type AccessLogRecordLike, selectsWorkload } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { inboundsOf } from './selection.js';
import { serviceTag } from './target-ref.js';

function identityOf(proxy: InventoryProxy): ProxyIdentity {
  if (proxy.identity) return proxy.identity;
  const tags = inboundsOf(proxy)[0]?.tags ?? {};
  return {
    nodeId: proxy.id,
    nodeCluster: tags[serviceTag] ?? '',
    logName: '',
    flavor: 'kuma',
    proxyType: proxy.type === 'gateway' ? 'gateway' : 'dataplane',
    workload: {
      name: tags['kuma.io/workload'] ?? tags[serviceTag] ?? proxy.name,
      namespace: tags['k8s.kuma.io/namespace'] ?? '',
      clusterName: proxy.zone ?? '',
    },
    instance: proxy.name,
    ip: proxy.address,
    labels: tags,
    mesh: proxy.mesh,
    apiVersion: 'v3',
  };
}

export function recordsForProxy(records: readonly AccessLogRecordLike[], proxy: InventoryProxy): AccessLogRecordLike[] {
  const identity = identityOf(proxy);
  return records.filter((r) => selectsWorkload(r, identity));
}
