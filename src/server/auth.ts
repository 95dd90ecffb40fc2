/** The optional bearer token (--api-key), compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check that throws 401 unless the request carries `Authorization: Bearer <key>`. Both sides are
 * hashed first, so the comparison takes the same time whatever the length or content of a guess.
 */
export function bearerCheck(key: string): (request: FastifyRequest) => void {
  const want = digest(key);
  return (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]), want)) {
      throw new ApiError(
        401,
        'unauthorized',
        'missing or wrong bearer token (Authorization: Bearer <key>)',
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
  };
}
