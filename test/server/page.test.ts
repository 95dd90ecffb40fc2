/**
 * The web page served by `gated serve`, in headless Chromium: cross-origin isolated by the
 * server's COOP/COEP headers, so the wasm kernels run on every thread, and predicting what Node
 * predicts from the model files the server hands it.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import { WEB_ROOT } from '../../src/server/web.js';
import { launchChromium, NO_CHROMIUM } from '../helpers/chromium.js';
import { startServer, type Started } from './start-server.js';

const REVIEWS = ['a wonderful film, great and lovely', 'awful boring worst film', ''];

describe('the page of gated serve in headless Chromium', { skip: NO_CHROMIUM }, () => {
  let s: Started;
  let browser: Browser;
  before(async () => {
    s = await startServer({ web: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('crossOriginIsolated, every thread, the same probabilities as Node', async () => {
    // P(positive): the binary model's one output.
    const classifier = await TextClassifier.load(s.dir, createReferenceBackend());
    const want = [...classifier.probabilities(REVIEWS).data];
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(s.url);
      const got = await page.evaluate(async (texts) => {
        const g = await (
          window as unknown as {
            gated: Promise<{ predict(t: string[]): number[]; threads: number }>;
          }
        ).gated;
        return { p: g.predict(texts), threads: g.threads, isolated: self.crossOriginIsolated };
      }, REVIEWS);
      assert.deepEqual(errors, []);
      assert.equal(got.isolated, true);
      assert.equal(got.threads, availableParallelism());
      got.p.forEach((p, i) => assert.ok(Math.abs(p - want[i]) <= 1e-5, `${i}: ${p} vs ${want[i]}`));
      await page.click('#predict');
      assert.match((await page.textContent('#result')) ?? '', /P\(positive\) = 0\.\d{4}/);
    } finally {
      await context.close();
    }
  });
});

describe('the page opened from disk', { skip: NO_CHROMIUM }, () => {
  test('says why it cannot load and what to run', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(WEB_ROOT, 'index.html')).href);
      assert.match(
        (await page.textContent('#status')) ?? '',
        /opened from a file.*npx gated serve/,
      );
    } finally {
      await browser.close();
    }
  });
});
