// gated in a web page: the browser bundle's entry (web/build.mjs). Everything here runs without
// Node: models are fetched over HTTP, the wasm kernels are loaded with fetch and Web Workers.
import type { Backend } from '../backend/backend.js';
import { buildModel, parseModelJson, setWeights } from '../io/model-json.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { padSequences } from '../text/pad.js';
import { Vocabulary } from '../text/vocabulary.js';
import { TextClassifier } from '../classify/text-classifier.js';
import { LABELS_FILE, labelsFromJSON } from '../classify/task.js';
import { VECTORIZER_FILE, VOCAB_FILE, vectorizerFromJSON } from '../text/vectorizer.js';

export { loadWasmBackend, type WebWasmOptions } from '../backend/wasm/load-web.js';
export type { WasmBackend } from '../backend/wasm/backend.js';
export { createReferenceBackend } from '../backend/reference/index.js';
export { getBackend, setBackend } from './registry.js';
export { Sequential } from '../models/sequential.js';
export { Tensor } from '../tensor/tensor.js';
export { Vocabulary } from '../text/vocabulary.js';
export { tokenize } from '../text/tokenize.js';
export { padSequences } from '../text/pad.js';
export { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
export * from '../explain/index.js';
// The explanation view of explain.html, and the Chart.js it draws with, for the demo page.
export { renderExplanation, EXPLANATION_STYLE } from '../experiments/explain-view.js';
export { Chart } from 'chart.js/auto';
export { TextClassifier, type TextPrediction } from '../classify/text-classifier.js';
export { classScores, IMDB_SENTIMENT_LABELS } from '../classify/task.js';
export { TextVectorization, textTokens } from '../text/text-vectorization.js';

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** A saved model directory served over HTTP: model.json, weights.safetensors, vocab.json. */
export async function loadSentimentModel(
  baseUrl: string | URL,
  backend?: Backend,
): Promise<{ model: Sequential; vocabulary: Vocabulary }> {
  const base = new URL(baseUrl, location.href);
  const at = (name: string) => new URL(name, base.href.endsWith('/') ? base : `${base.href}/`);
  const [modelText, weights, vocab] = await Promise.all([
    fetchOk(at('model.json')).then((r) => r.text()),
    fetchOk(at('weights.safetensors')).then((r) => r.arrayBuffer()),
    fetchOk(at('vocab.json')).then((r) => r.json()),
  ]);
  const model = buildModel(parseModelJson(modelText, 'model.json'), 'model.json', backend);
  setWeights(model, new Uint8Array(weights), 'weights.safetensors');
  return { model, vocabulary: Vocabulary.fromJSON(vocab) };
}

/** P(positive) for each review: encoded with the saved vocabulary and padded like training. */
export function predictSentiment(
  model: Sequential,
  vocabulary: Vocabulary,
  texts: readonly string[],
): number[] {
  const maxlen = model.inputShape[0];
  const ids = padSequences(
    texts.map((t) => vocabulary.encode(t)),
    maxlen,
  );
  const x = new Tensor(model.backend.alloc(ids.length), [texts.length, maxlen]);
  x.data.set(ids);
  return Array.from(model.predict(x).data);
}

/**
 * A saved model directory served over HTTP: model.json and weights.safetensors, with its
 * vectorizer (vectorizer.json, or vocab.json for an IMDB word-index model) and labels.json when
 * the directory has them. `files` names the directory's files when the server lists them (the
 * models.json of `gated serve`): then nothing else is asked for; without it a 404 means absent.
 */
export async function loadModelUrl(
  baseUrl: string | URL,
  backend?: Backend,
  files?: readonly string[],
): Promise<Sequential> {
  const base = new URL(baseUrl, location.href);
  const at = (name: string) => new URL(name, base.href.endsWith('/') ? base : `${base.href}/`);
  const optionalJson = async (name: string): Promise<unknown> => {
    if (files !== undefined && !files.includes(name)) return undefined;
    const response = await fetch(at(name));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`${at(name)}: HTTP ${response.status}`);
    return response.json();
  };
  const [modelText, weights, vectorizerJson, labelsJson] = await Promise.all([
    fetchOk(at('model.json')).then((r) => r.text()),
    fetchOk(at('weights.safetensors')).then((r) => r.arrayBuffer()),
    optionalJson(VECTORIZER_FILE),
    optionalJson(LABELS_FILE),
  ]);
  const model = buildModel(parseModelJson(modelText, 'model.json'), 'model.json', backend);
  setWeights(model, new Uint8Array(weights), 'weights.safetensors');
  const [file, json] =
    vectorizerJson !== undefined
      ? [VECTORIZER_FILE, vectorizerJson]
      : [VOCAB_FILE, await optionalJson(VOCAB_FILE)];
  if (json !== undefined) model.vectorizer = vectorizerFromJSON(file, json, model.inputShape[0]);
  if (labelsJson !== undefined) model.labels = labelsFromJSON(labelsJson);
  return model;
}

/**
 * A saved model directory served over HTTP as a TextClassifier (loadModelUrl; the directory must
 * have a vectorizer, and labels.json unless it is an IMDB word-index model).
 */
export async function loadTextClassifier(
  baseUrl: string | URL,
  backend?: Backend,
): Promise<TextClassifier> {
  const model = await loadModelUrl(baseUrl, backend);
  return new TextClassifier(model, new URL(baseUrl, location.href).href);
}
