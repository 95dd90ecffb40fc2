/**
 * JSON Schemas of the API: fastify validates requests and serializes responses with them, and the
 * OpenAPI document (openapi.ts) is built from the same objects, so the two cannot disagree.
 */
import type { Limits } from './limits.js';

export function predictRequestSchema(limits: Limits) {
  const list = (items: object) => ({
    type: 'array',
    minItems: 1,
    maxItems: limits.maxTexts,
    items,
  });
  return {
    type: 'object',
    description: 'Exactly one of `texts` (raw reviews) or `ids` (token id sequences).',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties: {
      texts: list({ type: 'string', maxLength: limits.maxChars }),
      ids: list({
        type: 'array',
        minItems: 1,
        maxItems: limits.maxChars,
        items: { type: 'integer', minimum: 0 },
      }),
    },
  } as const;
}

const probabilities = {
  type: 'object',
  description: 'Probability of each class, by class name.',
  additionalProperties: { type: 'number' },
} as const;

export const predictResponseSchema = {
  type: 'object',
  required: ['predictions'],
  properties: {
    predictions: {
      type: 'array',
      description: 'One per input, in order.',
      items: {
        type: 'object',
        required: ['label', 'probabilities'],
        properties: { label: { type: 'string' }, probabilities },
      },
    },
  },
} as const;

export const modelResponseSchema = {
  type: 'object',
  required: [
    'architecture',
    'classes',
    'parameters',
    'vocabularySize',
    'idLimit',
    'maxlen',
    'backend',
    'threads',
    'version',
  ],
  properties: {
    architecture: { type: 'array', items: { type: 'string' } },
    classes: { type: 'array', items: { type: 'string' } },
    parameters: { type: 'integer' },
    vocabularySize: { type: ['integer', 'null'] },
    idLimit: {
      type: 'integer',
      description: 'token ids must be below this (0: the model takes texts only)',
    },
    maxlen: { type: 'integer', description: 'inputs are padded or truncated to this many ids' },
    backend: { type: 'string' },
    threads: { type: 'integer' },
    version: { type: 'string', description: 'the gated version serving' },
  },
} as const;

export const statusResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;

export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
