/**
 * The shared checks on their own: typo hints. (Addresses and OpenTelemetry attribute names are
 * the sinks' checks now, tested beside them.)
 */
import { describe, expect, it } from 'vitest';
import { closest } from './check-spec.js';

describe('closest', () => {
  it('finds a slip of one or two characters, a swap, or a change of case and punctuation, and nothing else', () => {
    expect(closest('value"', ['op', 'value'])).toBe('value');
    expect(closest('tpc', ['type', 'tcp'])).toBe('tcp');
    expect(closest('omit_empty_values', ['omitEmptyValues'])).toBe('omitEmptyValues');
    expect(closest('zones', ['labels', 'namespaces', 'clusters'])).toBeUndefined();
    expect(closest('to', ['op'])).toBeUndefined();
  });
});
