/**
 * `npm test` runs this first (the `pretest` script): the web viewer's browser tests drive Debian's
 * Chromium at /usr/bin/chromium, so when it is missing it is installed from Debian's packages
 * (`apt-get update && apt-get install -y chromium`). No browser is downloaded from anywhere else.
 * Without root or apt-get it says what to run, and the browser tests fail saying the same.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from '../web/testing/browser.js';

if (!existsSync(chromiumPath)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    process.stderr.write(`meshlog: the browser tests need ${chromiumPath}; install it with: sudo apt-get update && sudo apt-get install -y chromium\n`);
    process.exit(1);
  }
  process.stderr.write(`meshlog: ${chromiumPath} is missing; installing Debian's chromium package for the browser tests\n`);
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  // Another apt-get on the machine holds the lock for a while: wait for it rather than fail.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  apt([...wait, 'update']);
  apt([...wait, 'install', '-y', 'chromium']);
  if (!existsSync(chromiumPath)) {
    process.stderr.write(`meshlog: apt-get installed chromium, but ${chromiumPath} is still missing\n`);
    process.exit(1);
  }
}
