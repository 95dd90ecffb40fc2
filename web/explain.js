/* global document, fetch, URL, window */
// Under the prediction, the explanation of the review: the same view as `gated explain`'s
// explain.html, computed here on the wasm backend. Example reviews are one click away.
// window.gatedExplain exposes explain() for tests.
import { Chart, EXPLANATION_STYLE, explain, renderExplanation } from './dist/gated.js';

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

/** Architecture, size, vocabulary and (if the run has history.json) test accuracy. */
async function modelFacts(g) {
  const { model, vocabulary } = g;
  const params = model.params().reduce((n, p) => n + p.value.size, 0);
  const layers = model.layers.map((l) => {
    const width = l.units ?? l.filters ?? l.forwardLayer?.units;
    return width === undefined ? l.className : `${l.className}(${width})`;
  });
  const facts = [
    ['architecture', layers.join(' → ')],
    ['parameters', params.toLocaleString('en')],
    ['vocabulary', `${vocabulary.numWords.toLocaleString('en')} ids (the most frequent words)`],
    ['review length', `${model.inputShape[0]} tokens (longer reviews keep their end)`],
    ['computed by', `${g.variant}, ${g.threads} thread(s), in this page`],
  ];
  const base = g.modelUrl.href.endsWith('/') ? g.modelUrl : new URL(`${g.modelUrl.href}/`);
  const history = await fetch(new URL('history.json', base))
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  const accuracy = history?.test?.accuracy;
  if (typeof accuracy === 'number') facts.push(['test accuracy', accuracy.toFixed(4)]);
  return facts;
}

async function start() {
  const g = await window.gated;
  const box = document.getElementById('facts');
  for (const [term, value] of await modelFacts(g)) {
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = value;
    box.append(dt, dd);
  }
  const review = document.getElementById('review');
  const target = document.getElementById('explanation');
  const run = (text) => explain(g.model, text, { vocabulary: g.vocabulary });
  const show = () => renderExplanation(target, run(review.value), Chart);
  const examples = document.getElementById('examples');
  for (const text of EXAMPLES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text.length > 40 ? `${text.slice(0, 37)}…` : text;
    button.title = text;
    button.addEventListener('click', () => {
      review.value = text;
      document.getElementById('predict').click();
      show();
    });
    examples.append(button);
  }
  document.getElementById('predict').addEventListener('click', show);
  show();
  return { explain: run };
}

// A model that fails to load is reported by app.js in #status; nothing to explain then.
window.gatedExplain = start().catch(() => null);
