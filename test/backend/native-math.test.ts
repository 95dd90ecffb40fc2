/**
 * The native exp / sigmoid / tanh against float64 Math.exp / Math.tanh over a dense sweep, for
 * every kernel variant this CPU runs. Bounds (stated in native/kernels.h):
 *   exp      relative ≤ 2⁻²² where exp(x) ≥ 2⁻¹²⁶; absolute ≤ 2⁻¹⁴⁹ below; overflow only past FLT_MAX
 *   sigmoid  relative ≤ 5e-7 where sigmoid(x) ≥ 2⁻¹²⁶; absolute ≤ 2⁻¹²⁶ below
 *   tanh     relative ≤ 5e-7 everywhere (subnormal x included)
 * and ±inf, ±0 and NaN map as the float64 functions do.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTIVATION_CODES } from '../../src/backend/kernel-codes.js';
import { loadNativeAddon, type NativeVariant } from '../../src/backend/native/index.js';

const { addon, error } = loadNativeAddon();
const MIN_NORMAL = 2 ** -126;
const FLT_MAX = 3.4028234663852886e38;

/** x from −110 to 110 every 2⁻¹⁰, powers of two both signs, specials. */
function inputs(): Float32Array {
  const xs: number[] = [];
  for (let i = -110 * 1024; i <= 110 * 1024; i++) xs.push(i / 1024);
  for (let e = -149; e <= 127; e++) xs.push(2 ** e, -(2 ** e), 1.5 * 2 ** e, -1.5 * 2 ** e);
  xs.push(0, -0, Infinity, -Infinity, NaN, FLT_MAX, -FLT_MAX, 88.72, 88.73, -87.33, -103.9);
  return Float32Array.from(xs);
}

type Fn = { id: number; name: string; ref: (x: number) => number };
const FNS: Fn[] = [
  // The addon's math() takes exp as the code after the activations (MATH_EXP in native/isa.h).
  { id: Object.keys(ACTIVATION_CODES).length, name: 'exp', ref: Math.exp },
  { id: ACTIVATION_CODES.sigmoid, name: 'sigmoid', ref: (x) => 1 / (1 + Math.exp(-x)) },
  { id: ACTIVATION_CODES.tanh, name: 'tanh', ref: Math.tanh },
];

function check(fn: Fn, x: number, got: number): string | null {
  const want = fn.ref(x);
  if (Number.isNaN(want)) return Number.isNaN(got) ? null : 'expected NaN';
  if (Object.is(want, -0) || Object.is(want, 0)) return Object.is(got, want) ? null : 'sign of 0';
  if (fn.name === 'exp' && Math.fround(want) === Infinity) {
    return got === Infinity || got >= FLT_MAX * (1 - 2 ** -22) ? null : 'expected overflow';
  }
  if (got === Infinity) return want >= FLT_MAX * (1 - 2 ** -22) ? null : 'overflowed early';
  const err = Math.abs(got - want);
  switch (fn.name) {
    case 'exp':
      return want >= MIN_NORMAL
        ? err <= 2 ** -22 * want
          ? null
          : 'relative'
        : err <= 2 ** -149
          ? null
          : 'absolute';
    case 'sigmoid':
      return want >= MIN_NORMAL
        ? err <= 5e-7 * want
          ? null
          : 'relative'
        : err <= MIN_NORMAL
          ? null
          : 'absolute';
    default:
      return err <= 5e-7 * Math.abs(want) ? null : 'relative';
  }
}

describe(
  'native exp / sigmoid / tanh error bounds',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    if (addon === null) return;
    const x = inputs();
    const y = new Float32Array(x.length);
    for (const variant of addon.info().variants as NativeVariant[]) {
      for (const fn of FNS) {
        test(`${fn.name} (${variant})`, () => {
          addon.configure(variant, 1, -1);
          addon.math(fn.id, x, y, x.length);
          let worst = 0;
          for (let i = 0; i < x.length; i++) {
            const why = check(fn, x[i], y[i]);
            assert.equal(why, null, `${fn.name}(${x[i]}) = ${y[i]}, want ${fn.ref(x[i])}: ${why}`);
            const want = fn.ref(x[i]);
            if (Number.isFinite(want) && Math.abs(want) >= MIN_NORMAL && Number.isFinite(y[i]))
              worst = Math.max(worst, Math.abs(y[i] - want) / Math.abs(want));
          }
          assert.ok(worst > 0, 'the sweep compared some values');
        });
      }
    }
  },
);
