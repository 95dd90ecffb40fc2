import type { CompareResult, CompareRun } from './compare.js';
import { SWEEP_FACTORS } from './compare-plan.js';
import {
  chartGrid,
  colour,
  escapeHtml,
  fmt,
  htmlTable,
  renderPage,
  type PageChart,
} from './report-page.js';

const pct = (v: number | null): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(4));

/** The summary table: one row per run. */
function runRows(result: CompareResult): { head: string[]; rows: string[][] } {
  const head = [
    'model',
    ...(result.kind === 'sweep' ? ['changed'] : []),
    'parameters',
    'epochs run',
    'best epoch',
    's/epoch',
    'test loss',
    'test accuracy',
  ];
  const rows = result.runs.map((r) => [
    r.name,
    ...(result.kind === 'sweep'
      ? [r.factor === null ? 'baseline' : `${r.factor} = ${r.value}`]
      : []),
    r.params.toLocaleString('en-US'),
    String(r.epochsRun),
    r.bestEpoch === null ? '–' : String(r.bestEpoch),
    r.secondsPerEpoch.toFixed(1),
    fmt(r.test.loss),
    pct(r.test.accuracy),
  ]);
  return { head, rows };
}

/** Test accuracy by review length: one row per run, one column per bucket (count in the header). */
function bucketRows(result: CompareResult): { head: string[]; rows: string[][] } {
  const first = result.runs[0]?.byLength ?? [];
  const head = ['model', ...first.map((b) => `${b.label} (${b.count})`), 'all'];
  const rows = result.runs.map((r) => [
    r.name,
    ...r.byLength.map((b) => pct(b.accuracy)),
    pct(r.test.accuracy),
  ]);
  return { head, rows };
}

/** For a sweep: the spread of test accuracy each factor causes (baseline included). */
function factorRows(result: CompareResult): { head: string[]; rows: string[][] } {
  const baseline = result.runs.find((r) => r.factor === null);
  const rows = SWEEP_FACTORS.flatMap((factor) => {
    const runs = result.runs.filter((r) => r.factor === factor);
    if (runs.length === 0) return [];
    const accs = [...runs, ...(baseline ? [baseline] : [])].map((r) => r.test.accuracy);
    const values = runs.map((r) => `${r.value}: ${pct(r.test.accuracy)}`).join(', ');
    return [[factor, values, pct(Math.max(...accs) - Math.min(...accs))]];
  });
  return {
    head: ['factor', 'test accuracy by value', 'spread (max − min, baseline included)'],
    rows,
  };
}

function markdownTable({ head, rows }: { head: string[]; rows: string[][] }): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join(
    '\n',
  );
}

function describeSettings(result: CompareResult): string {
  const s = result.settings;
  return (
    `${result.testCount} test reviews from ${result.dataSource}; num-words ${s.numWords}, maxlen ${s.maxlen}, ` +
    `embedding ${s.embeddingDim}, units ${s.units}, filters ${s.filters}×${s.kernelSize}, ${s.optimizer} lr ${s.learningRate}, ` +
    `batch ${s.batchSize}, up to ${s.epochs} epochs with early stopping (patience ${s.patience}, best weights restored), ` +
    `validation split ${s.validationSplit}, seed ${s.seed}${s.limit !== undefined ? `, limit ${s.limit}` : ''}; backend ${result.backend}.`
  );
}

const LENGTH_NOTE =
  'Length = the review’s ids before padding or truncation, the start id included (what --maxlen cuts); longer reviews are truncated to their last maxlen ids.';

/** compare.md: the tables. */
export function compareMarkdown(result: CompareResult): string {
  const pending = result.planned.filter((n) => !result.runs.some((r) => r.name === n));
  return [
    `# gated compare${result.kind === 'sweep' ? ' (sweep)' : ''}`,
    '',
    describeSettings(result),
    ...(pending.length > 0 ? ['', `Not finished yet: ${pending.join(', ')}.`] : []),
    '',
    markdownTable(runRows(result)),
    '',
    '## Test accuracy by review length',
    '',
    LENGTH_NOTE,
    '',
    markdownTable(bucketRows(result)),
    ...(result.kind === 'sweep'
      ? ['', '## Sensitivity (one factor at a time)', '', markdownTable(factorRows(result))]
      : []),
    '',
  ].join('\n');
}

const chartOptions = (title: string, x: object, y: object, legend = true): object => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { title: { display: true, text: title }, legend: { display: legend } },
  scales: { x, y },
});

function charts(result: CompareResult): PageChart[] {
  const runs = result.runs;
  const line = (r: CompareRun, i: number, data: unknown[]): object => ({
    label: r.name,
    data,
    borderColor: colour(i),
    backgroundColor: colour(i),
  });
  return [
    {
      id: 'accuracy',
      config: {
        type: 'bar',
        data: {
          labels: runs.map((r) => r.name),
          datasets: [
            {
              label: 'test accuracy',
              data: runs.map((r) => r.test.accuracy),
              backgroundColor: runs.map((_, i) => colour(i)),
            },
          ],
        },
        options: chartOptions(
          'Test accuracy',
          {},
          { title: { display: true, text: 'accuracy' } },
          false,
        ),
      },
    },
    {
      id: 'by-length',
      config: {
        type: 'line',
        data: {
          labels: runs[0]?.byLength.map((b) => `${b.label} (${b.count})`) ?? [],
          datasets: runs.map((r, i) =>
            line(
              r,
              i,
              r.byLength.map((b) => b.accuracy),
            ),
          ),
        },
        options: chartOptions(
          'Test accuracy by review length',
          { title: { display: true, text: 'review length (ids), count' } },
          { title: { display: true, text: 'accuracy' } },
        ),
      },
    },
    {
      id: 'val-loss',
      wide: true,
      height: 360,
      config: {
        type: 'line',
        data: {
          datasets: runs.map((r, i) =>
            line(
              r,
              i,
              r.history
                .filter((e) => typeof e.val_loss === 'number')
                .map((e) => ({ x: e.epoch, y: e.val_loss })),
            ),
          ),
        },
        options: chartOptions(
          'Learning curves: validation loss per epoch',
          {
            type: 'linear',
            min: 1,
            ticks: { precision: 0 },
            title: { display: true, text: 'epoch' },
          },
          { title: { display: true, text: 'val_loss' } },
        ),
      },
    },
  ];
}

const table = ({ head, rows }: { head: string[]; rows: string[][] }): string =>
  htmlTable(
    head.map(escapeHtml),
    rows.map((r) => r.map(escapeHtml)),
  );

/** compare.html: the tables and charts, self-contained like report.html. */
export function renderComparePage(result: CompareResult): string {
  const pending = result.planned.filter((n) => !result.runs.some((r) => r.name === n));
  const chartList = charts(result);
  const body = `<p class="note">${escapeHtml(describeSettings(result))}</p>
${pending.length > 0 ? `<p class="note">Not finished yet: ${escapeHtml(pending.join(', '))}.</p>` : ''}
${table(runRows(result))}
<h2>Charts</h2>
${chartGrid(chartList)}
<h2>Test accuracy by review length</h2>
<p class="note">${escapeHtml(LENGTH_NOTE)}</p>
${table(bucketRows(result))}
${result.kind === 'sweep' ? `<h2>Sensitivity (one factor at a time)</h2>\n${table(factorRows(result))}` : ''}`;
  return renderPage(`gated compare${result.kind === 'sweep' ? ' (sweep)' : ''}`, body, chartList);
}
