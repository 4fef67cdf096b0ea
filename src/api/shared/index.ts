/**
 * What the Kuma kinds share: `targetRef`, backends in every shape the MADR, the seed and Kuma 2.x
 * write them, the seed's header filtering and a policy entry's `default` — each as a TypeBox
 * schema, a pure validator with Kuma's messages, and a normaliser to the policy engine's types —
 * plus the structural check that adds "did you mean" to unknown fields. A backend's own fields
 * (a file path, an address, a format) are its sink's: the sink registry supplies their schema,
 * validation and normalising; the format spec is `format/`'s.
 */
export { normalizeBackendConfig, normalizeBackendEntry } from './backend-normalize.js';
export {
  backendForms,
  BackendConfSchema,
  BackendSchema,
  backendTypes,
  definingBackendTypes,
  ReferenceSchema,
  sinkBackendProperties,
  StoreBackendSchema,
  type BackendConfSpec,
  type BackendSpec,
} from './backend-schema.js';
export { backendKind, canonicalType, validateBackend, type BackendKind, type BackendMode } from './backend-validate.js';
export { checkSpec, closest } from './check-spec.js';
export { displayNameLabel, hasLabels, meshLabel, namespaceLabel, resourceLabels } from './labels.js';
// Re-exported for the kinds' validators, which read it from here.
export { isObject } from '../../util/is-object.js';
export { ConfSchema, normalizeConf, validateConf, type ConfSpec } from './conf.js';
export { FilteringSchema, headerFilterOps, normalizeFiltering, validateFiltering, type FilteringSpec } from './filtering.js';
export { TargetRefSchema, normalizeTargetRef, proxyTypes, targetRefKinds, validateTargetRef, type TargetRefPlace, type TargetRefSpec } from './target-ref.js';
export { HttpMatchSchema, httpMethods, normalizeHttpMatch, routeMatches, validateHttpMatch, validateRouteRules, type HttpMatchSpec } from './http-match.js';
