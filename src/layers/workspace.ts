import type { Backend } from '../backend/backend.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * Named arrays a layer reuses from batch to batch, one per (name, length), so a training loop
 * allocates only while it meets new shapes (a smaller last batch keeps its own set). Contents are
 * stale on reuse. Layers return such arrays as outputs: an output stays valid until the layer's
 * next forward (Sequential.predict copies each batch out).
 */
export class Workspace {
  private readonly floats = new Map<string, FloatArray>();
  private readonly int32s = new Map<string, Int32Array>();
  private readonly uint8s = new Map<string, Uint8Array>();

  constructor(private readonly backend: Backend) {}

  get(name: string, length: number): FloatArray {
    return reuse(this.floats, name, length, (n) => this.backend.alloc(n));
  }

  int32(name: string, length: number): Int32Array {
    return reuse(this.int32s, name, length, (n) => new Int32Array(n));
  }

  uint8(name: string, length: number): Uint8Array {
    return reuse(this.uint8s, name, length, (n) => new Uint8Array(n));
  }
}

function reuse<A>(map: Map<string, A>, name: string, length: number, make: (n: number) => A): A {
  const key = `${name}:${length}`;
  let a = map.get(key);
  if (a === undefined) {
    a = make(length);
    map.set(key, a);
  }
  return a;
}
