import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewer } from '../../web/build.js';
import { addViewerRoutes } from './static.js';

describe('the web viewer files', () => {
  let root: string;
  let app: Hono;
  let script: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'meshlog-viewer-'));
    const built = await buildViewer(root);
    script = built.assets.find((a) => a.file.endsWith('.js'))!.file;
    app = new Hono();
    addViewerRoutes(app, root);
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('answers every view path with the page, which names the built script', async () => {
    for (const p of [
      '/',
      '/logs?status=5xx',
      '/failures',
      '/requests/5bd1f3a0-1f2e-4c7a-9f00-7d2a3c4b5e6f',
      '/overview',
      '/proxies',
      '/proxies/sidecar~10.0.0.1~a.b~b.svc.cluster.local',
    ]) {
      const response = await app.request(p);
      expect(response.status, p).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain(`<script type="module" src="/assets/${script}">`);
    }
  });

  it('sends assets for good (their names carry their hash), compressed when the browser takes it', async () => {
    const plain = await app.request(`/assets/${script}`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/javascript/);
    expect(plain.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await plain.arrayBuffer());
    expect(bytes.equals(readFileSync(path.join(root, 'assets', script)))).toBe(true);
    const gzipped = await app.request(`/assets/${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).equals(bytes)).toBe(true);
    const licences = await (await app.request('/assets/licenses.txt')).text();
    for (const name of ['preact', 'uplot', '@dagrejs/dagre', '@tanstack/virtual-core']) expect(licences).toContain(name);
  });

  it('serves nothing outside the build and no page for paths that are no view', async () => {
    expect((await app.request('/assets/../../package.json')).status).toBe(404);
    expect((await app.request('/assets/%2e%2e/index.html')).status).toBe(404);
    expect((await app.request('/assets/missing-ABC.js')).status).toBe(404);
    expect((await app.request('/logs/extra')).status).toBe(404);
    expect((await app.request('/index.html')).status).toBe(404);
  });

  it('says how to build the viewer when it is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'meshlog-viewer-none-'));
    try {
      const bare = new Hono();
      addViewerRoutes(bare, empty);
      const response = await bare.request('/logs');
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
