/**
 * The openTelemetry backend's own checks: Kuma's rules for attribute names.
 */
import { describe, expect, it } from 'vitest';
import { otelKeyProblem } from './config.js';

describe('OpenTelemetry attribute names', () => {
  it.each([
    ['service.name', undefined],
    ['http_status', undefined],
    [
      'Service',
      "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit",
    ],
    [
      'a..b',
      "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit",
    ],
    ['a.', "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit"],
    ['otel.scope', "must not use the reserved OpenTelemetry prefix 'otel.'"],
    ['%KUMA_MESH%', 'must be a static OpenTelemetry attribute name; placeholders are only supported in values'],
  ])('%s', (key, problem) => {
    expect(otelKeyProblem(key)).toBe(problem);
  });
});
