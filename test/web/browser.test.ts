/**
 * The web page (web/) in headless Chromium: it loads a model saved by Node over fetch and
 * predicts on the wasm backend the same probabilities as Node (to 1e-5), with threads (a
 * cross-origin isolated page) and on the single-thread fallback (no COOP/COEP headers).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { SentimentClassifier } from '../../src/experiments/sentiment.js';
import { saveTinyModel } from '../helpers/tiny-sentiment.js';
import { serveStatic } from '../../src/cli/static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB = new URL('../../../web/', import.meta.url).pathname;
const REVIEWS = [
  'a wonderful film, great acting and a lovely story',
  'awful, boring and far too long; the worst film this year',
  'not bad',
  'great great great',
  '',
];

describe('web page in headless Chromium', { skip: !existsSync(CHROMIUM) && 'no chromium' }, () => {
  let root = '';
  let browser: Browser;
  let want: number[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'gated-web-'));
    for (const file of ['index.html', 'app.js', 'dist'])
      cpSync(join(WEB, file), join(root, file), { recursive: true });
    await saveTinyModel(join(root, 'model'));
    const classifier = await SentimentClassifier.load(
      join(root, 'model'),
      createReferenceBackend(),
    );
    want = classifier.predict(REVIEWS).map((p) => p.probability);
    browser = await chromium.launch({
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
  });

  after(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const isolate of [true, false]) {
    test(`${isolate ? 'cross-origin isolated: threads' : 'no isolation: one thread'}; same probabilities as Node`, async () => {
      const server = await serveStatic(root, isolate);
      // A fresh profile per page (a new context), so nothing is cached between the two runs.
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(server.url);
        const got = await page.evaluate(async (texts) => {
          const g = await (
            window as unknown as {
              gated: Promise<{ predict(t: string[]): number[]; threads: number; variant: string }>;
            }
          ).gated;
          return { p: g.predict(texts), threads: g.threads, variant: g.variant };
        }, REVIEWS);
        assert.deepEqual(errors, []);
        if (isolate) assert.equal(got.threads, availableParallelism());
        else assert.equal(got.threads, 1);
        assert.match(got.variant, /^wasm-(relaxed-)?simd$/);
        got.p.forEach((p, i) => {
          assert.ok(Math.abs(p - want[i]) <= 1e-5, `review ${i}: page ${p}, Node ${want[i]}`);
        });
        // The page itself: type a review, press the button.
        await page.fill('#review', REVIEWS[0]);
        await page.click('#predict');
        assert.match((await page.textContent('#result')) ?? '', /P\(positive\) = 0\.\d{4}/);
      } finally {
        await context.close();
        await server.close();
      }
    });
  }

  test('opened from disk (file://), the page says why it cannot load and what to run', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`file://${join(root, 'index.html')}`);
      await page.waitForFunction(
        () => !/Loading/.test(document.getElementById('status')!.textContent!),
      );
      const status = (await page.textContent('#status')) ?? '';
      assert.match(status, /file:\/\/ URLs/);
      assert.match(status, /npm run serve:web/);
    } finally {
      await page.close();
    }
  });
});
