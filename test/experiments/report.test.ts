import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { bestEpoch, renderReport } from '../../src/experiments/report.js';
import { writeRunReport } from '../../src/experiments/report-files.js';
import { saveModel } from '../../src/io/model-dir.js';
import type { EpochRecord } from '../../src/models/sequential.js';
import { tempDir } from '../helpers/imdb-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  ...['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  ...['--disable-background-networking', '--disable-component-update', '--disable-sync'],
];

/** Curves of a run that overfits after epoch 3: training loss falls on, validation loss turns. */
function overfittingEpochs(n: number): EpochRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const e = i + 1;
    return {
      epoch: e,
      loss: 0.7 * Math.exp(-0.45 * i),
      accuracy: 1 - 0.45 * Math.exp(-0.5 * i),
      val_loss: 0.45 + 0.04 * (e - 3) ** 2 - 0.02 * (e > 3 ? 0 : 3 - e),
      val_accuracy: 0.86 - 0.004 * (e - 3) ** 2,
      seconds: 40 + (e % 3),
    };
  });
}

async function runDir(): Promise<string> {
  const dir = await tempDir('gated-report-');
  const model = buildSentimentModel({
    architecture: 'lstm',
    numWords: 50,
    maxlen: 10,
    embeddingDim: 4,
    units: 3,
    seed: 1,
    backend: createReferenceBackend('float32'),
  });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  await saveModel(model, dir, { training: { architecture: 'lstm', epochs: 12, lr: 0.001 } });
  const history = { epochs: overfittingEpochs(12), test: { loss: 0.61, accuracy: 0.852 } };
  await writeFile(join(dir, 'history.json'), JSON.stringify(history));
  return dir;
}

test('the best epoch is the lowest val_loss; no validation, no best epoch', () => {
  assert.equal(bestEpoch(overfittingEpochs(12))?.epoch, 3);
  assert.equal(bestEpoch([{ epoch: 1, loss: 1, seconds: 1 }]), null);
});

test('the report is one self-contained page: Chart.js inlined, no URL to fetch, text escaped', async () => {
  const html = renderReport({
    title: 'run <b>',
    epochs: overfittingEpochs(4),
    summary: 'Model: "sequential"',
    flags: { data: '</script><script>alert(1)</script>' },
  });
  assert.match(html, /Chart\.js v4/);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'no flag value closes a script');
  assert.match(html, /run &#60;b&#62;/);
  assert.match(html, /default-src 'none'/);
});

test('report.html renders in headless Chromium: the charts draw, no errors, no network', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.fail(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    t.skip(`${CHROMIUM} is not installed (apt-get install chromium); CI requires it`);
    return;
  }
  const dir = await runDir();
  const path = await writeRunReport(dir);
  const html = await readFile(path, 'utf8');
  // includes(), not match(): a failed match would print the 200 kB page.
  for (const text of [
    'best epoch (lowest val_loss)</dt><dd>3: val_loss 0.4500, val_accuracy 0.8600',
    'loss 0.6100, accuracy 0.8520',
    'lstm (LSTM)',
  ])
    assert.ok(html.includes(text), text);

  const context = await chromium.launchPersistentContext(await tempDir('gated-chromium-'), {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1200, height: 1400 },
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    const url = pathToFileURL(path).href;
    await page.goto(url, { waitUntil: 'load' });
    const canvases = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let inked = 0;
        const colours = new Set<string>();
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] === 0) continue;
          inked++;
          colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        }
        return { id: c.id, width: c.width, inked, colours: [...colours] };
      }),
    );
    assert.deepEqual(
      canvases.map((c) => c.id),
      ['loss', 'accuracy', 'time'],
    );
    for (const c of canvases) {
      assert.ok(c.width > 100, `${c.id} has a size`);
      assert.ok(c.inked > 2000, `${c.id} has drawn pixels (${c.inked})`);
    }
    for (const id of ['loss', 'accuracy']) {
      const { colours } = canvases.find((c) => c.id === id)!;
      // The train, validation and best-epoch lines in their colours (#1f77b4, #ff7f0e, #2ca02c).
      for (const rgb of ['31,119,180', '255,127,14', '44,160,44'])
        assert.ok(colours.includes(rgb), `${id} chart draws ${rgb}`);
    }
    const png = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

/** A report's text with the tags dropped, so phrases can be matched across elements. */
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const record = (epoch: number, valLoss: number): EpochRecord => ({
  epoch,
  loss: 0.5,
  accuracy: 0.8,
  val_loss: valLoss,
  val_accuracy: 0.7,
  seconds: 1,
});

test('an early-stopped run says so and names the restored epoch; flags follow the architecture', () => {
  const html = renderReport({
    title: 't',
    epochs: [0.6, 0.4, 0.5, 0.55, 0.6].map((v, i) => record(i + 1, v)),
    test: { loss: 0.4, accuracy: 0.8 },
    summary: '',
    flags: {
      architecture: 'lstm',
      epochs: 30,
      earlyStopping: 3,
      units: 64,
      filters: 128,
      kernelSize: 5,
    },
  });
  assert.match(
    text(html),
    /Early stopping fired after epoch 5 \(no lower val_loss for 3 epochs\) and restored the weights of epoch 2/,
  );
  assert.match(text(html), /early stopping fired after epoch 5; restored epoch 2/);
  assert.match(html, /<th>units<\/th>/);
  assert.doesNotMatch(html, /<th>(filters|kernelSize)<\/th>/);
  const cnn = renderReport({
    title: 't',
    epochs: [record(1, 0.6)],
    summary: '',
    flags: { architecture: 'cnn', epochs: 1, units: 64, filters: 128, kernelSize: 5 },
  });
  assert.doesNotMatch(cnn, /<th>units<\/th>/);
  assert.match(cnn, /<th>filters<\/th>/);
  assert.doesNotMatch(text(cnn), /overfits|Early stopping/);
  assert.match(text(cnn), /one epoch: nothing to compare it with yet/);
});
