/**
 * MeshOpenTelemetryBackend as Kuma's own validator cases describe it (restated here): an empty
 * spec is the node-local collector, every endpoint field is optional, a path only for OTLP/HTTP;
 * plus meshlog's TLS. And what it resolves to, Kuma's defaults filled in.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../load-yaml.js';
import { normalizeOtelBackend } from './normalize.js';

function load(spec: string) {
  const { resources, problems } = loadResources(`type: MeshOpenTelemetryBackend\nmesh: default\nname: collector\nspec: ${spec}\n`, 'f.yaml');
  return { resource: resources[0]?.resource, problems: problems.map(formatProblem) };
}

describe('MeshOpenTelemetryBackend', () => {
  it.each([
    ['{}', '127.0.0.1:4317'],
    ['{endpoint: {port: 14317}}', '127.0.0.1:14317'],
    ['{endpoint: {address: "otel.observability"}}', 'otel.observability:4317'],
    ['{endpoint: {address: "fd00::1", port: 4317}}', '[fd00::1]:4317'],
    ['{endpoint: {address: otel, port: 4318, path: /otlp/}, protocol: http}', 'http://otel:4318/otlp/v1/logs'],
    ['{endpoint: {address: otel, port: 443}, protocol: http, tls: {}}', 'https://otel:443/v1/logs'],
  ])('accepts %s and exports to %s', (spec, endpoint) => {
    const { resource, problems } = load(spec);
    expect(problems).toEqual([]);
    expect(normalizeOtelBackend(resource!).destination.endpoint).toBe(endpoint);
  });

  it.each([
    ['{endpoint: {address: ""}}', ['f.yaml:4:28 spec.endpoint.address: must not be empty']],
    ['{endpoint: {address: "not a host"}}', ['f.yaml:4:28 spec.endpoint.address: address has to be a valid IP or hostname']],
    ['{endpoint: {port: 70000}}', ['f.yaml:4:25 spec.endpoint.port: port must be a valid (1-65535)']],
    ['{endpoint: {path: /otlp}}', ['f.yaml:4:25 spec.endpoint.path: must not be set when protocol is grpc']],
    ['{endpoint: {path: otlp}, protocol: http}', ['f.yaml:4:25 spec.endpoint.path: must start with /']],
    ['{endpoint: {path: "/otlp?x=1"}, protocol: http}', ['f.yaml:4:25 spec.endpoint.path: must not contain query or fragment']],
    ['{protocol: udp}', ['f.yaml:4:18 spec.protocol: must be one of grpc, http']],
    ['{env: {mode: Sometimes}}', ['f.yaml:4:20 spec.env.mode: must be one of Disabled, Optional, Required']],
    [
      '{tls: {caFile: ca.pem, certFile: /c.pem}}',
      [
        'f.yaml:4:22 spec.tls.caFile: must be an absolute path, not "ca.pem"',
        "f.yaml:4:13 spec.tls.keyFile: must be set: a client certificate needs both 'certFile' and 'keyFile'",
      ],
    ],
  ])('refuses %s', (spec, expected) => {
    expect(load(spec).problems).toEqual(expected);
  });
});
