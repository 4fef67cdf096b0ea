/**
 * What the Kuma kinds share: `targetRef`, backends in every shape the MADR, the seed and Kuma 2.x
 * write them, the seed's header filtering and a policy entry's `default` — each as a TypeBox
 * schema, a pure validator with Kuma's messages, and a normaliser to the policy engine's types —
 * plus the structural check that adds "did you mean" to unknown fields. A backend's own fields
 * (a file path, an address, a format) are its sink's: the sink registry supplies their schema,
 * validation and normalising; the format spec is `format/`'s.
 */

// Re-exported for the kinds' validators, which read it from here.
export { isObject } from '../../util/is-object.js';
export { normalizeBackendConfig, normalizeBackendEntry } from './backend-normalize.js';
export {
  BackendConfSchema,
  type BackendConfSpec,
  BackendSchema,
  type BackendSpec,
  backendForms,
  backendTypes,
  definingBackendTypes,
  ReferenceSchema,
  StoreBackendSchema,
  sinkBackendProperties,
} from './backend-schema.js';
export { type BackendKind, type BackendMode, backendKind, canonicalType, validateBackend } from './backend-validate.js';
export { checkSpec, closest } from './check-spec.js';
export { ConfSchema, type ConfSpec, normalizeConf, validateConf } from './conf.js';
export { FilteringSchema, type FilteringSpec, headerFilterOps, normalizeFiltering, validateFiltering } from './filtering.js';
export { HttpMatchSchema, type HttpMatchSpec, httpMethods, normalizeHttpMatch, routeMatches, validateHttpMatch, validateRouteRules } from './http-match.js';
export { displayNameLabel, hasLabels, meshLabel, namespaceLabel, resourceLabels } from './labels.js';
export { normalizeTargetRef, proxyTypes, type TargetRefPlace, TargetRefSchema, type TargetRefSpec, targetRefKinds, validateTargetRef } from './target-ref.js';
