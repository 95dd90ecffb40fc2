/**
 * The web page with several models (web/app.js, models.js, explain.js) in headless Chromium:
 * an LSTM and a CNN, plus one whose files are damaged, listed in models.json beside the page
 * (a static server) or served by `gated serve` (PredictionServer). Each model's
 * explanation, computed on the wasm backend, has the same numbers as Node's explain to 1e-5;
 * the damaged one says why while the others work; picking another model keeps the text and
 * redraws its facts and explanation; an example review is one click away; no console error, no
 * request outside the page's own files; no horizontal scrolling at phone width.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { Explanation } from '../../src/explain/index.js';
import { copyWebPage, launchChromium, NO_CHROMIUM } from '../helpers/chromium.js';
import { savedRun, TEXT } from '../helpers/explain-fixture.js';
import { tempDir } from '../helpers/imdb-fixture.js';
import { serveStatic } from '../../src/cli/static-server.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { PredictionServer } from '../../src/server/server.js';
import { webModels } from '../../src/server/web.js';

const FILES = ['model.json', 'weights.safetensors', 'vocab.json', 'history.json'];

/** The explanation of `name` on the page (gatedExplain), or null when the page has none. */
function explainOnPage(page: Page, name: string): Promise<Explanation | null> {
  return page.evaluate(
    async ({ text, name }) => {
      const g = await (
        window as unknown as {
          gatedExplain: Promise<{ explain(t: string, name: string): unknown } | null>;
        }
      ).gatedExplain;
      return g === null ? null : (g.explain(text, name) as Explanation);
    },
    { text: TEXT, name },
  );
}

describe('web page with several models in headless Chromium', { skip: NO_CHROMIUM }, () => {
  let root = '';
  const want: Record<string, Explanation> = {};
  let browser: Browser;

  before(async () => {
    root = await tempDir('gated-web-explain-');
    copyWebPage(root);
    for (const [name, accuracy] of [
      ['lstm', 0.8643],
      ['cnn', 0.8512],
    ] as const) {
      const run = await savedRun(name, createReferenceBackend('float32'));
      want[name] = run.e;
      cpSync(run.dir, join(root, 'models', name), { recursive: true });
      writeFileSync(
        join(root, 'models', name, 'history.json'),
        JSON.stringify({ epochs: [], test: { loss: 0.3, accuracy } }),
      );
    }
    // Served fine, but not a model: its row must say so.
    mkdirSync(join(root, 'models', 'damaged'));
    writeFileSync(join(root, 'models', 'damaged', 'model.json'), '{"format": "not-gated"}');
    writeFileSync(join(root, 'models', 'damaged', 'weights.safetensors'), 'x');
    const entry = (name: string, files: string[]) => ({ name, url: `models/${name}/`, files });
    writeFileSync(
      join(root, 'models.json'),
      JSON.stringify({
        models: [
          entry('lstm', FILES),
          entry('damaged', ['model.json', 'weights.safetensors']),
          entry('cnn', FILES),
        ],
      }),
    );
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  /** The page from a static server and models.json, or from `gated serve lstm damaged cnn`. */
  async function servePage(how: 'static' | 'gated serve') {
    if (how === 'static') return serveStatic(root, true);
    const dirs = ['lstm', 'damaged', 'cnn'].map((n) => join(root, 'models', n));
    const server = new PredictionServer({
      limits: DEFAULT_LIMITS,
      batching: { maxBatch: 8, maxWaitMs: 1, maxQueue: 64 },
      webModels: webModels(dirs),
      version: 'test',
    });
    const url = await server.listen(0, '127.0.0.1');
    return { url, close: () => server.close() };
  }

  for (const [width, how] of [
    [1200, 'static'],
    [390, 'gated serve'],
  ] as const) {
    test(`${width} px, ${how}: each model's numbers equal Node's, switching, examples, facts; no error, no foreign request`, async () => {
      const server = await servePage(how);
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
        page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
        page.on(
          'request',
          (r) => !r.url().startsWith(server.url) && problems.push(`request: ${r.url()}`),
        );
        await page.goto(server.url);
        const near = (a: readonly number[], b: readonly number[], what: string) => {
          assert.equal(a.length, b.length, what);
          a.forEach((v, i) =>
            assert.ok(Math.abs(v - b[i]) <= 1e-5, `${what}[${i}]: page ${v}, Node ${b[i]}`),
          );
        };
        for (const name of ['lstm', 'cnn']) {
          const got = await explainOnPage(page, name);
          assert.ok(got !== null, 'the page loaded its models');
          assert.equal(got.model.backend, 'wasm');
          near([got.output.value], [want[name].output.value], `${name} output`);
          near(got.attribution.values, want[name].attribution.values, `${name} attribution`);
          near(got.running.values, want[name].running.values, `${name} running`);
        }
        const lstm = (await explainOnPage(page, 'lstm')) as Explanation;
        near(
          lstm.recurrent[0].gates.forget.flat(),
          want.lstm.recurrent[0].gates.forget.flat(),
          'forget gate',
        );
        near(lstm.recurrent[0].cNorm ?? [], want.lstm.recurrent[0].cNorm ?? [], '‖c‖');

        // One row per model, in the given order; the damaged one says why, the others predict.
        const rows = await page.$$eval('#models .model', (r) =>
          r.map((row) => row.textContent ?? ''),
        );
        assert.equal(rows.length, 3);
        assert.match(rows[0], /^lstm(positive|negative) \(P\(positive\) = 0\.\d{4}\)$/);
        assert.match(rows[1], /^damagedcould not load: .*model\.json/);
        assert.match(rows[2], /^cnn(positive|negative) \(P\(positive\) = 0\.\d{4}\)$/);
        assert.match((await page.textContent('#status')) ?? '', /2 of 3 model\(s\) loaded/);

        const facts = async () => (await page.textContent('#facts')) ?? '';
        for (const fact of ['Embedding → LSTM(5) → Dense(1)', 'test accuracy0.8643', '16 ids'])
          assert.ok((await facts()).includes(fact), `${fact} in ${await facts()}`);
        await page.click('#examples button >> text=not bad at all');
        assert.equal(await page.inputValue('#review'), 'not bad at all');
        assert.deepEqual(
          await page.$$eval('#explanation .tok', (n) => n.map((c) => c.textContent)),
          ['<start>', 'not', 'bad', '<oov:at>', '<oov:all>'],
        );
        // Pick the CNN: same text, its facts and its explanation.
        await page.click('#models button >> text=cnn');
        assert.equal(await page.inputValue('#review'), 'not bad at all');
        assert.ok((await facts()).includes('Conv1D(6)'), await facts());
        assert.ok((await facts()).includes('test accuracy0.8512'), await facts());
        assert.match((await page.textContent('#explanation')) ?? '', /filter/i);
        assert.equal(await page.getAttribute('#models .picked button', 'aria-pressed'), 'true');
        assert.equal(await page.textContent('#models .picked button'), 'cnn');
        assert.equal(await page.isDisabled('#models button >> text=damaged'), true);

        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
        if (process.env.GATED_SCREENSHOTS)
          await page.screenshot({
            path: join(process.env.GATED_SCREENSHOTS, `web-models-${width}.png`),
            fullPage: true,
          });
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
        await server.close();
      }
    });
  }
});
