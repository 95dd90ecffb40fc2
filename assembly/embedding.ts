// Embedding lookup and its sparse gradient. ids are int32 values at `ids`.
import { addRow, lanes, ld, st } from './simd';

/** Output rows [i0, i1): row i is the table row ids[i]. */
export function gather(table: usize, dim: i32, ids: usize, out: usize, i0: i32, i1: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let i = i0; i < i1; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    memory.copy(out + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
}

/** In id order, like the reference: repeated ids accumulate in the same sequence. */
export function scatterAdd(dOut: usize, ids: usize, count: i32, dim: i32, dTable: usize): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const id = <usize>load<i32>(ids + (<usize>i << 2));
    addRow(dTable + id * rowBytes, dOut + <usize>i * rowBytes, dim);
  }
}

/**
 * Bags [b0, b1) in CSR form (ids and offsets int32, weights f32 or 0 for all 1): out row b is the
 * weighted sum of its ids' rows, divided by their count when `mean` is set (an empty bag gives 0).
 */
export function embeddingBag(
  table: usize, dim: i32, ids: usize, offsets: usize, weights: usize, mean: i32, out: usize,
  b0: i32, b1: i32,
): void {
  if ((dim & 3) == 0) bagRows(true, table, dim, ids, offsets, weights, mean, out, b0, b1);
  else bagRows(false, table, dim, ids, offsets, weights, mean, out, b0, b1);
}

@inline function bagRows(
  full: bool, table: usize, dim: i32, ids: usize, offsets: usize, weights: usize, mean: i32,
  out: usize, b0: i32, b1: i32,
): void {
  const rowBytes = <usize>dim << 2;
  for (let b = b0; b < b1; b++) {
    const dst = out + <usize>b * rowBytes;
    memory.fill(dst, 0, rowBytes);
    const start = load<i32>(offsets + (<usize>b << 2));
    const end = load<i32>(offsets + (<usize>(b + 1) << 2));
    for (let j = start; j < end; j++) {
      const wj = f32x4.splat(weights != 0 ? load<f32>(weights + (<usize>j << 2)) : <f32>1);
      const src = table + <usize>load<i32>(ids + (<usize>j << 2)) * rowBytes;
      for (let d = 0; d < dim; d += 4) {
        const o = <usize>d << 2, cnt = lanes(full, dim, d);
        st(dst + o, f32x4.add(ld(dst + o, cnt), f32x4.mul(wj, ld(src + o, cnt))), cnt);
      }
    }
    if (mean != 0 && end > start) {
      const count = f32x4.splat(<f32>(end - start));
      for (let d = 0; d < dim; d += 4) {
        const o = <usize>d << 2, cnt = lanes(full, dim, d);
        st(dst + o, f32x4.div(ld(dst + o, cnt), count), cnt);
      }
    }
  }
}

/** The gradient of embeddingBag, bag by bag in id order (repeated ids add up as the reference). */
export function embeddingBagBackward(
  dOut: usize, ids: usize, offsets: usize, bags: i32, weights: usize, mean: i32, dim: i32,
  dTable: usize,
): void {
  const rowBytes = <usize>dim << 2;
  for (let b = 0; b < bags; b++) {
    const start = load<i32>(offsets + (<usize>b << 2));
    const end = load<i32>(offsets + (<usize>(b + 1) << 2));
    const src = dOut + <usize>b * rowBytes;
    const count = mean != 0 ? <f32>(end - start) : <f32>1;
    for (let j = start; j < end; j++) {
      const w = weights != 0 ? load<f32>(weights + (<usize>j << 2)) : <f32>1;
      const wj = f32x4.splat(w / count);
      const dst = dTable + <usize>load<i32>(ids + (<usize>j << 2)) * rowBytes;
      for (let d = 0; d < dim; d += 4) {
        const o = <usize>d << 2, cnt = min(4, dim - d);
        st(dst + o, f32x4.add(ld(dst + o, cnt), f32x4.mul(wj, ld(src + o, cnt))), cnt);
      }
    }
  }
}
