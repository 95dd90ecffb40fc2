/**
 * Every error the server answers is JSON `{error: {code, message}}`: the request's own fault is a
 * 4xx with a code a client can branch on; anything else is a 500 whose details stay in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** An error a route throws on purpose: status, code and message go to the client as they are. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Fastify's own request errors (body parsing, content type, size), by their code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

/** Schema keywords that are a size limit being exceeded (413), not a malformed request (400). */
const LIMIT_KEYWORDS = new Set(['maxItems', 'maxLength']);

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export function sendError(
  err: FastifyError | ApiError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err instanceof ApiError) {
    return reply.code(err.statusCode).headers(err.headers).send(errorBody(err.code, err.message));
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const limit = fe.validation.some((v) => LIMIT_KEYWORDS.has(v.keyword));
    return reply
      .code(limit ? 413 : 400)
      .send(errorBody(limit ? 'limit_exceeded' : 'invalid_request', fe.message));
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      (fe.code && FASTIFY_CODES[fe.code]) ??
      (err instanceof SyntaxError ? 'malformed_json' : 'bad_request');
    return reply.code(status).send(errorBody(code, fe.message));
  }
  process.stderr.write(
    `gated serve: ${request.method} ${request.url}: ${err.stack ?? err.message}\n`,
  );
  return reply.code(500).send(errorBody('internal_error', 'internal error (see the server log)'));
}
