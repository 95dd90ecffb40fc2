/**
 * The argument contract every backend keeps (src/backend/backend.ts, src/backend/checks/): an
 * invalid call throws an Error and writes nothing, not into its own arrays nor past them into a
 * neighbour (wasm memory holds every tensor side by side); an op whose outputs are empty returns
 * at once, however large its other sizes. One valid call per op, then each size made negative,
 * fractional, 2^31 − 1, and all of them large enough for their products to overflow 64 bits.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../../src/backend/backend.js';
import { OP_CHECKS } from '../../../src/backend/checks/index.js';
import type { Window1d } from '../../../src/backend/conv-ops.js';
import type { SuiteContext } from './harness.js';

/** An argument list and where its sizes are: an index, or [index, field] of an object argument. */
type Where = number | readonly [number, string];
interface OpCall {
  args: (be: Backend) => unknown[];
  sizes: readonly Where[];
}

const LEN = 256;
const F = (be: Backend) => {
  const a = be.alloc(LEN);
  for (let i = 0; i < LEN; i++) a[i] = (i % 13) - 6; // nonzero, so a write shows
  return a;
};
const I = () => new Int32Array(64);
/** A 2×2 MatrixView of data, its fields replaced by `over`. */
const V = (data: unknown, over: Record<string, unknown> = {}) => ({
  data,
  offset: 0,
  rows: 2,
  cols: 2,
  stride: 2,
  transposed: false,
  ...over,
});
/** Offsets of the 64 ids of I() as three bags, one empty. */
const BAGS = () => Int32Array.of(0, 30, 30, 64);
/** Four distinct outputs of the 2×2×2 conv output of win() with 2 filters. */
const SPARSE_AT = () => Int32Array.of(6, 1, 3, 4);
const M = () => new Uint8Array(64).fill(1);
const win = (): Window1d => ({
  batch: 2,
  steps: 2,
  channels: 2,
  size: 1,
  stride: 1,
  dilation: 1,
  padLeft: 0,
  outSteps: 2,
});
const WIN_SIZES = ['batch', 'steps', 'channels', 'outSteps'] as const;
const at = (i: number) => WIN_SIZES.map((f) => [i, f] as const);
const clip = { scale: 1, clipValue: Infinity };
const LSTM_C = { kind: 'lstm' };
const GRU_A = { kind: 'gru', resetAfter: true };
const GRU_R = { kind: 'gru', resetAfter: false };
/** A valid adamUpdate call (n = 4), or its v replaced. */
/** A SequenceBuffers of batch, steps and units 2 with every buffer (or `own`'s instead). */
const SEQ = (be: Backend, cell: unknown, own: Record<string, unknown>) => ({
  cell,
  batch: 2,
  steps: 2,
  units: 2,
  gates: F(be),
  h: F(be),
  hIn: F(be),
  recurrentScale: F(be),
  mask: M(),
  c: F(be),
  rec: F(be),
  rh: F(be),
  ...own,
});
const SEQ_SIZES: Where[] = [
  [0, 'batch'],
  [0, 'steps'],
  [0, 'units'],
];
/** SequenceGradients with every buffer (or `own`'s instead). */
const GRADS = (be: Backend, own: Record<string, unknown>) => ({
  dH: F(be),
  dGates: F(be),
  dHIn: F(be),
  dc: F(be),
  dRec: F(be),
  dRh: F(be),
  ...own,
});

const adamArgs = (be: Backend, v: unknown = F(be)): unknown[] => [
  F(be),
  F(be),
  4,
  clip,
  { alpha: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  F(be),
  v,
];

const OPS: Record<string, OpCall> = {
  gemm: {
    args: (b) => [V(F(b)), V(F(b)), V(F(b)), 0],
    // In EXTREME's order: m (a and c rows) 2^21, n (b and c columns) 2^22, strides 2^30.
    sizes: [
      [0, 'rows'],
      [2, 'rows'],
      [1, 'cols'],
      [0, 'stride'],
      [1, 'stride'],
      [2, 'stride'],
    ],
  },
  addRowVector: { args: (b) => [F(b), 2, 2, F(b)], sizes: [1, 2] },
  sumRows: { args: (b) => [F(b), 2, 2, F(b), 0], sizes: [1, 2] },
  activation: { args: (b) => ['softmax', F(b), F(b), 4, 2], sizes: [3, 4] },
  activationBackward: { args: (b) => ['softmax', F(b), F(b), F(b), 4, 2], sizes: [4, 5] },
  multiply: { args: (b) => [F(b), F(b), F(b), 4], sizes: [3] },
  axpy: { args: (b) => [0.5, F(b), F(b), 4], sizes: [3] },
  scale: { args: (b) => [F(b), 2, 4], sizes: [2] },
  sumSquares: { args: (b) => [F(b), 4], sizes: [1] },
  gather: { args: (b) => [F(b), 2, I(), F(b)], sizes: [1] },
  scatterAdd: { args: (b) => [F(b), I(), 2, F(b)], sizes: [2] },
  embeddingBag: { args: (b) => [F(b), 2, I(), BAGS(), F(b), 'mean', F(b)], sizes: [1] },
  embeddingBagBackward: { args: (b) => [F(b), I(), BAGS(), null, 'sum', 2, F(b)], sizes: [5] },
  sequenceToTimeMajor: { args: (b) => [F(b), F(b), 2, 2, 2, false, F(b)], sizes: [2, 3, 4] },
  timeMajorToSequence: { args: (b) => [F(b), F(b), 2, 2, 2, true, null], sizes: [2, 3, 4] },
  sequenceForward: {
    args: (b) => [SEQ(b, GRU_R, { c: null }), F(b)],
    sizes: SEQ_SIZES,
  },
  sequenceBackward: {
    args: (b) => [SEQ(b, LSTM_C, { rec: null, rh: null }), F(b), GRADS(b, {})],
    sizes: SEQ_SIZES,
  },
  sequenceLast: {
    args: (b) => [
      { cell: GRU_A, batch: 2, steps: 2, units: 2, inputDim: 2, x: F(b) },
      { reverse: false, W: F(b), bias: F(b), U: F(b), mask: M(), out: F(b) },
    ],
    sizes: [
      [0, 'batch'],
      [0, 'steps'],
      [0, 'units'],
      [0, 'inputDim'],
    ],
  },
  im2col1d: { args: (b) => [F(b), win(), F(b)], sizes: at(1) },
  col2im1d: { args: (b) => [F(b), win(), F(b)], sizes: at(1) },
  maxPool1d: { args: (b) => [F(b), win(), F(b), I()], sizes: at(1) },
  maxPool1dBackward: { args: (b) => [F(b), I(), win(), F(b)], sizes: at(2) },
  conv1dBackwardSparse: {
    args: (b) => [
      { kind: 'relu', y: F(b), dy: F(b), at: SPARSE_AT(), count: 4 },
      F(b),
      win(),
      F(b),
      2,
      { dKernel: F(b), dBias: F(b), dx: F(b) },
    ],
    sizes: [...at(2), 4, [0, 'count']],
  },
  globalAvgPool1d: { args: (b) => [F(b), 2, 2, 2, M(), F(b)], sizes: [1, 2, 3] },
  globalAvgPool1dBackward: { args: (b) => [F(b), 2, 2, 2, null, F(b)], sizes: [1, 2, 3] },
  sgdUpdate: {
    args: (b) => [F(b), F(b), 4, clip, { learningRate: 0.1, momentum: 0.9, nesterov: true }, F(b)],
    sizes: [2],
  },
  rmspropUpdate: {
    args: (b) => [
      F(b),
      F(b),
      4,
      clip,
      { learningRate: 0.1, rho: 0.9, momentum: 0.5, epsilon: 1e-7 },
      F(b),
      F(b),
      F(b),
    ],
    sizes: [2],
  },
  adamUpdate: { args: (b) => adamArgs(b), sizes: [2] },
  adamUpdateRows: { args: (b) => [...adamArgs(b), 2, Int32Array.of(1)], sizes: [2, 7] },
};

/** Sizes whose products overflow 64 bits: 2^21·2^21·2^22 = 2^64, and more with a fourth. */
const EXTREME = [2 ** 21, 2 ** 21, 2 ** 22, 2 ** 30, 2 ** 30, 2 ** 30];

function setSize(args: unknown[], where: Where, value: number): void {
  if (typeof where === 'number') args[where] = value;
  else args[where[0]] = { ...(args[where[0]] as object), [where[1]]: value };
}

type Arrays = (Float32Array | Float64Array | Int32Array | Uint8Array)[];
/** The typed arrays among `args` and in their records (a matrix view's data, gate rows). */
const isArray = (a: unknown): a is Arrays[number] =>
  ArrayBuffer.isView(a) && !(a instanceof DataView);
const arraysOf = (args: unknown[]): Arrays =>
  args.flatMap((a) =>
    isArray(a) ? [a] : typeof a === 'object' && a !== null ? Object.values(a).filter(isArray) : [],
  );

/** `args` with the given sizes must throw an Error and leave every array and a neighbour alone. */
function rejects(be: Backend, op: string, args: unknown[], what: string): void {
  const neighbour = F(be); // allocated after the op's arrays: next to them in wasm memory
  const arrays = [...arraysOf(args), neighbour];
  const before = arrays.map((a) => a.slice());
  const fn = be[op as keyof Backend] as (...a: unknown[]) => unknown;
  assert.throws(() => fn.apply(be, args), Error, `${op} with ${what} did not throw`);
  arrays.forEach((a, k) => {
    assert.deepEqual(a, before[k], `${op} with ${what} wrote into array ${k} before throwing`);
  });
}

function validation(ctx: SuiteContext, op: string, call: OpCall): void {
  const be = ctx.tested();
  const fn = be[op as keyof Backend] as ((...a: unknown[]) => unknown) | undefined;
  if (fn === undefined) return; // an optional op this backend does not have
  fn.apply(be, call.args(be)); // the valid call runs
  for (const where of call.sizes) {
    for (const bad of [-1, 1.5, NaN, 2 ** 31 - 1, 2 ** 31, 2 ** 53]) {
      const args = call.args(be);
      setSize(args, where, bad);
      rejects(be, op, args, `size ${String(where)} = ${bad}`);
    }
  }
  const args = call.args(be);
  call.sizes.forEach((where, j) => setSize(args, where, EXTREME[j]));
  rejects(be, op, args, 'overflowing sizes');
  // An empty output with huge other sizes: nothing to compute (or an array too short), at once.
  const empty = call.args(be);
  call.sizes.forEach((where, j) => setSize(empty, where, j === 0 ? 0 : 2 ** 31 - 1));
  try {
    fn.apply(be, empty);
  } catch (err) {
    assert.ok(err instanceof Error);
  }
}

/** Arguments that are wrong in kind, not size: each op's own cases. */
function specific(ctx: SuiteContext): void {
  const be = ctx.tested();
  const fn = (op: string, ...args: unknown[]) =>
    (be[op as keyof Backend] as (...a: unknown[]) => void)(...args);
  // The defects that started this: a gemm told its output is 64×64 given 16 values overwrote a
  // neighbouring tensor on wasm; softmax over rows of 0 columns looped forever.
  const a = be.alloc(64 * 64);
  const c = be.alloc(16);
  const big = { rows: 64, cols: 64, stride: 64 };
  rejects(be, 'gemm', [V(a, big), V(a, big), V(c, big), 0], 'a 16-value c');
  rejects(be, 'activation', ['softmax', F(be), F(be), 4, 0], 'cols 0');
  rejects(be, 'activation', ['softmax', F(be), F(be), 4, 3], 'cols not dividing n');
  rejects(be, 'activationBackward', ['softmax', F(be), F(be), F(be), 4, 0], 'cols 0');
  rejects(be, 'activation', ['selu', F(be), F(be), 4, 1], 'an unknown kind');
  type Over = Record<string, unknown>;
  const gemm = (a: Over, b: Over, c: Over, beta: unknown = 0) =>
    [V(F(be), a), V(F(be), b), V(F(be), c), beta] as unknown[];
  rejects(be, 'gemm', gemm({}, { stride: 1 }, {}), 'b stride < its columns');
  rejects(be, 'gemm', gemm({}, {}, { stride: 1 }), 'c stride < its columns');
  rejects(be, 'gemm', gemm({ stride: 0 }, {}, {}), 'a stride 0');
  rejects(be, 'gemm', gemm({ offset: -1 }, {}, {}), 'a offset −1');
  rejects(be, 'gemm', gemm({}, {}, { offset: 255 }), 'c past its end');
  rejects(be, 'gemm', gemm({}, {}, {}, 2), 'beta 2');
  rejects(be, 'gemm', gemm({ data: [1, 2, 3, 4] }, {}, {}), 'a plain array');
  rejects(be, 'gemm', gemm({ cols: 3, stride: 3 }, {}, {}), 'op(a) 2×3 times op(b) 2×2');
  rejects(be, 'gemm', gemm({}, { rows: 3 }, {}), 'op(b) 3×2 after op(a) 2×2');
  rejects(be, 'gemm', gemm({}, { transposed: true, cols: 3, stride: 3 }, {}), 'op(b) 3×2');
  rejects(be, 'gemm', gemm({}, {}, { transposed: true }), 'a transposed c');
  rejects(be, 'gemm', gemm({ transposed: 'yes' }, {}, {}), "transposed 'yes'");
  rejects(be, 'gemm', [V(F(be)), null, V(F(be)), 0], 'a null b');
  fn('gemm', ...gemm({ cols: 3, stride: 3 }, { rows: 3 }, {})); // 2×3 times 3×2: valid
  fn('gemm', ...gemm({ transposed: true, rows: 3 }, { rows: 3 }, {})); // (3×2)ᵀ times 3×2
  rejects(be, 'gather', [F(be), 2, Int32Array.of(0, 128), F(be)], 'an id past the table');
  rejects(be, 'scatterAdd', [F(be), Int32Array.of(-1), 2, F(be)], 'a negative id');
  rejects(be, 'gather', [F(be), 2, Float32Array.of(0), F(be)], 'float ids');
  const bag = (offsets: Int32Array, mode = 'sum', weights: unknown = null) =>
    [F(be), 2, I(), offsets, weights, mode, F(be)] as unknown[];
  rejects(be, 'embeddingBag', bag(Int32Array.of(0, 40, 30, 64)), 'decreasing offsets');
  rejects(be, 'embeddingBag', bag(Int32Array.of(1, 64)), 'offsets not from 0');
  rejects(be, 'embeddingBag', bag(Int32Array.of(0, 63)), 'offsets short of ids.length');
  rejects(be, 'embeddingBag', bag(Int32Array.of(0, 65)), 'offsets past ids.length');
  rejects(be, 'embeddingBag', bag(new Int32Array(0)), 'no offsets');
  rejects(be, 'embeddingBag', bag(BAGS(), 'max'), 'an unknown mode');
  rejects(be, 'embeddingBag', bag(BAGS(), 'sum', be.alloc(63)), '63 weights for 64 ids');
  rejects(
    be,
    'embeddingBagBackward',
    [F(be), Int32Array.of(0, 128), Int32Array.of(0, 2), null, 'sum', 2, F(be)],
    'an id past the table',
  );
  rejects(
    be,
    'maxPool1dBackward',
    [F(be), Int32Array.of(0, 1, 2, 3, 4, 5, 6, 99), win(), F(be)],
    'an argmax past the input',
  );
  const sparse = (kind: string, list: Int32Array, grads: unknown = null) => [
    { kind, y: F(be), dy: F(be), at: list, count: list.length },
    F(be),
    win(),
    F(be),
    2,
    grads ?? { dKernel: F(be), dBias: null, dx: F(be) },
  ];
  rejects(be, 'conv1dBackwardSparse', sparse('softmax', SPARSE_AT()), 'softmax');
  rejects(be, 'conv1dBackwardSparse', sparse('relu', Int32Array.of(0, 8)), 'an entry past dy');
  rejects(be, 'conv1dBackwardSparse', sparse('relu', Int32Array.of(-1)), 'a negative entry');
  rejects(be, 'conv1dBackwardSparse', sparse('relu', SPARSE_AT(), 5), 'a number as the gradients');
  const short = { dKernel: F(be), dBias: null, dx: be.alloc(3) };
  rejects(be, 'conv1dBackwardSparse', sparse('relu', SPARSE_AT(), short), 'a short dx');
  rejects(be, 'conv1dBackwardSparse', [null, ...sparse('relu', SPARSE_AT()).slice(1)], 'no out');
  rejects(be, 'im2col1d', [F(be), { ...win(), stride: 0 }, F(be)], 'stride 0');
  rejects(be, 'maxPool1d', [F(be), { ...win(), steps: 0 }, F(be), I()], 'no input steps');
  // sequenceForward without dropout: gates, U, h and what the cell needs.
  const none = { hIn: null, recurrentScale: null, mask: null, c: null, rec: null, rh: null };
  const forward = (cell: unknown, own: Record<string, unknown>) => [
    SEQ(be, cell, { ...none, ...own }),
    F(be),
  ];
  const lstm = (mask: unknown) => forward(LSTM_C, { mask, c: F(be) });
  rejects(be, 'sequenceForward', lstm(new Uint8Array(3)), 'a short mask');
  rejects(be, 'sequenceForward', lstm(Int32Array.of(1, 1, 1, 1)), 'an Int32Array mask');
  rejects(be, 'sequenceForward', lstm(M().subarray(61)), 'a short view of a mask');
  rejects(be, 'sequenceForward', forward(LSTM_C, {}), 'an LSTM without c');
  rejects(be, 'sequenceForward', forward(LSTM_C, { c: F(be), gates: null }), 'no gates');
  rejects(be, 'sequenceForward', forward(LSTM_C, { recurrentScale: F(be) }), 'a scale, no hIn');
  const rnn = (cell: unknown) => forward(cell, {});
  const softmax = { kind: 'simpleRnn', activation: 'softmax' };
  rejects(be, 'sequenceForward', rnn(softmax), 'softmax in a cell');
  rejects(be, 'sequenceForward', rnn({ kind: 'transformer' }), 'an unknown cell');
  rejects(be, 'sequenceForward', rnn(null), 'no cell');
  rejects(be, 'sequenceForward', [5, F(be)], 'a number as the sequence');
  const gruForward = (recurrentBias: unknown) => forward(GRU_A, { rec: F(be), recurrentBias });
  rejects(be, 'sequenceForward', gruForward(F(be).subarray(0, 5)), 'a short recurrent bias');
  rejects(be, 'sequenceForward', gruForward(Int32Array.of(1, 2, 3, 4, 5, 6)), 'an int rec. bias');
  fn('sequenceForward', ...gruForward(F(be))); // valid
  const tanh = { kind: 'simpleRnn', activation: 'tanh' };
  const rows = (gateRows: unknown) => [...rnn(tanh), gateRows];
  const ids = (...list: number[]) => Int32Array.from(list);
  rejects(be, 'sequenceForward', rows({ table: F(be), rows: ids(0, 1, 2) }), 'short gate rows');
  rejects(be, 'sequenceForward', rows({ table: F(be), rows: ids(0, 1, 2, 1e6) }), 'a row past');
  rejects(be, 'sequenceForward', rows({ table: F(be), rows: ids(0, -1, 2, 3) }), 'a negative row');
  rejects(be, 'sequenceForward', rows({ table: ids(1, 2), rows: ids(0, 0, 0, 0) }), 'int table');
  rejects(be, 'sequenceForward', rows({ table: F(be), rows: F(be) }), 'float rows');
  rejects(be, 'sequenceForward', rows(5), 'gateRows a number');
  const biased = (bias: unknown) => rows({ table: F(be), rows: ids(0, 1, 2, 3), bias });
  rejects(be, 'sequenceForward', biased(F(be).subarray(0, 1)), 'a gate bias short of G·units');
  rejects(be, 'sequenceForward', biased(ids(1, 2)), 'an int gate bias');
  fn('sequenceForward', ...rows({ table: F(be), rows: ids(0, 1, 2, 3) })); // valid
  fn('sequenceForward', ...biased(F(be).subarray(0, 2))); // valid
  // A second layer in the same call: its own buffers checked, its cell and sizes the first's.
  const pair = (second: unknown) => [...gruForward(F(be)), null, second];
  const other = (own: Record<string, unknown>) => ({
    seq: forward(GRU_A, { rec: F(be), ...own })[0],
    U: F(be),
  });
  fn('sequenceForward', ...pair(other({}))); // valid
  rejects(be, 'sequenceForward', pair(other({ rec: null })), 'a second GRU without rec');
  rejects(be, 'sequenceForward', pair(other({ units: 1 })), 'a second layer of other units');
  rejects(be, 'sequenceForward', pair({ ...other({}), seq: rnn(tanh)[0] }), 'a second cell');
  rejects(be, 'sequenceForward', pair(5), 'a number as the second layer');
  const last = (second: unknown) => [...OPS.sequenceLast.args(be), second];
  const layer = (out: unknown) => ({
    reverse: true,
    W: F(be),
    bias: null,
    U: F(be),
    mask: M(),
    out,
  });
  rejects(be, 'sequenceLast', last(layer(be.alloc(3))), 'a short second out');
  rejects(be, 'sequenceLast', last({ ...layer(F(be)), W: null }), 'a second layer without W');
  rejects(be, 'sequenceLast', last(5), 'a number as the second layer');
  rejects(be, 'sequenceLast', [OPS.sequenceLast.args(be)[0], 5], 'a number as the layer');
  rejects(be, 'sequenceLast', [null, layer(F(be))], 'no input');
  const input = OPS.sequenceLast.args(be)[0] as object;
  rejects(be, 'sequenceLast', [{ ...input, x: be.alloc(7) }, layer(F(be))], 'a short x');
  fn('sequenceLast', ...last(layer(F(be)))); // valid
  // sequenceBackward without dropout, mask or c.
  const gru = (dRec: unknown) => [
    SEQ(be, GRU_A, { ...none, rec: F(be) }),
    F(be),
    GRADS(be, { dHIn: null, dc: null, dRec, dRh: null }),
  ];
  rejects(be, 'sequenceBackward', gru(null), 'resetAfter without dRec');
  const flagged = (lastStepOnly: unknown) => {
    const [seq, Ut, grads] = gru(F(be));
    return [seq, Ut, { ...(grads as object), lastStepOnly }];
  };
  rejects(be, 'sequenceBackward', flagged(2), 'lastStepOnly 2');
  rejects(be, 'sequenceBackward', flagged('yes'), 'lastStepOnly a string');
  fn('sequenceBackward', ...flagged(true)); // valid
  rejects(be, 'sequenceBackward', gru(be.alloc(7)), 'a short dRec');
  rejects(be, 'sequenceBackward', [...gru(F(be)).slice(0, 2), null], 'no gradients');
  fn('sequenceBackward', ...gru(F(be))); // valid
  rejects(be, 'adamUpdate', adamArgs(be, null), 'no v');
  const adamRows = (rows: unknown) => [...adamArgs(be), 2, rows];
  rejects(be, 'adamUpdateRows', adamRows(Int32Array.of(0, 2)), 'a row past the table');
  rejects(be, 'adamUpdateRows', adamRows(Int32Array.of(1, 0, 1)), 'a row listed twice');
  fn('adamUpdateRows', ...adamRows(Int32Array.of(1, 0))); // the refused call's rows are free again
  rejects(be, 'adamUpdateRows', adamRows(Float32Array.of(1)), 'float rows');
  fn('activation', 'softmax', F(be), F(be), 0, 0); // no rows: nothing to do, and no error
}

export const validationCases: Record<string, (ctx: SuiteContext) => void> = {
  ...Object.fromEntries(
    Object.entries(OPS).map(([op, call]) => [op, (ctx: SuiteContext) => validation(ctx, op, call)]),
  ),
  'wrong kinds of arguments': specific,
  'every op has its case': () =>
    assert.deepEqual(Object.keys(OPS).sort(), Object.keys(OP_CHECKS).sort()),
};
