import { describe, expect, it } from 'vitest';
import { listenerLogName, parseLogName, recordsLogName } from './log-name.js';

describe('log names', () => {
  it('round-trips listener names', () => {
    for (const listener of [
      { name: 'inbound:10.0.0.5:8080', direction: 'inbound' as const },
      { name: 'outbound:backend', direction: 'outbound' as const },
      { name: 'outbound:10.1.1.1:80', direction: 'outbound' as const },
    ]) {
      expect(parseLogName(listenerLogName(listener))).toEqual({ kind: 'listener', direction: listener.direction, listener: listener.name });
    }
  });

  it('gives a listener name without a direction its direction', () => {
    expect(listenerLogName({ name: 'backend', direction: 'outbound' })).toBe('meshlog:outbound:backend');
  });

  it('knows the records logger and refuses what is not meshlog', () => {
    expect(parseLogName(recordsLogName)).toEqual({ kind: 'records' });
    expect(parseLogName('http_envoy_accesslog')).toBeUndefined();
    expect(parseLogName('meshlog:sideways:x')).toBeUndefined();
    expect(parseLogName('meshlog:inbound:')).toBeUndefined();
  });
});
