import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GradientStudy } from '../../src/experiments/gradients-study.js';
import { CLI } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

test('gradients on a tiny archive writes gradients.json and gradients.html', async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATED_CACHE: await tempDir('gated-gradients-cache-'),
  };
  delete env.GATED_IMDB;
  const archive = await writeArchive(await tempDir(), fixtureReviews(6));
  const out = join(await tempDir('gated-gradients-'), 'g');
  const T = 6; // every fixture review has more ids than this: no padding
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'gradients',
      ...['--data', archive, '--maxlen', String(T), '--embedding-dim', '4', '--units', '3'],
      ...['--samples', '8', '--train-batches', '3', '--batch-size', '8', '--backend', 'reference'],
      ...['--out', out],
    ],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /lstm init: loss \S+, ‖∂L\/∂h_1‖\/‖∂L\/∂h_T‖ = /);

  const study = JSON.parse(await readFile(join(out, 'gradients.json'), 'utf8')) as GradientStudy;
  assert.equal(study.format, 'gated-gradients');
  assert.equal(study.samples.count, 8);
  assert.deepEqual(
    study.series.map((s) => `${s.model} ${s.phase}`),
    [
      'rnn init',
      'rnn trained',
      'lstm init',
      'lstm trained',
      'gru init',
      'gru trained',
      'rnn-x3 init',
      'rnn-x3 trained',
      'rnn-x3 trained-clipnorm',
    ],
  );
  for (const s of study.series) {
    assert.equal(s.stateNorms.length, T);
    assert.equal(s.inputNorms.length, T);
    assert.ok(Math.abs(s.ratio - s.stateNorms[0] / s.stateNorms[T - 1]) < 1e-9 * s.ratio);
  }
  const lstm = study.series.find((s) => s.model === 'lstm')!;
  assert.equal(lstm.gateMeans.forget.length, T);
  assert.ok(lstm.gateMeans.forget.every((v) => v > 0 && v < 1));
  assert.deepEqual(
    study.training.map((t) => [t.model, t.clipnorm, t.steps.length]),
    [
      ['rnn', null, 3],
      ['lstm', null, 3],
      ['gru', null, 3],
      ['rnn-x3', null, 3],
      ['rnn-x3', 1, 3],
    ],
  );
  const clipped = study.training[4].steps;
  assert.ok(clipped.every((s) => s.gradNorm > 0 && s.updateNorm > 0));

  const html = await readFile(join(out, 'gradients.html'), 'utf8');
  for (const id of ['state-norms', 'input-norms', 'gates', 'explode-loss', 'explode-norms'])
    assert.match(html, new RegExp(`<canvas id="${id}">`));
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
});
