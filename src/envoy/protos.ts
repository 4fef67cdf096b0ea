/**
 * Envoy's protos, loaded at run time from the `.proto` files that ship in the npm package
 * `@grpc/grpc-js-xds` (never hand-copied), with `google/protobuf/*` from protobufjs's own copies.
 *
 * Loading is split in groups so that the collector does not pay for the listener and bootstrap
 * protos that only `render` needs. Each group is loaded once per process into one shared Root.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  // Neither package exports its package.json, so resolve the main entry and walk up to the folder
  // that holds package.json.
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the package folder of ${name}.`);
    dir = parent;
  }
  return dir;
}

/**
 * Folders searched, in order, for an `import "x/y.proto"`. The OpenTelemetry protos (OTLP, and the
 * `common.proto` that Envoy's OpenTelemetry access logger imports) are the `.proto` files shipped
 * in `@opentelemetry/otlp-grpc-exporter-base` 0.38, the last release that ships them as files.
 */
export function protoIncludeDirs(): string[] {
  const xds = path.join(packageDir('@grpc/grpc-js-xds'), 'deps');
  return [
    packageDir('protobufjs'),
    path.join(xds, 'envoy-api'),
    path.join(xds, 'xds'),
    path.join(xds, 'protoc-gen-validate'),
    path.join(xds, 'googleapis'),
    path.join(packageDir('@opentelemetry/otlp-grpc-exporter-base'), 'build', 'protos'),
  ];
}

/** The protos each part of meshlog needs. */
export const protoGroups = {
  als: [
    'envoy/service/accesslog/v3/als.proto',
    'envoy/data/accesslog/v3/accesslog.proto',
  ],
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
    sharedRoot.loadSync(missing.flatMap((group) => [...protoGroups[group]]), { keepCase: false });
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

/** Where the Envoy API protos come from (`@grpc/grpc-js-xds 1.14.1`), for `meshlog version`. */
export function protoSource(): { readonly package: string; readonly version: string } {
  const name = '@grpc/grpc-js-xds';
  const { version } = JSON.parse(readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return { package: name, version };
}
