/** Starts a PredictionServer in-process on an ephemeral loopback port, over a saved model. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../../src/server/limits.js';
import { loadPredictor } from '../../src/server/classifier-predictor.js';
import { PredictionServer, type ServerOptions } from '../../src/server/server.js';
import { webModels } from '../../src/server/web.js';
import { saveTinyModel } from '../helpers/tiny-sentiment-model.js';

export interface Started {
  readonly server: PredictionServer;
  readonly url: string;
  /** The model directory served. */
  readonly dir: string;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly limits?: Partial<Limits>;
  readonly batching?: Partial<ServerOptions['batching']>;
  readonly apiKey?: string;
  readonly web?: boolean;
  /** Save the model without vocab.json (a model that takes ids only). */
  readonly withVocabulary?: boolean;
  /** Listen without loading the model (readyz stays 503). */
  readonly load?: boolean;
}

export async function startServer(o: StartOptions = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'gated-serve-'));
  await saveTinyModel(dir, o.withVocabulary ?? true);
  const server = new PredictionServer({
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    batching: { maxBatch: 64, maxWaitMs: 1, maxQueue: 1024, ...o.batching },
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    ...(o.web ? { webModels: webModels([dir]) } : {}),
    version: 'test',
  });
  const url = await server.listen(0, '127.0.0.1');
  if (o.load ?? true) server.setPredictor(await loadPredictor(dir));
  return {
    server,
    url,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** A request whose answer body is parsed as JSON (or kept as text when it is not JSON). */
export async function call(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Answer> {
  const { json, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    ...(json !== undefined
      ? {
          method: rest.method ?? 'POST',
          body: JSON.stringify(json),
          headers: { 'content-type': 'application/json', ...rest.headers },
        }
      : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** The error code of an `{error: {code, message}}` body (asserting that shape). */
export function errorCode(answer: Answer): string {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || !error.message)
    throw new Error(`not an error body: ${JSON.stringify(answer.body)}`);
  return error.code;
}
