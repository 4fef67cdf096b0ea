/**
 * A policy entry's `default`: the backends to log to and, from the seed, which requests to log.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, index, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import type { ValidationContext } from '../types.js';
import { normalizeBackendEntry } from './backend-normalize.js';
import { BackendSchema } from './backend-schema.js';
import { validateBackend } from './backend-validate.js';
import { FilteringSchema, normalizeFiltering, validateFiltering } from './filtering.js';
import type { Conf } from './model.js';

export const ConfSchema = Type.Object(
  {
    backends: Type.Optional(
      Type.Array(BackendSchema, { description: 'Where entries go; required in a MeshAccessLog entry, as in Kuma. Empty: nothing is logged.' }),
    ),
    filtering: Type.Optional(FilteringSchema),
  },
  { additionalProperties: false },
);

export type ConfSpec = Static<typeof ConfSchema>;

export function validateConf(conf: unknown, path: string, context?: ValidationContext): Violation[] {
  if (!isObject(conf)) return [];
  const out: Violation[] = [];
  const backends = conf['backends'];
  if (Array.isArray(backends)) {
    backends.forEach((b, i) => {
      out.push(...validateBackend(b, index(field(path, 'backends'), i), 'inline', context));
    });
  }
  out.push(...validateFiltering(conf['filtering'], field(path, 'filtering')));
  return out;
}

export function normalizeConf(conf: ConfSpec | undefined): Conf {
  if (!conf) return {};
  const filtering = normalizeFiltering(conf.filtering);
  return {
    ...(conf.backends ? { backends: conf.backends.map(normalizeBackendEntry) } : {}),
    ...(filtering ? { filtering } : {}),
  };
}
