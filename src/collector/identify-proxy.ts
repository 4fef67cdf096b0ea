/**
 * Who is this proxy? Reads the `Identifier.node` of an ALS stream's first message and names the
 * proxy and its workload, for Istio sidecars and gateways, Kuma dataplanes and plain Envoy.
 * The README ("How proxies are identified") states these rules for users; keep the two in step.
 *
 * Total by design: any node, however incomplete, gives an identity with whatever is known.
 */
import type { ProxyFlavor, ProxyIdentity } from '../model/proxy-identity.js';
import { type PlainValue, plainObject, plainString, plainStringMap, structToPlain } from './struct-value.js';

interface DecodedNode {
  id?: string;
  cluster?: string;
  metadata?: unknown;
  locality?: { region?: string; zone?: string; subZone?: string };
}

export interface DecodedIdentifier {
  node?: DecodedNode | null;
  logName?: string;
}

/** Labels that differ per ReplicaSet or revision, not per workload. */
const perRolloutLabels = ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation'];

export function identifyProxy(identifier: DecodedIdentifier, apiVersion: 'v2' | 'v3'): ProxyIdentity {
  const node = identifier.node ?? {};
  const metadata = structToPlain(node.metadata);
  const base = { nodeId: node.id ?? '', nodeCluster: node.cluster ?? '', logName: identifier.logName ?? '', apiVersion };
  const flavor = detectFlavor(base.nodeId, metadata);
  if (flavor === 'istio') return { ...base, ...identifyIstio(base.nodeId, base.nodeCluster, metadata) };
  if (flavor === 'kuma') return { ...base, ...identifyKuma(node, metadata) };
  return { ...base, ...identifyPlainEnvoy(node, metadata) };
}

type Identified = Omit<ProxyIdentity, 'nodeId' | 'nodeCluster' | 'logName' | 'apiVersion'>;

function detectFlavor(id: string, metadata: Record<string, PlainValue>): ProxyFlavor {
  if (/^(sidecar|router|waypoint)~/.test(id) || metadata['ISTIO_VERSION'] !== undefined) return 'istio';
  const version = plainObject(metadata['version']);
  if (
    metadata['dataplane.resource'] !== undefined ||
    metadata['dataplane.admin.port'] !== undefined ||
    metadata['dataplane.proxyType'] !== undefined ||
    (version !== undefined && version['kumaDp'] !== undefined)
  ) {
    return 'kuma';
  }
  return 'envoy';
}

/** `sidecar~10.28.0.20~ratings-v1-744894fbdb-ctvpd.bookinfo~bookinfo.svc.cluster.local` plus metadata. */
function identifyIstio(id: string, nodeCluster: string, md: Record<string, PlainValue>): Identified {
  const [type = 'sidecar', ipFromId = '', podDotNs = '', domain = ''] = id.split('~');
  const dot = podDotNs.indexOf('.');
  const podFromId = dot >= 0 ? podDotNs.slice(0, dot) : podDotNs;
  const nsFromId = dot >= 0 ? podDotNs.slice(dot + 1) : (domain.split('.')[0] ?? '');
  const pod = plainString(md['NAME']) ?? podFromId;
  const namespace = plainString(md['NAMESPACE']) ?? nsFromId;
  const proxyMetadata = plainObject(plainObject(md['PROXY_CONFIG'])?.['proxyMetadata']);
  const clusterName =
    plainString(md['GLOO_MESH_CLUSTER_NAME']) ?? plainString(proxyMetadata?.['GLOO_MESH_CLUSTER_NAME']) ?? plainString(md['CLUSTER_ID']) ?? '';
  const name =
    workloadFromOwner(plainString(md['OWNER'])) ?? plainString(md['WORKLOAD_NAME']) ?? workloadFromPodName(pod) ?? (nodeCluster.split('.')[0] || pod || id);
  const instanceIps = plainString(md['INSTANCE_IPS']);
  return {
    flavor: 'istio',
    proxyType: type === 'router' ? 'router' : type,
    workload: { name, namespace, clusterName },
    instance: pod,
    ip: ipFromId || (instanceIps?.split(',')[0] ?? ''),
    labels: withoutRolloutLabels(plainStringMap(md['LABELS'])),
    mesh: plainString(md['MESH_ID']) ?? '',
  };
}

interface KumaDataplane {
  networking?: {
    address?: string;
    inbound?: Array<{ tags?: Record<string, unknown> }>;
    gateway?: { tags?: Record<string, unknown>; type?: string };
  };
}

/** Kuma: `id` is `MESH.DATAPLANE`; tags come from the `dataplane.resource` JSON kuma-dp puts in the metadata. */
function identifyKuma(node: DecodedNode, md: Record<string, PlainValue>): Identified {
  const id = node.id ?? '';
  const dot = id.indexOf('.');
  const mesh = dot >= 0 ? id.slice(0, dot) : '';
  const dataplaneName = dot >= 0 ? id.slice(dot + 1) : id;
  const dataplane = parseDataplane(md['dataplane.resource']);
  const tags: Record<string, string> = {};
  const gateway = dataplane?.networking?.gateway;
  for (const source of [...(dataplane?.networking?.inbound ?? []).map((i) => i.tags), gateway?.tags]) {
    for (const [k, v] of Object.entries(source ?? {})) if (typeof v === 'string' && !(k in tags)) tags[k] = v;
  }
  const namespace = tags['k8s.kuma.io/namespace'] ?? '';
  // On Kubernetes the dataplane is named `<pod>.<namespace>`.
  const pod = namespace && dataplaneName.endsWith(`.${namespace}`) ? dataplaneName.slice(0, -namespace.length - 1) : '';
  const service = tags['kuma.io/service'] ?? node.cluster ?? '';
  const name = tags['kuma.io/workload'] ?? tags['app'] ?? (pod ? workloadFromPodName(pod) : undefined) ?? (service || dataplaneName);
  return {
    flavor: 'kuma',
    proxyType: plainString(md['dataplane.proxyType']) ?? (gateway ? 'gateway' : 'dataplane'),
    workload: { name, namespace, clusterName: tags['kuma.io/zone'] ?? node.locality?.zone ?? '' },
    instance: pod || dataplaneName,
    ip: dataplane?.networking?.address ?? '',
    labels: tags,
    mesh,
  };
}

function parseDataplane(value: PlainValue | undefined): KumaDataplane | undefined {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? (parsed as KumaDataplane) : undefined;
    } catch {
      return undefined;
    }
  }
  return (plainObject(value) as KumaDataplane | undefined) ?? undefined;
}

/** Plain Envoy: `cluster` names the service; Istio-style metadata keys are honoured when present. */
function identifyPlainEnvoy(node: DecodedNode, md: Record<string, PlainValue>): Identified {
  const id = node.id ?? '';
  const labels = plainStringMap(md['LABELS'] ?? md['labels']);
  return {
    flavor: 'envoy',
    proxyType: 'proxy',
    workload: {
      name: node.cluster || id || 'unknown',
      namespace: plainString(md['NAMESPACE']) ?? '',
      clusterName: plainString(md['CLUSTER_ID']) ?? '',
    },
    instance: id,
    ip: '',
    labels,
    mesh: '',
  };
}

/** `kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/ratings-v1` → `ratings-v1` (not for bare pods). */
export function workloadFromOwner(owner: string | undefined): string | undefined {
  if (!owner) return undefined;
  const m = /\/namespaces\/[^/]+\/([^/]+)\/([^/]+)$/.exec(owner);
  if (!m || m[1] === 'pods') return undefined;
  return m[2];
}

// Kubernetes generates name suffixes from this alphabet (no vowels, no 0, 1, 3).
const suffix = '[bcdfghjklmnpqrstvwxz2456789]';
const deploymentPod = new RegExp(`^(.+)-${suffix}{6,10}-${suffix}{5}$`);
const generatedPod = new RegExp(`^(.+)-${suffix}{5}$`);
const statefulSetPod = /^(.+)-\d+$/;

/**
 * The controller name a pod name implies: `ratings-v1-744894fbdb-ctvpd` (Deployment),
 * `fluentd-x7k2p` (DaemonSet, Job), `web-0` (StatefulSet). Undefined when the name has no such suffix.
 */
export function workloadFromPodName(pod: string): string | undefined {
  const m = deploymentPod.exec(pod) ?? generatedPod.exec(pod) ?? statefulSetPod.exec(pod);
  return m?.[1];
}

function withoutRolloutLabels(labels: Record<string, string>): Record<string, string> {
  for (const key of perRolloutLabels) delete labels[key];
  return labels;
}
