/**
 * Hostile and malformed requests: each is a 4xx with an `{error: {code, message}}` body, never a
 * 500, and the server keeps answering (health and a real prediction) after every one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TINY_VOCAB } from '../helpers/tiny-sentiment-model.js';
import { call, errorCode, startServer, type Started } from './start-server.js';

interface Case {
  readonly name: string;
  readonly status: number;
  readonly code: string;
  readonly method?: string;
  readonly path?: string;
  /** The raw body, sent as is. */
  readonly body?: string;
  readonly type?: string;
}

const nested = (depth: number) => `{"ids":${'['.repeat(depth)}${']'.repeat(depth)}}`;

const CASES: Case[] = [
  { name: 'malformed JSON', status: 400, code: 'malformed_json', body: '{"texts": [' },
  { name: 'trailing garbage', status: 400, code: 'malformed_json', body: '{"texts": ["a"]} x' },
  { name: 'empty JSON body', status: 400, code: 'empty_body', body: '' },
  { name: 'JSON null', status: 400, code: 'invalid_request', body: 'null' },
  { name: 'a JSON array', status: 400, code: 'invalid_request', body: '["a review"]' },
  { name: 'a JSON string', status: 400, code: 'invalid_request', body: '"a review"' },
  {
    name: 'text/plain body',
    status: 400,
    code: 'invalid_request',
    body: 'a review',
    type: 'text/plain',
  },
  {
    name: 'XML',
    status: 415,
    code: 'unsupported_media_type',
    body: '<texts/>',
    type: 'application/xml',
  },
  { name: 'empty object', status: 400, code: 'invalid_request', body: '{}' },
  { name: 'unknown field', status: 400, code: 'invalid_request', body: '{"text": ["a"]}' },
  {
    name: 'texts and ids both',
    status: 400,
    code: 'invalid_request',
    body: '{"texts":["a"],"ids":[[4]]}',
  },
  { name: 'empty texts', status: 400, code: 'invalid_request', body: '{"texts": []}' },
  { name: 'texts a string', status: 400, code: 'invalid_request', body: '{"texts": "a review"}' },
  { name: 'texts of numbers', status: 400, code: 'invalid_request', body: '{"texts": [1, 2]}' },
  { name: 'a null text', status: 400, code: 'invalid_request', body: '{"texts": [null]}' },
  { name: 'empty ids', status: 400, code: 'invalid_request', body: '{"ids": []}' },
  { name: 'an empty id sequence', status: 400, code: 'invalid_request', body: '{"ids": [[]]}' },
  { name: 'fractional id', status: 400, code: 'invalid_request', body: '{"ids": [[4.5]]}' },
  { name: 'negative id', status: 400, code: 'invalid_request', body: '{"ids": [[-1]]}' },
  { name: 'id as a string', status: 400, code: 'invalid_request', body: '{"ids": [["4"]]}' },
  { name: 'huge id', status: 400, code: 'invalid_request', body: '{"ids": [[1e400]]}' },
  {
    name: 'id past the vocabulary',
    status: 400,
    code: 'id_out_of_range',
    body: `{"ids": [[4, ${TINY_VOCAB}]]}`,
  },
  { name: 'flat ids', status: 400, code: 'invalid_request', body: '{"ids": [4, 5]}' },
  { name: 'deeply nested arrays', status: 400, code: 'invalid_request', body: nested(20_000) },
  {
    name: '__proto__ key',
    status: 400,
    code: 'malformed_json',
    body: '{"__proto__": {"texts": ["a"]}}',
  },
  {
    name: 'constructor.prototype key',
    status: 400,
    code: 'malformed_json',
    body: '{"constructor": {"prototype": {"texts": ["a"]}}}',
  },
  { name: 'GET on predict', status: 404, code: 'not_found', method: 'GET' },
  { name: 'unknown route', status: 404, code: 'not_found', path: 'v2/predict', body: '{}' },
  { name: 'POST on healthz', status: 404, code: 'not_found', path: 'healthz', body: '{}' },
];

describe('gated serve: bad input', () => {
  let s: Started;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test(`${CASES.length} cases, each a 4xx JSON error, the server answering after each`, async () => {
    assert.ok(CASES.length >= 15);
    for (const c of CASES) {
      const method = c.method ?? 'POST';
      const answer = await call(`${s.url}${c.path ?? 'v1/predict'}`, {
        method,
        ...(method === 'GET'
          ? {}
          : { body: c.body ?? '', headers: { 'content-type': c.type ?? 'application/json' } }),
      });
      assert.equal(answer.status, c.status, `${c.name}: ${JSON.stringify(answer.body)}`);
      assert.equal(errorCode(answer), c.code, c.name);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, c.name);
      assert.equal((await call(`${s.url}healthz`)).status, 200, `healthz after ${c.name}`);
    }
    const good = await call(`${s.url}v1/predict`, { json: { texts: ['great film'] } });
    assert.equal(good.status, 200);
  });
});
