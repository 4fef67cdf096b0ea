/**
 * Where the operator lets policies write and connect. A `MeshAccessLog` is written by whoever may
 * call the API, and its backends make meshlog itself open files and dial addresses; so the server's
 * flags bound them: file sinks write only under `--file-sink-root` directories, and `tcp` /
 * `openTelemetry` sinks connect only where `--sink-allow-host` allows (any host when it is not
 * given), never to link-local or cloud metadata addresses unless an entry names them explicitly.
 *
 * The checks of a config are pure (validators run them on write and in `validate --server`); a
 * name is checked again after DNS, on every connect, through `guardedLookup`, so that a name cannot
 * point somewhere its text was allowed and its address is not.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';

/** The operator's bounds on sink destinations, from the server's flags. */
export interface SinkPolicy {
  /** Absolute directories a file sink may write under (`--file-sink-root`). */
  readonly fileRoots: readonly string[];
  /** `--sink-allow-host` entries: host names, IPs and CIDRs. Empty: any host but the blocked ranges. */
  readonly allowHosts: readonly string[];
}

interface HostRules {
  readonly names: ReadonlySet<string>;
  readonly ips: BlockList;
  readonly hasIps: boolean;
  /** Allow-list entries that lie inside a blocked range: the explicit permissions for it. */
  readonly explicitBlocked: BlockList;
}

/** Link-local (which holds AWS, GCP and Azure's 169.254.169.254) and other clouds' metadata addresses. */
const blocked = new BlockList();
blocked.addSubnet('169.254.0.0', 16, 'ipv4');
blocked.addSubnet('fe80::', 10, 'ipv6');
blocked.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud
blocked.addAddress('fd00:ec2::254', 'ipv6'); // AWS over IPv6
const metadataNames = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

const rulesCache = new WeakMap<SinkPolicy, HostRules>();

/** Parses `--sink-allow-host` entries; throws naming the first that is neither a host, an IP nor a CIDR. */
export function createSinkPolicy(options: { readonly fileRoots: readonly string[]; readonly allowHosts?: readonly string[] }): SinkPolicy {
  const policy = { fileRoots: options.fileRoots.map((r) => path.resolve(r)), allowHosts: [...(options.allowHosts ?? [])] };
  rules(policy);
  return policy;
}

function rules(policy: SinkPolicy): HostRules {
  let cached = rulesCache.get(policy);
  if (cached) return cached;
  const names = new Set<string>();
  const ips = new BlockList();
  const explicitBlocked = new BlockList();
  let hasIps = false;
  for (const entry of policy.allowHosts) {
    const [ip, bits] = entry.split('/');
    const family = isIP(ip ?? '');
    if (family === 0) {
      if (bits !== undefined || !/^[A-Za-z0-9.-]+$/.test(entry))
        throw new Error(`--sink-allow-host ${entry} is neither a host name, an IP address nor a CIDR (10.0.0.0/8).`);
      names.add(entry.toLowerCase());
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
      throw new Error(`--sink-allow-host ${entry} has an invalid prefix length.`);
    ips.addSubnet(ip!, prefix, type);
    hasIps = true;
    // Explicit only when the entry is narrower than the blocked range it falls in: 0.0.0.0/0 is not.
    if (blocked.check(ip!, type) && prefix >= (family === 4 ? 16 : 10)) explicitBlocked.addSubnet(ip!, prefix, type);
  }
  cached = { names, ips, hasIps, explicitBlocked };
  rulesCache.set(policy, cached);
  return cached;
}

function family(ip: string): { ip: string; type: 'ipv4' | 'ipv6' } {
  // An IPv4-mapped IPv6 address reaches the IPv4 host: check it as one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return { ip: mapped[1]!, type: 'ipv4' };
  return { ip, type: isIP(ip) === 4 ? 'ipv4' : 'ipv6' };
}

function allowedHosts(policy: SinkPolicy): string {
  return policy.allowHosts.length === 0 ? 'any host but link-local and metadata addresses' : policy.allowHosts.join(', ');
}

/** Why an address (after DNS, or written as an IP) may not be dialled; `name` is the host as written. */
export function addressProblem(address: string, name: string, policy: SinkPolicy): string | undefined {
  const r = rules(policy);
  const { ip, type } = family(address);
  if (blocked.check(ip, type)) {
    return r.explicitBlocked.check(ip, type)
      ? undefined
      : `${address} is a link-local or cloud metadata address; only an explicit --sink-allow-host for it allows it`;
  }
  if (policy.allowHosts.length === 0 || r.names.has(name.toLowerCase()) || r.ips.check(ip, type)) return undefined;
  return `${name === address ? address : `${name} (${address})`} is not allowed by --sink-allow-host (allowed: ${allowedHosts(policy)})`;
}

/**
 * Why a host as written in a config may not be dialled (nothing without a policy: offline
 * validation does not know the server's flags). A name is checked again after DNS.
 */
export function hostProblem(host: string, policy: SinkPolicy | undefined): string | undefined {
  if (!policy) return undefined;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return addressProblem(bare, bare, policy);
  const lower = bare.toLowerCase().replace(/\.$/, '');
  const r = rules(policy);
  if (metadataNames.has(lower) && !r.names.has(lower)) return `${host} is a cloud metadata service; only an explicit --sink-allow-host for it allows it`;
  if (policy.allowHosts.length === 0 || r.names.has(lower) || r.hasIps) return undefined;
  return `${host} is not allowed by --sink-allow-host (allowed: ${allowedHosts(policy)})`;
}

/**
 * A `lookup` for `net.connect` / `http.request` that resolves the name, then refuses the connection
 * unless every address it got is allowed: a name cannot lead to an address the policy refuses.
 */
export function guardedLookup(policy: SinkPolicy): typeof dnsLookup {
  const guarded = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const problem = addressProblem(a.address, hostname, policy);
        if (problem) return callback(Object.assign(new Error(`Refusing to connect: ${problem}.`), { code: 'EACCES' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  return guarded as unknown as typeof dnsLookup;
}

/**
 * The refusal of a literal IP destination, for the connect paths that skip `lookup` for IPs
 * (`net.connect`, `http.request`); undefined for names (their lookup checks them) and allowed IPs.
 */
export function literalAddressProblem(host: string, policy: SinkPolicy | undefined): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  return policy && isIP(bare) !== 0 ? addressProblem(bare, bare, policy) : undefined;
}

/** Why a file sink may not write `file`: `..` anywhere, or (given the roots) outside every root. */
export function filePathProblem(file: string, policy: SinkPolicy | undefined): string | undefined {
  if (file.split('/').includes('..')) return `${JSON.stringify(file)} contains '..'; write the path without it`;
  if (!policy) return undefined;
  const resolved = path.resolve(file);
  if (policy.fileRoots.some((root) => resolved.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`))) return undefined;
  return `${JSON.stringify(file)} is outside the directories file backends may write to (${policy.fileRoots.join(', ')}; set with --file-sink-root)`;
}
