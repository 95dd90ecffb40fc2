/**
 * The web page (web/) in headless Chromium: it loads a model saved by Node over fetch and
 * predicts on the wasm backend the same probabilities as Node (to 1e-5), with threads (a
 * cross-origin isolated page) and on the single-thread fallback (no COOP/COEP headers).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import { DEFAULT_VECTORIZATION, TextVectorization } from '../../src/text/text-vectorization.js';
import { copyWebPage, launchChromium, NO_CHROMIUM } from '../helpers/chromium.js';
import { saveTinyModel } from '../helpers/tiny-sentiment-model.js';
import { serveStatic } from '../../src/cli/static-server.js';

const REVIEWS = [
  'a wonderful film, great acting and a lovely story',
  'awful, boring and far too long; the worst film this year',
  'not bad',
  'great great great',
  '',
];

describe('web page in headless Chromium', { skip: NO_CHROMIUM }, () => {
  let root = '';
  let browser: Browser;
  let want: number[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'gated-web-'));
    copyWebPage(root);
    await saveTinyModel(join(root, 'model'));
    const classifier = await TextClassifier.load(join(root, 'model'), createReferenceBackend());
    want = [...classifier.probabilities(REVIEWS).data];
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * Runs `use` on a fresh page (a new context: nothing cached between runs) of the served root,
   * its page errors collected, and closes both after.
   */
  async function onPage(
    isolate: boolean,
    use: (page: Page, errors: string[], url: string) => Promise<void>,
  ): Promise<void> {
    const server = await serveStatic(root, isolate);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await use(page, errors, server.url);
    } finally {
      await context.close();
      await server.close();
    }
  }

  for (const isolate of [true, false]) {
    test(`${isolate ? 'cross-origin isolated: threads' : 'no isolation: one thread'}; same probabilities as Node`, async () => {
      await onPage(isolate, async (page, errors, url) => {
        await page.goto(url);
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
      });
    });
  }

  test('?model=URL, repeated: one row per model, names made unique, each predicting', async () => {
    await onPage(false, async (page, errors, url) => {
      await page.goto(`${url}?model=model/&model=${encodeURIComponent(`${url}model`)}`);
      const got = await page.evaluate(async (text) => {
        const g = await (
          window as unknown as {
            gated: Promise<{ predictions(t: string): Record<string, number[]> }>;
          }
        ).gated;
        return g.predictions(text);
      }, REVIEWS[0]);
      assert.deepEqual(Object.keys(got), ['model', 'model-2']);
      for (const [name, [p]] of Object.entries(got))
        assert.ok(Math.abs(p - want[0]) <= 1e-5, `${name}: page ${p}, Node ${want[0]}`);
      assert.equal((await page.$$('#models .model')).length, 2);
      assert.deepEqual(errors, []);
    });
  });

  test('the browser bundle gives the same ids as Node for the same text (TextVectorization)', async () => {
    const texts = [
      ...REVIEWS,
      "Don't <br />STOP — it's ÉLAN, end-to-end!",
      'ﬁne straße İstanbul ß 🎬 tab\there',
      'a b c a b',
    ];
    const vectorization = TextVectorization.adapt(texts.slice(0, 4), {
      ...DEFAULT_VECTORIZATION,
      outputSequenceLength: 9,
      ngrams: 2,
      padding: 'post',
    });
    const server = await serveStatic(root, false);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      const got = await page.evaluate(
        async ({ json, texts }) => {
          // A variable, so TypeScript leaves the page's module path alone.
          const bundle = './dist/gated.js';
          const g = (await import(bundle)) as {
            TextVectorization: { fromJSON(j: unknown): { encode(t: string[]): Int32Array } };
          };
          return Array.from(g.TextVectorization.fromJSON(json).encode(texts));
        },
        { json: vectorization.toJSON(), texts },
      );
      assert.deepEqual(got, Array.from(vectorization.encode(texts)));
      assert.ok(
        got.some((id) => id > 1),
        'some words are in the vocabulary',
      );
    } finally {
      await context.close();
      await server.close();
    }
  });
});
