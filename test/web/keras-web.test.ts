/**
 * Keras 3 `.keras` files imported in headless Chromium (web/dist/gated-keras.js: h5wasm's browser
 * build, loaded only when a file is imported): the models made by real Keras predict Keras's own
 * numbers to 1e-5 on the wasm backend, and the page's file input adds one to the models it shows.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { copyWebPage, launchChromium, NO_CHROMIUM } from '../helpers/chromium.js';
import { tempDir } from '../helpers/imdb-fixture.js';
import { fixtureBytes, KERAS_FIXTURES, kerasFixtures } from '../helpers/keras-fixtures.js';
import { saveTinyModel } from '../helpers/tiny-sentiment-model.js';
import { serveStatic } from '../../src/cli/static-server.js';

/** One of each layer kind the import reads: recurrent (masked, bidirectional, stacked), CNN, Dense. */
const CHOSEN = ['lstm_masked', 'gru_reset_after', 'bilstm_concat', 'stacked', 'conv1d_pooling'];

interface PageGated {
  importKeras(bytes: Uint8Array, name: string): Promise<{ name: string }>;
  entries: { name: string; model: { predict(x: unknown): { data: Float32Array } } }[];
  predictions(text: string): Record<string, number[] | string>;
}

/** Imports the bytes on the page, then predicts the id rows with the imported model. */
function importAndPredict(page: Page, name: string, bytes: Uint8Array, ids: number[][]) {
  return page.evaluate(
    async ({ name, bytes, ids }) => {
      const g = await (window as unknown as { gated: Promise<PageGated> }).gated;
      const entry = await g.importKeras(Uint8Array.from(bytes), name);
      const bundle = './dist/gated.js'; // a variable, so TypeScript leaves the path alone
      const { Tensor } = (await import(bundle)) as {
        Tensor: new (data: Float32Array, shape: number[]) => unknown;
      };
      const model = g.entries.find((e) => e.name === entry.name)!.model;
      const x = new Tensor(Float32Array.from(ids.flat()), [ids.length, ids[0].length]);
      const out = Array.from(model.predict(x).data);
      const width = out.length / ids.length;
      return ids.map((_, i) => out.slice(i * width, (i + 1) * width));
    },
    { name, bytes: Array.from(bytes), ids },
  );
}

describe('Keras import in headless Chromium', { skip: NO_CHROMIUM }, () => {
  let root = '';
  let browser: Browser;

  before(async () => {
    root = await tempDir('gated-web-keras-');
    copyWebPage(root);
    await saveTinyModel(join(root, 'models', 'tiny'));
    const files = ['model.json', 'weights.safetensors', 'vocab.json'];
    writeFileSync(
      join(root, 'models.json'),
      JSON.stringify({ models: [{ name: 'tiny', url: 'models/tiny/', files }] }),
    );
    cpSync(new URL('lstm_masked.keras', KERAS_FIXTURES), join(root, 'lstm_masked.keras'));
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  test("imported fixtures predict Keras's numbers to 1e-5; the HDF5 bundle loads only then", async () => {
    const server = await serveStatic(root, true);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requested: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(server.url);
      await page.evaluate(() => (window as unknown as { gated: Promise<unknown> }).gated);
      assert.ok(!requested.some((u) => u.endsWith('/gated-keras.js')), 'not loaded up front');
      const fixtures = kerasFixtures().filter((f) => CHOSEN.includes(f.name));
      assert.equal(fixtures.length, CHOSEN.length);
      for (const f of fixtures) {
        const got = await importAndPredict(
          page,
          `${f.name}.keras`,
          fixtureBytes(`${f.name}.keras`),
          f.ids,
        );
        got.forEach((row, i) =>
          row.forEach((v, j) => {
            const keras = f.predictions[i][j];
            assert.ok(
              Math.abs(v - keras) <= 1e-5,
              `${f.name}[${i}][${j}]: page ${v}, Keras ${keras}`,
            );
          }),
        );
      }
      // A model with a TextVectorization: the page turns Keras's texts into Keras's numbers.
      const text = JSON.parse(
        readFileSync(new URL('text/text_vectorization_bigrams.json', KERAS_FIXTURES), 'utf8'),
      ) as { texts: string[]; predictions: number[][] };
      const fromText = await page.evaluate(
        async ({ bytes, texts }) => {
          const g = await (window as unknown as { gated: Promise<PageGated> }).gated;
          const entry = await g.importKeras(Uint8Array.from(bytes), 'text.keras');
          return texts.map((t) => g.predictions(t)[entry.name] as number[]);
        },
        {
          bytes: Array.from(fixtureBytes('text/text_vectorization_bigrams.keras')),
          texts: text.texts,
        },
      );
      fromText.forEach((row, i) =>
        row.forEach((v, j) => {
          const keras = text.predictions[i][j];
          assert.ok(Math.abs(v - keras) <= 1e-5, `text ${i}[${j}]: page ${v}, Keras ${keras}`);
        }),
      );
      assert.ok(requested.some((u) => u.endsWith('/gated-keras.js')));
      assert.ok(
        requested.every((u) => u.startsWith(server.url)),
        requested.join(', '),
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await server.close();
    }
  });

  test('the file input adds the model: typed ids predict and explain; a bad file says why', async () => {
    const server = await serveStatic(root, true);
    const context = await browser.newContext({ viewport: { width: 390, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await page.evaluate(() => (window as unknown as { gated: Promise<unknown> }).gated);
      await page.setInputFiles('#keras-file', join(root, 'lstm_masked.keras'));
      await page.waitForFunction(() =>
        /Imported|Could not/.test(document.getElementById('status')?.textContent ?? ''),
      );
      assert.equal(await page.textContent('#status'), 'Imported lstm_masked.keras.');
      assert.equal(await page.textContent('#models .picked button'), 'lstm_masked.keras');
      const f = kerasFixtures().find((x) => x.name === 'lstm_masked')!;
      await page.fill('#review', f.ids[1].join(' '));
      await page.click('#predict');
      assert.equal(await page.textContent('#result'), `output ${f.predictions[1][0].toFixed(4)}`);
      // The explanation shows the ids after the padding (the model has no vocabulary).
      const tokens = await page.$$eval('#explanation .tok', (n) => n.map((c) => c.textContent));
      assert.deepEqual(tokens.slice(1), ['#9', '#11', '#6', '#18']);
      // The tiny model still predicts text.
      assert.match((await page.textContent('#models')) ?? '', /tiny(positive|negative)/);

      writeFileSync(join(root, 'broken.keras'), 'PK\u0003\u0004 not really a zip');
      await page.setInputFiles('#keras-file', join(root, 'broken.keras'));
      await page.waitForFunction(() =>
        /Could not import broken/.test(document.getElementById('status')?.textContent ?? ''),
      );
      assert.match(
        (await page.textContent('#status')) ?? '',
        /broken\.keras: damaged or truncated zip/,
      );
    } finally {
      await context.close();
      await server.close();
    }
  });
});
