import type { Backend } from '../backend/backend.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type SequenceMask, type Shape } from '../tensor/tensor.js';
import {
  defaultLayerName,
  Layer,
  type ForwardContext,
  type LayerConfig,
  type Param,
} from './layer.js';
import type { Embedding } from './embedding.js';
import { RecurrentLayer, createRecurrentLayer } from './recurrent.js';

export type MergeMode = 'concat' | 'sum' | 'ave' | 'mul';
const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'ave', 'mul'];

/** A recurrent layer as model.json stores it. */
export interface SerializedRecurrent {
  className: string;
  config: LayerConfig;
}

export interface BidirectionalOptions {
  /**
   * The layer to run both ways: an instance (only its config is used) or its serialized form,
   * resolved through the recurrent-layer registry (src/layers/recurrent.ts), which SimpleRNN,
   * LSTM and GRU join when their modules load.
   */
  layer: RecurrentLayer | SerializedRecurrent;
  mergeMode?: MergeMode;
  name?: string;
}

/**
 * Runs a recurrent layer forwards and a copy backwards (goBackwards flipped) over the same input
 * and merges the two outputs, as Keras does. With returnSequences the backward copy's output
 * (in its processing order) is reversed back into time order before merging, so step t of the
 * result sees the whole sequence. Output [B, 2H] / [B, T, 2H] for 'concat', else [B, H] /
 * [B, T, H]. Weights are the two copies' weights, named `forward_<inner>/kernel`, …,
 * `backward_<inner>/kernel`, … (Keras names).
 */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: RecurrentLayer;
  readonly backwardLayer: RecurrentLayer;
  readonly mergeMode: MergeMode;
  private readonly inner: SerializedRecurrent;
  private cachedParams: Param[] = [];
  /** Outputs of the last forward, kept for 'mul' backward. */
  private outputs: [Tensor, Tensor] | null = null;

  constructor(options: BidirectionalOptions) {
    super(options.name);
    if (typeof options !== 'object' || options === null) {
      throw new Error('Bidirectional: expected an options object');
    }
    const { layer } = options;
    const inner =
      layer instanceof RecurrentLayer
        ? { className: layer.className, config: layer.getConfig() }
        : layer;
    if (typeof inner !== 'object' || inner === null || typeof inner.className !== 'string') {
      throw new Error('Bidirectional: layer must be a recurrent layer or {className, config}');
    }
    const mergeMode = options.mergeMode ?? 'concat';
    if (!MERGE_MODES.includes(mergeMode)) {
      throw new Error(
        `Bidirectional: mergeMode must be one of ${MERGE_MODES.join(', ')}, got ${String(mergeMode)}`,
      );
    }
    this.mergeMode = mergeMode;
    const innerName =
      (inner.config.name as string | undefined) || defaultLayerName(inner.className);
    this.inner = { className: inner.className, config: { ...inner.config, name: innerName } };
    this.forwardLayer = createRecurrentLayer(inner.className, {
      ...inner.config,
      name: `forward_${innerName}`,
    });
    this.backwardLayer = createRecurrentLayer(inner.className, {
      ...inner.config,
      name: `backward_${innerName}`,
      goBackwards: !this.forwardLayer.goBackwards,
    });
  }

  private get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    super.build(inputShape, backend, rng);
    this.forwardLayer.build(inputShape, backend, rng);
    this.backwardLayer.build(inputShape, backend, rng);
    // Built once so the Param objects stay the same between calls (optimizer state follows them).
    this.cachedParams = [this.forwardLayer, this.backwardLayer].flatMap((l) =>
      l.params().map((p) => ({ name: `${l.name}/${p.name}`, value: p.value, grad: p.grad })),
    );
  }

  override params(): Param[] {
    return this.cachedParams;
  }

  override outputShape(inputShape: Shape): Shape {
    const shape = [...this.forwardLayer.outputShape(inputShape)];
    if (this.mergeMode === 'concat') shape[shape.length - 1] *= 2;
    return shape;
  }

  override computeMask(_x: Tensor, inputMask: SequenceMask | null): SequenceMask | null {
    return this.returnSequences ? inputMask : null;
  }

  override getConfig(): LayerConfig {
    return { name: this.name, layer: this.inner, mergeMode: this.mergeMode };
  }

  /**
   * Visits every output row (one per sample, or per sample and step) with the matching row of
   * the forward output and, time-reversed when returnSequences, of the backward output.
   */
  private forEachRow(
    shape: Shape,
    visit: (outRow: number, forwardRow: number, backwardRow: number) => void,
  ): void {
    const B = shape[0];
    const T = this.returnSequences ? shape[1] : 1;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) visit(b * T + t, b * T + t, b * T + T - 1 - t);
    }
  }

  override forward(x: Tensor, ctx: ForwardContext): Tensor {
    // Both directions in one backend call (a fast backend gives each its own threads).
    return this.merge(this.forwardLayer.forwardWith(this.backwardLayer, x, ctx));
  }

  /**
   * forward() on what `embedding` would output for the token ids x [B, T]: both directions
   * project the batch's distinct tokens themselves (RecurrentLayer.forwardTokens), in one backend
   * call, and backwardTokens hands the embedding its rows' gradients. Sequential.trainOnBatch runs
   * an Embedding and a Bidirectional after it this way when the layer has no input dropout.
   */
  forwardTokens(embedding: Embedding, x: Tensor, ctx: ForwardContext): Tensor {
    return this.merge(this.forwardLayer.forwardWith(this.backwardLayer, x, ctx, embedding));
  }

  /** Whether the last forward was forwardTokens (its backward is then backwardTokens). */
  get projectedTokens(): boolean {
    return this.forwardLayer.projectedTokens;
  }

  /** The merged output of the two directions' outputs. */
  private merge([yf, yb]: [Tensor, Tensor]): Tensor {
    const H = this.forwardLayer.units;
    const concat = this.mergeMode === 'concat';
    const width = concat ? 2 * H : H;
    const out = this.ws.get('y', (yf.size / H) * width);
    const f = yf.data;
    const g = yb.data;
    const mode = this.mergeMode;
    this.forEachRow(yf.shape, (o, fr, br) => {
      const oo = o * width;
      const fo = fr * H;
      const bo = br * H;
      for (let j = 0; j < H; j++) {
        const a = f[fo + j];
        const c = g[bo + j];
        if (concat) {
          out[oo + j] = a;
          out[oo + H + j] = c;
        } else {
          out[oo + j] = mode === 'sum' ? a + c : mode === 'ave' ? 0.5 * (a + c) : a * c;
        }
      }
    });
    this.outputs = [yf, yb];
    const shape = [...yf.shape];
    shape[shape.length - 1] = width;
    return new Tensor(out, shape);
  }

  override backward(dy: Tensor): Tensor {
    // Not after projected tokens (backwardBoth checks): both directions return dL/dx.
    const [dx, dxb] = this.backwardBoth(dy, false) as [Tensor, Tensor];
    this.backend.axpy(1, dxb.data, dx.data, dx.size);
    return dx;
  }

  /** backward() after forwardTokens: the embedding's rows' gradients go into its own gradient. */
  backwardTokens(dy: Tensor): null {
    this.backwardBoth(dy, true);
    return null;
  }

  /** Both directions' backward from the merged output's gradient, in one backend call. */
  private backwardBoth(dy: Tensor, tokens: boolean): [Tensor | null, Tensor | null] {
    if (this.outputs === null)
      throw new Error(`Bidirectional '${this.name}': backward before forward`);
    if (this.projectedTokens !== tokens) {
      const [did, use] = tokens ? ['did not project', 'backward'] : ['projected', 'backwardTokens'];
      throw new Error(`Bidirectional '${this.name}': the last forward ${did} tokens: use ${use}`);
    }
    const [yf, yb] = this.outputs;
    const H = this.forwardLayer.units;
    const width = this.mergeMode === 'concat' ? 2 * H : H;
    const dyf = this.ws.get('dyf', yf.size);
    const dyb = this.ws.get('dyb', yb.size);
    const d = dy.data;
    const mode = this.mergeMode;
    const scale = mode === 'ave' ? 0.5 : 1;
    this.forEachRow(yf.shape, (o, fr, br) => {
      const oo = o * width;
      const fo = fr * H;
      const bo = br * H;
      for (let j = 0; j < H; j++) {
        if (mode === 'concat') {
          dyf[fo + j] = d[oo + j];
          dyb[bo + j] = d[oo + H + j];
        } else if (mode === 'mul') {
          dyf[fo + j] = d[oo + j] * yb.data[bo + j];
          dyb[bo + j] = d[oo + j] * yf.data[fo + j];
        } else {
          dyf[fo + j] = scale * d[oo + j];
          dyb[bo + j] = scale * d[oo + j];
        }
      }
    });
    return this.forwardLayer.backwardWith(
      this.backwardLayer,
      new Tensor(dyf, yf.shape),
      new Tensor(dyb, yb.shape),
    );
  }
}
