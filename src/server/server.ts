/**
 * `gated serve`'s HTTP server (fastify): the JSON API over a Predictor, micro-batched, with its
 * limits, metrics, OpenAPI document and optionally the web page. Listens before the model is
 * loaded (readyz says when it is) and shuts down gracefully: close() answers what is in flight.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { bearerCheck } from './auth.js';
import { Batcher, QueueFullError, QueueTimeoutError, type BatchingOptions } from './batcher.js';
import { ApiError, errorBody, sendError } from './errors.js';
import type { Limits } from './limits.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { Predictor } from './predictor.js';
import {
  modelResponseSchema,
  predictRequestSchema,
  predictResponseSchema,
  statusResponseSchema,
} from './schemas.js';
import { registerWebPage, type WebModel } from './web.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs the bearer token when the server has an API key. */
    auth?: boolean;
  }
}

export interface ServerOptions {
  readonly limits: Limits;
  readonly batching: BatchingOptions;
  /** Bearer token required by /v1/* and /metrics. */
  readonly apiKey?: string;
  /** Serve the web page at / with these models' files (see registerWebPage). */
  readonly webModels?: readonly WebModel[];
  /** The gated version, for /v1/model and the OpenAPI document. */
  readonly version: string;
}

interface PredictBody {
  texts?: string[];
  ids?: number[][];
}

export class PredictionServer {
  readonly app: FastifyInstance;
  readonly batcher: Batcher;
  readonly metrics: ServerMetrics;
  private predictor: Predictor | null = null;
  private closing = false;

  constructor(private readonly options: ServerOptions) {
    const { limits } = options;
    this.batcher = new Batcher((inputs) => this.loaded().predictBatch(inputs), options.batching);
    this.metrics = createMetrics(this.batcher);
    this.app = Fastify({
      bodyLimit: limits.maxBodyBytes,
      // A client gets this long to send its whole request (slow senders hold no socket forever).
      requestTimeout: limits.timeoutMs,
      // Shutdown is answered by the hook below, as JSON like every other error.
      return503OnClosing: false,
      // Wrong types are errors, not values to convert or drop.
      ajv: {
        customOptions: {
          coerceTypes: false,
          removeAdditional: false,
          useDefaults: false,
          allErrors: false,
        },
      },
    });
    this.addHooks();
    this.addRoutes();
    if (options.webModels !== undefined) registerWebPage(this.app, options.webModels);
  }

  /** The model is loaded: /readyz turns 200 and /v1/* answer. */
  setPredictor(predictor: Predictor): void {
    this.predictor = predictor;
  }

  /** Listens on host:port (port 0: any free one); returns the base URL. */
  async listen(port: number, host: string): Promise<string> {
    await this.app.listen({ port, host });
    const address = this.app.server.address() as AddressInfo;
    const name = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${name}:${address.port}/`;
  }

  /** Stops accepting requests, answers every request in flight, then closes. */
  async close(): Promise<void> {
    this.closing = true;
    this.batcher.drain();
    await this.app.close();
  }

  /** The loaded model (requests that got past the closing check are answered even during close). */
  private loaded(): Predictor {
    if (!this.predictor) throw new ApiError(503, 'not_ready', 'the model is still loading');
    return this.predictor;
  }

  private addHooks(): void {
    const check = this.options.apiKey !== undefined ? bearerCheck(this.options.apiKey) : null;
    this.app.addHook('onRequest', async (request) => {
      if (this.closing)
        throw new ApiError(503, 'shutting_down', 'the server is shutting down', {
          'Retry-After': '1',
        });
      if (check && request.routeOptions.config.auth) check(request);
    });
    this.app.addHook('onSend', async (_request, reply) => {
      // While closing, a keep-alive connection ends with its current answer.
      if (this.closing) reply.header('Connection', 'close');
      // Cross-origin isolation, so the page gets SharedArrayBuffer and runs on every thread.
      reply.header('Cross-Origin-Opener-Policy', 'same-origin');
      reply.header('Cross-Origin-Embedder-Policy', 'require-corp');
      reply.header('Cross-Origin-Resource-Policy', 'same-origin');
      reply.header('X-Content-Type-Options', 'nosniff');
    });
    this.app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
    this.app.setErrorHandler(sendError);
    this.app.setNotFoundHandler((request, reply) =>
      reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url}`)),
    );
  }

  private addRoutes(): void {
    const { limits } = this.options;
    const auth = { auth: true };
    this.app.post<{ Body: PredictBody }>(
      '/v1/predict',
      {
        config: auth,
        schema: { body: predictRequestSchema(limits), response: { 200: predictResponseSchema } },
      },
      async (request, reply) => {
        const inputs = this.inputsOf(request.body);
        // The request's time budget, and its end if the client goes away while it waits.
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const signal = AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), gone.signal]);
        try {
          return { predictions: await this.batcher.submit(inputs, signal) };
        } catch (err) {
          if (err instanceof QueueFullError)
            throw new ApiError(429, 'queue_full', `${err.message}: retry later`, {
              'Retry-After': '1',
            });
          if (err instanceof QueueTimeoutError)
            throw new ApiError(503, 'timeout', `${err.message} (${limits.timeoutMs} ms)`);
          throw err;
        }
      },
    );
    this.app.get(
      '/v1/model',
      { config: auth, schema: { response: { 200: modelResponseSchema } } },
      async () => ({ ...this.loaded().facts, version: this.options.version }),
    );
    this.app.get('/healthz', { schema: { response: { 200: statusResponseSchema } } }, async () => ({
      status: 'ok',
    }));
    this.app.get('/readyz', { schema: { response: { 200: statusResponseSchema } } }, async () => {
      this.loaded();
      return { status: 'ready' };
    });
    this.app.get('/metrics', { config: auth }, async (_request, reply) =>
      reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics()),
    );
    const doc = openApiDocument(limits, this.options.version, this.options.apiKey !== undefined);
    this.app.get('/openapi.json', async () => doc);
  }

  /** The token id sequences of a request, checked against the model. */
  private inputsOf(body: PredictBody): ArrayLike<number>[] {
    const predictor = this.loaded();
    const { vocabularySize, idLimit } = predictor.facts;
    if (body.texts) {
      if (vocabularySize === null)
        throw new ApiError(400, 'no_vocabulary', 'this model has no vocabulary: send "ids"');
      return body.texts.map((text) => predictor.encode(text));
    }
    const ids = body.ids ?? [];
    if (idLimit === 0)
      throw new ApiError(
        400,
        'texts_only',
        'this model takes texts only (an ensemble: each of its models has its own vocabulary): send "texts"',
      );
    ids.forEach((seq, i) =>
      seq.forEach((id, j) => {
        if (id >= idLimit)
          throw new ApiError(
            400,
            'id_out_of_range',
            `body/ids/${i}/${j} is ${id}: token ids must be below ${idLimit}`,
          );
      }),
    );
    return ids;
  }
}
