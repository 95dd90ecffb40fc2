// Fused pointwise kernels of the recurrent cells, the steps of ./sequence.ts, over batch rows
// [r0, r1) so a step can be split across threads (rows are independent). Pointers are byte addresses of the step's block; a mask
// pointer of 0 means no mask, and so does 0 for an optional output (dhPrev, dRec).
import { activate, derivative } from './core';
import { addRow, fmadd, lanes, ld, st, vsigmoid, vtanh } from './simd';

@inline function masked(mask: usize, b: i32): bool {
  return mask != 0 && load<u8>(mask + <usize>b) == 0;
}

@inline function row(base: usize, b: i32, width: i32): usize {
  return base + (<usize>(b * width) << 2);
}

export function rnnForward(
  kind: i32, r0: i32, r1: i32, H: i32, gates: usize, hPrev: usize, h: usize, mask: usize,
): void {
  if ((H & 3) == 0) rnnForwardRows(true, kind, r0, r1, H, gates, hPrev, h, mask);
  else rnnForwardRows(false, kind, r0, r1, H, gates, hPrev, h, mask);
}

@inline function rnnForwardRows(
  full: bool, kind: i32, r0: i32, r1: i32, H: i32, gates: usize, hPrev: usize, h: usize, mask: usize,
): void {
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, H), hp = row(hPrev, b, H), ho = row(h, b, H);
    const m = masked(mask, b);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const y = activate(kind, ld(g + o, cnt));
      st(g + o, y, cnt);
      st(ho + o, m ? ld(hp + o, cnt) : y, cnt);
    }
  }
}

export function rnnBackward(
  kind: i32, r0: i32, r1: i32, H: i32, gates: usize, dh: usize, dG: usize, dhPrev: usize, mask: usize,
): void {
  if ((H & 3) == 0) rnnBackwardRows(true, kind, r0, r1, H, gates, dh, dG, dhPrev, mask);
  else rnnBackwardRows(false, kind, r0, r1, H, gates, dh, dG, dhPrev, mask);
}

@inline function rnnBackwardRows(
  full: bool, kind: i32, r0: i32, r1: i32, H: i32, gates: usize, dh: usize, dG: usize, dhPrev: usize, mask: usize,
): void {
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, H), d = row(dh, b, H), dg = row(dG, b, H);
    if (masked(mask, b)) {
      memory.fill(dg, 0, <usize>H << 2);
      if (dhPrev != 0) addRow(row(dhPrev, b, H), d, H);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      st(dg + o, f32x4.mul(ld(d + o, cnt), derivative(kind, ld(g + o, cnt))), cnt);
    }
  }
}

export function lstmForward(
  r0: i32, r1: i32, H: i32, gates: usize, cPrev: usize, c: usize, hPrev: usize, h: usize, mask: usize,
): void {
  if ((H & 3) == 0) lstmForwardRows(true, r0, r1, H, gates, cPrev, c, hPrev, h, mask);
  else lstmForwardRows(false, r0, r1, H, gates, cPrev, c, hPrev, h, mask);
}

@inline function lstmForwardRows(
  full: bool, r0: i32, r1: i32, H: i32, gates: usize, cPrev: usize, c: usize, hPrev: usize, h: usize, mask: usize,
): void {
  const hb = <usize>H << 2;
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 4 * H), cp = row(cPrev, b, H), co = row(c, b, H);
    const hp = row(hPrev, b, H), ho = row(h, b, H);
    const m = masked(mask, b);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const gi = g + o, gf = gi + hb, gg = gf + hb, go = gg + hb;
      const i = vsigmoid(ld(gi, cnt)), f = vsigmoid(ld(gf, cnt));
      const u = vtanh(ld(gg, cnt)), out = vsigmoid(ld(go, cnt));
      st(gi, i, cnt);
      st(gf, f, cnt);
      st(gg, u, cnt);
      st(go, out, cnt);
      if (m) {
        st(co + o, ld(cp + o, cnt), cnt);
        st(ho + o, ld(hp + o, cnt), cnt);
      } else {
        const cv = fmadd(f, ld(cp + o, cnt), f32x4.mul(i, u));
        st(co + o, cv, cnt);
        st(ho + o, f32x4.mul(out, vtanh(cv)), cnt);
      }
    }
  }
}

export function lstmBackward(
  r0: i32, r1: i32, H: i32, gates: usize, cPrev: usize, c: usize, dh: usize, dc: usize,
  dG: usize, dhPrev: usize, mask: usize,
): void {
  if ((H & 3) == 0) lstmBackwardRows(true, r0, r1, H, gates, cPrev, c, dh, dc, dG, dhPrev, mask);
  else lstmBackwardRows(false, r0, r1, H, gates, cPrev, c, dh, dc, dG, dhPrev, mask);
}

@inline function lstmBackwardRows(
  full: bool, r0: i32, r1: i32, H: i32, gates: usize, cPrev: usize, c: usize, dh: usize, dc: usize,
  dG: usize, dhPrev: usize, mask: usize,
): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 4 * H), dg = row(dG, b, 4 * H), d = row(dh, b, H);
    if (masked(mask, b)) {
      memory.fill(dg, 0, hb << 2);
      if (dhPrev != 0) addRow(row(dhPrev, b, H), d, H);
      continue;
    }
    const cp = row(cPrev, b, H), co = row(c, b, H), dco = row(dc, b, H);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const gi = g + o;
      const i = ld(gi, cnt), f = ld(gi + hb, cnt), u = ld(gi + 2 * hb, cnt), out = ld(gi + 3 * hb, cnt);
      const tc = vtanh(ld(co + o, cnt));
      const dhv = ld(d + o, cnt);
      const dct = fmadd(f32x4.mul(dhv, out), f32x4.sub(one, f32x4.mul(tc, tc)), ld(dco + o, cnt));
      const di = dg + o;
      st(di, f32x4.mul(f32x4.mul(dct, u), f32x4.mul(i, f32x4.sub(one, i))), cnt);
      st(di + hb, f32x4.mul(f32x4.mul(dct, ld(cp + o, cnt)), f32x4.mul(f, f32x4.sub(one, f))), cnt);
      st(di + 2 * hb, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(u, u))), cnt);
      st(di + 3 * hb, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(out, f32x4.sub(one, out))), cnt);
      st(dco + o, f32x4.mul(dct, f), cnt);
    }
  }
}

export function gruForward(
  resetAfter: i32, r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, h: usize,
  mask: usize,
): void {
  if ((H & 3) == 0) gruForwardRows(true, resetAfter, r0, r1, H, gates, rec, hPrev, h, mask);
  else gruForwardRows(false, resetAfter, r0, r1, H, gates, rec, hPrev, h, mask);
}

@inline function gruForwardRows(
  full: bool, resetAfter: i32, r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, h: usize,
  mask: usize,
): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 3 * H), rc = row(rec, b, 3 * H), hp = row(hPrev, b, H), ho = row(h, b, H);
    const m = masked(mask, b);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const gz = g + o, rz = rc + o;
      const z = vsigmoid(f32x4.add(ld(gz, cnt), ld(rz, cnt)));
      const r = vsigmoid(f32x4.add(ld(gz + hb, cnt), ld(rz + hb, cnt)));
      const recH = ld(rz + 2 * hb, cnt);
      const xh = ld(gz + 2 * hb, cnt);
      const hh = vtanh(resetAfter != 0 ? fmadd(r, recH, xh) : f32x4.add(xh, recH));
      st(gz, z, cnt);
      st(gz + hb, r, cnt);
      st(gz + 2 * hb, hh, cnt);
      const hpv = ld(hp + o, cnt);
      st(ho + o, m ? hpv : fmadd(z, hpv, f32x4.mul(f32x4.sub(one, z), hh)), cnt);
    }
  }
}

export function gruResetForward(
  r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, rh: usize,
): void {
  if ((H & 3) == 0) gruResetForwardRows(true, r0, r1, H, gates, rec, hPrev, rh);
  else gruResetForwardRows(false, r0, r1, H, gates, rec, hPrev, rh);
}

@inline function gruResetForwardRows(
  full: bool, r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, rh: usize,
): void {
  const hb = <usize>H << 2;
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 3 * H) + hb, rc = row(rec, b, 3 * H) + hb;
    const hp = row(hPrev, b, H), out = row(rh, b, H);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const r = vsigmoid(f32x4.add(ld(g + o, cnt), ld(rc + o, cnt)));
      st(out + o, f32x4.mul(r, ld(hp + o, cnt)), cnt);
    }
  }
}

export function gruBackward(
  resetAfter: i32, r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, dh: usize,
  dG: usize, dRec: usize, dhPrev: usize, mask: usize,
): void {
  if ((H & 3) == 0) gruBackwardRows(true, resetAfter, r0, r1, H, gates, rec, hPrev, dh, dG, dRec, dhPrev, mask);
  else gruBackwardRows(false, resetAfter, r0, r1, H, gates, rec, hPrev, dh, dG, dRec, dhPrev, mask);
}

@inline function gruBackwardRows(
  full: bool, resetAfter: i32, r0: i32, r1: i32, H: i32, gates: usize, rec: usize, hPrev: usize, dh: usize,
  dG: usize, dRec: usize, dhPrev: usize, mask: usize,
): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 3 * H), dg = row(dG, b, 3 * H), d = row(dh, b, H);
    const dr = resetAfter != 0 ? row(dRec, b, 3 * H) : 0;
    const dp = dhPrev != 0 ? row(dhPrev, b, H) : 0;
    if (masked(mask, b)) {
      memory.fill(dg, 0, 3 * hb);
      if (dr != 0) memory.fill(dr, 0, 3 * hb);
      if (dp != 0) addRow(dp, d, H);
      continue;
    }
    const rc = row(rec, b, 3 * H), hp = row(hPrev, b, H);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const z = ld(g + o, cnt), hh = ld(g + 2 * hb + o, cnt), dhv = ld(d + o, cnt);
      const dz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hp + o, cnt), hh)), f32x4.mul(z, f32x4.sub(one, z)));
      const dah = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
      st(dg + o, dz, cnt);
      st(dg + 2 * hb + o, dah, cnt);
      if (dr != 0) {
        const r = ld(g + hb + o, cnt);
        const dar = f32x4.mul(f32x4.mul(dah, ld(rc + 2 * hb + o, cnt)), f32x4.mul(r, f32x4.sub(one, r)));
        st(dg + hb + o, dar, cnt);
        st(dr + o, dz, cnt);
        st(dr + hb + o, dar, cnt);
        st(dr + 2 * hb + o, f32x4.mul(dah, r), cnt);
      }
      if (dp != 0) st(dp + o, fmadd(dhv, z, ld(dp + o, cnt)), cnt);
    }
  }
}

export function gruResetBackward(
  r0: i32, r1: i32, H: i32, gates: usize, hPrev: usize, dRh: usize, dG: usize, dhPrev: usize,
): void {
  if ((H & 3) == 0) gruResetBackwardRows(true, r0, r1, H, gates, hPrev, dRh, dG, dhPrev);
  else gruResetBackwardRows(false, r0, r1, H, gates, hPrev, dRh, dG, dhPrev);
}

@inline function gruResetBackwardRows(
  full: bool, r0: i32, r1: i32, H: i32, gates: usize, hPrev: usize, dRh: usize, dG: usize, dhPrev: usize,
): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = r0; b < r1; b++) {
    const g = row(gates, b, 3 * H) + hb, dg = row(dG, b, 3 * H) + hb;
    const hp = row(hPrev, b, H), d = row(dRh, b, H);
    const dp = dhPrev != 0 ? row(dhPrev, b, H) : 0;
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2, cnt = lanes(full, H, j);
      const r = ld(g + o, cnt), drh = ld(d + o, cnt);
      st(dg + o, f32x4.mul(f32x4.mul(drh, ld(hp + o, cnt)), f32x4.mul(r, f32x4.sub(one, r))), cnt);
      if (dp != 0) st(dp + o, fmadd(drh, r, ld(dp + o, cnt)), cnt);
    }
  }
}
