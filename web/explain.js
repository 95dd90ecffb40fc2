/* global document, window */
// Under the predictions, the picked model's facts and the explanation of the review: the same
// view as `gated explain`'s explain.html, computed here on the wasm backend, redrawn whenever
// the text is predicted or another model is picked. Example reviews are one click away.
// window.gatedExplain exposes explain() for tests.
import { Chart, EXPLANATION_STYLE, renderExplanation } from './dist/gated.js';
import { explainEntry } from './models.js';

const EXAMPLES = [
  'not bad at all',
  'I wanted to love it, but the story was dull and the acting was even worse.',
  'Not the worst film I have seen, but far from good.',
  'The first hour is slow. Then it turns into one of the best thrillers in years.',
  'A wonderful film, I loved every minute of it.',
];

const style = document.createElement('style');
style.textContent = `${EXPLANATION_STYLE}
#examples button { margin: 0 4px 4px 0; font: inherit; font-size: 14px; }
#explanation { margin-top: 1rem; } #explanation h2 { font-size: 1.1rem; margin-top: 1.5rem; }
#facts { margin-top: 1rem; }
@media (max-width: 700px) { body { margin: 1rem; } }`;
document.head.append(style);

/** How the model reads text: its vectorizer, or ids typed by hand. */
function vocabularyFact(model) {
  const v = model.vectorizer;
  if (!v) return 'none: type token ids';
  const ids = v.vocabularySize.toLocaleString('en');
  return v.fileName === 'vocab.json'
    ? `${ids} ids (the most frequent words)`
    : `${ids} ids (TextVectorization)`;
}

/** Architecture, size, vocabulary and (if the run has history.json) test accuracy. */
function modelFacts(entry, g) {
  const { model } = entry;
  const params = model.params().reduce((n, p) => n + p.value.size, 0);
  const layers = model.layers.map((l) => {
    const width = l.units ?? l.filters ?? l.forwardLayer?.units;
    return width === undefined ? l.className : `${l.className}(${width})`;
  });
  const facts = [
    ['model', `${entry.name} (${entry.source})`],
    ['architecture', layers.join(' → ')],
    ['parameters', params.toLocaleString('en')],
    ['vocabulary', vocabularyFact(model)],
    ['review length', `${model.inputShape[0]} tokens`],
    ['computed by', `${g.variant}, ${g.threads} thread(s), in this page`],
  ];
  const accuracy = entry.history?.test?.accuracy;
  if (typeof accuracy === 'number') facts.push(['test accuracy', accuracy.toFixed(4)]);
  return facts;
}

function showFacts(entry, g) {
  const box = document.getElementById('facts');
  box.replaceChildren();
  for (const [term, value] of modelFacts(entry, g)) {
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = value;
    box.append(dt, dd);
  }
}

async function start() {
  const g = await window.gated;
  const review = document.getElementById('review');
  const target = document.getElementById('explanation');
  const examples = document.getElementById('examples');
  for (const text of EXAMPLES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text.length > 40 ? `${text.slice(0, 37)}…` : text;
    button.title = text;
    button.addEventListener('click', () => {
      review.value = text;
      g.update();
    });
    examples.append(button);
  }
  g.onUpdate((entry, text) => {
    showFacts(entry, g);
    try {
      renderExplanation(target, explainEntry(entry, text), Chart);
    } catch (err) {
      target.textContent = `No explanation: ${err.message}`;
    }
  });
  const entryNamed = (name) =>
    name === undefined ? g.selected() : g.entries.find((e) => e.name === name);
  return { explain: (text, name) => explainEntry(entryNamed(name), text) };
}

// A page whose models all failed to load says so in #status (app.js); nothing to explain then.
window.gatedExplain = start().catch(() => null);
