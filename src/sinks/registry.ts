/**
 * Every sink factory, listed by hand: nothing registers itself on import, so what a build can
 * write to is read here, and adding a sink is one line below. Everything else about a backend
 * type (its schema in a resource, its validation, its record, its sink) is asked of the factory
 * the type names, so no code elsewhere lists the types. The pipeline opens one sink per
 * `sinkKey` and shares it across policies.
 */
import type { TObject } from '@sinclair/typebox';
import type { EntryKind } from '../model/entry.js';
import type { Violation } from '../model/violations.js';
import { fileSinkFactory } from './file/index.js';
import { otlpSinkFactory } from './otlp/index.js';
import type { QueueOptions } from './shared/delivery-queue.js';
import type { SinkPolicy } from './shared/destination-policy.js';
import { tcpSinkFactory } from './tcp/index.js';
import type { RecordCompiler, SinkDeps, SinkFactory } from './types.js';

export const sinkFactories = {
  file: fileSinkFactory,
  tcp: tcpSinkFactory,
  openTelemetry: otlpSinkFactory,
} as const;

type Factories = typeof sinkFactories;

/** Each key is its factory's own type name, or this does not compile: lookups by `config.type` rely on it. */
type KeyedByType<M> = { readonly [K in keyof M]: M[K] extends { readonly type: K } ? M[K] : never };
sinkFactories satisfies KeyedByType<Factories>;

/** The backend types that have a sink here (`store` is the store's own path, not a sink). */
export type SinkType = keyof Factories;

/** A sink backend's normalised config: the union grows with the map. */
export type SinkBackendConfig = { [T in SinkType]: Parameters<Factories[T]['destination']>[0] }[SinkType];

export type AnySink = ReturnType<Factories[SinkType]['create']>;

/** Per-type option overrides (from the server's configuration), applied to every sink of that type. */
export type SinkOptionOverrides = { readonly [T in SinkType]?: Partial<Factories[T]['defaults']> };

/** A factory seen without its own types, which is how code that holds any config calls it. */
export type AnySinkFactory = SinkFactory<TObject, SinkBackendConfig, unknown, QueueOptions, AnySink>;

export const sinkTypes = Object.keys(sinkFactories) as SinkType[];

/** The factories, in the map's order (which is the order types are listed in schemas and messages). */
export const sinkFactoryList: readonly AnySinkFactory[] = Object.values(sinkFactories);

const byName = new Map<unknown, SinkType>(Object.values(sinkFactories).flatMap((f) => [[f.type, f.type] as const, [f.kumaType, f.type] as const]));

/** The sink type a backend's `type` names, in meshlog's spelling (`tcp`) or Kuma 2.x's (`Tcp`). */
export function canonicalSinkType(type: unknown): SinkType | undefined {
  return byName.get(type);
}

export function sinkFactory(type: SinkType): AnySinkFactory {
  return sinkFactories[type];
}

/** Where the backend's entries go: its file path, address or endpoint. */
export function sinkDestination(config: SinkBackendConfig): string {
  return sinkFactory(config.type).destination(config);
}

/** `type:destination`: backends with equal keys share one sink (and it is the metrics' `sink` label). */
export function sinkKey(config: SinkBackendConfig): string {
  return `${config.type}:${sinkDestination(config)}`;
}

/** The config of a sink backend whose fields (`spec`, as a resource writes them) validated. */
export function normalizeSinkConfig(type: SinkType, spec: Readonly<Record<string, unknown>>): SinkBackendConfig {
  return sinkFactory(type).normalize(spec);
}

/** The sink's own checks of a config's fields (a normalised config passes as its raw fields). */
export function validateSinkConfig(config: SinkBackendConfig, path: string, policy?: SinkPolicy): Violation[] {
  return sinkFactory(config.type).validate(config, path, policy);
}

/** Builds the record compiler of a backend for one entry kind; throws when its formats do not compile. */
export function compileRecord(config: SinkBackendConfig, kind: EntryKind): RecordCompiler<unknown> {
  return sinkFactory(config.type).compile(config, kind);
}

/** Creates the sink for a backend; nothing is opened or dialled until its first batch. */
export function openSink(config: SinkBackendConfig, deps: SinkDeps = {}, overrides: SinkOptionOverrides = {}): AnySink {
  return sinkFactory(config.type).create(config, deps, overrides[config.type]);
}
