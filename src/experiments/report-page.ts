import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One Chart.js chart of a page: a canvas with this id, configured by plain JSON. */
export interface PageChart {
  id: string;
  config: object;
  /** Spans both columns of the chart grid. */
  wide?: boolean;
  /** Height in CSS pixels, when the default (300, or 200 when wide) is too small. */
  height?: number;
}

/** Line and bar colours of pages with many series (category10). */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
export const colour = (i: number): string => PALETTE[i % PALETTE.length];

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

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** A number as the pages print it: integers as they are, others to 4 decimals; '–' if absent. */
export const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : '–';

/** The grid of canvases the charts are drawn into. */
export function chartGrid(charts: readonly PageChart[]): string {
  const divs = charts.map(
    (c) =>
      `<div class="chart${c.wide ? ' wide' : ''}"${c.height ? ` style="height: ${c.height}px"` : ''}><canvas id="${c.id}"></canvas></div>`,
  );
  return `<div class="charts">\n${divs.join('\n')}\n</div>`;
}

/** A table of already-escaped cells; `highlight` rows get class "best". */
export function htmlTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  highlight: (row: number) => boolean = () => false,
): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = highlight(i) ? ' class="best"' : '';
      return `<tr${cls}>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
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
.note { color: #555; }
@media (max-width: 700px) { body { margin: 12px auto; } .charts { grid-template-columns: 1fr; } .chart.wide { grid-column: auto; } }`;

/**
 * A self-contained HTML page: Chart.js inlined and a CSP that forbids any request, so it opens
 * from disk with no network. `body` is trusted HTML (escape what goes into it); it should hold
 * a chartGrid() of `charts`. `extra` adds trusted CSS and a script run after the charts exist.
 */
export function renderPage(
  title: string,
  body: string,
  charts: readonly PageChart[],
  extra: { style?: string; script?: string } = {},
): string {
  const configs = charts.map(({ id, config }) => ({ id, config }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}${extra.style ?? ''}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<script>${chartJsSource()}</script>
<script>
// A log axis with ticks.decadeStep k labels every k-th power of ten only (Chart.js would label
// 2, 3, 5 × 10^n as space allows: irregular over dozens of decades).
const decades = (k) => (v) => {
  const e = Math.round(Math.log10(v));
  return Math.abs(Math.log10(v) - e) < 1e-6 && e % k === 0 ? '1e' + e : null;
};
// ticks.integerOnly puts a tick on every whole number (epochs on an axis with half an epoch of
// margin, where Chart.js would start its ticks at the 0.5 edge), thinned to at most ~20.
const integers = (scale) => {
  const [lo, hi] = [Math.ceil(scale.min), Math.floor(scale.max)];
  const step = Math.max(1, Math.ceil((hi - lo + 1) / 20));
  scale.ticks = [];
  for (let v = lo; v <= hi; v += step) scale.ticks.push({ value: v });
};
for (const c of ${scriptJson(configs)}) {
  for (const axis of Object.values((c.config.options && c.config.options.scales) || {})) {
    if (axis.ticks && axis.ticks.decadeStep) axis.ticks.callback = decades(axis.ticks.decadeStep);
    if (axis.ticks && axis.ticks.integerOnly) axis.afterBuildTicks = integers;
  }
  new Chart(document.getElementById(c.id), c.config);
}
${extra.script ?? ''}
</script>
</body>
</html>
`;
}
