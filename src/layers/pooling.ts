import { window1d, type Padding, type Window1d } from '../backend/conv-ops.js';
import { Tensor, type SequenceMask, type Shape } from '../tensor/tensor.js';
import {
  checkKeys,
  checkSequenceInput,
  layerLabel,
  oneOf,
  optionalName,
  positiveInt,
} from './common.js';
import { PADDINGS } from './conv1d.js';
import { Layer, type ForwardContext, type LayerConfig } from './layer.js';
import { SparseGradient } from './sparse-gradient.js';

/** Pooling over [B, T, C]; the output carries no mask. */
abstract class Pooling1D extends Layer {
  override computeMask(): SequenceMask | null {
    return null;
  }

  /** Checks x against the built channel count and returns [batch, steps, channels]. */
  protected dims(x: Tensor): [number, number, number] {
    checkSequenceInput(this, x, this.inputShape[this.inputShape.length - 1]);
    return [x.shape[0], x.shape[1], x.shape[2]];
  }
}

/** Max over windows: the arithmetic of MaxPooling1D and of GlobalMaxPooling1D (one window). */
abstract class MaxPoolingBase extends Pooling1D {
  private window: Window1d | null = null;
  private argmax: Int32Array | null = null;

  protected abstract geometry(batch: number, steps: number, channels: number): Window1d;
  protected abstract pooledShape(w: Window1d): Shape;

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const w = this.geometry(...this.dims(x));
    const n = w.batch * w.outSteps * w.channels;
    const y = this.ws.get('y', n);
    const argmax = this.ws.int32('argmax', n);
    this.backend.maxPool1d(x.data, w, y, argmax);
    this.window = w;
    this.argmax = argmax;
    return new Tensor(y, this.pooledShape(w));
  }

  backward(dy: Tensor): Tensor {
    const { window: w, argmax } = this;
    if (w === null || argmax === null) {
      throw new Error(`${layerLabel(this)}: backward called before forward`);
    }
    const dx = this.ws.get('dx', w.batch * w.steps * w.channels);
    this.backend.maxPool1dBackward(dy.data, argmax, w, dx);
    const shape = [w.batch, w.steps, w.channels];
    // Disjoint windows have distinct winners: dx is zero elsewhere, which Conv1D can use.
    const disjoint = w.outSteps === 1 || w.size <= w.stride;
    return disjoint ? new SparseGradient(dx, shape, argmax) : new Tensor(dx, shape);
  }
}

export interface MaxPooling1DOptions {
  /** Default 2. */
  poolSize?: number;
  /** Default poolSize. */
  strides?: number;
  /** Default 'valid'; 'same' pads like Keras, and padding never wins the max. */
  padding?: Padding;
  name?: string;
}

/** Keras MaxPooling1D: [B, T, C] → [B, T', C]. */
export class MaxPooling1D extends MaxPoolingBase {
  readonly className = 'MaxPooling1D';
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(options: MaxPooling1DOptions = {}) {
    checkKeys('MaxPooling1D', options, ['poolSize', 'strides', 'padding', 'name']);
    super(optionalName('MaxPooling1D', options.name));
    this.poolSize = positiveInt('MaxPooling1D', 'poolSize', options.poolSize ?? 2);
    this.strides = positiveInt('MaxPooling1D', 'strides', options.strides ?? this.poolSize);
    this.padding = oneOf('MaxPooling1D', 'padding', options.padding ?? 'valid', PADDINGS);
  }

  outputShape(inputShape: Shape): Shape {
    const [steps, channels] = inputShape;
    return [this.geometry(1, steps, channels).outSteps, channels];
  }

  protected geometry(batch: number, steps: number, channels: number): Window1d {
    const { poolSize, strides, padding } = this;
    return window1d(layerLabel(this), batch, steps, channels, poolSize, strides, 1, padding);
  }

  protected pooledShape(w: Window1d): Shape {
    return [w.batch, w.outSteps, w.channels];
  }

  getConfig(): LayerConfig {
    return {
      name: this.name,
      poolSize: this.poolSize,
      strides: this.strides,
      padding: this.padding,
    } satisfies MaxPooling1DOptions;
  }
}

export interface GlobalPoolingOptions {
  name?: string;
}

/**
 * Keras GlobalMaxPooling1D: [B, T, C] → [B, C]. Like Keras it ignores an incoming mask (the
 * max runs over every step); put GlobalAveragePooling1D after a masking Embedding instead.
 */
export class GlobalMaxPooling1D extends MaxPoolingBase {
  readonly className = 'GlobalMaxPooling1D';

  constructor(options: GlobalPoolingOptions = {}) {
    checkKeys('GlobalMaxPooling1D', options, ['name']);
    super(optionalName('GlobalMaxPooling1D', options.name));
  }

  outputShape(inputShape: Shape): Shape {
    return [inputShape[inputShape.length - 1]];
  }

  protected geometry(batch: number, steps: number, channels: number): Window1d {
    return window1d(layerLabel(this), batch, steps, channels, steps, 1, 1, 'valid');
  }

  protected pooledShape(w: Window1d): Shape {
    return [w.batch, w.channels];
  }

  getConfig(): LayerConfig {
    return { name: this.name } satisfies GlobalPoolingOptions;
  }
}

/**
 * Keras GlobalAveragePooling1D: [B, T, C] → [B, C], mean over the unmasked steps when a mask
 * arrives (as Keras). A row whose steps are all masked gives 0 where Keras would divide by zero.
 */
export class GlobalAveragePooling1D extends Pooling1D {
  readonly className = 'GlobalAveragePooling1D';
  private mask: Uint8Array | null = null;
  private dimsSeen: [number, number, number] | null = null;

  constructor(options: GlobalPoolingOptions = {}) {
    checkKeys('GlobalAveragePooling1D', options, ['name']);
    super(optionalName('GlobalAveragePooling1D', options.name));
  }

  outputShape(inputShape: Shape): Shape {
    return [inputShape[inputShape.length - 1]];
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const [batch, steps, channels] = this.dims(x);
    const { mask } = ctx;
    if (mask !== null && (mask.batch !== batch || mask.steps !== steps)) {
      throw new Error(
        `${layerLabel(this)}: mask [${mask.batch}, ${mask.steps}] does not match input [${batch}, ${steps}, ${channels}]`,
      );
    }
    const y = this.ws.get('y', batch * channels);
    this.backend.globalAvgPool1d(x.data, batch, steps, channels, mask?.data ?? null, y);
    this.mask = mask?.data ?? null;
    this.dimsSeen = [batch, steps, channels];
    return new Tensor(y, [batch, channels]);
  }

  backward(dy: Tensor): Tensor {
    if (this.dimsSeen === null) {
      throw new Error(`${layerLabel(this)}: backward called before forward`);
    }
    const [batch, steps, channels] = this.dimsSeen;
    const dx = this.ws.get('dx', batch * steps * channels);
    this.backend.globalAvgPool1dBackward(dy.data, batch, steps, channels, this.mask, dx);
    return new Tensor(dx, this.dimsSeen);
  }

  getConfig(): LayerConfig {
    return { name: this.name } satisfies GlobalPoolingOptions;
  }
}
