/**
 * The registry entry of `MeshOpenTelemetryBackend` (Kuma 2.14, MADR 095): an OpenTelemetry
 * collector that policies of its mesh share through `openTelemetry.backendRef`. Its spec is the
 * OTLP sink's destination (`sinks/otlp/destination.ts`).
 */
import { OtlpDestinationSchema, validateOtlpDestination } from '../../sinks/index.js';
import { checkSpec, isObject } from '../shared/index.js';
import type { KindDefinition } from '../types.js';
import { otelBackendInUse } from './normalize.js';

export const meshOpenTelemetryBackendKind: KindDefinition = {
  kind: 'MeshOpenTelemetryBackend',
  apiVersions: ['kuma.io/v1alpha1'],
  scope: 'mesh',
  plural: 'meshopentelemetrybackends',
  schema: OtlpDestinationSchema,
  validate: (spec, path) => checkSpec(OtlpDestinationSchema, spec, path, isObject(spec) ? validateOtlpDestination(spec, path) : []),
  beforeDelete: otelBackendInUse,
};
