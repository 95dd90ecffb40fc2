/**
 * The per-class section of report.html: precision, recall, F1 and support per class, and the
 * confusion matrix as a heatmap (each cell shaded by its share of the true class's row, so a
 * small class's errors show as clearly as a large one's).
 */
import type { ClassificationReport } from '../metrics/classification-report.js';
import { escapeHtml } from './report-page.js';

const f4 = (x: number): string => x.toFixed(4);

export function classReportHtml(r: ClassificationReport): string {
  const metricRow = (name: string, m: ClassificationReport['macroAvg']): string =>
    `<tr><th>${escapeHtml(name)}</th><td>${f4(m.precision)}</td><td>${f4(m.recall)}</td><td>${f4(m.f1)}</td><td>${m.support}</td></tr>`;
  const table = `<table><thead><tr><th></th><th>precision</th><th>recall</th><th>f1-score</th><th>support</th></tr></thead><tbody>
${r.classNames.map((name, c) => metricRow(name, r.perClass[c])).join('\n')}
<tr><th>accuracy</th><td></td><td></td><td>${f4(r.accuracy)}</td><td>${r.macroAvg.support}</td></tr>
${metricRow('macro avg', r.macroAvg)}
${metricRow('weighted avg', r.weightedAvg)}
</tbody></table>`;
  if (!r.confusion) return `<h2>Per class (test split)</h2>\n${table}`;
  const head = r.classNames.map((n) => `<th>${escapeHtml(n)}</th>`).join('');
  const rows = r.confusion
    .map((row, t) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const cells = row
        .map((v, p) => {
          const share = v / total;
          const colour = t === p ? '34, 139, 34' : '200, 40, 40';
          const text = share > 0.5 ? '#fff' : 'inherit';
          return `<td style="background: rgba(${colour}, ${share.toFixed(3)}); color: ${text}" title="${escapeHtml(`${r.classNames[t]} → ${r.classNames[p]}: ${v} (${(100 * share).toFixed(1)}% of the row)`)}">${v}</td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(r.classNames[t])}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<h2>Per class (test split)</h2>
${table}
<h2>Confusion matrix</h2>
<p class="note">Rows: true class; columns: predicted class. Shading: the share of the row (green on the diagonal, red off it).</p>
<table class="confusion"><thead><tr><th>true \\ predicted</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>`;
}
