import { ACTIVATIONS, type CoreOps } from '../core-ops.js';
import { EMBEDDING_BAG_MODES, type EmbeddingOps } from '../embedding-ops.js';
import { Args } from './args.js';
import type { Checks } from './types.js';

/** n, and for softmax rows of cols ≥ 1 values that tile n. */
function activationSize(c: Args, kind: unknown, n: unknown, cols: unknown): number {
  const k = c.choice('kind', kind, ACTIVATIONS);
  const count = c.size('n', n);
  if (k === 'softmax' && count > 0) {
    const width = c.size('cols', cols);
    if (width === 0 || count % width !== 0) c.fail('softmax needs n to be a multiple of cols ≥ 1');
  }
  return count;
}

/**
 * An embedding bag's ids (inside a table of `rows` rows), offsets (from 0 to ids.length, never
 * decreasing), weights (null or one per id) and mode; returns the number of bags.
 */
function bags(
  c: Args,
  ids: unknown,
  offsets: unknown,
  weights: unknown,
  mode: unknown,
  dim: number,
  tableLength: number,
): number {
  const list = c.ints('ids', ids);
  c.ids('ids', list, dim === 0 ? 0 : Math.floor(tableLength / dim));
  const starts = c.ints('offsets', offsets);
  if (starts.length < 1) c.fail('offsets must hold at least one value (bags + 1)');
  if (starts[0] !== 0) c.fail(`offsets[0] must be 0, got ${starts[0]}`);
  for (let b = 1; b < starts.length; b++) {
    if (starts[b] < starts[b - 1] || starts[b] > list.length)
      c.fail(`offsets[${b}] = ${starts[b]} is not in [${starts[b - 1]}, ${list.length}]`);
  }
  if (starts[starts.length - 1] !== list.length)
    c.fail(`the last offset must be ids.length ${list.length}, got ${starts[starts.length - 1]}`);
  c.floatSpanOrNull('weights', weights, 0, list.length);
  c.choice('mode', mode, EMBEDDING_BAG_MODES);
  return starts.length - 1;
}

/** Elementwise ops over n values of each array. */
function elementwise(c: Args, n: unknown, arrays: Record<string, unknown>): boolean {
  const count = c.size('n', n);
  for (const [name, a] of Object.entries(arrays)) c.floatSpan(name, a, 0, count);
  return count > 0;
}

export const coreChecks: Checks<keyof CoreOps | keyof EmbeddingOps> = {
  gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, beta) {
    const g = new Args('gemm');
    const ta = g.flag('transA', transA);
    const tb = g.flag('transB', transB);
    const [rows, cols, inner] = [g.size('m', m), g.size('n', n), g.size('k', k)];
    const [la, lb, lc] = [g.size('lda', lda), g.size('ldb', ldb), g.size('ldc', ldc)];
    const ao = g.offset('aOffset', aOffset);
    const bo = g.offset('bOffset', bOffset);
    // A is only read: its rows may overlap (a convolution's windows over its input).
    g.readMatrix('a', a, ao, ta ? inner : rows, ta ? rows : inner, la);
    g.matrix('b', b, bo, tb ? cols : inner, tb ? inner : cols, lb);
    g.matrix('c', c, g.offset('cOffset', cOffset), rows, cols, lc);
    g.flag('beta', beta);
    return rows > 0 && cols > 0;
  },
  addRowVector(x, rows, cols, v) {
    const c = new Args('addRowVector');
    const [r, n] = [c.size('rows', rows), c.size('cols', cols)];
    c.floatSpan('x', x, 0, r * n);
    c.floatSpan('v', v, 0, n);
    return r * n > 0;
  },
  sumRows(x, rows, cols, out, beta) {
    const c = new Args('sumRows');
    const [r, n] = [c.size('rows', rows), c.size('cols', cols)];
    c.floatSpan('x', x, 0, r * n);
    c.floatSpan('out', out, 0, n);
    c.flag('beta', beta);
    return n > 0;
  },
  activation(kind, x, y, n, cols) {
    const c = new Args('activation');
    const count = activationSize(c, kind, n, cols);
    c.floatSpan('x', x, 0, count);
    c.floatSpan('y', y, 0, count);
    return count > 0;
  },
  activationBackward(kind, y, dy, dx, n, cols) {
    const c = new Args('activationBackward');
    const count = activationSize(c, kind, n, cols);
    for (const [name, a] of Object.entries({ y, dy, dx })) c.floatSpan(name, a, 0, count);
    return count > 0;
  },
  multiply: (a, b, out, n) => elementwise(new Args('multiply'), n, { a, b, out }),
  axpy(alpha, x, y, n) {
    const c = new Args('axpy');
    c.number('alpha', alpha);
    return elementwise(c, n, { x, y });
  },
  scale(x, alpha, n) {
    const c = new Args('scale');
    c.number('alpha', alpha);
    return elementwise(c, n, { x });
  },
  sumSquares(x, n) {
    elementwise(new Args('sumSquares'), n, { x });
    return true; // Σ over no values is 0, which the op itself returns
  },

  gather(table, dim, ids, out) {
    const c = new Args('gather');
    const t = c.floats('table', table);
    const d = c.size('dim', dim);
    const list = c.ints('ids', ids);
    c.ids('ids', list, d === 0 ? 0 : Math.floor(t.length / d));
    c.floatSpan('out', out, 0, list.length * d);
    return list.length * d > 0;
  },
  scatterAdd(dOut, ids, dim, dTable) {
    const c = new Args('scatterAdd');
    const list = c.ints('ids', ids);
    const d = c.size('dim', dim);
    const t = c.floats('dTable', dTable);
    c.ids('ids', list, d === 0 ? 0 : Math.floor(t.length / d));
    c.floatSpan('dOut', dOut, 0, list.length * d);
    return list.length * d > 0;
  },
  embeddingBag(table, dim, ids, offsets, weights, mode, out) {
    const c = new Args('embeddingBag');
    const t = c.floats('table', table);
    const d = c.size('dim', dim);
    const count = bags(c, ids, offsets, weights, mode, d, t.length);
    c.floatSpan('out', out, 0, count * d);
    return count * d > 0;
  },
  embeddingBagBackward(dOut, ids, offsets, weights, mode, dim, dTable) {
    const c = new Args('embeddingBagBackward');
    const d = c.size('dim', dim);
    const t = c.floats('dTable', dTable);
    const count = bags(c, ids, offsets, weights, mode, d, t.length);
    c.floatSpan('dOut', dOut, 0, count * d);
    return (ids as Int32Array).length * d > 0;
  },
};
