import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { Embedding } from '../layers/embedding.js';
import type { Sequential } from '../models/sequential.js';
import { writeFileAtomic } from './atomic.js';
import {
  buildModel,
  MODEL_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  maxWeightsBytes,
  parseModelJson,
  setDecodedWeights,
  WEIGHTS_FILE,
  type ModelJson,
} from './model-json.js';
import { readRegularFile } from './regular-file.js';
import { encodeSafetensors } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
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
    checkVocabularyFits(model, join(dir, file));
    break;
  }
  const labels = await readOptionalJson(join(dir, LABELS_FILE));
  if (labels !== undefined)
    model.labels = parsedBy(join(dir, LABELS_FILE), () => labelsFromJSON(labels));
  return { model, training };
}

/** The parsed JSON of an optional file of a model directory; undefined when it is absent. */
async function readOptionalJson(path: string): Promise<unknown> {
  try {
    await access(path);
  } catch {
    return undefined;
  }
  const text = await readModelText(path);
  return parsedBy(path, () => JSON.parse(text) as unknown);
}

/** Ids run up to vocabularySize − 1: a larger vocabulary would index past the embedding table. */
function checkVocabularyFits(model: Sequential, path: string): void {
  const embedding = model.layers[0];
  const size = model.vectorizer?.vocabularySize ?? 0;
  if (embedding instanceof Embedding && size > embedding.inputDim)
    throw new ModelFileError(
      `${path}: a vocabulary of ${size} is larger than the model's embedding (inputDim ${embedding.inputDim})`,
    );
}

function parsedBy<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ModelFileError(`${path}: ${(err as Error).message}`);
  }
}

/** What marks an ensemble directory (src/io/ensemble-dir.ts) instead of a model.json. */
export const ENSEMBLE_FILE = 'ensemble.json';

/** Whether `dir` holds an ensemble of models (ensemble.json) rather than one model. */
export async function isEnsembleDir(dir: string): Promise<boolean> {
  return access(join(dir, ENSEMBLE_FILE)).then(
    () => true,
    () => false,
  );
}

/** The model model.json describes, built and compiled, with fresh (not saved) weights. */
export async function loadArchitecture(dir: string, backend?: Backend): Promise<LoadedModel> {
  const where = join(dir, MODEL_FILE);
  if (await isEnsembleDir(dir))
    throw new ModelFileError(
      `${dir} is an ensemble of models (${ENSEMBLE_FILE}): predict, evaluate and serve take it; for this command name one of its models, e.g. ${join(dir, 'members', '1')}`,
    );
  const json = parseModelJson(await readModelText(where), where);
  return { model: buildModel(json, where, backend), training: json.training ?? {} };
}

async function loadWeights(model: Sequential, weightsPath: string): Promise<void> {
  const decoded = await readSafetensorsFile(weightsPath, maxWeightsBytes(model), modelFileError);
  setDecodedWeights(model, decoded, weightsPath);
}

/** model.json, vocab.json, history.json: a few kilobytes to a few megabytes (a vocabulary). */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

const modelFileError = (message: string): Error => new ModelFileError(message);

/** A JSON file of a saved model or run, read as a regular file of bounded size. */
export async function readModelText(path: string): Promise<string> {
  const bytes = await readRegularFile(path, MAX_JSON_FILE_BYTES, modelFileError);
  return bytes.toString('utf8');
}
