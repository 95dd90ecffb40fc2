import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor, type SequenceMask, type Shape } from '../../src/tensor/tensor.js';

/** Float64 reference backend: finite differences are exact to ~1e-9 there. */
export const f64: Backend = createReferenceBackend('float64');

export function randomTensor(shape: Shape, rng: Rng, scale = 1): Tensor {
  const t = new Tensor(f64.alloc(shape.reduce((a, b) => a * b, 1)), shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-scale, scale);
  return t;
}

export interface GradCheckOptions {
  mask?: SequenceMask | null;
  /** Check dL/dx too (false for layers whose input is token ids). */
  checkInput?: boolean;
  eps?: number;
  tolerance?: number;
  seed?: number;
}

/**
 * Checks a layer's backward against central finite differences of L = Σ y ⊙ R (R random and
 * fixed), for the input and every parameter. The layer must already be built on `f64`.
 * Returns the largest relative error seen, after asserting it is below tolerance.
 */
export function checkLayerGradients(
  layer: Layer,
  x: Tensor,
  options: GradCheckOptions = {},
): number {
  const { mask = null, checkInput = true, eps = 1e-6, tolerance = 1e-6, seed = 7 } = options;
  const rng = new Rng(seed);
  const ctx = { training: true, mask, rng: new Rng(0) };
  const y0 = layer.forward(x, ctx);
  const r = randomTensor(y0.shape, rng);
  const loss = (): number => {
    const y = layer.forward(x, { ...ctx, rng: new Rng(0) });
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
    return s;
  };
  for (const p of layer.params()) p.grad.data.fill(0);
  layer.forward(x, { ...ctx, rng: new Rng(0) });
  const dx = layer.backward(new Tensor(Float64Array.from(r.data), r.shape));
  const analytic = layer.params().map((p) => Float64Array.from(p.grad.data));

  let worst = 0;
  const compare = (what: string, values: Tensor['data'], grad: ArrayLike<number>): void => {
    for (let i = 0; i < values.length; i++) {
      const keep = values[i];
      values[i] = keep + eps;
      const plus = loss();
      values[i] = keep - eps;
      const minus = loss();
      values[i] = keep;
      const numeric = (plus - minus) / (2 * eps);
      const err = Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(numeric), Math.abs(grad[i]));
      worst = Math.max(worst, err);
      assert.ok(
        err <= tolerance,
        `${layer.name} ${what}[${i}]: analytic ${grad[i]} vs numeric ${numeric} (rel err ${err})`,
      );
    }
  };
  if (checkInput) {
    assert.ok(dx, `${layer.name}: backward returned no input gradient`);
    compare('dx', x.data, dx.data);
  }
  layer.params().forEach((p, i) => compare(p.name, p.value.data, analytic[i]));
  return worst;
}
