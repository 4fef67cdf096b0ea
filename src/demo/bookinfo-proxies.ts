/**
 * The proxies of the simulated mesh: bookinfo's sidecars in mgmt-cluster and remote-cluster, the
 * ingress gateway, and their Istio node identities (id, cluster, metadata) as Envoy sends them.
 */

export const clusters = ['mgmt-cluster', 'remote-cluster'] as const;

export interface DemoProxy {
  readonly id: string;
  readonly nodeCluster: string;
  readonly app: string;
  readonly version: string;
  readonly workload: string;
  readonly namespace: string;
  readonly clusterName: string;
  readonly pod: string;
  readonly ip: string;
  readonly gateway: boolean;
}

const workloads = [
  { app: 'productpage', version: 'v1', hash: '5d9d8ccd7b', pod: 'wt7kx' },
  { app: 'details', version: 'v1', hash: '79f774bdb9', pod: 'zm8vd' },
  { app: 'reviews', version: 'v1', hash: '8bdf6c7cb', pod: 'qk2lp' },
  { app: 'reviews', version: 'v2', hash: '6d9ccf5dcd', pod: 'x4rnb' },
  { app: 'reviews', version: 'v3', hash: '5f7b9f4f6b', pod: 'h9c2t' },
  { app: 'ratings', version: 'v1', hash: '744894fbdb', pod: 'ctvpd' },
  { app: 'mysqldb', version: 'v1', hash: '6b74f7b4f9', pod: 'm2p8s' },
];

/** Every proxy, keyed `cluster/workload` (the gateway is `mgmt-cluster/istio-ingressgateway`). */
export function bookinfoProxies(): Map<string, DemoProxy> {
  const out = new Map<string, DemoProxy>();
  clusters.forEach((clusterName, c) => {
    workloads.forEach((w, i) => {
      const workload = `${w.app}-${w.version}`;
      const pod = `${workload}-${w.hash}-${w.pod}`;
      const ip = `10.${28 + c}.${i}.${20 + i}`;
      out.set(`${clusterName}/${workload}`, {
        id: `sidecar~${ip}~${pod}.bookinfo~bookinfo.svc.cluster.local`,
        nodeCluster: `${w.app}.bookinfo`,
        app: w.app,
        version: w.version,
        workload,
        namespace: 'bookinfo',
        clusterName,
        pod,
        ip,
        gateway: false,
      });
    });
  });
  const pod = 'istio-ingressgateway-6b9c8bfd7c-4jxq2';
  out.set('mgmt-cluster/istio-ingressgateway', {
    id: `router~10.28.9.2~${pod}.istio-system~istio-system.svc.cluster.local`,
    nodeCluster: 'istio-ingressgateway.istio-system',
    app: 'istio-ingressgateway',
    version: '',
    workload: 'istio-ingressgateway',
    namespace: 'istio-system',
    clusterName: 'mgmt-cluster',
    pod,
    ip: '10.28.9.2',
    gateway: true,
  });
  return out;
}

const str = (v: string) => ({ stringValue: v });
const struct = (fields: Record<string, unknown>) => ({ structValue: { fields } });

/**
 * The ALS identifier of a proxy. mgmt-cluster proxies carry GLOO_MESH_CLUSTER_NAME under
 * PROXY_CONFIG.proxyMetadata and remote-cluster ones at the top level, so both conventions occur.
 */
export function identifierOf(proxy: DemoProxy, kind: 'http' | 'tcp'): Record<string, unknown> {
  const labels: Record<string, unknown> = { app: str(proxy.app), 'pod-template-hash': str(proxy.pod.split('-').at(-2) ?? '') };
  if (proxy.version) {
    labels['version'] = str(proxy.version);
    labels['service.istio.io/canonical-name'] = str(proxy.app);
    labels['service.istio.io/canonical-revision'] = str(proxy.version);
    labels['security.istio.io/tlsMode'] = str('istio');
  }
  const fields: Record<string, unknown> = {
    NAME: str(proxy.pod),
    NAMESPACE: str(proxy.namespace),
    LABELS: struct(labels),
    WORKLOAD_NAME: str(proxy.workload),
    OWNER: str(`kubernetes://apis/apps/v1/namespaces/${proxy.namespace}/deployments/${proxy.workload}`),
    CLUSTER_ID: str('Kubernetes'),
    INSTANCE_IPS: str(proxy.ip),
    ISTIO_VERSION: str('1.24.2'),
    MESH_ID: str('cluster.local'),
    PROXY_CONFIG: struct({ proxyMetadata: struct(proxy.clusterName === 'mgmt-cluster' ? { GLOO_MESH_CLUSTER_NAME: str(proxy.clusterName) } : {}) }),
  };
  if (proxy.clusterName !== 'mgmt-cluster') fields['GLOO_MESH_CLUSTER_NAME'] = str(proxy.clusterName);
  return {
    node: { id: proxy.id, cluster: proxy.nodeCluster, metadata: { fields } },
    logName: kind === 'http' ? 'http_envoy_accesslog' : 'tcp_envoy_accesslog',
  };
}
