/** Every limit of `gated serve` over HTTP, at and just past its value, and the API key. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { call, errorCode, startServer } from './start-server.js';

const HOLD = { maxWaitMs: 3_600_000 };

test('body size, texts per request, characters per text, ids per sequence: 413 past each', async () => {
  const s = await startServer({ limits: { maxBodyBytes: 2000, maxTexts: 3, maxChars: 50 } });
  try {
    const predict = (json: unknown) => call(`${s.url}v1/predict`, { json });
    const at = [
      { texts: ['a', 'b', 'c'] },
      { texts: ['x'.repeat(50)] },
      // 50 characters outside the BMP are 100 UTF-16 units: the limit counts characters.
      { texts: ['😀'.repeat(50)] },
      { ids: [Array.from({ length: 50 }, () => 4)] },
    ];
    for (const json of at) assert.equal((await predict(json)).status, 200, JSON.stringify(json));
    const past = [
      { json: { texts: ['a', 'b', 'c', 'd'] }, code: 'limit_exceeded' },
      { json: { texts: ['x'.repeat(51)] }, code: 'limit_exceeded' },
      { json: { ids: [Array.from({ length: 51 }, () => 4)] }, code: 'limit_exceeded' },
      { json: { texts: ['y'.repeat(2000)] }, code: 'body_too_large' },
    ];
    for (const { json, code } of past) {
      const answer = await predict(json);
      assert.equal(answer.status, 413);
      assert.equal(errorCode(answer), code);
    }
  } finally {
    await s.close();
  }
});

test('a full queue answers 429 with Retry-After; what was queued is still answered', async () => {
  const s = await startServer({ batching: { ...HOLD, maxQueue: 2 } });
  try {
    const queued = once(s.server.batcher, 'queued');
    const held = call(`${s.url}v1/predict`, { json: { texts: ['great', 'awful'] } });
    await queued;
    const refused = await call(`${s.url}v1/predict`, { json: { texts: ['one more'] } });
    assert.equal(refused.status, 429);
    assert.equal(errorCode(refused), 'queue_full');
    assert.equal(refused.headers.get('retry-after'), '1');
    s.server.batcher.drain();
    assert.equal((await held).status, 200);
  } finally {
    await s.close();
  }
});

test('a request that waits longer than the timeout gets 503 timeout and leaves the queue', async () => {
  const s = await startServer({ batching: HOLD, limits: { timeoutMs: 50 } });
  try {
    const answer = await call(`${s.url}v1/predict`, { json: { texts: ['great'] } });
    assert.equal(answer.status, 503);
    assert.equal(errorCode(answer), 'timeout');
    assert.equal(s.server.batcher.depth, 0);
  } finally {
    await s.close();
  }
});

test('--api-key: /v1/* and /metrics need the bearer token; health and the docs do not', async () => {
  const s = await startServer({ apiKey: 'sesame-123' });
  try {
    const json = { texts: ['great'] };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    for (const headers of [
      {},
      bearer('sesame-12'),
      bearer('sesame-1234'),
      { authorization: 'sesame-123' },
    ]) {
      const answer = await call(`${s.url}v1/predict`, { json, headers });
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(errorCode(answer), 'unauthorized');
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await call(`${s.url}v1/model`)).status, 401);
    assert.equal((await call(`${s.url}metrics`)).status, 401);
    assert.equal(
      (await call(`${s.url}v1/predict`, { json, headers: bearer('sesame-123') })).status,
      200,
    );
    assert.equal((await call(`${s.url}v1/model`, { headers: bearer('sesame-123') })).status, 200);
    assert.equal((await call(`${s.url}metrics`, { headers: bearer('sesame-123') })).status, 200);
    assert.equal((await call(`${s.url}healthz`)).status, 200);
    assert.equal((await call(`${s.url}readyz`)).status, 200);
    const doc = (await call(`${s.url}openapi.json`)).body as { components: object };
    assert.ok('securitySchemes' in doc.components);
  } finally {
    await s.close();
  }
});
