/**
 * Debian's Chromium driven by playwright-core, for the viewer's browser tests. Nothing is
 * downloaded: the browser is `/usr/bin/chromium` from the `chromium` package, which `npm test`
 * installs when it is missing (`scripts/ensure-chromium.ts`). Each launch gets a fresh profile.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of the browser tests: a git-ignored folder at the top of the checkout. */
export const artifactsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'web');

export interface Browser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  /** Saves a full-page screenshot as `test-artifacts/web/NAME.png`. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${chromiumPath}; npm test installs it (scripts/ensure-chromium.ts), or run: apt-get update && apt-get install -y chromium`,
    );
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'meshlog-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1400, height: 900 },
  });
  mkdirSync(artifactsDir, { recursive: true });
  return {
    context,
    newPage: () => context.newPage(),
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: false });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
