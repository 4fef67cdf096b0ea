/**
 * `render`: a proxy's resolved `MeshAccessLog` policy (`ProxyLogConfig`) and the
 * `AccessLogRecord`s selecting it, as Envoy `access_log` config per listener (file, gRPC ALS to
 * the meshlog agent, OpenTelemetry), as a complete Envoy bootstrap, or as Istio mesh config and
 * `Telemetry`; every Envoy piece checked against Envoy's own protos and golden-tested.
 */

export { listenerLogName, type ParsedLogName, parseLogName, recordsLogName } from '../envoy/log-name.js';
export { type AgentOptions, buildAccessLogs, type RenderedAccessLogs, type RenderedListener, type RenderOptions } from './build-access-logs.js';
export { agentClusterName, otelClusterName } from './clusters.js';
export { assertEnvoyConfig, type ConfigViolation, checkEnvoyConfig, envoyTypes, renderProtoFiles } from './config-check/check-envoy-config.js';
export { renderAccessLogs } from './render-access-logs.js';
export { type RenderedBootstrap, renderBootstrap } from './render-bootstrap.js';
export { type RenderedIstio, renderIstio } from './render-istio.js';
export { type RenderedPatches, renderEnvoyFilter, renderMeshProxyPatch } from './render-patches.js';
