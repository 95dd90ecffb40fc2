import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { FlowSeries, GradientStudy } from './gradients-study.js';
import {
  chartGrid,
  colour,
  escapeHtml,
  htmlTable,
  renderPage,
  type PageChart,
} from './report-page.js';

/** A log axis cannot show 0, NaN or ∞: those points become gaps. */
const loggable = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null);
const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/**
 * A log axis from a power of ten below the data to one above it, labelled at every k-th decade
 * (at most ~12 labels; the page's script reads ticks.decadeStep), so no point is above the top
 * label and the labels are evenly spaced.
 */
function logAxis(datasets: readonly object[]): object {
  const values = datasets
    .flatMap((d) => (d as { data: { y: number | null }[] }).data.map((p) => p.y))
    .filter((v): v is number => v !== null && v > 0);
  if (values.length === 0) return { type: 'logarithmic' };
  const [lo, hi] = [Math.log10(Math.min(...values)), Math.log10(Math.max(...values))];
  const step = Math.max(1, Math.ceil((Math.ceil(hi) - Math.floor(lo)) / 12));
  const min = Math.floor(Math.floor(lo) / step) * step;
  const max = Math.max(Math.ceil(Math.ceil(hi) / step) * step, min + step);
  return {
    type: 'logarithmic',
    min: 10 ** min,
    max: 10 ** max,
    ticks: { autoSkip: false, decadeStep: step },
  };
}

/** Line chart options; with `logOf`, a log y axis fitted to those datasets. */
const options = (
  title: string,
  xTitle: string,
  yTitle: string,
  logOf: readonly object[] | null,
): object => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { title: { display: true, text: title } },
  scales: {
    x: { type: 'linear', title: { display: true, text: xTitle } },
    y: { ...(logOf ? logAxis(logOf) : {}), title: { display: true, text: yTitle } },
  },
});

/** Every chart over time runs the same way: x is the distance from the last step. */
const DISTANCE = 'distance from the last step (T − t)';

/** Line styles per phase: one colour per model, solid at init, dashed once trained. */
const DASHES: Record<string, number[]> = { init: [], trained: [6, 3], 'trained-clipnorm': [2, 3] };

const dataset = (
  label: string,
  i: number,
  data: { x: number; y: number | null }[],
  phase = 'init',
): object => ({
  label,
  data,
  borderColor: colour(i),
  backgroundColor: colour(i),
  pointRadius: 0,
  borderWidth: 1.5,
  borderDash: DASHES[phase] ?? [],
});

/** The colour index of each model, in order of first appearance. */
function modelColours(series: readonly FlowSeries[]): (model: string) => number {
  const models = [...new Set(series.map((s) => s.model))];
  return (model) => models.indexOf(model);
}

/** Norms against the distance from the last step, T − t: 0 is the step next to the loss. */
function byDistance(series: readonly FlowSeries[], key: 'stateNorms' | 'inputNorms'): object[] {
  const colourOf = modelColours(series);
  return series.map((s) => {
    const T = s[key].length;
    const points = s[key].map((v, t) => ({ x: T - 1 - t, y: loggable(v) }));
    return dataset(`${s.model} ${s.phase}`, colourOf(s.model), points, s.phase);
  });
}

/**
 * How each gate is drawn: the LSTM input gate as a wide pale band under the others, because at
 * initialisation it and the GRU update gate are both 0.5 at every step and one line would hide
 * the other; `order` 0 is drawn on top.
 */
const GATES: { model: string; gate: string; width: number; alpha: string; order: number }[] = [
  { model: 'lstm', gate: 'forget', width: 1.5, alpha: '', order: 1 },
  { model: 'lstm', gate: 'input', width: 7, alpha: '55', order: 2 },
  { model: 'gru', gate: 'update', width: 1.5, alpha: '', order: 0 },
];

/** LSTM forget and input gates and the GRU update gate (its "keep" gate), per step. */
function gateDatasets(series: readonly FlowSeries[]): object[] {
  return series.flatMap((s) =>
    GATES.filter(({ model, gate }) => s.model === model && s.gateMeans[gate]).map((g) => {
      const values = s.gateMeans[g.gate];
      const base = dataset(
        `${s.model} ${g.gate} gate, ${s.phase}`,
        GATES.indexOf(g),
        values.map((v, t) => ({ x: values.length - 1 - t, y: v })),
        s.phase,
      ) as { borderColor: string };
      const colour = base.borderColor + g.alpha;
      return {
        ...base,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: g.width,
        order: g.order,
      };
    }),
  );
}

function trainingDatasets(
  study: GradientStudy,
  key: 'loss' | 'gradNorm' | 'updateNorm',
  log: boolean,
): object[] {
  return study.training
    .filter((t) => !['rnn', 'lstm', 'gru'].includes(t.model))
    .map((t, i) =>
      dataset(
        `${t.model} ${t.clipnorm === null ? 'no clipping' : `clipnorm ${t.clipnorm}`}`,
        i,
        t.steps.map((s, b) => ({ x: b + 1, y: log ? loggable(s[key]) : s[key] })),
      ),
    );
}

/** gradients.html: the norm curves, the gate means and the exploding case, self-contained. */
export function renderGradientsPage(study: GradientStudy): string {
  const s = study.settings;
  const stateNorms = byDistance(study.series, 'stateNorms');
  const inputNorms = byDistance(study.series, 'inputNorms');
  const explodeNorms = [
    ...trainingDatasets(study, 'gradNorm', true).map((d) => ({
      ...d,
      label: `‖g‖ ${(d as { label: string }).label}`,
    })),
    ...trainingDatasets(study, 'updateNorm', true).map((d) => ({
      ...d,
      label: `‖Δθ‖ ${(d as { label: string }).label}`,
      borderDash: [6, 3],
    })),
  ];
  const charts: PageChart[] = [
    {
      id: 'state-norms',
      wide: true,
      height: 420,
      config: {
        type: 'line',
        data: { datasets: stateNorms },
        options: options('‖∂L/∂h_t‖ (log scale)', DISTANCE, '‖∂L/∂h_t‖', stateNorms),
      },
    },
    {
      id: 'input-norms',
      wide: true,
      height: 420,
      config: {
        type: 'line',
        data: { datasets: inputNorms },
        options: options(
          '‖∂L/∂e_t‖, the embeddings (log scale)',
          DISTANCE,
          '‖∂L/∂e_t‖',
          inputNorms,
        ),
      },
    },
    {
      id: 'gates',
      wide: true,
      height: 360,
      config: {
        type: 'line',
        data: { datasets: gateDatasets(study.series) },
        options: options('Mean gate activation per step', DISTANCE, 'mean activation', null),
      },
    },
    {
      id: 'explode-loss',
      config: {
        type: 'line',
        data: { datasets: trainingDatasets(study, 'loss', false) },
        options: options(
          `Exploding case: training loss (${s.explodeOptimizer}, lr ${s.explodeLearningRate})`,
          'batch',
          'loss',
          null,
        ),
      },
    },
    {
      id: 'explode-norms',
      config: {
        type: 'line',
        data: { datasets: explodeNorms },
        options: options(
          'Exploding case: gradient norm ‖g‖ and step ‖Δθ‖ (log scale)',
          'batch',
          'norm',
          explodeNorms,
        ),
      },
    },
  ];
  const rows = study.series.map((f) => [
    f.model,
    f.phase,
    f.loss.toFixed(4),
    sci(f.stateNorms[f.stateNorms.length - 1]),
    sci(f.stateNorms[0]),
    sci(f.ratio),
  ]);
  const body = `<p class="note">${escapeHtml(
    `${study.samples.count} reviews (${study.samples.note}); T = ${s.maxlen}, ${s.units} units, embedding ${s.embeddingDim}; ` +
      `trained for ${s.trainBatches} batches of ${s.batchSize} (${s.optimizer}, lr ${s.learningRate}); exploding case: recurrent kernel × ${s.recurrentScale}, ` +
      `${s.explodeOptimizer} lr ${s.explodeLearningRate}, with and without clipnorm ${s.clipnorm}; backend ${s.backend}.`,
  )}</p>
${htmlTable(
  ['model', 'phase', 'loss', '‖∂L/∂h_T‖', '‖∂L/∂h_1‖', 'ratio ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖'],
  rows.map((r) => r.map(escapeHtml)),
)}
${chartGrid(charts)}`;
  return renderPage('gated gradients: how the gradient flows back through time', body, charts);
}

export const GRADIENTS_JSON = 'gradients.json';
export const GRADIENTS_HTML = 'gradients.html';

/** Writes gradients.json and gradients.html into `dir`; returns their paths. */
export async function writeGradientFiles(dir: string, study: GradientStudy): Promise<string[]> {
  const paths = [join(dir, GRADIENTS_JSON), join(dir, GRADIENTS_HTML)];
  await writeFileAtomic(paths[0], JSON.stringify(study, null, 2) + '\n');
  await writeFileAtomic(paths[1], renderGradientsPage(study));
  return paths;
}
