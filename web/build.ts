/**
 * Builds the web viewer (`web/src`) into `dist/web` with esbuild: one minified ES module and one
 * stylesheet under `assets/`, named by content hash so that they can be cached for good, each
 * also gzip- and brotli-compressed for the server to send as is, and `index.html` naming them.
 *
 * `npm run build` (and so `npm ci`, through `prepare`) runs it; the browser tests run it again
 * first so that they always test the current source. Files are written to a temporary name and
 * renamed, so a server reading the folder never sees half a file.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** Where `meshlog serve` looks for the viewer (see `src/server/static.ts`). */
export const defaultOutDir = path.join(webDir, '..', 'dist', 'web');

export interface ViewerBuild {
  readonly outDir: string;
  /** Bytes of each asset as built and as gzip sends it, by file name. */
  readonly assets: ReadonlyArray<{ readonly file: string; readonly bytes: number; readonly gzipBytes: number }>;
}

export async function buildViewer(outDir: string = defaultOutDir): Promise<ViewerBuild> {
  const result = await build({
    entryPoints: [path.join(webDir, 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: path.join(outDir, 'assets'),
    write: false,
    metafile: true,
    absWorkingDir: path.join(webDir, '..'),
    // The licences of what is bundled go into one file beside it (below), not into the script.
    legalComments: 'none',
    banner: { js: '/* meshlog web viewer; bundled packages and their licences: /assets/licenses.txt */', css: '/* meshlog web viewer */' },
    logLevel: 'silent',
  });
  const assetsDir = path.join(outDir, 'assets');
  mkdirSync(assetsDir, { recursive: true });
  const written = new Set<string>();
  const assets: Array<{ file: string; bytes: number; gzipBytes: number }> = [];
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    const gz = gzipSync(file.contents, { level: 9 });
    writeAtomically(file.path, file.contents);
    writeAtomically(`${file.path}.gz`, gz);
    writeAtomically(`${file.path}.br`, brotliCompressSync(file.contents, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    written.add(name).add(`${name}.gz`).add(`${name}.br`);
    assets.push({ file: name, bytes: file.contents.byteLength, gzipBytes: gz.byteLength });
  }
  writeAtomically(path.join(assetsDir, 'licenses.txt'), Buffer.from(licenses(Object.keys(result.metafile.inputs))));
  written.add('licenses.txt');
  const script = assets.find((a) => a.file.endsWith('.js'));
  const style = assets.find((a) => a.file.endsWith('.css'));
  if (!script || !style) throw new Error(`web/build.ts: esbuild produced ${assets.map((a) => a.file).join(', ')}; expected one .js and one .css`);
  const html = readFileSync(path.join(webDir, 'index.html'), 'utf8').replace('%SCRIPT%', `/assets/${script.file}`).replace('%STYLE%', `/assets/${style.file}`);
  writeAtomically(path.join(outDir, 'index.html'), Buffer.from(html));
  // Earlier builds' assets go; the names in use were just rewritten with the same content.
  for (const name of readdirSync(assetsDir)) if (!written.has(name) && !name.includes('.tmp-')) rmSync(path.join(assetsDir, name), { force: true });
  return { outDir, assets };
}

/** The licence texts of the npm packages among the bundle's inputs (`node_modules/NAME/...`). */
function licenses(inputs: readonly string[]): string {
  const packages = new Set(inputs.map((i) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter((p): p is string => p !== undefined));
  const root = path.join(webDir, '..', 'node_modules');
  return [...packages]
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      const { version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license?: string };
      const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
      return `${name} ${version} (${license ?? 'see its package'})\n\n${file ? readFileSync(path.join(dir, file), 'utf8').trim() : '(no licence file in the package)'}\n`;
    })
    .join(`\n${'-'.repeat(72)}\n\n`);
}

function writeAtomically(file: string, contents: Uint8Array): void {
  const temporary = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}
