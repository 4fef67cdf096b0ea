/**
 * The shared checks on their own: addresses, typo hints, OpenTelemetry attribute names.
 */
import { describe, expect, it } from 'vitest';
import { isFilePath, isHostPort, isHttpUrl } from '../../sinks/shared/addresses.js';
import { otelKeyProblem } from './backend-validate.js';
import { closest } from './check-spec.js';

describe('addresses', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['logs.example.com:514', true],
    ['[::1]:4317', true],
    ['logstash:0', false],
    ['logstash:65536', false],
    ['127.0.0.1', false],
    ['http://logs.com', false],
    ['[not-ip]:80', false],
    ['under_score:80', false],
  ])('host:port %s is %s', (address, ok) => {
    expect(isHostPort(address)).toBe(ok);
  });

  it('tells file paths and OTLP/HTTP URLs apart from the rest', () => {
    expect([isFilePath('/tmp/a.log'), isFilePath('tmp/a.log'), isFilePath('#not_valid'), isFilePath('/a\0b')]).toEqual([true, false, false, false]);
    expect([isHttpUrl('https://otel:4318/v1/logs'), isHttpUrl('grpc://otel:4317'), isHttpUrl('otel:4317')]).toEqual([true, false, false]);
  });
});

describe('closest', () => {
  it('finds a slip of one or two characters, a swap, or a change of case and punctuation, and nothing else', () => {
    expect(closest('value"', ['op', 'value'])).toBe('value');
    expect(closest('tpc', ['type', 'tcp'])).toBe('tcp');
    expect(closest('omit_empty_values', ['omitEmptyValues'])).toBe('omitEmptyValues');
    expect(closest('zones', ['labels', 'namespaces', 'clusters'])).toBeUndefined();
    expect(closest('to', ['op'])).toBeUndefined();
  });
});

describe('OpenTelemetry attribute names', () => {
  it.each([
    ['service.name', undefined],
    ['http_status', undefined],
    ['Service', "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit"],
    ['a..b', "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit"],
    ['a.', "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit"],
    ['otel.scope', "must not use the reserved OpenTelemetry prefix 'otel.'"],
    ['%KUMA_MESH%', 'must be a static OpenTelemetry attribute name; placeholders are only supported in values'],
  ])('%s', (key, problem) => {
    expect(otelKeyProblem(key)).toBe(problem);
  });
});
