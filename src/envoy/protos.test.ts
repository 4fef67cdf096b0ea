/**
 * The .proto files are a build output (`dist/protos`, copied by `scripts/copy-protos.mjs` from two
 * devDependencies), found both from source (vitest) and from the built `dist/`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadAlsTypes, protosDir } from './protos.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const builtProtos = path.join(root, 'dist', 'envoy', 'protos.js');

describe('the .proto files', () => {
  it('are read from dist/protos, which records the versions they were copied from', () => {
    expect(protosDir()).toBe(path.join(root, 'dist', 'protos'));
    const versions = JSON.parse(readFileSync(path.join(protosDir(), 'versions.json'), 'utf8')) as { packages: Record<string, string> };
    const installed = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
    expect(versions.packages).toEqual({
      '@grpc/grpc-js-xds': installed('@grpc/grpc-js-xds'),
      '@opentelemetry/otlp-grpc-exporter-base': installed('@opentelemetry/otlp-grpc-exporter-base'),
    });
    expect(loadAlsTypes().HTTPAccessLogEntry.fullName).toBe('.envoy.data.accesslog.v3.HTTPAccessLogEntry');
  });

  it('are not runtime dependencies: the packages they come from are devDependencies only', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of ['@grpc/grpc-js-xds', '@opentelemetry/otlp-grpc-exporter-base']) {
      expect(manifest.dependencies[name]).toBeUndefined();
      expect(manifest.devDependencies[name]).toBeDefined();
    }
  });

  // `npm ci` builds dist/ (prepare); a source checkout that never built has only the protos.
  it.skipIf(!existsSync(builtProtos))('are found by the built dist/ on its own', async () => {
    const script = `import(${JSON.stringify(builtProtos)}).then((m) => { process.stdout.write(m.protosDir() + ' ' + m.loadAlsTypes().Identifier.fullName); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: '/', timeout: 20_000 });
    expect(stdout).toBe(`${path.join(root, 'dist', 'protos')} .envoy.service.accesslog.v3.StreamAccessLogsMessage.Identifier`);
  });
});
