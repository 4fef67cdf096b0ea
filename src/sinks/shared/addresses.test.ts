/**
 * Addresses as the sinks' validators and `create()` read them, without I/O.
 */
import { describe, expect, it } from 'vitest';
import { isFilePath, isHostPort, isHttpUrl, parseHostPort } from './addresses.js';

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

  it('parses what it accepts into the host and port the tcp sink dials', () => {
    expect(parseHostPort('logs.example.com:514')).toEqual({ host: 'logs.example.com', port: 514 });
    expect(parseHostPort('[::1]:4317')).toEqual({ host: '::1', port: 4317 });
    expect(parseHostPort('logs.example.com')).toBeUndefined();
  });
});
