/**
 * `npm run build` runs this after the TypeScript build: the web viewer into `dist/web` (see
 * `web/build.ts`), with the size of what a browser downloads.
 */
import { buildViewer } from '../web/build.js';

const { outDir, assets } = await buildViewer();
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
for (const a of assets) process.stdout.write(`web viewer: ${a.file} ${kib(a.bytes)} (${kib(a.gzipBytes)} gzip)\n`);
process.stdout.write(`web viewer: built into ${outDir}\n`);
