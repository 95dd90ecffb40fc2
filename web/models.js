/* global fetch, location, URL, URLSearchParams */
// Which models the page shows, and how it loads, feeds and describes each. The list comes from
// ?model=URL (repeatable, one model directory each), else from models.json beside the page
// (written by `gated serve DIR...`: each model's name, URL and files), else model/.
import {
  classScores,
  explainText,
  explain,
  IMDB_SENTIMENT_LABELS,
  loadModelUrl,
  padSequences,
  Tensor,
} from './dist/gated.js';

/** The name a URL gives its model: the last folder of its path (runs/compare/gru/ → gru). */
function nameOf(url) {
  const last = url.pathname.split('/').filter(Boolean).at(-1) ?? 'model';
  try {
    return decodeURIComponent(last);
  } catch {
    return last; // a malformed %-escape: the name as written
  }
}

/** `name`, or `name-2`, `name-3`… if taken: the picker must tell models apart. */
export function freeName(name, taken) {
  let free = name;
  for (let n = 2; taken.has(free); n++) free = `${name}-${n}`;
  return free;
}

function uniqueNames(sources) {
  const taken = new Set();
  return sources.map((s) => {
    const name = freeName(s.name, taken);
    taken.add(name);
    return { ...s, name };
  });
}

/** models.json as [{ name, url, files }], every field checked (it is read from the network). */
function manifestSources(json) {
  const list = json?.models;
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('models.json: "models" must be a non-empty list');
  return list.map((m, i) => {
    const ok =
      typeof m?.name === 'string' &&
      m.name !== '' &&
      typeof m.url === 'string' &&
      (m.files === undefined ||
        (Array.isArray(m.files) && m.files.every((f) => typeof f === 'string')));
    if (!ok) throw new Error(`models.json: model ${i} needs a name, a url and a list of files`);
    return { name: m.name, url: new URL(m.url, location.href), files: m.files };
  });
}

/** The models the page was given, in order: [{ name, url, files? }]. */
export async function modelSources() {
  const given = new URLSearchParams(location.search).getAll('model');
  if (given.length > 0) {
    return uniqueNames(
      given.map((u) => {
        const url = new URL(u, location.href);
        return { name: nameOf(url), url };
      }),
    );
  }
  const response = await fetch('models.json').catch(() => null);
  if (response?.ok) return uniqueNames(manifestSources(await response.json()));
  return [{ name: 'model', url: new URL('model/', location.href) }];
}

/**
 * One model of the page: { name, source, model, labels, history } once loaded, or { name,
 * source, error } when it could not load (the page says why and keeps the others).
 */
export async function loadEntry(source, backend) {
  const { name, url, files } = source;
  try {
    const model = await loadModelUrl(url, backend, files);
    const base = url.href.endsWith('/') ? url : new URL(`${url.href}/`);
    const history =
      files === undefined || files.includes('history.json')
        ? await fetch(new URL('history.json', base))
            .then((r) => (r.ok ? r.json() : null))
            .catch(() => null)
        : null;
    return { name, source: url.href, ...modelEntry(model), history };
  } catch (err) {
    return { name, source: url.href, error: err.message };
  }
}

/** The parts of an entry a model gives (a loaded directory or an imported .keras file). */
export function modelEntry(model) {
  const labels =
    model.labels ?? (model.vectorizer?.fileName === 'vocab.json' ? IMDB_SENTIMENT_LABELS : null);
  return { model, labels, error: null };
}

/** Token ids typed into the box, for a model without a vectorizer ("3 7 1 19" or "3, 7, 1"). */
function typedIds(text) {
  const parts = text
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (parts.length === 0 || !parts.every((p) => /^\d+$/.test(p)))
    throw new Error('this model has no vocabulary: type token ids, e.g. 3 7 1 19');
  return parts.map(Number);
}

/** The model's outputs for the text (its vectorizer's ids, or the ids typed). */
export function predictEntry(entry, text) {
  const { model } = entry;
  const maxlen = model.inputShape[0];
  const ids = model.vectorizer
    ? model.vectorizer.encode([text])
    : padSequences([checkIds(model, typedIds(text))], maxlen);
  return Array.from(model.predict(new Tensor(Float32Array.from(ids), [1, maxlen])).data);
}

/** Ids beyond the embedding are an error naming them, not a failed kernel call. */
function checkIds(model, ids) {
  const limit = model.layers[0].inputDim;
  const bad = ids.find((id) => id >= limit);
  if (bad !== undefined) throw new Error(`id ${bad} is outside the model's 0…${limit - 1}`);
  return ids;
}

/** explain() of the text for this model (see explainText; typed ids without a vectorizer). */
export function explainEntry(entry, text) {
  const { model } = entry;
  return model.vectorizer
    ? explainText(model, text)
    : explain(model, checkIds(model, typedIds(text)));
}

/** The prediction in words: "positive (P(positive) = 0.9312)". */
export function describeOutput(entry, values) {
  const p = (v) => v.toFixed(4);
  if (entry.labels) {
    const [top] = classScores(entry.labels, values);
    const { classNames, task } = entry.labels;
    return task === 'binary'
      ? `${top.label} (P(${classNames[1]}) = ${p(values[0])})`
      : `${top.label} (P = ${p(top.probability)})`;
  }
  if (values.length === 1) return `output ${p(values[0])}`;
  const best = values.indexOf(Math.max(...values));
  return `class ${best} (output ${p(values[best])})`;
}
