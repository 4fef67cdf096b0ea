/**
 * The formatter: Envoy's substitution format (command operators, `START_TIME` strftime, typed
 * JSON) and Kuma's placeholders, evaluated against decoded ALS entries on the collector side, so
 * that each backend of a `MeshAccessLog` policy gets entries formatted as it asks. A format is
 * compiled once, when the policy is applied; formatting an entry does no parsing. `spec.ts` is
 * how a format is written in a resource (its schema, validator and normaliser), so that every
 * sink with a `format` field checks it the same way.
 */
export { type CompileOptions, compileFormat } from './compile-format.js';
export {
  defaultFormatFor,
  envoyDefaultFormat,
  istioDefaultFormat,
  kumaHttpDefaultFormat,
  kumaNetworkDefaultFormat,
} from './default-formats.js';
export { operators, unsupportedOperators } from './operators.js';
export { FormatSchema, type FormatSchemaSpec, normalizeFormat, validateFormat } from './spec.js';
export { compileTimeFormat, defaultStartTimeFormat, type TimeFormatter } from './start-time.js';
export type { CompiledFormat, FormatContext, FormatSpec, FormatValue, FormatViolations, TrafficDirection } from './types.js';
