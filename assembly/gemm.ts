// C = op(A)·op(B) + beta·C on a column or row range of C (one thread's part).
//
// Every element of C is computed the same way whatever the blocking, tile or thread part it falls
// in: for each KC-block of k (fixed boundaries from 0) its chain starts from C (from 0 for the
// first block with beta 0) and takes c = fmadd(a_p, b_p, c) over the block in order. Tiles at
// the edges run the same chains on zero-padded copies. So any split of C across threads gives
// bit-identical results.
import { fmadd } from './simd';

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 256;
/** Rows of A swept per 8-column B panel, so that panel stays in L1. */
const MC: i32 = 96;

/** The edge tile (C values of a partial tile, zero-padded), the B panel and the packed A block. */
@inline function tilePtr(scratch: usize): usize {
  return scratch;
}
@inline function bPanelPtr(scratch: usize): usize {
  return scratch + <usize>(MR * NR * 4);
}
@inline function aBlockPtr(scratch: usize): usize {
  return bPanelPtr(scratch) + <usize>(KC * NR * 4);
}
/** Bytes of scratch one thread needs (the host reserves this much per thread). */
export function gemmScratchBytes(): i32 {
  return (MR * NR + KC * NR + MC * KC) * 4;
}

/**
 * The 6×8 register tile: C(r, 0..8) = fmadd chain of A(r, p)·B(p, 0..8) over kc steps, starting
 * from the C values. A(r, p) is the float at a + r·ars + p·aps; B row p is 8 contiguous floats at
 * b + p·brs; C rows are ldc bytes apart. (Starting the chains from C rather than from zero also
 * keeps V8 from shuffling twelve equal zero registers through the loop: ~2x faster here.)
 */
function micro6x8(kc: i32, a: usize, ars: usize, aps: usize, b: usize, brs: usize, c: usize, ldc: usize): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  let x40 = v128.load(c4), x41 = v128.load(c4, 16);
  let x50 = v128.load(c5), x51 = v128.load(c5, 16);
  const a2 = ars << 1, a3 = a2 + ars, a4 = a2 << 1, a5 = a4 + ars;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    x00 = fmadd(av, b0, x00); x01 = fmadd(av, b1, x01);
    av = v128.load32_splat(a + ars);
    x10 = fmadd(av, b0, x10); x11 = fmadd(av, b1, x11);
    av = v128.load32_splat(a + a2);
    x20 = fmadd(av, b0, x20); x21 = fmadd(av, b1, x21);
    av = v128.load32_splat(a + a3);
    x30 = fmadd(av, b0, x30); x31 = fmadd(av, b1, x31);
    av = v128.load32_splat(a + a4);
    x40 = fmadd(av, b0, x40); x41 = fmadd(av, b1, x41);
    av = v128.load32_splat(a + a5);
    x50 = fmadd(av, b0, x50); x51 = fmadd(av, b1, x51);
    a += aps;
    b += brs;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
  v128.store(c4, x40); v128.store(c4, x41, 16);
  v128.store(c5, x50); v128.store(c5, x51, 16);
}

/**
 * A lone row of C across 32 columns (four panels), B row-major read in place: eight independent
 * chains per k, where a 6×8 tile would pad the row to six and run two. Each C value is the same
 * fmadd chain over k in order (a KC block boundary only stores and reloads it).
 */
function microRow32(k: i32, a: usize, aps: usize, b: usize, brs: usize, c: usize, add: bool): void {
  const zero = f32x4.splat(0);
  let x0 = add ? v128.load(c) : zero, x1 = add ? v128.load(c, 16) : zero;
  let x2 = add ? v128.load(c, 32) : zero, x3 = add ? v128.load(c, 48) : zero;
  let x4 = add ? v128.load(c, 64) : zero, x5 = add ? v128.load(c, 80) : zero;
  let x6 = add ? v128.load(c, 96) : zero, x7 = add ? v128.load(c, 112) : zero;
  for (let p = 0; p < k; p++) {
    const av = v128.load32_splat(a);
    x0 = fmadd(av, v128.load(b), x0); x1 = fmadd(av, v128.load(b, 16), x1);
    x2 = fmadd(av, v128.load(b, 32), x2); x3 = fmadd(av, v128.load(b, 48), x3);
    x4 = fmadd(av, v128.load(b, 64), x4); x5 = fmadd(av, v128.load(b, 80), x5);
    x6 = fmadd(av, v128.load(b, 96), x6); x7 = fmadd(av, v128.load(b, 112), x7);
    a += aps;
    b += brs;
  }
  v128.store(c, x0); v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
  v128.store(c, x4, 64); v128.store(c, x5, 80); v128.store(c, x6, 96); v128.store(c, x7, 112);
}

/** B(p, j0..j0+cols) for p < kc into a kc×8 panel, zero-padded past `cols` columns. */
function packB(kc: i32, b: usize, brs: usize, bcs: usize, cols: i32, panel: usize): void {
  for (let p = 0; p < kc; p++) {
    const row = panel + <usize>(p * NR * 4);
    const src = b + <usize>p * brs;
    for (let j = 0; j < NR; j++) {
      store<f32>(row + <usize>(j << 2), j < cols ? load<f32>(src + <usize>j * bcs) : 0);
    }
  }
}

/**
 * A(i0..i0+rows, p) for p < kc into 6-row panels (p-major within a panel, zero rows past
 * `rows`): the micro-kernel then reads A at unit stride, whatever A's layout. Pays for a
 * transposed A, whose columns are a row of memory apart; a row-major A is read in place.
 */
function packA(kc: i32, a: usize, ars: usize, aps: usize, rows: i32, block: usize): void {
  for (let i = 0; i < rows; i += MR) {
    const panel = block + <usize>(i * kc * 4), src = a + <usize>i * ars;
    const n = min(MR, rows - i);
    if (n == MR && ars == 4) {
      for (let p = 0; p < kc; p++) {
        const s = src + <usize>p * aps, d = panel + <usize>(p * MR * 4);
        v128.store(d, v128.load(s));
        store<u64>(d, load<u64>(s, 16), 16);
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      const s = src + <usize>p * aps, d = panel + <usize>(p * MR * 4);
      for (let r = 0; r < MR; r++) store<f32>(d + <usize>(r << 2), r < n ? load<f32>(s + <usize>r * ars) : 0);
    }
  }
}

/** A partial tile (rows < 6 or cols < 8): the same chains on a zero-padded copy of C. */
function edgeTile(
  kc: i32, rows: i32, cols: i32, a: usize, ars: usize, aps: usize, b: usize, brs: usize,
  c: usize, ldc: usize, add: bool, scratch: usize,
): void {
  const tile = tilePtr(scratch);
  memory.fill(tile, 0, MR * NR * 4);
  if (add) {
    for (let r = 0; r < rows; r++) memory.copy(tile + <usize>(r * NR * 4), c + <usize>r * ldc, <usize>(cols << 2));
  }
  micro6x8(kc, a, ars, aps, b, brs, tile, NR * 4);
  for (let r = 0; r < rows; r++) memory.copy(c + <usize>r * ldc, tile + <usize>(r * NR * 4), <usize>(cols << 2));
}

/**
 * C[i, j] for i in [i0, i1), j in [j0, j1) of C = op(A)·op(B) + beta·C. Strides are in bytes:
 * A(i, p) at a + i·ars + p·aps, B(p, j) at b + p·brs + j·bcs, C(i, j) at c + i·ldc + 4j.
 * `scratch`: gemmScratchBytes() bytes owned by the calling thread.
 */
export function gemmPart(
  i0: i32, i1: i32, j0: i32, j1: i32, k: i32,
  a: usize, ars: usize, aps: usize,
  b: usize, brs: usize, bcs: usize,
  c: usize, ldc: usize, beta: i32, scratch: usize,
): void {
  if (k == 0) {
    if (beta == 0) for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldc + <usize>(j0 << 2), 0, <usize>((j1 - j0) << 2));
    return;
  }
  if (i1 - i0 == 1 && bcs == 4) {
    const ai = a + <usize>i0 * ars, ci = c + <usize>i0 * ldc;
    for (; j0 + 32 <= j1; j0 += 32) {
      microRow32(k, ai, aps, b + (<usize>j0 << 2), brs, ci + (<usize>j0 << 2), beta != 0);
    }
    if (j0 == j1) return;
  }
  const bPanel = bPanelPtr(scratch), aBlock = aBlockPtr(scratch);
  const zero = f32x4.splat(0);
  // A transposed, or too few rows for a full tile: pack it (partial tiles then read padded rows).
  const packed = aps != 4 || i1 - i0 < MR;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const add = p0 > 0 || beta != 0;
    const ak = a + <usize>p0 * aps, bk = b + <usize>p0 * brs;
    for (let ic = i0; ic < i1; ic += MC) {
      const ie = min(ic + MC, i1);
      if (packed) packA(kc, ak + <usize>ic * ars, ars, aps, ie - ic, aBlock);
      for (let j = j0; j < j1; j += NR) {
        const cols = min(NR, j1 - j);
        // Row-major B with a full panel is read in place; transposed B or a partial panel is packed.
        let bp = bk + <usize>j * bcs, brsUse = brs;
        if (bcs != 4 || cols < NR) {
          packB(kc, bp, brs, bcs, cols, bPanel);
          bp = bPanel;
          brsUse = NR * 4;
        }
        const cj = c + <usize>(j << 2);
        for (let i = ic; i < ie; i += MR) {
          const rows = min(MR, ie - i);
          const ci = cj + <usize>i * ldc;
          let ai = ak + <usize>i * ars, aRow = ars, aStep = aps;
          if (packed) {
            ai = aBlock + <usize>((i - ic) * kc * 4);
            aRow = 4;
            aStep = MR * 4;
          } else if (rows < MR) {
            // A partial tile of an unpacked A: its rows into the first panel of the block.
            packA(kc, ai, ars, aps, rows, aBlock);
            ai = aBlock;
            aRow = 4;
            aStep = MR * 4;
          }
          if (rows < MR || cols < NR) {
            edgeTile(kc, rows, cols, ai, aRow, aStep, bp, brsUse, ci, ldc, add, scratch);
            continue;
          }
          if (!add) {
            for (let r = 0; r < MR; r++) {
              v128.store(ci + <usize>r * ldc, zero);
              v128.store(ci + <usize>r * ldc, zero, 16);
            }
          }
          micro6x8(kc, ai, aRow, aStep, bp, brsUse, ci, ldc);
        }
      }
    }
  }
}
