// Headless Chromium through playwright-core, with the flags FIELD-NOTES gives for this machine,
// a fresh profile per run, and screenshots written as test artifacts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlaywright } from './deps.js';
import { childPids, tempDir } from './processes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Two pages are open at once in one test; the one in the background must not be throttled.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows'];

export const ARTIFACTS = process.env.LEVAIN_WEB_ARTIFACTS ?? path.join(os.tmpdir(), 'levain-web-artifacts');

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-deps --with-browser`);
  }
  const { chromium } = loadPlaywright();
  const profile = tempDir('levain-chromium-');
  const before = new Set(childPids());
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 1300 },
  });
  const browserPids = childPids().filter((p) => !before.has(p));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      return page;
    },
    // Viewport only by default: a full-page shot of a page that grows re-lays it out, which is slow.
    screenshot: (page, name, { fullPage = false } = {}) =>
      page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage }),
    async close() {
      await context.close();
      // Playwright ends Chromium on close; whatever is left of it is ended here, by PID.
      for (const pid of browserPids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
