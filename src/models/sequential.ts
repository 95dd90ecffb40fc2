import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Embedding } from '../layers/embedding.js';
import { defaultLayerName, zeroGrad, type Layer, type Param } from '../layers/layer.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import type { LabelSet } from '../classify/task.js';
import type { Vectorizer } from '../text/vectorizer.js';
import { getLoss, type Loss } from '../losses/index.js';
import { getMetric, type Metric } from '../metrics/index.js';
import { getOptimizer, type Optimizer } from '../optim/index.js';
import { Rng } from '../random/rng.js';
import { floatArray, Tensor, type SequenceMask, type Shape } from '../tensor/tensor.js';
import { BatchGatherer, sliceRows, type BatchBuffers } from './batching.js';
import { MAX_INPUT_VALUES, MAX_PARAMETERS } from './limits.js';
import { CallbackList, type Callback, type CallbackState, type Logs } from './callbacks.js';
import { FitHistory } from './history.js';
import { progressLogger, type Verbosity } from './progbar.js';
import { renderSummary } from './summary.js';

export interface SequentialOptions {
  name?: string;
  /** Seed of the model's one random generator: initial weights, shuffling and dropout. */
  seed?: number;
  backend?: Backend;
}

export interface CompileOptions {
  optimizer: Optimizer | string;
  loss: Loss | string;
  metrics?: string[];
}

export interface FitOptions {
  batchSize?: number;
  epochs?: number;
  /** Epoch to start from (a resumed run); epochs counts up to this total. */
  initialEpoch?: number;
  /** Fraction of the data, taken from the end as in Keras, used for validation only. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  shuffle?: boolean;
  callbacks?: Callback[];
  /** Continue a run from fitState() as a checkpoint saved it (initialEpoch is then ignored). */
  resume?: FitState;
  /** When aborted, fit finishes the current batch and rejects with TrainingInterrupted. */
  signal?: AbortSignal;
  /**
   * Keras's verbose: 0 silent, 1 a progress bar (one line per epoch when the output is not a
   * terminal), 2 one line per epoch. Default 0, not Keras's 'auto': the model also runs in
   * browsers and inside apps that report progress their own way.
   */
  verbose?: Verbosity;
}

/** Where an epoch stopped: enough to finish it exactly as an uninterrupted run would. */
export interface EpochProgress {
  /** The epoch's shuffle order (null without shuffling). */
  order: number[] | null;
  /** Batches done. */
  step: number;
  /** Running sums of each batch value times its batch size, and the samples seen. */
  totals: Logs;
  seen: number;
  /** Time spent in the epoch so far. */
  seconds: number;
}

/** What fit needs, besides weights, optimizer and generator, to continue a run exactly. */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  history: History;
  /** The epoch in progress, or null at an epoch boundary. */
  progress: EpochProgress | null;
  /** A callback has ended training (EarlyStopping). */
  stopped: boolean;
  callbacks: Record<string, CallbackState>;
}

/** fit rejects with this when its signal aborts; `state` continues the run. */
export class TrainingInterrupted extends Error {
  constructor(readonly state: FitState) {
    super(`training interrupted at epoch ${state.epoch + 1}, batch ${state.progress?.step ?? 0}`);
  }
}

/** The loss (or a validation value) stopped being a finite number. */
/** A saved FitState that does not fit this data and these fit options. */
export class ResumeStateError extends Error {}

function checkResume(resume: FitState, samples: number, batchSize: number, epochs: number): void {
  const steps = Math.ceil(samples / batchSize);
  const bad = (why: string): never => {
    throw new ResumeStateError(why);
  };
  const progress = resume.progress;
  if (progress === null) return;
  if (resume.epoch >= epochs)
    bad(`the epoch in progress (${resume.epoch + 1}) is past the run's ${epochs} epochs`);
  if (progress.order && progress.order.length !== samples)
    bad(`the saved epoch order covers ${progress.order.length} samples, this data ${samples}`);
  if (progress.step > steps)
    bad(`progress.step ${progress.step} is past the epoch's ${steps} batches`);
  if (progress.seen > Math.min(samples, progress.step * batchSize))
    bad(`progress.seen ${progress.seen} is more than ${progress.step} batches hold`);
}

export class NonFiniteLossError extends Error {}

export interface EvaluateOptions {
  batchSize?: number;
}

/** One epoch's numbers as fit reports them (epoch counted from 1). */
export type EpochRecord = { epoch: number; seconds: number } & Logs;

export interface History {
  epochs: EpochRecord[];
}

/** A named weight in Keras layout: `<layer name>/<weight name>`. */
export interface NamedWeight {
  readonly name: string;
  readonly value: Tensor;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${what} must be a positive integer, got ${value}`);
  return value;
}

/** A linear stack of layers with Keras's compile / fit / evaluate / predict. */
export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  readonly backend: Backend;
  /** The one generator of this model; its state is part of a checkpoint. */
  readonly rng: Rng;
  readonly seed: number;
  /** The epochs of the latest fit so far, updated before onEpochEnd hooks run (as Keras's model.history). */
  history: History = { epochs: [] };
  /** Set by a callback to end fit after the current batch. */
  stopTraining = false;
  /**
   * How raw text becomes this model's input ids. save() writes it next to the weights
   * (vectorizer.json, or vocab.json for the IMDB word index) and loadModel() reads it back.
   */
  vectorizer: Vectorizer | null = null;
  /** The task and class names of a classifier; save() writes them to labels.json. */
  labels: LabelSet | null = null;
  private inputShapeValue: Shape | null = null;
  private compiled: { optimizer: Optimizer; loss: Loss; metrics: Metric[] } | null = null;
  private lossGrad: Tensor | null = null;
  /** Input and target batches of predict and evaluate, reused from call to call. */
  private readonly inferenceBatches: { x: BatchBuffers; y: BatchBuffers } = {
    x: new Map(),
    y: new Map(),
  };
  /** The fit in progress, for fitState(). */
  private run: {
    callbacks: CallbackList;
    epoch: number;
    progress: (EpochProgress & { started: number }) | null;
  } | null = null;

  constructor(options: SequentialOptions = {}) {
    this.name = options.name ?? 'sequential';
    this.seed = options.seed ?? 1;
    this.rng = new Rng(this.seed);
    this.backend = options.backend ?? getBackend();
  }

  add(layer: Layer): this {
    if (this.built) throw new Error('cannot add a layer to a model that is already built');
    const base = layer.name || defaultLayerName(layer.className);
    let name = base;
    for (let i = 1; this.layers.some((l) => l.name === name); i++) name = `${base}_${i}`;
    if (layer.name && name !== layer.name) throw new Error(`duplicate layer name '${layer.name}'`);
    layer.name = name;
    this.layers.push(layer);
    return this;
  }

  get built(): boolean {
    return this.inputShapeValue !== null;
  }

  /** Input shape without the batch axis, e.g. [200] for padded reviews. */
  get inputShape(): Shape {
    if (!this.inputShapeValue)
      throw new Error('the model is not built: call build(inputShape) or fit first');
    return this.inputShapeValue;
  }

  /** Creates every layer's weights for inputs of this shape (batch axis excluded). */
  build(inputShape: Shape): this {
    if (this.layers.length === 0) throw new Error('the model has no layers: add() some first');
    const values = inputShape.reduce((n, d) => n * d, 1);
    if (values > MAX_INPUT_VALUES)
      throw new Error(
        `input shape [${inputShape.join(', ')}] holds ${values.toLocaleString('en-US')} values per sample, more than the limit of ${MAX_INPUT_VALUES.toLocaleString('en-US')}`,
      );
    let shape = inputShape;
    let params = 0;
    for (const layer of this.layers) {
      layer.build(shape, this.backend, this.rng);
      params += layer.countParams();
      if (params > MAX_PARAMETERS)
        throw new Error(
          `the model has more than ${MAX_PARAMETERS.toLocaleString('en-US')} parameters (the limit) by layer ${layer.name}`,
        );
      shape = layer.outputShape(shape);
    }
    this.inputShapeValue = [...inputShape];
    return this;
  }

  get optimizer(): Optimizer {
    return this.requireCompiled().optimizer;
  }

  get lossName(): string {
    return this.requireCompiled().loss.name;
  }

  get metricNames(): string[] {
    return this.requireCompiled().metrics.map((m) => m.name);
  }

  compile(options: CompileOptions): this {
    const loss = typeof options.loss === 'string' ? getLoss(options.loss) : options.loss;
    const optimizer =
      typeof options.optimizer === 'string' ? getOptimizer(options.optimizer) : options.optimizer;
    const metrics = (options.metrics ?? []).map((m) => getMetric(m));
    this.compiled = { optimizer, loss, metrics };
    return this;
  }

  params(): Param[] {
    return this.layers.flatMap((l) => l.params());
  }

  /**
   * Every weight under its Keras name: the trainable ones in layer order (params() order, which
   * the optimizer's slots follow), then the fixed ones in layer order.
   */
  weights(): NamedWeight[] {
    const named = (l: Layer, w: { name: string; value: Tensor }): NamedWeight => ({
      name: `${l.name}/${w.name}`,
      value: w.value,
    });
    return [
      ...this.layers.flatMap((l) => l.params().map((p) => named(l, p))),
      ...this.layers.flatMap((l) => l.fixedWeights().map((w) => named(l, w))),
    ];
  }

  /** Copies of every weight, in weights() order (Keras's get_weights). */
  getWeights(): NamedWeight[] {
    return this.weights().map(({ name, value }) => ({
      name,
      value: new Tensor(value.data.slice(), value.shape),
    }));
  }

  /** Overwrites every weight from a getWeights() list (Keras's set_weights); names and shapes must match. */
  setWeights(weights: readonly NamedWeight[]): void {
    const own = this.weights();
    if (weights.length !== own.length)
      throw new Error(`setWeights: got ${weights.length} weights, the model has ${own.length}`);
    own.forEach((w, i) => {
      const given = weights[i];
      if (given.name !== w.name || given.value.shape.join() !== w.value.shape.join()) {
        throw new Error(
          `setWeights: weight ${i} is ${given.name} [${given.value.shape.join(', ')}], the model needs ${w.name} [${w.value.shape.join(', ')}]`,
        );
      }
    });
    own.forEach((w, i) => w.value.data.set(weights[i].value.data));
  }

  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  summary(): string {
    let shape: Shape | null = this.inputShapeValue;
    const rows = this.layers.map((layer) => {
      shape = shape === null ? null : layer.outputShape(shape);
      return {
        name: layer.name,
        className: layer.className,
        outputShape: shape,
        params: layer.countParams(),
        fixed: layer.countFixedWeights(),
      };
    });
    return renderSummary(this.name, rows, this.backend.dtype === 'float64' ? 8 : 4);
  }

  /** Runs the stack on one batch; in training mode layers keep what backward needs. */
  forward(x: Tensor, training: boolean): Tensor {
    this.ensureBuilt(x);
    return this.forwardFrom(0, x, null, { training });
  }

  /**
   * Runs layers `from`… on x, the output of layer from−1 (with its mask): how `explain` feeds the
   * layers after the embedding. The model must be built. With projectTokens (training), an
   * Embedding followed by a recurrent layer without input dropout runs as that layer's
   * forwardTokens: the recurrent layer's backward then fills the embedding's gradient itself.
   */
  forwardFrom(
    from: number,
    x: Tensor,
    mask: SequenceMask | null,
    options: { training: boolean; keepForBackward?: boolean; projectTokens?: boolean },
  ): Tensor {
    const { projectTokens = false, ...modes } = options;
    let out = x;
    for (let i = from; i < this.layers.length; i++) {
      const layer = this.layers[i];
      const input = out;
      const next = this.layers[i + 1];
      if (projectTokens && layer instanceof Embedding && projectsTokens(next)) {
        const tokenMask = layer.computeMask(input);
        out = next.forwardTokens(layer, input, { ...modes, mask: tokenMask, rng: this.rng });
        mask = next.computeMask(input, tokenMask);
        i++;
        continue;
      }
      out = layer.forward(input, { ...modes, mask, rng: this.rng });
      mask = layer.computeMask(input, mask);
    }
    return out;
  }

  /**
   * Back-propagates dL/dy through the stack after a training forward (or one that kept what
   * backward needs), accumulating weight gradients, down to layer `to`; returns dL/d(input of
   * layer `to`), or null where the input is not differentiable (token ids).
   */
  backward(dy: Tensor, to = 0): Tensor | null {
    let grad: Tensor | null = dy;
    for (let i = this.layers.length - 1; i >= to && grad !== null; i--) {
      const layer = this.layers[i];
      // After forwardTokens the recurrent layer fills its Embedding's gradient itself (null).
      grad =
        projectsTokens(layer) && layer.projectedTokens
          ? layer.backwardTokens(grad)
          : layer.backward(grad);
    }
    return grad;
  }

  /** One optimisation step on one batch; returns the batch's loss and metric values. */
  trainOnBatch(x: Tensor, y: Tensor): Logs {
    const { optimizer, loss, metrics } = this.requireCompiled();
    // Build first: an unbuilt model has no parameters to zero or update yet.
    this.ensureBuilt(x);
    const params = this.params();
    for (const p of params) zeroGrad(p);
    const yPred = this.forwardFrom(0, x, null, { training: true, projectTokens: true });
    const grad = this.lossGradFor(yPred);
    const logs: Logs = { loss: loss.compute(yPred, y, grad) };
    if (!Number.isFinite(logs.loss)) return logs;
    this.backward(grad);
    optimizer.apply(params, this.backend);
    for (const m of metrics) logs[m.name] = m.compute(yPred, y) / y.shape[0];
    return logs;
  }

  async fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<FitHistory> {
    const { loss, metrics } = this.requireCompiled();
    const batchSize = positiveInt(options.batchSize ?? 32, 'batchSize');
    const epochs = positiveInt(options.epochs ?? 1, 'epochs');
    const resume = options.resume ?? null;
    const initialEpoch = resume ? resume.epoch : (options.initialEpoch ?? 0);
    const split = options.validationSplit ?? 0;
    if (!(split >= 0 && split < 1))
      throw new Error(`validationSplit must be in [0, 1), got ${split}`);
    checkPair(x, y);
    let [trainX, trainY] = [x, y];
    let validation = options.validationData ?? null;
    if (split > 0) {
      const at = Math.floor(x.shape[0] * (1 - split));
      if (at < 1 || at >= x.shape[0])
        throw new Error(`validationSplit ${split} leaves no training or no validation data`);
      [trainX, trainY] = [sliceRows(x, 0, at), sliceRows(y, 0, at)];
      validation = [sliceRows(x, at, x.shape[0]), sliceRows(y, at, y.shape[0])];
    }
    if (validation) checkPair(...validation);
    this.ensureBuilt(trainX);
    const xs = new BatchGatherer(trainX, this.backend);
    const ys = new BatchGatherer(trainY, this.backend);
    const samples = xs.rows;
    const steps = Math.ceil(samples / batchSize);
    if (resume) checkResume(resume, samples, batchSize, epochs);
    const logger = progressLogger(options.verbose ?? 0);
    const callbacks = new CallbackList([...(logger ? [logger] : []), ...(options.callbacks ?? [])]);
    const history = new FitHistory(resume ? resume.history.epochs.map((e) => ({ ...e })) : []);
    this.history = history;
    this.stopTraining = false;
    this.run = { callbacks, epoch: initialEpoch, progress: null };
    callbacks.setModel(this);
    await callbacks.call('onTrainBegin', {
      epochs,
      initialEpoch,
      stepsPerEpoch: steps,
      samples,
      validationSamples: validation ? validation[0].shape[0] : 0,
    });
    if (resume) {
      // After onTrainBegin, which resets a callback's memory.
      callbacks.setState(resume.callbacks);
      this.stopTraining = resume.stopped;
    }
    let resumed = resume?.progress ?? null;
    let lastLogs: Logs = {};
    for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
      await callbacks.call('onEpochBegin', epoch);
      const run = {
        order: resumed
          ? resumed.order
          : options.shuffle === false
            ? null
            : [...this.rng.permutation(samples)],
        step: resumed?.step ?? 0,
        totals: { ...resumed?.totals },
        seen: resumed?.seen ?? 0,
        seconds: 0,
        started: performance.now() - (resumed?.seconds ?? 0) * 1000,
      };
      resumed = null;
      this.run.progress = run;
      const order = run.order ? Int32Array.from(run.order) : null;
      while (run.step < steps && !this.stopTraining) {
        const step = run.step;
        await callbacks.call('onBatchBegin', step);
        const start = step * batchSize;
        const count = Math.min(batchSize, samples - start);
        const batchLogs = this.trainOnBatch(
          xs.gather(order, start, count),
          ys.gather(order, start, count),
        );
        if (!Number.isFinite(batchLogs.loss)) {
          throw new NonFiniteLossError(
            `loss became ${batchLogs.loss} at epoch ${epoch + 1}, batch ${step + 1}: lower the learning rate or clip gradients (clipnorm)`,
          );
        }
        for (const [k, v] of Object.entries(batchLogs))
          run.totals[k] = (run.totals[k] ?? 0) + v * count;
        run.seen += count;
        run.step++;
        const running: Logs = {};
        for (const [k, v] of Object.entries(run.totals)) running[k] = v / run.seen;
        await callbacks.call('onBatchEnd', step, running);
        // Let signals, timers and output through between batches.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw new TrainingInterrupted(this.fitState());
      }
      const logs: Logs = {};
      for (const [k, v] of Object.entries(run.totals)) logs[k] = v / Math.max(1, run.seen);
      if (validation) {
        const val = this.evaluateWith(validation[0], validation[1], batchSize, loss, metrics);
        for (const [k, v] of Object.entries(val)) {
          if (!Number.isFinite(v)) {
            throw new NonFiniteLossError(
              `val_${k} became ${v} after epoch ${epoch + 1}: lower the learning rate or clip gradients (clipnorm)`,
            );
          }
          logs[`val_${k}`] = v;
        }
      }
      const seconds = (performance.now() - run.started) / 1000;
      history.epochs.push({ epoch: epoch + 1, ...logs, seconds });
      this.run.epoch = epoch + 1;
      this.run.progress = null;
      await callbacks.call('onEpochEnd', epoch, logs);
      lastLogs = logs;
    }
    await callbacks.call('onTrainEnd', lastLogs);
    this.run = null;
    return history;
  }

  /**
   * The state of the fit in progress (call it from a callback), as a checkpoint keeps it: with
   * the weights, the optimizer state and rng.getState() it continues the run bit for bit.
   */
  fitState(): FitState {
    if (!this.run) throw new Error('fitState: no fit is running');
    const { callbacks, epoch, progress } = this.run;
    return {
      epoch,
      history: { epochs: this.history.epochs.map((e) => ({ ...e })) },
      progress: progress && {
        order: progress.order && [...progress.order],
        step: progress.step,
        totals: { ...progress.totals },
        seen: progress.seen,
        seconds: (performance.now() - progress.started) / 1000,
      },
      stopped: this.stopTraining,
      callbacks: callbacks.getState(),
    };
  }

  /**
   * Saves model.json and weights.safetensors into dir, with the vectorizer and labels when set
   * (see saveModel for options).
   */
  async save(dir: string): Promise<void> {
    // Imported on use so the model itself does not pull in node:fs (the browser build).
    const { saveModel } = await import('../io/model-dir.js');
    await saveModel(this, dir);
  }

  /** Loss and metrics over a whole dataset, averaged per sample. */
  evaluate(x: Tensor, y: Tensor, options: EvaluateOptions = {}): Logs {
    const { loss, metrics } = this.requireCompiled();
    checkPair(x, y);
    return this.evaluateWith(
      x,
      y,
      positiveInt(options.batchSize ?? 32, 'batchSize'),
      loss,
      metrics,
    );
  }

  /** Model outputs for every row of x, computed batch by batch. */
  predict(x: Tensor, options: EvaluateOptions = {}): Tensor {
    const batchSize = positiveInt(options.batchSize ?? 32, 'batchSize');
    this.ensureBuilt(x);
    const xs = new BatchGatherer(x, this.backend, this.inferenceBatches.x);
    let out: Tensor | null = null;
    for (let start = 0; start < xs.rows; start += batchSize) {
      const count = Math.min(batchSize, xs.rows - start);
      const yb = this.forward(xs.gather(null, start, count), false);
      const rowSize = yb.size / count;
      // The caller's to keep: an ordinary array, not a block of the backend's memory (on wasm,
      // blocks return only when the event loop runs their finalizers).
      out ??= new Tensor(floatArray(this.backend.dtype, xs.rows * rowSize), [
        xs.rows,
        ...yb.shape.slice(1),
      ]);
      out.data.set(yb.data.subarray(0, count * rowSize), start * rowSize);
    }
    if (!out) throw new Error('predict: x has no rows');
    return out;
  }

  private evaluateWith(
    x: Tensor,
    y: Tensor,
    batchSize: number,
    loss: Loss,
    metrics: Metric[],
  ): Logs {
    const xs = new BatchGatherer(x, this.backend, this.inferenceBatches.x);
    const ys = new BatchGatherer(y, this.backend, this.inferenceBatches.y);
    const totals: Logs = { loss: 0 };
    for (const m of metrics) totals[m.name] = 0;
    for (let start = 0; start < xs.rows; start += batchSize) {
      const count = Math.min(batchSize, xs.rows - start);
      const yPred = this.forward(xs.gather(null, start, count), false);
      const yTrue = ys.gather(null, start, count);
      totals.loss += loss.compute(yPred, yTrue, this.lossGradFor(yPred)) * count;
      for (const m of metrics) totals[m.name] += m.compute(yPred, yTrue);
    }
    for (const k of Object.keys(totals)) totals[k] /= xs.rows;
    return totals;
  }

  /** The dL/dy buffer for a batch of this output shape (reused while the shape stays). */
  private lossGradFor(yPred: Tensor): Tensor {
    if (!this.lossGrad || this.lossGrad.shape.join() !== yPred.shape.join()) {
      this.lossGrad = new Tensor(this.backend.alloc(yPred.size), yPred.shape);
    }
    return this.lossGrad;
  }

  /** The compile settings as model.json stores them, or null before compile. */
  compiledConfig(): { optimizer: Record<string, unknown>; loss: string; metrics: string[] } | null {
    if (!this.compiled) return null;
    const { optimizer, loss, metrics } = this.compiled;
    return {
      optimizer: optimizer.getConfig(),
      loss: loss.name,
      metrics: metrics.map((m) => m.name),
    };
  }

  private ensureBuilt(x: Tensor): void {
    if (!this.built) this.build(x.shape.slice(1));
  }

  private requireCompiled(): NonNullable<Sequential['compiled']> {
    if (!this.compiled)
      throw new Error('the model is not compiled: call compile({ optimizer, loss }) first');
    return this.compiled;
  }
}

function checkPair(x: Tensor, y: Tensor): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new Error(`x has ${x.shape[0]} rows but y has ${y.shape[0]}: they must match`);
  }
  if (x.shape[0] === 0) throw new Error('no data: x has 0 rows');
}

/**
 * Whether `layer` can take an Embedding's token ids in training (RecurrentLayer.forwardTokens, or
 * a Bidirectional's, which runs its two directions' that way).
 */
function projectsTokens(layer: Layer | undefined): layer is RecurrentLayer | Bidirectional {
  const inner = layer instanceof Bidirectional ? layer.forwardLayer : layer;
  return inner instanceof RecurrentLayer && inner.dropout === 0;
}
