/**
 * explain.html and `gated explain`: the page renders in headless Chromium at desktop and phone
 * width with no console error and no request beyond the page itself; the CLI writes the page
 * and prints the JSON of the README's schema.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { renderExplainPage } from '../../src/experiments/explain-page.js';
import type { Explanation } from '../../src/explain/index.js';
import { CLI } from '../helpers/cli-child.js';
import { savedRun, TEXT } from '../helpers/explain-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
describe('gated explain', () => {
  it('writes explain.html and prints the JSON explanation', async () => {
    const { dir, e } = await savedRun('lstm');
    const out = join(dir, 'page.html');
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [
      CLI,
      'explain',
      dir,
      TEXT,
      '--json',
      '--out',
      out,
    ]);
    const json = JSON.parse(stdout) as Explanation;
    assert.equal(json.format, 'gated-explanation');
    assert.equal(json.tokens.length, 24);
    assert.equal(json.recurrent[0].gates.forget.length, 24);
    assert.ok(Math.abs(json.output.value - e.output.value) < 1e-5);
    assert.equal(json.attribution.completeness.ok, true);
    const html = await readFile(out, 'utf8');
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    await assert.rejects(
      run(process.execPath, [CLI, 'explain', join(dir, 'missing'), 'text']),
      (err: { stderr: string; code: number }) =>
        err.code === 1 && /^gated: .*missing.*\n$/.test(err.stderr),
    );
  });

  it('escapes the text: a review cannot end the page script', async () => {
    const { e } = await savedRun('lstm');
    const html = renderExplainPage({ ...e, text: '</script><script>alert(1)</script>' });
    assert.equal(html.match(/<\/script>/g)?.length, 2);
  });
});

describe(
  'explain.html in headless Chromium',
  { skip: !existsSync(CHROMIUM) && 'no chromium' },
  () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
      });
    });
    after(async () => browser?.close());

    for (const [architecture, width] of [
      ['lstm', 1200],
      ['lstm', 390],
      ['cnn', 390],
    ] as const) {
      it(`${architecture} at ${width} px: draws, hovers, sorts; no error, no request`, async () => {
        const { dir, e } = await savedRun(architecture);
        const path = join(dir, 'explain.html');
        await writeFile(path, renderExplainPage(e));
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        try {
          const page = await context.newPage();
          const problems: string[] = [];
          const url = pathToFileURL(path).href;
          page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
          page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
          page.on('request', (r) => r.url() !== url && problems.push(`request: ${r.url()}`));
          await page.goto(url, { waitUntil: 'load' });

          const shown = e.tokens.filter((t) => t.kind !== 'pad');
          const chips = await page.$$eval('.tok', (nodes) =>
            nodes.map((n) => ({
              text: n.textContent,
              background: getComputedStyle(n).backgroundColor,
            })),
          );
          assert.deepEqual(
            chips.map((c) => c.text),
            shown.map((t) => t.text),
          );
          const attr = e.attribution.values.slice(e.tokens.length - shown.length);
          const rgb = (i: number) => chips[i].background.match(/\d+/g)!.map(Number);
          const top = attr.indexOf(Math.max(...attr));
          const bottom = attr.indexOf(Math.min(...attr));
          assert.ok(
            rgb(top)[2] > rgb(top)[0],
            `most positive token is blue: ${chips[top].background}`,
          );
          assert.ok(
            rgb(bottom)[0] > rgb(bottom)[2],
            `most negative token is red: ${chips[bottom].background}`,
          );

          await page.hover(`.tok[data-i="${top}"]`);
          const detail = (await page.textContent('.detail')) ?? '';
          assert.ok(detail.includes(attr[top].toFixed(4)), detail);

          const inked = () =>
            page.$$eval('canvas', (cs) =>
              cs.map((c) => {
                const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
                const colours = new Set<number>();
                for (let i = 0; i < data.length; i += 4)
                  if (data[i + 3] > 0)
                    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
                return colours.size;
              }),
            );
          const counts = await inked();
          assert.equal(
            counts.length,
            architecture === 'lstm' ? 4 : 1,
            'running, heatmap, norms, gates',
          );
          assert.ok(
            counts.every((n) => n > 3),
            `every canvas is drawn: ${counts.join(', ')}`,
          );
          if (architecture === 'lstm') {
            await page.selectOption('select[aria-label="sort units by"]', 'mean');
            await page.selectOption('select[aria-label="activation"]', 'h');
            assert.ok((await inked())[1] > 3);
          } else {
            assert.equal(await page.$$eval('table tr', (rows) => rows.length), 1 + 6);
          }
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      });
    }
  },
);
