import type { Backend } from '../backend/backend.js';
import { layerFromConfig } from '../layers/registry.js';
import type { LayerConfig } from '../layers/layer.js';
import { getOptimizer } from '../optim/index.js';
import { MAX_INPUT_VALUES } from '../models/limits.js';
import { Sequential } from '../models/sequential.js';
import { decodeSafetensors, SafetensorsError, type DecodedSafetensors } from './safetensors.js';

// The pure half of model files (no file system): model.json validation, building the model it
// describes, and checking and setting weights from safetensors bytes. Node reads the files
// (model-dir.ts), the browser fetches them (src/web/).

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.safetensors';
export const MODEL_FORMAT = 'gated-model';
export const MODEL_FORMAT_VERSION = 1;

/** A saved model or its files are unusable; the message names the file and the problem. */
export class ModelFileError extends Error {}

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  className: 'Sequential';
  name: string;
  seed: number;
  inputShape: number[];
  layers: { className: string; config: LayerConfig }[];
  compile: { optimizer: Record<string, unknown>; loss: string; metrics: string[] } | null;
  /** Free-form record of how the model was trained (CLI flags, dataset). */
  training?: Record<string, unknown>;
}

/** The model a parsed model.json describes, built and compiled, with fresh weights. */
export function buildModel(json: ModelJson, where: string, backend?: Backend): Sequential {
  const model = new Sequential({
    name: json.name,
    seed: json.seed,
    ...(backend ? { backend } : {}),
  });
  try {
    for (const { className, config } of json.layers) model.add(layerFromConfig(className, config));
    model.build(json.inputShape);
    if (json.compile) {
      model.compile({
        optimizer: getOptimizer(json.compile.optimizer),
        loss: json.compile.loss,
        metrics: json.compile.metrics,
      });
    }
  } catch (err) {
    throw new ModelFileError(`${where}: ${(err as Error).message}`);
  }
  return model;
}

/** Sets the model's weights from safetensors bytes, checked name by name and shape by shape. */
export function setWeights(model: Sequential, bytes: Uint8Array, weightsPath: string): void {
  let decoded;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new ModelFileError(`${weightsPath}: ${err.message}`);
    throw err;
  }
  setDecodedWeights(model, decoded, weightsPath);
}

/** The largest weights file a model may have: its parameters as F64 plus a header. */
export function maxWeightsBytes(model: Sequential): number {
  return 8 + MAX_WEIGHTS_HEADER_BYTES + 8 * model.countParams();
}
/** A weights header lists each tensor once: far below this even for many layers. */
const MAX_WEIGHTS_HEADER_BYTES = 1024 * 1024;

/** Sets the model's weights from a decoded safetensors file, checked name by name and shape by shape. */
export function setDecodedWeights(
  model: Sequential,
  decoded: DecodedSafetensors,
  weightsPath: string,
): void {
  const expected = model.weights();
  for (const w of expected) {
    const t = decoded.tensors.get(w.name);
    if (!t) throw new ModelFileError(`${weightsPath}: missing tensor ${w.name}`);
    if (t.shape.join(',') !== w.value.shape.join(',')) {
      throw new ModelFileError(
        `${weightsPath}: tensor ${w.name} has shape [${t.shape.join(', ')}], the model needs [${w.value.shape.join(', ')}]`,
      );
    }
    if (!t.data.every(Number.isFinite))
      throw new ModelFileError(`${weightsPath}: tensor ${w.name} holds NaN or infinite values`);
    w.value.data.set(t.data);
  }
  const extra = [...decoded.tensors.keys()].filter(
    (name) => !expected.some((w) => w.name === name),
  );
  if (extra.length > 0)
    throw new ModelFileError(`${weightsPath}: unexpected tensor(s) ${extra.join(', ')}`);
}

export function parseModelJson(text: string, path: string): ModelJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ModelFileError(`${path}: not valid JSON`);
  }
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== MODEL_FORMAT)
    fail(`format is ${JSON.stringify(v.format)}, expected "${MODEL_FORMAT}"`);
  if (v.version !== MODEL_FORMAT_VERSION) {
    fail(
      `version ${JSON.stringify(v.version)} is not supported (this gated reads version ${MODEL_FORMAT_VERSION})`,
    );
  }
  if (v.className !== 'Sequential')
    fail(`className ${JSON.stringify(v.className)} is not supported`);
  if (typeof v.name !== 'string') fail('name must be a string');
  if (!Number.isInteger(v.seed)) fail('seed must be an integer');
  if (
    !Array.isArray(v.inputShape) ||
    v.inputShape.length === 0 ||
    v.inputShape.length > 8 ||
    !v.inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    fail('inputShape must be a list of 1 to 8 positive integers');
  }
  const inputValues = (v.inputShape as number[]).reduce((n, d) => n * d, 1);
  if (inputValues > MAX_INPUT_VALUES)
    fail(
      `inputShape [${(v.inputShape as number[]).join(', ')}] holds ${inputValues.toLocaleString('en-US')} values per sample, more than the limit of ${MAX_INPUT_VALUES.toLocaleString('en-US')}`,
    );
  if (!Array.isArray(v.layers) || v.layers.length === 0) fail('layers must be a non-empty list');
  for (const l of v.layers as unknown[]) {
    const layer = l as Record<string, unknown> | null;
    if (typeof layer !== 'object' || layer === null || typeof layer.className !== 'string') {
      fail('each layer needs a className');
    }
    if (
      typeof layer!.config !== 'object' ||
      layer!.config === null ||
      Array.isArray(layer!.config)
    ) {
      fail(`layer ${String(layer!.className)} needs a config object`);
    }
  }
  if (v.compile !== null && v.compile !== undefined) {
    const c = v.compile as Record<string, unknown>;
    if (
      typeof c !== 'object' ||
      typeof c.loss !== 'string' ||
      !Array.isArray(c.metrics) ||
      !c.metrics.every((m) => typeof m === 'string') ||
      typeof c.optimizer !== 'object' ||
      c.optimizer === null ||
      Array.isArray(c.optimizer)
    ) {
      fail('compile must hold an optimizer object, a loss name and a list of metric names');
    }
  }
  if (
    v.training !== undefined &&
    (typeof v.training !== 'object' || v.training === null || Array.isArray(v.training))
  )
    fail('training must be an object');
  return { ...(v as unknown as ModelJson), compile: (v.compile as ModelJson['compile']) ?? null };
}
