/**
 * Every command operator the formatter knows, by name.
 *
 * Operators whose data Envoy never puts into an ALS entry (the peer certificate itself, anything
 * about the upstream TLS connection, connection ids, `CEL`, ...) are accepted and render `-`, the
 * same as a value Envoy did not have. Kuma instead renders `UNSUPPORTED_COMMAND(X)`; we do not,
 * because a format is usually shared with Envoy's own file logger, and its readers (log parsers,
 * typed JSON consumers) already handle `-` / `null` but would take `UNSUPPORTED_COMMAND(X)` for
 * data. Instead `compileFormat` lists those operators in `unsupported`, so `apply` can warn once.
 */
import { type OperatorDef, unsupported } from './als-entry.js';
import { headerOperators } from './operators-headers.js';
import { kumaOperators } from './operators-kuma.js';
import { metadataOperators } from './operators-metadata.js';
import { streamOperators } from './operators-stream.js';
import { tlsOperators } from './operators-tls.js';

export const operators: ReadonlyMap<string, OperatorDef> = new Map(
  Object.entries({
    ...streamOperators,
    ...headerOperators,
    ...metadataOperators,
    ...tlsOperators,
    ...kumaOperators,
    // CEL needs the whole request context as attributes; not evaluated from ALS (yet).
    CEL: unsupported('required', true),
  }),
);

/** Names of the operators that always render `-` on ALS entries. */
export const unsupportedOperators: readonly string[] = [...operators]
  .filter(([, def]) => def.unsupported)
  .map(([name]) => name)
  .sort();
