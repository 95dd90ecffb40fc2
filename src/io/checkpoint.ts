import { defaultLayerName, legacyLayerName } from '../layers/layer.js';
import type { CallbackState } from '../models/callbacks.js';
import type { EpochProgress, FitState, NamedWeight, Sequential } from '../models/sequential.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import type { RngState } from '../random/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic.js';
import { ModelFileError } from './model-dir.js';
import { MAX_PARAMETERS } from '../models/limits.js';
import { encodeSafetensors, MAX_HEADER_BYTES, type NamedArray } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';

/**
 * A training checkpoint is ONE safetensors file: the weights, the optimizer slots and the
 * callbacks' saved weights as tensors, and everything else (flags, generator, optimizer step and
 * rate, epoch, history, the epoch in progress, callback memory) as JSON in the header's
 * `__metadata__.state`. One file written by one atomic rename can never mix two epochs.
 */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const CHECKPOINT_FORMAT = 'gated-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** Weights, up to two optimizer slots and a callback's copy of the weights, as F64 at most. */
const MAX_CHECKPOINT_BYTES = 8 + MAX_HEADER_BYTES + 4 * 8 * MAX_PARAMETERS;

export interface Checkpoint {
  /** Free-form settings of the run that wrote it (the CLI's flags). */
  flags: Record<string, unknown>;
  rng: RngState;
  optimizer: { config: OptimizerConfig; step: number; learningRate: number };
  fit: FitState;
  /** Every tensor by name: `model/<layer>/<weight>`, `optimizer/<layer>/<weight>/<slot>`, `callbacks/<key>/<layer>/<weight>`. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Writes the model's training state (call it from a callback during fit, or with a FitState). */
export async function saveCheckpoint(
  path: string,
  model: Sequential,
  flags: Record<string, unknown>,
  fit: FitState = model.fitState(),
): Promise<void> {
  const tensors: NamedArray[] = [];
  const add = (prefix: string, weights: readonly NamedWeight[]): void => {
    for (const w of weights) {
      if (!w.value.data.every(Number.isFinite))
        throw new Error(`checkpoint: ${w.name} holds NaN or infinite values; not saved`);
      tensors.push({ name: `${prefix}/${w.name}`, shape: w.value.shape, data: w.value.data });
    }
  };
  const weights = model.weights();
  add('model', weights);
  const optimizer = model.optimizer;
  const { step, slots } = optimizer.getState();
  slots.forEach((slot, i) =>
    slot.forEach((data, j) =>
      tensors.push({ name: `optimizer/${weights[i].name}/${j}`, shape: [data.length], data }),
    ),
  );
  const callbacks: Record<string, CallbackState['values']> = {};
  for (const [key, state] of Object.entries(fit.callbacks)) {
    callbacks[key] = state.values;
    add(`callbacks/${key}`, state.weights ?? []);
  }
  const state = {
    flags,
    rng: model.rng.getState(),
    optimizer: { config: optimizer.getConfig(), step, learningRate: optimizer.learningRate },
    fit: { ...fit, callbacks },
  };
  const bytes = encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    state: JSON.stringify(state),
  });
  await writeFileAtomic(path, bytes);
}

/** Reads and checks a checkpoint file; every problem is a ModelFileError naming the file. */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const { tensors, metadata } = await readSafetensorsFile(
    path,
    MAX_CHECKPOINT_BYTES,
    (message) => new ModelFileError(message),
  );
  try {
    if (metadata.format !== CHECKPOINT_FORMAT)
      fail(`format is ${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"`);
    if (metadata.version !== String(CHECKPOINT_VERSION))
      fail(
        `version ${JSON.stringify(metadata.version)} is not supported (this gated reads version ${CHECKPOINT_VERSION})`,
      );
    let state: unknown;
    try {
      state = JSON.parse(metadata.state ?? '');
    } catch {
      fail('__metadata__.state is not valid JSON');
    }
    return { ...parseState(state), tensors };
  } catch (err) {
    if (err instanceof StateError) throw new ModelFileError(`${path}: ${err.message}`);
    throw err;
  }
}

/**
 * A checkpoint written before gated matched Keras's names holds `model/conv1_d/…` where the model
 * built from the same flags now says `conv1d`: such layers take the name the file uses.
 */
function adoptLegacyLayerNames(model: Sequential, tensors: ReadonlyMap<string, unknown>): void {
  const holds = (layer: string): boolean =>
    [...tensors.keys()].some((n) => n.startsWith(`model/${layer}/`));
  for (const layer of model.layers) {
    const current = defaultLayerName(layer.className);
    const legacy = legacyLayerName(layer.className);
    if (current === legacy || !layer.name.startsWith(current) || holds(layer.name)) continue;
    const old = legacy + layer.name.slice(current.length);
    if (holds(old)) layer.name = old;
  }
}

/**
 * Puts a checkpoint's weights, optimizer state and generator state into a model built and
 * compiled from the same flags, and returns the FitState for fit({ resume }).
 */
export function restoreCheckpoint(path: string, model: Sequential, ckpt: Checkpoint): FitState {
  const bad = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  adoptLegacyLayerNames(model, ckpt.tensors);
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): Float32Array => {
    const t = ckpt.tensors.get(name) ?? bad(`missing tensor ${name}`);
    if (t.shape.join() !== shape.join())
      bad(
        `tensor ${name} has shape [${t.shape.join(', ')}], the model needs [${shape.join(', ')}]`,
      );
    if (!t.data.every(Number.isFinite)) bad(`tensor ${name} holds NaN or infinite values`);
    used.add(name);
    return t.data;
  };
  const weights = model.weights();
  const values = weights.map((w) => take(`model/${w.name}`, w.value.shape));
  const optimizer = model.optimizer;
  if (ckpt.optimizer.config.name !== optimizer.name)
    bad(`optimizer is ${ckpt.optimizer.config.name}, the model's is ${optimizer.name}`);
  // Slots exist from the first step on: a stepped optimizer without them would silently restart
  // its moments, so every weight must have all of them, or (before any step) none.
  const stepped = ckpt.optimizer.step > 0 && optimizer.slotsPerParam > 0;
  // Slots belong to the trainable weights, which weights() lists first.
  const slots = weights.slice(0, model.params().length).map((w) => {
    const out: Float32Array[] = [];
    for (let j = 0; j < (stepped ? optimizer.slotsPerParam : 0); j++)
      out.push(take(`optimizer/${w.name}/${j}`, [w.value.size]));
    return out;
  });
  checkLogNames(ckpt.fit, model, bad);
  const callbacks: Record<string, CallbackState> = Object.create(null);
  for (const [key, saved] of Object.entries(ckpt.fit.callbacks)) {
    const prefix = `callbacks/${key}/`;
    const has = [...ckpt.tensors.keys()].some((n) => n.startsWith(prefix));
    const cbWeights = has
      ? weights.map((w) => ({
          name: w.name,
          value: new Tensor(take(prefix + w.name, w.value.shape), w.value.shape),
        }))
      : undefined;
    callbacks[key] = { values: saved.values, ...(cbWeights ? { weights: cbWeights } : {}) };
  }
  const extra = [...ckpt.tensors.keys()].filter((n) => !used.has(n));
  if (extra.length > 0) bad(`unexpected tensor(s) ${extra.join(', ')}`);
  try {
    optimizer.setState({ step: ckpt.optimizer.step, slots: stepped ? slots : [] });
  } catch (err) {
    bad((err as Error).message);
  }
  weights.forEach((w, i) => w.value.data.set(values[i]));
  optimizer.learningRate = ckpt.optimizer.learningRate;
  model.rng.setState(ckpt.rng);
  return { ...ckpt.fit, callbacks };
}

/**
 * History and running totals may name only what this model logs (its loss and metrics, their
 * val_ twins, the epoch and its seconds): such names end up as CSV columns and report labels.
 */
function checkLogNames(fit: FitState, model: Sequential, bad: (why: string) => never): void {
  const logged = ['loss', ...model.metricNames];
  const allowed = new Set(['epoch', 'seconds', ...logged, ...logged.map((n) => `val_${n}`)]);
  const names = [
    ...fit.history.epochs.flatMap((e) => Object.keys(e)),
    ...Object.keys(fit.progress?.totals ?? {}),
  ];
  const stray = names.find((n) => !allowed.has(n));
  if (stray !== undefined)
    bad(
      `metric ${JSON.stringify(stray.slice(0, 40))} is not one this model logs (${[...allowed].join(', ')})`,
    );
}

class StateError extends Error {}

function fail(why: string): never {
  throw new StateError(why);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numbers(v: unknown, what: string): Record<string, number> {
  if (!isRecord(v) || !Object.values(v).every(isFiniteNumber))
    fail(`${what} must map names to finite numbers`);
  return v as Record<string, number>;
}

function parseState(v: unknown): Omit<Checkpoint, 'tensors'> {
  if (!isRecord(v)) fail('state is not a JSON object');
  if (!isRecord(v.flags)) fail('state.flags must be an object');
  const rng = v.rng;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((s) => isCount(s) && s <= 0xffffffff))
    fail('state.rng must be four unsigned 32-bit integers');
  // xoshiro's one fixed point: from an all-zero state every later draw is 0.
  if (rng.every((word) => word === 0)) fail('state.rng is all zeros, which no generator reaches');
  const o = v.optimizer;
  if (!isRecord(o) || !isRecord(o.config) || typeof o.config.name !== 'string' || !isCount(o.step))
    fail('state.optimizer must hold config {name, …} and a step count');
  if (!isFiniteNumber(o.learningRate) || o.learningRate <= 0)
    fail('state.optimizer.learningRate must be a positive number');
  return {
    flags: v.flags,
    rng: rng as RngState,
    optimizer: { config: o.config as OptimizerConfig, step: o.step, learningRate: o.learningRate },
    fit: parseFit(v.fit),
  };
}

function parseFit(v: unknown): FitState {
  if (!isRecord(v)) fail('state.fit must be an object');
  if (!isCount(v.epoch)) fail('state.fit.epoch must be a non-negative integer');
  if (!isRecord(v.history) || !Array.isArray(v.history.epochs))
    fail('state.fit.history must hold a list of epochs');
  const epochs = v.history.epochs.map((e, i) => {
    const rec = numbers(e, `state.fit.history.epochs[${i}]`);
    if (rec.epoch !== i + 1) fail(`state.fit.history.epochs[${i}].epoch must be ${i + 1}`);
    return rec as FitState['history']['epochs'][number];
  });
  if (epochs.length !== v.epoch)
    fail(`state.fit.history has ${epochs.length} epochs, state.fit.epoch says ${v.epoch}`);
  if (typeof v.stopped !== 'boolean') fail('state.fit.stopped must be a boolean');
  if (!isRecord(v.callbacks)) fail('state.fit.callbacks must be an object');
  const callbacks: Record<string, CallbackState> = Object.create(null);
  for (const [key, values] of Object.entries(v.callbacks)) {
    if (
      !isRecord(values) ||
      !Object.values(values).every(
        (x) => x === null || ['number', 'string', 'boolean'].includes(typeof x),
      )
    )
      fail(`state.fit.callbacks.${key} must map names to plain values`);
    callbacks[key] = { values: values as CallbackState['values'] };
  }
  return {
    epoch: v.epoch,
    history: { epochs },
    progress: v.progress === null ? null : parseProgress(v.progress),
    stopped: v.stopped,
    callbacks,
  };
}

function parseProgress(v: unknown): EpochProgress {
  if (!isRecord(v)) fail('state.fit.progress must be null or an object');
  const { order, step, seen, seconds } = v;
  if (order !== null) {
    const n = Array.isArray(order) ? order.length : 0;
    const hit = new Uint8Array(n);
    if (!Array.isArray(order) || !order.every((i) => isCount(i) && i < n && hit[i]++ === 0))
      fail('state.fit.progress.order must be a permutation of 0..n-1 or null');
  }
  if (!isCount(step) || !isCount(seen))
    fail('state.fit.progress.step and seen must be non-negative integers');
  if (!isFiniteNumber(seconds)) fail('state.fit.progress.seconds must be a number');
  return {
    order: order as number[] | null,
    step,
    totals: numbers(v.totals, 'state.fit.progress.totals'),
    seen,
    seconds,
  };
}
