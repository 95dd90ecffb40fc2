/** The exports of the kernel module (assembly/index.ts); pointers are byte addresses. */
export interface Kernels {
  heapBase(): number;
  gemmScratchBytes(): number;
  runTask(task: number, part: number, parts: number, scratch: number): void;
  activation(kind: number, x: number, y: number, n: number, cols: number): void;
  activationBackward(
    kind: number,
    y: number,
    dy: number,
    dx: number,
    n: number,
    cols: number,
  ): void;
  expArray(x: number, y: number, n: number): void;
  maddLane0(a: number, b: number, c: number): number;
  sumRows(x: number, rows: number, cols: number, out: number, beta: number): void;
  multiplyAt(n: number, a: number, b: number, out: number, beta: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  scale(x: number, alpha: number, n: number): void;
  sumSquares(x: number, n: number): number;
  transposeSequence(
    batchMajor: number,
    timeMajor: number,
    batch: number,
    steps: number,
    features: number,
    reverse: number,
    scale: number,
    toTimeMajor: number,
  ): void;
  scatterAdd(dOut: number, ids: number, count: number, dim: number, dTable: number): void;
  embeddingBagBackward(
    dOut: number,
    ids: number,
    offsets: number,
    bags: number,
    weights: number,
    mean: number,
    dim: number,
    dTable: number,
  ): void;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  maxPool(...args: number[]): void;
  maxPoolBackward(dy: number, argmax: number, n: number, dx: number, dxLength: number): void;
  globalAvgPool(x: number, batch: number, steps: number, c: number, mask: number, y: number): void;
  globalAvgPoolBackward(
    dy: number,
    batch: number,
    steps: number,
    c: number,
    mask: number,
    dx: number,
  ): void;
  sgd(...args: number[]): void;
  rmsprop(...args: number[]): void;
}

/** The imports the kernel module needs: the memory it works in (env.memory) and abort. */
export function kernelImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: () => {
        throw new Error('gated wasm kernel aborted');
      },
    },
  };
}
