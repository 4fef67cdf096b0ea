/**
 * `render`: a proxy's resolved `MeshAccessLog` policy (`ProxyLogConfig`) and the
 * `AccessLogRecord`s selecting it, as Envoy `access_log` config per listener (file, gRPC ALS to
 * the meshlog agent, OpenTelemetry), as a complete Envoy bootstrap, or as Istio mesh config and
 * `Telemetry`; every Envoy piece checked against Envoy's own protos and golden-tested.
 */
export { buildAccessLogs, type AgentOptions, type RenderedAccessLogs, type RenderedListener, type RenderOptions } from './build-access-logs.js';
export { checkEnvoyConfig, assertEnvoyConfig, envoyTypes, renderProtoFiles, type ConfigViolation } from './config-check/check-envoy-config.js';
export { agentClusterName, otelClusterName } from './clusters.js';
export { listenerLogName, parseLogName, recordsLogName, type ParsedLogName } from '../envoy/log-name.js';
export { renderAccessLogs } from './render-access-logs.js';
export { renderBootstrap, type RenderedBootstrap } from './render-bootstrap.js';
export { renderIstio, type RenderedIstio } from './render-istio.js';
export { renderEnvoyFilter, renderMeshProxyPatch, type RenderedPatches } from './render-patches.js';
