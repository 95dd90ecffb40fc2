/* global document, location, URL, URLSearchParams, window */
// The demo page: loads the wasm backend and a saved model (model.json, weights.safetensors,
// vocab.json), then predicts the typed review. window.gated exposes the same for tests.
import { loadSentimentModel, loadWasmBackend, predictSentiment, setBackend } from './dist/gated.js';

const status = document.getElementById('status');
const button = document.getElementById('predict');

async function start() {
  const backend = setBackend(await loadWasmBackend());
  const modelUrl = new URL(
    new URLSearchParams(location.search).get('model') ?? 'model/',
    location.href,
  );
  const { model, vocabulary } = await loadSentimentModel(modelUrl, backend);
  const predict = (texts) => predictSentiment(model, vocabulary, texts);
  status.textContent = `Model loaded: ${backend.variant}, ${backend.threads} thread(s).`;
  button.disabled = false;
  button.addEventListener('click', () => {
    const [p] = predict([document.getElementById('review').value]);
    document.getElementById('result').textContent =
      `${p >= 0.5 ? 'positive' : 'negative'} (P(positive) = ${p.toFixed(4)})`;
  });
  return {
    predict,
    variant: backend.variant,
    threads: backend.threads,
    model,
    vocabulary,
    modelUrl,
  };
}

window.gated = start().catch((err) => {
  status.textContent = `Failed: ${err.message}`;
  throw err;
});
