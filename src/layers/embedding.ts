import type { Backend } from '../backend/backend.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type FloatArray, type SequenceMask, type Shape } from '../tensor/tensor.js';
import {
  boolean,
  checkKeys,
  createParam,
  layerLabel,
  optionalName,
  positiveInt,
} from './common.js';
import { randomUniform } from './initializers.js';
import { Layer, type ForwardContext, type LayerConfig, type Param } from './layer.js';
import type { TokenInput } from './token-projection.js';
import { TouchedRows } from './touched-rows.js';

export interface EmbeddingOptions {
  /** Vocabulary size: ids run over [0, inputDim). */
  inputDim: number;
  outputDim: number;
  /** Default false. When true, id 0 is padding: the layer emits a mask that is 0 there. */
  maskZero?: boolean;
  name?: string;
}

/**
 * Keras Embedding: token ids [B, T] (integers stored as floats) → vectors [B, T, outputDim].
 * Weight `embeddings` [inputDim, outputDim], uniform ±0.05 as Keras. The ids are not
 * differentiable, so backward only scatter-adds dy into the rows that occurred, lists them in the
 * weight's touchedRows (for zeroing and lazy optimizer updates) and returns null.
 */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  private embeddings: (Param & { readonly touchedRows: TouchedRows }) | null = null;
  private ids: Int32Array | null = null;

  constructor(options: EmbeddingOptions) {
    checkKeys('Embedding', options, ['inputDim', 'outputDim', 'maskZero', 'name']);
    super(optionalName('Embedding', options.name));
    this.inputDim = positiveInt('Embedding', 'inputDim', options.inputDim);
    this.outputDim = positiveInt('Embedding', 'outputDim', options.outputDim);
    this.maskZero = boolean('Embedding', 'maskZero', options.maskZero ?? false);
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    super.build(inputShape, backend, rng);
    this.embeddings = {
      ...createParam(backend, 'embeddings', [this.inputDim, this.outputDim]),
      touchedRows: new TouchedRows(this.inputDim, this.outputDim),
    };
    randomUniform(this.embeddings.value.data, -0.05, 0.05, rng);
  }

  outputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const table = this.builtEmbeddings();
    const ids = this.toIds(x);
    const y = this.ws.get('y', ids.length * this.outputDim);
    this.backend.gather(table.value.data, this.outputDim, ids, y);
    this.ids = ids;
    return new Tensor(y, this.outputShape(x.shape));
  }

  backward(dy: Tensor): null {
    if (this.ids === null) throw new Error(`${layerLabel(this)}: backward called before forward`);
    this.addRowGradients(this.ids, dy.data);
    return null;
  }

  /**
   * The table and the checked ids of x, for a recurrent layer that projects the tokens itself
   * (RecurrentLayer.forwardTokens); its backward then hands the rows' gradients to addRowGradients.
   */
  tokens(x: Tensor): TokenInput {
    return { table: this.builtEmbeddings().value.data, ids: this.toIds(x) };
  }

  /** dTable[ids[k]] += dRows[k] (repeated ids add up), the ids listed as touched. */
  addRowGradients(ids: Int32Array, dRows: FloatArray): void {
    const table = this.builtEmbeddings();
    table.touchedRows.add(ids);
    this.backend.scatterAdd(dRows, ids, this.outputDim, table.grad.data);
  }

  override computeMask(x: Tensor): SequenceMask | null {
    if (!this.maskZero) return null;
    const data = this.ws.uint8('mask', x.size);
    for (let i = 0; i < x.size; i++) data[i] = x.data[i] !== 0 ? 1 : 0;
    const batch = x.shape[0];
    return { data, batch, steps: batch === 0 ? 0 : x.size / batch };
  }

  override params(): Param[] {
    return this.embeddings ? [this.embeddings] : [];
  }

  getConfig(): LayerConfig {
    return {
      name: this.name,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      maskZero: this.maskZero,
    } satisfies EmbeddingOptions;
  }

  /** Validates every id, naming the first bad one and where it sits. */
  private toIds(x: Tensor): Int32Array {
    const ids = this.ws.int32('ids', x.size);
    const steps = x.shape.length >= 2 ? x.size / x.shape[0] : 1;
    for (let i = 0; i < x.size; i++) {
      const id = x.data[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.inputDim) {
        throw new Error(
          `${layerLabel(this)}: token id ${id} at [${Math.floor(i / steps)}, ${i % steps}] is not ` +
            `an integer in [0, ${this.inputDim}) (inputDim ${this.inputDim}; raise it or remap the id)`,
        );
      }
      ids[i] = id;
    }
    return ids;
  }

  private builtEmbeddings(): Param & { readonly touchedRows: TouchedRows } {
    if (this.embeddings === null) throw new Error(`${layerLabel(this)} is not built yet`);
    return this.embeddings;
  }
}
