import type { Explanation } from '../explain/schema.js';

/** The Chart.js constructor, as the page's inlined UMD build or the web bundle provides it. */
export type ChartConstructor = new (canvas: HTMLCanvasElement, config: object) => unknown;

/**
 * Draws an explanation into `root` (browser only): the tokens coloured by attribution with a
 * legend, a detail panel for the hovered or tapped token, the running prediction, a heatmap of
 * gate activations (units × tokens, sortable) per recurrent layer, state norms and mean gates,
 * and the CNN's top filters. Padding before the text is left out of every view.
 *
 * Self-contained on purpose (no imports, no outer helpers): explain.html inlines its source
 * with Function.prototype.toString, and the web page calls it directly.
 */
export function renderExplanation(
  root: HTMLElement,
  e: Explanation,
  Chart: ChartConstructor,
): void {
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Record<string, string> = {},
    text = '',
  ): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };
  const num = (v: number | null | undefined, digits = 4): string =>
    typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
  const first = Math.max(
    0,
    e.tokens.findIndex((t) => t.kind !== 'pad'),
  );
  const shown = e.tokens.slice(first);
  const labels = shown.map((t) => t.text);
  const attr = e.attribution.values.slice(first);
  const maxAbs = Math.max(1e-12, ...attr.map(Math.abs));
  /** Diverging scale: blue raises the explained output, red lowers it, white is 0. */
  const diverging = (v: number, scale: number): string => {
    const a = Math.max(-1, Math.min(1, v / scale));
    const fade = (c: number) => Math.round(255 + (c - 255) * Math.abs(a));
    return a >= 0
      ? `rgb(${fade(33)},${fade(102)},${fade(172)})`
      : `rgb(${fade(178)},${fade(24)},${fade(43)})`;
  };
  /** Sequential scale for values in [0, 1] (sigmoid gates): viridis, dark purple to yellow. */
  const VIRIDIS = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const sequential = (v: number): string => {
    const x = Math.max(0, Math.min(1, v)) * (VIRIDIS.length - 1);
    const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const f = x - k;
    const [a, b] = [VIRIDIS[k], VIRIDIS[k + 1]];
    return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * f)).join(',')})`;
  };
  const ink = (v: number, scale: number) => (Math.abs(v / scale) > 0.55 ? '#fff' : '#111');

  root.textContent = '';
  const out = e.output;
  const c = e.attribution.completeness;
  const facts = el('dl', { class: 'facts' });
  const fact = (term: string, value: string) => {
    facts.append(el('dt', {}, term), el('dd', {}, value));
  };
  fact('Model', `${e.model.architecture} (maxlen ${e.model.maxlen}, ${e.model.backend} backend)`);
  fact('Prediction', `${out.meaning} = ${num(out.value)}: class ${out.predictedClass}`);
  fact(
    'Tokens',
    `${shown.length} read` +
      (first > 0 ? `, ${first} padding steps before them not shown` : '') +
      (e.truncated.count > 0 ? `, ${e.truncated.count} cut (longer than maxlen)` : ''),
  );
  fact(
    'Attribution',
    `integrated gradients on the embeddings, ${e.attribution.steps} steps; Σ = ${num(c.sum)} vs ` +
      `f(x) − f(baseline) = ${num(c.expected)} (error ${(100 * c.relativeError).toFixed(2)}%, ` +
      `${c.ok ? 'within' : 'NOT within'} ${100 * c.tolerance}%)`,
  );
  fact('Cost', `${e.milliseconds.toFixed(0)} ms`);
  root.append(facts);

  root.append(el('h2', {}, 'Which words moved the prediction'));
  const legend = el('div', { class: 'legend' });
  legend.append(
    el('span', {}, `${num(-maxAbs, 3)} lowers ${out.meaning}`),
    el('span', { class: 'scale' }),
    el('span', {}, `raises it ${num(maxAbs, 3)}`),
  );
  root.append(legend);
  if (e.truncated.count > 0) {
    root.append(el('p', { class: 'note' }, `Cut from the text: ${e.truncated.tokens.join(' ')}`));
  }
  const tokenRow = el('div', { class: 'tokens' });
  const detail = el(
    'div',
    { class: 'detail', 'aria-live': 'polite' },
    'Hover or tap a token to see its numbers.',
  );
  const markers: ((i: number) => void)[] = [];
  const select = (i: number) => {
    const t = shown[i];
    const position = first + i;
    const rows: [string, string][] = [
      ['token', `${t.text} (id ${t.id}, ${t.kind}, position ${position})`],
      ['attribution', num(attr[i])],
      [`${out.meaning} if the text ended here`, num(e.running.values[position])],
    ];
    for (const r of e.recurrent) {
      const gates = Object.entries(r.gateMeans).map(([g, v]) => `${g} ${num(v[position], 3)}`);
      const norms =
        `‖h‖ ${num(r.hNorm[position], 3)}` + (r.cNorm ? `, ‖c‖ ${num(r.cNorm[position], 3)}` : '');
      rows.push([`${r.layer} (mean gates)`, [...gates, norms].join(', ')]);
    }
    detail.textContent = '';
    const dl = el('dl');
    for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', {}, v));
    detail.append(dl);
    tokenRow.querySelectorAll('.tok.on').forEach((n) => n.classList.remove('on'));
    tokenRow.children[i]?.classList.add('on');
    markers.forEach((mark) => mark(i));
  };
  shown.forEach((t, i) => {
    const chip = el('span', { class: `tok ${t.kind}`, tabindex: '0', 'data-i': String(i) }, t.text);
    chip.style.background = diverging(attr[i], maxAbs);
    chip.style.color = ink(attr[i], maxAbs);
    chip.title = `${t.text}: attribution ${num(attr[i])}`;
    for (const type of ['mouseenter', 'focus', 'click'])
      chip.addEventListener(type, () => select(i));
    tokenRow.append(chip);
  });
  root.append(tokenRow, detail);

  const chartBox = (height: number) => {
    const box = el('div', { class: 'chart' });
    box.style.height = `${height}px`;
    const canvas = el('canvas');
    box.append(canvas);
    root.append(box);
    return canvas;
  };
  const lineOptions = (yTitle: string, extra: object = {}) => ({
    animation: false,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    scales: {
      x: { ticks: { autoSkip: true, maxRotation: 60 } },
      y: { title: { display: true, text: yTitle } },
      ...extra,
    },
  });
  root.append(el('h2', {}, 'The prediction as the text is read'));
  root.append(
    el(
      'p',
      { class: 'note' },
      e.running.method === 'state'
        ? `${out.meaning} from the state after each token (the rest of the model applied to it); bars: each token's attribution.`
        : `${out.meaning} of the model run on each prefix of the text; bars: each token's attribution.`,
    ),
  );
  new Chart(chartBox(260), {
    type: 'line',
    data: {
      labels,
      datasets: [
        {
          label: `${out.meaning} if the text ended here`,
          data: e.running.values.slice(first),
          borderColor: '#1f77b4',
          backgroundColor: '#1f77b4',
          pointRadius: 1.5,
          yAxisID: 'y',
        },
        {
          type: 'bar',
          label: 'attribution',
          data: attr,
          backgroundColor: attr.map((v) => diverging(v, maxAbs)),
          yAxisID: 'y1',
        },
      ],
    },
    options: lineOptions(out.meaning, {
      y1: {
        position: 'right',
        grid: { drawOnChartArea: false },
        title: { display: true, text: 'attribution' },
      },
    }),
  });

  for (const r of e.recurrent) {
    root.append(el('h2', {}, `${r.layer}: ${r.cell} (${r.direction}), ${r.units} units`));
    const kinds = [...Object.keys(r.gates), 'h'];
    const controls = el('div', { class: 'controls' });
    const gateSelect = el('select', { 'aria-label': 'activation' });
    for (const k of kinds)
      gateSelect.append(el('option', { value: k }, k === 'h' ? 'state h' : `${k} gate`));
    // The forget gate first: when it lets go is what the LSTM view is for.
    if (kinds.includes('forget')) gateSelect.value = 'forget';
    const sortSelect = el('select', { 'aria-label': 'sort units by' });
    for (const [v, text] of [
      ['unit', 'units in order'],
      ['mean', 'units by mean (high first)'],
      ['spread', 'units by spread over tokens'],
      ['token', 'units by value at the selected token'],
    ]) {
      sortSelect.append(el('option', { value: v }, text));
    }
    controls.append(el('label', {}, 'show '), gateSelect, el('label', {}, ' sort '), sortSelect);
    const caption = el('div', { class: 'note' }, 'Hover the heatmap for a unit’s value.');
    const scale = el('div', { class: 'legend' });
    const canvas = el('canvas', { class: 'heatmap' });
    root.append(controls, scale, canvas, caption);
    let selected = -1;
    let order: number[] = [];
    const matrix = () => (gateSelect.value === 'h' ? r.h : r.gates[gateSelect.value]).slice(first);
    const signed = () =>
      gateSelect.value === 'h' || gateSelect.value === 'candidate' || r.cell === 'SimpleRNN';
    const draw = () => {
      const m = matrix();
      const H = r.units;
      const mean = (j: number) => m.reduce((s, row) => s + row[j], 0) / m.length;
      const spread = (j: number) => m.reduce((s, row) => s + (row[j] - mean(j)) ** 2, 0);
      const key: Record<string, (j: number) => number> = {
        unit: (j) => -j,
        mean,
        spread,
        token: (j) => (selected >= 0 ? m[selected][j] : -j),
      };
      const by = key[sortSelect.value];
      order = Array.from({ length: H }, (_, j) => j).sort((a, b) => by(b) - by(a));
      scale.textContent = '';
      scale.append(
        el('span', {}, signed() ? '−1' : '0'),
        el('span', { class: signed() ? 'scale' : 'scale viridis' }),
        el('span', {}, '1'),
        el(
          'span',
          { class: 'note' },
          `rows: units (${sortSelect.selectedOptions[0]?.text ?? ''}); columns: tokens`,
        ),
      );
      const cw = Math.max(2, Math.floor(1600 / m.length));
      const ch = Math.max(3, Math.min(10, Math.floor(480 / H)));
      canvas.width = m.length * cw;
      canvas.height = H * ch;
      canvas.style.height = `${Math.min(H * ch, Math.max(192, H * 5))}px`;
      const g = canvas.getContext('2d');
      if (g === null) return;
      order.forEach((j, row) => {
        m.forEach((values, t) => {
          g.fillStyle = signed() ? diverging(values[j], 1) : sequential(values[j]);
          g.fillRect(t * cw, row * ch, cw, ch);
        });
      });
      if (selected >= 0) {
        g.strokeStyle = '#f0a000';
        g.lineWidth = Math.max(2, Math.min(6, cw / 4));
        g.strokeRect(selected * cw, 0, cw, H * ch);
      }
    };
    canvas.addEventListener('mousemove', (ev) => {
      const box = canvas.getBoundingClientRect();
      const m = matrix();
      const t = Math.floor(((ev.clientX - box.left) / box.width) * m.length);
      const row = Math.floor(((ev.clientY - box.top) / box.height) * r.units);
      const j = order[row];
      if (t < 0 || t >= m.length || j === undefined) return;
      caption.textContent = `unit ${j}, token “${labels[t]}” (position ${first + t}): ${num(m[t][j])}`;
    });
    gateSelect.addEventListener('change', draw);
    sortSelect.addEventListener('change', draw);
    markers.push((i) => {
      selected = i;
      draw();
    });
    draw();
  }

  if (e.recurrent.length > 0) {
    const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
    const series = (pick: (r: Explanation['recurrent'][number]) => [string, number[]][]) =>
      e.recurrent
        .flatMap((r) =>
          pick(r).map(([name, v]) => ({ label: `${r.layer} ${name}`, data: v.slice(first) })),
        )
        .map((d, i) => ({
          ...d,
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          pointRadius: 0,
        }));
    root.append(el('h2', {}, 'State norms'));
    new Chart(chartBox(240), {
      type: 'line',
      data: {
        labels,
        datasets: series((r) => [
          ['‖h‖', r.hNorm],
          ...(r.cNorm ? [['‖c‖', r.cNorm] as [string, number[]]] : []),
        ]),
      },
      options: lineOptions('norm'),
    });
    if (e.recurrent.some((r) => Object.keys(r.gateMeans).length > 0)) {
      root.append(el('h2', {}, 'Mean gate activation over units'));
      new Chart(chartBox(240), {
        type: 'line',
        data: { labels, datasets: series((r) => Object.entries(r.gateMeans)) },
        options: lineOptions('mean activation'),
      });
    }
  }

  if (e.filters !== null) {
    root.append(el('h2', {}, 'Top filters of the convolution'));
    root.append(
      el(
        'p',
        { class: 'note' },
        'Contribution: the filter’s max activation × ∂output/∂(that activation); the window is where the max occurred.',
      ),
    );
    const table = el('table');
    const head = el('tr');
    for (const h of ['filter', 'contribution', 'max activation', 'fired on'])
      head.append(el('th', {}, h));
    table.append(head);
    for (const f of e.filters) {
      const row = el('tr');
      row.append(
        el('td', {}, String(f.filter)),
        el('td', {}, num(f.contribution)),
        el('td', {}, num(f.activation)),
        el('td', { class: 'words' }, f.tokens.join(' ')),
      );
      row.children[1].setAttribute(
        'style',
        `background:${diverging(f.contribution, Math.abs(e.filters[0].contribution) || 1)}`,
      );
      table.append(row);
    }
    const scroll = el('div', { class: 'scroll' });
    scroll.append(table);
    root.append(scroll);
  }
}

/** The styles the view's classes need (the page adds its own layout). */
export const EXPLANATION_STYLE = `
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } .facts dt { font-weight: 600; } .facts dd { margin: 0; }
.legend { display: flex; align-items: center; gap: 8px; font-size: 13px; flex-wrap: wrap; }
.legend .scale.viridis { background: linear-gradient(to right, rgb(68,1,84), rgb(59,82,139), rgb(33,145,140), rgb(94,201,98), rgb(253,231,37)); }
.legend .scale { width: 160px; height: 12px; border: 1px solid #ccc; background: linear-gradient(to right, rgb(178,24,43), #fff, rgb(33,102,172)); }
.tokens { line-height: 2; margin: 10px 0; }
.tok { padding: 2px 4px; margin: 1px; border-radius: 3px; cursor: pointer; display: inline-block; line-height: 1.3; border: 1px solid transparent; }
.tok.start, .tok.oov { font-style: italic; }
.tok.on { border-color: #f0a000; outline: 2px solid #f0a000; }
.detail { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; min-height: 3em; background: #fafafa; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; } .detail dt { font-weight: 600; } .detail dd { margin: 0; }
.chart { position: relative; border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin: 8px 0; }
canvas.heatmap { width: 100%; image-rendering: pixelated; border: 1px solid #ddd; }
.controls { margin: 6px 0; } .controls select { font: inherit; }
td.words { text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
.note { color: #555; }
@media (max-width: 640px) { .facts, .detail dl { grid-template-columns: 1fr; } .facts dd, .detail dd { margin-bottom: 4px; } }`;
