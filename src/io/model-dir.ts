import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import type { Sequential } from '../models/sequential.js';
import { writeFileAtomic } from './atomic.js';
import {
  buildModel,
  MODEL_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  parseModelJson,
  setWeights,
  WEIGHTS_FILE,
  type ModelJson,
} from './model-json.js';
import { encodeSafetensors } from './safetensors.js';
import { LABELS_FILE, labelsFromJSON, labelsToJSON } from '../classify/task.js';
import { VECTORIZER_FILE, VOCAB_FILE, vectorizerFromJSON } from '../text/vectorizer.js';

export { MODEL_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFileError, WEIGHTS_FILE };

export interface SaveOptions {
  seed?: number;
  training?: Record<string, unknown>;
}

/**
 * Writes model.json and weights.safetensors into dir, each atomically, and the model's
 * vectorizer (vectorizer.json or vocab.json) and labels (labels.json) when it has them.
 */
export async function saveModel(
  model: Sequential,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  const compiled = model.compiledConfig();
  const json: ModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    className: 'Sequential',
    name: model.name,
    seed: options.seed ?? model.seed,
    inputShape: [...model.inputShape],
    layers: model.layers.map((l) => ({ className: l.className, config: l.getConfig() })),
    compile: compiled,
    ...(options.training ? { training: options.training } : {}),
  };
  const weights = model
    .weights()
    .map((w) => ({ name: w.name, shape: w.value.shape, data: w.value.data }));
  await writeFileAtomic(join(dir, WEIGHTS_FILE), encodeSafetensors(weights, { format: 'pt' }));
  if (model.vectorizer) {
    const text = JSON.stringify(model.vectorizer.toJSON()) + '\n';
    await writeFileAtomic(join(dir, model.vectorizer.fileName), text);
  }
  if (model.labels) {
    const text = JSON.stringify(labelsToJSON(model.labels), null, 2) + '\n';
    await writeFileAtomic(join(dir, LABELS_FILE), text);
  }
  await writeFileAtomic(join(dir, MODEL_FILE), JSON.stringify(json, null, 2) + '\n');
}

export interface LoadedModel {
  model: Sequential;
  training: Record<string, unknown>;
}

/**
 * Rebuilds a saved model: architecture, compile settings and weights, checked against each
 * other, with its vectorizer and labels when the directory has them.
 */
export async function loadModel(dir: string, backend?: Backend): Promise<LoadedModel> {
  const { model, training } = await loadArchitecture(dir, backend);
  await loadWeights(model, join(dir, WEIGHTS_FILE));
  for (const file of [VECTORIZER_FILE, VOCAB_FILE]) {
    const json = await readOptionalJson(join(dir, file));
    if (json === undefined) continue;
    model.vectorizer = parsedBy(join(dir, file), () =>
      vectorizerFromJSON(file, json, model.inputShape[0]),
    );
    break;
  }
  const labels = await readOptionalJson(join(dir, LABELS_FILE));
  if (labels !== undefined)
    model.labels = parsedBy(join(dir, LABELS_FILE), () => labelsFromJSON(labels));
  return { model, training };
}

/** The parsed JSON of an optional file of a model directory; undefined when it is absent. */
async function readOptionalJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFileError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code})`);
  }
  return parsedBy(path, () => JSON.parse(text) as unknown);
}

function parsedBy<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ModelFileError(`${path}: ${(err as Error).message}`);
  }
}

/** The model model.json describes, built and compiled, with fresh (not saved) weights. */
export async function loadArchitecture(dir: string, backend?: Backend): Promise<LoadedModel> {
  const where = join(dir, MODEL_FILE);
  const json = parseModelJson(await readText(where), where);
  return { model: buildModel(json, where, backend), training: json.training ?? {} };
}

async function loadWeights(model: Sequential, weightsPath: string): Promise<void> {
  setWeights(model, await readBytes(weightsPath), weightsPath);
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ModelFileError(
      `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

async function readText(path: string): Promise<string> {
  return Buffer.from(await readBytes(path)).toString('utf8');
}
