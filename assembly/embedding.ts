// Embedding lookup and its sparse gradient. ids are int32 values at `ids`.
import { ld, st } from './simd';

export function gather(table: usize, dim: i32, ids: usize, count: i32, out: usize): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    memory.copy(out + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
}

/** In id order, like the reference: repeated ids accumulate in the same sequence. */
export function scatterAdd(dOut: usize, ids: usize, count: i32, dim: i32, dTable: usize): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const dst = dTable + <usize>load<i32>(ids + (<usize>i << 2)) * rowBytes;
    const src = dOut + <usize>i * rowBytes;
    for (let d = 0; d < dim; d += 4) {
      const o = <usize>d << 2, cnt = min(4, dim - d);
      st(dst + o, f32x4.add(ld(dst + o, cnt), ld(src + o, cnt)), cnt);
    }
  }
}
