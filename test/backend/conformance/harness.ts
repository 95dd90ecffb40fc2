import { AssertionError } from 'node:assert';
import type { Backend } from '../../../src/backend/backend.js';
import type { Rng } from '../../../src/random/rng.js';
import type { FloatArray } from '../../../src/tensor/tensor.js';

/** Half-open index range [start, end) of an array that an op declares as its output. */
export type Range = readonly [start: number, end: number];

/**
 * Allowed |got − want| at index i of an output, where want is the oracle's value and u the unit
 * roundoff of the tested backend's dtype (2⁻²⁴ for float32, 2⁻⁵³ for float64).
 */
export type Bound = (want: number, i: number, u: number) => number;

/** Bit for bit (after rounding the oracle's value to the tested dtype). */
export const EXACT: Bound = () => 0;

/** |got − want| ≤ ulps·u·max(1, |want|): inputs are O(1), so 1 is the natural absolute floor. */
export function rel(ulps: number): Bound {
  return (want, _i, u) => ulps * u * Math.max(1, Math.abs(want));
}

/** Extra values after every output slice: a kernel that writes past its end changes them. */
export const GUARD = 7;

/** What the suite needs while its tests run: the backend under test and the oracle. */
export interface SuiteContext {
  tested(): Backend;
  oracle(): Backend;
  /** Whether to run the seed-shape cases (the big ones). */
  seedShapes: boolean;
  /** The tested backend on one thread, when it runs on more (its ops must give the same bits). */
  oneThread?: () => Backend;
}

interface Output {
  name: string;
  array: FloatArray | Int32Array;
  initial: Float64Array;
  regions: readonly Range[];
  bound: Bound;
}

interface Input {
  name: string;
  array: FloatArray | Int32Array | Uint8Array;
  copy: FloatArray | Int32Array | Uint8Array;
}

/**
 * The arrays of one op call on one backend. A case body builds its arrays through a Run, so the
 * same body runs on the tested backend and on the oracle with identical values.
 */
export class Run {
  readonly inputs: Input[] = [];
  readonly outputs: Output[] = [];

  constructor(readonly backend: Backend) {}

  /** A read-only float array: it must be unchanged after the op. */
  in(name: string, values: ArrayLike<number>): FloatArray {
    const array = this.backend.alloc(values.length);
    array.set(values);
    this.inputs.push({ name, array, copy: array.slice() });
    return array;
  }

  /** A read-only int32 array (ids, argmax). */
  ints(name: string, values: ArrayLike<number>): Int32Array {
    const array = Int32Array.from(values);
    this.inputs.push({ name, array, copy: array.slice() });
    return array;
  }

  /** A read-only mask. */
  mask(name: string, values: ArrayLike<number>): Uint8Array {
    const array = Uint8Array.from(values);
    this.inputs.push({ name, array, copy: array.slice() });
    return array;
  }

  /**
   * A written (or read-and-written) float array holding `initial`. Inside `regions` it is
   * compared with the oracle within `bound`; outside them it must keep its initial bits.
   */
  out(name: string, initial: ArrayLike<number>, regions: readonly Range[], bound: Bound) {
    const array = this.backend.alloc(initial.length);
    array.set(initial);
    this.outputs.push({ name, array, initial: Float64Array.from(array), regions, bound });
    return array;
  }

  /** A written int32 array, compared exactly inside `regions`. */
  intOut(name: string, initial: ArrayLike<number>, regions: readonly Range[]): Int32Array {
    const array = Int32Array.from(initial);
    this.outputs.push({ name, array, initial: Float64Array.from(array), regions, bound: EXACT });
    return array;
  }
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function unitRoundoff(backend: Backend): number {
  return backend.dtype === 'float32' ? 2 ** -24 : 2 ** -53;
}

function roundTo(backend: Backend, x: number): number {
  return backend.dtype === 'float32' ? Math.fround(x) : x;
}

/** Collects mismatches so a failure shows how many values are off, not only the first. */
class Report {
  private readonly lines: string[] = [];
  private count = 0;

  add(line: string): void {
    if (this.count++ < 5) this.lines.push(line);
  }

  throwIfAny(caseName: string): void {
    if (this.count === 0) return;
    throw new AssertionError({
      message: `${caseName}: ${this.count} mismatch(es)\n  ${this.lines.join('\n  ')}`,
    });
  }
}

function compareOutput(report: Report, tested: Backend, got: Output, want: Output): void {
  const u = unitRoundoff(tested);
  const inside = new Uint8Array(got.array.length);
  for (const [start, end] of got.regions) inside.fill(1, start, end);
  for (let i = 0; i < got.array.length; i++) {
    const g = got.array[i];
    if (!inside[i]) {
      if (!same(g, got.initial[i])) {
        report.add(
          `${got.name}[${i}] lies outside the output but changed: ${got.initial[i]} → ${g}`,
        );
      }
      continue;
    }
    const w = want.array[i];
    if (g === w) continue;
    const bound = got.bound(w, i, u);
    if (same(g, roundTo(tested, w)) || Math.abs(g - w) <= bound) continue;
    report.add(
      `${got.name}[${i}] = ${g}, oracle ${w} (|Δ| ${Math.abs(g - w).toExponential(2)} > ${bound.toExponential(2)})`,
    );
  }
}

/**
 * Runs `body` on the tested backend and on the oracle and checks: every output within its bound
 * inside its declared regions and untouched outside them, every input unchanged, and the
 * returned scalar (if any) within `scalarBound`.
 */
export function check(
  ctx: SuiteContext,
  caseName: string,
  body: (run: Run) => number | void,
  scalarBound: Bound = EXACT,
): void {
  const tested = new Run(ctx.tested());
  const oracle = new Run(ctx.oracle());
  const gotScalar = body(tested);
  const wantScalar = body(oracle);
  const report = new Report();
  for (const input of tested.inputs) {
    for (let i = 0; i < input.array.length; i++) {
      if (!same(input.array[i], input.copy[i])) {
        report.add(`input ${input.name}[${i}] was modified: ${input.copy[i]} → ${input.array[i]}`);
        break;
      }
    }
  }
  tested.outputs.forEach((out, k) => compareOutput(report, tested.backend, out, oracle.outputs[k]));
  if (typeof wantScalar === 'number') {
    const got = gotScalar as number;
    const bound = scalarBound(wantScalar, 0, unitRoundoff(tested.backend));
    if (!(same(got, wantScalar) || Math.abs(got - wantScalar) <= bound)) {
      report.add(`result ${got}, oracle ${wantScalar} (bound ${bound.toExponential(2)})`);
    }
  }
  report.throwIfAny(caseName);
}

/** The declared output of an op that writes `n` values from `offset`. */
export function span(offset: number, n: number): Range[] {
  return [[offset, offset + n]];
}

/** `rows` rows of `width` values, `stride` apart, from `offset` (a matrix with a leading dim). */
export function strided(offset: number, rows: number, width: number, stride: number): Range[] {
  return Array.from({ length: rows }, (_, r) => [offset + r * stride, offset + r * stride + width]);
}

/** n float32-representable values uniform in [lo, hi). */
export function uniform(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround(rng.uniform(lo, hi)));
}

/**
 * n multiples of 1/256 in [−2, 2]: sums of up to 2¹³ of them are exact in float32, so ops that
 * accumulate (scatter-add, col2im, pooling backward) must match bit for bit in any order.
 */
export function dyadic(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.int(1025) - 512) / 256);
}

/** Values for pre-activations: mostly in [−4, 4], with saturating extremes and zero mixed in. */
export function preActivations(rng: Rng, n: number): Float64Array {
  const extremes = [0, 1e-4, -1e-4, 12, -12, 40, -40, 100, -100];
  const x = uniform(rng, n, -4, 4);
  for (let i = 0; i < n; i += 7) x[i] = extremes[rng.int(extremes.length)];
  return x;
}

/**
 * A padding mask of `n` rows after `offset` (with guard values around it): about a third 0,
 * and both kinds present when n ≥ 2.
 */
export function maskValues(rng: Rng, offset: number, n: number): Uint8Array {
  const m = Uint8Array.from({ length: offset + n + GUARD }, () => (rng.next() < 0.35 ? 0 : 1));
  if (n >= 2) {
    m[offset] = 0;
    m[offset + n - 1] = 1;
  }
  return m;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** n values f(x) for random pre-activations x, rounded to float32: what a forward pass keeps. */
export function activated(rng: Rng, n: number, f: (x: number) => number): Float64Array {
  return preActivations(rng, n).map((x) => Math.fround(f(x)));
}
