import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logs } from '../models/callbacks.js';
import type { EpochRecord } from '../models/sequential.js';

export const REPORT_FILE = 'report.html';

/** What a run report shows; every field comes from history.json and model.json. */
export interface ReportData {
  title: string;
  epochs: readonly EpochRecord[];
  test?: Logs;
  /** The model's summary() table. */
  summary: string;
  flags: Record<string, unknown>;
}

let chartJs: string | null = null;

/** Chart.js's UMD build, inlined so the page opens from disk with no network. */
function chartJsSource(): string {
  if (chartJs === null) {
    // The package exports only its module builds; the UMD file sits beside them.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

/** The epoch (from 1) with the lowest val_loss: past it the model overfits. Null without validation. */
export function bestEpoch(epochs: readonly EpochRecord[]): EpochRecord | null {
  let best: EpochRecord | null = null;
  for (const e of epochs) {
    if (typeof e.val_loss === 'number' && (best === null || e.val_loss < best.val_loss)) best = e;
  }
  return best;
}

const COLORS = { train: '#1f77b4', val: '#ff7f0e', best: '#2ca02c' };

/** A Chart.js line chart of `key` and `val_<key>` per epoch, with the best epoch drawn as a vertical line. */
function curveChart(
  title: string,
  key: string,
  epochs: readonly EpochRecord[],
  best: EpochRecord | null,
): object {
  const series = (k: string) =>
    epochs.filter((e) => typeof e[k] === 'number').map((e) => ({ x: e.epoch, y: e[k] }));
  const datasets: object[] = [
    {
      label: `train ${key}`,
      data: series(key),
      borderColor: COLORS.train,
      backgroundColor: COLORS.train,
    },
    {
      label: `validation ${key}`,
      data: series(`val_${key}`),
      borderColor: COLORS.val,
      backgroundColor: COLORS.val,
    },
  ];
  const ys = epochs.flatMap((e) => [e[key], e[`val_${key}`]]).filter((v) => typeof v === 'number');
  if (best && ys.length > 0) {
    datasets.push({
      label: `best epoch ${best.epoch} (lowest val_loss)`,
      data: [
        { x: best.epoch, y: Math.min(...ys) },
        { x: best.epoch, y: Math.max(...ys) },
      ],
      borderColor: COLORS.best,
      backgroundColor: COLORS.best,
      borderDash: [6, 4],
      pointRadius: 0,
    });
  }
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title } },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: 'epoch' },
          ticks: { precision: 0 },
          min: 1,
        },
        y: { title: { display: true, text: key } },
      },
    },
  };
}

function timeChart(epochs: readonly EpochRecord[]): object {
  return {
    type: 'bar',
    data: {
      labels: epochs.map((e) => String(e.epoch)),
      datasets: [
        {
          label: 'seconds per epoch',
          data: epochs.map((e) => e.seconds),
          backgroundColor: '#9467bd',
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: 'Time per epoch' }, legend: { display: false } },
      scales: {
        x: { title: { display: true, text: 'epoch' } },
        y: { title: { display: true, text: 'seconds' } },
      },
    },
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : '–';

function epochTable(epochs: readonly EpochRecord[], best: EpochRecord | null): string {
  const keys = ['loss', 'accuracy', 'val_loss', 'val_accuracy'].filter((k) =>
    epochs.some((e) => k in e),
  );
  const head = ['epoch', ...keys, 'seconds'].map((k) => `<th>${k}</th>`).join('');
  const rows = epochs
    .map((e) => {
      const cls = e === best ? ' class="best"' : '';
      const cells = [e.epoch, ...keys.map((k) => e[k]), e.seconds]
        .map((v) => `<td>${fmt(v)}</td>`)
        .join('');
      return `<tr${cls}>${cells}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function flagTable(flags: Record<string, unknown>): string {
  const rows = Object.entries(flags)
    .map(
      ([k, v]) =>
        `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}</td></tr>`,
    )
    .join('\n');
  return `<table class="flags">${rows}</table>`;
}

function facts(data: ReportData, best: EpochRecord | null): string {
  const total = data.epochs.reduce((s, e) => s + e.seconds, 0);
  const items: [string, string][] = [
    ['epochs run', String(data.epochs.length)],
    [
      'best epoch (lowest val_loss)',
      best
        ? `${best.epoch}: val_loss ${fmt(best.val_loss)}, val_accuracy ${fmt(best.val_accuracy)}`
        : 'no validation data',
    ],
    [
      'test',
      data.test
        ? `loss ${fmt(data.test.loss)}, accuracy ${fmt(data.test.accuracy)}`
        : 'not evaluated yet',
    ],
    [
      'training time',
      `${total.toFixed(1)} s (${(total / Math.max(1, data.epochs.length)).toFixed(1)} s per epoch)`,
    ],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } dt { font-weight: 600; } dd { margin: 0; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.chart { position: relative; height: 300px; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
.chart.wide { grid-column: 1 / 3; height: 200px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
table.flags th, table.flags td { text-align: left; }
tr.best td { background: #e6f4e6; font-weight: 600; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; line-height: 1.15; }
.note { color: #555; }`;

/** A self-contained HTML page: no request leaves it (the CSP forbids any). */
export function renderReport(data: ReportData): string {
  const best = bestEpoch(data.epochs);
  const charts = [
    { id: 'loss', config: curveChart('Loss', 'loss', data.epochs, best) },
    { id: 'accuracy', config: curveChart('Accuracy', 'accuracy', data.epochs, best) },
    { id: 'time', config: timeChart(data.epochs) },
  ];
  const note = best
    ? `The dashed line marks epoch ${best.epoch}, the lowest validation loss: after it the model overfits (training loss keeps falling, validation loss rises).`
    : 'Without validation data there is no best epoch to mark.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
${facts(data, best)}
<h2>Curves</h2>
<p class="note">${escapeHtml(note)}</p>
<div class="charts">
<div class="chart"><canvas id="loss"></canvas></div>
<div class="chart"><canvas id="accuracy"></canvas></div>
<div class="chart wide"><canvas id="time"></canvas></div>
</div>
<h2>Epochs</h2>
${epochTable(data.epochs, best)}
<h2>Model</h2>
<pre>${escapeHtml(data.summary)}</pre>
<h2>Flags</h2>
${flagTable(data.flags)}
<script>${chartJsSource()}</script>
<script>
for (const c of ${scriptJson(charts)}) new Chart(document.getElementById(c.id), c.config);
</script>
</body>
</html>
`;
}
