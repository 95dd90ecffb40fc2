/** Debian's headless Chromium through playwright-core (no browser download). */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { PAGE_FILES } from '../../src/server/web.js';

export const CHROMIUM = '/usr/bin/chromium';

/** A reason to skip browser tests, or false when Chromium is installed. */
export const NO_CHROMIUM: string | false = !existsSync(CHROMIUM) && 'no chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Copies the web page (its files and its bundle web/dist/) into `root`, to serve from there. */
export function copyWebPage(root: string): void {
  const web = fileURLToPath(new URL('../../../web/', import.meta.url));
  for (const file of [...PAGE_FILES, 'dist'])
    cpSync(join(web, file), join(root, file), { recursive: true });
}
