import { describe, expect, it } from 'vitest';
import { checkEnvoyConfig, envoyTypes } from './check-envoy-config.js';

const fileType = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const grpcType = 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig';

function fileLog(typedConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'envoy.access_loggers.file', typed_config: { '@type': fileType, path: '/tmp/a.log', ...typedConfig }, ...extra };
}

function grpcLog(common: Record<string, unknown>): Record<string, unknown> {
  return { name: 'envoy.access_loggers.http_grpc', typed_config: { '@type': grpcType, common_config: common } };
}

const validCommon = { log_name: 'x', grpc_service: { envoy_grpc: { cluster_name: 'c' } }, transport_api_version: 'V3' };

const statusFilter = (comparison: Record<string, unknown>) => ({ status_code_filter: { comparison } });

/** Config in, violations out (path and a fragment of the message); an empty list means valid. */
const table: { name: string; type?: string; value: unknown; violations: [string, string][] }[] = [
  { name: 'a valid file logger', value: fileLog({ log_format: { text_format_source: { inline_string: 'x\n' }, omit_empty_values: true } }), violations: [] },
  { name: 'a valid gRPC logger', value: grpcLog(validCommon), violations: [] },
  { name: 'lowerCamelCase keys are read too', value: fileLog({ logFormat: { jsonFormat: { a: '%DURATION%' } } }), violations: [] },
  { name: 'an unknown field', value: fileLog({ pathh: '/x' }), violations: [['typed_config.pathh', 'unknown field "pathh"']] },
  {
    name: 'a safe_regex RE2 cannot compile (a look-ahead)',
    type: envoyTypes.accessLogFilter,
    value: { header_filter: { header: { name: 'x', string_match: { safe_regex: { regex: '(?=a)b' } } } } },
    violations: [['header_filter.header.string_match.safe_regex.regex', 'RE2 cannot compile it: invalid perl operator: (?=']],
  },
  {
    name: "RE2's named groups are fine",
    type: envoyTypes.accessLogFilter,
    value: { header_filter: { header: { name: 'x', string_match: { safe_regex: { regex: '(?P<id>[0-9]+)' } } } } },
    violations: [],
  },
  { name: 'an unknown field at the top', value: { ...fileLog({}), filters: {} }, violations: [['filters', 'unknown field']] },
  {
    name: 'a field given in both spellings',
    value: fileLog({ log_format: { json_format: {} }, logFormat: { json_format: {} } }),
    violations: [['typed_config.logFormat', 'given twice']],
  },
  { name: 'a wrong scalar type', value: fileLog({ path: 42 }), violations: [['typed_config.path', 'expected string']] },
  {
    name: 'a bool given as a string',
    value: fileLog({ log_format: { json_format: {}, omit_empty_values: 'true' } }),
    violations: [['typed_config.log_format.omit_empty_values', 'expected bool']],
  },
  {
    name: 'an object where a list belongs',
    value: { and_filter: { filters: {} } },
    type: envoyTypes.accessLogFilter,
    violations: [['and_filter.filters', 'expected a list']],
  },
  {
    name: 'a bad enum name',
    type: envoyTypes.accessLogFilter,
    value: statusFilter({ op: 'GT', value: { default_value: 1, runtime_key: 'k' } }),
    violations: [['status_code_filter.comparison.op', '"GT" is not a value of enum envoy.config.accesslog.v3.ComparisonFilter.Op']],
  },
  {
    name: 'an undefined enum number (defined_only)',
    type: envoyTypes.accessLogFilter,
    value: statusFilter({ op: 7, value: { default_value: 1, runtime_key: 'k' } }),
    violations: [['status_code_filter.comparison.op', '7 is not a defined value']],
  },
  {
    name: 'a negative uint32',
    type: envoyTypes.accessLogFilter,
    value: statusFilter({ op: 'EQ', value: { default_value: -1, runtime_key: 'k' } }),
    violations: [['status_code_filter.comparison.value.default_value', 'expected uint32']],
  },
  {
    name: 'a missing required message',
    type: envoyTypes.accessLogFilter,
    value: statusFilter({ op: 'EQ' }),
    violations: [['status_code_filter.comparison.value', 'value is required']],
  },
  {
    name: 'a missing required gRPC service',
    value: grpcLog({ log_name: 'x', transport_api_version: 'V3' }),
    violations: [['typed_config.common_config.grpc_service', 'is required']],
  },
  {
    name: 'an empty log_name (string.min_len)',
    value: grpcLog({ ...validCommon, log_name: '' }),
    violations: [['typed_config.common_config.log_name', 'must not be empty']],
  },
  {
    name: 'a missing log_name is an empty one',
    value: grpcLog({ grpc_service: validCommon.grpc_service }),
    violations: [['typed_config.common_config.log_name', 'must not be empty']],
  },
  {
    name: 'an empty runtime_key',
    type: envoyTypes.accessLogFilter,
    value: statusFilter({ op: 'EQ', value: { default_value: 500, runtime_key: '' } }),
    violations: [['status_code_filter.comparison.value.runtime_key', 'must not be empty']],
  },
  {
    name: 'an and_filter with one filter (repeated.min_items)',
    type: envoyTypes.accessLogFilter,
    value: { and_filter: { filters: [{ not_health_check_filter: {} }] } },
    violations: [['and_filter.filters', 'at least 2 items']],
  },
  { name: 'an empty filter (oneof required)', type: envoyTypes.accessLogFilter, value: {}, violations: [['', 'one of status_code_filter']] },
  {
    name: 'two members of a oneof',
    type: envoyTypes.accessLogFilter,
    value: { not_health_check_filter: {}, traceable_filter: {} },
    violations: [['', 'not_health_check_filter and traceable_filter are both set']],
  },
  {
    name: 'a deprecated field',
    type: envoyTypes.accessLogFilter,
    value: { header_filter: { header: { name: 'x', exact_match: 'y' } } },
    violations: [['header_filter.header.exact_match', 'deprecated']],
  },
  { name: 'an Any without @type', value: { name: 'x', typed_config: { path: '/a' } }, violations: [['typed_config.@type', 'needs "@type"']] },
  {
    name: 'an Any of an unknown type',
    value: { name: 'x', typed_config: { '@type': 'type.googleapis.com/no.such.Type' } },
    violations: [['typed_config.@type', 'unknown message type no.such.Type']],
  },
  {
    name: 'a port above 65535 (uint32.lte)',
    type: envoyTypes.cluster,
    value: {
      name: 'c',
      load_assignment: {
        cluster_name: 'c',
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'h', port_value: 70000 } } } }] }],
      },
    },
    violations: [['load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value', 'at most 65535']],
  },
  {
    name: 'a malformed duration',
    type: envoyTypes.cluster,
    value: { name: 'c', connect_timeout: '5 seconds' },
    violations: [['connect_timeout', 'expected a duration']],
  },
  { name: 'a valid duration', type: envoyTypes.cluster, value: { name: 'c', connect_timeout: '0.250s' }, violations: [] },
  {
    name: 'a wrapper holds its scalar',
    value: grpcLog({ ...validCommon, buffer_size_bytes: 'big' }),
    violations: [['typed_config.common_config.buffer_size_bytes', 'expected uint32']],
  },
  { name: 'a valid wrapper', value: grpcLog({ ...validCommon, buffer_size_bytes: 0, buffer_flush_interval: '1s' }), violations: [] },
  {
    name: 'int64 as a decimal string',
    type: envoyTypes.accessLogFilter,
    value: { header_filter: { header: { name: 'x', range_match: { start: '-5', end: '9223372036854775807' } } } },
    violations: [],
  },
  {
    name: 'int64 out of range',
    type: envoyTypes.accessLogFilter,
    value: { header_filter: { header: { name: 'x', range_match: { start: '0', end: '9223372036854775808' } } } },
    violations: [['header_filter.header.range_match.end', 'expected int64']],
  },
  { name: 'null values', value: fileLog({ path: null }), violations: [['typed_config.path', 'null']] },
  {
    name: 'a map of Any checked through its values',
    type: envoyTypes.cluster,
    value: {
      name: 'c',
      typed_extension_protocol_options: {
        x: {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {}, http3: {} },
        },
      },
    },
    violations: [['typed_extension_protocol_options.x.explicit_http_config.http3', 'unknown field']],
  },
  {
    name: 'a json_format Struct takes any JSON',
    value: fileLog({ log_format: { json_format: { a: '%DURATION%', n: 1, nested: { b: ['x', true, null] } } } }),
    violations: [],
  },
  {
    name: 'a json_format that is not an object',
    value: fileLog({ log_format: { json_format: 'x' } }),
    violations: [['typed_config.log_format.json_format', 'google.protobuf.Struct']],
  },
];

describe('checkEnvoyConfig', () => {
  for (const c of table) {
    it(c.name, () => {
      const violations = checkEnvoyConfig(c.value, c.type ?? envoyTypes.accessLog);
      expect(violations.map((v) => v.path)).toEqual(c.violations.map(([path]) => path));
      violations.forEach((v, i) => {
        expect(v.message).toContain(c.violations[i]![1]);
      });
    });
  }

  it('places violations under the given root path', () => {
    const [v] = checkEnvoyConfig(fileLog({ pathh: 1 }), envoyTypes.accessLog, 'listeners[0].access_log[2]');
    expect(v?.path).toBe('listeners[0].access_log[2].typed_config.pathh');
  });

  it('checks CEL filters nested in Any inside a filter tree', () => {
    const cel = {
      extension_filter: {
        name: 'cel',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter', expresion: 'true' },
      },
    };
    const violations = checkEnvoyConfig({ or_filter: { filters: [cel, { traceable_filter: {} }] } }, envoyTypes.accessLogFilter);
    expect(violations).toEqual([{ path: 'or_filter.filters[0].extension_filter.typed_config.expresion', message: expect.stringContaining('unknown field') }]);
  });
});
