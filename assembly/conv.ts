// Conv1D data movement and pooling over batch-major [batch, steps, channels] arrays. A window is
// passed as its geometry (see Window1d in src/backend/conv-ops.ts).

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
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < outSteps; t++) {
      const out = (b * outSteps + t) * C;
      for (let c = 0; c < C; c++) {
        let best: f32 = -Infinity;
        let arg = -1;
        for (let j = 0; j < size; j++) {
          const tin = t * stride + j * dilation - padLeft;
          if (tin < 0 || tin >= steps) continue;
          const i = (b * steps + tin) * C + c;
          const v = load<f32>(x + (<usize>i << 2));
          // The first in-range value always wins, so a NaN window still has an argmax.
          if (arg < 0 || v > best) {
            best = v;
            arg = i;
          }
        }
        store<f32>(y + (<usize>(out + c) << 2), best);
        store<i32>(argmax + (<usize>(out + c) << 2), arg);
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
