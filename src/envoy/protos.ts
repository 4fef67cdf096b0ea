/**
 * Envoy's protos, loaded at run time from the `.proto` files the build copies into `dist/protos/`
 * (`scripts/copy-protos.mjs`) out of the npm packages `@grpc/grpc-js-xds` and
 * `@opentelemetry/otlp-grpc-exporter-base`, which are only devDependencies (never hand-copied;
 * `dist/protos/versions.json` records their versions), with `google/protobuf/*` from protobufjs's
 * own copies.
 *
 * Loading is split in groups so that the collector does not pay for the listener and bootstrap
 * protos that only `render` needs. Each group is loaded once per process into one shared Root.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** protobufjs's folder, which holds `google/protobuf/*.proto`. */
function protobufjsDir(): string {
  // protobufjs does not export its package.json: resolve the main entry and walk up to it.
  let dir = path.dirname(require.resolve('protobufjs'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** `dist/protos`: beside this file's folder when running from `dist/`, under `dist/` from `src/`. */
export function protosDir(): string {
  const candidates = [path.join(here, '..', 'protos'), path.join(here, '..', '..', 'dist', 'protos')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'versions.json')));
  if (!found) throw new Error(`The .proto files are copied at build time and are missing (looked in ${candidates.join(', ')}); run "npm run build".`);
  return found;
}

/**
 * Folders searched, in order, for an `import "x/y.proto"`. The OpenTelemetry protos (OTLP, and the
 * `common.proto` that Envoy's OpenTelemetry access logger imports) come from
 * `@opentelemetry/otlp-grpc-exporter-base` 0.38, the last release that ships them as files.
 */
export function protoIncludeDirs(): string[] {
  const protos = protosDir();
  return [
    protobufjsDir(),
    path.join(protos, 'envoy-api'),
    path.join(protos, 'xds'),
    path.join(protos, 'protoc-gen-validate'),
    path.join(protos, 'googleapis'),
    path.join(protos, 'opentelemetry'),
  ];
}

/** The protos each part of meshlog needs. */
export const protoGroups = {
  als: ['envoy/service/accesslog/v3/als.proto', 'envoy/data/accesslog/v3/accesslog.proto'],
  accessLogConfig: [
    'envoy/config/accesslog/v3/accesslog.proto',
    'envoy/extensions/access_loggers/grpc/v3/als.proto',
    'envoy/extensions/access_loggers/file/v3/file.proto',
  ],
} as const satisfies Record<string, readonly string[]>;

export type ProtoGroup = keyof typeof protoGroups;

let sharedRoot: protobuf.Root | undefined;
const loadedGroups = new Set<string>();

function createRoot(): protobuf.Root {
  const dirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of dirs) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  return root;
}

/** The shared Root with the given groups loaded (loading each group only once). */
export function envoyProtos(...groups: ProtoGroup[]): protobuf.Root {
  sharedRoot ??= createRoot();
  const missing = groups.filter((group) => !loadedGroups.has(group));
  if (missing.length > 0) {
    sharedRoot.loadSync(
      missing.flatMap((group) => [...protoGroups[group]]),
      { keepCase: false },
    );
    sharedRoot.resolveAll();
    for (const group of missing) loadedGroups.add(group);
  }
  return sharedRoot;
}

/** Extra proto files (by import path) loaded into the shared Root, for groups other folders own. */
export function loadProtoFiles(files: readonly string[]): protobuf.Root {
  sharedRoot ??= createRoot();
  const key = files.join('\n');
  if (!loadedGroups.has(key)) {
    sharedRoot.loadSync([...files], { keepCase: false });
    sharedRoot.resolveAll();
    loadedGroups.add(key);
  }
  return sharedRoot;
}

/** The message types the log plane uses on every entry, looked up once. */
export interface AlsTypes {
  readonly root: protobuf.Root;
  readonly StreamAccessLogsMessage: protobuf.Type;
  readonly Identifier: protobuf.Type;
  readonly HTTPAccessLogEntries: protobuf.Type;
  readonly TCPAccessLogEntries: protobuf.Type;
  readonly HTTPAccessLogEntry: protobuf.Type;
  readonly TCPAccessLogEntry: protobuf.Type;
  readonly AccessLogCommon: protobuf.Type;
  readonly Node: protobuf.Type;
}

let alsTypes: AlsTypes | undefined;

export function loadAlsTypes(): AlsTypes {
  if (alsTypes) return alsTypes;
  const root = envoyProtos('als');
  const message = 'envoy.service.accesslog.v3.StreamAccessLogsMessage';
  alsTypes = {
    root,
    StreamAccessLogsMessage: root.lookupType(message),
    Identifier: root.lookupType(`${message}.Identifier`),
    HTTPAccessLogEntries: root.lookupType(`${message}.HTTPAccessLogEntries`),
    TCPAccessLogEntries: root.lookupType(`${message}.TCPAccessLogEntries`),
    HTTPAccessLogEntry: root.lookupType('envoy.data.accesslog.v3.HTTPAccessLogEntry'),
    TCPAccessLogEntry: root.lookupType('envoy.data.accesslog.v3.TCPAccessLogEntry'),
    AccessLogCommon: root.lookupType('envoy.data.accesslog.v3.AccessLogCommon'),
    Node: root.lookupType('envoy.config.core.v3.Node'),
  };
  return alsTypes;
}

/** Where the Envoy API protos come from (`@grpc/grpc-js-xds 1.14.1`, as the build recorded it), for `meshlog version`. */
export function protoSource(): { readonly package: string; readonly version: string } {
  const name = '@grpc/grpc-js-xds';
  const record = JSON.parse(readFileSync(path.join(protosDir(), 'versions.json'), 'utf8')) as { packages?: Record<string, string> };
  return { package: name, version: record.packages?.[name] ?? 'unknown' };
}
