/** Storage of every numeric array in gated: float32 in normal use, float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';
/** A shape. By convention activations are batch-major: [batch, steps, features]. */
export type Shape = readonly number[];

/** A zero-filled array of `dtype` on the JS heap. */
export function floatArray(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeToString(shape: readonly (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** A dense row-major array with a shape. Tensors never copy implicitly: `data` is the storage. */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: Shape;

  constructor(data: FloatArray, shape: Shape) {
    if (data.length !== shapeSize(shape)) {
      throw new Error(
        `Tensor: data length ${data.length} does not match shape [${shape.join(', ')}]`,
      );
    }
    this.data = data;
    this.shape = shape;
  }

  get size(): number {
    return this.data.length;
  }

  /** The same storage seen with another shape of equal size. */
  reshape(shape: Shape): Tensor {
    return new Tensor(this.data, shape);
  }
}

/** A [batch, steps] mask: 1 where a timestep holds a real token, 0 where it is padding. */
export interface SequenceMask {
  readonly data: Uint8Array;
  readonly batch: number;
  readonly steps: number;
}
