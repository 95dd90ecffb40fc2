import type { ClassificationReport } from '../metrics/classification-report.js';
import { classReportHtml } from './class-report-html.js';
import type { Logs } from '../models/callbacks.js';
import type { EpochRecord } from '../models/sequential.js';
import { flagsUnusedBy } from './architectures.js';
import { chartGrid, escapeHtml, fmt, renderPage, type PageChart } from './report-page.js';

export const REPORT_FILE = 'report.html';

/** What a run report shows; every field comes from history.json and model.json. */
export interface ReportData {
  title: string;
  epochs: readonly EpochRecord[];
  test?: Logs;
  /** The per-class report and confusion matrix of the test split. */
  classReport?: ClassificationReport;
  /** The model's summary() table. */
  summary: string;
  flags: Record<string, unknown>;
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
          // Half an epoch of room at each end, so no point sits on an axis (a 1-epoch run).
          min: 0.5,
          max: epochs.length + 0.5,
          ticks: { stepSize: 1, integerOnly: true },
        },
        // Room above and below the data, so no point sits on the frame.
        y: { title: { display: true, text: key }, grace: '5%' },
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
    ...(earlyStop(data, best)
      ? ([
          [
            'early stopping',
            `fired after epoch ${data.epochs.length}; restored epoch ${best?.epoch}`,
          ],
        ] as [string, string][])
      : []),
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

/**
 * What the terminal said when early stopping fired, told from the files: a finished run (test
 * metrics present) with --early-stopping that ran fewer epochs than asked stopped early, and
 * EarlyStopping restored the best epoch (first lowest val_loss, as bestEpoch picks it).
 */
function earlyStop(data: ReportData, best: EpochRecord | null): string | null {
  const { earlyStopping: patience, epochs: planned } = data.flags;
  if (!data.test || !best || typeof patience !== 'number' || typeof planned !== 'number')
    return null;
  const ran = data.epochs.length;
  if (ran >= planned) return null;
  return `Early stopping fired after epoch ${ran} (no lower val_loss for ${patience} epochs) and restored the weights of epoch ${best.epoch}: the test metrics are that epoch's model.`;
}

/** The run's flags, without those its architecture does not read (units for a CNN). */
function shownFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const unused = typeof flags.architecture === 'string' ? flagsUnusedBy(flags.architecture) : [];
  return Object.fromEntries(Object.entries(flags).filter(([k]) => !unused.includes(k)));
}

/** A self-contained HTML page: no request leaves it (the CSP forbids any). */
export function renderReport(data: ReportData): string {
  const best = bestEpoch(data.epochs);
  const charts: PageChart[] = [
    { id: 'loss', config: curveChart('Loss', 'loss', data.epochs, best) },
    { id: 'accuracy', config: curveChart('Accuracy', 'accuracy', data.epochs, best) },
    { id: 'time', config: timeChart(data.epochs), wide: true },
  ];
  const last = data.epochs[data.epochs.length - 1];
  const notes = [
    !best
      ? 'Without validation data there is no best epoch to mark.'
      : best === last
        ? `The dashed line marks epoch ${best.epoch}, the lowest validation loss${data.epochs.length > 1 ? ' so far: it has not risen yet' : ' (one epoch: nothing to compare it with yet)'}.`
        : `The dashed line marks epoch ${best.epoch}, the lowest validation loss: after it the model overfits (training loss keeps falling, validation loss rises).`,
  ];
  const stopped = earlyStop(data, best);
  if (stopped) notes.push(stopped);
  const body = `${facts(data, best)}
<h2>Curves</h2>
${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
${chartGrid(charts)}
<h2>Epochs</h2>
${epochTable(data.epochs, best)}
${data.classReport ? classReportHtml(data.classReport) : ''}
<h2>Model</h2>
<pre>${escapeHtml(data.summary)}</pre>
<h2>Flags</h2>
${flagTable(shownFlags(data.flags))}`;
  return renderPage(data.title, body, charts);
}
