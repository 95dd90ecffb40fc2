/**
 * `gated serve` as a user runs it (a child process): its predictions are `gated predict`'s numbers,
 * and SIGTERM with requests in flight answers every one of them, then exits 0.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI, startGated, type Child } from '../helpers/cli-child.js';
import { saveTinyModel } from '../helpers/tiny-sentiment-model.js';
import { call } from './start-server.js';

const REVIEWS = [
  'a wonderful film, great and lovely',
  'awful boring worst film',
  'not bad',
  'great',
];
/** More than `gated predict`'s 32 rows per pass: the server's one pass must give the same bits. */
const MANY = Array.from(
  { length: 40 },
  (_, i) => `${REVIEWS[i % 4]} ${'great '.repeat(i % 7)}film`,
);

async function serve(dir: string, flags: string[] = []): Promise<{ child: Child; url: string }> {
  const child = startGated(['serve', dir, '--port', '0', ...flags], process.env);
  const [, url] = await child.waitFor(/Serving .* at (http:\S+)/);
  return { child, url };
}

describe('gated serve (the CLI)', () => {
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gated-serve-cli-'));
    await saveTinyModel(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('predictions equal `gated predict --json`, 40 reviews in one request', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'predict',
      dir,
      '--json',
      ...MANY,
    ]);
    const want = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { label: string; scores: { label: string; probability: number }[] },
      );
    const { child, url } = await serve(dir);
    try {
      const answer = await call(`${url}v1/predict`, { json: { texts: MANY } });
      assert.equal(answer.status, 200);
      const { predictions } = answer.body as {
        predictions: { label: string; probabilities: { positive: number } }[];
      };
      assert.equal(predictions.length, want.length);
      predictions.forEach((p, i) => {
        const positive = want[i].scores.find((c) => c.label === 'positive')?.probability;
        assert.equal(p.probabilities.positive, positive, MANY[i]);
        assert.equal(p.label, want[i].label);
      });
    } finally {
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
    }
  });

  test('SIGTERM with requests in flight: every one is answered, then exit 0', async () => {
    // Requests wait in the queue (no batch runs until shutdown drains it).
    const { child, url } = await serve(dir, ['--max-wait-ms', '3600000', '--max-batch', '1000']);
    const inFlight = REVIEWS.map((text) => call(`${url}v1/predict`, { json: { texts: [text] } }));
    // Wait until the server holds all of them (each check is one request: no sleeping).
    for (;;) {
      const metrics = (await call(`${url}metrics`)).body as string;
      if (new RegExp(`^gated_queue_depth ${REVIEWS.length}$`, 'm').test(metrics)) break;
    }
    child.process.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((a) => a.status),
      REVIEWS.map(() => 200),
    );
    assert.equal(await child.exited, 0);
    assert.match(child.stdout(), /SIGTERM: finishing the requests in flight\nstopped\n/);
  });

  test('a directory without a model: one error line, exit 1', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gated-serve-empty-'));
    try {
      const child = startGated(['serve', empty, '--port', '0'], process.env);
      assert.equal(await child.exited, 1);
      assert.match(child.stderr(), /^gated: .*model\.json.*\n$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('several directories: a bad one after the first is one error line naming it, exit 1', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gated-serve-empty-'));
    try {
      const child = startGated(['serve', dir, empty, '--port', '0'], process.env);
      assert.equal(await child.exited, 1);
      assert.match(child.stderr(), /^gated: .*gated-serve-empty-.*model\.json.*\n$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('several directories: the page lists each under its folder name', async () => {
    const { child, url } = await serve(dir, [dir]);
    try {
      const listed = await call(`${url}models.json`);
      const name = basename(dir);
      assert.deepEqual(listed.body, {
        models: [name, `${name}-2`].map((n) => ({
          name: n,
          url: `models/${n}/`,
          files: ['model.json', 'weights.safetensors', 'vocab.json'],
        })),
      });
      assert.equal((await call(`${url}models/${name}-2/model.json`)).status, 200);
      assert.equal((await call(`${url}models/other/model.json`)).status, 404);
      assert.equal((await call(`${url}models/${name}/../model.json`)).status, 404);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });
});
