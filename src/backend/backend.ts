import type { DType, FloatArray } from '../tensor/tensor.js';
import type { ConvOps } from './conv-ops.js';
import type { CoreOps } from './core-ops.js';
import type { EmbeddingOps } from './embedding-ops.js';
import type { OptimizerOps } from './optimizer-ops.js';
import type { RecurrentOps } from './recurrent-ops.js';

/**
 * The op set every backend implements. Layers call only these; a backend knows nothing of layers.
 * Each group lives in its own file so a fast backend can be written (and tested) group by group.
 * Arrays are row-major; a MatrixView's offset and stride let gemm read a slice (one timestep of a
 * [batch, steps, features] array) without copying, and so does a view (subarray) of an array.
 *
 * Argument contract, the same on every backend (the TypeScript checks in ./checks/ for wasm and
 * reference, native/call.h in the addon after gemm's shape check), tested by test/backend/conformance/validation.ts:
 * - sizes are integers in [0, 2^31), offsets integers in (−2^31, 2^31); products of sizes are
 *   checked without wrapping, so sizes too large for any array are an error, never a small extent;
 * - every array has the type its parameter says (float arrays: Float32Array, or Float64Array on
 *   the float64 reference; ids and argmax Int32Array; masks Uint8Array or null), and holds every
 *   value the op reads or writes: [offset, offset + extent), a matrix's last row through its
 *   stride (≥ its columns; gemm's A may overlap its rows, stride ≥ 1); a record (a cell, a
 *   window, a matrix view) is an object with its fields, and gemm's views agree in shape;
 * - ids and argmax index inside their table or input; softmax rows have cols ≥ 1 dividing n; a
 *   window's size, stride and dilation are ≥ 1; enums are one of their names;
 * - a violation throws an Error "op: what" before anything is written; an op whose outputs are
 *   all empty returns at once, however large its other sizes.
 */
export interface Backend extends CoreOps, EmbeddingOps, RecurrentOps, ConvOps, OptimizerOps {
  readonly name: string;
  readonly dtype: DType;
  /** A zero-filled array of this backend's dtype. */
  alloc(length: number): FloatArray;
}
