/**
 * The strict check every rendered config passes: read as Envoy would read it, against Envoy's own
 * protos (copied from `@grpc/grpc-js-xds` at build time, through `envoy/protos.ts`), then encoded and decoded with
 * protobufjs to prove it survives the wire. A render that fails it is a meshlog bug.
 */
import type protobuf from 'protobufjs';
import { loadProtoFiles } from '../../envoy/protos.js';
import { walkMessage } from './proto-walker.js';
import type { ConfigViolation } from './walk.js';

export type { ConfigViolation } from './walk.js';

/** Every message type `render` writes, and the extensions its `typed_config`s name. */
export const renderProtoFiles = [
  'envoy/config/accesslog/v3/accesslog.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/grpc/v3/als.proto',
  'envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto',
  'envoy/extensions/access_loggers/filters/cel/v3/cel.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
] as const;

/** Message types by the names callers use. */
export const envoyTypes = {
  accessLog: 'envoy.config.accesslog.v3.AccessLog',
  accessLogFilter: 'envoy.config.accesslog.v3.AccessLogFilter',
  cluster: 'envoy.config.cluster.v3.Cluster',
  listener: 'envoy.config.listener.v3.Listener',
  bootstrap: 'envoy.config.bootstrap.v3.Bootstrap',
} as const;

export function renderProtos(): protobuf.Root {
  return loadProtoFiles(renderProtoFiles);
}

/**
 * Every violation in `value` read as the message `typeName` (proto3 JSON, snake_case or
 * lowerCamelCase keys), each with its JSON path under `path`. Empty means Envoy would accept it
 * as far as its protos and their validation rules tell.
 */
export function checkEnvoyConfig(value: unknown, typeName: string, path = ''): ConfigViolation[] {
  const root = renderProtos();
  const type = root.lookupType(typeName);
  const walk = { root, violations: [] as ConfigViolation[] };
  const native = walkMessage(walk, type, value, path);
  if (walk.violations.length === 0 && native !== undefined) {
    const problem = roundTrip(type, native);
    if (problem) walk.violations.push({ path, message: problem });
  }
  return walk.violations;
}

function roundTrip(type: protobuf.Type, native: Record<string, unknown>): string | undefined {
  const options = { longs: String, enums: String, bytes: String, defaults: false };
  try {
    const message = type.fromObject(native);
    const decoded = type.decode(type.encode(message).finish());
    const before = JSON.stringify(type.toObject(message, options));
    const after = JSON.stringify(type.toObject(decoded, options));
    return before === after ? undefined : `does not survive encoding: ${before} became ${after}`;
  } catch (err) {
    return `cannot be encoded: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Throws when a rendered config fails the check: that is a bug in meshlog, not in the user's policy. */
export function assertEnvoyConfig(value: unknown, typeName: string, path: string): void {
  const violations = checkEnvoyConfig(value, typeName, path);
  if (violations.length === 0) return;
  const lines = violations.map((v) => `  ${v.path || '(root)'}: ${v.message}`);
  throw new Error(`meshlog bug: the rendered Envoy config is not valid ${typeName}:\n${lines.join('\n')}`);
}
