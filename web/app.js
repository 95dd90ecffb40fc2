/* global document, window */
// The demo page: loads the wasm backend and every model it was given (models.js), predicts the
// typed review with each, side by side, and lets the reader pick the model whose explanation
// explain.js draws. A .keras file from disk joins the list, imported in this page by
// dist/gated-keras.js (loaded only then: it carries the 4 MB HDF5 library). A model that fails
// to load keeps its row with the reason; the others work. window.gated exposes it for tests.
import { loadWasmBackend, setBackend } from './dist/gated.js';
import {
  describeOutput,
  freeName,
  loadEntry,
  modelEntry,
  modelSources,
  predictEntry,
} from './models.js';

const status = document.getElementById('status');
const button = document.getElementById('predict');
const review = document.getElementById('review');
const list = document.getElementById('models');

/** A span of text in a model's row (class 'error' for a reason it cannot predict). */
function said(text, className = 'said') {
  const span = document.createElement('span');
  span.textContent = text;
  span.className = className;
  return span;
}

async function start() {
  const backend = setBackend(await loadWasmBackend());
  const entries = await Promise.all((await modelSources()).map((s) => loadEntry(s, backend)));
  let selected = entries.find((e) => !e.error) ?? null;
  const listeners = [];

  /** One row per model: its name (the picker) and its prediction; the picked one is marked. */
  const update = () => {
    const text = review.value;
    list.replaceChildren();
    for (const entry of entries) {
      const row = document.createElement('div');
      row.className = entry === selected ? 'model picked' : 'model';
      const pick = document.createElement('button');
      pick.type = 'button';
      pick.textContent = entry.name;
      pick.title = entry.source;
      pick.disabled = Boolean(entry.error);
      pick.setAttribute('aria-pressed', String(entry === selected));
      pick.addEventListener('click', () => select(entry.name));
      row.append(pick);
      list.append(row);
      if (entry.error) {
        row.append(said(`could not load: ${entry.error}`, 'error'));
        continue;
      }
      let line;
      try {
        line = said(describeOutput(entry, predictEntry(entry, text)));
      } catch (err) {
        line = said(err.message, 'error');
      }
      row.append(line);
      if (entry === selected) document.getElementById('result').textContent = line.textContent;
    }
    if (selected) for (const listener of listeners) listener(selected, text);
  };

  const select = (name) => {
    const entry = entries.find((e) => e.name === name && !e.error);
    if (!entry) throw new Error(`no loaded model named ${name}`);
    selected = entry;
    update();
    return entry;
  };

  /** Imports a .keras file's bytes as one more model of the page and picks it. */
  const importKeras = async (bytes, fileName) => {
    const { importKerasBytes } = await import('./dist/gated-keras.js');
    const { model, kerasVersion } = await importKerasBytes(bytes, fileName, backend);
    const name = freeName(fileName, new Set(entries.map((e) => e.name)));
    entries.push({
      name,
      source: `${fileName} (Keras ${kerasVersion ?? 'unknown version'})`,
      ...modelEntry(model),
      history: null,
    });
    button.disabled = false;
    return select(name);
  };

  document.getElementById('keras-file').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    if (!file) return;
    status.textContent = `Importing ${file.name}…`;
    try {
      await importKeras(new Uint8Array(await file.arrayBuffer()), file.name);
      status.textContent = `Imported ${file.name}.`;
    } catch (err) {
      status.textContent = `Could not import ${file.name}: ${err.message}`;
    }
    event.target.value = '';
  });

  const loaded = entries.filter((e) => !e.error).length;
  status.textContent =
    loaded === 0
      ? `No model could be loaded (${entries.map((e) => `${e.name}: ${e.error}`).join('; ')}).`
      : `${loaded} of ${entries.length} model(s) loaded: ${backend.variant}, ${backend.threads} thread(s).`;
  button.disabled = loaded === 0;
  button.addEventListener('click', update);
  update();
  return {
    entries,
    variant: backend.variant,
    threads: backend.threads,
    selected: () => selected,
    select,
    importKeras,
    /** Runs after every prediction or pick with (entry, text): explain.js draws then. */
    onUpdate: (listener) => {
      listeners.push(listener);
      if (selected) listener(selected, review.value);
    },
    update,
    /** Every loaded model's outputs for the text by name (or why it cannot read the text). */
    predictions: (text) =>
      Object.fromEntries(
        entries
          .filter((e) => !e.error)
          .map((e) => {
            try {
              return [e.name, predictEntry(e, text)];
            } catch (err) {
              return [e.name, err.message];
            }
          }),
      ),
    /** The picked model's first output for each text (P(positive) for a sentiment model). */
    predict: (texts) => texts.map((t) => predictEntry(selected, t)[0]),
  };
}

window.gated = start().catch((err) => {
  status.textContent = `Failed: ${err.message}`;
  throw err;
});
