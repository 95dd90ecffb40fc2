import type { Backend } from '../backend.js';

/** The op methods of a Backend (everything but its name, dtype and alloc). */
export type OpName = Exclude<keyof Backend, 'name' | 'dtype' | 'alloc'>;

/**
 * An op's argument check: throws an Error naming the op and the argument when a call is invalid,
 * else says whether there is anything to compute (false when every output is empty, so that no
 * backend loops over a huge size whose product with another is 0).
 */
export type Check<K extends OpName> = (...args: Parameters<Backend[K]>) => boolean;

export type Checks<K extends OpName> = { readonly [P in K]: Check<P> };
