#!/usr/bin/env node
/* global process */
/**
 * Renders every chart of gated's HTML pages (compare.html, gradients.html, report.html) to PNG
 * with headless Chromium, for the README's images:
 *
 *   node scripts/render-images.mjs --out docs/images runs/compare/compare.html runs/gradients/gradients.html
 *
 * writes docs/images/<page>-<chart id>.png (e.g. compare-by-length.png). Needs playwright-core
 * (a dev dependency) and a Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const at = args.indexOf('--out');
const out = at >= 0 ? args[at + 1] : 'docs/images';
const pages = args.filter((_, i) => i !== at && i !== at + 1);
if (pages.length === 0 || out === undefined) {
  process.stderr.write('usage: node scripts/render-images.mjs [--out DIR] PAGE.html…\n');
  process.exit(2);
}
await mkdir(out, { recursive: true });

const context = await chromium.launchPersistentContext(
  await mkdtemp(join(tmpdir(), 'gated-images-')),
  {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // No network, no background services: the pages are self-contained.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
    headless: true,
    viewport: { width: 1100, height: 1000 },
    deviceScaleFactor: 2,
  },
);
try {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const file of pages) {
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
    if (errors.length > 0) throw new Error(`${file}: ${errors.join('; ')}`);
    const name = basename(file, extname(file));
    for (const chart of await page.locator('div.chart').all()) {
      const id = await chart.locator('canvas').getAttribute('id');
      const path = join(out, `${name}-${id}.png`);
      await chart.screenshot({ path });
      process.stdout.write(`${path}\n`);
    }
  }
} finally {
  await context.close();
}
