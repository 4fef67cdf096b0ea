/**
 * Build step: copies the `.proto` files meshlog reads at run time out of two devDependencies into
 * `dist/protos/`, and records which versions they came from in `dist/protos/versions.json`.
 *
 * - `@grpc/grpc-js-xds`'s `deps/` folders: Envoy's API, xDS, protoc-gen-validate and googleapis.
 * - `@opentelemetry/otlp-grpc-exporter-base`'s `build/protos`: the OTLP protos.
 * - meshlog's own `src/relay/relay.proto` (`meshlog.relay.v1`), as `meshlog/relay/v1/relay.proto`.
 *
 * Neither package runs in meshlog; shipping them as runtime dependencies pulled in their whole
 * trees (google-auth-library, gaxios, node-forge, a second protobufjs...) for a few folders of text.
 * `npm run build` runs this after tsc; the test setup runs it when `dist/protos` is missing, so tests
 * from source find the same files. Run by hand: `node scripts/copy-protos.mjs`.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** The folder that holds a package's package.json (neither package exports it). */
function packageDir(name) {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the package folder of ${name}.`);
    dir = parent;
  }
  return dir;
}

/** Where each include folder comes from: `dist/protos/<name>` ← `<package>/<folder>`. */
const sources = [
  { name: 'envoy-api', from: '@grpc/grpc-js-xds', folder: 'deps/envoy-api' },
  { name: 'xds', from: '@grpc/grpc-js-xds', folder: 'deps/xds' },
  { name: 'protoc-gen-validate', from: '@grpc/grpc-js-xds', folder: 'deps/protoc-gen-validate' },
  { name: 'googleapis', from: '@grpc/grpc-js-xds', folder: 'deps/googleapis' },
  { name: 'opentelemetry', from: '@opentelemetry/otlp-grpc-exporter-base', folder: 'build/protos' },
];

export function copyProtos(out = path.join(root, 'dist', 'protos')) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const versions = {};
  for (const source of sources) {
    const dir = packageDir(source.from);
    versions[source.from] = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    // Only the .proto files (and the folders that hold them): no code, no licenses' copies of code.
    cpSync(path.join(dir, source.folder), path.join(out, source.name), {
      recursive: true,
      filter: (file) => !file.includes(`${path.sep}.`) && (path.extname(file) === '' || file.endsWith('.proto') || /LICENSE/i.test(path.basename(file))),
    });
  }
  mkdirSync(path.join(out, 'meshlog', 'relay', 'v1'), { recursive: true });
  cpSync(path.join(root, 'src', 'relay', 'relay.proto'), path.join(out, 'meshlog', 'relay', 'v1', 'relay.proto'));
  const record = {
    note: 'Copied at build time by scripts/copy-protos.mjs; do not edit.',
    packages: versions,
    folders: Object.fromEntries(sources.map((s) => [s.name, `${s.from}/${s.folder}`])),
  };
  writeFileSync(path.join(out, 'versions.json'), `${JSON.stringify(record, null, 2)}\n`);
  return out;
}

/** vitest's globalSetup: copy once when a source checkout was never built. */
export function setup() {
  if (!existsSync(path.join(root, 'dist', 'protos', 'versions.json'))) copyProtos();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = copyProtos();
  process.stdout.write(`protos copied to ${path.relative(root, out)}\n`);
}
