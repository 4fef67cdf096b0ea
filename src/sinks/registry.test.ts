/**
 * The registry: one key per destination, the factory picked by backend type, and validation
 * routed to the right sink, all without I/O.
 */
import { describe, expect, it } from 'vitest';
import { openSink, sinkFactories, sinkKey, validateSinkConfig } from './registry.js';

describe('sink registry', () => {
  it('lists a factory for every sink backend type, under its own type name', () => {
    expect(Object.entries(sinkFactories).map(([name, f]) => [name, f.type])).toEqual([
      ['file', 'file'],
      ['tcp', 'tcp'],
      ['openTelemetry', 'openTelemetry'],
    ]);
  });

  it('keys sinks by type and destination, ignoring the format', () => {
    expect(sinkKey({ type: 'file', path: '/var/log/a.log', format: { plain: '%START_TIME%' } })).toBe(sinkKey({ type: 'file', path: '/var/log/a.log' }));
    expect(sinkKey({ type: 'tcp', address: 'logs:5000' })).toBe('tcp:logs:5000');
    expect(sinkKey({ type: 'openTelemetry', endpoint: 'otel:4317', body: 'x' })).toBe('openTelemetry:otel:4317');
  });

  it('opens the sink of the backend type without touching the destination', async () => {
    const sink = openSink({ type: 'tcp', address: '127.0.0.1:9' });
    expect([sink.type, sink.name]).toEqual(['tcp', 'tcp:127.0.0.1:9']);
    expect(sink.stats()).toMatchObject({ queued: 0, errors: 0 });
    await sink.shutdown(100);
    const file = openSink({ type: 'file', path: '/nonexistent-dir/never-created.log' });
    expect('reopen' in file).toBe(true);
    await file.shutdown(100);
  });

  it('validates with the factory of the backend type', () => {
    expect(validateSinkConfig({ type: 'tcp', address: 'nope' }, 'p')[0]?.field).toBe('p.address');
    expect(validateSinkConfig({ type: 'openTelemetry', endpoint: 'nope' }, 'p')[0]?.field).toBe('p.endpoint');
    expect(validateSinkConfig({ type: 'file', path: '' }, 'p')[0]?.field).toBe('p.path');
  });
});
