/**
 * The web viewer's files: `index.html` for every view path (`/`, `/logs`, `/failures`,
 * `/requests/ID`, `/overview`, `/proxies`, `/proxies/ID`; the `/#/...` forms reach `/`), and the
 * built assets under `/assets/`, sent precompressed when the browser accepts it.
 *
 * The files are built from `web/` into `dist/web` by `npm run build` (so by `npm ci`). They hold no
 * data and need no token: the viewer asks for one when the API answers 401.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';

/** `<repo>/dist/web`, the same from `src/server` (tests, tsx) and from `dist/server` (the build). */
export const defaultViewerRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

/** The paths the viewer's router knows (web/src/router.ts); each answers with the page. */
export const viewerPaths = ['/', '/logs', '/failures', '/requests/:id', '/overview', '/proxies', '/proxies/:id'] as const;

export function addViewerRoutes(app: Hono, root: string = defaultViewerRoot): void {
  const page = serveStatic({ root, path: 'index.html' });
  const assets = serveStatic({ root, precompressed: true });
  const none = async () => {};
  // One handler per path, so that the route table (and the generated docs) list each path once.
  const viewPage: MiddlewareHandler = async (c) => {
    const found = await page(c, none);
    if (!found) return c.text(`The web viewer is not built (no ${path.join(root, 'index.html')}): run npm run build, which builds web/ into dist/web.\n`, 503);
    // The page names the current assets, so it is asked for again each time.
    found.headers.set('cache-control', 'no-cache');
    return found;
  };
  for (const p of viewerPaths) app.get(p, viewPage);
  app.get('/assets/*', async (c) => {
    const found = await assets(c, none);
    if (!found) return c.notFound();
    // Asset names carry a hash of their content: a name never changes meaning.
    found.headers.set('cache-control', c.req.path.endsWith('/licenses.txt') ? 'no-cache' : 'public, max-age=31536000, immutable');
    return found;
  });
}
