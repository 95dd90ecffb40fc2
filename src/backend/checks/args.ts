import type { FloatArray } from '../../tensor/tensor.js';

/** Sizes and offsets are integers below 2^31 in magnitude, as the native addon requires. */
const LIMIT = 2 ** 31;

/**
 * distinctIds' row marks, kept between calls (a table-sized array per Adam step was garbage) and
 * all zero between them: each call clears the entries it set.
 */
let rowMarks = new Uint8Array(0);

/**
 * The argument checks of one op call, the TypeScript twin of native/call.h: every array's type,
 * every size and offset (integers, within the array), so a bad call throws an Error naming the op
 * instead of writing outside its arrays (wasm memory holds other tensors) or looping forever.
 * Size products are plain numbers: exact up to 2^53 and never wrapping, so a product too large for
 * any array fails the bounds check instead of passing it.
 */
export class Args {
  constructor(readonly op: string) {}

  fail(what: string): never {
    throw new Error(`${this.op}: ${what}`);
  }

  /** A Float32Array or Float64Array (the backend's own dtype is the caller's concern). */
  floats(name: string, a: unknown): FloatArray {
    if (!(a instanceof Float32Array || a instanceof Float64Array)) {
      this.fail(`${name} must be a Float32Array or Float64Array`);
    }
    return a;
  }

  floatsOrNull(name: string, a: unknown): FloatArray | null {
    return a === null ? null : this.floats(name, a);
  }

  ints(name: string, a: unknown): Int32Array {
    if (!(a instanceof Int32Array)) this.fail(`${name} must be an Int32Array`);
    return a;
  }

  maskOrNull(name: string, a: unknown): Uint8Array | null {
    if (a !== null && !(a instanceof Uint8Array)) this.fail(`${name} must be a Uint8Array or null`);
    return a;
  }

  /** An integer in (−2^31, 2^31): where an array slice starts, checked on use. */
  offset(name: string, v: unknown): number {
    if (typeof v !== 'number') this.fail(`${name} must be a number`);
    if (!Number.isInteger(v) || Math.abs(v) >= LIMIT) {
      this.fail(`${name} must be an integer, got ${v}`);
    }
    return v;
  }

  /** An integer in [0, 2^31). */
  size(name: string, v: unknown): number {
    const n = this.offset(name, v);
    if (n < 0) this.fail(`${name} must be ≥ 0, got ${n}`);
    return n;
  }

  /** A boolean, or 0 / 1 (beta). */
  flag(name: string, v: unknown): boolean {
    if (typeof v === 'boolean') return v;
    if (v !== 0 && v !== 1) this.fail(`${name} must be a boolean, 0 or 1`);
    return v === 1;
  }

  number(name: string, v: unknown): number {
    if (typeof v !== 'number') this.fail(`${name} must be a number`);
    return v;
  }

  /** One of `options`. */
  choice<T extends string>(name: string, v: unknown, options: readonly T[]): T {
    if (!options.includes(v as T)) this.fail(`${name} must be one of ${options.join(', ')}`);
    return v as T;
  }

  /** [off, off + extent) lies inside a. */
  span(name: string, a: { length: number }, off: number, extent: number): void {
    if (off < 0 || extent < 0 || off > a.length || extent > a.length - off) {
      this.fail(`${name}: needs ${extent} values from offset ${off}, has ${a.length}`);
    }
  }

  /** An object: a record argument (a sequence op's cell), its fields checked by the caller. */
  record(name: string, v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null) this.fail(`${name} must be an object`);
    return v as Record<string, unknown>;
  }

  /** A float array holding [off, off + extent). */
  floatSpan(name: string, a: unknown, off: number, extent: number): void {
    this.span(name, this.floats(name, a), off, extent);
  }

  /** Like floatSpan when `a` is not null. */
  floatSpanOrNull(name: string, a: unknown, off: number, extent: number): void {
    const array = this.floatsOrNull(name, a);
    if (array !== null) this.span(name, array, off, extent);
  }

  /** A mask of `extent` values from `off`, or null. */
  maskSpan(name: string, a: unknown, off: number, extent: number): void {
    const mask = this.maskOrNull(name, a);
    if (mask !== null) this.span(name, mask, off, extent);
  }

  /**
   * A read-only rows × cols block with leading dimension ld at off whose rows may overlap
   * (ld < cols: a convolution's windows over its input): ld ≥ 1 and the last row inside a.
   */
  readMatrix(name: string, a: unknown, off: number, rows: number, cols: number, ld: number): void {
    const array = this.floats(name, a);
    if (rows > 1 && cols > 0 && ld < 1) this.fail(`${name}: leading dimension 0`);
    this.span(name, array, off, rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0);
  }

  /** A rows × cols block with leading dimension ld at off: ld ≥ cols and the last row inside a. */
  matrix(name: string, a: unknown, off: number, rows: number, cols: number, ld: number): void {
    const array = this.floats(name, a);
    if (rows > 0 && cols > 0 && ld < cols) {
      this.fail(`${name}: leading dimension ${ld} < ${cols} columns`);
    }
    this.span(name, array, off, rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0);
  }

  /** Every id indexes one of `rows` rows: checked before any value moves. */
  ids(name: string, ids: Int32Array, rows: number): void {
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= rows) {
        this.fail(`id ${ids[i]} at ${i} is outside [0, ${rows})`);
      }
    }
  }

  /** ids() and no id twice (a row updated twice, or by two threads at once, would differ). */
  distinctIds(name: string, ids: Int32Array, rows: number): void {
    this.ids(name, ids, rows);
    if (ids.length === 0) return;
    if (rowMarks.length < rows) rowMarks = new Uint8Array(rows);
    const seen = rowMarks;
    try {
      for (let i = 0; i < ids.length; i++) {
        if (seen[ids[i]]) this.fail(`${name}: id ${ids[i]} at ${i} occurs twice`);
        seen[ids[i]] = 1;
      }
    } finally {
      for (let i = 0; i < ids.length; i++) seen[ids[i]] = 0;
    }
  }
}
