import type { Backend } from '../backend/backend.js';
import { MAX_PARAMETERS } from '../models/limits.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type SequenceMask, type Shape } from '../tensor/tensor.js';
import { checkKeys, layerLabel, optionalName } from './common.js';
import { defaultLayerName, Layer } from './layer.js';
import type { ForwardContext, LayerConfig, Param } from './layer.js';

/** A layer as model.json stores it. */
export interface SerializedLayer {
  className: string;
  config: LayerConfig;
}

export interface ParallelOptions {
  /** Two or more branches, each a list of layers run in order on the block's input. */
  branches: Layer[][];
  name?: string;
}

/**
 * Parallel branches over the same input, their outputs concatenated on the last axis: what a
 * Keras functional model writes as `concatenate([branch(x) for branch in branches])`, as one
 * layer of a Sequential (Kim's text CNN: Conv1D widths 3, 4, 5 side by side, each max-pooled).
 * Branch outputs must agree on every axis but the last. The output mask is the AND of the
 * branches' masks (a branch without one counts as all ones, as in Keras's Concatenate).
 * Weights are the sub-layers' weights, named `<sub-layer>/<weight>`; sub-layer names are unique
 * within the block.
 */
export class Parallel extends Layer {
  readonly className = 'Parallel';
  readonly branches: readonly (readonly Layer[])[];
  private cachedParams: Param[] = [];
  /** Last-axis width of each branch's output, from the last forward. */
  private widths: number[] = [];
  private outputMask: SequenceMask | null = null;

  constructor(options: ParallelOptions) {
    checkKeys('Parallel', options, ['branches', 'name']);
    super(optionalName('Parallel', options.name));
    const { branches } = options;
    if (
      !Array.isArray(branches) ||
      branches.length < 2 ||
      !branches.every((b) => Array.isArray(b) && b.length > 0 && b.every((l) => l instanceof Layer))
    )
      throw new Error('Parallel: branches must be two or more non-empty lists of layers');
    const names = new Set<string>();
    for (const layer of branches.flat()) {
      if (names.has(layer.name)) throw new Error(`Parallel: duplicate layer name '${layer.name}'`);
      if (layer.name) names.add(layer.name);
    }
    // Unnamed sub-layers get Keras's default names, numbered as Sequential.add numbers them.
    for (const layer of branches.flat()) {
      if (layer.name) continue;
      const base = defaultLayerName(layer.className);
      let name = base;
      for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
      layer.name = name;
      names.add(name);
    }
    this.branches = branches.map((b) => [...b]);
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    super.build(inputShape, backend, rng);
    let params = 0;
    const shapes = this.branches.map((branch) => {
      let shape = inputShape;
      for (const layer of branch) {
        layer.build(shape, backend, rng);
        // Checked as it grows: many branches must not allocate far past the limit first.
        params += layer.countParams();
        if (params > MAX_PARAMETERS)
          throw new Error(
            `${layerLabel(this)}: more than ${MAX_PARAMETERS.toLocaleString('en-US')} parameters (the limit) by sub-layer ${layer.name}`,
          );
        shape = layer.outputShape(shape);
      }
      return shape;
    });
    const head = (s: Shape) => s.slice(0, -1).join(', ');
    const bad = shapes.findIndex(
      (s) => s.length !== shapes[0].length || head(s) !== head(shapes[0]),
    );
    if (bad >= 0)
      throw new Error(
        `${layerLabel(this)}: branch outputs must agree on every axis but the last, got [${shapes[0].join(', ')}] and [${shapes[bad].join(', ')}]`,
      );
    this.cachedParams = this.branches
      .flat()
      .flatMap((l) =>
        l.params().map((p) => ({ name: `${l.name}/${p.name}`, value: p.value, grad: p.grad })),
      );
  }

  override params(): Param[] {
    return this.cachedParams;
  }

  override outputShape(inputShape: Shape): Shape {
    const shapes = this.branches.map((branch) =>
      branch.reduce((shape, layer) => layer.outputShape(shape), inputShape),
    );
    const out = [...shapes[0]];
    out[out.length - 1] = shapes.reduce((n, s) => n + s[s.length - 1], 0);
    return out;
  }

  override computeMask(): SequenceMask | null {
    return this.outputMask;
  }

  override getConfig(): LayerConfig {
    return {
      name: this.name,
      branches: this.branches.map((b) =>
        b.map((l): SerializedLayer => ({ className: l.className, config: l.getConfig() })),
      ),
    };
  }

  override forward(x: Tensor, ctx: ForwardContext): Tensor {
    const outputs: Tensor[] = [];
    const masks: SequenceMask[] = [];
    for (const branch of this.branches) {
      let out = x;
      let mask = ctx.mask;
      for (const layer of branch) {
        const input = out;
        out = layer.forward(input, { ...ctx, mask });
        mask = layer.computeMask(input, mask);
      }
      outputs.push(out);
      if (mask !== null) masks.push(mask);
    }
    this.widths = outputs.map((o) => o.shape[o.shape.length - 1]);
    const width = this.widths.reduce((a, b) => a + b, 0);
    const rows = outputs[0].size / this.widths[0];
    const y = this.ws.get('y', rows * width);
    let offset = 0;
    outputs.forEach((o, i) => {
      const w = this.widths[i];
      for (let r = 0; r < rows; r++) y.set(o.data.subarray(r * w, (r + 1) * w), r * width + offset);
      offset += w;
    });
    this.outputMask = andMasks(masks);
    const shape = [...outputs[0].shape];
    shape[shape.length - 1] = width;
    return new Tensor(y, shape);
  }

  override backward(dy: Tensor): Tensor | null {
    if (this.widths.length === 0) throw new Error(`${layerLabel(this)}: backward before forward`);
    const width = this.widths.reduce((a, b) => a + b, 0);
    const rows = dy.size / width;
    let dx: Tensor | null = null;
    let offset = 0;
    for (const [i, branch] of this.branches.entries()) {
      const w = this.widths[i];
      const part = this.ws.get(`dy${i}`, rows * w);
      for (let r = 0; r < rows; r++)
        part.set(dy.data.subarray(r * width + offset, r * width + offset + w), r * w);
      offset += w;
      const shape = [...dy.shape];
      shape[shape.length - 1] = w;
      let grad: Tensor | null = new Tensor(part, shape);
      for (let j = branch.length - 1; j >= 0 && grad !== null; j--) grad = branch[j].backward(grad);
      if (grad === null) continue;
      if (dx === null) {
        // A copy: a sub-layer's gradient lives in its own buffer (or is dy itself).
        const sum = this.ws.get('dx', grad.size);
        sum.set(grad.data);
        dx = new Tensor(sum, grad.shape);
      } else {
        this.backend.axpy(1, grad.data, dx.data, dx.size);
      }
    }
    return dx;
  }
}

/** The AND of sequence masks (null when there are none). */
function andMasks(masks: SequenceMask[]): SequenceMask | null {
  if (masks.length === 0) return null;
  if (masks.every((m) => m === masks[0])) return masks[0];
  const data = Uint8Array.from(masks[0].data);
  for (const m of masks.slice(1)) for (let i = 0; i < data.length; i++) data[i] &= m.data[i];
  return { data, batch: masks[0].batch, steps: masks[0].steps };
}

/** Rebuilds a Parallel from its getConfig() output, each sub-layer through `layerFromConfig`. */
export function parallelFromConfig(
  config: LayerConfig,
  layerFromConfig: (className: string, config: LayerConfig) => Layer,
): Parallel {
  const { branches, ...rest } = config;
  if (
    !Array.isArray(branches) ||
    !branches.every((b) => Array.isArray(b) && b.every(isSerializedLayer))
  )
    throw new Error('Parallel: branches must be lists of {className, config} layers');
  return new Parallel({
    ...(rest as { name?: string }),
    branches: (branches as SerializedLayer[][]).map((b) =>
      b.map((l) => layerFromConfig(l.className, l.config)),
    ),
  });
}

function isSerializedLayer(v: unknown): v is SerializedLayer {
  const l = v as Partial<SerializedLayer> | null;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.className === 'string' &&
    typeof l.config === 'object' &&
    l.config !== null &&
    !Array.isArray(l.config)
  );
}
