// Conv1D data movement and pooling over batch-major [batch, steps, channels] arrays. A window is
// passed as its geometry (see Window1d in src/backend/conv-ops.ts).
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from './codes';
import { ld, st } from './simd';

export function im2col(
  x: usize, batch: i32, steps: i32, C: i32, size: i32, stride: i32, dilation: i32, padLeft: i32,
  outSteps: i32, cols: usize,
): void {
  const cb = <usize>C << 2;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < outSteps; t++) {
      const rowPtr = cols + <usize>(b * outSteps + t) * <usize>size * cb;
      for (let j = 0; j < size; j++) {
        const tin = t * stride + j * dilation - padLeft;
        const dst = rowPtr + <usize>j * cb;
        if (tin < 0 || tin >= steps) memory.fill(dst, 0, cb);
        else memory.copy(dst, x + <usize>(b * steps + tin) * cb, cb);
      }
    }
  }
}

export function col2im(
  dCols: usize, batch: i32, steps: i32, C: i32, size: i32, stride: i32, dilation: i32,
  padLeft: i32, outSteps: i32, dx: usize,
): void {
  const cb = <usize>C << 2;
  memory.fill(dx, 0, <usize>(batch * steps) * cb);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < outSteps; t++) {
      const rowPtr = dCols + <usize>(b * outSteps + t) * <usize>size * cb;
      for (let j = 0; j < size; j++) {
        const tin = t * stride + j * dilation - padLeft;
        if (tin < 0 || tin >= steps) continue;
        const src = rowPtr + <usize>j * cb;
        const dst = dx + <usize>(b * steps + tin) * cb;
        for (let c = 0; c < C; c++) {
          const o = <usize>c << 2;
          store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
        }
      }
    }
  }
}

export function maxPool(
  x: usize, batch: i32, steps: i32, C: i32, size: i32, stride: i32, dilation: i32, padLeft: i32,
  outSteps: i32, y: usize, argmax: usize,
): void {
  const cb = <usize>C << 2;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < outSteps; t++) {
      const out = <usize>(b * outSteps + t) * cb;
      const best = y + out, arg = argmax + out;
      // Whole rows of channels at a time, in tap order; the first in-range value always wins,
      // so a NaN window still has an argmax, and a window of padding only gives -inf and -1.
      let first = true;
      for (let j = 0; j < size; j++) {
        const tin = t * stride + j * dilation - padLeft;
        if (tin < 0 || tin >= steps) continue;
        const row = (b * steps + tin) * C;
        const xr = x + (<usize>row << 2);
        for (let c = 0; c < C; c++) {
          const o = <usize>c << 2;
          const v = load<f32>(xr + o);
          if (first || v > load<f32>(best + o)) {
            store<f32>(best + o, v);
            store<i32>(arg + o, row + c);
          }
        }
        first = false;
      }
      if (first) {
        for (let c = 0; c < C; c++) {
          store<f32>(best + (<usize>c << 2), -Infinity);
          store<i32>(arg + (<usize>c << 2), -1);
        }
      }
    }
  }
}

export function maxPoolBackward(dy: usize, argmax: usize, n: i32, dx: usize, dxLength: i32): void {
  memory.fill(dx, 0, <usize>dxLength << 2);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = dx + (<usize>load<i32>(argmax + o) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + o));
  }
}

@inline function unmaskedSteps(mask: usize, b: i32, steps: i32): i32 {
  if (mask == 0) return steps;
  let n = 0;
  for (let t = 0; t < steps; t++) if (load<u8>(mask + <usize>(b * steps + t)) != 0) n++;
  return n;
}

/** Means in float64 per channel, as the reference. */
export function globalAvgPool(x: usize, batch: i32, steps: i32, C: i32, mask: usize, y: usize): void {
  for (let b = 0; b < batch; b++) {
    const n = unmaskedSteps(mask, b, steps);
    for (let c = 0; c < C; c++) {
      let s: f64 = 0;
      if (n > 0) {
        for (let t = 0; t < steps; t++) {
          if (mask != 0 && load<u8>(mask + <usize>(b * steps + t)) == 0) continue;
          s += <f64>load<f32>(x + (<usize>((b * steps + t) * C + c) << 2));
        }
        s /= <f64>n;
      }
      store<f32>(y + (<usize>(b * C + c) << 2), <f32>s);
    }
  }
}

export function globalAvgPoolBackward(
  dy: usize, batch: i32, steps: i32, C: i32, mask: usize, dx: usize,
): void {
  for (let b = 0; b < batch; b++) {
    const inv: f64 = 1 / <f64>unmaskedSteps(mask, b, steps);
    for (let t = 0; t < steps; t++) {
      const dst = dx + (<usize>((b * steps + t) * C) << 2);
      if (mask != 0 && load<u8>(mask + <usize>(b * steps + t)) == 0) {
        memory.fill(dst, 0, <usize>C << 2);
        continue;
      }
      for (let c = 0; c < C; c++) {
        store<f32>(dst + (<usize>c << 2), <f32>(<f64>load<f32>(dy + (<usize>(b * C + c) << 2)) * inv));
      }
    }
  }
}

/** dy·f'(y) for f given by its output y (not softmax). */
@inline function activationGrad(kind: i32, y: f32, dy: f32): f32 {
  if (kind == ACT_SIGMOID) return dy * y * (1 - y);
  if (kind == ACT_TANH) return dy * (1 - y * y);
  if (kind == ACT_RELU) return y > 0 ? dy : 0;
  return dy;
}

/** dst[c] += g·src[c] for c < C, four at a time (multiply, then add: no fused rounding). */
@inline function addScaled(dst: usize, src: usize, g: f32, C: i32): void {
  const gv = f32x4.splat(g);
  const whole = C & ~3;
  for (let c = 0; c < whole; c += 4) {
    const o = <usize>c << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(gv, v128.load(src + o))));
  }
  if (whole == C) return;
  const o = <usize>whole << 2, cnt = C - whole;
  st(dst + o, f32x4.add(ld(dst + o, cnt), f32x4.mul(gv, ld(src + o, cnt))), cnt);
}

@inline function argAt(task: usize, i: i32): i32 {
  return load<i32>(task + (<usize>i << 2));
}

/** [lo, hi) of `part` when n items are split into `parts` runs. */
@inline function runOf(n: i32, part: i32, parts: i32): i64 {
  const lo = <i32>(<i64>n * part / parts), hi = <i32>(<i64>n * (part + 1) / parts);
  return (<i64>lo << 32) | <i64>hi;
}

/**
 * One part of ConvOps.conv1dBackwardSparse, as a pool task: the weights pass (`input` false:
 * filters split; per-filter sums from 0 in list order, then added to dKernel and dBias; also
 * writes its filters' rows of the transposed kernel) or, after it, the input pass (batch rows
 * split; dx = 0, then every entry of the list in order). Task args after the op code: kind, y,
 * dy, at, count, x, the window's 8 sizes, kernel, filters, dKernel, dBias, dx, scratch; scratch
 * holds filters·size·C sums, filters bias sums, then the transposed kernel (filters × size·C).
 * Every part walks the whole list, so each sum keeps the list's order for any thread count.
 */
export function conv1dSparsePart(task: usize, input: bool, part: i32, parts: i32): void {
  const kind = argAt(task, 1), y = <usize>argAt(task, 2), dy = <usize>argAt(task, 3);
  const at = <usize>argAt(task, 4), count = argAt(task, 5), x = <usize>argAt(task, 6);
  const batch = argAt(task, 7), steps = argAt(task, 8), C = argAt(task, 9), size = argAt(task, 10);
  const stride = argAt(task, 11), dilation = argAt(task, 12), padLeft = argAt(task, 13);
  const outSteps = argAt(task, 14), kernel = <usize>argAt(task, 15), F = argAt(task, 16);
  const dKernel = <usize>argAt(task, 17), dBias = <usize>argAt(task, 18);
  const dx = <usize>argAt(task, 19), scratch = <usize>argAt(task, 20);
  const K = size * C;
  const sums = scratch, biasSums = scratch + (<usize>(F * K) << 2);
  const kernelT = biasSums + (<usize>F << 2);
  const r = runOf(input ? batch : F, part, parts);
  const lo = <i32>(r >> 32), hi = <i32>r;
  if (lo >= hi) return;
  if (input) memory.fill(dx + (<usize>(lo * steps * C) << 2), 0, <usize>((hi - lo) * steps * C) << 2);
  else {
    memory.fill(sums + (<usize>(lo * K) << 2), 0, <usize>((hi - lo) * K) << 2);
    memory.fill(biasSums + (<usize>lo << 2), 0, <usize>(hi - lo) << 2);
    for (let k = 0; k < K; k++) {
      for (let f = lo; f < hi; f++) {
        store<f32>(kernelT + (<usize>(f * K + k) << 2), load<f32>(kernel + (<usize>(k * F + f) << 2)));
      }
    }
  }
  for (let e = 0; e < count; e++) {
    const i = load<i32>(at + (<usize>e << 2));
    const f = i % F, row = i / F;
    const b = row / outSteps, t = row % outSteps;
    const mine = input ? b : f;
    if (mine < lo || mine >= hi) continue;
    const o = <usize>i << 2;
    const g = activationGrad(kind, load<f32>(y + o), load<f32>(dy + o));
    if (!input) {
      const bias = biasSums + (<usize>f << 2);
      store<f32>(bias, load<f32>(bias) + g);
    }
    for (let j = 0; j < size; j++) {
      const tin = t * stride + j * dilation - padLeft;
      if (tin < 0 || tin >= steps) continue;
      const src = <usize>((b * steps + tin) * C) << 2;
      const tap = <usize>(f * K + j * C) << 2;
      if (input) addScaled(dx + src, kernelT + tap, g, C);
      else addScaled(sums + tap, x + src, g, C);
    }
  }
  if (input) return;
  for (let k = 0; k < K; k++) {
    for (let f = lo; f < hi; f++) {
      const d = dKernel + (<usize>(k * F + f) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(sums + (<usize>(f * K + k) << 2)));
    }
  }
  if (dBias != 0) {
    for (let f = lo; f < hi; f++) {
      const d = dBias + (<usize>f << 2);
      store<f32>(d, load<f32>(d) + load<f32>(biasSums + (<usize>f << 2)));
    }
  }
}
