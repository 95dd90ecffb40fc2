/** The OpenAPI 3.1 document served at /openapi.json, built from the schemas the routes use. */
import type { Limits } from './limits.js';
import {
  errorResponseSchema,
  modelResponseSchema,
  predictRequestSchema,
  predictResponseSchema,
  statusResponseSchema,
} from './schemas.js';

const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const error = (description: string) => json({ $ref: '#/components/schemas/Error' }, description);

export function openApiDocument(limits: Limits, version: string, authenticated: boolean) {
  const security = authenticated ? [{ bearer: [] }] : [];
  const unauthorized = authenticated ? { 401: error('missing or wrong bearer token') } : {};
  return {
    openapi: '3.1.0',
    info: {
      title: 'gated serve',
      version,
      description:
        'Predictions of a model trained with gated. Every error is JSON {error: {code, message}}.',
    },
    components: {
      schemas: { Error: errorResponseSchema },
      ...(authenticated ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
    paths: {
      '/v1/predict': {
        post: {
          summary: 'Class probabilities and label of each text (or token id sequence)',
          security,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: predictRequestSchema(limits) } },
          },
          responses: {
            200: json(predictResponseSchema, 'one prediction per input, in order'),
            400: error('malformed JSON, wrong types, empty lists, ids out of range'),
            ...unauthorized,
            413: error(
              `over a limit: body ${limits.maxBodyBytes} bytes, ${limits.maxTexts} inputs, ${limits.maxChars} characters or ids per input`,
            ),
            415: error('the body is not application/json'),
            429: error('the queue is full: retry after the Retry-After header (seconds)'),
            503: error(`not ready, shutting down, or no answer within ${limits.timeoutMs} ms`),
          },
        },
      },
      '/v1/model': {
        get: {
          summary: 'What model is served, on what backend',
          security,
          responses: {
            200: json(modelResponseSchema, 'model facts'),
            ...unauthorized,
            503: error('the model is not loaded yet'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness: the process answers',
          responses: { 200: json(statusResponseSchema, '{"status": "ok"}') },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the model is loaded and the server is not shutting down',
          responses: {
            200: json(statusResponseSchema, '{"status": "ready"}'),
            503: error('loading or shutting down'),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text exposition format)',
          security,
          responses: {
            200: {
              description: 'requests by status, latency, batch sizes, queue depth, process',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...unauthorized,
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
    },
  };
}
