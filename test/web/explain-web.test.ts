/**
 * The web page's explanation (web/explain.js) in headless Chromium: computed on the wasm
 * backend, the same numbers as Node's explain to 1e-5; an example review is one click away;
 * model facts shown; no console error, no request outside the page's own files; no horizontal
 * scrolling at phone width.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { Explanation } from '../../src/explain/index.js';
import { savedRun, TEXT } from '../helpers/explain-fixture.js';
import { tempDir } from '../helpers/imdb-fixture.js';
import { serveStatic } from '../../src/cli/static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB = new URL('../../../web/', import.meta.url).pathname;

describe(
  'web page explanation in headless Chromium',
  { skip: !existsSync(CHROMIUM) && 'no chromium' },
  () => {
    let root = '';
    let want: Explanation;
    let browser: Browser;

    before(async () => {
      root = await tempDir('gated-web-explain-');
      for (const file of ['index.html', 'app.js', 'explain.js', 'dist'])
        cpSync(join(WEB, file), join(root, file), { recursive: true });
      const run = await savedRun('lstm', createReferenceBackend('float32'));
      want = run.e;
      cpSync(run.dir, join(root, 'model'), { recursive: true });
      writeFileSync(
        join(root, 'model', 'history.json'),
        JSON.stringify({ epochs: [], test: { loss: 0.3, accuracy: 0.8643 } }),
      );
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
      });
    });
    after(async () => browser?.close());

    for (const width of [1200, 390]) {
      test(`${width} px: same numbers as Node, examples, facts; no error, no foreign request`, async () => {
        const server = await serveStatic(root, true);
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
          const got = await page.evaluate(async (text) => {
            const g = await (
              window as unknown as { gatedExplain: Promise<{ explain(t: string): unknown } | null> }
            ).gatedExplain;
            return g === null ? null : (g.explain(text) as Explanation);
          }, TEXT);
          assert.ok(got !== null, 'the page loaded its model');
          assert.equal(got.model.backend, 'wasm');
          const near = (a: readonly number[], b: readonly number[], what: string) =>
            a.forEach((v, i) =>
              assert.ok(Math.abs(v - b[i]) <= 1e-5, `${what}[${i}]: page ${v}, Node ${b[i]}`),
            );
          near([got.output.value], [want.output.value], 'output');
          near(got.running.values, want.running.values, 'running');
          near(got.attribution.values, want.attribution.values, 'attribution');
          near(
            got.recurrent[0].gates.forget.flat(),
            want.recurrent[0].gates.forget.flat(),
            'forget gate',
          );
          near(got.recurrent[0].cNorm ?? [], want.recurrent[0].cNorm ?? [], '‖c‖');

          const facts = (await page.textContent('#facts')) ?? '';
          for (const fact of ['Embedding → LSTM(5) → Dense(1)', 'test accuracy0.8643', '16 ids'])
            assert.ok(facts.includes(fact), `${fact} in ${facts}`);
          await page.click('#examples button >> text=not bad at all');
          assert.equal(await page.inputValue('#review'), 'not bad at all');
          assert.deepEqual(
            await page.$$eval('#explanation .tok', (n) => n.map((c) => c.textContent)),
            ['<start>', 'not', 'bad', '<oov:at>', '<oov:all>'],
          );
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
          await server.close();
        }
      });
    }
  },
);
