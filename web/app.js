/* global document, location, URL, URLSearchParams, window */
// The demo page: loads the wasm backend and a saved model (model.json, weights.safetensors,
// vocab.json), then predicts the typed review. window.gated exposes the same for tests.
import { loadSentimentModel, loadWasmBackend, predictSentiment, setBackend } from './dist/gated.js';

const status = document.getElementById('status');
const button = document.getElementById('predict');

async function start() {
  if (location.protocol === 'file:') {
    // Browsers do not let a page opened from disk fetch files or start wasm threads.
    throw new Error(
      'this page cannot load a model when opened from disk. Serve it instead: run ' +
        '"npx gated serve RUN_DIR" (RUN_DIR: a directory written by gated train) and open ' +
        'http://127.0.0.1:8080/',
    );
  }
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
  return { predict, variant: backend.variant, threads: backend.threads };
}

window.gated = start().catch((err) => {
  status.textContent = `Failed: ${err.message}`;
  throw err;
});
