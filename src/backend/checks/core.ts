import { ACTIVATIONS, type CoreOps, type MatrixView } from '../core-ops.js';
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

/** A MatrixView argument's fields, each checked (its bounds are the caller's to check). */
function view(g: Args, name: string, v: unknown): MatrixView {
  const { data, offset, rows, cols, stride, transposed } = g.record(name, v);
  return {
    data: g.floats(`${name}.data`, data),
    offset: g.offset(`${name}.offset`, offset),
    rows: g.size(`${name}.rows`, rows),
    cols: g.size(`${name}.cols`, cols),
    stride: g.size(`${name}.stride`, stride),
    transposed: g.flag(`${name}.transposed`, transposed),
  };
}

export const coreChecks: Checks<keyof CoreOps | keyof EmbeddingOps> = {
  gemm(a, b, c, beta) {
    const g = new Args('gemm');
    const [A, B, C] = [view(g, 'a', a), view(g, 'b', b), view(g, 'c', c)];
    if (C.transposed) g.fail('c must not be transposed');
    const op = (v: typeof A) => (v.transposed ? [v.cols, v.rows] : [v.rows, v.cols]);
    const [[m, k], [kb, n]] = [op(A), op(B)];
    if (m !== C.rows || kb !== k || n !== C.cols) {
      g.fail(`op(a) ${m}×${k} times op(b) ${kb}×${n} is not c's ${C.rows}×${C.cols}`);
    }
    // A is only read: its rows may overlap (a convolution's windows over its input).
    g.readMatrix('a', A.data, A.offset, A.rows, A.cols, A.stride);
    g.matrix('b', B.data, B.offset, B.rows, B.cols, B.stride);
    g.matrix('c', C.data, C.offset, C.rows, C.cols, C.stride);
    g.flag('beta', beta);
    return m > 0 && n > 0;
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
