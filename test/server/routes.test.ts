/** Every route of `gated serve` on a tiny model: answers, headers, readiness, metrics, page. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import { TINY_MAXLEN, TINY_VOCAB } from '../helpers/tiny-sentiment-model.js';
import { call, errorCode, startServer, type Started } from './start-server.js';

const REVIEWS = ['a wonderful film, great and lovely', 'awful boring worst film', 'not bad', ''];

interface Predictions {
  predictions: { label: string; probabilities: Record<string, number> }[];
}

describe('gated serve routes', () => {
  let s: Started;
  before(async () => {
    s = await startServer({ web: true });
  });
  after(() => s.close());

  test('POST /v1/predict: the numbers TextClassifier.predict gives, per text, in order', async () => {
    const want = (await TextClassifier.load(s.dir)).predict(REVIEWS);
    const got = await call(`${s.url}v1/predict`, { json: { texts: REVIEWS } });
    assert.equal(got.status, 200);
    const { predictions } = got.body as Predictions;
    assert.equal(predictions.length, REVIEWS.length);
    predictions.forEach((p, i) => {
      const score = (label: string) => want[i].scores.find((s) => s.label === label)?.probability;
      assert.equal(p.probabilities.positive, score('positive'));
      assert.equal(p.probabilities.negative, score('negative'));
      assert.equal(p.label, want[i].label);
    });
  });

  test('POST /v1/predict with token ids: the same as the texts they encode', async () => {
    const { vectorizer } = await TextClassifier.load(s.dir);
    const ids = REVIEWS.map((t) => Array.from(vectorizer.encode([t])));
    const [byIds, byTexts] = await Promise.all([
      call(`${s.url}v1/predict`, { json: { ids } }),
      call(`${s.url}v1/predict`, { json: { texts: REVIEWS } }),
    ]);
    assert.equal(byIds.status, 200);
    assert.deepEqual(byIds.body, byTexts.body);
  });

  test('GET /v1/model: architecture, classes, sizes, backend, version', async () => {
    const got = await call(`${s.url}v1/model`);
    assert.equal(got.status, 200);
    const body = got.body as Record<string, unknown>;
    assert.deepEqual(body.architecture, ['Embedding', 'LSTM', 'Dense']);
    assert.deepEqual(body.classes, ['negative', 'positive']);
    assert.equal(body.vocabularySize, TINY_VOCAB);
    assert.equal(body.idLimit, TINY_VOCAB);
    assert.equal(body.maxlen, TINY_MAXLEN);
    assert.equal(body.parameters, (await TextClassifier.load(s.dir)).model.countParams());
    assert.equal(typeof body.backend, 'string');
    assert.ok((body.threads as number) >= 1);
    assert.equal(body.version, 'test');
  });

  test('GET /healthz and /readyz; every answer carries the cross-origin isolation headers', async () => {
    for (const [path, status] of [
      ['healthz', 'ok'],
      ['readyz', 'ready'],
    ]) {
      const got = await call(`${s.url}${path}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, { status });
      assert.equal(got.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(got.headers.get('cross-origin-embedder-policy'), 'require-corp');
    }
  });

  test('GET /openapi.json: every route, with the limits in the request schema', async () => {
    const got = await call(`${s.url}openapi.json`);
    assert.equal(got.status, 200);
    const doc = got.body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/v1/predict', '/v1/model', '/healthz', '/readyz', '/metrics'])
      assert.ok(doc.paths[path], path);
    const schema = JSON.stringify(doc.paths['/v1/predict'].post.requestBody);
    assert.match(schema, /"maxItems":64/);
    assert.match(schema, /"maxLength":20000/);
  });

  test('GET /metrics: request counts by status, latency, batch sizes, queue depth, RSS', async () => {
    await call(`${s.url}v1/predict`, { json: { texts: ['great'] } });
    await call(`${s.url}v1/predict`, { json: { texts: [] } });
    const got = await call(`${s.url}metrics`);
    assert.equal(got.status, 200);
    const text = got.body as string;
    assert.match(
      text,
      /gated_http_requests_total\{method="POST",route="\/v1\/predict",status="200"\} [1-9]/,
    );
    assert.match(
      text,
      /gated_http_requests_total\{method="POST",route="\/v1\/predict",status="400"\} [1-9]/,
    );
    assert.match(text, /gated_http_request_duration_seconds_count\{route="\/v1\/predict"\} [1-9]/);
    assert.match(text, /gated_batch_size_count [1-9]/);
    assert.match(text, /gated_queue_depth 0/);
    assert.match(text, /process_resident_memory_bytes \d+/);
  });

  test('GET / serves the page, /dist/ its bundle and /model/ the served model files', async () => {
    const page = await fetch(s.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<script type="module" src="app.js">/);
    for (const [path, type] of [
      ['app.js', /^text\/javascript/],
      ['dist/gated.js', /^text\/javascript/],
      ['dist/gated-simd.wasm', /^application\/wasm/],
      ['model/model.json', /^application\/json/],
      ['model/weights.safetensors', /^application\/octet-stream/],
      ['model/vocab.json', /^application\/json/],
    ] as const) {
      const got = await fetch(`${s.url}${path}`);
      assert.equal(got.status, 200, path);
      assert.match(got.headers.get('content-type') ?? '', type, path);
      await got.arrayBuffer();
    }
    for (const path of [
      'model/history.json',
      'dist/..%2Fpackage.json',
      'model/..%2F..%2Fetc%2Fpasswd',
      'nope.html',
    ])
      assert.equal(errorCode(await call(`${s.url}${path}`)), 'not_found', path);
  });
});

describe('gated serve before the model is loaded, and a model without vocabulary', () => {
  test('readyz and /v1/* answer 503 not_ready until the predictor is set; healthz is 200', async () => {
    const s = await startServer({ load: false });
    try {
      assert.equal((await call(`${s.url}healthz`)).status, 200);
      for (const answer of [
        await call(`${s.url}readyz`),
        await call(`${s.url}v1/model`),
        await call(`${s.url}v1/predict`, { json: { texts: ['great'] } }),
      ]) {
        assert.equal(answer.status, 503);
        assert.equal(errorCode(answer), 'not_ready');
      }
    } finally {
      await s.close();
    }
  });

  test('without vocab.json: ids are predicted, texts are a 400 no_vocabulary', async () => {
    const s = await startServer({ withVocabulary: false });
    try {
      const model = (await call(`${s.url}v1/model`)).body as { vocabularySize: unknown };
      assert.equal(model.vocabularySize, null);
      const texts = await call(`${s.url}v1/predict`, { json: { texts: ['great'] } });
      assert.equal(texts.status, 400);
      assert.equal(errorCode(texts), 'no_vocabulary');
      const ids = await call(`${s.url}v1/predict`, { json: { ids: [[1, 4, 5]] } });
      assert.equal(ids.status, 200);
      assert.equal((ids.body as Predictions).predictions.length, 1);
    } finally {
      await s.close();
    }
  });
});
