/**
 * Every TypeScript / JavaScript block of README.md runs as written. Blocks that import 'gated'
 * read top to bottom like one program (a later block continues an earlier one), so they are
 * joined, transpiled and run in Node from a temp directory where 'gated' is this package and
 * $GATED_IMDB is a tiny generated archive. Blocks that import './gated.js' are browser code: they
 * run as a module script of a page served with the bundle (web/dist) and a saved model/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { fixtureReviews, writeArchive } from '../helpers/imdb-fixture.js';
import { saveTinyModel } from '../helpers/tiny-sentiment-model.js';
import { serveStatic } from '../../src/cli/static-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'gated-readme-'));
after(() => rmSync(work, { recursive: true, force: true }));

const blocks = [
  ...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(
    /^```(ts|typescript|js|javascript)\n([^]*?)^```$/gm,
  ),
].map((m) => m[2]);
const inBrowser = (code: string): boolean => /from '\.\/gated\.js'/.test(code);

test('README has library and browser snippets', () => {
  assert.ok(blocks.filter((b) => !inBrowser(b)).length >= 2);
  assert.ok(blocks.some(inBrowser));
  for (const b of blocks)
    assert.match(b, /from '(gated|\.\/gated\.js)'/, 'every block imports gated');
});

test('the library snippets run in Node, in order, as one program', async () => {
  const app = join(work, 'node');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(app, 'node_modules', 'gated'), 'dir');
  const source = blocks.filter((b) => !inBrowser(b)).join('\n');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(app, 'readme.mjs'), outputText);
  // The "Your own texts" snippet loads the run its shell block trains: train it the same way.
  const rows = Array.from({ length: 30 }, (_, i) => {
    const [stars, words] = [
      ['1', 'broke at once, awful'],
      ['3', 'fine, nothing special'],
      ['5', 'great value, arrived on time'],
    ][i % 3];
    return `"${words} ${i}",${stars}`;
  });
  writeFileSync(join(app, 'reviews.csv'), ['body,stars', ...rows].join('\n') + '\n');
  const stars = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'train', '--data', 'reviews.csv'].concat([
      '--text-column',
      'body',
      '--label-column',
      'stars',
      '--epochs',
      '1',
      '--out',
      'runs/stars',
    ]),
    { cwd: app, encoding: 'utf8', env: { ...process.env, GATED_BACKEND: 'reference' } },
  );
  assert.equal(stars.status, 0, stars.stderr);
  const archive = await writeArchive(work, fixtureReviews(16));
  const r = spawnSync(process.execPath, ['readme.mjs'], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, GATED_IMDB: archive, GATED_CACHE: join(work, 'cache') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Total params: 1,329,473/);
  assert.match(r.stdout, /Epoch 2\/2\n/, 'verbose: 1 prints progress');
  assert.match(r.stdout, /^\[ [\d.]+, [\d.]+ \]$/m, 'history.history.val_loss, two epochs');
  assert.ok(existsSync(join(app, 'runs', 'library-model', 'weights.safetensors')));
  assert.ok(existsSync(join(app, 'runs', 'log.csv')), 'the callbacks snippet ran');
});

test(
  'the browser snippet runs in a page next to the bundle',
  { skip: !existsSync(CHROMIUM) && 'no chromium' },
  async () => {
    const site = join(work, 'site');
    cpSync(join(ROOT, 'web', 'dist'), site, { recursive: true });
    await saveTinyModel(join(site, 'model'));
    const [snippet] = blocks.filter(inBrowser);
    writeFileSync(
      join(site, 'index.html'),
      `<!doctype html><script type="module">\n${snippet}\n</script>\n`,
    );
    const server = await serveStatic(site, true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const logged = page.waitForEvent('console', (m) => m.type() === 'log');
      await page.goto(server.url);
      const message = await logged;
      assert.deepEqual(errors, []);
      assert.match(message.text(), /^wasm-(relaxed-)?simd \d+ 0\.\d+/);
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
