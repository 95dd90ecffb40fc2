import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { Param } from '../../src/layers/layer.js';
import {
  Adam,
  getOptimizer,
  OPTIMIZER_NAMES,
  RMSprop,
  SGD,
  type Optimizer,
} from '../../src/optim/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64 } from '../helpers/gradcheck.js';

function param(values: number[], name = 'kernel'): Param {
  return {
    name,
    value: new Tensor(Float64Array.from(values), [values.length]),
    grad: new Tensor(new Float64Array(values.length), [values.length]),
  };
}

/** Steps with w = [1, −2] and the constant gradient g, returning w after each step. */
function steps(optimizer: Optimizer, g: number[], count = 2): number[][] {
  const p = param([1, -2]);
  const seen: number[][] = [];
  for (let i = 0; i < count; i++) {
    p.grad.data.set(g);
    optimizer.apply([p], f64);
    seen.push([...p.value.data]);
  }
  return seen;
}

function close(actual: number[][], expected: number[][], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, s) =>
    row.forEach((v, i) =>
      assert.ok(
        Math.abs(v - expected[s][i]) <= tol,
        `step ${s + 1} [${i}]: ${v} vs ${expected[s][i]}`,
      ),
    ),
  );
}

const g = [0.5, -1];

describe('SGD', () => {
  it('plain: w ← w − lr·g', () => {
    close(steps(new SGD({ learningRate: 0.1 }), g), [
      [0.95, -1.9],
      [0.9, -1.8],
    ]);
  });

  it('momentum: m ← 0.9m − lr·g; w ← w + m', () => {
    // m1 = [−0.05, 0.1]; m2 = 0.9·m1 − lr·g = [−0.095, 0.19].
    close(steps(new SGD({ learningRate: 0.1, momentum: 0.9 }), g), [
      [0.95, -1.9],
      [0.855, -1.71],
    ]);
  });

  it('nesterov: w ← w + 0.9m − lr·g', () => {
    // w1 = [1 − 0.045 − 0.05, −2 + 0.09 + 0.1]; w2 = w1 + 0.9·[−0.095, 0.19] − [0.05, −0.1].
    close(steps(new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }), g), [
      [0.905, -1.81],
      [0.7695, -1.539],
    ]);
  });

  it('reads learningRate at every step (schedulers)', () => {
    const sgd = new SGD({ learningRate: 0.1 });
    const p = param([1, -2]);
    p.grad.data.set(g);
    sgd.apply([p], f64);
    sgd.learningRate = 0.2;
    sgd.apply([p], f64);
    close([[...p.value.data]], [[0.85, -1.7]]);
  });
});

describe('RMSprop', () => {
  const eps = 1e-7;
  it('v ← 0.9v + 0.1g²; w ← w − lr·g/√(v + ε)', () => {
    // v1 = [0.025, 0.1]; v2 = [0.9·0.025 + 0.025, 0.9·0.1 + 0.1] = [0.0475, 0.19].
    const w1 = [1 - (0.01 * 0.5) / Math.sqrt(0.025 + eps), -2 + 0.01 / Math.sqrt(0.1 + eps)];
    const w2 = [
      w1[0] - (0.01 * 0.5) / Math.sqrt(0.0475 + eps),
      w1[1] + 0.01 / Math.sqrt(0.19 + eps),
    ];
    close(steps(new RMSprop({ learningRate: 0.01 }), g), [w1, w2]);
  });

  it('centered with momentum', () => {
    // a1 = 0.1g = [0.05, −0.1]; d1 = v1 − a1² + ε = [0.0225, 0.09] + ε; m1 = inc1.
    // a2 = 0.9a1 + 0.1g = [0.095, −0.19]; d2 = v2 − a2² + ε = [0.038475, 0.1539] + ε; m2 = 0.5m1 + inc2.
    const m1 = [(0.01 * 0.5) / Math.sqrt(0.0225 + eps), -0.01 / Math.sqrt(0.09 + eps)];
    const inc2 = [(0.01 * 0.5) / Math.sqrt(0.038475 + eps), -0.01 / Math.sqrt(0.1539 + eps)];
    const m2 = [0.5 * m1[0] + inc2[0], 0.5 * m1[1] + inc2[1]];
    const w1 = [1 - m1[0], -2 - m1[1]];
    close(steps(new RMSprop({ learningRate: 0.01, momentum: 0.5, centered: true }), g), [
      w1,
      [w1[0] - m2[0], w1[1] - m2[1]],
    ]);
  });
});

describe('Adam', () => {
  it('matches the closed form for a constant gradient', () => {
    // With g constant, m_t = (1 − β1^t)·g and v_t = (1 − β2^t)·g², so the step is
    // lr·√(1−β2^t)/(1−β1^t) · m_t/(√v_t + ε) = lr·g·√(1−β2^t) / (√(1−β2^t)·|g| + ε).
    const lr = 0.1;
    const update = (gi: number, t: number): number => {
      const c = Math.sqrt(1 - 0.999 ** t);
      return (lr * gi * c) / (c * Math.abs(gi) + 1e-7);
    };
    const w1 = [1 - update(0.5, 1), -2 - update(-1, 1)];
    const w2 = [w1[0] - update(0.5, 2), w1[1] - update(-1, 2)];
    close(steps(new Adam({ learningRate: lr }), g), [w1, w2]);
  });

  it('first step moves each weight by about lr against its gradient sign', () => {
    close(steps(new Adam({ learningRate: 0.01 }), [3, -0.001], 1), [[0.99, -1.99]], 1e-4);
  });
});

describe('gradient clipping', () => {
  it('clipnorm rescales each parameter to the norm, leaving smaller ones alone', () => {
    // ‖[3, 4]‖ = 5 → [0.6, 0.8] with clipnorm 1.
    close(steps(new SGD({ learningRate: 1, clipnorm: 1 }), [3, 4], 1), [[0.4, -2.8]]);
    close(steps(new SGD({ learningRate: 1, clipnorm: 10 }), [3, 4], 1), [[-2, -6]]);
  });

  it('clipnorm is per variable, not global', () => {
    const sgd = new SGD({ learningRate: 1, clipnorm: 1 });
    const a = param([0, 0]);
    const b = param([0]);
    a.grad.data.set([3, 4]);
    b.grad.data.set([0.5]);
    sgd.apply([a, b], f64);
    close([[...a.value.data], [...b.value.data]], [[-0.6, -0.8], [-0.5]]);
  });

  it('clipvalue clamps each value, and grads are left untouched', () => {
    const adam = new SGD({ learningRate: 1, clipvalue: 0.5 });
    const p = param([1, -2]);
    p.grad.data.set([3, -0.2]);
    adam.apply([p], f64);
    close(
      [[...p.value.data], [...p.grad.data]],
      [
        [0.5, -1.8],
        [3, -0.2],
      ],
    );
  });

  it('rejects both at once', () => {
    assert.throws(
      () => new Adam({ clipnorm: 1, clipvalue: 1 }),
      /at most one of clipnorm and clipvalue/,
    );
  });
});

describe('optimizer state', () => {
  const f32 = createReferenceBackend('float32');
  const makers: [string, () => Optimizer][] = [
    ['SGD with nesterov momentum', () => new SGD({ momentum: 0.9, nesterov: true })],
    ['RMSprop centered with momentum', () => new RMSprop({ momentum: 0.5, centered: true })],
    ['Adam', () => new Adam({ learningRate: 0.01 })],
  ];

  function params(): Param[] {
    const rng = new Rng(1);
    return [[3, 2], [2]].map(([rows, cols = 1], i) => {
      const shape = cols === 1 ? [rows] : [rows, cols];
      const p = {
        name: i === 0 ? 'kernel' : 'bias',
        value: new Tensor(f32.alloc(rows * cols), shape),
        grad: new Tensor(f32.alloc(rows * cols), shape),
      };
      for (let j = 0; j < p.value.size; j++) p.value.data[j] = rng.uniform(-1, 1);
      return p;
    });
  }

  function step(optimizer: Optimizer, ps: Param[], seed: number): void {
    const rng = new Rng(seed);
    for (const p of ps) for (let j = 0; j < p.grad.size; j++) p.grad.data[j] = rng.uniform(-1, 1);
    optimizer.apply(ps, f32);
  }

  for (const [what, make] of makers) {
    it(`${what}: a restored optimizer continues bit-identically`, () => {
      const a = make();
      const pa = params();
      for (let s = 0; s < 3; s++) step(a, pa, s);
      const saved = a.getState();
      const savedWeights = pa.map((p) => Float32Array.from(p.value.data));
      const json = JSON.parse(
        JSON.stringify({ ...saved, slots: saved.slots.map((s) => s.map((x) => [...x])) }),
      );

      const b = getOptimizer(a.getConfig());
      b.setState({
        step: json.step,
        slots: json.slots.map((s: number[][]) => s.map((x) => Float32Array.from(x))),
      });
      const pb = params();
      pb.forEach((p, i) => p.value.data.set(savedWeights[i]));
      for (let s = 3; s < 6; s++) {
        step(a, pa, s);
        step(b, pb, s);
      }
      pa.forEach((p, i) => assert.deepEqual(pb[i].value.data, p.value.data));
      assert.deepEqual(b.getState(), a.getState());
      // The saved state was a copy: later steps did not change it.
      assert.equal(saved.step, 3);
      assert.notDeepEqual(saved.slots, a.getState().slots);
    });
  }

  it('rejects a state that does not fit', () => {
    const adam = new Adam();
    assert.throws(
      () => adam.setState({ step: 1, slots: [[new Float32Array(2)]] }),
      /2 slot arrays per parameter/,
    );
    assert.throws(() => adam.setState({ step: -1, slots: [] }), /non-negative integer/);
    adam.setState({ step: 1, slots: [[new Float32Array(3), new Float32Array(3)]] });
    assert.throws(
      () => adam.apply([param([1, 2])], f64),
      /slot of parameter 0 \('kernel'\) holds 3 values, the parameter 2/,
    );
    assert.throws(
      () => adam.apply([param([1, 2]), param([1])], f64),
      /slots for 1 parameters, got 2/,
    );
  });
});

describe('getOptimizer and options', () => {
  it('resolves names, configs and instances', () => {
    assert.deepEqual(OPTIMIZER_NAMES, ['sgd', 'rmsprop', 'adam']);
    const adam = getOptimizer('Adam');
    assert.ok(adam instanceof Adam);
    assert.deepEqual(adam.getConfig(), {
      name: 'adam',
      learningRate: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    assert.deepEqual(getOptimizer('rmsprop').getConfig(), {
      name: 'rmsprop',
      learningRate: 0.001,
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
    const sgd = new SGD({ learningRate: 0.5, momentum: 0.9, clipnorm: 2 });
    assert.deepEqual(getOptimizer(sgd.getConfig()).getConfig(), sgd.getConfig());
    assert.equal(getOptimizer(sgd), sgd);
    assert.throws(
      () => getOptimizer('adagrad'),
      /unknown optimizer 'adagrad' \(valid: sgd, rmsprop, adam\)/,
    );
  });

  it('rejects bad options clearly', () => {
    assert.throws(
      () => new Adam({ learningRate: -1 }),
      /Adam: learningRate must be a positive number, got -1/,
    );
    assert.throws(() => new Adam({ beta1: 1 }), /Adam: beta1 must be a number in \[0, 1\), got 1/);
    assert.throws(
      () => new SGD({ momentum: 2 }),
      /SGD: momentum must be a number in \[0, 1\], got 2/,
    );
    assert.throws(() => new RMSprop({ centered: 'yes' as never }), /centered must be a boolean/);
    assert.throws(() => new SGD({ lr: 0.1 } as never), /SGD: unknown option 'lr'/);
    assert.throws(() => new SGD({ clipvalue: 0 }), /clipvalue must be a positive number/);
  });
});
